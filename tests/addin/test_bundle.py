"""The offline bundle: the wheel set is resolved for Windows (markers evaluated for win32),
pinned by constraints.txt, and holds pywin32 and the build backend; the zip is complete
and the build writes nothing into the source tree.

The resolver runs against a fake index here (no network needed); one test builds the real
sp_xl wheel, and `sp-xl bundle` was run against PyPI once by hand (see the report).
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from sp_xl.addin import bundle
from sp_xl.addin.bundle import BundleError, resolve

ROOT = Path(__file__).resolve().parents[2]


def make_wheel(folder: Path, name: str, version: str, requires=(), tag="py3-none-any") -> Path:
    dist = name.replace("-", "_")
    path = folder / f"{dist}-{version}-{tag}.whl"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{dist}-{version}.dist-info/METADATA", meta)
    return path


class FakeIndex:
    """name -> {version: requires}; ``fetch`` returns the newest version that fits."""

    def __init__(self, folder: Path, packages: dict[str, dict[str, list[str]]]):
        self.folder, self.packages, self.asked = folder, packages, []

    def fetch(self, spec: str) -> Path:
        from packaging.requirements import Requirement
        from packaging.version import Version

        self.asked.append(spec)
        req = Requirement(spec)
        versions = sorted((v for v in self.packages[req.name] if req.specifier.contains(v)), key=Version)
        if not versions:
            raise BundleError("ingen", f"no version of {spec}")
        v = versions[-1]
        return make_wheel(self.folder, req.name, v, self.packages[req.name][v], tag="cp312-cp312-win_amd64")


INDEX = {
    "xlwings": {"0.37.8": ['pywin32>=224; platform_system == "Windows"', 'psutil>=2.0; platform_system == "Darwin"',
                           'appscript>=1.0; platform_system == "Darwin"']},
    "pywin32": {"311": [], "312": []},
    "oletools": {"0.60.2": ["pcodedmp>=1.2.5", "olefile>=0.46"]},
    "pcodedmp": {"1.2.6": ['win-unicode-console; platform_system == "Windows" and '
                           'platform_python_implementation != "PyPy"', "oletools>=0.54"]},
    "win-unicode-console": {"0.5": []},
    "olefile": {"0.47": []},
    "pandas": {"3.1.1": ['numpy>=1.26', 'tzdata>=2022.7', 'pytest>=7; extra == "test"']},
    "numpy": {"2.4.6": [], "2.5.0": []},
    "tzdata": {"2026.6": []},
    "setuptools": {"84.2.1": []},
    "wheel": {"0.48.0": []},
    "psutil": {"6.0": []}, "appscript": {"1.3": []}, "pytest": {"9.0": []},
}


def test_markers_are_evaluated_for_windows_not_for_the_build_host(tmp_path):
    index = FakeIndex(tmp_path, INDEX)
    got = resolve(["xlwings==0.37.8", "oletools>=0.60", "pandas>=2.2"], index.fetch, {})
    assert "pywin32" in got.wheels and got.why["pywin32"] == "xlwings"          # Windows-only marker: in
    assert "win-unicode-console" in got.wheels                                 # pcodedmp's Windows dependency
    assert "psutil" not in got.wheels and "appscript" not in got.wheels        # macOS-only: out
    assert "pytest" not in got.wheels                                          # an extra nobody asked for
    assert got.versions["tzdata"] == "2026.6"


def test_constraints_pin_every_package_they_list(tmp_path):
    index = FakeIndex(tmp_path, INDEX)
    got = resolve(["pandas>=2.2", "pywin32"], index.fetch, {"numpy": "2.4.6", "pywin32": "311"})
    assert got.versions["numpy"] == "2.4.6" and got.versions["pywin32"] == "311"
    assert "numpy==2.4.6" in index.asked and "pywin32==311" in index.asked


def test_a_pin_the_requirement_excludes_is_refused(tmp_path):
    index = FakeIndex(tmp_path, INDEX)
    with pytest.raises(BundleError, match="constraints.txt låser numpy==1.20"):
        resolve(["numpy>=1.26"], index.fetch, {"numpy": "1.20"})


def test_an_extra_pulls_in_its_dependencies(tmp_path):
    index = FakeIndex(tmp_path, INDEX)
    assert "pytest" in resolve(["pandas[test]>=2.2"], index.fetch, {}).wheels


def test_the_real_requirements_give_pywin32_and_the_build_backend(tmp_path):
    deps, backend = bundle.project_requirements()
    assert ["setuptools>=77", "wheel"] == backend
    assert {"pywin32", "setuptools", "wheel"} <= set(bundle.ALWAYS)
    pins = bundle.read_pins((ROOT / "install" / "constraints.txt").read_text(encoding="utf-8"))
    assert pins["xlwings"] == "0.37.8" and pins["pywin32"]


def _fake_bundle(tmp_path, monkeypatch):
    names = ["xlwings", "openpyxl", "pandas", "numpy", "holidays", "pyarrow", "python-calamine", "pyopenvba",
             "oletools", "formulas", "lxml", "et-xmlfile", "python-dateutil", "six", "schedula"]
    index = dict(INDEX)
    for n in names:
        index.setdefault(n, {})
    pins = bundle.read_pins((ROOT / "install" / "constraints.txt").read_text(encoding="utf-8"))
    for n, v in pins.items():
        index.setdefault(n, {})[v] = index.get(n, {}).get(v, [])
    for n in names:
        index[n].setdefault("99.0", [])
    index["pandas"][pins["pandas"]] = ["numpy>=1.26", "tzdata>=2022.7"]
    index["xlwings"][pins["xlwings"]] = INDEX["xlwings"]["0.37.8"]
    wheels = tmp_path / "index"
    wheels.mkdir()
    fake = FakeIndex(wheels, index)
    own = make_wheel(tmp_path, "sp_xl", "0.1.0")
    exe = tmp_path / bundle.PYTHON_INSTALLER
    exe.write_bytes(b"MZ fake installer")
    out = tmp_path / "out" / "sp_xl-bundle.zip"
    manifest = bundle.build_bundle(out, fetch=fake.fetch, own_wheel=own, installer=exe, work=tmp_path / "work")
    return out, manifest


def test_the_zip_holds_wheels_python_addin_and_scripts_with_their_checksums(tmp_path, monkeypatch):
    out, manifest = _fake_bundle(tmp_path, monkeypatch)
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert names[0] == "sp_xl-bundle/manifest.json"
        assert json.loads(z.read(names[0])) == manifest
        for arc, digest in manifest["sha256"].items():
            assert hashlib.sha256(z.read("sp_xl-bundle/" + arc)).hexdigest() == digest
    wheels = [n.rsplit("/", 1)[1] for n in names if n.startswith("sp_xl-bundle/wheels/")]
    for pkg in ("pywin32-", "setuptools-", "wheel-", "xlwings-", "tzdata-", "sp_xl-0.1.0-"):
        assert any(w.startswith(pkg) for w in wheels), pkg
    for f in ("install/install.ps1", "install/uninstall.ps1", "install/sp_xl.xlam", "install/constraints.txt",
              f"python/{bundle.PYTHON_INSTALLER}", "selvtjek.xlsx", "LAESMIG.txt"):
        assert "sp_xl-bundle/" + f in names
    assert manifest["platform"] == "win_amd64" and manifest["python"] == bundle.PYTHON_VERSION
    with zipfile.ZipFile(out) as z:
        readme = z.read("sp_xl-bundle/LAESMIG.txt").decode("utf-8-sig")
    assert "install.ps1" in readme and "92E97FA1-2EDF-4476-BDD6-9DD0B4DDDC7B" in readme and "\r\n" in readme


def test_a_python_installer_of_another_version_is_refused(tmp_path):
    other = tmp_path / "python-3.13.0-amd64.exe"
    other.write_bytes(b"x")
    with pytest.raises(BundleError, match="en anden version"):
        bundle.python_installer(other, tmp_path)


def _tree_state() -> list[str]:
    """What git sees in the checkout, ignored files included (bytecode caches aside)."""
    out = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=ROOT, capture_output=True,
                         text=True).stdout
    return [line for line in out.splitlines() if "__pycache__" not in line and ".pytest_cache" not in line]


def test_sp_xls_wheel_is_built_without_touching_the_source_tree(tmp_path):
    before = _tree_state()
    started = time.time()
    try:
        wheel = bundle.build_own_wheel(tmp_path)
    except BundleError as exc:   # pip needs setuptools from an index for its isolated build
        pytest.skip(f"no package index reachable to build the wheel: {exc}")
    assert _tree_state() == before          # no build/ or *.egg-info appeared (an editable install has its own)
    eggs = [p.stat().st_mtime for p in ROOT.glob("*.egg-info")]
    assert all(m < started for m in eggs)
    with zipfile.ZipFile(wheel) as z:
        assert "sp_xl/addin/vba/SpRibbon.bas" in z.namelist()
        assert "sp_xl/addin/ribbon.xml" in z.namelist()


def test_the_command_line_reports_a_failure_in_danish(tmp_path, capsys):
    import argparse

    args = argparse.Namespace(output=str(tmp_path / "x.tar"), python_installer=None)
    assert bundle.run_cli(args) == 1
    assert capsys.readouterr().err.startswith("FEJL: Pakken skal have endelsen .zip")
