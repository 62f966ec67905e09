"""`sp-xl refresh`: lossless on every real file, safe, honest, and checked against LibreOffice."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from sp_xl.errors import ExcelError
from sp_xl.i18n import use_language
from sp_xl.ooxml.calcpr import CURRENT_CALC_ID
from sp_xl.ooxml.cellrefs import range_cells
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.actions.refresh import ProgressBar, add_arguments, refresh, run_cli
from sp_xl.ooxml.safety import WorkbookRefused
from tests.conftest import CORPUS, lo_recalc, needs_libreoffice

CORPUS_FILES = sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".xlsx", ".xlsm"))
REFUSED = {"pass_protected.xlsx": "adgangskode", "issue252.xlsx": "beskadiget"}
_CELL = re.compile(rb'<(?:[\w.-]+:)?c\b[^>]*?\br="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?c>)', re.S)


def members(data: bytes) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return {n: z.read(n) for n in z.namelist()}


def without_cells(xml: bytes, refs: set[str]) -> bytes:
    """The sheet XML with the <c> elements of ``refs`` cut out."""
    return _CELL.sub(lambda m: b"" if m.group(1).decode() in refs else m.group(0), xml)


def writable(pkg: XlsxPackage) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in pkg.formulas():
        out.setdefault(f.sheet, set()).update(range_cells(f.array_ref) if f.array_ref else [f.ref])
    return out


_HIDDEN = re.compile(rb'(<(?:[\w.-]+:)?row\b[^>]*?) hidden="1"')
_COLS = re.compile(rb"<(?:[\w.-]+:)?cols\b.*?</(?:[\w.-]+:)?cols>", re.S)


def without_visibility(xml: bytes) -> bytes:
    """The sheet XML without which rows and columns are hidden (the report views' empty slots)."""
    return _COLS.sub(b"", _HIDDEN.sub(rb"\1", xml))


def assert_lossless(before: bytes, after: bytes, *, calc_pr_may_change: bool,
                    stamp: tuple[str, str] | None = None, visibility_may_change: bool = False) -> None:
    """Every member identical except formula cells in sheets (and calcPr in workbook.xml, the
    "last refreshed" stamp cell when the workbook names one, and - for a workbook with report
    views (``sp_Vis_`` names) - which of their rows and columns are hidden)."""
    old_pkg = XlsxPackage(before)
    a, b = members(before), members(after)
    assert list(a) == list(b), "member order changed"
    sheet_of_part = {old_pkg.zip_name(s.part): s.name for s in old_pkg.sheets if s.part}
    cells = writable(old_pkg)
    if stamp:
        cells.setdefault(stamp[0], set()).add(stamp[1])
    for name in a:
        if a[name] == b[name]:
            continue
        if name == old_pkg.zip_name(old_pkg.workbook_part) and calc_pr_may_change:
            strip = re.compile(rb"<(?:[\w.-]+:)?calcPr\b[^>]*/>")
            assert strip.sub(b"", a[name]) == strip.sub(b"", b[name]), "workbook.xml changed outside calcPr"
            continue
        assert name in sheet_of_part, f"{name} changed but holds no formulas"
        refs = cells.get(sheet_of_part[name], set())
        old, new = without_cells(a[name], refs), without_cells(b[name], refs)
        if visibility_may_change:
            old, new = without_visibility(old), without_visibility(new)
        assert old == new, f"{name} changed outside formula cells"


# ---------------------------------------------------------------- the proof on real files

@pytest.mark.parametrize("name", CORPUS_FILES)
def test_refresh_is_lossless_on_every_real_file_or_refuses_it_untouched(name, tmp_path):
    book = tmp_path / name
    shutil.copy(CORPUS / name, book)
    before = book.read_bytes()
    if name in REFUSED:
        with pytest.raises(WorkbookRefused) as info:
            refresh(book)
        assert REFUSED[name] in info.value.reason_da
        assert book.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [name]
        return
    summary = refresh(book)
    after = book.read_bytes()
    assert summary.changed == (after != before)
    assert_lossless(before, after, calc_pr_may_change=False)   # no SP_ functions in the corpus
    new = XlsxPackage(after)
    old = XlsxPackage(before)
    kept = {(p.sheet, p.ref) for p in summary.problems}
    for f in old.formulas():                      # honest: a problem cell keeps its old <c> byte for byte
        if (f.sheet, f.ref) in kept:
            assert new.cells(f.sheet).get(f.ref) == old.cells(f.sheet).get(f.ref) or f.cached is None
    if summary.changed:
        assert summary.backup.read_bytes() == before


def with_formulas_added(src: Path, dst: Path) -> Path:
    """A copy of a real file with two formula cells appended to its first worksheet, every other
    member byte-identical (so the refresh really has to rewrite a sheet of that file)."""
    pkg = XlsxPackage.open(src)
    part = next(s.part for s in pkg.sheets if s.part and s.kind == "worksheet")
    xml = pkg.read(part)
    m = re.search(rb"<([\w.-]+:)?sheetData\b[^>]*?(/?)>", xml)
    p = m.group(1) or b""                                # the namespace prefix, b"" or b"x:"
    row = (b"<" + p + b'row r="1048000"><' + p + b'c r="A1048000"><' + p + b"f>1+1</" + p + b"f></" + p + b"c><"
           + p + b'c r="B1048000"><' + p + b"f>SP_ROUND_CA(48529)</" + p + b"f></" + p + b"c></" + p + b"row>")
    if m.group(2):                                       # <sheetData/>
        new_xml = xml[:m.start()] + b"<" + p + b"sheetData>" + row + b"</" + p + b"sheetData>" + xml[m.end():]
    else:
        close = xml.index(b"</" + p + b"sheetData>")
        new_xml = xml[:close] + row + xml[close:]
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, new_xml if info.filename.replace("\\", "/") == part else zin.read(info.filename))
    return dst


@pytest.mark.parametrize("name", ["vba.xlsm", "issue281.xlsm", "any_sheets.xlsx", "issue438.xlsx", "issue_261.xlsx",
                                  "issue_530.xlsx", "picture_richdata.xlsx", "pictures_in_cell_and_over_cell.xlsx",
                                  "inventory-table.xlsx", "hyperlinks.xlsx", "pivots.xlsx", "richtext-namespaced.xlsx"])
def test_vba_charts_pictures_tables_comments_and_pivots_survive_a_real_rewrite(name, tmp_path):
    from sp_xl.udfs import SP_ROUND_CA
    book = with_formulas_added(CORPUS / name, tmp_path / name)
    before = book.read_bytes()
    summary = refresh(book)
    after = book.read_bytes()
    assert summary.changed and summary.recalc_on_open_disabled
    assert_lossless(before, after, calc_pr_may_change=True)
    cells = XlsxPackage(after).cells(next(s.name for s in XlsxPackage(after).sheets if s.part and s.kind == "worksheet"))
    assert cells["A1048000"] == 2.0 and cells["B1048000"] == SP_ROUND_CA(48529) == 50000


def test_a_write_that_does_not_read_back_is_refused_and_the_file_kept(tmp_path, monkeypatch):
    book = small_book(tmp_path / "mål.xlsx")
    before = book.read_bytes()
    monkeypatch.setattr(XlsxPackage, "with_values",
                        lambda self, values, **kw: self._rezip({}))     # "forgets" to write the values
    with pytest.raises(WorkbookRefused, match="kunne ikke kontrolleres"):
        refresh(book, evaluate=engine_that_cannot_do_mystery)
    assert book.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["mål.xlsx"]


def test_a_spliced_value_that_does_not_read_back_is_refused_and_the_file_kept(tmp_path, monkeypatch):
    from sp_xl.ooxml import valuesplice
    book = small_book(tmp_path / "mål.xlsx")
    before = book.read_bytes()
    real = valuesplice.number_texts
    monkeypatch.setattr(valuesplice, "number_texts", lambda numbers: real([x + 1 for x in numbers]))
    with pytest.raises(WorkbookRefused, match="kunne ikke kontrolleres"):
        refresh(book, evaluate=engine_that_cannot_do_mystery)
    assert book.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["mål.xlsx"]


def test_a_refreshed_file_refreshed_again_does_not_change(tmp_path):
    book = tmp_path / "pivots.xlsx"
    shutil.copy(CORPUS / "pivots.xlsx", book)
    assert refresh(book, backup=False).changed
    once = book.read_bytes()
    second = refresh(book, backup=False)
    assert not second.changed and book.read_bytes() == once


# ---------------------------------------------------------------- the master workbook

@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    master_mod = pytest.importorskip("sp_xl.master.build")
    path = tmp_path_factory.mktemp("master") / "sp_status.xlsx"
    master_mod.build_master(path)
    return path


@pytest.fixture(scope="module")
def refreshed_master(master, tmp_path_factory) -> tuple[bytes, Path, object]:
    book = tmp_path_factory.mktemp("refreshed") / "sp_status.xlsx"
    shutil.copy(master, book)
    before = book.read_bytes()
    return before, book, refresh(book)


def test_the_master_refresh_is_lossless_and_stops_excel_recalculating_on_open(refreshed_master):
    before, book, summary = refreshed_master
    after = book.read_bytes()
    assert_lossless(before, after, calc_pr_may_change=True, stamp=("Forside", "B5"), visibility_may_change=True)
    # The months, days and weeks without data are hidden: June-December on Anvendelse, the days
    # after 18 May on the LPR appendix, the weeks before week 1 of 2018 on Support.
    sheets = {s.name: s.part for s in XlsxPackage(after).sheets}
    usage, lpr = members(after)[sheets["Anvendelse"]], members(after)[sheets["LPR-bilag"]]
    assert b'<col min="8" max="14"' in usage and b'hidden="1"' in usage.split(b'<col min="8" max="14"')[1].split(b"/>")[0]
    assert re.search(rb'<row r="144"(?![^>]*hidden)', lpr) and re.search(rb'<row r="145"[^>]*hidden="1"', lpr)
    # The stamp records when the refresh ran (a date serial in the cell sp_SidstOpdateret names).
    stamped = XlsxPackage(after).cells("Forside")["B5"]
    assert isinstance(stamped, float) and abs(stamped - (dt.datetime.now() - dt.datetime(1899, 12, 30)).days) <= 1
    calc_pr = re.search(rb"<calcPr\b[^>]*/>", members(after)["xl/workbook.xml"]).group(0)
    assert calc_pr == b'<calcPr calcId="%d"/>' % CURRENT_CALC_ID and summary.recalc_on_open_disabled
    assert summary.formulas_computed > 1000 and not summary.problems


def test_the_master_summary_lists_sheets_counts_and_error_cells(refreshed_master):
    _, book, summary = refreshed_master
    pkg = XlsxPackage(book.read_bytes())
    assert summary.sheets == pkg.sheet_names
    assert sum(summary.computed.values()) == sum(1 for f in pkg.formulas() if f.sheet in summary.computed)
    stored_errors = [(f.sheet, f.ref) for f in pkg.formulas()
                     if isinstance(pkg.cells(f.sheet).get(f.ref), ExcelError)]
    assert sorted((s, r) for s, r, _, _ in summary.errors) == sorted(stored_errors)
    report = json.loads(json.dumps(summary.to_json()))
    assert report["formulas_computed"] == summary.formulas_computed
    assert all(e["reason"] for e in report["error_cells"])


@needs_libreoffice
def test_the_masters_built_in_formulas_match_libreoffices_recalculation(refreshed_master, tmp_path):
    _, book, _ = refreshed_master
    ours = XlsxPackage(book.read_bytes())
    lo = lo_recalc(book, tmp_path / "lo.json")
    compared = 0
    for f in ours.formulas():
        theirs = lo[f.sheet].get(f.ref, {})
        if theirs.get("error") == "#NAME?" or not theirs:
            continue                         # SP_ functions and what depends on them: LibreOffice cannot know
        mine = ours.cells(f.sheet).get(f.ref)
        if theirs.get("error") is not None:
            assert isinstance(mine, ExcelError) and str(mine) in (theirs["error"], theirs.get("error_xlsx")), f
        elif isinstance(theirs["value"], (int, float)) and not isinstance(theirs["value"], bool):
            assert mine == pytest.approx(theirs["value"], rel=1e-9, abs=1e-9), f
        else:
            assert mine == theirs["value"], f
        compared += 1
    assert compared >= 50


# ---------------------------------------------------------------- honest and safe

@dataclass
class FakeProblem:
    sheet: str
    ref: str
    formula: str
    reason_da: str
    reason_en: str


@dataclass
class FakeEvaluation:
    values: dict
    problems: list = field(default_factory=list)


def small_book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Mål"
    ws["A1"], ws["A2"] = 1807, 2200
    ws["B1"] = "=SP_ATTAINMENT(A1,A2)"
    ws["B2"] = "=A1/0"
    ws["B3"] = "=MYSTERY(A1)"
    wb.save(path)
    return path


def engine_that_cannot_do_mystery(pkg, progress=None):
    if progress:
        progress(3, 3)
    return FakeEvaluation(
        {("Mål", "B1"): 1807 / 2200, ("Mål", "B2"): ExcelError("#DIV/0!", "Division med 0.", "Division by 0."),
         ("Mål", "B3"): 123.0, ("Mål", "A1"): 5.0},                 # B3 is a guess, A1 a constant
        [FakeProblem("Mål", "B3", "MYSTERY(A1)", "Ukendt funktion MYSTERY.", "Unknown function MYSTERY.")])


def test_a_formula_that_cannot_be_computed_keeps_its_old_value_and_is_reported(tmp_path):
    book = small_book(tmp_path / "mål.xlsx")
    summary = refresh(book, evaluate=engine_that_cannot_do_mystery)
    cells = XlsxPackage.open(book).cells("Mål")
    assert cells["B1"] == pytest.approx(0.8213636363636364) and str(cells["B2"]) == "#DIV/0!"
    assert "B3" not in cells and cells["A1"] == 1807.0               # no guess stored, constant untouched
    assert summary.errors == [("Mål", "B2", "#DIV/0!", "Division med 0.")]
    text = summary.describe()
    assert "Mål!B2: #DIV/0! Division med 0." in text
    assert "Mål!B3 =MYSTERY(A1): Ukendt funktion MYSTERY." in text and "beholder deres gamle værdi" in text
    with use_language("en"):
        assert "Unknown function MYSTERY." in summary.describe()


def test_an_array_formula_that_fails_keeps_its_whole_old_range(tmp_path):
    book = tmp_path / "array.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "S"
    wb.active["A1"] = ArrayFormula("A1:A3", "=SP_CUMULATIVE(B1:B3)")
    wb.save(book)

    def half_done(pkg, progress=None):
        return FakeEvaluation({("S", "A1"): 1.0, ("S", "A2"): 2.0, ("S", "A3"): 3.0},
                              [FakeProblem("S", "A1", "SP_CUMULATIVE(B1:B3)", "Fejl.", "Error.")])
    summary = refresh(book, evaluate=half_done)
    assert not summary.changed and XlsxPackage.open(book).cells("S") == {}


def test_a_formula_the_engine_skips_silently_is_reported_too(tmp_path):
    book = small_book(tmp_path / "mål.xlsx")

    def forgetful(pkg, progress=None):
        return FakeEvaluation({("Mål", "B1"): 0.5})
    summary = refresh(book, evaluate=forgetful)
    assert [(p.ref, p.reason_da) for p in summary.problems] == [
        ("B2", "Beregningsmotoren gav ingen værdi for formlen."), ("B3", "Beregningsmotoren gav ingen værdi for formlen.")]


def test_a_workbook_changed_on_disk_during_the_refresh_is_left_untouched(tmp_path):
    book = small_book(tmp_path / "mål.xlsx")

    def analyst_saves_meanwhile():
        book.write_bytes(book.read_bytes() + b"\0")
    with pytest.raises(WorkbookRefused, match="ændret på disken"):
        refresh(book, evaluate=engine_that_cannot_do_mystery, before_replace=analyst_saves_meanwhile)
    assert XlsxPackage(book.read_bytes()[:-1]).cells("Mål").get("B1") is None    # our values never landed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mål.xlsx"]


@pytest.mark.parametrize("prepare, words", [
    (lambda p: p.with_name("~$" + p.name).write_bytes(b"x"), "åben i Excel"),
    (lambda p: p.write_bytes((CORPUS / "pass_protected.xlsx").read_bytes()), "adgangskode"),
    (lambda p: p.write_text("dato;antal\n2018-01-01;3\n"), "ikke en Excel-projektmappe"),
])
def test_refusals_leave_the_file_exactly_as_it_was(tmp_path, prepare, words):
    book = small_book(tmp_path / "mål.xlsx")
    prepare(book)
    before = book.read_bytes()
    with pytest.raises(WorkbookRefused, match=words):
        refresh(book, evaluate=engine_that_cannot_do_mystery)
    assert book.read_bytes() == before and not (tmp_path / "sp-xl-backup").exists()


def test_a_workbook_without_formulas_is_not_rewritten(tmp_path):
    book = tmp_path / "any_sheets.xlsx"
    shutil.copy(CORPUS / "any_sheets.xlsx", book)
    mtime = book.stat().st_mtime_ns
    summary = refresh(book)
    assert not summary.changed and summary.backup is None and book.stat().st_mtime_ns == mtime
    assert "Uændret" in summary.describe()


def test_without_sp_functions_calc_pr_stays_as_excel_wrote_it(tmp_path):
    book = tmp_path / "table_with_absolute_paths.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["A2"] = 2, "=A1*2"
    wb.save(book)
    before = members(book.read_bytes())["xl/workbook.xml"]
    assert refresh(book).changed
    assert members(book.read_bytes())["xl/workbook.xml"] == before     # fullCalcOnLoad kept: harmless here


# ---------------------------------------------------------------- command line

def cli(*argv: str, evaluate=engine_that_cannot_do_mystery) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    out, err = io.StringIO(), io.StringIO()
    code = run_cli(parser.parse_args(list(argv)), stdout=out, stderr=err, evaluate=evaluate)
    return code, out.getvalue(), err.getvalue()


def test_cli_json_summary(tmp_path):
    book = small_book(tmp_path / "mål.xlsx")
    code, out, err = cli(str(book), "--json", "--no-backup")
    report = json.loads(out)
    assert code == 0 and err == ""
    assert report["ok"] and report["backup"] is None and report["formulas_computed"] == 2
    assert report["error_cells"] == [{"sheet": "Mål", "cell": "B2", "code": "#DIV/0!", "reason": "Division med 0."}]
    assert report["problems"][0]["cell"] == "B3"


def test_cli_quiet_prints_nothing_and_human_output_is_danish(tmp_path):
    book = small_book(tmp_path / "mål.xlsx")
    assert cli(str(book), "--quiet") == (0, "", "")
    code, out, _ = cli(str(small_book(tmp_path / "ny.xlsx")))
    assert code == 0 and "Formler beregnet i alt: 2" in out and "Forrige version gemt som" in out


def test_cli_refusal_is_one_danish_line_without_traceback(tmp_path):
    book = tmp_path / "udtræk.xlsx"
    book.write_text("ikke en projektmappe")
    code, out, err = cli(str(book))
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("Afvist: ")
    assert "Traceback" not in err
    code, out, _ = cli(str(book), "--json")
    assert code == 2 and json.loads(out)["ok"] is False


def test_cli_unexpected_failure_is_one_line_and_the_file_is_kept(tmp_path):
    book = small_book(tmp_path / "mål.xlsx")
    before = book.read_bytes()

    def broken(pkg, progress=None):
        raise RuntimeError("motor gik i stå")
    code, _, err = cli(str(book), evaluate=broken)
    assert code == 2 and err.count("\n") == 1 and book.read_bytes() == before
    assert err == ("Afvist: Opdateringen af mål.xlsx stoppede på grund af en intern fejl i sp_xl (RuntimeError). "
                   "Intet er ændret. Kør kommandoen igen med --debug, og send udskriften til sp_xl-teamet.\n")


def test_progress_bar_draws_on_long_work_only():
    stream = io.StringIO()
    bar = ProgressBar(stream, label="Beregner", delay=0.0, force=True)
    bar(5, 10)
    bar(10, 10)
    bar.close()
    assert "Beregner [" in stream.getvalue() and "10/10" in stream.getvalue()
    quiet = io.StringIO()
    ProgressBar(quiet)(1, 2)                      # not a terminal: nothing drawn
    assert quiet.getvalue() == ""
