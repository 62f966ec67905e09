"""The byte-level scanner of worksheet XML: cells found with offsets, never a DOM.

A sheet of 10^5-10^6 cells is read with a few regular expressions over the raw bytes, so
that a later write can splice single ``<c>`` elements at known offsets and leave every
other byte alone. ``scan_sheet`` is the fast path (values and formula cells in one pass, a few
MB at a time); finding given cells again is ``sheetfind``'s;
``index_sheet`` the full index of rows and cells, needed only to insert cells.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import compress, count

from lxml import etree

from sp_xl.ooxml.bulkcells import plain_formulas, plain_refs, string_cells
from sp_xl.ooxml.cellrefs import col_letters, split_ref
from sp_xl.ooxml.cellvalues import CellDecoder
from sp_xl.ooxml.safety import damaged_xml, refuse
from sp_xl.ooxml.xmltext import F_ELEMENT, XML_ATTRS, XML_NAME, xml_text, xstring_decode

# The full index (slow path): row starts, row ends and whole cells (cells never nest).
_SHEET_TOKEN = re.compile(
    rb"<(?:" + XML_NAME + rb":)?row\b(" + XML_ATTRS + rb")(/?)>"
    rb"|(</(?:" + XML_NAME + rb":)?row\s*>)"
    rb"|<(?:" + XML_NAME + rb":)?c\b(" + XML_ATTRS + rb")(?:/>|>(.*?)</(?:" + XML_NAME + rb":)?c\s*>)",
    re.S)
T_VALUE = re.compile(rb"\st\s*=\s*[\"']([^\"']*)[\"']")
SHEETDATA_OPEN = re.compile(rb"<(?:(" + XML_NAME + rb"):)?sheetData\b" + XML_ATTRS + rb"(/?)>")
R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
T_ATTR = re.compile(rb"(\s+)t\s*=\s*(?:\"[^\"]*\"|'[^']*')")


@dataclass
class IndexedCell:
    __slots__ = ("ref", "row", "col", "start", "end", "attrs", "inner", "inner_start")
    ref: str
    row: int
    col: int
    start: int              # offset of '<' of <c
    end: int                # offset after the element
    attrs: bytes            # raw attribute text of <c ...>
    inner: bytes | None     # raw content between <c ...> and </c>; None for <c .../>
    inner_start: int


@dataclass
class IndexedRow:
    __slots__ = ("number", "start", "open_end", "close_start", "end", "self_closing")
    number: int
    start: int
    open_end: int           # offset after the '>' of the opening tag
    close_start: int        # offset of '</row>' (== open_end for <row/>)
    end: int
    self_closing: bool


@dataclass
class SheetIndex:
    data: bytes
    prefix: bytes                       # namespace prefix used for elements, b"" or b"x:"
    sheetdata_open: tuple[int, int]     # span of <sheetData ...>
    sheetdata_close: int                # offset of </sheetData> (-1 when self-closing)
    rows: list[IndexedRow] = field(default_factory=list)
    cells: list[IndexedCell] = field(default_factory=list)
    by_ref: dict[str, IndexedCell] = field(default_factory=dict)


@dataclass
class SheetScan:
    data: bytes
    prefix: bytes
    positional: bool = False                 # some cells lack r="": only the full index knows them
    span: tuple[int, int] = (0, 0)           # the content of <sheetData>
    values: dict[str, object] = field(default_factory=dict)
    formulas: list[tuple[str, bytes]] = field(default_factory=list)   # (ref, inner XML) of formula cells
    # Formula cells of the usual form, read in bulk (``bulkcells``): references, formula
    # texts, cached values; and, when a sheet has both kinds, where each kind's cells stand
    # in the sheet (indices into one sequence), so the two lists merge in sheet order.
    # (and the si of each filled-down cell of a shared formula, whose text is "" until
    # ``formulas.sheet_formulas`` translates its shared formula; "" for the others)
    plain: tuple[list[str], list[str], list[object], list[str]] = field(default_factory=lambda: ([], [], [], []))
    order: tuple[list[int], list[int]] | None = None


CHUNK = 1 << 18                 # bytes of sheet XML scanned at a time (small: the tuples stay in cache)
_TUPLE_CACHE: dict[bytes, re.Pattern] = {}


def cell_tuples(p: bytes) -> re.Pattern:
    """Cells as tuples: a formula cell of the usual form as (r, t, formula text, <v> element);
    a filled-down cell of a shared formula (``<f t="shared" si="n"/>``) as four b"" and (r, t,
    si, <v> element); any other as eight b"" and (r, t, other attributes, plain <v> text,
    other content): read those from the end (x[-5:])."""
    if p not in _TUPLE_CACHE:
        q = re.escape(p)
        v = rb"(<" + q + rb"v>[^<]*</" + q + rb"v>|<" + q + rb"v/>)?</" + q + rb"c>"
        head = rb'<' + q + rb'c r="([A-Z]{1,3}[1-9][0-9]{0,6})"(?: s="[0-9]+")?(?: t="([A-Za-z]+)")?><' + q
        _TUPLE_CACHE[p] = re.compile(
            head + rb"f>([^<]*)</" + q + rb"f>" + v + rb"|"
            + head + rb'f t="shared" si="([0-9]+)"/>' + v + rb"|"
            rb"<" + p + rb"c\b(?:\s+r=\"([^\"]*)\")?(?:\s+s=\"[^\"]*\")?(?:\s+t=\"([^\"]*)\")?(" + XML_ATTRS
            + rb")(?:/>|><" + p + rb"v>([^<]*)</" + p + rb"v></" + p + rb"c>|>(.*?)</" + p + rb"c\s*>)", re.S)
    return _TUPLE_CACHE[p]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building 10^5-10^6 small acyclic objects.

    Python's collector runs every few hundred allocations and rescans everything alive,
    which can double the time of a big scan; nothing we build here forms cycles.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def index_sheet(data: bytes, sheet: str) -> SheetIndex:
    m = SHEETDATA_OPEN.search(data)
    if m is None:
        return SheetIndex(data, b"", (len(data), len(data)), -1)
    prefix = (m.group(1) + b":") if m.group(1) else b""
    if m.group(2):
        return SheetIndex(data, prefix, m.span(), -1)
    close = data.find(b"</" + prefix + b"sheetData", m.end())
    if close < 0:
        raise refuse(f"Arket '{sheet}' er beskadiget (sheetData slutter ikke).",
                     f"Sheet '{sheet}' is damaged (sheetData is not closed).")
    idx = SheetIndex(data, prefix, m.span(), close)
    rows, cells, by_ref = idx.rows, idx.cells, idx.by_ref
    row_no, col_no, current = 0, 0, None
    for tok in _SHEET_TOKEN.finditer(data, m.end(), close):
        row_attrs, row_selfclose, row_close, c_attrs, c_inner = tok.groups()
        if c_attrs is not None:
            rm = R_ATTR.search(c_attrs)
            r = (rm.group(1) or rm.group(2) or b"").decode("ascii", "replace") if rm else None
            if r:
                try:
                    row, col_no = split_ref(r)
                except ValueError:
                    raise refuse(f"Arket '{sheet}' har en ugyldig cellereference '{r}'.",
                                 f"Sheet '{sheet}' has an invalid cell reference '{r}'.") from None
                r = r.replace("$", "").upper()
            else:
                row, col_no = row_no, col_no + 1
                r = f"{col_letters(col_no)}{row}"
            inner_start = tok.start(5) if c_inner is not None else tok.end()
            cell = IndexedCell(r, row, col_no, tok.start(), tok.end(), c_attrs, c_inner, inner_start)
            cells.append(cell)
            by_ref[r] = cell
        elif row_close is not None:
            if current is not None:
                current.close_start = tok.start()
                current.end = tok.end()
                current = None
        else:
            rm = R_ATTR.search(row_attrs)
            try:
                row_no = int(rm.group(1) or rm.group(2)) if rm else row_no + 1
            except ValueError:
                raise refuse(f"Arket '{sheet}' har et ugyldigt rækkenummer.",
                             f"Sheet '{sheet}' has an invalid row number.") from None
            col_no = 0
            selfclose = bool(row_selfclose)
            current = IndexedRow(row_no, tok.start(), tok.end(), tok.end(), tok.end(), selfclose)
            rows.append(current)
            if selfclose:
                current = None
    return idx


def scan_sheet(sheet: str, data: bytes, decode: CellDecoder, index: Callable[[], SheetIndex]) -> SheetScan:
    """Values of every cell, plus the formula cells' content (one pass over the sheet XML).

    ``index`` gives the full index, needed only when some cells lack references."""
    m = SHEETDATA_OPEN.search(data)
    prefix = (m.group(1) + b":") if m and m.group(1) else b""
    scan = SheetScan(data, prefix)
    if m is None or m.group(2):
        return scan
    end = data.find(b"</" + prefix + b"sheetData", m.end())
    if end < 0:
        raise refuse(f"Arket '{sheet}' er beskadiget (sheetData slutter ikke).",
                     f"Sheet '{sheet}' is damaged (sheetData is not closed).")
    scan.span = (m.end(), end)
    # A chunk at a time: the tuples of 10^6 cells at once would take more memory than the
    # sheet keeps. Chunks end after a </row>, which no cell (and no match) spans - unless in
    # a comment or CDATA section ('<!'), or a processing instruction: then in one piece.
    pattern, close_row = cell_tuples(prefix), b"</" + prefix + b"row>"
    order: tuple[list[int], list[int]] = ([], [])
    pos, seen = m.end(), 0
    whole = data.find(b"<!", pos, end) >= 0 or data.find(b"<?", pos, end) >= 0
    while pos < end:
        cut = -1 if whole else data.find(close_row, min(pos + CHUNK, end), end)
        cut = end if cut < 0 else cut + len(close_row)
        found = pattern.findall(data, pos, cut)
        if not _scan_chunk(scan, found, seen, order, decode):
            return _scan_positional(data, prefix, decode, index)
        seen += len(found)
        pos = cut
    if scan.formulas and scan.plain[0]:      # both kinds: where each stands, to merge them in order
        scan.order = order
    return scan


def _scan_chunk(scan: SheetScan, found: list[tuple[bytes, ...]], seen: int, order: tuple[list[int], list[int]],
                decode: CellDecoder) -> bool:
    """Values and formula cells of one chunk's cells into ``scan``; False when a cell has no
    reference (the sheet must be read by position instead). Where formula cells stand is
    noted in ``order``, counted from ``seen``."""
    prefix, values, formulas = scan.prefix, scan.values, scan.formulas
    sst = decode.shared_strings
    f_open, f_pref = b"<f", b"<" + prefix + b"f"
    # findall gives plain tuples, far cheaper than match objects for 10^5-10^6 cells; plain
    # numbers (most cells of a data sheet) are converted in bulk by comprehensions.
    every, generic = found, len(formulas)
    bulk = [x[:4] if x[0] else (x[4], x[5], b"", x[7]) for x in found if x[0] or x[4]]   # usual + shared
    if bulk:
        refs, texts, cached = plain_formulas(bulk, prefix, decode)
        sis = [x[6].decode("ascii") if x[4] else "" for x in found if x[0] or x[4]]
        for have, new in zip(scan.plain, (refs, texts, cached, sis)):
            have.extend(new)
        values.update((r, v) for r, v in zip(refs, cached) if v is not None)
        order[0].extend(compress(count(seen), (x[0] or x[4] for x in found)))
        found = [x for x in found if not (x[0] or x[4])]
    plain = {r: v for *_, r, t, attrs, v, inner in found if v and not attrs and (not t or t == b"n")}
    try:
        names = plain_refs(list(plain))          # one decode, not 10^5; None: unusual references
        if names is None:
            raise ValueError("unusual references")
        values.update(dict(zip(names, map(float, plain.values()))))
    except ValueError:
        plain = {}
    others = [x for x in found if x[-5] not in plain] if plain else found
    del found
    others, texts = string_cells(others, prefix, sst)
    values.update(texts)
    for *_, r, t, attrs, v, inner in others:
        if attrs:
            if not r:
                rm = R_ATTR.search(attrs)
                if rm is None:
                    return False
                r = rm.group(1) or rm.group(2)
            if not t and b"t=" in attrs:
                tm = T_VALUE.search(attrs)
                t = tm.group(1) if tm else b""
        elif not r:
            return False
        ref = r.decode("ascii", "replace")
        if b"$" in r or not r.isupper():
            ref = ref.replace("$", "").upper()
        if v:
            if not t or t == b"n":
                try:
                    values[ref] = float(v)
                    continue
                except ValueError:
                    pass
            elif t == b"s":
                try:
                    values[ref] = sst[int(v)]
                    continue
                except (ValueError, IndexError):
                    pass
            inner = b"<v>" + v + b"</v>"
        if not inner:
            continue
        if t == b"inlineStr" and inner[:7] == b"<is><t>" and inner[-9:] == b"</t></is>" and b"<" not in inner[7:-9]:
            values[ref] = xstring_decode(xml_text(inner[7:-9]))
            continue
        if f_open in inner or (prefix and f_pref in inner):
            formulas.append((ref, inner))
        value = decode(t or b"n", inner)
        if value is not None:
            values[ref] = value
    if len(formulas) > generic:           # formula cells of other forms: where they stand
        order[1].extend(i for i, x in enumerate(every, seen)
                        if not (x[0] or x[4]) and (f_open in x[-1] or (prefix and f_pref in x[-1])))
    return True


def _scan_positional(data: bytes, prefix: bytes, decode: CellDecoder, index: Callable[[], SheetIndex]) -> SheetScan:
    """Slow path for writers that leave out cell references: positions come from order."""
    idx = index()
    scan = SheetScan(data, prefix, positional=True)
    for cell in idx.cells:
        inner = cell.inner
        if not inner:
            continue
        t = b"n"
        if b"t=" in cell.attrs:
            tm = T_VALUE.search(cell.attrs)
            t = tm.group(1) if tm else b"n"
        if F_ELEMENT.search(inner):
            scan.formulas.append((cell.ref, inner))
        v = decode(t, inner)
        if v is not None:
            scan.values[cell.ref] = v
    return scan


_REF = r"[A-Z]{1,3}[1-9][0-9]{0,6}"
_REFS = re.compile(rf"(?:{_REF}\n)*")


def check_scan(book: str, sheet: str, part: str, scan: SheetScan) -> None:
    """Refuse a damaged sheet: the XML around the cells must be well-formed (a sheet cut short
    after its cells, say), and every cell address must be a cell reference (r="E", r="5"),
    which Excel would have to repair and no part of sp_xl can place. Cheap: the XML around
    the cells is small, and the addresses are checked in one regex pass."""
    around = scan.data[:scan.span[0]] + scan.data[scan.span[1]:] if scan.span[1] else scan.data
    try:
        etree.fromstring(around, etree.XMLParser(huge_tree=True, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise refuse(*damaged_xml(book, part, exc)) from None
    refs = list(scan.values) + [r for r, _ in scan.formulas]
    if not refs or _REFS.fullmatch("\n".join(refs) + "\n"):
        return
    bad = next(r for r in refs if not re.fullmatch(_REF, r))
    shown = bad if len(bad) <= 20 else bad[:20] + "…"
    raise refuse(f"{book} er beskadiget: en celle på arket {sheet} har adressen '{shown}', som ikke er en "
                 "celleadresse. Brug en tidligere version, fx fra sp-xl-backup, eller åbn og gem filen i Excel.",
                 f"{book} is damaged: a cell on the sheet {sheet} has the address '{shown}', which is not a cell "
                 "address. Use an earlier version, e.g. from sp-xl-backup, or open and save the file in Excel.")
