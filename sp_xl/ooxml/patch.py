"""Splicing into worksheet XML: only the ``<c>`` elements being written change.

``patch_sheet`` gives formula cells new cached values (``sp-xl refresh``). ``write_cells``
writes constants (``sp-xl import``, the refresh stamp): a number becomes ``<v>``, a text an
inline string (``t="inlineStr"``, so sharedStrings.xml is never rewritten), None an empty
cell. Each cell keeps its style (``s``) and its other attributes; a formula it held is
dropped, because the value written is a constant. Cells or rows the sheet does not have yet
are inserted in order. Text is XML-escaped and never interpreted: "=HYPERLINK(...)" stays text.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Mapping

from sp_xl.ooxml.cellrefs import split_ref
from sp_xl.ooxml.cellvalues import serialise_value
from sp_xl.ooxml.sheetscan import T_ATTR, IndexedCell, SheetIndex
from sp_xl.ooxml.xmltext import F_ELEMENT, IS_ELEMENT, V_ELEMENT, XML_NAME, escape_text

_TAGS: dict[bytes, tuple[bytes, ...]] = {}


def _tags(p: bytes) -> tuple[bytes, ...]:
    """<v>, </v>, <v/>, <is, <v, </f> with the sheet's prefix, built once per prefix."""
    tags = _TAGS.get(p)
    if tags is None:
        tags = _TAGS[p] = (b"<" + p + b"v>", b"</" + p + b"v>", b"<" + p + b"v/>", b"<" + p + b"is",
                           b"<" + p + b"v", b"</" + p + b"f>")
    return tags


def _cell_inner(old_inner: bytes | None, prefix: bytes, v_text: bytes) -> bytes:
    v_open, v_close, v_empty, is_open, v_start, f_close = _tags(prefix)
    new_v = v_open + v_text + v_close
    if not old_inner:
        return new_v
    # Fast path for the usual '<f>...</f><v>old</v>' or '<f>...</f><v/>' or '<f>...</f>'.
    if is_open not in old_inner:
        for tail in (v_close, v_empty):
            if old_inner.endswith(tail):
                at = old_inner.rfind(v_start, 0, len(old_inner) - len(tail) + 1)
                if at >= 0 and old_inner.find(b"<", at + 1, len(old_inner) - len(tail)) < 0:
                    return old_inner[:at] + new_v
        if old_inner.endswith(f_close) or old_inner.endswith(b"/>") and old_inner.count(b"<") == 1:
            return old_inner + new_v
    inner = IS_ELEMENT.sub(b"", old_inner)        # a formula cell stores its text result in <v>
    m = V_ELEMENT.search(inner)
    if m:
        return inner[:m.start()] + new_v + inner[m.end():]
    f = F_ELEMENT.search(inner)
    at = f.end() if f else 0
    return inner[:at] + new_v + inner[at:]


def _cell_attrs(old: bytes, t: str | None) -> bytes:
    stripped = (T_ATTR.sub(b"", old) if b"t" in old else old).rstrip()
    if t is None:
        return stripped
    return stripped + b' t="' + t.encode() + b'"'


def _edit_order(edit: tuple[int, int, int, bytes]) -> tuple[int, int]:
    return edit[0], edit[2]


def patch_sheet(data: bytes, p: bytes, spans: Mapping[str, tuple[int, int, bytes, bytes | None]],
                 vals: Mapping[str, object], date1904: bool = False, idx: SheetIndex | None = None) -> bytes:
    edits: list[tuple[int, int, int, bytes]] = []     # (start, end, order, bytes)
    missing: dict[int, list[tuple[int, bytes]]] = {}
    c_open, c_close = b"<" + p + b"c", b"</" + p + b"c>"
    for ref, value in vals.items():
        t, v_text = serialise_value(value, date1904)
        cell = spans.get(ref)
        if cell is None:
            row, col = split_ref(ref)
            t_attr = b' t="' + t.encode() + b'"' if t else b""
            missing.setdefault(row, []).append(
                (col, b"<" + p + b'c r="' + ref.encode() + b'"' + t_attr + b"><" + p + b"v>" + v_text
                 + b"</" + p + b"v></" + p + b"c>"))
            continue
        start, end, old_attrs, old_inner = cell
        edits.append((start, end, 0, c_open + _cell_attrs(old_attrs, t) + b">"
                      + _cell_inner(old_inner, p, v_text) + c_close))
    if missing:
        edits.extend(_insertions(idx, missing))
    if not edits:
        return data
    edits.sort(key=_edit_order)
    return splice(data, edits)


def splice(data: bytes, edits) -> bytes:
    """``data`` with each (start, end, _, text) edit's span replaced, edits in order."""
    parts, pos = [], 0
    for start, end, _, text in edits:
        parts.append(data[pos:start])
        parts.append(text)
        pos = end
    parts.append(data[pos:])
    return b"".join(parts)


def _insertions(idx: SheetIndex, missing: Mapping[int, list[tuple[int, bytes]]]) -> Iterable[tuple[int, int, int, bytes]]:
    """New <c> (and <row>) elements for array-range cells the file does not have yet."""
    p = idx.prefix
    rows = {r.number: r for r in idx.rows}
    cells_by_row: dict[int, list[IndexedCell]] = {}
    for cell in idx.cells:
        cells_by_row.setdefault(cell.row, []).append(cell)
    new_rows: list[tuple[int, bytes]] = []
    for row_no, new_cells in sorted(missing.items()):
        new_cells.sort()
        row = rows.get(row_no)
        if row is None:
            body = b"".join(c for _, c in new_cells)
            new_rows.append((row_no, b"<" + p + b'row r="' + str(row_no).encode() + b'">' + body + b"</" + p + b"row>"))
            continue
        existing = cells_by_row.get(row_no, [])
        if row.self_closing:
            # <row r="5" .../> becomes <row r="5" ...>cells</row>; the '/>' is 2 bytes before open_end.
            body = b"".join(c for _, c in new_cells)
            yield (row.open_end - 2, row.open_end, 0, b">" + body + b"</" + p + b"row>")
            continue
        for order, (col, text) in enumerate(new_cells):
            after = next((c for c in existing if c.col > col), None)
            at = after.start if after is not None else row.close_start
            yield (at, at, order - len(new_cells) - 1, text)
    if new_rows:
        for order, (row_no, text) in enumerate(new_rows):
            after = next((r for r in idx.rows if r.number > row_no), None)
            if after is not None:
                yield (after.start, after.start, order - len(new_rows) - 1, text)
            elif idx.sheetdata_close >= 0:
                yield (idx.sheetdata_close, idx.sheetdata_close, order - len(new_rows) - 1, text)
            else:
                s, e = idx.sheetdata_open
                yield (e - 2, e, order, b">" + text + b"</" + p + b"sheetData>")


# ---------------------------------------------------------------- constants

_SHEETDATA = re.compile(rb"<(?:(" + XML_NAME + rb"):)?sheetData\b[^>]*?(/?)>")
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


def write_cells(xml: bytes, values: Mapping[str, object], styles: Mapping[str, bytes] | None = None) -> bytes:
    """``xml`` with each cell in ``values`` (ref -> float/int/str/None) set to that constant.
    A cell the sheet does not have yet gets the attributes in ``styles`` (e.g. b' s="4"')."""
    styles = styles or {}
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
    # Only the rows written to need their cells read (a growing table writes a few rows of many).
    target_rows = {split_ref(ref.replace("$", "").upper())[0] for ref in values}
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
        if number in target_rows:
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
    numbers = [r[0] for r in rows]
    ordered = all(a < b for a, b in zip(numbers, numbers[1:]))
    for row_no, items in sorted(new_cells.items()):
        items.sort()
        row = by_number.get(row_no)
        if row is None:
            body = b"".join(cell_xml(p, ref, styles.get(ref, b""), v) for _, ref, v in items)
            text = b"<" + p + b'row r="' + str(row_no).encode() + b'">' + body + close_row
            if ordered:
                i = bisect.bisect_right(numbers, row_no)
                after = rows[i] if i < len(rows) else None
            else:
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
            body = b"".join(cell_xml(p, ref, styles.get(ref, b""), v) for _, ref, v in items)
            edits.append((open_end - 2, open_end, 0, b">" + body + close_row))
            continue
        existing = sorted(cells_in_row.get(row_no, []))
        for order, (col, ref, v) in enumerate(items):
            at = next((start for c, start in existing if c > col), close_start)
            edits.append((at, at, order - len(items) - 1, cell_xml(p, ref, styles.get(ref, b""), v)))
    edits.sort(key=lambda e: (e[0], e[2]))
    return splice(xml, edits)
