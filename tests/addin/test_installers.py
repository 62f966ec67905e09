"""The installers: parsed where a parser exists here, and cross-checked against what the
add-in and the xlwings runtime really read. (PowerShell itself is not in Debian.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import xlwings

from sp_xl.addin import layout, vba_wrappers

ROOT = Path(__file__).resolve().parents[2]
INSTALL = ROOT / "install"
RUNTIME = (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_text(encoding="utf-8")
PS_SCRIPTS = ("install.ps1", "uninstall.ps1")


def _config_keys(text: str) -> set[str]:
    """Keys an installer writes into sp_xl.conf."""
    ps = re.findall(r'^\s*"([A-Z_ ]+)"\s*=', text, re.MULTILINE)
    sh = re.findall(r"""printf '"([A-Z_ ]+)",""", text)
    return set(ps) | set(sh)


@pytest.mark.parametrize("name", PS_SCRIPTS)
def test_powershell_scripts_parse(name):
    tree_sitter = pytest.importorskip("tree_sitter", reason="tree-sitter is not installed (PowerShell parser)")
    grammar = pytest.importorskip("tree_sitter_powershell", reason="tree-sitter-powershell is not installed")
    parser = tree_sitter.Parser(tree_sitter.Language(grammar.language()))
    tree = parser.parse((INSTALL / name).read_bytes())
    assert not tree.root_node.has_error


def test_the_powershell_parser_would_notice_a_broken_script():
    tree_sitter = pytest.importorskip("tree_sitter", reason="tree-sitter is not installed (PowerShell parser)")
    grammar = pytest.importorskip("tree_sitter_powershell", reason="tree-sitter-powershell is not installed")
    parser = tree_sitter.Parser(tree_sitter.Language(grammar.language()))
    broken = (INSTALL / "install.ps1").read_text(encoding="utf-8-sig").replace("if ($Python) {", "if ($Python {", 1)
    assert parser.parse(broken.encode()).root_node.has_error


@pytest.mark.parametrize("name", PS_SCRIPTS)
def test_powershell_scripts_carry_a_bom_so_windows_powershell_reads_the_danish_text(name):
    data = (INSTALL / name).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Færdig" in data.decode("utf-8-sig")


def test_shell_script_passes_shellcheck():
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    proc = subprocess.run(["shellcheck", str(INSTALL / "install-mac.sh")], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout


def test_shell_script_is_valid_bash():
    proc = subprocess.run(["bash", "-n", str(INSTALL / "install-mac.sh")], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_every_key_the_installers_write_is_one_the_xlwings_runtime_reads():
    for name, expected in (("install.ps1", {"INTERPRETER_WIN", "UDF MODULES", "ADD_WORKBOOK_TO_PYTHONPATH"}),
                           ("install-mac.sh", {"INTERPRETER_MAC", "UDF MODULES", "ADD_WORKBOOK_TO_PYTHONPATH"})):
        keys = _config_keys((INSTALL / name).read_text(encoding="utf-8-sig"))
        assert keys == expected, name
        for key in keys:
            assert f'GetConfig("{key}"' in RUNTIME, f"{key} is not read by xlwings {xlwings.__version__}"


def test_the_config_file_is_where_the_addins_runtime_looks_for_it():
    # GetConfigFilePath: Environ("USERPROFILE") & "\." & PROJECT_NAME & "\" & PROJECT_NAME & ".conf" (Windows)
    # and GetMacDir("$HOME", False) & "/" & PROJECT_NAME & ".conf", i.e. Excel's sandbox folder (Mac).
    assert 'Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in RUNTIME
    win = (INSTALL / "install.ps1").read_text(encoding="utf-8-sig")
    assert f'Join-Path $env:USERPROFILE ".{layout.PROJECT_NAME}"' in win
    assert f'Join-Path $ConfDir "{layout.PROJECT_NAME}.conf"' in win
    mac = (INSTALL / "install-mac.sh").read_text()
    assert f'conf="$HOME/Library/Containers/com.microsoft.Excel/Data/{layout.PROJECT_NAME}.conf"' in mac


def test_installers_name_the_udf_module_and_addin_the_build_uses():
    for name in ("install.ps1", "install-mac.sh"):
        text = (INSTALL / name).read_text(encoding="utf-8-sig")
        assert '"UDF MODULES"' in text and vba_wrappers.UDF_MODULE in text
        assert layout.ADDIN_NAME in text
    assert layout.ADDIN_NAME in (INSTALL / "uninstall.ps1").read_text(encoding="utf-8-sig")


def test_the_interpreter_setting_points_into_the_venv_the_installer_makes():
    win = (INSTALL / "install.ps1").read_text(encoding="utf-8-sig")
    assert '$Venv = Join-Path $Home_ "venv"' in win and '$Home_ = Join-Path $env:LOCALAPPDATA "sp_xl"' in win
    assert '"INTERPRETER_WIN"            = "%LOCALAPPDATA%\\sp_xl\\venv\\Scripts\\pythonw.exe"' in win
    mac = (INSTALL / "install-mac.sh").read_text()
    assert 'home_dir="$HOME/.sp_xl"' in mac and 'venv="$home_dir/venv"' in mac
    assert '"INTERPRETER_MAC","$HOME/.sp_xl/venv/bin/python"' in mac


def test_pinned_versions_agree_with_the_project_and_the_addins_runtime():
    pins = dict(line.split("==") for line in (INSTALL / "constraints.txt").read_text().splitlines()
                if line and not line.startswith("#"))
    assert pins["xlwings"] == xlwings.__version__
    assert f"'Version: {pins['xlwings']}" in RUNTIME
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for dep in project["dependencies"]:
        if "==" in dep:
            name, version = dep.split("==")
            assert pins[name] == version
    minimum = re.search(r">=\s*(\d+\.\d+)", project["requires-python"]).group(1)
    assert f'$MinPython = [version]"{minimum}"' in (INSTALL / "install.ps1").read_text(encoding="utf-8-sig")
    assert f"sys.version_info >= ({minimum.replace('.', ', ')})" in (INSTALL / "install-mac.sh").read_text()


# --- Offline bundle, re-runs and security policy (issue 16) --------------------------------------------

def _ps(name: str) -> str:
    return (INSTALL / name).read_text(encoding="utf-8-sig")


def _before(text: str, first: str, *later: str) -> None:
    at = text.index(first)
    for other in later:
        assert at < text.index(other), f"{first!r} must come before {other!r}"


def test_powershell_scripts_parse_in_pwsh_and_pass_psscriptanalyzer_when_installed():
    pwsh = shutil.which("pwsh")
    if pwsh is None:
        pytest.skip("pwsh is not installed (not in Debian; Microsoft's repository is not reachable here)")
    for name in PS_SCRIPTS:
        script = ("$e = $null; [void][System.Management.Automation.Language.Parser]::ParseFile("
                  f"'{INSTALL / name}', [ref]$null, [ref]$e); if ($e.Count) {{ $e | Out-String; exit 1 }}")
        proc = subprocess.run([pwsh, "-NoProfile", "-Command", script], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        lint = subprocess.run([pwsh, "-NoProfile", "-Command",
                               f"if (Get-Module -ListAvailable PSScriptAnalyzer) {{ Invoke-ScriptAnalyzer -Path "
                               f"'{INSTALL / name}' -Severity Error | Out-String }}"], capture_output=True, text=True)
        assert not lint.stdout.strip(), lint.stdout


def test_excel_running_stops_both_scripts_before_they_touch_anything():
    install = _ps("install.ps1")
    assert 'Get-Process -Name EXCEL' in install
    assert "Fail \"Excel kører. Luk Excel" in install
    body = install.split('Write-Host "SP Rapport (sp_xl) - installation', 1)[1]    # after the functions
    _before(body, "Get-Process -Name EXCEL", "New-Item", "Copy-Item", "Set-Content", "-m venv", "pip", "Open-Bundle")
    uninstall = _ps("uninstall.ps1")
    _before(uninstall, "Get-Process -Name EXCEL", "Remove-Item")
    for text in (install, uninstall):   # sp_xl's own function server, left over: stopped by id, nothing else
        assert "$_.Path.StartsWith($Venv" in text and "Stop-Process -Id $p.Id" in text


def test_the_bundle_installs_without_network_and_writes_nothing_into_it():
    install = _ps("install.ps1")
    assert "[string]$Bundle" in install
    assert '$Bundle = Split-Path -Parent $PSScriptRoot          # run from inside an unpacked bundle' in install
    assert '$pipArgs += @("--no-index", "--find-links", $Wheels)' in install
    assert "Join-Path $env:TEMP (\"sp_xl-bundle-\"" in install            # a zip is unpacked into %TEMP%
    assert "Test-Bundle" in install and "Get-FileHash -Algorithm SHA256" in install
    # Nothing is written under the bundle's root: every write goes to the user's folders or %TEMP%.
    for line in install.splitlines():
        if re.search(r"\b(Set-Content|Out-File|New-Item|Copy-Item|Expand-Archive)\b", line):
            assert "$BundleRoot" not in line.split("-Path", 1)[-1] or "Copy-Item -Path $AddinSource" in line, line
    assert "-Destination $BundleRoot" not in install and "-DestinationPath $BundleRoot" not in install


def test_the_python_of_the_bundle_is_the_one_the_installer_pins():
    from sp_xl.addin import bundle

    install = _ps("install.ps1")
    assert f'$PythonVersion = "{bundle.PYTHON_VERSION}"' in install
    assert '$PythonInstallerName = "python-$PythonVersion-amd64.exe"' in install
    assert bundle.PYTHON_INSTALLER == f"python-{bundle.PYTHON_VERSION}-amd64.exe"


def test_a_download_forces_tls_1_2_and_fails_in_danish():
    install = _ps("install.ps1")
    _before(install, "[Net.SecurityProtocolType]::Tls12", "Invoke-WebRequest")
    download = install.split("Invoke-WebRequest", 1)[1].split("}", 2)
    assert "catch" in download[1] and 'Fail "Python kunne ikke hentes' in download[1]


def test_every_failure_is_a_danish_fejl_line_and_nothing_throws():
    for name in PS_SCRIPTS:
        text = _ps(name)
        assert 'Write-Host "FEJL: $Text"' in text
        assert "throw" not in text.lower()
        for message in re.findall(r'Fail "([^"]+)"', text):
            assert not re.search(r"\b(the|could not|failed|please|error)\b", message, re.IGNORECASE), message


def test_a_broken_venv_is_cleared_and_only_the_declared_dll_counts():
    install = _ps("install.ps1")
    assert "& $Python -m venv --clear $Venv" in install
    assert '$dllName = "xlwings$OfficeBits-$XlwingsVersion.dll"' in install
    assert '"xlwings64-*.dll"' not in install
    assert "$_ -match '^xlwings=='" in install                          # the version comes from constraints.txt


def test_installing_from_the_source_folder_builds_from_a_copy():
    install = _ps("install.ps1")
    assert "function Copy-Source" in install and '("sp_xl-src-"' in install
    assert "$pipArgs += $Source" not in install


def test_uninstall_keeps_the_marker_that_remove_python_needs():
    uninstall = _ps("uninstall.ps1")
    assert "$pythonRemoved -or $_.FullName -ne $PythonMarker" in uninstall
    assert "Remove-Item -Recurse -Force $ConfDir" not in uninstall


def test_office_and_python_must_have_the_same_bitness():
    install = _ps("install.ps1")
    for key in ("HKLM:\\SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration",   # the keys the doctor reads
                "HKLM:\\SOFTWARE\\Microsoft\\Office\\16.0\\Outlook",
                "HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\Office\\16.0\\Outlook"):
        assert key in install
    assert "if ($PythonBits -ne $OfficeBits)" in install
    assert "$Python = Find-Python $OfficeBits" in install           # looks for a Python of Office's bitness
    assert '$PythonInstallerName = "python-$PythonVersion.exe"' in install   # 32-bit Office: 32-bit Python
    assert 'if ($Bundle) { Fail "Office er 32-bit; offline-pakken indeholder kun 64-bit' in install
