"""The ribbon handlers' Excel-independent cores, on real files and an openpyxl fake of the open workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from sp_xl import i18n
from sp_xl.addin import handlers
from sp_xl.actions.check import CellInfo, Problem, check_file, find_problems, kontrol_rows
from sp_xl.actions.outcome import Outcome
from sp_xl.addin.handlers import function_reference_rows, import_into_workbook, share_workbook
from sp_xl.ooxml.names import name_cell
from sp_xl.udfs import functions
from tests.checks.test_links import OTHER_PC, seed_workbook
from tests.conftest import CORPUS, lo_recalc, needs_libreoffice
from tests.importing.fake_open_book import FakeOpenBook

FIXTURES = Path(__file__).resolve().parents[1] / "extracts" / "fixtures"


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


def test_an_action_whose_engine_is_missing_says_so_in_danish(monkeypatch, tabel4):
    monkeypatch.setitem(handlers.ENGINES, "share", "sp_xl.actions.no_such_engine:share_copy")
    outcome = share_workbook(tabel4)
    assert not outcome.ok and not outcome.available
    assert outcome.lines[0].startswith("»Del som e-mail-kopi« findes ikke i denne version af sp_xl")
    with i18n.use_language("en"):
        assert share_workbook(tabel4).lines[0].startswith('"Share as e-mail copy" is not available in this version')


def test_an_engine_that_fails_gives_a_message_not_a_traceback(monkeypatch, tabel4):
    monkeypatch.setitem(handlers.ENGINES, "share", "tests.addin.test_handlers:_explode")
    outcome = share_workbook(tabel4)
    assert not outcome.ok
    assert outcome.lines == ["Delingen stoppede på grund af en intern fejl i sp_xl (RuntimeError). Intet er ændret. "
                             "Kontakt sp_xl-teamet."]
    assert "Traceback" not in outcome.text()


def test_import_checks_the_chosen_files_before_anything_runs(tabel4):
    book = FakeOpenBook(tabel4)
    assert import_into_workbook(book, []).lines == ["Ingen filer valgt – intet importeret."]
    missing = tabel4.parent / "udtræk.csv"
    assert import_into_workbook(book, [missing]).lines == [f"Filen findes ikke: {missing}"]
    assert book.calls == []


def test_import_into_a_workbook_that_is_no_master_is_one_danish_line_and_nothing_written(tabel4):
    book = FakeOpenBook(tabel4)
    outcome = import_into_workbook(book, [FIXTURES / "lpr_fejl.csv"])
    assert not outcome.ok and len(outcome.lines) == 1 and "ikke en master-projektmappe" in outcome.lines[0]
    assert book.calls == []


def test_excel_refusing_a_change_halfway_says_to_close_without_saving(tmp_path, monkeypatch):
    from sp_xl.master.build import build_master

    book = FakeOpenBook(build_master(tmp_path / "sp_status.xlsx"))

    def locked(*args):
        raise OSError("the sheet is protected")

    monkeypatch.setattr(book, "write", locked)
    outcome = import_into_workbook(book, [FIXTURES / "sager_niveau.csv"])
    assert not outcome.ok and outcome.lines == [
        "Importen i sp_status.xlsx stoppede halvvejs, fordi Excel afviste en ændring (OSError). Projektmappen er "
        "delvist ændret og ikke gemt: luk den uden at gemme, og importér igen."]


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
    assert [r[0] for r in rows[1:-1]] == [f.excel_signature for f in functions()]
    assert rows[1][0] == "SP_ATTAINMENT(faktisk; maal; [lavere_er_bedre])"   # the names Excel shows
    assert rows[-1][0] == "SP_FEJLTEKST(celle)"
    workdays = next(r for r in rows if r[0].startswith("SP_WORKDAYS("))
    assert workdays[2].splitlines()[1].startswith("slut: ")
    with i18n.use_language("en"):
        rows = function_reference_rows()
    assert [r[0] for r in rows[1:-1]] == [f.signature for f in functions()]


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


def test_refresh_imports_the_configured_source_folder_into_the_open_workbook_first(tmp_path):
    from sp_xl.master.build import build_master

    folder = tmp_path / "udtræk"
    folder.mkdir()
    fixture = FIXTURES / "minsp_brugere_cp1252.csv"
    # A newer extract: Rigshospitalet's April count revised from 58.253 to 60.253 (+2.000).
    newer = fixture.read_bytes().replace(b"52.559;58.253", b"52.559;60.253").replace(b"157.779;174.975", b"157.779;176.975")
    (folder / "minsp_brugere_2018-06-02.csv").write_bytes(newer.replace(b"Trukket: 19-05-2018", b"Trukket: 2018-06-02"))
    wb = openpyxl.load_workbook(build_master(tmp_path / "built.xlsx"))
    wb.defined_names[handlers.SOURCE_FOLDER_NAME] = DefinedName(handlers.SOURCE_FOLDER_NAME, attr_text=f'"{folder}"')
    path = tmp_path / "sp_status.xlsx"
    wb.save(path)
    # On SharePoint and with unsaved edits: read through Excel's copy, written into the open workbook.
    book = FakeOpenBook(path, fullname="https://region.sharepoint.com/sites/sp/Delte dokumenter/sp_status.xlsx",
                        saved=False)

    outcome = handlers.refresh_open_workbook(book)
    assert outcome.ok, outcome.lines
    text = "\n".join(outcome.lines)
    assert "minsp_brugere_2018-06-02.csv" in text and "er beregnet igen i Excel" in text
    assert outcome.lines[-1].startswith("sp_status.xlsx er ændret, men ikke gemt")
    assert book.wb["D_Hospitaler"]["K34"].value == 60253          # tMinSPBrugere, April, Rigshospitalet
    stamp_sheet, stamp_ref = name_cell(book.names(), "sp_SidstOpdateret")
    assert isinstance(book.wb[stamp_sheet][stamp_ref].value, dt.datetime)
    kinds = [c[0] for c in book.calls]
    assert kinds[0] == "save_copy" and kinds.count("calculate_full") == 1 and "set_hidden" in kinds
    assert kinds.index("calculate_full") > kinds.index("replace_custom_xml")      # Excel computes the new rows


def test_a_missing_source_folder_is_said_not_ignored(tabel4):
    wb = openpyxl.load_workbook(tabel4)
    wb.defined_names[handlers.SOURCE_FOLDER_NAME] = DefinedName(handlers.SOURCE_FOLDER_NAME, attr_text='"/findes/ikke"')
    wb.save(tabel4)
    book = FakeOpenBook(tabel4)
    outcome = handlers.refresh_open_workbook(book)
    assert "Kildemappen /findes/ikke findes ikke" in outcome.lines[0]
    assert book.calls == [("calculate_full",)]                    # the refresh itself still runs


def test_refresh_shows_the_period_slots_excel_filled_and_hides_the_empty_ones(tabel4):
    wb = openpyxl.load_workbook(tabel4)
    ws = wb["Tabel 4"]
    ws["F1"], ws["G1"], ws["H1"] = "januar", "", None         # a view's month headings, as Excel computed them
    ws.column_dimensions["F"].hidden = True
    wb.defined_names["sp_Vis_Tabel4"] = DefinedName("sp_Vis_Tabel4", attr_text="'Tabel 4'!$F$1:$H$1")
    wb.save(tabel4)
    book = FakeOpenBook(tabel4)
    handlers.refresh_open_workbook(book)
    dims = book.wb["Tabel 4"].column_dimensions
    assert (dims["F"].hidden, dims["G"].hidden, dims["H"].hidden) == (False, True, True)
    assert [c[0] for c in book.calls] == ["calculate_full", "set_hidden"]


def test_a_stamp_cell_holding_a_formula_is_left_to_the_workbook(tabel4):
    wb = openpyxl.load_workbook(tabel4)
    wb["Tabel 4"]["E1"] = "=NOW()"
    wb.defined_names["sp_SidstOpdateret"] = DefinedName("sp_SidstOpdateret", attr_text="'Tabel 4'!$E$1")
    wb.save(tabel4)
    book = FakeOpenBook(tabel4)
    handlers.refresh_open_workbook(book)
    assert book.wb["Tabel 4"]["E1"].value == "=NOW()" and book.calls == [("calculate_full",)]


def test_the_files_vba_picked_arrive_whole_with_aeoeaa_spaces_and_beyond_the_code_page(tmp_path):
    names = [r"C:\Users\Søren Ærø\Udtræk\marts 2018.xlsx", "\\\\fil01\\delt\\Ω rapport.csv"]

    def sp_hex(text: str) -> str:     # what SpRibbon.SpHex writes: 4 hex digits per UTF-16 unit
        return "".join(f"{ord(c):04X}" if ord(c) < 0x10000 else "" for c in text)

    handover = tmp_path / "sp_xl_valgte_filer.txt"
    handover.write_text("\r\n".join(sp_hex(n) for n in names) + "\r\n", encoding="ascii")
    assert handlers.decode_hex(sp_hex(str(handover))) == str(handover)
    assert handlers.picked_files(str(handover)) == names
    assert not handover.exists()                      # read once, then gone
    assert handlers.picked_files("") == []
    with pytest.raises(ValueError):
        handlers.decode_hex("00C")


def test_the_ribbon_asks_for_files_in_vba_and_python_never_calls_back():
    vba = (Path(handlers.__file__).parent / "vba" / "SpRibbon.bas").read_text(encoding="utf-8")
    handler_source = Path(handlers.__file__).read_text(encoding="utf-8")
    assert "GetOpenFilename" in vba.split("Public Sub SpImporterUdtraek", 1)[1].split("End Sub", 1)[0]
    assert "SpPickFiles" not in vba and "SpPickFiles" not in handler_source
    assert 'RunHandler "import", SpHex(handover)' in vba
    # The links VBA could not repair travel as the argument too; Python asks VBA for nothing a
    # dialog or a repair produced (only the kept reason of an error value is looked up).
    assert 'RunHandler "check", SpHex(RepairedLinks())' in vba and 'RunHandler "refresh", SpHex(RepairedLinks())' in vba
    assert "SpLastUnrepairedLinks" not in handler_source and "SpLastUnrepairedLinks" not in vba
    assert handler_source.count("app.macro(") == 1 and "SpErrors.SpErrorReason" in handler_source
    # Funktioner: VBA opens the one new workbook, Python writes into it (no xw.Book()).
    assert "xw.Book()" not in handler_source
    funktioner = vba.split("Public Sub SpFunktioner", 1)[1].split("End Sub", 1)[0]
    assert funktioner.count("Workbooks.Add") == 1 and funktioner.index("SpPythonProblem") < funktioner.index(
        "Workbooks.Add") < funktioner.index('RunHandler "functions"')


class _FakeApp:
    def __init__(self):
        self.calls, self.status_bar = [], None
        self.api = self

    def CalculateFull(self):  # noqa: N802 - Excel's COM name
        self.calls.append("CalculateFull")


class _FakeName:
    def __init__(self, name, refers_to):
        self.name, self.refers_to = name, refers_to


class _FakeBook:
    def __init__(self, names=()):
        self.app, self.name, self.names = _FakeApp(), "Rapport på SharePoint.xlsx", list(names)
        self.fullname = "https://region.sharepoint.com/sites/sp/Delte dokumenter/Rapport på SharePoint.xlsx"
        self.saved = self.closed = False

    def save(self):
        self.saved = True

    def close(self):
        self.closed = True


def test_refresh_without_a_source_folder_recalculates_the_open_workbook_in_place(monkeypatch):
    book = _FakeBook()
    seen = []
    monkeypatch.setattr(handlers, "_excel_check",
                        lambda b, links: seen.append(links) or Outcome("check", ok=True, lines=["Ingen problemer."]))
    outcome = handlers._excel_refresh(book, "C:\\Gammel\\sp_xl.xlam\n")
    assert seen == ["C:\\Gammel\\sp_xl.xlam\n"]                  # what VBA's repair left, passed on to the check
    assert book.app.calls == ["CalculateFull"]
    assert not book.saved and not book.closed                 # an https workbook too: nothing saved or closed
    assert outcome.ok and "er beregnet igen i Excel" in outcome.lines[0] and outcome.lines[-1] == "Ingen problemer."
    assert "ikke gemt" in outcome.lines[1]


def test_no_action_saves_closes_or_reopens_the_users_workbook_but_share():
    source = Path(handlers.__file__).read_text(encoding="utf-8")
    assert ".close()" not in source and "books.open" not in source
    assert source.count("book.save()") == 1 and "book.save()" in source.split("def _excel_share", 1)[1]


def test_vbas_hex_encoding_of_the_picked_paths_is_what_python_decodes():
    """SpRibbon.SpHex run in pyOpenVBA's VBA interpreter. (Its strings are Python's, so a
    character beyond the BMP is one character there, not a surrogate pair as in VBA: the
    test keeps to the BMP, which includes code units above &H7FFF, negative for AscW.)"""
    pytest.importorskip("pyopenvba.apps.excel", reason="pyOpenVBA's Excel model is not installed")
    from pyopenvba.apps.excel import ExcelApplication

    from sp_xl.addin.build import default_output
    from sp_xl.addin.check import read_vba_modules

    source = read_vba_modules(default_output())["SpRibbon"]
    start = source.index("Public Function SpHex")
    app = ExcelApplication()
    app.add_workbook()
    app.add_module(source[start:source.index("End Function", start) + len("End Function")], name="Hex")
    for name in (r"C:\Users\Søren Ærø\Udtræk\marts 2018.xlsx", "Ω ≥ \uff21\u9000\uffff.csv", ""):
        encoded = app.run("SpHex", name)
        assert encoded.isascii() and len(encoded) == 4 * len(name)
        assert handlers.decode_hex(encoded) == name
