"""`sp-xl check`: the pre-send check. It finds what is not computed, exits 1 when it found
anything, and with --write puts its list on the Kontrol sheet (atomically, with a backup)."""

from __future__ import annotations

import shutil
import zipfile

import openpyxl
import pytest

from sp_xl import cli
from sp_xl.ooxml.package import XlsxPackage
from tests.conftest import ROOT

MASTER = ROOT / "workbooks" / "sp_status.xlsx"


@pytest.fixture(scope="module")
def refreshed_bytes(tmp_path_factory) -> bytes:
    from sp_xl.actions.refresh import refresh

    path = tmp_path_factory.mktemp("refreshed") / "sp_status.xlsx"
    shutil.copy(MASTER, path)
    refresh(path, backup=False)
    return path.read_bytes()


@pytest.fixture
def refreshed(tmp_path, refreshed_bytes):
    path = tmp_path / "sp_status.xlsx"
    path.write_bytes(refreshed_bytes)
    return path


def check(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(["check", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_refreshed_master_passes(refreshed, capsys):
    code, out, err = check(capsys, refreshed)
    assert (code, err) == (0, "") and out.startswith("Ingen problemer fundet i sp_status.xlsx.")


def test_a_master_never_refreshed_is_reported_and_exits_1(tmp_path, capsys):
    book = tmp_path / "sp_status.xlsx"
    shutil.copy(MASTER, book)
    code, out, _ = check(capsys, book)
    assert code == 1 and "Ikke beregnet" in out and "ikke beregnet endnu" in out
    assert "med --write skrives de også på arket »Kontrol«" in out     # no sheet it did not write


def test_a_master_saved_by_openpyxl_has_no_stored_values_and_is_reported(refreshed, tmp_path, capsys):
    saved = tmp_path / "gemt_af_openpyxl.xlsx"
    openpyxl.load_workbook(refreshed).save(saved)
    code, out, _ = check(capsys, saved)
    assert code == 1 and "formler har ingen gemt værdi" in out


def test_an_input_changed_after_the_refresh_is_reported_as_stale(refreshed, capsys):
    pkg = XlsxPackage.open(refreshed)
    sheet, ref = next((s, r) for s in ("D_Hospitaler",) for r, v in sorted(pkg.cells(s).items())
                      if isinstance(v, float) and r.startswith("K") and int(r[1:]) > 6)
    refreshed.write_bytes(pkg.with_values({}, constants={(sheet, ref): pkg.cells(sheet)[ref] + 1000}))
    code, out, _ = check(capsys, refreshed)
    assert code == 1 and "ikke opdateret efter de seneste ændringer" in out


def test_write_puts_the_list_on_the_kontrol_sheet_atomically_with_a_backup(tmp_path, capsys):
    book = tmp_path / "sp_status.xlsx"
    shutil.copy(MASTER, book)                 # never refreshed: one problem at least
    old = book.read_bytes()
    code, out, err = check(capsys, book, "--write")
    assert code == 1 and err == "" and "Arket »Kontrol« er skrevet i sp_status.xlsx." in out
    assert "se arket »Kontrol«" in out
    backups = list((tmp_path / "sp-xl-backup").iterdir())
    assert len(backups) == 1 and backups[0].read_bytes() == old
    assert zipfile.ZipFile(book).testzip() is None
    wb = openpyxl.load_workbook(book)
    ws = wb["Kontrol"]
    assert ws["A1"].value == "Kontrol – SP Rapport" and ws["A4"].value == "Celle"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    assert any(r[1] == "Ikke beregnet" for r in rows)
    assert [c.hyperlink.location for c in ws["A"][4:] if c.hyperlink] == [r[0] for r in rows if "!" in (r[0] or "")]
    assert wb.sheetnames[-1] == "Kontrol" and wb.sheetnames[:-1] == openpyxl.load_workbook(MASTER).sheetnames
    # Again: the sheet is replaced, not added twice; and every other part keeps its bytes.
    code, _, _ = check(capsys, book, "--write", "--no-backup")
    assert code == 1 and openpyxl.load_workbook(book).sheetnames.count("Kontrol") == 1
    with zipfile.ZipFile(MASTER) as a, zipfile.ZipFile(book) as b:
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert sorted(changed) == ["[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/workbook.xml"]


def test_a_kontrol_sheet_does_not_disturb_refresh_or_the_next_check(tmp_path, capsys):
    book = tmp_path / "sp_status.xlsx"
    shutil.copy(MASTER, book)
    assert check(capsys, book, "--write", "--no-backup")[0] == 1
    assert cli.main(["refresh", "--quiet", "--no-backup", str(book)]) == 0
    code, out, _ = check(capsys, book, "--write", "--no-backup")
    assert code == 0 and out.startswith("Ingen problemer fundet")
    ws = openpyxl.load_workbook(book)["Kontrol"]
    assert not [row for row in ws.iter_rows(min_row=5, values_only=True) if row[1] not in ("Bemærk",)]


def test_english_on_request(refreshed, capsys, monkeypatch):
    monkeypatch.setenv("SP_XL_LANG", "en")
    code, out, _ = check(capsys, refreshed)
    assert code == 0 and out.startswith("No problems found in sp_status.xlsx.")
