"""`sp-xl import` under bad input and faults: the workbook is replaced whole or not at all."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.robustness.conftest import (
    BAD_WORKBOOKS,
    FIXTURES,
    MASTER,
    assert_refused,
    disk_full,
    make_bad,
    read_only_folder,
    snapshot,
    temp_files,
    unreadable,
)

GOOD_EXTRACT = FIXTURES / "lpr_fejl.csv"


@pytest.fixture
def book(tmp_path):
    folder = tmp_path / "rapport"
    folder.mkdir()
    path = folder / "sp_status.xlsx"
    shutil.copy(MASTER, path)
    return path


@pytest.fixture
def extract(tmp_path):
    folder = tmp_path / "udtræk"
    folder.mkdir()
    path = folder / "lpr_fejl.csv"
    shutil.copy(GOOD_EXTRACT, path)
    return path


@pytest.mark.parametrize("kind", sorted(BAD_WORKBOOKS))
def test_a_bad_workbook_is_refused(tmp_path, run, extract, kind):
    bad = make_bad(kind, tmp_path)
    before = snapshot(tmp_path)
    assert_refused(run("import", bad, extract), before, snapshot(tmp_path), *BAD_WORKBOOKS[kind])


# Bad extracts: each alone is refused (exit 2, the workbook untouched); beside a good one it
# is listed as not imported and the good one is imported (exit 1).
BAD_EXTRACTS = {
    "empty.csv": lambda folder: (folder / "empty.csv").write_bytes(b""),
    "random.csv": lambda folder: (folder / "random.csv").write_bytes(bytes(range(256)) * 20),
    "truncated.xlsx": lambda folder: make_bad("truncated_50", folder, "truncated.xlsx"),
    "encrypted.xlsx": lambda folder: make_bad("encrypted_cfb", folder, "encrypted.xlsx"),
    "bomb.xlsx": lambda folder: make_bad("zip_bomb", folder, "bomb.xlsx"),
    "dtd.xlsx": lambda folder: make_bad("dtd_sheet", folder, "dtd.xlsx"),
    "traversal.xlsx": lambda folder: make_bad("traversal", folder, "traversal.xlsx"),
    "renamed.ods": lambda folder: make_bad("renamed_ods", folder, "renamed.ods"),
    "a_folder.csv": lambda folder: (folder / "a_folder.csv").mkdir(),
}


@pytest.mark.parametrize("name", sorted(BAD_EXTRACTS))
def test_a_bad_extract_alone_is_refused_and_beside_a_good_one_is_listed(tmp_path, run, book, extract, name):
    folder = extract.parent
    BAD_EXTRACTS[name](folder)
    bad = folder / name
    before = snapshot(tmp_path)
    assert_refused(run("import", book, bad), before, snapshot(tmp_path), name, "Intet importeret")
    result = run("import", book, extract, bad, "--no-backup")
    assert result.code == 1, (result.code, result.err)
    assert f"{name}: IKKE importeret" in result.out and result.err == "" and "Error" not in result.out
    assert "lpr_fejl.csv: udtræk fra LPR-fejlregisteret" in result.out
    assert temp_files(tmp_path) == []


def test_a_missing_extract_is_listed_not_a_traceback(tmp_path, run, book, extract):
    before = snapshot(tmp_path)
    assert_refused(run("import", book, extract.parent / "mangler.csv"), before, snapshot(tmp_path), "mangler.csv")


def test_an_unreadable_extract_alone_is_refused(tmp_path, run, book, extract, monkeypatch):
    before = snapshot(tmp_path)
    unreadable(monkeypatch, extract)
    assert_refused(run("import", book, extract), before, snapshot(tmp_path), "lpr_fejl.csv", "adgang")


def test_the_workbook_missing_a_folder_or_unreadable(tmp_path, run, book, extract, monkeypatch):
    folder = tmp_path / "mappe.xlsx"
    folder.mkdir()
    before = snapshot(tmp_path)
    assert_refused(run("import", folder, extract), before, snapshot(tmp_path), "ikke en fil")
    assert_refused(run("import", tmp_path / "mangler.xlsx", extract), before, snapshot(tmp_path), "findes ikke")
    unreadable(monkeypatch, book)
    assert_refused(run("import", book, extract), before, snapshot(tmp_path), "adgang")


def test_a_read_only_folder_is_refused(tmp_path, run, book, extract, monkeypatch):
    before = snapshot(tmp_path)
    read_only_folder(monkeypatch, book.parent)
    assert_refused(run("import", book, extract), before, snapshot(tmp_path), "skrivebeskyttet")


@pytest.mark.parametrize("backup", [True, False])
def test_a_full_disk_is_refused_and_leaves_nothing(tmp_path, run, book, extract, monkeypatch, backup):
    before = snapshot(tmp_path)
    disk_full(monkeypatch)
    argv = ["import", book, extract] + ([] if backup else ["--no-backup"])
    line = assert_refused(run(*argv), before, snapshot(tmp_path), "disken er fuld")
    assert "Frigør plads" in line and temp_files(tmp_path) == []


def test_the_workbook_given_as_its_own_extract_is_not_imported(tmp_path, run, book):
    before = snapshot(tmp_path)
    result = run("import", book, book)
    assert_refused(result, before, snapshot(tmp_path), "Intet importeret")


def test_a_good_import_writes_and_keeps_a_backup(tmp_path, run, book, extract):
    old = book.read_bytes()
    result = run("import", book, extract)
    assert result.code == 0 and result.err == ""
    assert book.read_bytes() != old and temp_files(tmp_path) == []
    backups = list((book.parent / "sp-xl-backup").iterdir())
    assert len(backups) == 1 and backups[0].read_bytes() == old


def test_refusals_go_to_stderr_not_stdout_at_process_level(tmp_path, book, extract):
    empty = extract.parent / "tom.csv"
    empty.write_bytes(b"")
    for argv in ([make_bad("zip_bomb", tmp_path), extract], [book, empty]):
        proc = subprocess.run([sys.executable, "-m", "sp_xl.cli", "import", *map(str, argv)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2 and proc.stdout == ""
        assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("Afvist: ")
        assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------- repeated rows and keys (criterion 4)

def _cell(book, sheet, ref):
    from sp_xl.ooxml.package import XlsxPackage
    return XlsxPackage.open(book).cells(sheet).get(ref)


def test_an_lpr_extract_with_every_row_twice_counts_each_once_and_says_so(tmp_path, run, book, extract):
    lines = extract.read_text(encoding="utf-8").splitlines(keepends=True)
    twice = extract.parent / "lpr_to_gange.csv"
    twice.write_text("".join(lines[:2] + lines[2:] + lines[2:]), encoding="utf-8")
    result = run("import", book, twice, "--no-backup")
    assert result.code == 0, result.err
    assert f"{len(lines) - 2} række(r) står mere end én gang" in result.out
    assert _cell(book, "D_LPR", "C20") == 5 and _cell(book, "D_LPR", "C18") == 3     # 2 Jan: not 10 and 6


def test_the_same_day_and_hospital_with_two_counts_is_not_added_up(tmp_path, run, book, extract):
    text = extract.read_text(encoding="utf-8")
    extra = extract.parent / "lpr_rettet.csv"
    extra.write_text(text.rstrip("\n") + "\n02-01-2018;Rigshospitalet;9\n", encoding="utf-8")
    result = run("import", book, extra, "--no-backup")
    assert result.code == 0, result.err
    assert "1 gang(e) står samme dato og hospital flere gange" in result.out
    assert _cell(book, "D_LPR", "C20") == 9                                           # the last row, not 5 + 9


def test_a_case_listed_twice_counts_once_and_says_so(tmp_path, run, book):
    lines = (FIXTURES / "sager_niveau.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    header = next(i for i, line in enumerate(lines) if line.startswith("Sagsnummer"))
    twice = tmp_path / "sager_to_gange.csv"
    twice.write_text("".join(lines + [lines[header + 1]]), encoding="utf-8")
    once = tmp_path / "rapport2"
    once.mkdir()
    shutil.copy(MASTER, once / "sp_status.xlsx")
    assert run("import", once / "sp_status.xlsx", FIXTURES / "sager_niveau.csv", "--no-backup").code == 0
    result = run("import", book, twice, "--no-backup")
    assert result.code == 0 and "1 dublerede rækker (samme sag) er talt én gang" in result.out
    from sp_xl.ooxml.package import XlsxPackage

    def numbers(path):
        return {r: v for r, v in XlsxPackage.open(path).cells("D_Support").items() if not isinstance(v, str)}
    assert numbers(book) == numbers(once / "sp_status.xlsx")


def test_a_workbook_that_is_not_a_master_is_refused(tmp_path, run, extract):
    from tests.conftest import CORPUS
    foreign = tmp_path / "andet.xlsx"
    shutil.copy(CORPUS / "errors.xlsx", foreign)
    before = snapshot(tmp_path)
    assert_refused(run("import", foreign, extract), before, snapshot(tmp_path), "ikke en master-projektmappe")
