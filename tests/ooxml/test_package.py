"""The lossless package layer: reading cells and formulas, splicing cached values back.

Reading is checked against LibreOffice (an independent reader) on real files from the
corpus, and against hand-written XML. Writing is checked byte by byte: only the cells we
mean to change may differ.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import subprocess
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.formula import ArrayFormula

from sp_xl.errors import ExcelError
from sp_xl.ooxml.calcpr import CURRENT_CALC_ID
from sp_xl.ooxml.cellrefs import range_cells
from sp_xl.ooxml.cellvalues import serialise_value
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.safety import WorkbookRefused
from tests.conftest import CORPUS, LO_ORACLE, needs_libreoffice

# ---------------------------------------------------------------- hand-made packages

_CT = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       b'<Default Extension="xml" ContentType="application/xml"/>'
       b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       b'</Types>')
_ROOT_RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
              b'</Relationships>')
_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def make_package(sheets: dict[str, bytes], shared: list[str] | None = None, workbook_extra: bytes = b"",
                 calc_pr: bytes = b'<calcPr calcId="124519" fullCalcOnLoad="1"/>') -> bytes:
    """A minimal but valid .xlsx with the given <sheetData> contents."""
    rels = [b'<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            b'Target="worksheets/sheet%d.xml"/>' % (i + 1, i + 1) for i in range(len(sheets))]
    rels.append(b'<Relationship Id="rSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>')
    sheet_els = b"".join(b'<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (n.encode(), i + 1, i + 1)
                         for i, n in enumerate(sheets))
    wb = (b'<?xml version="1.0" encoding="UTF-8"?><workbook ' + _NS + b'><workbookPr/><sheets>' + sheet_els
          + b'</sheets>' + workbook_extra + calc_pr + b'</workbook>')
    sst = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           + b"".join(b"<si><t>" + s.encode() + b"</t></si>" for s in (shared or [])) + b"</sst>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels",
                   b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   + b"".join(rels) + b"</Relationships>")
        z.writestr("xl/sharedStrings.xml", sst)
        for i, body in enumerate(sheets.values()):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml",
                       b'<?xml version="1.0"?><worksheet ' + _NS + b"><sheetData>" + body + b"</sheetData></worksheet>")
    return buf.getvalue()


def member(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


# ---------------------------------------------------------------- reading, by hand

def test_every_kind_of_cell_value_is_read_as_excel_means_it():
    pkg = XlsxPackage(make_package({"Data": (
        b'<row r="1"><c r="A1"><v>12.5</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="b"><v>1</v></c>'
        b'<c r="D1" t="e"><v>#DIV/0!</v></c><c r="E1" t="inlineStr"><is><r><t>Rig</t></r><r><t xml:space="preserve">s hospital</t></r></is></c>'
        b'<c r="F1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="G1" s="3"/><c r="H1" t="d"><v>2018-04-10T12:00:00</v></c></row>'
        b'<row r="2"><c r="A2" t="e"><v>#SPILL!</v></c><c r="B2" t="s"><v>0</v></c></row>')},
        shared=["Herlev_x000D_Gentofte", "Bispebjerg &amp; Frederiksberg"]))
    cells = pkg.cells("Data")
    assert cells["A1"] == 12.5
    assert cells["B1"] == "Bispebjerg & Frederiksberg"
    assert cells["C1"] is True
    assert isinstance(cells["D1"], ExcelError) and str(cells["D1"]) == "#DIV/0!"
    assert cells["E1"] == "Rigs hospital"
    assert cells["F1"] == "ab"
    assert "G1" not in cells                         # styled but empty
    assert cells["H1"] == 43200.5                    # 10 April 2018, noon, as an Excel serial
    assert str(cells["A2"]) == "#VALUE!" and "#SPILL!" in cells["A2"].reason   # newer Excel error
    assert cells["B2"] == "Herlev\rGentofte"         # ST_Xstring escape for a carriage return


def test_cells_without_r_attributes_get_their_position_from_their_order():
    pkg = XlsxPackage(make_package({"S": b"<row><c><v>1</v></c><c><v>2</v></c></row><row><c/><c><v>4</v></c></row>"
                                         b'<row r="7"><c r="C7"><v>5</v></c><c><v>6</v></c></row>'}))
    assert pkg.cells("S") == {"A1": 1.0, "B1": 2.0, "B2": 4.0, "C7": 5.0, "D7": 6.0}


def test_shared_formulas_are_translated_to_each_cell_and_arrays_keep_their_range():
    pkg = XlsxPackage(make_package({"S": (
        b'<row r="2"><c r="A2"><v>1</v></c><c r="B2"><f t="shared" ref="B2:B4" si="0">A2*$A$1+SUM(A$2:A2)</f><v>1</v></c></row>'
        b'<row r="3"><c r="B3"><f t="shared" si="0"/><v>2</v></c></row>'
        b'<row r="4"><c r="B4"><f t="shared" si="0"/></c><c r="C4"><f t="array" ref="C4:D5">SP_TOPN(A1:A3,B1:B3,2)</f><v>7</v></c></row>'
        b'<row r="6"><c r="E6"><f t="dataTable" ref="E6:E8" dt2D="0" dtr="0" r1="A1"/><v>0</v></c></row>')}))
    got = {f.ref: (f.formula, f.array_ref, f.cached) for f in pkg.formulas()}
    assert got["B2"] == ("A2*$A$1+SUM(A$2:A2)", None, 1.0)
    assert got["B3"] == ("A3*$A$1+SUM(A$2:A3)", None, 2.0)
    assert got["B4"] == ("A4*$A$1+SUM(A$2:A4)", None, None)
    assert got["C4"] == ("SP_TOPN(A1:A3,B1:B3,2)", "C4:D5", 7.0)
    assert got["E6"][0] == "TABLE(A1)"               # a what-if table: listed so it gets reported


def test_workbook_facts_defined_names_1904_and_tables():
    pkg = XlsxPackage.open(CORPUS / "date_1904.xlsx")
    assert pkg.date1904 is True
    pkg = XlsxPackage.open(CORPUS / "table-multiple.xlsx")
    tables = pkg.tables()
    assert set(tables) == {"Inventory", "Pricing", "Sales_Alice", "Sales_Bob"}
    sheet, area, columns = tables["Inventory"]
    assert sheet in pkg.sheet_names and re.fullmatch(r"[A-Z]+\d+:[A-Z]+\d+", area) and columns
    wb = XlsxPackage(make_package({"Mål": b""}, workbook_extra=(
        '<definedNames><definedName name="Mål_Ordresæt">Mål!$B$2</definedName>'
        '<definedName name="Lokal" localSheetId="0">Mål!$C$3</definedName></definedNames>').encode()))
    assert wb.defined_names == {"Mål_Ordresæt": "Mål!$B$2"}
    assert wb.local_names == {("Mål", "Lokal"): "Mål!$C$3"}


def test_odd_but_real_packages_are_read():
    # strict OOXML namespaces, a foreign relationship prefix, x:-prefixed cells, backslash paths
    assert len(XlsxPackage.open(CORPUS / "strict_iso_paths.xlsx").cells("ml_out")) == 1368
    assert XlsxPackage.open(CORPUS / "nonstandard-xml-ns-prefix.xlsx").cells("Sheet1")["B3"] == 4.0
    assert XlsxPackage.open(CORPUS / "richtext-namespaced.xlsx").cells("Sheet1")["A1"].startswith("inline string")
    assert XlsxPackage.open(CORPUS / "issue_530.xlsx").sheet_names == ["出勤分类组织汇总表"]
    assert XlsxPackage.open(CORPUS / "rph.xlsx").cells("Sheet1")["A1"] == "課きく\u3000毛こ"   # no phonetic runs
    assert XlsxPackage.open(CORPUS / "inlineStr_cdata.xlsx").cells("Sheet1")["A1"] == "Hello CDATA"


@pytest.mark.parametrize("name, words", [
    ("pass_protected.xlsx", "adgangskode"),
    ("issue252.xlsx", "beskadiget"),
])
def test_unreadable_corpus_files_are_refused_with_the_reason(name, words):
    with pytest.raises(WorkbookRefused) as info:
        XlsxPackage.open(CORPUS / name)
    assert words in info.value.reason_da and info.value.reason_en


# ---------------------------------------------------------------- reading, against LibreOffice

LO_FILES = ["shared_formula_reversed.xlsx", "issue_565_multi_axis_shared.xlsx", "issue_567_absolute_shared.xlsx",
            "non_monotonic_si.xlsx", "strict_iso_paths.xlsx", "minimal_package.xlsx", "date_1904.xlsx",
            "table-multiple.xlsx", "issues.xlsx", "issue_553.xlsx", "encoded_entities.xlsx", "merged_range.xlsx"]


def _lo_cached(path: Path, out: Path) -> dict:
    proc = subprocess.run(["python3", str(LO_ORACLE), "--timeout", "120", "recalc", str(path), str(out), "--no-recalc"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def lo_views(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lo")
    with ThreadPoolExecutor(4) as pool:
        views = pool.map(lambda n: _lo_cached(CORPUS / n, tmp / (n + ".json")), LO_FILES)
        return dict(zip(LO_FILES, views, strict=True))


def same_value(ours, lo_cell) -> bool:
    if lo_cell.get("error") is not None:
        return isinstance(ours, ExcelError) and str(ours) in (lo_cell["error"], lo_cell.get("error_xlsx"))
    v = lo_cell["value"]
    if isinstance(v, bool):
        return ours is v
    if isinstance(v, (int, float)):
        return isinstance(ours, float) and math.isclose(ours, v, rel_tol=1e-12, abs_tol=1e-12)
    return ours == v


@needs_libreoffice
@pytest.mark.parametrize("name", LO_FILES)
def test_values_and_formulas_match_what_libreoffice_reads(name, lo_views):
    lo = lo_views[name]
    pkg = XlsxPackage.open(CORPUS / name)
    assert set(pkg.sheet_names) == set(lo)
    for sheet in pkg.sheet_names:
        ours = pkg.cells(sheet)
        theirs = {r: c for r, c in lo[sheet].items() if not (c["value"] in ("", None) and c.get("error") is None)}
        assert set(ours) - {r for r, v in ours.items() if v == ""} == set(theirs), sheet
        bad = [(r, ours[r], theirs[r]) for r in theirs if not same_value(ours[r], theirs[r])]
        assert not bad, bad[:5]
    ours_f = {(f.sheet, f.ref): "=" + f.formula for f in pkg.formulas()}
    theirs_f = {(s, r): c["formula"] for s, cells in lo.items() for r, c in cells.items()
                if c.get("formula") and c["formula"] not in ("=TRUE()", "=FALSE()")}
    assert {k: v.replace(" ", "") for k, v in ours_f.items()} == {k: v.replace(" ", "") for k, v in theirs_f.items()}


# ---------------------------------------------------------------- writing

SHEET = (b'<row r="1" spans="1:4"><c r="A1"><v>10</v></c><c r="B1" s="2" t="str"><f>SP_STATUS(A1,20)</f><v>Gul</v></c>'
         b'<c r="C1" s="5"><f t="array" ref="C1:D3">SP_TOPN(A1:A3,A1:A3,3)</f></c></row>'
         b'<row r="2"><c r="A2"><v>20</v></c><c r="D2" s="7"/></row>'
         b'<row r="4" ht="20" customHeight="1"/>'
         b'<row r="5"><c r="A5"><f>SUM(A1:A2)</f><v>30</v></c><c r="B5" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>')


def test_only_the_given_cells_change_and_every_other_byte_stays():
    data = make_package({"Data": SHEET})
    pkg = XlsxPackage(data)
    new = pkg.with_values({("Data", "B1"): "Rød", ("Data", "A5"): 30.0, ("Data", "B5"): 0.25})
    old_xml, new_xml = member(data, "xl/worksheets/sheet1.xml"), member(new, "xl/worksheets/sheet1.xml")
    assert b'<c r="B1" s="2" t="str"><f>SP_STATUS(A1,20)</f><v>R\xc3\xb8d</v></c>' in new_xml
    assert b'<c r="A5"><f>SUM(A1:A2)</f><v>30</v></c>' in new_xml
    assert b'<c r="B5"><f>1/0</f><v>0.25</v></c>' in new_xml       # the error type is gone with the error
    for old_cell, new_cell in [(b'<v>Gul</v>', b'<v>R\xc3\xb8d</v>'),
                               (b'<c r="B5" t="e"><f>1/0</f><v>#DIV/0!</v></c>', b'<c r="B5"><f>1/0</f><v>0.25</v></c>')]:
        old_xml = old_xml.replace(old_cell, new_cell)
    assert new_xml == old_xml
    a, b = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(new))
    assert a.namelist() == b.namelist()
    assert [n for n in a.namelist() if a.read(n) != b.read(n)] == ["xl/worksheets/sheet1.xml"]


def test_array_results_fill_existing_cells_and_create_missing_ones_in_order():
    pkg = XlsxPackage(make_package({"Data": SHEET}))
    values = {("Data", r): float(i) for i, r in enumerate(range_cells("C1:D3"))}
    xml = member(pkg.with_values(values), "xl/worksheets/sheet1.xml")
    assert (b'<c r="C1" s="5"><f t="array" ref="C1:D3">SP_TOPN(A1:A3,A1:A3,3)</f><v>0</v></c>'
            b'<c r="D1"><v>1</v></c></row>') in xml
    assert b'<row r="2"><c r="A2"><v>20</v></c><c r="C2"><v>2</v></c><c r="D2" s="7"><v>3</v></c></row>' in xml
    assert b'<row r="3"><c r="C3"><v>4</v></c><c r="D3"><v>5</v></c></row><row r="4" ht="20" customHeight="1"/>' in xml
    again = XlsxPackage(pkg.with_values(values))
    assert [again.cells("Data")[r] for r in range_cells("C1:D3")] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert again.cells("Data")["A2"] == 20.0


def test_array_cells_go_into_a_self_closing_row_and_after_the_last_row():
    sheet = (b'<row r="1"><c r="A1"><f t="array" ref="A1:A3">SP_CUMULATIVE(B1:B3)</f><v>1</v></c></row>'
             b'<row r="2" ht="30" customHeight="1"/>')
    pkg = XlsxPackage(make_package({"S": sheet}))
    xml = member(pkg.with_values({("S", "A1"): 1, ("S", "A2"): 3, ("S", "A3"): 6}), "xl/worksheets/sheet1.xml")
    assert (b'<row r="2" ht="30" customHeight="1"><c r="A2"><v>3</v></c></row>'
            b'<row r="3"><c r="A3"><v>6</v></c></row></sheetData>') in xml


def test_prefixed_sheets_get_prefixed_elements():
    data = make_package({"S": b""})
    prefixed = (b'<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<x:sheetData><x:row r="1"><x:c r="A1"><x:f t="array" ref="A1:B1">SP_TOPN(C1:C2,D1:D2,1)</x:f></x:c>'
                b'</x:row></x:sheetData></x:worksheet>')
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for n in src.namelist():
            dst.writestr(n, prefixed if n == "xl/worksheets/sheet1.xml" else src.read(n))
    pkg = XlsxPackage(buf.getvalue())
    xml = member(pkg.with_values({("S", "A1"): "Herlev", ("S", "B1"): 12}), "xl/worksheets/sheet1.xml")
    assert (b'<x:c r="A1" t="str"><x:f t="array" ref="A1:B1">SP_TOPN(C1:C2,D1:D2,1)</x:f><x:v>Herlev</x:v></x:c>'
            b'<x:c r="B1"><x:v>12</x:v></x:c></x:row>') in xml


def test_constants_are_never_overwritten():
    pkg = XlsxPackage(make_package({"Data": SHEET}))
    with pytest.raises(ValueError, match="A1"):
        pkg.with_values({("Data", "A1"): 99})


def test_nothing_to_change_gives_none():
    assert XlsxPackage(make_package({"Data": SHEET})).with_values({}) is None


@pytest.mark.parametrize("value, t, text", [
    (3.0, None, b"3"), (0.1 + 0.2, None, b"0.30000000000000004"), (-1e-300, None, b"-1e-300"),
    (2**53 + 2.0, None, b"9007199254740994"), (True, "b", b"1"), (False, "b", b"0"),
    (ExcelError("#N/A"), "e", b"#N/A"), (float("nan"), "e", b"#NUM!"), (float("inf"), "e", b"#NUM!"),
    ("a < b & c", "str", b"a &lt; b &amp; c"), ("tab\there", "str", b"tab\there"),
    ("bell\x07", "str", b"bell_x0007_"), ("_x0041_", "str", b"_x005F_x0041_"), ("cr\r", "str", b"cr_x000D_"),
    (dt.date(2018, 4, 10), None, b"43200"), (None, None, b"0"),
])
def test_values_are_serialised_as_excel_stores_them(value, t, text):
    assert serialise_value(value) == (t, text)


def test_dates_use_the_1904_system_when_the_workbook_does():
    assert serialise_value(dt.datetime(2018, 4, 10, 12), date1904=True) == (None, b"41738.5")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(
    st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.sampled_from([ExcelError(c) for c in ("#DIV/0!", "#N/A", "#VALUE!", "#REF!")])), min_size=3, max_size=3))
def test_any_value_written_reads_back_unchanged(values):
    sheet = b"".join(b'<row r="%d"><c r="A%d"><f>X()</f><v>0</v></c></row>' % (i, i) for i in (1, 2, 3))
    pkg = XlsxPackage(make_package({"S": sheet}))
    new = pkg.with_values({("S", f"A{i + 1}"): v for i, v in enumerate(values)})
    again = XlsxPackage(new or pkg.data).cells("S")       # None: the values were already stored
    for i, v in enumerate(values):
        got = again[f"A{i + 1}"]
        if isinstance(v, ExcelError):
            assert str(got) == str(v)
        elif isinstance(v, bool):
            assert got is v
        elif isinstance(v, float):
            assert got == v
        else:
            assert got == v


# ---------------------------------------------------------------- calcPr

def calc_pr_after(calc_pr: bytes, extra: bytes = b"") -> bytes:
    pkg = XlsxPackage(make_package({"Data": SHEET}, calc_pr=calc_pr, workbook_extra=extra))
    new = pkg.with_values({("Data", "A5"): 31}, stop_recalc_on_open=True)
    return member(new, "xl/workbook.xml")


def test_calc_pr_loses_full_calc_on_load_and_gets_a_current_calc_id():
    wb = calc_pr_after(b'<calcPr calcId="124519" fullCalcOnLoad="1"/>')
    assert b'<calcPr calcId="%d"/></workbook>' % CURRENT_CALC_ID in wb
    wb = calc_pr_after(b'<calcPr iterate="1" calcId="191030" concurrentCalc="0" fullCalcOnLoad="true"/>')
    assert b'<calcPr iterate="1" calcId="191030" concurrentCalc="0"/>' in wb     # a newer id is kept


def test_a_missing_calc_pr_is_inserted_where_the_schema_wants_it():
    wb = calc_pr_after(b"", extra=b'<definedNames><definedName name="x">S!$A$1</definedName></definedNames>'
                                    b'<pivotCaches/><extLst/>')
    assert b'</definedNames><calcPr calcId="%d"/><pivotCaches/>' % CURRENT_CALC_ID in wb


def test_calc_pr_is_untouched_unless_asked():
    data = make_package({"Data": SHEET})
    new = XlsxPackage(data).with_values({("Data", "A5"): 31})
    assert member(new, "xl/workbook.xml") == member(data, "xl/workbook.xml")


# ---------------------------------------------------------------- another program reads what we wrote

@needs_libreoffice
def test_libreoffice_reads_the_values_we_store(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Mål"
    ws["A1"], ws["A2"] = 1807, 2200
    ws["B1"] = "=SP_ATTAINMENT(A1,A2)"
    ws["B2"] = '=IF(A1>A2,"over","under")'
    ws["B3"] = "=A1/0"
    ws["B4"] = "=A1>A2"
    ws["C1"] = ArrayFormula("C1:C2", "=SP_CUMULATIVE(A1:A2)")
    src = tmp_path / "mål.xlsx"
    wb.save(src)
    pkg = XlsxPackage.open(src)
    out = tmp_path / "refreshed.xlsx"
    out.write_bytes(pkg.with_values({("Mål", "B1"): 1807 / 2200, ("Mål", "B2"): "under",
                                     ("Mål", "B3"): ExcelError("#DIV/0!"), ("Mål", "B4"): False,
                                     ("Mål", "C1"): 1807.0, ("Mål", "C2"): 4007.0}, stop_recalc_on_open=True))
    lo = _lo_cached(out, tmp_path / "lo.json")["Mål"]      # exit code 0: no structural problems either
    assert lo["B1"]["value"] == pytest.approx(1807 / 2200, abs=1e-15)
    assert lo["B2"]["value"] == "under"
    assert lo["B3"]["error"] == "#DIV/0!"
    assert lo["B4"]["value"] is False


# ---------------------------------------------------------------- fast paths give the same answers

def stored_member_bytes(data: bytes, name: str) -> bytes:
    """A member's compressed bytes as they sit in the zip (read from its local header)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    at = info.header_offset
    name_len, extra_len = int.from_bytes(data[at + 26:at + 28], "little"), int.from_bytes(data[at + 28:at + 30], "little")
    start = at + 30 + name_len + extra_len
    return data[start:start + info.compress_size]


def test_a_rewrite_copies_unchanged_members_as_stored_and_the_zip_checks_out():
    data = (CORPUS / "pivots.xlsx").read_bytes()
    pkg = XlsxPackage(data)
    f = pkg.formulas()[0]
    new = pkg.with_values({(f.sheet, f.ref): 12345.5})
    changed = pkg.zip_name(pkg._sheet(f.sheet).part)
    a, b = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(new))
    assert b.testzip() is None
    assert a.namelist() == b.namelist()
    for old, now in zip(a.infolist(), b.infolist()):
        assert (now.date_time, now.external_attr, now.compress_type) == (old.date_time, old.external_attr, old.compress_type)
        if old.filename != changed:
            assert stored_member_bytes(new, old.filename) == stored_member_bytes(data, old.filename)
    assert [n for n in a.namelist() if a.read(n) != b.read(n)] == [changed]
    assert XlsxPackage(new).cells(f.sheet)[f.ref] == 12345.5


def test_a_damaged_part_that_would_be_copied_is_refused_not_passed_on():
    data = make_package({"Data": SHEET})
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for n in src.namelist():
            dst.writestr(n, src.read(n))
        dst.writestr(zipfile.ZipInfo("docProps/custom.xml"), b"<Properties>Afdeling 07</Properties>")  # stored
    damaged = buf.getvalue().replace(b"Afdeling 07", b"Afdeling 08")      # the CRC no longer fits
    pkg = XlsxPackage(damaged)
    with pytest.raises(zipfile.BadZipFile, match="custom.xml"):
        pkg.with_values({("Data", "A5"): 31.0})


def test_members_in_a_compression_we_do_not_copy_are_rewritten_by_zipfile():
    data = make_package({"Data": SHEET})
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for n in src.namelist():
            dst.writestr(n, src.read(n), compress_type=zipfile.ZIP_BZIP2 if n == "_rels/.rels" else None)
    new = XlsxPackage(buf.getvalue()).with_values({("Data", "A5"): 31.0})
    z = zipfile.ZipFile(io.BytesIO(new))
    assert z.testzip() is None and z.getinfo("_rels/.rels").compress_type == zipfile.ZIP_DEFLATED
    assert z.read("_rels/.rels") == member(data, "_rels/.rels")
    assert XlsxPackage(new).cells("Data")["A5"] == 31.0


_TRICKY_CELLS = [
    (b'<row r="1"><c r="A1"><v>1</v></c><c r="B1" s="2"><f>A1*2</f><v>2</v></c>'
     b'<c r="C1" t="inlineStr"><is><r><rPr><family val="2"/><color rgb="FF0000"/></rPr><t>f&lt;f</t></r></is></c></row>'),
    (b'<row r="2"><c r="A2" t="str" foo="a>b"><f t="shared" ref="A2:A3" si="0">B1&amp;"&lt;f"</f><v>x</v></c>'
     b'<c r="B2"><f t="shared" si="0"/></c><c r="C2"><v>3</v><f>1+1</f></c>'
     b'<c r="D2">\n  <f>SUM(A1:A2)</f>\n  <v>4</v>\n</c><c r="E2"/></row>'),
]


@pytest.mark.parametrize("prefix", [b"", b"x:"])
def test_the_formula_cell_finder_finds_what_the_full_pattern_finds(prefix):
    from sp_xl.ooxml.sheetfind import cell_spans, formula_cells
    xml = b"".join(_TRICKY_CELLS)
    if prefix:
        xml = re.sub(rb"<(/?)(row|c|f|v|is|r|rPr|t|family|color)\b", rb"<\1x:\2", xml)
    full = [(m.span(), m.groups()) for m in cell_spans(prefix, True).finditer(xml)]
    fast = [(m.span(), m.groups()) for m in formula_cells(xml, prefix, 0, len(xml))]
    assert fast == full and [g[0] for _, g in full] == [b"B1", b"A2", b"B2", b"D2"]


def test_the_formula_cell_finder_agrees_with_the_full_pattern_on_every_real_sheet():
    from sp_xl.ooxml.sheetfind import cell_spans, formula_cells
    from sp_xl.ooxml.sheetscan import SHEETDATA_OPEN
    found = 0
    for path in sorted(CORPUS.glob("*.xls[xm]")):
        try:
            pkg = XlsxPackage(path.read_bytes(), path.name)
        except WorkbookRefused:
            continue
        for info in pkg.sheets:
            if info.part is None or not (m := SHEETDATA_OPEN.search(xml := pkg.read(info.part))) or m.group(2):
                continue
            p = m.group(1) + b":" if m.group(1) else b""
            end = xml.find(b"</" + p + b"sheetData", m.end())
            full = [(t.span(), t.groups()) for t in cell_spans(p, True).finditer(xml, m.end(), end)]
            assert [(t.span(), t.groups()) for t in formula_cells(xml, p, m.end(), end)] == full, path.name
            found += len(full)
    assert found > 300          # the corpus holds a few hundred formula cells


def test_a_big_member_compressed_in_pieces_is_one_valid_deflate_stream():
    from sp_xl.ooxml.zipwrite import _BIG_LEVEL, DEFLATE_CHUNK, deflate
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><f>A%d*2</f><v>%d</v></c></row>'
                    % (i, i, i * 7919 % 10007, i, i, i * 2) for i in range(1, 120_000))
    assert len(rows) > 5 * DEFLATE_CHUNK
    packed = deflate(rows)
    assert zlib.decompress(packed, -15) == rows
    single = zlib.compressobj(_BIG_LEVEL, zlib.DEFLATED, -15)
    assert len(packed) < 1.01 * len(single.compress(rows) + single.flush())     # hardly any loss
    assert deflate(rows) == packed                                              # deterministic
    assert zlib.decompress(deflate(rows[:DEFLATE_CHUNK]), -15) == rows[:DEFLATE_CHUNK]


_REF_PART = st.one_of(
    st.builds(lambda ca, c, ra, r: f"{ca}{c}{ra}{r}", st.sampled_from(["", "$"]),
              st.sampled_from(["A", "b", "Z", "AA", "xfd", "ZZZ"]), st.sampled_from(["", "$"]),
              st.sampled_from(["1", "2", "10", "999", "1048576"])),
    st.sampled_from(["A:A", "$B:c", "3:5", "$1:$1", "Navn", "TRUE", "#REF!"]))
_OPERAND = st.one_of(
    _REF_PART,
    st.builds(lambda a, b: f"{a}:{b}", _REF_PART, _REF_PART),
    st.builds(lambda s, a: f"{s}!{a}", st.sampled_from(["Data", "'Min side'", "'Uge 1'"]), _REF_PART),
    st.sampled_from(['"A1"', "1.5", "0"]))
_FORMULA = st.builds(lambda parts, ops, fn: fn.format(" ".join(
    p + o for p, o in zip(parts, ops)).rstrip("+-*&, ")),
    st.lists(_OPERAND, min_size=1, max_size=4), st.lists(st.sampled_from(["+", "-", "*", "&", ","]), min_size=4, max_size=4),
    st.sampled_from(["{}", "SUM({})", "IF({},1,2)"]))


@settings(max_examples=400, deadline=None)
@given(_FORMULA, st.sampled_from(["A1", "C5", "F2", "Z10"]), st.integers(-12, 400), st.integers(-4, 30))
def test_shared_formulas_translate_exactly_as_openpyxl_does(formula, origin, down, right):
    from openpyxl.formula.translate import Translator
    from openpyxl.utils import get_column_letter

    from sp_xl.ooxml.cellrefs import split_ref
    from sp_xl.ooxml.formulas import SharedFormula
    row, col = split_ref(origin)
    if row + down < 1 or col + right < 1:
        return
    target = f"{get_column_letter(col + right)}{row + down}"

    def outcome(translate):                 # the text, or the kind of error (e.g. TranslatorError)
        try:
            return translate()
        except Exception as exc:            # noqa: BLE001 - the error class is the expected result
            return type(exc)
    want = outcome(lambda: Translator("=" + formula, origin).translate_formula(target)[1:])
    assert outcome(lambda: SharedFormula(formula, origin).translate(target)) == want


@settings(max_examples=400, deadline=None)
@given(_FORMULA, st.sampled_from(["A1", "C5", "F2", "Z10"]), st.integers(-12, 400))
def test_shared_formulas_filled_down_one_column_translate_exactly_as_openpyxl_does(formula, origin, down):
    # the same column as the origin: SharedFormula's template path (str.format of the rows)
    test_shared_formulas_translate_exactly_as_openpyxl_does.hypothesis.inner_test(formula, origin, down, 0)


@settings(max_examples=200, deadline=None)
@given(_FORMULA, st.sampled_from(["A1", "C5", "F2", "Z10"]), st.lists(st.integers(-12, 400), min_size=1, max_size=8),
       st.integers(-2, 2))
def test_many_cells_of_a_shared_formula_translate_as_each_does_alone(formula, origin, downs, right):
    from openpyxl.utils import get_column_letter

    from sp_xl.ooxml.cellrefs import split_ref
    from sp_xl.ooxml.formulas import SharedFormula
    row, col = split_ref(origin)
    targets = [f"{get_column_letter(col + right)}{row + d}" for d in downs if row + d >= 1 and col + right >= 1]

    def outcome(translate):
        try:
            return translate()
        except Exception as exc:            # noqa: BLE001 - the error class is the expected result
            return type(exc)
    one = [outcome(lambda t=t: SharedFormula(formula, origin).translate(t)) for t in targets]
    if all(isinstance(x, str) for x in one):
        assert SharedFormula(formula, origin).translate_many(targets) == one


def test_a_filled_down_shared_formula_reads_as_each_cell_s_own_formula():
    rows = [b'<row r="2"><c r="B2"><f t="shared" ref="B2:B5" si="0">A2*$C$1+SUM(A$2:A2)</f><v>1</v></c></row>']
    rows += [b'<row r="%d"><c r="B%d"><f t="shared" si="0"/><v>1</v></c></row>' % (r, r) for r in (3, 4, 5)]
    pkg = XlsxPackage(make_package({"S": b"".join(rows)}))
    assert [f.formula for f in pkg.formulas()] == ["A2*$C$1+SUM(A$2:A2)", "A3*$C$1+SUM(A$2:A3)",
                                                   "A4*$C$1+SUM(A$2:A4)", "A5*$C$1+SUM(A$2:A5)"]
    from sp_xl.ooxml.formulas import SharedFormula
    assert SharedFormula("A2*$C$1+SUM(A$2:A2)", "B2").pieces is not None      # the fast path, not openpyxl
    assert SharedFormula("SUM(A:A)", "B2").pieces is None                       # whole columns: openpyxl


def test_shared_formula_cells_read_in_bulk_keep_sheet_order_values_and_dangling_cells():
    # followers (<f t="shared" si="n"/>) between plain formulas, a master, a constant, a string
    # result, one follower before its master's group exists (si 7: dangling, a value to Excel)
    rows = [b'<row r="1"><c r="A1"><v>5</v></c><c r="B1"><f>A1+1</f><v>6</v></c>'
            b'<c r="C1"><f t="shared" ref="C1:C3" si="0">A1*2</f><v>10</v></c></row>',
            b'<row r="2"><c r="A2"><v>7</v></c><c r="B2"><f>A2+1</f><v>8</v></c>'
            b'<c r="C2"><f t="shared" si="0"/><v>14</v></c><c r="D2" t="str"><f t="shared" si="7"/><v>x</v></c></row>',
            b'<row r="3"><c r="C3" s="2"><f t="shared" si="0"/><v>0</v></c><c r="E3" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row>']
    pkg = XlsxPackage(make_package({"S": b"".join(rows)}))
    got = [(f.ref, f.formula, f.cached) for f in pkg.formulas()]
    assert got == [("B1", "A1+1", 6.0), ("C1", "A1*2", 10.0), ("B2", "A2+1", 8.0), ("C2", "A2*2", 14.0),
                   ("C3", "A3*2", 0.0), ("E3", '"a"&"b"', "ab")]
    assert pkg.cells("S")["D2"] == "x"          # the dangling cell stays a value


@needs_libreoffice
def test_libreoffice_reads_a_rewritten_package_with_a_big_sheet_compressed_in_pieces(tmp_path):
    from sp_xl.ooxml.zipwrite import DEFLATE_CHUNK
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><f>A%d*2</f><v>0</v></c></row>'
                    % (r, r, r % 977, r, r) for r in range(1, 50_001))
    pkg = XlsxPackage(make_package({"Data": rows}))
    assert len(pkg.read("xl/worksheets/sheet1.xml")) > 2 * DEFLATE_CHUNK            # big enough to be split
    book = tmp_path / "stor.xlsx"
    book.write_bytes(pkg.with_values({("Data", f"B{r}"): float(r % 977 * 2) for r in range(1, 50_001)}))
    cells = _lo_cached(book, tmp_path / "stor.json")["Data"]                  # exit code 0: no repairs
    assert all(cells[f"B{r}"]["value"] == r % 977 * 2 for r in range(1, 50_001))


def test_a_rewrite_keeps_non_ascii_member_names_comments_and_dates():
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(make_package({"Data": SHEET}))) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for n in src.namelist():
            dst.writestr(n, src.read(n))
        extra = zipfile.ZipInfo("xl/media/billede_æøå.bin", date_time=(2024, 5, 17, 13, 45, 58))
        extra.comment, extra.external_attr = b"hej", 0o644 << 16
        dst.writestr(extra, b"\x00\x01" * 1000, compress_type=zipfile.ZIP_DEFLATED)
        dst.comment = b"arkiv"
    new = zipfile.ZipFile(io.BytesIO(XlsxPackage(buf.getvalue()).with_values({("Data", "A5"): 31.0})))
    info = new.getinfo("xl/media/billede_æøå.bin")
    assert new.testzip() is None and new.comment == b"arkiv"
    assert (info.date_time, info.comment, info.external_attr) == ((2024, 5, 17, 13, 45, 58), b"hej", 0o644 << 16)
    assert new.read(info) == b"\x00\x01" * 1000


def test_after_letting_go_for_writing_the_cells_and_formulas_are_read_again(tmp_path):
    # A refresh lets go of what only reading needs before it writes (XlsxPackage.release_for_writing);
    # anyone asking afterwards gets the same cells and formulas, read again from the sheets.
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["B1"] = 2, 3, "=A1*A2"
    path = tmp_path / "b.xlsx"
    wb.save(path)
    pkg = XlsxPackage(path.read_bytes(), path.name)
    sheet = pkg.sheet_names[0]
    cells, formulas = dict(pkg.cells(sheet)), list(pkg.formulas())
    pkg.release_for_writing()
    assert pkg.formulas() == formulas and pkg.cells(sheet) == cells
    pkg.release_for_writing()
    assert pkg.cells(sheet) == cells and pkg.formulas() == formulas
