"""Finding given cells in worksheet XML again: their offsets, to patch them, and their values.

The scanner (``sheetscan``) reads every cell once; these look for a few cells in a sheet
that may have changed since: the cells the general patcher writes, and the cells a check
reads back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from sp_xl.ooxml.cellvalues import CellDecoder
from sp_xl.ooxml.sheetscan import R_ATTR, SHEETDATA_OPEN, T_VALUE, SheetScan
from sp_xl.ooxml.xmltext import XML_ATTRS

_SPAN_CACHE: dict[tuple[bytes, bool], re.Pattern] = {}


def cell_spans(p: bytes, formulas_only: bool) -> re.Pattern:
    """Cells with offsets: (attributes, content); only formula cells when asked (much faster)."""
    key = (p, formulas_only)
    if key not in _SPAN_CACHE:
        content = rb"(\s*<" + p + rb"f\b.*?)" if formulas_only else rb"(.*?)"
        _SPAN_CACHE[key] = re.compile(
            rb"<" + p + rb"c\b(?:\s+r=\"([^\"]*)\")?(" + XML_ATTRS + rb")(?:" + (b"" if formulas_only else b"/>|")
            + rb">" + content + rb"</" + p + rb"c\s*>)", re.S)
    return _SPAN_CACHE[key]


_F_OPEN_CACHE: dict[bytes, re.Pattern] = {}


def formula_cells(data: bytes, p: bytes, start: int, end: int) -> Iterator[re.Match]:
    """The matches of ``cell_spans(p, formulas_only=True)`` in data[start:end], found fast.

    Trying that pattern at every ``<c`` of a 100,000-row sheet costs about a second; formula
    cells are usually a small part of them. So we look for the ``<f`` elements instead (a
    literal search) and try the pattern once, at the ``<`` before each: a formula cell's
    ``<f`` is its first child, so only its own start tag (attribute values cannot hold
    '<') lies between the two. Same cells, same groups, same order as the full search.
    """
    f_open = _F_OPEN_CACHE.get(p)
    if f_open is None:
        f_open = _F_OPEN_CACHE[p] = re.compile(rb"<" + re.escape(p) + rb"f\b")
    cell = cell_spans(p, formulas_only=True)
    rfind, match = data.rfind, cell.match
    floor = start
    for fm in f_open.finditer(data, start, end):
        at = fm.start()
        if at < floor:              # inside the cell matched last (a second <f, or its text)
            continue
        lt = rfind(b"<", floor, at)
        if lt < 0:
            continue
        m = match(data, lt, end)
        if m is not None:
            floor = m.end()
            yield m


def ref_of(r: bytes | None, attrs: bytes) -> str | None:
    if not r:
        rm = R_ATTR.search(attrs)
        if rm is None:
            return None
        r = rm.group(1) or rm.group(2)
    ref = r.decode("ascii", "replace")
    return ref.replace("$", "").upper() if b"$" in r or not r.isupper() else ref


def cell_offsets(scan: SheetScan, targets: Iterable[str]) -> dict[str, tuple[int, int, bytes, bytes | None]]:
    """Offsets of the target cells that exist: ref -> (start, end, attributes, content)."""
    wanted = set(targets)
    formula_refs = {ref for ref, _ in scan.formulas}
    if wanted <= formula_refs:
        tokens = formula_cells(scan.data, scan.prefix, *scan.span)
    else:
        tokens = cell_spans(scan.prefix, formulas_only=False).finditer(scan.data, *scan.span)
    out = {}
    data, skip = scan.data, 2 + len(scan.prefix)
    for tok in tokens:
        r, attrs, inner = tok.groups()
        ref = r.decode("ascii", "replace") if r and b"$" not in r and r.isupper() else ref_of(r, attrs)
        if ref in wanted:
            start = tok.start()
            out[ref] = (start, tok.end(), data[start + skip:tok.end(2)], inner)   # all attributes, r="" too
    return out


def stored_values(data: bytes, refs: Iterable[str], formula_refs: set[str] | None, decode: CellDecoder) -> dict[str, object]:
    """The cached values of some cells, found in place (cheaper than reading the whole sheet).

    Cells that appear more than once are reported as a list of their values.
    """
    m = SHEETDATA_OPEN.search(data)
    if m is None or m.group(2):
        return {}
    prefix = (m.group(1) + b":") if m.group(1) else b""
    end = data.find(b"</" + prefix + b"sheetData", m.end())
    wanted = set(refs)
    only_formulas = formula_refs is not None and wanted <= formula_refs
    out: dict[str, object] = {}
    stop = end if end >= 0 else len(data)
    if only_formulas:
        found = (tok.groups() for tok in formula_cells(data, prefix, m.end(), stop))
    else:
        found = cell_spans(prefix, False).findall(data, m.end(), stop)
    for r, attrs, inner in found:
        ref = ref_of(r, attrs)
        if ref not in wanted:
            continue
        tm = T_VALUE.search(attrs) if b"t=" in attrs else None
        value = decode(tm.group(1) if tm else b"n", inner) if inner else None
        out[ref] = [out[ref], value] if ref in out else value
    return out
