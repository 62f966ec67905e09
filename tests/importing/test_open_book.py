"""The import into a workbook open in Excel makes the same changes as `sp-xl import` makes to
the file: the same extracts into the same master, once through the file writer and once
through the open-workbook writer (on an openpyxl fake of Excel), give the same cells,
tables, names, record and formats of new rows."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from sp_xl.actions.importing import import_extracts
from sp_xl.actions.in_excel import import_into_open
from sp_xl.importing.open_book import MAX_GAP, as_typed, blocks
from sp_xl.importing.record import read_record
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.safety import WorkbookRefused
from tests.actions.test_importing import FIXTURES, HOSTILE_LABEL, MONTHS, NOW, SEED_T4, tabel4, write_orders
from tests.importing.fake_open_book import FakeOpenBook, typed

MASTER = Path(__file__).resolve().parents[2] / "workbooks" / "sp_status.xlsx"
BOUND_NAME = "Brugere_Antal"            # a plain A1 name on a table column: grows with the table


@pytest.fixture
def master(tmp_path) -> Path:
    """The committed master as openpyxl saves it (what the fake starts from), with a name on
    tMinSPBrugere's Antal column (body K8:K35)."""
    wb = openpyxl.load_workbook(MASTER)
    wb.defined_names[BOUND_NAME] = DefinedName(BOUND_NAME, attr_text="D_Hospitaler!$K$8:$K$35")
    path = tmp_path / "sp_status.xlsx"
    wb.save(path)
    return path


@pytest.fixture
def extracts(tmp_path) -> list[Path]:
    may = {h: [*v, v[-1] + 1000] for h, v in SEED_T4.items()}           # a new month: tMinSPBrugere grows
    return [FIXTURES / "lpr_fejl.csv", FIXTURES / "sager_niveau.csv", FIXTURES / "minsp_beskeder_2018-05-25.csv",
            FIXTURES / "noeglepersoner_2018-02-28.csv", FIXTURES / "tabel1_long_en.csv",
            tabel4(tmp_path / "minsp_brugere.csv", "2018-06-02", [*MONTHS, "maj 2018"], may),
            write_orders(tmp_path / "ordinationer.csv")]


def constants(pkg: XlsxPackage) -> dict[str, dict[str, object]]:
    """Every sheet's constant cells (formulas differ: openpyxl stores no cached values)."""
    formulas = {(f.sheet, f.ref) for f in pkg.formulas()}
    return {s: {r: v for r, v in pkg.cells(s).items() if (s, r) not in formulas and v not in (None, "")}
            for s in pkg.sheet_names}


def styles(path_or_bytes, refs: dict[str, list[str]]) -> dict[tuple[str, str], tuple[str, str]]:
    import io
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    wb = openpyxl.load_workbook(source)
    return {(s, r): (wb[s][r].style, wb[s][r].number_format) for s, rs in refs.items() for r in rs}


def test_the_open_workbook_gets_exactly_what_the_file_gets(master, extracts, tmp_path):
    by_file = tmp_path / "fil.xlsx"
    shutil.copy(master, by_file)
    file_summary = import_extracts(by_file, extracts, refresh=False, backup=False, now=NOW)
    book = FakeOpenBook(master)
    open_summary = import_into_open(book, extracts, now=NOW)

    expected, got = XlsxPackage.open(by_file), XlsxPackage(book.saved_bytes(), "sp_status.xlsx")
    assert open_summary.describe().split("\n")[1:] == file_summary.describe().split("\n")[1:]   # but the time
    assert constants(got) == constants(expected)
    assert got.tables() == expected.tables()
    assert got.tables()["tMinSPBrugere"][1] == "I7:K42" and got.tables()["tMinSPBesvaret"][1] == "M7:O36"
    assert got.defined_names == expected.defined_names
    assert got.defined_names[BOUND_NAME] == "D_Hospitaler!$K$8:$K$42"
    assert book.custom_xml["urn:sp-xl:import-record:1"].encode() == expected.read(read_record(expected).part)
    besvaret = expected.tables()["tMinSPBesvaret"][0]
    new_rows = {"D_Hospitaler": [f"{c}{r}" for c in "IJK" for r in range(36, 43)]}
    new_rows.setdefault(besvaret, []).extend(f"{c}36" for c in "MNO")
    assert styles(book.saved_bytes(), new_rows) == styles(by_file, new_rows)
    assert styles(by_file, {"D_Hospitaler": ["I36", "K36"]}) == {
        ("D_Hospitaler", "I36"): ("Normal", "[$-406]mmmm yyyy"), ("D_Hospitaler", "K36"): ("SP Input", "#,##0")}
    # The text an extract brought in is text in the open workbook too, never a formula.
    assert book.wb["D_Afdelinger"]["A9"].value == HOSTILE_LABEL and book.wb["D_Afdelinger"]["A9"].data_type == "s"
    # Excel computes the report; the file was read, not copied (it was saved and unchanged).
    kinds = [c[0] for c in book.calls]
    assert kinds.count("calculate_full") == 1 and kinds.index("calculate_full") > kinds.index("replace_custom_xml")
    assert "save_copy" not in kinds
    writes = [c for c in book.calls if c[0] == "write"]
    assert len(writes) <= 3 * len(XlsxPackage.open(master).tables())       # a few blocks per table, not cells


def test_an_unsaved_workbook_on_sharepoint_is_read_from_excels_copy_with_its_unsaved_edits(master, tmp_path):
    src = tabel4(tmp_path / "brugere.csv", "31-05-2018", MONTHS[3:], {"Rigshospitalet": [60000]})
    book = FakeOpenBook(master, fullname="https://region.sharepoint.com/sites/sp/Delte dokumenter/sp_status.xlsx",
                        saved=False)
    book.wb["D_Hospitaler"]["K34"] = 59000          # typed by the analyst, not saved: a hand entry
    summary = import_into_open(book, [src], now=NOW)
    assert ("save_copy",) in book.calls
    assert len(summary.conflicts) == 1 and summary.conflicts[0].address.endswith("K34")
    assert book.wb["D_Hospitaler"]["K34"].value == 59000          # the unsaved edit is kept
    assert [c[0] for c in book.calls] == ["save_copy"]            # a refused period writes nothing

    forced = import_into_open(book, [src], now=NOW, force=True)
    assert forced.changed and book.wb["D_Hospitaler"]["K34"].value == 60000
    again = import_into_open(book, [src], now=NOW)                # the record came back with the copy
    assert not again.changed and not again.conflicts


def test_when_excel_cannot_save_a_copy_the_import_says_so_and_writes_nothing(master, monkeypatch):
    book = FakeOpenBook(master, saved=False)

    def refused(path):
        raise PermissionError("IRM")

    monkeypatch.setattr(book, "save_copy", refused)
    with pytest.raises(WorkbookRefused, match="Excel kunne ikke gemme en kopi af sp_status.xlsx"):
        import_into_open(book, [FIXTURES / "lpr_fejl.csv"], now=NOW)
    assert book.calls == []


def test_a_workbook_that_is_not_a_master_is_refused_before_anything_is_written(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Rigshospitalet"
    wb.save(tmp_path / "andet.xlsx")
    book = FakeOpenBook(tmp_path / "andet.xlsx")
    with pytest.raises(WorkbookRefused, match="ikke en master-projektmappe"):
        import_into_open(book, [FIXTURES / "lpr_fejl.csv"], now=NOW)
    assert book.calls == []


@pytest.mark.parametrize("text", ["=1+1", "+45 Akut", "1-2", "007", "SAND", "50%", "'citat", " Rigshospitalet",
                                  "marts 2018", "#N/A", "@sum"])
def test_text_that_excel_would_parse_keeps_an_apostrophe(text):
    assert as_typed(text) == "'" + text and typed(as_typed(text)) == text


def test_plain_names_and_other_values_go_as_they_are():
    for value in ("Rigshospitalet", "Hospitalerne i Nordsjælland", 3.0, None, "", dt.datetime(2018, 5, 1)):
        assert as_typed(value) == value
    assert typed("007") == 7 and typed("SAND") is True       # the fake parses as Excel does: the guard matters


def test_blocks_join_runs_across_plain_cells_but_never_across_a_formula():
    cells = {"A1": 1, "B1": 2, "A2": 3, "B2": 4, "D2": 5, "A4": 6, "B4": 7, "D3": 8}
    assert list(blocks(cells, {"A3": "x", "B3": 2.5})) == [("A1:B4", [[1, 2], [3, 4], ["x", 2.5], [6, 7]]),
                                                            ("D2:D3", [[5], [8]])]
    assert list(blocks(cells, {"A3": "x"}, formulas={"B3"})) == [
        ("A1:A4", [[1], [3], ["x"], [6]]), ("B1:B2", [[2], [4]]), ("D2:D3", [[5], [8]]), ("B4:B4", [[7]])]
    far = {"A1": 1, f"A{3 + MAX_GAP}": 2}                     # too far apart: two writes
    assert [area for area, _ in blocks(far)] == ["A1:A1", f"A{3 + MAX_GAP}:A{3 + MAX_GAP}"]
    assert list(blocks({})) == []
