"""`sp-xl functions` prints the registry; the README's reference is that same text."""

import subprocess
import sys

from sp_xl import cli
from sp_xl.docs import reference
from tests.conftest import ROOT


def test_functions_lists_every_function_with_danish_help(capsys):
    assert cli.main(["functions"]) == 0
    out = capsys.readouterr().out
    assert "SP_TEXT_GROWTH(serie; [hvad])" in out and "Målopfyldelse" in out    # the names Excel shows


def test_functions_in_english(capsys):
    assert cli.main(["--lang", "en", "functions"]) == 0
    out = capsys.readouterr().out
    assert "Goal attainment" in out and "SP_TEXT_GROWTH(series; [what])" in out   # the Python keywords


def test_readme_reference_is_generated_from_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(reference.README_BEGIN), readme.index(reference.README_END)
    assert readme[start:end + len(reference.README_END)] + "\n" == reference.as_markdown(), (
        "README function reference is stale: run `sp-xl functions --markdown` and paste it in")


def test_console_script_runs():
    proc = subprocess.run([sys.executable, "-m", "sp_xl.cli", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and "sp-xl" in proc.stdout


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    blocks = readme.split("## Two commands for a fresh machine", 1)[1].split("\n## ", 1)[0]
    commands = [b.split("\n", 1)[1].strip() for b in blocks.split("```")[1::2]]
    assert len(commands) == 2
    assert commands[1] == ci


def test_check_refuses_what_is_not_a_workbook_in_one_danish_line(tmp_path, capsys):
    empty, text, folder = tmp_path / "e.xlsx", tmp_path / "omdøbt.xlsx", tmp_path / "mappe.xlsx"
    empty.write_bytes(b"")
    text.write_text("dato;antal\n2018-01-01;3\n")
    folder.mkdir()
    for path, words in ((empty, "er tom"), (text, "ikke en Excel-projektmappe"), (folder, "ikke en fil"),
                        (tmp_path / "mangler.xlsx", "findes ikke")):
        assert cli.main(["check", str(path)]) == 2
        captured = capsys.readouterr()
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Afvist: ") and words in lines[0], lines
        assert "Traceback" not in captured.err and "Errno" not in captured.err and not captured.out
    assert empty.read_bytes() == b"" and not list(tmp_path.glob("*Kontrol*"))


def test_refresh_to_a_copy_never_replaces_a_good_file_with_a_refused_one(tmp_path, capsys):
    from sp_xl.master.build import build_master
    good = build_master(tmp_path / "sp_status.xlsx")
    report = tmp_path / "rapport.xlsx"
    report.write_bytes(good.read_bytes())
    before = report.read_bytes()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"x")
    assert cli.main(["refresh", str(bad), "-o", str(report), "--overwrite"]) == 2
    assert report.read_bytes() == before and "Afvist:" in capsys.readouterr().err
    assert cli.main(["refresh", str(good), "-o", str(good)]) == 2              # output = input
    assert cli.main(["refresh", str(good), "-o", str(tmp_path)]) == 2          # output a folder
    assert cli.main(["refresh", str(good), "-o", str(report)]) == 2            # exists, no --overwrite
    assert report.read_bytes() == before
    assert cli.main(["refresh", "--quiet", str(good), "-o", str(tmp_path / "ud" / "ny.xlsx")]) == 0
    assert (tmp_path / "ud" / "ny.xlsx").exists() and good.read_bytes() != (tmp_path / "ud" / "ny.xlsx").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.xlsx", "rapport.xlsx", "sp_status.xlsx", "ud"]


def test_help_and_usage_errors_speak_danish_and_name_danish_arguments(capsys):
    import pytest
    with pytest.raises(SystemExit):
        cli.main(["import", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("brug: sp-xl import") and "PROJEKTMAPPE UDTRÆK" in out
    assert "vis denne hjælp og afslut" in out and "tilvalg:" in out and "show this help" not in out
    with pytest.raises(SystemExit):
        cli.main(["check"])
    assert capsys.readouterr().err == "Afvist: disse argumenter mangler: PROJEKTMAPPE – se sp-xl check --help.\n"
    with pytest.raises(SystemExit) as info:
        cli.main(["--lang", "en", "check"])
    assert info.value.code == 2
    assert capsys.readouterr().err == ("Refused: the following arguments are required: WORKBOOK – see sp-xl check "
                                       "--help.\n")
