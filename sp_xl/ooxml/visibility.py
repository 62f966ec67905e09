"""Hiding and showing whole rows and columns of a worksheet, at the byte level.

The master's report views are laid out for a whole period (12 months, a year of days, a window
of weeks); the slots without data are hidden, so tables, charts (which plot visible cells
only) and print show exactly the periods there are. Only the ``hidden`` attribute of
``<row>`` and ``<col>`` elements changes; a column range in ``<cols>`` is split where needed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sp_xl.ooxml.xmltext import XML_ATTRS, XML_NAME

_SHEETDATA = re.compile(rb"<(?:(" + XML_NAME + rb"):)?sheetData\b")
_ROW_OPEN = re.compile(rb"<(?:" + XML_NAME + rb":)?row\b(" + XML_ATTRS + rb")(/?)>")
_COLS = re.compile(rb"<(?:" + XML_NAME + rb":)?cols\b[^>]*?(?:/>|>(.*?)</(?:" + XML_NAME + rb":)?cols\s*>)", re.S)
_COL = re.compile(rb"<(?:" + XML_NAME + rb":)?col\b(" + XML_ATTRS + rb")/?>")
_ATTR = re.compile(rb"""([^\s=>/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_HIDDEN = re.compile(rb"""\s+hidden\s*=\s*(?:"[^"]*"|'[^']*')""")
_BEFORE_COLS = re.compile(rb"<(?:" + XML_NAME + rb":)?sheetData\b")
_R = re.compile(rb"""(?:^|\s)r\s*=\s*"(\d+)\"""")


def _set_hidden(attrs: bytes, hidden: bool) -> bytes:
    attrs = _HIDDEN.sub(b"", attrs)
    return attrs.rstrip() + (b' hidden="1"' if hidden else b"") + (b" " if attrs.endswith(b" ") and not hidden else b"")


def _is_hidden(attrs: bytes) -> bool:
    m = re.search(rb"""\shidden\s*=\s*["']([^"']*)["']""", attrs)
    return bool(m) and m.group(1).lower() in (b"1", b"true")


def set_rows_hidden(xml: bytes, rows: Mapping[int, bool]) -> bytes:
    """Rows named in ``rows`` hidden (True) or shown (False). A row to hide that the sheet has
    no element for does not exist in these views (every slot row holds a formula) and is skipped."""
    if not rows:
        return xml
    out, pos = [], 0
    for m in _ROW_OPEN.finditer(xml):
        rm = _R.search(m.group(1))
        if rm is None:
            continue
        number = int(rm.group(1))
        want = rows.get(number)
        if want is None or _is_hidden(m.group(1)) == want:
            continue
        out.append(xml[pos:m.start(1)])
        out.append(_set_hidden(m.group(1), want))
        pos = m.end(1)
    out.append(xml[pos:])
    return b"".join(out)


def set_columns_hidden(xml: bytes, columns: Mapping[int, bool]) -> bytes:
    """Columns named in ``columns`` hidden or shown; the ``<cols>`` element is rewritten only
    when a column's state changes, keeping every other attribute (width, style) as it was."""
    m = _COLS.search(xml)
    prefix = b""
    sd = _SHEETDATA.search(xml)
    if sd and sd.group(1):
        prefix = sd.group(1) + b":"
    specs: list[tuple[int, int, bytes]] = []          # (min, max, attributes without min/max)
    if m and m.group(1):
        for cm in _COL.finditer(m.group(1)):
            attrs = dict((k, v1 if v1 is not None else v2) for k, v1, v2 in
                         ((a, b, c) for a, b, c in _ATTR.findall(cm.group(1))))
            lo, hi = int(attrs.get(b"min", b"0") or 0), int(attrs.get(b"max", b"0") or 0)
            rest = re.sub(rb"""\s+(?:min|max)\s*=\s*(?:"[^"]*"|'[^']*')""", b"", cm.group(1))
            specs.append((lo, hi, rest))
    per_col: dict[int, bytes] = {}
    for lo, hi, rest in specs:
        for c in range(lo, hi + 1):
            per_col[c] = rest
    changed = False
    for col, hidden in columns.items():
        rest = per_col.get(col, b"")
        if _is_hidden(rest) == hidden:
            continue
        if not rest and hidden:
            rest = b' width="9.140625" customWidth="1"'   # Excel's default width, kept when shown again
        per_col[col] = _set_hidden(rest, hidden)
        changed = True
    if not changed:
        return xml
    runs: list[tuple[int, int, bytes]] = []
    for col in sorted(per_col):
        rest = per_col[col]
        if runs and runs[-1][1] == col - 1 and runs[-1][2] == rest:
            runs[-1] = (runs[-1][0], col, rest)
        else:
            runs.append((col, col, rest))
    body = b"".join(b"<" + prefix + b'col min="' + str(lo).encode() + b'" max="' + str(hi).encode() + b'"'
                    + rest.rstrip() + b"/>" for lo, hi, rest in runs)
    element = b"<" + prefix + b"cols>" + body + b"</" + prefix + b"cols>"
    if m:
        return xml[:m.start()] + element + xml[m.end():]
    at = _BEFORE_COLS.search(xml)
    return xml[:at.start()] + element + xml[at.start():]


# ---------------------------------------------------------------- which slots to hide

_AREA = re.compile(r"(?:'((?:[^']|'')+)'|([^'!,]+))!\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?")


def slot_areas(defined_names: Mapping[str, str], prefix: str) -> dict[str, list[tuple[int, int, int, int]]]:
    """Sheet -> the areas (r1, c1, r2, c2) named by every defined name starting with ``prefix``."""
    from sp_xl.ooxml.cellrefs import col_number
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    for name, text in defined_names.items():
        if not name.startswith(prefix):
            continue
        for m in _AREA.finditer(text):
            sheet = (m.group(1) or "").replace("''", "'") or m.group(2).strip()
            r1, c1 = int(m.group(4)), col_number(m.group(3).upper())
            r2, c2 = (int(m.group(6)), col_number(m.group(5).upper())) if m.group(5) else (r1, c1)
            out.setdefault(sheet, []).append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return out


def slot_visibility(areas: Mapping[str, list[tuple[int, int, int, int]]],
                    value_of) -> dict[str, tuple[dict[int, bool], dict[int, bool]]]:
    """Sheet -> (rows, columns) to hide (True) or show (False). A one-row area's cells decide
    their columns, a one-column area's cells their rows: hidden when every slot cell of that
    column (row) on the sheet is empty or "". ``value_of(sheet, row, col)`` gives a cell's value."""
    from sp_xl.ooxml.cellrefs import col_letters
    out = {}
    for sheet, rects in areas.items():
        rows: dict[int, bool] = {}
        cols: dict[int, bool] = {}
        for r1, c1, r2, c2 in rects:
            if r1 == r2:
                for c in range(c1, c2 + 1):
                    empty = value_of(sheet, f"{col_letters(c)}{r1}") in (None, "")
                    cols[c] = cols.get(c, True) and empty
            elif c1 == c2:
                for r in range(r1, r2 + 1):
                    empty = value_of(sheet, f"{col_letters(c1)}{r}") in (None, "")
                    rows[r] = rows.get(r, True) and empty
        out[sheet] = (rows, cols)
    return out


_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")
_ZERO_HEIGHT = re.compile(rb"""<(?:\w+:)?sheetFormatPr\b[^>]*\szeroHeight\s*=\s*["'](?:1|true)["']""")


def hidden_rows(xml: bytes) -> set[int] | None:
    """Row numbers the sheet hides (``<row hidden="1">``); None when rows are hidden by
    default (``zeroHeight``), so that every row not listed may be hidden."""
    if _ZERO_HEIGHT.search(xml):
        return None
    out = set()
    for m in _ROW_TAG.finditer(xml):
        attrs = m.group(1)
        if _is_hidden(attrs):
            n = _ROW_NUMBER.search(attrs)
            if n:
                out.add(int(n.group(1)))
    return out
