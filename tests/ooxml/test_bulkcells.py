"""Formula cells read in bulk give what the per-cell reader gives, in sheet order."""

from __future__ import annotations

import re

import pytest

from sp_xl.errors import ExcelError
from sp_xl.ooxml.cellvalues import CellDecoder
from sp_xl.ooxml.formulas import sheet_formulas
from sp_xl.ooxml.sheetscan import scan_sheet

CELLS = [
    b'<c r="A1"><f>1+1</f><v>2</v></c>',
    b'<c r="B1" s="4" t="str"><f>"a"&amp;"b"</f><v>a&amp;b_x000D_</v></c>',
    b'<c r="C1" t="str"><f>""</f><v/></c>',
    b'<c r="D1" t="str"><f>""</f><v></v></c>',
    b'<c r="E1" t="str"><f>T(1)</f></c>',
    b'<c r="F1" t="b"><f>TRUE</f><v>1</v></c>',
    b'<c r="G1" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
    b'<c r="H1"><f>1.5</f><v>1&#46;5</v></c>',
    b'<c r="I1"><f>A1</f><v></v></c>',
    b'<c r="J1"><f>A1</f></c>',
    b'<c r="K1"><f></f><v>3</v></c>',
    b'<c r="L1" t="n"><f>A1*2</f><v>4</v></c>',
    b'<c r="A2"><f t="shared" ref="A2:A3" si="0">A1+1</f><v>3</v></c>',
    b'<c r="B2"><f>A2</f><v>3</v></c>',
    b'<c r="A3"><f t="shared" si="0"/><v>4</v></c>',
    b'<c r="B3" t="str"><f t="array" ref="B3:B4">"x"</f><v>x</v></c>',
    b'<c r="C3"><f>B2</f><v>3</v></c>',
]


def sheet(cells: list[bytes], p: bytes = b"") -> bytes:
    rows: dict[int, list[bytes]] = {}
    for c in cells:
        rows.setdefault(int(re.search(rb'r="[A-Z]+(\d+)"', c).group(1)), []).append(c)
    body = b"".join(b'<row r="%d">' % r + b"".join(cs) + b"</row>" for r, cs in sorted(rows.items()))
    if p:
        body = re.sub(rb"<(/?)(c|f|v|row)\b", rb"<\1" + p + rb"\2", body)
    ns = b' xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if p else b""
    return (b"<" + p + b"worksheet" + ns + b"><" + p + b"sheetData>" + body + b"</" + p + b"sheetData></"
            + p + b"worksheet>")


@pytest.mark.parametrize("p", [b"", b"x:"])
def test_formula_cells_in_bulk_read_as_each_alone(p):
    decode = CellDecoder([], False)
    scan = scan_sheet("S", sheet(CELLS, p), decode, lambda: None)
    assert scan.order is not None                        # both kinds: merged in sheet order
    got = {f.ref: (f.formula, f.array_ref, f.cached) for f in sheet_formulas("S", scan)}
    assert list(got) == ["A1", "B1", "C1", "D1", "E1", "F1", "G1", "H1", "I1", "J1", "L1", "A2", "B2", "A3", "B3", "C3"]
    assert got["B1"] == ('"a"&"b"', None, "a&b\r")
    assert got["C1"][2] == got["D1"][2] == "" and got["E1"][2] is None
    assert got["F1"][2] is True and isinstance(got["G1"][2], ExcelError) and got["G1"][2].code == "#DIV/0!"
    assert got["H1"][2] == 1.5 and got["I1"][2] is None and got["J1"][2] is None and got["L1"][2] == 4.0
    assert got["A3"] == ("A2+1", None, 4.0) and got["B3"] == ('"x"', "B3:B4", "x")
    assert scan.values["K1"] == 3.0 and "K1" not in got            # '<f></f>': a value, no formula
    for cell in CELLS:                                   # the same as the per-cell reader
        ref = re.search(rb'r="([A-Z]+\d+)"', cell).group(1).decode()
        t = re.search(rb'<c [^>]*?t="(\w+)"', cell)
        inner = re.search(rb"<c[^>]*>(.*)</c>", cell).group(1)
        assert scan.values.get(ref) == decode(t.group(1) if t else b"n", inner) or ref == "E1"


def test_a_sheet_of_only_usual_formula_cells_keeps_its_order():
    cells = [b'<c r="A%d"><f>B%d*2</f><v>%d</v></c>' % (r, r, r) for r in range(1, 50)]
    scan = scan_sheet("S", sheet(cells), CellDecoder([], False), lambda: None)
    assert scan.order is None and not scan.formulas
    assert [f.ref for f in sheet_formulas("S", scan)] == [f"A{r}" for r in range(1, 50)]


def test_named_entities_unescaped_by_replacement_as_by_the_entity_pattern():
    import random

    from sp_xl.ooxml import xmltext
    by_pattern = lambda t: xmltext._ENTITY.sub(lambda m: xmltext._ENTITY_MAP[m.group(1)], t)  # noqa: E731
    rnd = random.Random(15)
    pieces = ["&lt;", "&gt;", "&amp;", "&quot;", "&apos;", "&", "a", ";", "lt", "amp", "&am", "&ampx;", "&amp;lt;"]
    for _ in range(5000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 12)))
        assert xmltext._xml_unescape(text) == by_pattern(text), text


def test_a_sheet_scanned_in_small_chunks_reads_the_same(monkeypatch):
    from sp_xl.ooxml import sheetscan
    cells = []
    for r in range(1, 400):
        cells += [b'<c r="A%d"><v>%d</v></c>' % (r, r), b'<c r="B%d" t="inlineStr"><is><t>t%d</t></is></c>' % (r, r),
                  b'<c r="C%d" t="str"><f>B%d&amp;"x"</f><v>t%dx</v></c>' % (r, r, r)]
        cells.append(b'<c r="D%d"><f t="shared" ref="D1:D399" si="0">A1*2</f><v>2</v></c>' % r if r == 1
                     else b'<c r="D%d"><f t="shared" si="0"/><v>%d</v></c>' % (r, 2 * r))
    data = sheet(cells)

    def read():
        scan = scan_sheet("S", data, CellDecoder([], False), lambda: None)
        return scan.values, sheet_formulas("S", scan)
    whole = read()
    monkeypatch.setattr(sheetscan, "CHUNK", 500)
    chunked = read()
    assert chunked == whole and len(whole[1]) == 2 * 399
    assert [f.ref for f in whole[1][:4]] == ["C1", "D1", "C2", "D2"]


def test_a_row_end_inside_cdata_does_not_cut_a_cell(monkeypatch):
    from sp_xl.ooxml import sheetscan
    cells = [b'<c r="A%d"><v>%d</v></c>' % (r, r) for r in range(1, 60)]
    cells[30] = b'<c r="A31" t="inlineStr"><is><t><![CDATA[a</row>b]]></t></is></c>'
    data = sheet(cells)
    for size in range(1, 200):                # some of them cut at the '</row>' in the CDATA
        monkeypatch.setattr(sheetscan, "CHUNK", size)
        scan = scan_sheet("S", data, CellDecoder([], False), lambda: None)
        assert scan.values["A31"] == "a</row>b" and len(scan.values) == 59, size
