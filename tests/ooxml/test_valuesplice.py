"""The one-pass splice of formula results, and the check by what was written.

The splice must give byte for byte what the general patcher (``patch_sheet``) gives, and
leave every other byte alone; the check must catch a text that does not read back as its
value, and a zip that is not as meant.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from sp_xl.errors import ExcelError
from sp_xl.ooxml import valuesplice
from sp_xl.ooxml.cellvalues import CellDecoder
from sp_xl.ooxml.patch import patch_sheet
from sp_xl.ooxml.sheetfind import cell_offsets
from sp_xl.ooxml.sheetscan import SheetScan, scan_sheet
from sp_xl.ooxml.valuesplice import Written, check_written, splice_values
from sp_xl.ooxml.zipwrite import check_rezip

ROWS = (b'<row r="1"><c r="A1" s="2"><v>7</v></c><c r="B1"><f>A1*2</f><v>14</v></c>'
        b'<c r="C1" s="3" t="str"><f>"x"&amp;A1</f><v>x7</v></c><c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        b'<row r="2" spans="1:4"><c r="A2"><f t="shared" ref="A2:A4" si="0">B1+1</f><v/></c>'
        b'<c r="B2" s="1"><f t="shared" si="0"/></c><c r="C2" t="b"><f>TRUE</f><v>1</v></c>'
        b'<c r="D2"><f>NOW()</f></c></row>'
        b'<row r="3"><c r="A3" s="1" t="n" cm="1"><f>SEQUENCE(2)</f><v>1</v></c><c r="B3"><v>5</v></c>'
        b'<c r="$C$3"><f>B3</f><v>5</v></c></row>')


def sheet(rows: bytes, p: bytes = b"") -> bytes:
    ns = b' xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if p else b""
    return (b'<?xml version="1.0"?><' + p + b"worksheet" + ns + b"><" + p + b"sheetData>"
            + rows.replace(b"<", b"<" + p).replace(b"<" + p + b"/", b"</" + p) + b"</" + p + b"sheetData></" + p + b"worksheet>")


def scanned(data: bytes) -> SheetScan:
    return scan_sheet("S", data, CellDecoder([], False), lambda: None)


def splice(data: bytes, scan: SheetScan, vals: dict, written: Written) -> tuple[bytes, dict]:
    """The splice of ``vals`` (ref -> value) into sheet "S": new bytes, and the cells left (ref -> value)."""
    values = {("S", ref): v for ref, v in vals.items()}
    pending = dict(values)
    new = splice_values(data, scan.prefix, scan.span, "S", values, pending, set(vals), False, written)
    return new, {ref: v for (_, ref), v in pending.items()}


VALUES = {"B1": 0.1 + 0.2, "C1": "a & <b> _x000D_ \n", "D1": ExcelError("#N/A"), "A2": -0.0, "B2": 1e16,
          "C2": True, "D2": dt.datetime(2020, 1, 2, 12), "A3": 3.0, "C3": None}


@pytest.mark.parametrize("p", [b"", b"x:"])
def test_the_splice_writes_what_the_general_patcher_writes(p):
    data = sheet(ROWS, p)
    scan = scanned(data)
    written = Written()
    new, pending = splice(data, scan, VALUES, written)
    assert set(pending) == {"A3", "C3"}            # cm="1" and a '$' reference: left to the patcher
    general = patch_sheet(data, scan.prefix, cell_offsets(scan, VALUES), VALUES)
    left = patch_sheet(new, scan.prefix, cell_offsets(SheetScan(new, scan.prefix, span=(scan.span[0], len(new) - 30)),
                                                      pending), pending)
    assert left == general
    assert written.count == len(VALUES) - 2
    assert check_written(written, CellDecoder([], False), _same) is None


def test_cells_not_written_and_the_bytes_between_them_stay_as_they_were():
    data = sheet(ROWS)
    scan = scanned(data)
    new, pending = splice(data, scan, {"D1": 2.5}, Written())
    assert not pending
    assert new == data.replace(b'<c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>', b'<c r="D1"><f>1/0</f><v>2.5</v></c>')


def test_a_big_sheet_is_spliced_in_chunks_with_the_same_result(monkeypatch):
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><f>A%d*2</f><v>0</v></c></row>' % (r, r, r, r, r)
                    for r in range(1, 2001))
    data = sheet(rows)
    scan = scanned(data)
    vals = {f"B{r}": float(r * 2) if r % 3 else f"r{r}" for r in range(1, 2001)}
    whole, _ = splice(data, scan, vals, Written())
    monkeypatch.setattr(valuesplice, "CHUNK", 1000)
    written = Written()
    chunked, pending = splice(data, scan, vals, written)
    assert chunked == whole == patch_sheet(data, scan.prefix, cell_offsets(scan, vals), vals)
    assert not pending and len(written.number_texts) > 10 and written.count == 2000


def test_a_cell_that_appears_twice_is_refused():
    data = sheet(b'<row r="1"><c r="B1"><f>1</f><v>1</v></c><c r="B1"><f>2</f><v>2</v></c></row>')
    scan = scanned(data)
    with pytest.raises(ValueError, match="twice"):
        splice(data, scan, {"B1": 3.0}, Written())


@pytest.mark.parametrize("wrong", ["number", "text", "other"])
def test_the_check_catches_a_text_that_does_not_read_back(wrong, monkeypatch):
    data = sheet(ROWS)
    scan = scanned(data)
    if wrong == "number":
        monkeypatch.setattr(valuesplice, "number_texts", lambda numbers: b"\n".join(b"1" for _ in numbers))
    elif wrong == "text":
        monkeypatch.setattr(valuesplice, "string_texts", lambda strings: [s.upper().encode() for s in strings])
    else:
        monkeypatch.setattr(valuesplice, "serialise_value", lambda value, date1904: ("b", b"0"))
    written = Written()
    splice(data, scan, {"B1": 2.5, "C1": "abc", "C2": True}, written)
    assert check_written(written, CellDecoder([], False), _same) is not None


def test_the_check_catches_a_copied_member_that_changed():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", b"<a>" + b"1" * 100 + b"</a>")
        z.writestr("b.xml", b"<b/>")
    source = buf.getvalue()
    zf = zipfile.ZipFile(io.BytesIO(source))
    assert check_rezip(zf, source, source, {}) is None
    assert check_rezip(zf, source, source, {"b.xml": b"<c/>"}) == "b.xml"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:   # same contents, stored: unpacks the same
        z.writestr("a.xml", b"<a>" + b"1" * 100 + b"</a>")
        z.writestr("b.xml", b"<b/>")
    assert check_rezip(zf, source, buf.getvalue(), {}) is None
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", b"<a>" + b"2" * 100 + b"</a>")
        z.writestr("b.xml", b"<b/>")
    assert check_rezip(zf, source, buf.getvalue(), {}) == "a.xml"


def _same(got, value, want_t, want_v) -> bool:
    from sp_xl.engine.recalc import _same as same
    return same(got, value, want_t, want_v)


def test_a_value_for_a_cell_that_may_not_be_written_is_refused():
    data = sheet(ROWS)
    scan = scanned(data)
    values = {("S", "B1"): 1.0, ("S", "C1"): 2.0}
    with pytest.raises(ValueError, match="not formula cells.*C1"):
        splice_values(data, scan.prefix, scan.span, "S", values, dict(values), {"B1"}, False, Written())


@pytest.mark.parametrize("text", [b"a<b", b"a&b", b"a&lt", b"\x01", b"a\rb", b"\xef\xbf\xbf"])
def test_the_check_catches_a_text_that_is_not_xml_text(text, monkeypatch):
    data = sheet(ROWS)
    scan = scanned(data)
    monkeypatch.setattr(valuesplice, "string_texts", lambda strings: [text for _ in strings])
    written = Written()
    splice(data, scan, {"C1": text.decode("utf-8", "replace")}, written)
    assert check_written(written, CellDecoder([], False), _same) is not None


def test_an_empty_text_alone_reads_back():
    data = sheet(ROWS)
    scan = scanned(data)
    written = Written()
    splice(data, scan, {"C1": ""}, written)
    assert written.string_texts == [b""] and check_written(written, CellDecoder([], False), _same) is None
