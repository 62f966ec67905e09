"""The doctor's checks, each condition faked: environment, files, registry, DLL, test call."""

from __future__ import annotations

import pytest

from sp_xl import i18n
from sp_xl.checks import environment as env
from sp_xl.checks.environment import FAIL, OK, SKIP, WARN, System

USER = {"LOCALAPPDATA": r"C:\Users\Søren Ærø\AppData\Local", "APPDATA": r"C:\Users\Søren Ærø\AppData\Roaming",
        "USERPROFILE": r"C:\Users\Søren Ærø", "SystemDrive": "C:", "windir": r"C:\Windows"}
VENV = r"C:\Users\Søren Ærø\AppData\Local\sp_xl\venv"
PYTHONW = VENV + r"\Scripts\pythonw.exe"
CONF = r"C:\Users\Søren Ærø\.sp_xl\sp_xl.conf"
XLSTART = r"C:\Users\Søren Ærø\AppData\Roaming\Microsoft\Excel\XLSTART"
ADDIN = XLSTART + r"\sp_xl.xlam"
DLL = VENV + r"\xlwings64-0.37.8.dll"
TRUSTED = r"HKCU\Software\Microsoft\Office\16.0\Excel\Security\Trusted Locations"
ASR = env.ASR_KEY


class FakeRegistry:
    """Keys -> values; subkeys follow from the paths; some keys refuse to be read."""

    def __init__(self, keys: dict[str, dict[str, object]], denied: tuple[str, ...] = ()):
        self.keys = {k.lower(): v for k, v in keys.items()}
        self.denied = tuple(d.lower() for d in denied)

    def _guard(self, path: str) -> str:
        low = path.lower()
        if any(low == d or low.startswith(d + "\\") for d in self.denied):
            raise PermissionError(path)
        return low

    def values(self, path: str) -> dict[str, object]:
        low = self._guard(path)
        if low in self.keys:
            return dict(self.keys[low])
        if any(k.startswith(low + "\\") for k in self.keys):
            return {}
        raise FileNotFoundError(path)

    def subkeys(self, path: str) -> list[str]:
        low = self._guard(path)
        subs = sorted({k[len(low) + 1:].split("\\")[0] for k in self.keys if k.startswith(low + "\\")})
        if not subs and low not in self.keys:
            raise FileNotFoundError(path)
        return subs


def healthy_registry(**extra) -> dict[str, dict[str, object]]:
    keys = {
        TRUSTED + r"\Location2": {"Path": r"%APPDATA%\Microsoft\Excel\XLSTART", "AllowSubfolders": 1},
        r"HKCU\Software\Microsoft\Office\16.0\Excel\Security": {"VBAWarnings": 2},
        r"HKLM\SOFTWARE\Microsoft\Office\ClickToRun\Configuration": {"Platform": "x64"},
    }
    keys.update(extra)
    return keys


def system(files=(PYTHONW, CONF, ADDIN, DLL), keys=None, denied=(), conf=None, load_error=None,
           probe=(True, "2"), windows=True, environ=None) -> System:
    files = set(files)
    texts = {CONF: conf if conf is not None else '"INTERPRETER_WIN","%LOCALAPPDATA%\\sp_xl\\venv\\Scripts\\pythonw.exe"\n'
                                                  '"UDF MODULES","sp_xl.udfs"\n'}

    def listdir(folder):
        return [f.rsplit("\\", 1)[1] for f in files if f.rsplit("\\", 1)[0].lower() == folder.lower()]

    return System(windows=windows, env=environ or USER, exists=lambda p: p in files, listdir=listdir,
                  read_text=lambda p: texts.get(p) if p in files else None,
                  registry=FakeRegistry(healthy_registry() if keys is None else keys, denied),
                  load_dll=lambda p: load_error, probe=lambda python: probe, xlwings_version="0.37.8")


def by_key(findings):
    return {f.key: f for f in findings}


def test_a_healthy_pc_passes_every_check_with_a_profile_path_with_aeoeaa_and_a_space():
    findings = env.diagnose(system())
    assert [(f.key, f.status) for f in findings] == [
        ("python", OK), ("dll", OK), ("trusted", OK), ("macros", OK), ("asr_win32", OK), ("asr_child", OK),
        ("applocker", OK), ("server", OK)]
    assert env.all_ok(findings)
    lines = env.report_lines(findings)
    assert lines[0] == f"OK: Python og sp_xl-miljøet – Fundet: {PYTHONW}"
    assert lines[-1] == "Alt, hvad der kunne tjekkes, er i orden."


def test_not_installed_says_run_the_installer():
    f = env.check_python(system(files=(ADDIN,)))
    assert f.status == FAIL and CONF in f.detail_da
    assert "install.ps1" in f.it[0]


def test_a_venv_that_is_gone_fails():
    f = env.check_python(system(files=(CONF, ADDIN)))
    assert f.status == FAIL and f.detail_da == f"Python-miljøet findes ikke: {PYTHONW}."


def test_only_exactly_the_declared_dll_version_counts():
    other = VENV + r"\xlwings64-0.30.0.dll"
    f = env.check_dll(system(files=(PYTHONW, CONF, ADDIN, other)))
    assert f.status == FAIL
    assert "xlwings64-0.37.8.dll mangler" in f.detail_da and "xlwings64-0.30.0.dll" in f.detail_da
    assert "xlwings64-0.37.8.dll" in f.it[0]


def test_32_bit_office_needs_the_32_bit_dll():
    keys = healthy_registry(**{r"HKLM\SOFTWARE\Microsoft\Office\ClickToRun\Configuration": {"Platform": "x86"}})
    f = env.check_dll(system(keys=keys))
    assert f.status == FAIL and "xlwings32-0.37.8.dll mangler" in f.detail_da
    assert env.check_dll(system(keys=keys, files=(PYTHONW, CONF, ADDIN, VENV + r"\xlwings32-0.37.8.dll"))).status == OK


@pytest.mark.parametrize("key,value,bits", [
    (r"HKLM\SOFTWARE\Microsoft\Office\ClickToRun\Configuration", {"Platform": "x86"}, 32),
    (r"HKLM\SOFTWARE\Microsoft\Office\16.0\Outlook", {"Bitness": "x86"}, 32),          # MSI Office
    (r"HKLM\SOFTWARE\WOW6432Node\Microsoft\Office\16.0\Outlook", {"Bitness": "x86"}, 32),
    (r"HKLM\SOFTWARE\Microsoft\Office\16.0\Outlook", {"Bitness": "x64"}, 64),
    (r"HKLM\SOFTWARE\Microsoft\Office\16.0\Excel", {}, 64),                            # nothing recorded
])
def test_office_bitness_from_click_to_run_or_the_msi_keys(key, value, bits):
    keys = {k: v for k, v in healthy_registry().items() if "ClickToRun" not in k}
    keys[key] = value
    assert env.office_bits(system(keys=keys)) == bits


def test_a_dll_that_is_blocked_from_loading_fails_with_the_reason():
    f = env.check_dll(system(load_error="[WinError 1260] This program is blocked by group policy"))
    assert f.status == FAIL and "WinError 1260" in f.detail_da and "AppLocker" in f.it[0]
    other = env.check_dll(system(load_error="[WinError 126] The specified module could not be found"))
    assert other.status == WARN and "WinError 126]" in other.detail_da


def test_an_addin_outside_every_trusted_location_fails():
    keys = healthy_registry()
    del keys[TRUSTED + r"\Location2"]
    keys[TRUSTED + r"\Location0"] = {"Path": r"C:\Program Files\Microsoft Office\root\Office16\XLSTART\\"}
    f = env.check_trusted_location(system(keys=keys))
    assert f.status == FAIL and f.detail_da == f"{XLSTART} er ikke en betroet placering."
    assert "betroet placering" in f.it[0] and ADDIN in f.it[0]


def test_a_redirected_appdata_on_the_network_needs_the_network_policy():
    unc = {**USER, "APPDATA": r"\\fil01\profiler$\søren\AppData\Roaming"}
    addin = r"\\fil01\profiler$\søren\AppData\Roaming\Microsoft\Excel\XLSTART\sp_xl.xlam"
    f = env.check_trusted_location(system(environ=unc, files=(PYTHONW, CONF, addin, DLL)))
    assert f.status == FAIL and "netværksdrev" in f.detail_da
    keys = healthy_registry(**{TRUSTED: {"AllowNetworkLocations": 1}})
    assert env.check_trusted_location(system(environ=unc, keys=keys, files=(PYTHONW, CONF, addin, DLL))).status == OK


def test_all_trusted_locations_disabled_by_policy_fails():
    keys = healthy_registry(**{r"HKCU\Software\Policies\Microsoft\Office\16.0\Excel\Security\Trusted Locations":
                               {"AllLocationsDisabled": 1}})
    assert env.check_trusted_location(system(keys=keys)).status == FAIL


def test_unreadable_trusted_locations_warn_instead_of_guessing():
    f = env.check_trusted_location(system(keys={}, denied=("HKCU",)))
    assert f.status == WARN


def test_vba_turned_off_or_signed_add_ins_required_fail():
    off = healthy_registry(**{r"HKLM\Software\Policies\Microsoft\Office\16.0\Common": {"VBAOFF": 1}})
    assert env.check_macros(system(keys=off)).status == FAIL
    signed = healthy_registry(**{r"HKCU\Software\Policies\Microsoft\Office\16.0\Excel\Security":
                                 {"RequireAddinSig": 1, "VBAWarnings": 3}})
    f = env.check_macros(system(keys=signed))
    assert f.status == FAIL and "signeret" in f.detail_da


def test_the_macro_setting_is_reported_policy_first():
    keys = healthy_registry(**{r"HKCU\Software\Policies\Microsoft\Office\16.0\Excel\Security": {"VBAWarnings": 4}})
    f = env.check_macros(system(keys=keys))
    assert f.status == OK and f.detail_da.startswith("Makroindstilling (politik): deaktiveret uden meddelelse.")


@pytest.mark.parametrize(("rule", "check", "key"), [
    (env.ASR_WIN32_API, env.check_asr_win32, "asr_win32"),
    (env.ASR_CHILD_PROCESSES, env.check_asr_child, "asr_child"),
])
def test_a_blocking_asr_rule_fails_and_names_the_rule_for_it(rule, check, key):
    keys = healthy_registry(**{ASR: {"ExploitGuard_ASR_Rules": 1}, ASR + r"\Rules": {rule.lower(): "1"}})
    f = check(system(keys=keys))
    assert f.status == FAIL and rule in f.detail_da
    assert rule in f.it[0] and "Audit" in f.it[0]
    audit = healthy_registry(**{ASR: {"ExploitGuard_ASR_Rules": 1}, ASR + r"\Rules": {rule: "2"}})
    assert check(system(keys=audit)).status == OK
    warn = healthy_registry(**{ASR: {"ExploitGuard_ASR_Rules": 1}, ASR + r"\Rules": {rule: "6"}})
    assert check(system(keys=warn)).status == WARN


def test_an_asr_exclusion_for_the_python_folder_lets_python_start():
    keys = healthy_registry(**{ASR: {"ExploitGuard_ASR_Rules": 1}, ASR + r"\Rules": {env.ASR_CHILD_PROCESSES: "1"},
                               ASR + r"\ASROnlyExclusions": {r"%LOCALAPPDATA%\sp_xl\venv\Scripts\*": "0"}})
    assert env.check_asr_child(system(keys=keys)).status == OK
    assert env.check_asr_win32(system(keys=keys)).status == OK


def test_an_unreadable_defender_policy_is_a_warning_for_it_to_confirm():
    f = env.check_asr_win32(system(denied=(ASR,)))
    assert f.status == WARN and "kunne ikke læses" in f.detail_da


APPLOCKER_DEFAULT = (
    '<FilePathRule Id="a61c8b2c" Name="(Default Rule) All files located in the Program Files folder" '
    'UserOrGroupSid="S-1-1-0" Action="Allow"><Conditions><FilePathCondition Path="%PROGRAMFILES%\\*"/>'
    '</Conditions></FilePathRule>')
APPLOCKER_WINDOWS = (
    '<FilePathRule Id="921cc481" Name="(Default Rule) All files located in the Windows folder" '
    'UserOrGroupSid="S-1-1-0" Action="Allow"><Conditions><FilePathCondition Path="%WINDIR%\\*"/>'
    '</Conditions></FilePathRule>')
APPLOCKER_SP_XL = (
    '<FilePathRule Id="5b2e" Name="sp_xl" UserOrGroupSid="S-1-1-0" Action="Allow"><Conditions>'
    '<FilePathCondition Path="%OSDRIVE%\\Users\\*\\AppData\\Local\\sp_xl\\venv\\*"/></Conditions></FilePathRule>')


def applocker(*rules, mode=1, collection="Exe"):
    base = env.APPLOCKER_KEY + "\\" + collection
    keys = {base: {"EnforcementMode": mode}}
    keys.update({f"{base}\\rule{i}": {"Value": r} for i, r in enumerate(rules)})
    return keys


def test_applocker_default_rules_block_python_in_the_profile():
    f = env.check_applocker(system(keys=healthy_registry(**applocker(APPLOCKER_DEFAULT, APPLOCKER_WINDOWS))))
    assert f.status == FAIL and PYTHONW in f.detail_da and PYTHONW in f.it[0]


def test_an_applocker_path_rule_for_the_venv_allows_it():
    keys = healthy_registry(**applocker(APPLOCKER_DEFAULT, APPLOCKER_WINDOWS, APPLOCKER_SP_XL))
    assert env.check_applocker(system(keys=keys)).status == OK


def test_applocker_in_audit_mode_or_absent_is_fine_and_unreadable_warns():
    assert env.check_applocker(system(keys=healthy_registry(**applocker(APPLOCKER_DEFAULT, mode=0)))).status == OK
    assert env.check_applocker(system()).status == OK
    assert env.check_applocker(system(denied=(env.APPLOCKER_KEY,))).status == WARN


def test_a_deny_rule_wins_over_an_allow_rule():
    deny = APPLOCKER_SP_XL.replace('Action="Allow"', 'Action="Deny"').replace('Id="5b2e"', 'Id="d"')
    keys = healthy_registry(**applocker(APPLOCKER_SP_XL, deny))
    assert env.check_applocker(system(keys=keys)).status == FAIL


def test_enforced_dll_rules_must_allow_the_venvs_dlls():
    keys = healthy_registry(**applocker(APPLOCKER_SP_XL), **applocker(APPLOCKER_WINDOWS, collection="Dll"))
    f = env.check_applocker(system(keys=keys))
    assert f.status == FAIL and f.detail_da.endswith(f"tillader ikke {DLL}.")
    keys = healthy_registry(**applocker(APPLOCKER_SP_XL), **applocker(APPLOCKER_SP_XL, collection="Dll"))
    assert env.check_applocker(system(keys=keys)).status == OK


def test_a_function_server_that_does_not_answer_fails_with_its_last_line():
    f = env.check_server(system(probe=(False, "ModuleNotFoundError: No module named 'pythoncom'")))
    assert f.status == FAIL and "pythoncom" in f.detail_da and PYTHONW in f.it[0]


def test_on_linux_the_windows_checks_are_skipped_and_said_to_be():
    findings = env.diagnose(system(windows=False))
    assert [f.status for f in findings[:-1]] == [SKIP] * 7 and findings[-1].status == OK
    lines = env.report_lines(findings, windows=False)
    assert any("sprunget over" in line for line in lines)


def test_english_on_request():
    with i18n.use_language("en"):
        lines = env.report_lines(env.diagnose(system(files=(ADDIN,))))
    assert lines[0].startswith("FAIL: Python and the sp_xl environment")
    assert lines[1].startswith("    IT must: Run install\\install.ps1")


def test_every_failure_line_is_followed_by_what_it_must_allow():
    keys = healthy_registry(**{ASR: {}, ASR + r"\Rules": {env.ASR_WIN32_API: "1", env.ASR_CHILD_PROCESSES: "1"}},
                            **applocker(APPLOCKER_DEFAULT))
    findings = env.diagnose(system(keys=keys, files=(CONF, ADDIN), probe=(False, "x")))
    lines = env.report_lines(findings)
    fails = [i for i, line in enumerate(lines) if line.startswith("FEJL")]
    assert len(fails) >= 5
    for i in fails:
        assert lines[i + 1].startswith("    IT skal: ")
