"""`sp-xl doctor` on this (Linux) machine, and the README's copy of its IT texts."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from sp_xl.actions import doctor
from sp_xl.checks import environment
from sp_xl.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_install_section_carries_the_doctors_it_texts_verbatim():
    text = README.read_text(encoding="utf-8")
    assert environment.readme_block() in text, "README is out of date: paste environment.readme_block() in"
    install = text.split("### Install on a managed hospital PC", 1)[1].split("\n## ", 1)[0]
    for da, _ in environment.IT_TEXT.values():
        assert da.split("{")[0] in install


def test_on_linux_the_command_runs_the_test_call_and_says_the_windows_checks_are_skipped(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("sp_xl doctor:")
    assert out[1].startswith("sp_xl ") and f"xlwings {__import__('xlwings').__version__}" in out[1]
    assert "OK: Funktionsserveren svarer på et testkald – SP_GAP(5; 3) = 2" in out
    assert sum(line.startswith("SPRUNGET OVER:") for line in out) == 7
    assert any("Windows-tjekkene" in line and "sprunget over" in line for line in out)


def test_the_probe_reports_a_python_that_cannot_import_sp_xl(tmp_path):
    ok, text = doctor.probe(str(tmp_path / "missing" / "pythonw.exe"))
    assert not ok and "python.exe" in text and "FileNotFoundError" in text
    ok, text = doctor.probe("")
    assert ok and text == "2"


def test_the_probe_uses_the_console_python_beside_pythonw():
    assert doctor.console_python(r"C:\v\Scripts\pythonw.exe") == r"C:\v\Scripts\python.exe"
    assert doctor.console_python(sys.executable) == sys.executable


def test_a_failing_check_makes_the_command_exit_1(monkeypatch):
    monkeypatch.setattr(doctor, "real_system", lambda addin_path=None: environment.System(
        windows=False, env={}, exists=lambda p: False, listdir=lambda p: [], read_text=lambda p: None,
        probe=lambda python: (False, "ImportError: numpy")))
    out = io.StringIO()
    assert doctor.run(stdout=out) == 1
    assert "FEJL: Funktionsserveren svarer på et testkald – Testkaldet fejlede: ImportError: numpy" in out.getvalue()
