"""The ribbon handlers' Excel-independent cores, on real files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from sp_xl import i18n
from sp_xl.addin import handlers
from sp_xl.actions.check import CellInfo, Problem, check_file, find_problems, kontrol_rows
from sp_xl.actions.outcome import Outcome
from sp_xl.addin.handlers import function_reference_rows, import_extracts, refresh_workbook, share_workbook
from sp_xl.udfs import functions
from tests.checks.test_links import OTHER_PC, _with_external_links, seed_workbook
from tests.conftest import CORPUS, lo_recalc, needs_libreoffice


def _explode(path, *args, **options):
    raise RuntimeError("disken er fuld")


@pytest.fixture
def tabel4(tmp_path):
    """Table 4 of the seed: citizens on Min Sundhedsplatform, January to April."""
    wb, ws = seed_workbook("Tabel 4")
    ws["C2"] = "=SP_GROWTH(B2:B5)"
    ws["C3"] = "=SUM(B2:B5)"
    ws["C4"] = "=SP_ATTAINMENT(1,0)"
    path = tmp_path / "rapport.xlsx"
    wb.save(path)
    return path


def test_refresh_stores_the_seeds_growth_and_summarises_with_cell_addresses(tabel4):
    outcome = refresh_workbook(tabel4)
    assert outcome.ok and outcome.available
    assert outcome.lines[0].startswith("Opdateret: rapport.xlsx")
    assert "  'Tabel 4'!C4: #DIV/0! Målet er 0, og der kan ikke divideres med 0." in outcome.lines
    cached = openpyxl.load_workbook(tabel4, data_only=True)["Tabel 4"]
    assert cached["C2"].value == 48529                      # seed: 126446 -> 174975, +48529
    assert cached["C3"].value == 126446 + 140000 + 160000 + 174975
    assert cached["C4"].value == "#DIV/0!"
    assert outcome.title == "SP Rapport – Opdater alle ark"


def test_refresh_of_a_workbook_open_in_excel_is_refused_in_danish_and_leaves_it_alone(tabel4):
    (tabel4.parent / "~$rapport.xlsx").write_bytes(b"owner")
    before = tabel4.read_bytes()
    outcome = refresh_workbook(tabel4)
    assert not outcome.ok
    assert outcome.lines == [("rapport.xlsx er åben i Excel (låsefilen ~$rapport.xlsx findes). "
                              "Luk projektmappen i Excel og prøv igen.")]
    assert tabel4.read_bytes() == before


def test_refresh_reports_formulas_that_still_point_at_another_pcs_addin(tabel4):
    wb = openpyxl.load_workbook(tabel4)
    wb["Tabel 4"]["D2"] = "=[1]!SP_GROWTH(B2:B5)"
    wb.save(tabel4)
    _with_external_links(tabel4, ["file:///" + OTHER_PC])
    outcome = refresh_workbook(tabel4)
    assert f"'Tabel 4'!D2 bruger sp_xl.xlam fra file:///{OTHER_PC}: =[1]!SP_GROWTH(B2:B5)" in outcome.lines


def test_an_action_whose_engine_is_missing_says_so_in_danish(monkeypatch, tabel4):
    monkeypatch.setitem(handlers.ENGINES, "import", "sp_xl.actions.no_such_engine:import_extracts")
    monkeypatch.setitem(handlers.ENGINES, "share", "sp_xl.actions.no_such_engine:share_copy")
    outcome = import_extracts(tabel4, [tabel4])
    assert not outcome.ok and not outcome.available
    assert outcome.lines[0].startswith("»Importér udtræk« findes ikke i denne version af sp_xl")
    with i18n.use_language("en"):
        assert share_workbook(tabel4).lines[0].startswith('"Share as e-mail copy" is not available in this version')


def test_an_engine_that_fails_gives_a_message_not_a_traceback(monkeypatch, tabel4):
    monkeypatch.setitem(handlers.ENGINES, "share", "tests.addin.test_handlers:_explode")
    outcome = share_workbook(tabel4)
    assert not outcome.ok
    assert outcome.lines == ["Delingen stoppede på grund af en intern fejl i sp_xl (RuntimeError). Intet er ændret. "
                             "Kontakt sp_xl-teamet."]
    assert "Traceback" not in outcome.text()


def test_import_checks_the_chosen_files_before_the_engine_runs(monkeypatch, tabel4):
    monkeypatch.setitem(handlers.ENGINES, "import", "tests.addin.test_handlers:_explode")
    assert import_extracts(tabel4, []).lines == ["Ingen filer valgt – intet importeret."]
    missing = tabel4.parent / "udtræk.csv"
    assert import_extracts(tabel4, [missing]).lines == [f"Filen findes ikke: {missing}"]


def test_the_check_lists_error_values_with_reasons_and_foreign_addin_links():
    cells = [
        CellInfo("Tabel 1", "C3", "#DIV/0!", "=SP_ATTAINMENT(B3,0)"),
        CellInfo("Tabel 1", "C4", 0.44, "=SP_ATTAINMENT(B4,C$1)"),
        CellInfo("Tabel 1", "C5", "#NAME?", f"='{OTHER_PC}'!SP_GROWTH(B2:B5)"),
        CellInfo("Tabel 1", "A1", "Rigshospitalet"),
    ]
    reasons = {"C3": "Målet er 0, og der kan ikke divideres med 0."}
    problems = find_problems(cells, lambda c: reasons.get(c.cell, ""))
    assert [(p.address, p.kind) for p in problems] == [
        ("'Tabel 1'!C5", "Henvisning til anden kopi"),
        ("'Tabel 1'!C3", "Fejlværdi"),
    ]
    assert problems[1].detail == "#DIV/0!: Målet er 0, og der kan ikke divideres med 0. (=SP_ATTAINMENT(B3,0))"


def test_the_check_on_a_file_excel_made_finds_every_error_it_stored():
    outcome = check_file(CORPUS / "errors.xlsx")
    assert outcome.lines[0] == "7 problemer fundet i errors.xlsx (med --write skrives de også på arket »Kontrol«):"
    codes = [line.split(" – ")[1].split(" ")[0] for line in outcome.lines[1:]]
    assert codes == ["#DIV/0!", "#NAME?", "#VALUE!", "#NULL!", "#REF!", "#NUM!", "#N/A"]


def test_a_clean_workbook_has_no_problems(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Rigshospitalet", 0.11])
    wb.save(tmp_path / "ren.xlsx")
    assert check_file(tmp_path / "ren.xlsx").lines == ["Ingen problemer fundet i ren.xlsx."]


def test_kontrol_rows_link_to_the_cells():
    problems = [Problem("Tabel 4", "C4", "Fejlværdi", "#DIV/0!"), Problem("Data", "B2", "Fejlværdi", "#N/A")]
    rows = kontrol_rows(problems, dt.datetime(2018, 5, 19, 9, 30))
    assert rows[0][0] == "Kontrol – SP Rapport"
    assert rows[1] == ["Tjekket", "19-05-2018 09:30", None]
    assert rows[3] == ["Celle", "Problem", "Detaljer"]
    assert rows[4] == ["=HYPERLINK(\"#'Tabel 4'!C4\",\"'Tabel 4'!C4\")", "Fejlværdi", "#DIV/0!"]
    assert rows[5][0] == '=HYPERLINK("#Data!B2","Data!B2")'


@needs_libreoffice
def test_kontrol_links_are_formulas_a_spreadsheet_program_accepts(tmp_path):
    problems = [Problem("Tabel 4", "C4", "Fejlværdi", "#DIV/0!"), Problem("Data", "B2", "Fejlværdi", "#N/A")]
    wb = openpyxl.Workbook()
    wb.active.title = "Kontrol"
    wb.create_sheet("Tabel 4")
    wb.create_sheet("Data")
    for row in kontrol_rows(problems, dt.datetime(2018, 5, 19)):
        wb["Kontrol"].append(row)
    wb.save(tmp_path / "kontrol.xlsx")
    cells = lo_recalc(tmp_path / "kontrol.xlsx", tmp_path / "kontrol.json")["Kontrol"]
    assert cells["A5"]["value"] == "'Tabel 4'!C4" and cells["A5"]["error"] is None
    assert cells["A6"]["value"] == "Data!B2" and cells["A6"]["error"] is None


def test_the_function_reference_comes_from_the_registry():
    rows = function_reference_rows()
    assert rows[0] == ["Funktion", "Beskrivelse", "Argumenter"]
    assert [r[0] for r in rows[1:-1]] == [f.signature for f in functions()]
    assert rows[-1][0] == "SP_FEJLTEKST(celle)"
    workdays = next(r for r in rows if r[0].startswith("SP_WORKDAYS("))
    assert workdays[2].splitlines()[1].startswith("end: ")


def test_long_messages_are_cut_with_a_count():
    outcome = Outcome("check", ok=True, lines=[f"linje {i}" for i in range(40)])
    text = outcome.text(max_lines=25)
    assert text.splitlines()[-1] == "… og 15 linjer mere."
    assert len(text.splitlines()) == 26


def test_links_the_addin_could_not_repair_become_problems_of_the_workbook():
    text = f"{OTHER_PC}\nC:\\Gammel\\sp_xl.xlam\n"
    problems = handlers.unrepaired_link_problems(text)
    assert [p.address for p in problems] == ["(projektmappen)", "(projektmappen)"]
    assert problems[1].detail.startswith("Linket til C:\\Gammel\\sp_xl.xlam kunne ikke rettes automatisk.")
    assert handlers.unrepaired_link_problems("") == []
    rows = kontrol_rows(problems, dt.datetime(2018, 5, 19))
    assert rows[4][0] == "(projektmappen)"  # no cell to link to


def test_refresh_imports_the_configured_source_folder_first(tmp_path):
    from openpyxl.workbook.defined_name import DefinedName

    from sp_xl.master.build import build_master
    from sp_xl.ooxml.package import XlsxPackage

    folder = tmp_path / "udtræk"
    folder.mkdir()
    fixture = Path(__file__).resolve().parents[1] / "extracts" / "fixtures" / "minsp_brugere_cp1252.csv"
    # A newer extract: Rigshospitalet's April count revised from 58.253 to 60.253 (+2.000).
    newer = fixture.read_bytes().replace(b"52.559;58.253", b"52.559;60.253").replace(b"157.779;174.975", b"157.779;176.975")
    (folder / "minsp_brugere_2018-06-02.csv").write_bytes(newer.replace(b"Trukket: 19-05-2018", b"Trukket: 2018-06-02"))
    built = build_master(tmp_path / "built.xlsx")
    wb = openpyxl.load_workbook(built)
    wb.defined_names[handlers.SOURCE_FOLDER_NAME] = DefinedName(handlers.SOURCE_FOLDER_NAME, attr_text=f'"{folder}"')
    path = tmp_path / "sp_status.xlsx"
    wb.save(path)
    assert handlers.source_folder(path) == folder

    outcome = handlers.refresh_workbook(path)
    assert outcome.ok, outcome.lines
    text = "\n".join(outcome.lines)
    assert "minsp_brugere_2018-06-02.csv" in text and "Formler beregnet" in text
    # The revised count is in the data sheet, and the report's total growth follows it.
    pkg = XlsxPackage.open(path)
    assert pkg.cells("D_Hospitaler")["K34"] == 60253          # tMinSPBrugere, April, Rigshospitalet
    assert pkg.cells("MinSP")["N12"] == 48529 + 2000          # Tabel 4's growth, I alt


def test_a_missing_source_folder_is_said_not_ignored(tmp_path, tabel4):
    from openpyxl.workbook.defined_name import DefinedName

    wb = openpyxl.load_workbook(tabel4)
    wb.defined_names[handlers.SOURCE_FOLDER_NAME] = DefinedName(handlers.SOURCE_FOLDER_NAME, attr_text='"/findes/ikke"')
    wb.save(tabel4)
    outcome = handlers.refresh_workbook(tabel4)
    assert "Kildemappen /findes/ikke findes ikke" in outcome.lines[0]
