"""Write constants into a worksheet's XML at the byte level (for `sp-xl import`).

Only the ``<c>`` elements being written change: a number becomes ``<v>``, a text an inline
string (``t="inlineStr"``, so sharedStrings.xml is never rewritten), None an empty cell.
Each cell keeps its style (``s``) and its other attributes; a formula it held is dropped,
because the value written is a constant. Cells or rows the sheet does not have yet are
inserted in order. Text is XML-escaped and never interpreted: "=HYPERLINK(...)" stays text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from sp_xl.workbook.package import escape_text, serialise_value, split_ref

_NAME = rb"[A-Za-z_][\w.\-]*"
_SHEETDATA = re.compile(rb"<(?:(" + _NAME + rb"):)?sheetData\b[^>]*?(/?)>")
_R = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_DROP_ATTRS = re.compile(rb"""\s+(?:t|cm|vm)\s*=\s*(?:"[^"]*"|'[^']*')""")


class SheetLayoutError(ValueError):
    """The sheet XML is not laid out as expected (e.g. cells without references)."""


def cell_xml(prefix: bytes, ref: str, attrs: bytes, value: object) -> bytes:
    """One ``<c>`` element holding ``value`` as a constant; ``attrs`` are the kept attributes."""
    p = prefix
    head = b"<" + p + b'c r="' + ref.encode() + b'"' + attrs
    if value is None:
        return head + b"/>"
    if isinstance(value, str):
        space = b' xml:space="preserve"' if value != value.strip() or "\n" in value else b""
        return (head + b' t="inlineStr"><' + p + b"is><" + p + b"t" + space + b">" + escape_text(value)
                + b"</" + p + b"t></" + p + b"is></" + p + b"c>")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        raise TypeError(f"cannot write {value!r} as a constant")
    _, v = serialise_value(float(value))
    return head + b"><" + p + b"v>" + v + b"</" + p + b"v></" + p + b"c>"


def _ref_of(attrs: bytes) -> str:
    m = _R.search(attrs)
    if m is None:
        raise SheetLayoutError("a cell or row without a reference (r attribute)")
    return (m.group(1) or m.group(2)).decode("ascii").replace("$", "").upper()


def _kept_attrs(attrs: bytes) -> bytes:
    """The attributes of an existing cell minus r (rewritten), t, cm and vm."""
    no_r = _R.sub(b"", attrs, count=1)
    return _DROP_ATTRS.sub(b"", b" " + no_r.strip()).rstrip() if no_r.strip() else b""


def write_cells(xml: bytes, values: Mapping[str, object]) -> bytes:
    """``xml`` with each cell in ``values`` (ref -> float/int/str/None) set to that constant."""
    if not values:
        return xml
    m = _SHEETDATA.search(xml)
    if m is None:
        raise SheetLayoutError("the sheet has no sheetData")
    p = (m.group(1) + b":") if m.group(1) else b""
    if m.group(2):                                   # <sheetData/>: no rows at all yet
        body_start = body_end = None
    else:
        body_start = m.end()
        body_end = xml.find(b"</" + p + b"sheetData", body_start)
        if body_end < 0:
            raise SheetLayoutError("sheetData is not closed")
    row_re = re.compile(rb"<" + p + rb"row\b([^>]*?)(/?)>")
    cell_re = re.compile(rb"<" + p + rb"c\b([^>]*?)(?:/>|>(.*?)</" + p + rb"c\s*>)", re.DOTALL)
    close_row = b"</" + p + b"row>"

    rows: list[tuple[int, int, int, int, bool]] = []   # (number, open start, open end, close start, self-closing)
    cells: dict[str, tuple[int, int, bytes]] = {}
    cells_in_row: dict[int, list[tuple[int, int]]] = {}  # row -> [(col, start)]
    pos = body_start
    while body_start is not None:
        rm = row_re.search(xml, pos, body_end)
        if rm is None:
            break
        number = int(_ref_of(rm.group(1)))
        if rm.group(2):
            rows.append((number, rm.start(), rm.end(), rm.end(), True))
            pos = rm.end()
            continue
        close = xml.find(close_row, rm.end(), body_end)
        if close < 0:
            raise SheetLayoutError(f"row {number} is not closed")
        rows.append((number, rm.start(), rm.end(), close, False))
        for cm in cell_re.finditer(xml, rm.end(), close):
            ref = _ref_of(cm.group(1))
            cells[ref] = (cm.start(), cm.end(), cm.group(1))
            cells_in_row.setdefault(number, []).append((split_ref(ref)[1], cm.start()))
        pos = close + len(close_row)

    edits: list[tuple[int, int, int, bytes]] = []      # (start, end, order, text)
    new_cells: dict[int, list[tuple[int, str, object]]] = {}
    for ref, value in values.items():
        ref = ref.replace("$", "").upper()
        if ref in cells:
            start, end, attrs = cells[ref]
            edits.append((start, end, 0, cell_xml(p, ref, _kept_attrs(attrs), value)))
        elif value is not None:                      # an absent cell is already empty
            row, col = split_ref(ref)
            new_cells.setdefault(row, []).append((col, ref, value))
    by_number = {r[0]: r for r in rows}
    for row_no, items in sorted(new_cells.items()):
        items.sort()
        row = by_number.get(row_no)
        if row is None:
            body = b"".join(cell_xml(p, ref, b"", v) for _, ref, v in items)
            text = b"<" + p + b'row r="' + str(row_no).encode() + b'">' + body + close_row
            after = next((r for r in rows if r[0] > row_no), None)
            if after is not None:
                edits.append((after[1], after[1], row_no, text))
            elif body_start is not None:
                edits.append((body_end, body_end, row_no, text))
            else:
                edits.append((m.end() - 2, m.end(), row_no, b">" + text + b"</" + p + b"sheetData>"))
            continue
        _, _, open_end, close_start, self_closing = row
        if self_closing:
            body = b"".join(cell_xml(p, ref, b"", v) for _, ref, v in items)
            edits.append((open_end - 2, open_end, 0, b">" + body + close_row))
            continue
        existing = sorted(cells_in_row.get(row_no, []))
        for order, (col, ref, v) in enumerate(items):
            at = next((start for c, start in existing if c > col), close_start)
            edits.append((at, at, order - len(items) - 1, cell_xml(p, ref, b"", v)))
    edits.sort(key=lambda e: (e[0], e[2]))
    out, pos = [], 0
    for start, end, _, text in edits:
        out.append(xml[pos:start])
        out.append(text)
        pos = end
    out.append(xml[pos:])
    return b"".join(out)
