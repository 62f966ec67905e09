"""Byte-level writing of constants into sheet XML: styles kept, order kept, text never a formula."""

import io

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sp_xl.ooxml.patch import SheetLayoutError, escape_text, write_cells

SHEET = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" s="4"><v>7</v></c></row>'
         b'<row r="3" spans="1:3"><c r="B3" s="5"><f>SUM(A1:A2)</f><v>9</v></c></row>'
         b'<row r="4"/>'
         b'</sheetData></worksheet>')


def test_a_number_replaces_the_value_and_keeps_the_style():
    out = write_cells(SHEET, {"C1": 12.5})
    assert b'<c r="C1" s="4"><v>12.5</v></c>' in out
    assert out.replace(b'<c r="C1" s="4"><v>12.5</v></c>', b'<c r="C1" s="4"><v>7</v></c>') == SHEET


def test_a_formula_cell_becomes_a_constant_with_its_style():
    out = write_cells(SHEET, {"B3": 4})
    assert b'<c r="B3" s="5"><v>4</v></c>' in out and b"<f>" not in out


def test_text_is_an_escaped_inline_string_and_never_a_formula():
    hostile = '=HYPERLINK("http://x";"klik") & <b>'
    out = write_cells(SHEET, {"A1": hostile})
    assert (b'<c r="A1" t="inlineStr"><is><t>=HYPERLINK("http://x";"klik") &amp; &lt;b&gt;</t></is></c>') in out
    assert b"<f>" not in out.split(b"<row")[1]


def test_missing_cells_and_rows_are_inserted_in_order():
    out = write_cells(SHEET, {"B1": 1, "D1": 2, "A3": 3, "B4": 4, "A2": "x", "A9": 5})
    body = out.split(b"<sheetData>")[1]
    assert body.startswith(b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1</v></c>'
                           b'<c r="C1" s="4"><v>7</v></c><c r="D1"><v>2</v></c></row>'
                           b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'
                           b'<row r="3" spans="1:3"><c r="A3"><v>3</v></c>')
    assert b'<row r="4"><c r="B4"><v>4</v></c></row><row r="9"><c r="A9"><v>5</v></c></row></sheetData>' in out


def test_none_empties_a_cell_but_keeps_its_style():
    out = write_cells(SHEET, {"C1": None, "Z1": None})
    assert b'<c r="C1" s="4"/>' in out and b"Z1" not in out


def test_openpyxl_reads_back_what_was_written(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "old"
    wb.active["B2"] = 1
    path = tmp_path / "a.xlsx"
    wb.save(path)
    import zipfile
    z = zipfile.ZipFile(path)
    members = {n: z.read(n) for n in z.namelist()}
    members["xl/worksheets/sheet1.xml"] = write_cells(members["xl/worksheets/sheet1.xml"],
                                                      {"A1": "@SUM(B2)", "B2": 0.1, "C5": "-1", "B3": "  space "})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for n, data in members.items():
            out.writestr(n, data)
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["Sheet"]
    assert (ws["A1"].value, ws["A1"].data_type) == ("@SUM(B2)", "s")
    assert (ws["C5"].value, ws["C5"].data_type) == ("-1", "s")
    assert ws["B2"].value == 0.1 and ws["B3"].value == "  space "


def test_prefixed_sheet_xml_gets_prefixed_cells():
    xml = (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
           b'<x:row r="2"><x:c r="B2"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    out = write_cells(xml, {"B2": "t", "A2": 3})
    assert (b'<x:row r="2"><x:c r="A2"><x:v>3</x:v></x:c><x:c r="B2" t="inlineStr"><x:is><x:t>t</x:t></x:is></x:c>'
            b'</x:row>') in out


def test_cells_without_references_are_refused():
    with pytest.raises(SheetLayoutError):
        write_cells(b"<worksheet><sheetData><row><c><v>1</v></c></row></sheetData></worksheet>", {"A1": 2})


def test_characters_xml_cannot_carry_are_escaped_the_excel_way():
    assert escape_text("a\x01b_x0041_\r\n") == b"a_x0001_b_x005F_x0041__x000D_\n"


def _sheet_xml(cells: dict[tuple[int, int], float]) -> bytes:
    from openpyxl.utils import get_column_letter
    rows: dict[int, list] = {}
    for (r, c), v in sorted(cells.items()):
        rows.setdefault(r, []).append(f'<c r="{get_column_letter(c)}{r}" s="1"><v>{v!r}</v></c>')
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    return (f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{body}</sheetData></worksheet>").encode()


def _read(xml: bytes) -> dict[str, object]:
    from sp_xl.ooxml.package import XlsxPackage
    wb = openpyxl.Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    import zipfile
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n in src.namelist():
            z.writestr(n, xml if n == "xl/worksheets/sheet1.xml" else src.read(n))
    return XlsxPackage(out.getvalue()).cells("Sheet")

_pos = st.tuples(st.integers(1, 12), st.integers(1, 6))
_val = st.one_of(st.floats(allow_nan=False, allow_infinity=False, width=64), st.integers(-10**9, 10**9),
                 st.text(max_size=12), st.sampled_from(["\r\n", " a ", "=1+1", "_x0041_"]), st.none())


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(_pos, st.floats(-1e6, 1e6, allow_nan=False), max_size=20), st.dictionaries(_pos, _val, max_size=15))
def test_written_cells_read_back_and_all_others_are_kept(existing, writes):
    from openpyxl.utils import get_column_letter
    xml = _sheet_xml(existing)
    values = {f"{get_column_letter(c)}{r}": v for (r, c), v in writes.items()}
    got = _read(write_cells(xml, values))
    for (r, c), v in existing.items():
        ref = f"{get_column_letter(c)}{r}"
        if ref not in values:
            assert got[ref] == v
    for ref, v in values.items():
        if v is None or v == "":
            assert got.get(ref) in (None, "")
        elif isinstance(v, str):
            assert got[ref] == v
        else:
            assert got[ref] == float(v)
