"""`sp-xl bundle`: the offline installation package for IT, built on any OS.

The zip holds everything ``install\\install.ps1 -Bundle PATH`` needs on a PC without network:

* ``wheels/``: sp_xl's own wheel and every dependency as a Windows wheel (win_amd64,
  CPython 3.12), pywin32 and the build backend (setuptools, wheel) included;
* ``python/``: the pinned Python installer from python.org;
* ``install/``: install.ps1, uninstall.ps1, sp_xl.xlam, constraints.txt, CHECKLIST.md;
* ``selvtjek.xlsx``: the self-check workbook of the acceptance test;
* ``LAESMIG.txt``: the steps for IT and what the PCs must allow (the doctor's texts);
* ``manifest.json``: versions and the SHA-256 of every file (install.ps1 verifies them).

Dependencies are resolved for Windows, not for the build host: ``pip download --platform``
picks Windows wheels but still evaluates environment markers (``pywin32; platform_system ==
"Windows"``) for the machine it runs on, so a plain ``pip download`` on Linux leaves pywin32
out. ``resolve`` therefore walks the dependency tree itself, evaluating every marker for
``TARGET`` and pinning each package to install/constraints.txt where it is listed; pip only
fetches single wheels (``--no-deps``). The fetcher is a parameter, so the resolver is tested
against a fake index.

sp_xl's wheel is built from a copy of the sources in a temporary folder: the build never
writes build/ or *.egg-info into the source tree.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.request
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.parser import Parser
from pathlib import Path

from sp_xl import __version__, i18n

ROOT = Path(__file__).resolve().parents[2]
INSTALL = ROOT / "install"
PYTHON_VERSION = "3.12.7"
PYTHON_INSTALLER = f"python-{PYTHON_VERSION}-amd64.exe"
PYTHON_URL = f"https://www.python.org/ftp/python/{PYTHON_VERSION}/{PYTHON_INSTALLER}"
# The environment of the PCs the bundle is for, as PEP 508 markers see it.
TARGET = {
    "os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64",
    "platform_release": "10", "platform_version": "10.0.19045", "python_version": "3.12",
    "python_full_version": PYTHON_VERSION, "implementation_name": "cpython",
    "platform_python_implementation": "CPython", "implementation_version": PYTHON_VERSION,
}
PIP_TARGET = ["--platform", "win_amd64", "--python-version", "3.12", "--implementation", "cp",
              "--abi", "cp312", "--only-binary=:all:"]
# What every bundle must hold beyond sp_xl's declared dependencies: the function server
# needs pywin32 on Windows (xlwings declares it with a Windows-only marker), and pip needs
# the build backend when it installs from a source folder (install.ps1 without -Bundle).
ALWAYS = ("pywin32", "setuptools", "wheel")
INSTALL_FILES = ("install.ps1", "uninstall.ps1", "sp_xl.xlam", "constraints.txt", "CHECKLIST.md")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class BundleError(Exception):
    """The bundle could not be built; the message is Danish (English via i18n)."""

    def __init__(self, da: str, en: str):
        super().__init__(en)
        self.reason_da, self.reason_en = da, en

    def __str__(self) -> str:
        return i18n.pick(self.reason_da, self.reason_en)


def _packaging():
    try:
        from packaging.requirements import Requirement
        from packaging.utils import canonicalize_name
    except ImportError:  # pragma: no cover - pip vendors it
        from pip._vendor.packaging.requirements import Requirement
        from pip._vendor.packaging.utils import canonicalize_name
    return Requirement, canonicalize_name


def read_pins(text: str) -> dict[str, str]:
    """name -> exact version from a constraints file (lines ``name==version``)."""
    _, canon = _packaging()
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*==\s*([^\s;]+)", line)
        if m:
            pins[canon(m.group(1))] = m.group(2)
    return pins


def wheel_metadata(path: Path) -> tuple[str, str, list[str]]:
    """(name, version, Requires-Dist lines) of a wheel."""
    with zipfile.ZipFile(path) as z:
        meta = next(n for n in z.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
        msg = Parser().parsestr(z.read(meta).decode("utf-8"))
    return msg["Name"], msg["Version"], msg.get_all("Requires-Dist") or []


@dataclass
class Resolution:
    wheels: dict[str, Path] = field(default_factory=dict)       # canonical name -> wheel file
    versions: dict[str, str] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)           # canonical name -> who asked for it


def _applies(req, extras: Iterable[str]) -> bool:
    if req.marker is None:
        return True
    envs = [dict(TARGET, extra=e) for e in (list(extras) or [""])]
    return any(req.marker.evaluate(env) for env in envs)


def resolve(roots: Iterable[str], fetch: Callable[[str], Path], pins: dict[str, str]) -> Resolution:
    """Every wheel the roots need on ``TARGET``: markers evaluated for Windows, versions
    pinned by ``pins`` where listed. ``fetch("name==1.0" or "name>=2")`` returns one wheel."""
    Requirement, canon = _packaging()
    out = Resolution()
    todo: list[tuple[str, str]] = [(r, "sp_xl") for r in roots]
    extras_seen: dict[str, set[str]] = {}
    while todo:
        text, parent = todo.pop(0)
        req = Requirement(text)
        if not _applies(req, extras_seen.get(canon(parent), set())):
            continue
        name = canon(req.name)
        if name in out.wheels:
            if req.specifier and not req.specifier.contains(out.versions[name], prereleases=True):
                raise BundleError(
                    f"Versionskonflikt: {parent} kræver {text}, men {name} {out.versions[name]} er valgt.",
                    f"Version conflict: {parent} requires {text}, but {name} {out.versions[name]} was chosen.")
            new_extras = set(req.extras) - extras_seen.setdefault(name, set())
            if not new_extras:
                continue
            extras_seen[name] |= new_extras
            _, _, requires = wheel_metadata(out.wheels[name])
            todo += [(r, name) for r in requires]
            continue
        pin = pins.get(name)
        if pin is not None and req.specifier and not req.specifier.contains(pin, prereleases=True):
            raise BundleError(f"{parent} kræver {text}, men constraints.txt låser {name}=={pin}.",
                              f"{parent} requires {text}, but constraints.txt pins {name}=={pin}.")
        wheel = fetch(f"{req.name}=={pin}" if pin else f"{req.name}{req.specifier}")
        _, version, requires = wheel_metadata(wheel)
        out.wheels[name], out.versions[name], out.why[name] = wheel, version, parent
        extras_seen[name] = set(req.extras)
        todo += [(r, name) for r in requires]
    return out


def pip_fetcher(dest: Path, python: str = sys.executable) -> Callable[[str], Path]:
    """A ``fetch`` that asks pip for one Windows wheel (no dependencies) into ``dest``.

    A package published only as source (win-unicode-console, which pcodedmp needs on
    Windows) is built into a wheel here; it is accepted only when that wheel is pure Python
    (``none-any``), so it installs on Windows as it is.
    """
    dest.mkdir(parents=True, exist_ok=True)

    def pip(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([python, "-m", "pip", *args, "--disable-pip-version-check", "-q"],  # noqa: S603
                              capture_output=True, text=True)

    def fetch(spec: str) -> Path:
        before = set(dest.glob("*.whl"))
        done = pip("download", "--no-deps", *PIP_TARGET, "-d", str(dest), spec)
        if done.returncode != 0:
            built = _pure_wheel_from_source(pip, spec, dest)
            if built is not None:
                return built
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            raise BundleError(f"pip kunne ikke hente en Windows-wheel for {spec}: {last}",
                              f"pip could not fetch a Windows wheel for {spec}: {last}")
        new = set(dest.glob("*.whl")) - before
        if new:
            return new.pop()
        found = _existing_wheel(dest, spec)
        if found is None:
            raise BundleError(f"pip hentede ingen wheel for {spec}.", f"pip fetched no wheel for {spec}.")
        return found

    return fetch


def _existing_wheel(dest: Path, spec: str) -> Path | None:
    """A wheel for ``spec`` already in ``dest`` (pip downloads nothing it already has)."""
    Requirement, canon = _packaging()
    req = Requirement(spec)
    for w in sorted(dest.glob("*.whl")):
        name, version = w.name.split("-")[:2]
        if canon(name) == canon(req.name) and req.specifier.contains(version, prereleases=True):
            return w
    return None


def _pure_wheel_from_source(pip, spec: str, dest: Path) -> Path | None:
    """Build a wheel from the package's source release; None unless it is pure Python."""
    with tempfile.TemporaryDirectory(prefix="sp_xl_sdist_") as tmp:
        if pip("download", "--no-deps", "--no-binary=:all:", "-d", tmp, spec).returncode != 0:
            return None
        sdists = [p for p in Path(tmp).iterdir() if p.suffix in (".gz", ".zip", ".bz2")]
        if not sdists or pip("wheel", "--no-deps", "-w", tmp, str(sdists[0])).returncode != 0:
            return None
        wheels = [w for w in Path(tmp).glob("*.whl") if w.name.endswith("-none-any.whl")]
        if not wheels:
            return None
        target = dest / wheels[0].name
        shutil.copy2(wheels[0], target)
        return target


def project_requirements(root: Path = ROOT) -> tuple[list[str], list[str]]:
    """(sp_xl's dependencies, its build backend's requirements) from pyproject.toml."""
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return list(data["project"]["dependencies"]), list(data["build-system"]["requires"])


def build_own_wheel(dest: Path, root: Path = ROOT, python: str = sys.executable) -> Path:
    """sp_xl's wheel, built from a copy of the sources (the source tree stays untouched)."""
    with tempfile.TemporaryDirectory(prefix="sp_xl_src_") as tmp:
        src = Path(tmp) / "sp_xl"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(root / name, src / name)
        shutil.copytree(root / "sp_xl", src / "sp_xl", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        done = subprocess.run([python, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q",  # noqa: S603
                               "-w", str(dest), str(src)], capture_output=True, text=True)
        if done.returncode != 0:
            raise BundleError(f"sp_xl-wheelen kunne ikke bygges: {done.stderr.strip()[-400:]}",
                              f"The sp_xl wheel could not be built: {done.stderr.strip()[-400:]}")
    wheels = sorted(dest.glob(f"sp_xl-{__version__}-*.whl"))
    if not wheels:
        raise BundleError("pip byggede ingen sp_xl-wheel.", "pip built no sp_xl wheel.")
    return wheels[-1]


def python_installer(given: str | os.PathLike | None, cache: Path) -> Path:
    """The pinned Python installer: the file IT gave, else downloaded from python.org."""
    if given:
        path = Path(given)
        if not path.is_file():
            raise BundleError(f"Python-installationsfilen findes ikke: {path}", f"The Python installer does not exist: {path}")
        if path.name != PYTHON_INSTALLER:
            raise BundleError(f"Pakken bruger {PYTHON_INSTALLER}; {path.name} er en anden version.",
                              f"The bundle uses {PYTHON_INSTALLER}; {path.name} is another version.")
        return path
    target = cache / PYTHON_INSTALLER
    try:
        with urllib.request.urlopen(PYTHON_URL, timeout=60) as r, open(target, "wb") as f:  # noqa: S310 - fixed https URL
            shutil.copyfileobj(r, f)
    except OSError as exc:
        raise BundleError(
            f"{PYTHON_INSTALLER} kunne ikke hentes fra python.org ({exc}). Hent den på en pc med netværk, og giv "
            "den med --python-installer FIL.",
            f"{PYTHON_INSTALLER} could not be downloaded from python.org ({exc}). Fetch it on a PC with network "
            "access and pass it with --python-installer FILE.") from None
    return target


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def it_readme() -> str:
    """LAESMIG.txt for IT: how to install from the bundle, and what the PCs must allow (the
    same texts as `sp-xl doctor` and README)."""
    from sp_xl.checks.environment import readme_block

    rules = [line for line in readme_block().splitlines() if line.startswith("- ")]
    return "\n".join([
        f"SP Rapport (sp_xl {__version__}) - offline-installation",
        "",
        "1. Pak zip-filen ud (fx til C:\\Temp). Mappen sp_xl-bundle må gerne være skrivebeskyttet.",
        "2. Luk Excel. Kør som brugeren (ingen administratorrettigheder):",
        "   powershell -ExecutionPolicy Bypass -File sp_xl-bundle\\install\\install.ps1",
        "   Scriptet installerer uden netværk og skriver intet i pakken.",
        "3. Start Excel: fanen SP Rapport. Knappen Diagnose (eller sp-xl doctor) viser, om alt er tilladt.",
        "4. Test: se install\\CHECKLIST.md og åbn selvtjek.xlsx (alle linjer OK).",
        "",
        "Det skal IT tillade:",
        *[line.replace("**", "") for line in rules],
        "",
    ])


def write_zip(out: Path, files: dict[str, Path], manifest: dict) -> None:
    """The bundle: fixed order and timestamps, manifest.json first."""
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("sp_xl-bundle/manifest.json", date_time=_FIXED_TIME)
        z.writestr(info, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        for arc in sorted(files):
            info = zipfile.ZipInfo(f"sp_xl-bundle/{arc}", date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, files[arc].read_bytes())
    os.replace(tmp, out)


def build_bundle(out: str | os.PathLike, *, python_installer_path: str | None = None,
                 fetch: Callable[[str], Path] | None = None, work: Path | None = None,
                 own_wheel: Path | None = None, installer: Path | None = None) -> dict:
    """Build the zip at ``out``; returns its manifest. ``fetch``, ``own_wheel`` and
    ``installer`` replace pip, the wheel build and python.org (for tests)."""
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise BundleError(f"Pakken skal have endelsen .zip, ikke {out.name!r}.", f"The bundle must end in .zip, not {out.name!r}.")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sp_xl_bundle_") as tmp:
        work = work or Path(tmp)
        wheel_dir = work / "wheels"
        wheel_dir.mkdir(parents=True, exist_ok=True)
        own = own_wheel or build_own_wheel(work / "own")
        deps, backend = project_requirements()
        pins = read_pins((INSTALL / "constraints.txt").read_text(encoding="utf-8"))
        resolution = resolve([*deps, *ALWAYS, *backend], fetch or pip_fetcher(wheel_dir), pins)
        missing = [n for n in ALWAYS if n not in resolution.wheels]
        if missing:
            raise BundleError(f"Pakken mangler {', '.join(missing)}.", f"The bundle lacks {', '.join(missing)}.")
        exe = installer or python_installer(python_installer_path, work)
        files = {f"wheels/{w.name}": w for w in resolution.wheels.values()}
        files[f"wheels/{own.name}"] = own
        files[f"python/{exe.name}"] = exe
        for name in INSTALL_FILES:
            files[f"install/{name}"] = INSTALL / name
        from sp_xl.master.selfcheck import build_selfcheck

        files["selvtjek.xlsx"] = build_selfcheck(work / "selvtjek.xlsx")   # CHECKLIST.md step 19b
        readme = work / "LAESMIG.txt"
        readme.write_text(it_readme(), encoding="utf-8-sig", newline="\r\n")
        files["LAESMIG.txt"] = readme
        manifest = {
            "sp_xl": __version__, "python": PYTHON_VERSION, "platform": "win_amd64",
            "python_installer": f"python/{exe.name}", "sp_xl_wheel": f"wheels/{own.name}",
            "packages": dict(sorted(resolution.versions.items())),
            "sha256": {arc: sha256(path) for arc, path in sorted(files.items())},
        }
        write_zip(out, files, manifest)
    return manifest


def add_arguments(parser) -> None:
    parser.add_argument("-o", "--output", default="out/sp_xl-bundle.zip", metavar=i18n.pick("ZIP", "ZIP"),
                        help=i18n.pick("hvor pakken skrives (standard: out/sp_xl-bundle.zip)",
                                       "where to write the bundle (default: out/sp_xl-bundle.zip)"))
    parser.add_argument("--python-installer", default=None, metavar=i18n.pick("FIL", "FILE"),
                        help=i18n.pick(f"{PYTHON_INSTALLER}, hvis python.org ikke kan nås herfra",
                                       f"{PYTHON_INSTALLER}, if python.org cannot be reached from here"))


def run_cli(args, stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        manifest = build_bundle(args.output, python_installer_path=args.python_installer)
    except BundleError as exc:
        print(i18n.pick("FEJL: ", "ERROR: ") + str(exc), file=stderr)
        return 1
    print(i18n.pick(f"Skrevet: {args.output} ({len(manifest['packages'])} pakker til Windows 64-bit, Python "
                    f"{manifest['python']})",
                    f"Written: {args.output} ({len(manifest['packages'])} packages for Windows 64-bit, Python "
                    f"{manifest['python']})"), file=stdout)
    print(i18n.pick("Installér på pc'en: pak zip-filen ud, og kør "
                    "powershell -ExecutionPolicy Bypass -File install\\install.ps1 -Bundle <mappen>",
                    "Install on the PC: unzip, then run "
                    "powershell -ExecutionPolicy Bypass -File install\\install.ps1 -Bundle <folder>"), file=stdout)
    return 0
