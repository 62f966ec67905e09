"""What the Excel add-in needs on a Windows PC, checked one condition at a time.

Each check is a small function of a ``System``: every piece of OS access (environment,
files, registry, loading a DLL, starting Python) is a field of it, so each condition can be
faked in tests on any OS. ``sp_xl.actions.doctor`` supplies the real system; the command
``sp-xl doctor`` and the ribbon button "Diagnose" both print ``report_lines``.

A failing check says, in words an IT department can act on, what IT must allow
(``IT_TEXT``); README's install section carries the same Danish texts (a test compares).
Registry values are read where a user may read them; a key the user may not read gives a
warning "could not be read", never a guess.
"""

from __future__ import annotations

import fnmatch
import ntpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from xml.etree import ElementTree as ET

from sp_xl import ADDIN_NAME, i18n

OK, FAIL, WARN, SKIP = "ok", "fejl", "advarsel", "sprunget over"
_STATUS_TEXT = {OK: ("OK", "OK"), FAIL: ("FEJL", "FAIL"), WARN: ("ADVARSEL", "WARNING"),
                SKIP: ("SPRUNGET OVER", "SKIPPED")}

OFFICE = "16.0"   # Microsoft 365 and Office 2016-2024 all keep their settings under 16.0
ASR_KEY = r"HKLM\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR"
ASR_WIN32_API = "92E97FA1-2EDF-4476-BDD6-9DD0B4DDDC7B"      # Block Win32 API calls from Office macros
ASR_CHILD_PROCESSES = "D4F940AB-401B-4EFC-AADC-AD5F3C50688A"  # Block all Office apps from creating child processes
APPLOCKER_KEY = r"HKLM\SOFTWARE\Policies\Microsoft\Windows\SrpV2"
SECURITY = rf"Software\Microsoft\Office\{OFFICE}\Excel\Security"
POLICY_SECURITY = rf"Software\Policies\Microsoft\Office\{OFFICE}\Excel\Security"
VENV = r"%LOCALAPPDATA%\sp_xl\venv"
CONF = r"%USERPROFILE%\.sp_xl\sp_xl.conf"
XLSTART = r"%APPDATA%\Microsoft\Excel\XLSTART"

# What IT must allow, per check (Danish, English). Placeholders: {python}, {venv}, {dll}, {addin}.
IT_TEXT: dict[str, tuple[str, str]] = {
    "python": (
        "Kør install\\install.ps1 for brugeren (eller fra offline-pakken med -Bundle). Det kræver ikke "
        "administratorrettigheder, men brugeren skal kunne skrive i %LOCALAPPDATA%\\sp_xl.",
        "Run install\\install.ps1 for the user (or from the offline bundle with -Bundle). It needs no "
        "administrator rights, but the user must be able to write to %LOCALAPPDATA%\\sp_xl."),
    "dll": (
        "Kør install.ps1 igen, så {dll} (præcis den version, sp_xl.xlam kræver) ligger i {venv}, og tillad, "
        "at Excel indlæser den DLL (AppLocker-DLL-regler, Defender Application Control).",
        "Run install.ps1 again so that {dll} (exactly the version sp_xl.xlam requires) is in {venv}, and "
        "allow Excel to load that DLL (AppLocker DLL rules, Defender Application Control)."),
    "trusted": (
        "Gør mappen, som tilføjelsesprogrammet ({addin}) ligger i, til en betroet placering i Excel (Trust Center > "
        "Betroede placeringer; ligger den på et netværksdrev, fx omdirigeret AppData, skal også "
        "politikken »Tillad betroede placeringer på netværket« være slået til), eller tillad, at "
        "install.ps1 lægger den i en lokal betroet mappe.",
        "Make the folder the add-in ({addin}) is in a trusted location in Excel (Trust Center > Trusted "
        "Locations; on a network drive, such as a redirected AppData, the policy \"Allow trusted "
        "locations on the network\" must be on as well), or let install.ps1 put it in a local trusted folder."),
    "macros": (
        "Tillad VBA-makroer i Excel for tilføjelsesprogrammer i betroede placeringer (politikken »VBA "
        "Macro Notification Settings« må ikke slå VBA fra, og »Disable VBA for Office applications« skal "
        "være fra), eller signér sp_xl.xlam med hospitalets kodesigneringscertifikat, hvis politikken "
        "kræver signerede tilføjelsesprogrammer.",
        "Allow VBA macros in Excel for add-ins in trusted locations (the policy \"VBA Macro Notification "
        "Settings\" must not turn VBA off, and \"Disable VBA for Office applications\" must be off), or sign "
        "sp_xl.xlam with the hospital's code-signing certificate if policy requires signed add-ins."),
    "asr_win32": (
        "Defender-ASR-reglen »Block Win32 API calls from Office macros« (" + ASR_WIN32_API + ") blokerer "
        "tilføjelsesprogrammets indlæsning af xlwings' DLL. Sæt reglen til Audit for disse brugere, eller "
        "tilføj en ASR-undtagelse for {addin}.",
        "The Defender ASR rule \"Block Win32 API calls from Office macros\" (" + ASR_WIN32_API + ") blocks the "
        "add-in from loading xlwings' DLL. Set the rule to Audit for these users, or add an ASR exclusion "
        "for {addin}."),
    "asr_child": (
        "Defender-ASR-reglen »Block all Office applications from creating child processes« ("
        + ASR_CHILD_PROCESSES + ") forhindrer Excel i at starte Python. Sæt reglen til Audit for disse "
        "brugere, eller tilføj en ASR-undtagelse for {python}.",
        "The Defender ASR rule \"Block all Office applications from creating child processes\" ("
        + ASR_CHILD_PROCESSES + ") stops Excel from starting Python. Set the rule to Audit for these users, "
        "or add an ASR exclusion for {python}."),
    "applocker": (
        "AppLocker tillader ikke programmer i brugerens profil. Tilføj en tilladelsesregel (sti eller "
        "hash) for {python} og python.exe i samme mappe, og, hvis DLL-regler håndhæves, for DLL'erne i {venv}.",
        "AppLocker does not allow programs in the user's profile. Add an allow rule (path or hash) for "
        "{python} and python.exe in the same folder, and, if DLL rules are enforced, for the DLLs in {venv}."),
    "server": (
        "Python i {venv} skal kunne starte og importere sp_xl: tillad, at Excel og cmd.exe starter {python} "
        "(Defender ASR, AppLocker, antivirus), og kør install.ps1 igen, hvis miljøet er beskadiget.",
        "Python in {venv} must be able to start and import sp_xl: allow Excel and cmd.exe to start {python} "
        "(Defender ASR, AppLocker, antivirus), and run install.ps1 again if the environment is damaged."),
}


class Registry(Protocol):
    """Read access to the Windows registry. Paths start with HKLM\\ or HKCU\\.

    ``values`` returns a key's values by name, ``subkeys`` its subkeys' names; both raise
    ``FileNotFoundError`` for a missing key and ``PermissionError`` for one the user may not read.
    """

    def values(self, path: str) -> dict[str, object]: ...

    def subkeys(self, path: str) -> list[str]: ...


@dataclass
class System:
    """Everything the checks need from the PC; ``sp_xl.actions.doctor.real_system`` fills it."""

    windows: bool
    env: Mapping[str, str]
    exists: Callable[[str], bool]
    listdir: Callable[[str], list[str]]
    read_text: Callable[[str], str | None]
    registry: Registry | None = None
    load_dll: Callable[[str], str | None] = lambda path: None       # error text, or None when it loads
    probe: Callable[[str], tuple[bool, str]] = lambda python: (True, "")
    addin_path: str | None = None
    xlwings_version: str = ""


@dataclass(frozen=True)
class Finding:
    key: str
    status: str
    title_da: str
    title_en: str
    detail_da: str = ""
    detail_en: str = ""
    it: tuple[str, str] | None = None   # what IT must allow (filled in), for FAIL and WARN

    @property
    def title(self) -> str:
        return i18n.pick(self.title_da, self.title_en)

    @property
    def detail(self) -> str:
        return i18n.pick(self.detail_da, self.detail_en)


@dataclass
class Paths:
    """Where install.ps1 puts things for this user (environment variables expanded)."""

    python: str
    venv: str
    addin: str
    conf: str
    settings: dict[str, str] = field(default_factory=dict)


def expand(text: str, env: Mapping[str, str]) -> str:
    """%VAR% expanded from ``env`` (case-insensitive, as Windows does); unknown ones stay."""
    lower = {k.lower(): v for k, v in env.items()}
    return re.sub(r"%([^%]+)%", lambda m: lower.get(m.group(1).lower(), m.group(0)), text)


def parse_conf(text: str) -> dict[str, str]:
    """xlwings' sp_xl.conf: one "KEY","value" per line."""
    out = {}
    for line in text.splitlines():
        m = re.match(r'^\s*"([^"]*)"\s*,\s*"(.*)"\s*$', line)
        if m:
            out[m.group(1).upper()] = m.group(2)
    return out


def paths(system: System) -> Paths:
    conf = expand(CONF, system.env)
    text = system.read_text(conf)
    settings = parse_conf(text) if text is not None else {}
    python = expand(settings.get("INTERPRETER_WIN", VENV + r"\Scripts\pythonw.exe"), system.env)
    venv = ntpath.dirname(ntpath.dirname(python))
    addin = system.addin_path or expand(XLSTART + "\\" + ADDIN_NAME, system.env)
    return Paths(python, venv, addin, conf, settings)


def _it(key: str, p: Paths, dll: str = "") -> tuple[str, str]:
    da, en = IT_TEXT[key]
    fill = {"python": p.python, "venv": p.venv, "addin": p.addin, "dll": dll or "xlwings' DLL"}
    return da.format(**fill), en.format(**fill)


def _read(system: System, path: str) -> dict[str, object] | None | PermissionError:
    """A key's values; None when the key does not exist; the PermissionError when unreadable."""
    if system.registry is None:
        return None
    try:
        return system.registry.values(path)
    except FileNotFoundError:
        return None
    except PermissionError as exc:
        return exc


def _subkeys(system: System, path: str) -> list[str] | None | PermissionError:
    if system.registry is None:
        return None
    try:
        return system.registry.subkeys(path)
    except FileNotFoundError:
        return None
    except PermissionError as exc:
        return exc


def _int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _skipped(key: str, da: str, en: str) -> Finding:
    return Finding(key, SKIP, da, en, "Kun på Windows.", "Windows only.")


# ---------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------

def check_python(system: System) -> Finding:
    title = ("Python og sp_xl-miljøet", "Python and the sp_xl environment")
    if not system.windows:
        return _skipped("python", *title)
    p = paths(system)
    if system.read_text(p.conf) is None:
        return Finding("python", FAIL, *title, f"sp_xl er ikke installeret for denne bruger: {p.conf} mangler.",
                       f"sp_xl is not installed for this user: {p.conf} is missing.", _it("python", p))
    if "INTERPRETER_WIN" not in p.settings:
        return Finding("python", FAIL, *title, f"INTERPRETER_WIN mangler i {p.conf}.",
                       f"INTERPRETER_WIN is missing from {p.conf}.", _it("python", p))
    if not system.exists(p.python):
        return Finding("python", FAIL, *title, f"Python-miljøet findes ikke: {p.python}.",
                       f"The Python environment does not exist: {p.python}.", _it("python", p))
    return Finding("python", OK, *title, f"Fundet: {p.python}", f"Found: {p.python}")


# Where Office records its bitness: Click-to-Run (Microsoft 365) its Platform, and every
# Office 2010+ (MSI too) the Outlook key's Bitness, which a 32-bit MSI Office on 64-bit
# Windows writes under WOW6432Node.
_BITNESS_KEYS = (
    (r"HKLM\SOFTWARE\Microsoft\Office\ClickToRun\Configuration", "Platform"),
    (r"HKLM\SOFTWARE\Microsoft\Office\16.0\Outlook", "Bitness"),
    (r"HKLM\SOFTWARE\WOW6432Node\Microsoft\Office\16.0\Outlook", "Bitness"),
)


def office_bits(system: System) -> int:
    """64 or 32: the Office installation's bitness, from the first key that records it; 64
    (the default since Office 2019) when none does."""
    for path, name in _BITNESS_KEYS:
        values = _read(system, path)
        value = str(values.get(name, "")).lower() if isinstance(values, dict) else ""
        if value in ("x86", "x64"):
            return 32 if value == "x86" else 64
    return 64


def check_dll(system: System) -> Finding:
    title = ("xlwings' DLL i den rigtige version", "xlwings' DLL of the right version")
    if not system.windows:
        return _skipped("dll", *title)
    p = paths(system)
    name = f"xlwings{office_bits(system)}-{system.xlwings_version}.dll"
    it = _it("dll", p, name)
    folders = [p.venv, ntpath.join(p.venv, "Scripts")]
    for folder in folders:
        path = ntpath.join(folder, name)
        if system.exists(path):
            error = system.load_dll(path)
            if error:
                # Blocked by policy (ERROR_ACCESS_DISABLED_BY_POLICY, 1260) is certain; any other load
                # error in this process (a missing dependency, say) may not hit Excel: a warning.
                blocked = "1260" in error or "policy" in error.lower() or "politik" in error.lower()
                return Finding("dll", FAIL if blocked else WARN, *title,
                               f"{path} findes, men kan ikke indlæses: {error}",
                               f"{path} exists but cannot be loaded: {error}", it)
            return Finding("dll", OK, *title, f"Fundet: {path}", f"Found: {path}")
    others = sorted({f for folder in folders for f in _safe_listdir(system, folder)
                     if re.fullmatch(r"xlwings(32|64)-.*\.dll", f, re.IGNORECASE)})
    if others:
        return Finding("dll", FAIL, *title,
                       f"{name} mangler i {p.venv}; der ligger kun {', '.join(others)} (en anden version eller "
                       "bitness end Office/tilføjelsesprogrammet kræver).",
                       f"{name} is missing from {p.venv}; only {', '.join(others)} is there (another version or "
                       "bitness than Office and the add-in require).", it)
    return Finding("dll", FAIL, *title, f"{name} mangler i {p.venv}.", f"{name} is missing from {p.venv}.", it)


def _safe_listdir(system: System, folder: str) -> list[str]:
    try:
        return system.listdir(folder)
    except OSError:
        return []


def _trusted_locations(system: System) -> tuple[list[tuple[str, bool]], bool, bool, bool]:
    """(path, allow subfolders) of every readable trusted location, and the policies
    AllLocationsDisabled and AllowNetworkLocations, and whether anything could be read."""
    found: list[tuple[str, bool]] = []
    disabled = network = False
    readable = False
    for base in (rf"HKCU\{SECURITY}\Trusted Locations", rf"HKCU\{POLICY_SECURITY}\Trusted Locations"):
        top = _read(system, base)
        if isinstance(top, dict):
            readable = True
            disabled |= _int(top.get("AllLocationsDisabled")) == 1
            network |= _int(top.get("AllowNetworkLocations")) == 1
        names = _subkeys(system, base)
        if not isinstance(names, list):
            continue
        readable = True
        for name in names:
            values = _read(system, base + "\\" + name)
            if isinstance(values, dict) and values.get("Path"):
                found.append((expand(str(values["Path"]), system.env), _int(values.get("AllowSubfolders")) == 1))
    return found, disabled, network, readable


def _inside(path: str, folder: str, subfolders: bool) -> bool:
    path = ntpath.normcase(ntpath.normpath(path))
    folder = ntpath.normcase(ntpath.normpath(folder.rstrip("\\/")))
    parent = ntpath.dirname(path)
    return parent == folder or (subfolders and parent.startswith(folder + "\\"))


def check_trusted_location(system: System) -> Finding:
    title = ("Tilføjelsesprogrammet ligger i en betroet placering", "The add-in is in a trusted location")
    if not system.windows:
        return _skipped("trusted", *title)
    p = paths(system)
    it = _it("trusted", p)
    if not system.exists(p.addin):
        return Finding("trusted", FAIL, *title, f"{p.addin} findes ikke.", f"{p.addin} does not exist.", _it("python", p))
    locations, disabled, network, readable = _trusted_locations(system)
    if disabled:
        return Finding("trusted", FAIL, *title, "En politik har slået alle betroede placeringer fra.",
                       "A policy has turned all trusted locations off.", it)
    if not readable:
        return Finding("trusted", WARN, *title, "Excels betroede placeringer kunne ikke læses i registreringsdatabasen.",
                       "Excel's trusted locations could not be read from the registry.", it)
    match = [loc for loc, sub in locations if _inside(p.addin, loc, sub)]
    if not match:
        return Finding("trusted", FAIL, *title, f"{ntpath.dirname(p.addin)} er ikke en betroet placering.",
                       f"{ntpath.dirname(p.addin)} is not a trusted location.", it)
    if p.addin.startswith("\\\\") and not network:
        return Finding("trusted", FAIL, *title,
                       f"{p.addin} ligger på et netværksdrev, og betroede placeringer på netværket er ikke tilladt.",
                       f"{p.addin} is on a network drive, and trusted locations on the network are not allowed.", it)
    return Finding("trusted", OK, *title, f"{p.addin} (betroet: {match[0]})", f"{p.addin} (trusted: {match[0]})")


def check_macros(system: System) -> Finding:
    title = ("Makroer er tilladt", "Macros are allowed")
    if not system.windows:
        return _skipped("macros", *title)
    p = paths(system)
    it = _it("macros", p)
    for root in ("HKLM", "HKCU"):
        common = _read(system, rf"{root}\Software\Policies\Microsoft\Office\{OFFICE}\Common")
        if isinstance(common, dict) and _int(common.get("VBAOFF")) == 1:
            return Finding("macros", FAIL, *title, "En politik har slået VBA fra i Office (VBAOFF).",
                           "A policy has turned VBA off in Office (VBAOFF).", it)
    policy = _read(system, rf"HKCU\{POLICY_SECURITY}")
    user = _read(system, rf"HKCU\{SECURITY}")
    if isinstance(policy, dict) and _int(policy.get("RequireAddinSig")) == 1:
        return Finding("macros", FAIL, *title,
                       "En politik kræver, at tilføjelsesprogrammer er signeret af en betroet udgiver; sp_xl.xlam er ikke signeret.",
                       "A policy requires add-ins signed by a trusted publisher; sp_xl.xlam is not signed.", it)
    setting, source = None, ""
    for values, where in ((policy, "politik"), (user, "bruger")):
        if isinstance(values, dict) and _int(values.get("VBAWarnings")) is not None:
            setting, source = _int(values.get("VBAWarnings")), where
            break
    if setting is None and (isinstance(policy, PermissionError) or isinstance(user, PermissionError)):
        return Finding("macros", WARN, *title, "Makroindstillingen kunne ikke læses.",
                       "The macro setting could not be read.", it)
    texts = {None: ("standard: deaktiveret med meddelelse", "default: disabled with notification"),
             1: ("alle makroer tilladt", "all macros enabled"),
             2: ("deaktiveret med meddelelse", "disabled with notification"),
             3: ("kun digitalt signerede", "digitally signed only"),
             4: ("deaktiveret uden meddelelse", "disabled without notification")}
    da, en = texts.get(setting, (f"ukendt værdi {setting}", f"unknown value {setting}"))
    return Finding("macros", OK, *title,
                   f"Makroindstilling ({source or 'standard'}): {da}. Tilføjelsesprogrammet kører fra en betroet placering.",
                   f"Macro setting ({source or 'default'}): {en}. The add-in runs from a trusted location.")


def _asr_state(system: System, rule: str) -> tuple[int | None, list[str]] | PermissionError:
    """The rule's mode (0 off, 1 block, 2 audit, 6 warn; None unset) and the ASR exclusions."""
    top = _read(system, ASR_KEY)
    if isinstance(top, PermissionError):
        return top
    rules = _read(system, ASR_KEY + r"\Rules")
    if isinstance(rules, PermissionError):
        return rules
    if isinstance(top, dict) and _int(top.get("ExploitGuard_ASR_Rules")) == 0:
        return None, []          # the policy "Configure ASR rules" is disabled
    mode = None
    for name, value in (rules or {}).items():
        if name.strip("{}").upper() == rule:
            mode = _int(value)
    exclusions = _read(system, ASR_KEY + r"\ASROnlyExclusions")
    return mode, list(exclusions) if isinstance(exclusions, dict) else []


def _check_asr(system: System, key: str, rule: str, target: str, title: tuple[str, str]) -> Finding:
    if not system.windows:
        return _skipped(key, *title)
    p = paths(system)
    it = _it(key, p)
    state = _asr_state(system, rule)
    if isinstance(state, PermissionError):
        return Finding(key, WARN, *title,
                       f"Defender-ASR-politikken kunne ikke læses (kun for administratorer). Bed IT bekræfte reglen {rule}.",
                       f"The Defender ASR policy could not be read (administrators only). Ask IT to confirm rule {rule}.", it)
    mode, exclusions = state
    target_path = p.addin if target == "addin" else p.python
    excluded = [e for e in exclusions if _matches_exclusion(target_path, expand(e, system.env))]
    if mode == 1 and not excluded:
        return Finding(key, FAIL, *title, f"Reglen {rule} blokerer (gruppepolitik).",
                       f"Rule {rule} blocks (group policy).", it)
    if mode == 6 and not excluded:
        return Finding(key, WARN, *title, f"Reglen {rule} advarer brugeren (Warn) og blokerer, hvis advarslen ikke tilsidesættes.",
                       f"Rule {rule} warns the user (Warn) and blocks unless the warning is overridden.", it)
    da = {None: "ikke sat i gruppepolitik", 0: "slået fra", 1: "blokerer, men med undtagelse",
          2: "kun overvågning (Audit)", 6: "advarer, men med undtagelse"}.get(mode, f"værdi {mode}")
    en = {None: "not set by group policy", 0: "off", 1: "blocks, but with an exclusion",
          2: "audit only", 6: "warns, but with an exclusion"}.get(mode, f"value {mode}")
    note_da = " (regler sat med Intune/MDM kan ikke ses her)" if mode is None else ""
    note_en = " (rules set with Intune/MDM are not visible here)" if mode is None else ""
    return Finding(key, OK, *title, f"Reglen {rule}: {da}{note_da}.", f"Rule {rule}: {en}{note_en}.")


def _matches_exclusion(path: str, pattern: str) -> bool:
    path, pattern = ntpath.normcase(path), ntpath.normcase(pattern.rstrip("\\"))
    return fnmatch.fnmatchcase(path, pattern) or path.startswith(pattern + "\\") or path == pattern


def check_asr_win32(system: System) -> Finding:
    return _check_asr(system, "asr_win32", ASR_WIN32_API, "addin",
                      ("Defender ASR: Win32-kald fra Office-makroer", "Defender ASR: Win32 API calls from Office macros"))


def check_asr_child(system: System) -> Finding:
    return _check_asr(system, "asr_child", ASR_CHILD_PROCESSES, "python",
                      ("Defender ASR: Office må starte Python", "Defender ASR: Office may start Python"))


def applocker_rules(xml: str) -> list[tuple[str, str, list[str]]]:
    """(action, kind, conditions) of one AppLocker rule's XML: conditions are file paths for a
    FilePathRule and publisher names for a FilePublisherRule."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return []
    out = []
    for rule in root.iter():
        kind = rule.tag.rsplit("}", 1)[-1]
        if kind not in ("FilePathRule", "FilePublisherRule", "FileHashRule"):
            continue
        conds = [c.get("Path") or c.get("PublisherName") or "" for c in rule.iter()
                 if c.tag.rsplit("}", 1)[-1] in ("FilePathCondition", "FilePublisherCondition")]
        out.append((rule.get("Action", "Allow"), kind, conds))
    return out


def _applocker_path(pattern: str, env: Mapping[str, str]) -> str:
    """An AppLocker path pattern with its own variables turned into this PC's folders."""
    drive = env.get("SystemDrive", "C:")
    windir = env.get("windir", env.get("WINDIR", drive + "\\Windows"))
    fixed = {"%OSDRIVE%": drive, "%WINDIR%": windir, "%SYSTEM32%": windir + "\\System32",
             "%PROGRAMFILES%": env.get("ProgramFiles", drive + "\\Program Files")}
    for var, value in fixed.items():
        pattern = re.sub(re.escape(var), value.replace("\\", "\\\\"), pattern, flags=re.IGNORECASE)
    return pattern


def _allowed_by(rules: Sequence[tuple[str, str, list[str]]], path: str, env: Mapping[str, str]) -> str | None:
    """'allow', 'deny' or None for a file, by path rules (deny wins) or a Python publisher rule."""
    verdict = None
    for action, kind, conds in rules:
        if kind == "FilePathRule":
            hit = any(fnmatch.fnmatchcase(ntpath.normcase(path), ntpath.normcase(_applocker_path(c, env))) for c in conds)
        elif kind == "FilePublisherRule":
            hit = any(c == "*" or "PYTHON SOFTWARE FOUNDATION" in c.upper() for c in conds)
        else:
            hit = False
        if hit and action.lower() == "deny":
            return "deny"
        if hit:
            verdict = "allow"
    return verdict


def check_applocker(system: System) -> Finding:
    title = ("AppLocker tillader Python fra brugerprofilen", "AppLocker allows Python from the user profile")
    if not system.windows:
        return _skipped("applocker", *title)
    p = paths(system)
    it = _it("applocker", p)
    results = []
    dll = ntpath.join(p.venv, f"xlwings{office_bits(system)}-{system.xlwings_version}.dll")
    for collection, target in (("Exe", p.python), ("Dll", dll)):
        base = f"{APPLOCKER_KEY}\\{collection}"
        top, names = _read(system, base), _subkeys(system, base)
        if isinstance(top, PermissionError) or isinstance(names, PermissionError):
            return Finding("applocker", WARN, *title, "AppLocker-politikken kunne ikke læses.",
                           "The AppLocker policy could not be read.", it)
        if not names:
            continue
        mode = _int((top or {}).get("EnforcementMode"))
        if mode == 0:
            results.append((collection, "audit"))
            continue
        rules = []
        for name in names:
            values = _read(system, f"{base}\\{name}")
            if isinstance(values, dict):
                rules += applocker_rules(str(values.get("Value", "")))
        verdict = _allowed_by(rules, target, system.env)
        if verdict != "allow":
            return Finding("applocker", FAIL, *title,
                           f"AppLocker ({collection}-regler håndhæves) tillader ikke {target}.",
                           f"AppLocker ({collection} rules enforced) does not allow {target}.", it)
        results.append((collection, "allow"))
    if not results:
        return Finding("applocker", OK, *title, "Ingen AppLocker-regler for programmer.", "No AppLocker program rules.")
    return Finding("applocker", OK, *title,
                   "; ".join(f"{c}: {'kun overvågning' if r == 'audit' else 'tilladt'}" for c, r in results),
                   "; ".join(f"{c}: {'audit only' if r == 'audit' else 'allowed'}" for c, r in results))


def check_server(system: System) -> Finding:
    title = ("Funktionsserveren svarer på et testkald", "The function server answers a test call")
    p = paths(system)
    python = p.python if system.windows else ""
    ok, text = system.probe(python)
    if ok:
        return Finding("server", OK, *title, f"SP_GAP(5; 3) = {text}", f"SP_GAP(5; 3) = {text}")
    return Finding("server", FAIL, *title, f"Testkaldet fejlede: {text}", f"The test call failed: {text}",
                   _it("server", p) if system.windows else None)


CHECKS: tuple[Callable[[System], Finding], ...] = (
    check_python, check_dll, check_trusted_location, check_macros, check_asr_win32, check_asr_child,
    check_applocker, check_server,
)


def diagnose(system: System) -> list[Finding]:
    """Every check, in the order a user would fix them."""
    return [check(system) for check in CHECKS]


def all_ok(findings: Sequence[Finding]) -> bool:
    return all(f.status in (OK, SKIP) for f in findings)


def report_lines(findings: Sequence[Finding], windows: bool = True) -> list[str]:
    """The report as the terminal and the Diagnose message box show it."""
    lines = []
    for f in findings:
        status = i18n.pick(*_STATUS_TEXT[f.status])
        lines.append(f"{status}: {f.title}" + (f" – {f.detail}" if f.detail else ""))
        if f.it and f.status in (FAIL, WARN):
            lines.append("    " + i18n.pick("IT skal: ", "IT must: ") + i18n.pick(*f.it))
    if not windows:
        lines.append(i18n.pick("Windows-tjekkene (Excel, registreringsdatabasen, Defender, AppLocker) er "
                               "sprunget over: de gælder kun på Windows.",
                               "The Windows checks (Excel, registry, Defender, AppLocker) were skipped: "
                               "they apply on Windows only."))
    failed = sum(f.status == FAIL for f in findings)
    lines.append(i18n.pick(f"{failed} fejl." if failed else "Alt, hvad der kunne tjekkes, er i orden.",
                           f"{failed} failed." if failed else "Everything that could be checked is in order."))
    return lines


README_BEGIN = "<!-- sp-xl doctor: generated from sp_xl/checks/environment.py IT_TEXT -->"
README_END = "<!-- end of sp-xl doctor text -->"
_README_TITLES = {
    "python": "Python og sp_xl-miljøet", "dll": "xlwings' DLL i den rigtige version",
    "trusted": "Betroet placering", "macros": "Makroer", "asr_win32": "Defender ASR: Win32-kald fra Office-makroer",
    "asr_child": "Defender ASR: Office må starte Python", "applocker": "AppLocker", "server": "Funktionsserveren",
}


def readme_block() -> str:
    """The README's list of what IT must allow: the doctor's own Danish texts, with the
    paths install.ps1 uses (environment variables unexpanded)."""
    from importlib.metadata import version

    fill = {"python": VENV + r"\Scripts\pythonw.exe", "venv": VENV, "addin": XLSTART + "\\" + ADDIN_NAME,
            "dll": f"xlwings64-{version('xlwings')}.dll"}
    lines = [README_BEGIN]
    lines += [f"- **{_README_TITLES[key]}**: {da.format(**fill)}" for key, (da, _) in IT_TEXT.items()]
    lines.append(README_END)
    return "\n".join(lines)
