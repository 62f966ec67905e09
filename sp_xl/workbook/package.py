"""Lossless read/patch access to an .xlsx/.xlsm package.

We never load and re-save a workbook through a library: that drops parts it does not
understand. Instead we read the zip members, index the cells of each sheet with a byte-level
scanner (offsets into the original XML), and write results by splicing only the affected
``<c>`` elements. Every other byte of every member stays as it was, and members we do not
change keep even their compressed bytes (they are copied, not recompressed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io
import math
import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from lxml import etree

from sp_xl import i18n
from sp_xl.errors import CODES, VALUE, ExcelError
from sp_xl.workbook.safety import WorkbookRefused, check_package_bytes, refuse

# Excel 365's calculation engine id. A file carrying a lower calcId is fully recalculated
# when Excel opens it (ECMA-376 Part 1, 18.2.2 calcPr), which would replace our values.
CURRENT_CALC_ID = 191029

_RT_OFFICE_DOCUMENT = "/officeDocument"
_RT_SHARED_STRINGS = "/sharedStrings"
_RT_TABLE = "/table"
_CT_XLSB = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"

# ---------------------------------------------------------------- byte-level scanner

_NAME = rb"[A-Za-z_][\w.\-]*"
_ATTRS = rb"(?:\s+[^\s=>/]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*"
# The full index (slow path): row starts, row ends and whole cells (cells never nest).
_SHEET_TOKEN = re.compile(
    rb"<(?:" + _NAME + rb":)?row\b(" + _ATTRS + rb")(/?)>"
    rb"|(</(?:" + _NAME + rb":)?row\s*>)"
    rb"|<(?:" + _NAME + rb":)?c\b(" + _ATTRS + rb")(?:/>|>(.*?)</(?:" + _NAME + rb":)?c\s*>)",
    re.S)
_T_VALUE = re.compile(rb"\st\s*=\s*[\"']([^\"']*)[\"']")
_SHEETDATA_OPEN = re.compile(rb"<(?:(" + _NAME + rb"):)?sheetData\b" + _ATTRS + rb"(/?)>")
_ATTR = re.compile(rb"([^\s=>/]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_T_ATTR = re.compile(rb"(\s+)t\s*=\s*(?:\"[^\"]*\"|'[^']*')")
_F_EL = re.compile(rb"<(?:" + _NAME + rb":)?f\b(" + _ATTRS + rb")(?:/>|>(.*?)</(?:" + _NAME + rb":)?f\s*>)", re.S)
_V_EL = re.compile(rb"<(?:" + _NAME + rb":)?v\b" + _ATTRS + rb"(?:/>|>(.*?)</(?:" + _NAME + rb":)?v\s*>)", re.S)
_IS_EL = re.compile(rb"<(?:" + _NAME + rb":)?is\b" + _ATTRS + rb"(?:/>|>(.*?)</(?:" + _NAME + rb":)?is\s*>)", re.S)
_RPH_EL = re.compile(rb"<(?:" + _NAME + rb":)?rPh\b.*?</(?:" + _NAME + rb":)?rPh\s*>", re.S)
_T_EL = re.compile(rb"<(?:" + _NAME + rb":)?t\b" + _ATTRS + rb"(?:/>|>(.*?)</(?:" + _NAME + rb":)?t\s*>)", re.S)
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);")
_ENTITY_MAP = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _xml_unescape(text: str) -> str:
    if "&" not in text:
        return text

    def sub(m: re.Match) -> str:
        e = m.group(1)
        if e[0] == "#":
            return chr(int(e[2:], 16) if e[1] in "xX" else int(e[1:]))
        return _ENTITY_MAP[e]
    return _ENTITY.sub(sub, text)


def xstring_decode(text: str) -> str:
    """ST_Xstring: '_x000D_' stands for a carriage return, '_x005F_' for a literal '_'."""
    if "_x" not in text:
        return text
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


_CDATA = re.compile(rb"<!\[CDATA\[(.*?)\]\]>", re.S)


def _text(raw: bytes) -> str:
    if b"<![CDATA[" in raw:      # CDATA content is literal; the rest is escaped text
        parts, pos = [], 0
        for m in _CDATA.finditer(raw):
            parts.append(_xml_unescape(raw[pos:m.start()].decode("utf-8")))
            parts.append(m.group(1).decode("utf-8"))
            pos = m.end()
        parts.append(_xml_unescape(raw[pos:].decode("utf-8")))
        return "".join(parts)
    return _xml_unescape(raw.decode("utf-8"))


def _attrs(raw: bytes) -> dict[str, str]:
    out = {}
    for name, v1, v2 in _ATTR.findall(raw):
        out[name.decode("ascii", "replace")] = _text(v1 or v2)
    return out


# ---------------------------------------------------------------- references

_COL_CACHE: dict[str, int] = {}
_LETTERS_CACHE: dict[int, str] = {}


def col_number(letters: str) -> int:
    n = _COL_CACHE.get(letters)
    if n is None:
        n = 0
        for ch in letters.upper():
            n = n * 26 + ord(ch) - 64
        _COL_CACHE[letters] = n
    return n


def col_letters(n: int) -> str:
    s = _LETTERS_CACHE.get(n)
    if s is None:
        s, k = "", n
        while k:
            k, r = divmod(k - 1, 26)
            s = chr(65 + r) + s
        _LETTERS_CACHE[n] = s
    return s


def split_ref(ref: str) -> tuple[int, int]:
    """'B5' -> (row 5, column 2)."""
    m = _REF.match(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_number(m.group(1))


def range_cells(area: str) -> list[str]:
    """'B5:C6' -> ['B5', 'C5', 'B6', 'C6'] (row by row)."""
    first, _, last = area.partition(":")
    r1, c1 = split_ref(first)
    r2, c2 = split_ref(last or first)
    return [f"{col_letters(c)}{r}" for r in range(min(r1, r2), max(r1, r2) + 1)
            for c in range(min(c1, c2), max(c1, c2) + 1)]


# ---------------------------------------------------------------- public data

@dataclass(frozen=True)
class FormulaCell:
    sheet: str
    ref: str
    formula: str
    array_ref: str | None = None
    cached: object = None


@dataclass(frozen=True)
class FormulaNote:
    """A formula cell with a reason, in Danish and English: one the engine could not compute,
    or one the share copy froze as a value."""

    sheet: str
    ref: str
    formula: str
    reason_da: str
    reason_en: str

    @property
    def reason(self) -> str:
        return i18n.pick(self.reason_da, self.reason_en)

    def describe(self) -> str:
        return f"{self.sheet}!{self.ref}: ={self.formula} -- {self.reason}"


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str | None        # zip member of the sheet XML (None: chart sheet or missing part)
    kind: str               # "worksheet", "chartsheet", "dialogsheet", "macrosheet"
    state: str              # "visible", "hidden", "veryHidden"


@dataclass
class _Cell:
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
class _Row:
    __slots__ = ("number", "start", "open_end", "close_start", "end", "self_closing")
    number: int
    start: int
    open_end: int           # offset after the '>' of the opening tag
    close_start: int        # offset of '</row>' (== open_end for <row/>)
    end: int
    self_closing: bool


@dataclass
class _SheetIndex:
    data: bytes
    prefix: bytes                       # namespace prefix used for elements, b"" or b"x:"
    sheetdata_open: tuple[int, int]     # span of <sheetData ...>
    sheetdata_close: int                # offset of </sheetData> (-1 when self-closing)
    rows: list[_Row] = field(default_factory=list)
    cells: list[_Cell] = field(default_factory=list)
    by_ref: dict[str, _Cell] = field(default_factory=dict)


@dataclass
class _SheetScan:
    data: bytes
    prefix: bytes
    positional: bool = False                 # some cells lack r="": only the full index knows them
    span: tuple[int, int] = (0, 0)           # the content of <sheetData>
    values: dict[str, object] = field(default_factory=dict)
    formulas: list[tuple[str, bytes]] = field(default_factory=list)   # (ref, inner XML) of formula cells


_TUPLE_CACHE: dict[bytes, re.Pattern] = {}
_SPAN_CACHE: dict[tuple[bytes, bool], re.Pattern] = {}


def _cell_tuples(p: bytes) -> re.Pattern:
    """Cells as (r, t, other attributes, plain <v> text, other content); r, s, t in the usual order."""
    if p not in _TUPLE_CACHE:
        _TUPLE_CACHE[p] = re.compile(
            rb"<" + p + rb"c\b(?:\s+r=\"([^\"]*)\")?(?:\s+s=\"[^\"]*\")?(?:\s+t=\"([^\"]*)\")?(" + _ATTRS
            + rb")(?:/>|><" + p + rb"v>([^<]*)</" + p + rb"v></" + p + rb"c>|>(.*?)</" + p + rb"c\s*>)", re.S)
    return _TUPLE_CACHE[p]


def _cell_spans(p: bytes, formulas_only: bool) -> re.Pattern:
    """Cells with offsets: (attributes, content); only formula cells when asked (much faster)."""
    key = (p, formulas_only)
    if key not in _SPAN_CACHE:
        content = rb"(\s*<" + p + rb"f\b.*?)" if formulas_only else rb"(.*?)"
        _SPAN_CACHE[key] = re.compile(
            rb"<" + p + rb"c\b(?:\s+r=\"([^\"]*)\")?(" + _ATTRS + rb")(?:" + (b"" if formulas_only else b"/>|")
            + rb">" + content + rb"</" + p + rb"c\s*>)", re.S)
    return _SPAN_CACHE[key]


_F_OPEN_CACHE: dict[bytes, re.Pattern] = {}


def _formula_cells(data: bytes, p: bytes, start: int, end: int) -> Iterator[re.Match]:
    """The matches of ``_cell_spans(p, formulas_only=True)`` in data[start:end], found fast.

    Trying that pattern at every ``<c`` of a 100,000-row sheet costs about a second; formula
    cells are usually a small part of them. So we look for the ``<f`` elements instead (a
    literal search) and try the pattern once, at the ``<`` before each: a formula cell's
    ``<f`` is its first child, so only its own start tag (attribute values cannot hold
    '<') lies between the two. Same cells, same groups, same order as the full search.
    """
    f_open = _F_OPEN_CACHE.get(p)
    if f_open is None:
        f_open = _F_OPEN_CACHE[p] = re.compile(rb"<" + re.escape(p) + rb"f\b")
    cell = _cell_spans(p, formulas_only=True)
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


def _ref_of(r: bytes | None, attrs: bytes) -> str | None:
    if not r:
        rm = _R_ATTR.search(attrs)
        if rm is None:
            return None
        r = rm.group(1) or rm.group(2)
    ref = r.decode("ascii", "replace")
    return ref.replace("$", "").upper() if b"$" in r or not r.isupper() else ref


def _spans(scan: _SheetScan, targets: Iterable[str]) -> dict[str, tuple[int, int, bytes, bytes | None]]:
    """Offsets of the target cells that exist: ref -> (start, end, attributes, content)."""
    wanted = set(targets)
    formula_refs = {ref for ref, _ in scan.formulas}
    if wanted <= formula_refs:
        tokens = _formula_cells(scan.data, scan.prefix, *scan.span)
    else:
        tokens = _cell_spans(scan.prefix, formulas_only=False).finditer(scan.data, *scan.span)
    out = {}
    data, skip = scan.data, 2 + len(scan.prefix)
    for tok in tokens:
        r, attrs, inner = tok.groups()
        ref = r.decode("ascii", "replace") if r and b"$" not in r and r.isupper() else _ref_of(r, attrs)
        if ref in wanted:
            start = tok.start()
            out[ref] = (start, tok.end(), data[start + skip:tok.end(2)], inner)   # all attributes, r="" too
    return out


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


def _index_sheet(data: bytes, sheet: str) -> _SheetIndex:
    m = _SHEETDATA_OPEN.search(data)
    if m is None:
        return _SheetIndex(data, b"", (len(data), len(data)), -1)
    prefix = (m.group(1) + b":") if m.group(1) else b""
    if m.group(2):
        return _SheetIndex(data, prefix, m.span(), -1)
    close = data.find(b"</" + prefix + b"sheetData", m.end())
    if close < 0:
        raise refuse(f"Arket '{sheet}' er beskadiget (sheetData slutter ikke).",
                     f"Sheet '{sheet}' is damaged (sheetData is not closed).")
    idx = _SheetIndex(data, prefix, m.span(), close)
    rows, cells, by_ref = idx.rows, idx.cells, idx.by_ref
    row_no, col_no, current = 0, 0, None
    for tok in _SHEET_TOKEN.finditer(data, m.end(), close):
        row_attrs, row_selfclose, row_close, c_attrs, c_inner = tok.groups()
        if c_attrs is not None:
            rm = _R_ATTR.search(c_attrs)
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
            cell = _Cell(r, row, col_no, tok.start(), tok.end(), c_attrs, c_inner, inner_start)
            cells.append(cell)
            by_ref[r] = cell
        elif row_close is not None:
            if current is not None:
                current.close_start = tok.start()
                current.end = tok.end()
                current = None
        else:
            rm = _R_ATTR.search(row_attrs)
            try:
                row_no = int(rm.group(1) or rm.group(2)) if rm else row_no + 1
            except ValueError:
                raise refuse(f"Arket '{sheet}' har et ugyldigt rækkenummer.",
                             f"Sheet '{sheet}' has an invalid row number.") from None
            col_no = 0
            selfclose = bool(row_selfclose)
            current = _Row(row_no, tok.start(), tok.end(), tok.end(), tok.end(), selfclose)
            rows.append(current)
            if selfclose:
                current = None
    return idx


# ---------------------------------------------------------------- values

_ERROR_ALIASES = {"#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!",
                  "#BUSY!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!"}


def error_value(code: str) -> ExcelError:
    """An error literal from a file; newer Excel errors have no own code here and read as #VALUE!."""
    code = code.strip()
    if code in CODES:
        return ExcelError(code, "Cellen indeholder fejlen " + code + ".", "The cell holds the error " + code + ".")
    return ExcelError(VALUE, f"Excel viste fejlen {code} i cellen.", f"Excel showed the error {code} in the cell.")


def _number(text: str) -> float | ExcelError:
    try:
        return float(text)
    except ValueError:
        return ExcelError(VALUE, f"Cellen har et ugyldigt tal '{text}'.", f"The cell has an invalid number '{text}'.")


def _inline_text(raw: bytes) -> str:
    raw = _RPH_EL.sub(b"", raw)
    return xstring_decode("".join(_text(m.group(1) or b"") for m in _T_EL.finditer(raw)))


# ---------------------------------------------------------------- shared formulas

_PLAIN_CELL = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)([1-9][0-9]{0,6})")


class _SharedFormula:
    """A shared formula's text for any cell of its range: openpyxl's Translator, made fast.

    Excel stores a filled-down column as one master formula plus 10^5 cells that say "same,
    shifted"; openpyxl's Translator runs its regexes over every reference per cell (3x our
    time, and importing openpyxl costs 0.2 s). We tokenise once and, when every reference
    is a plain cell or cell:cell area, only shift numbers per cell, with openpyxl's exact
    rules (a relative column is rewritten in capitals; a shift off the sheet is openpyxl's
    TranslatorError). Anything else (whole rows/columns, names, literals) goes to openpyxl
    itself. Tests compare both on generated formulas.
    """

    def __init__(self, text: str, origin: str):
        from sp_xl.workbook.engine_tokenizer import Token, Tokenizer
        self.text, self.origin = text, origin
        self.row, self.col = split_ref(origin)
        self._openpyxl = None
        self.pieces: list[object] | None = []      # str, or (sheet part, [cell parts]) to shift
        try:
            tokens = Tokenizer("=" + text).items
        except Exception:                           # noqa: BLE001 - openpyxl decides what happens
            tokens = None
        if not tokens or tokens[0].type == Token.LITERAL:
            self.pieces = None
            return
        for tok in tokens:
            if tok.type == Token.OPERAND and tok.subtype == Token.RANGE:
                sheet, bang, area = tok.value.rpartition("!")
                cells = [_PLAIN_CELL.fullmatch(part) for part in area.split(":")]
                if len(cells) > 2 or not all(cells):
                    self.pieces = None              # names, whole rows/columns, 3-part ranges
                    return
                parts = [(cabs + letters if cabs else None, col_number(letters),
                          rabs + digits if rabs else None, int(digits))
                         for cabs, letters, rabs, digits in (m.groups() for m in cells)]
                self.pieces.append((sheet + bang, parts))
            else:
                self.pieces.append(tok.value)

    def translate(self, ref: str) -> str:
        row, col = split_ref(ref)
        dr, dc = row - self.row, col - self.col
        if self.pieces is None:
            return self._slow(ref)
        out = []
        for piece in self.pieces:
            if type(piece) is str:
                out.append(piece)
                continue
            sheet, cells = piece
            parts = []
            for fixed_col, col_no, fixed_row, row_no in cells:
                if fixed_col is None:
                    n = col_no + dc
                    if not 1 <= n <= 18278:
                        return self._slow(ref)      # openpyxl raises TranslatorError here
                    fixed_col = col_letters(n)
                if fixed_row is None:
                    n = row_no + dr
                    if n <= 0:
                        return self._slow(ref)
                    fixed_row = str(n)
                parts.append(fixed_col + fixed_row)
            out.append(sheet + ":".join(parts))
        return "".join(out)

    def _slow(self, ref: str) -> str:
        if self._openpyxl is None:
            from openpyxl.formula.translate import Translator
            self._openpyxl = Translator("=" + self.text, self.origin)
        return self._openpyxl.translate_formula(ref)[1:]


# ---------------------------------------------------------------- the package

class XlsxPackage:
    """An opened workbook package; read-only except for :meth:`with_values`."""

    def __init__(self, data: bytes, name: str = "projektmappe"):
        check_package_bytes(data, name)
        self.name = name
        self.data = data
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            self._infos = self._zip.infolist()
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise refuse(f"{name} er beskadiget og kan ikke åbnes som .xlsx ({exc}).",
                         f"{name} is damaged and cannot be opened as .xlsx ({exc}).") from None
        self._names = {i.filename for i in self._infos}
        # Lookups forgive letter case and Windows backslashes, which some writers produce.
        self._lower = {n.replace("\\", "/").lower(): n for n in self._names}
        self._members: dict[str, bytes] = {}
        self._names_read: dict[str, str] = {}     # name asked for -> zip member read (CRC checked)
        self._indexes: dict[str, _SheetIndex] = {}
        self._scans: dict[str, _SheetScan] = {}
        self._formulas: list[FormulaCell] | None = None
        self._load_workbook()

    @classmethod
    def open(cls, path) -> XlsxPackage:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise refuse(f"{path.name} kan ikke læses: {exc.strerror}.",
                         f"{path.name} cannot be read: {exc.strerror}.") from None
        pkg = cls(data, path.name)
        pkg.path = path
        return pkg

    # ---- members

    def member_names(self) -> list[str]:
        return [i.filename for i in self._infos]

    def read(self, name: str) -> bytes:
        if name not in self._members:
            real = name if name in self._names else self._lower.get(name.replace("\\", "/").lower())
            if real is None:
                raise KeyError(name)
            try:
                self._members[name] = self._zip.read(real)
                self._names_read[name] = real
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                raise refuse(f"{self.name} er beskadiget: delen {name} kan ikke læses ({exc}).",
                             f"{self.name} is damaged: the part {name} cannot be read ({exc}).") from None
        return self._members[name]

    def _has(self, name: str) -> bool:
        return name in self._names or name.replace("\\", "/").lower() in self._lower

    def _xml(self, name: str) -> etree._Element:
        try:
            return etree.fromstring(self.read(name), etree.XMLParser(huge_tree=True, resolve_entities=False))
        except etree.XMLSyntaxError as exc:
            raise refuse(f"{self.name} er beskadiget: {name} er ikke gyldig XML ({exc}).",
                         f"{self.name} is damaged: {name} is not valid XML ({exc}).") from None

    def _rels(self, part: str) -> list[tuple[str, str, str]]:
        """(id, type, resolved target) of a part's relationships."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if not self._has(rels_name):
            return []
        out = []
        for el in self._xml(rels_name):
            if not isinstance(el.tag, str) or etree.QName(el).localname != "Relationship":
                continue
            if el.get("TargetMode") == "External":
                continue
            target = el.get("Target", "")
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out.append((el.get("Id", ""), el.get("Type", ""), resolved))
        return out

    # ---- workbook

    def _load_workbook(self) -> None:
        name = self.name
        if not self._has("[Content_Types].xml"):
            raise refuse(f"{name} er ikke en Excel-projektmappe ([Content_Types].xml mangler).",
                         f"{name} is not an Excel workbook ([Content_Types].xml is missing).")
        wb_part = next((t for _, typ, t in self._rels("") if typ.endswith(_RT_OFFICE_DOCUMENT)), None)
        if wb_part is None or not self._has(wb_part):
            if self._has("content.xml"):
                raise refuse(f"{name} er et OpenDocument-regneark (.ods), ikke en Excel-projektmappe.",
                             f"{name} is an OpenDocument spreadsheet (.ods), not an Excel workbook.")
            raise refuse(f"{name} er ikke en Excel-projektmappe (den indeholder ingen workbook.xml).",
                         f"{name} is not an Excel workbook (it contains no workbook.xml).")
        if wb_part.lower().endswith(".bin") or _CT_XLSB.encode() in self.read("[Content_Types].xml"):
            raise refuse(f"{name} er en binær projektmappe (.xlsb), som sp-xl ikke kan opdatere. Gem den som .xlsx.",
                         f"{name} is a binary workbook (.xlsb), which sp-xl cannot refresh. Save it as .xlsx.")
        if not wb_part.endswith(".xml") or b"spreadsheetml" not in self.read(wb_part)[:4000]:
            raise refuse(f"{name} er en Office-fil, men ikke en Excel-projektmappe.",
                         f"{name} is an Office file, but not an Excel workbook.")
        self.workbook_part = wb_part
        root = self._xml(wb_part)
        rels = {rid: (typ, target) for rid, typ, target in self._rels(wb_part)}
        self.sheets: list[SheetInfo] = []
        self.date1904 = False
        self.defined_names: dict[str, str] = {}
        self.local_names: dict[tuple[str, str], str] = {}
        local_ids: list[tuple[int, str, str]] = []
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            tag = etree.QName(el).localname
            if tag == "workbookPr":
                self.date1904 = el.get("date1904", "0").lower() in ("1", "true")
            elif tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
                typ, target = rels.get(rid, ("", None))
                kind = typ.rsplit("/", 1)[-1] or "worksheet"
                part = target if target and self._has(target) else None
                self.sheets.append(SheetInfo(el.get("name", ""), part, kind, el.get("state", "visible")))
            elif tag == "definedName":
                if el.get("localSheetId") is not None:
                    local_ids.append((int(el.get("localSheetId")), el.get("name", ""), el.text or ""))
                else:
                    self.defined_names[el.get("name", "")] = el.text or ""
        for i, nm, text in local_ids:
            if 0 <= i < len(self.sheets):
                self.local_names[(self.sheets[i].name, nm)] = text
        self.sheet_names = [s.name for s in self.sheets]
        self._by_name = {s.name: s for s in self.sheets}
        self._shared_strings = self._load_shared_strings(rels)

    def _load_shared_strings(self, rels: Mapping[str, tuple[str, str]]) -> list[str]:
        part = next((t for typ, t in rels.values() if typ.endswith(_RT_SHARED_STRINGS)), None)
        if part is None or not self._has(part):
            return []
        root = self._xml(part)
        out = []
        for si in root:
            if not isinstance(si.tag, str) or etree.QName(si).localname != "si":
                continue
            # Plain <t>, or the <t> of each rich-text run <r>; phonetic runs (<rPh>) are not shown.
            texts = []
            for part in si:
                if not isinstance(part.tag, str):
                    continue
                local = etree.QName(part).localname
                if local == "t":
                    texts.append(part.text or "")
                elif local == "r":
                    texts.extend(t.text or "" for t in part
                                 if isinstance(t.tag, str) and etree.QName(t).localname == "t")
            out.append(xstring_decode("".join(texts)))
        return out

    # ---- sheets

    def _sheet(self, sheet: str) -> SheetInfo:
        try:
            return self._by_name[sheet]
        except KeyError:
            raise KeyError(f"no sheet named {sheet!r}") from None

    def _part(self, sheet: str) -> str | None:
        info = self._sheet(sheet)
        if info.part is None or info.kind not in ("worksheet", "macrosheet", "dialogsheet"):
            return None
        return info.part

    def _index(self, sheet: str) -> _SheetIndex | None:
        """The full index (every row and cell with offsets); only needed to insert cells."""
        part = self._part(sheet)
        if part is None:
            return None
        if sheet not in self._indexes:
            self._indexes[sheet] = _index_sheet(self.read(part), sheet)
        return self._indexes[sheet]

    def _scan(self, sheet: str) -> _SheetScan | None:
        """Values of every cell, plus offsets of the cells a refresh may write (one pass)."""
        part = self._part(sheet)
        if part is None:
            return None
        if sheet not in self._scans:
            with gc_paused():
                self._scans[sheet] = self._scan_sheet(sheet, self.read(part))
        return self._scans[sheet]

    def _scan_sheet(self, sheet: str, data: bytes) -> _SheetScan:
        m = _SHEETDATA_OPEN.search(data)
        prefix = (m.group(1) + b":") if m and m.group(1) else b""
        scan = _SheetScan(data, prefix)
        if m is None or m.group(2):
            return scan
        end = data.find(b"</" + prefix + b"sheetData", m.end())
        if end < 0:
            raise refuse(f"Arket '{sheet}' er beskadiget (sheetData slutter ikke).",
                         f"Sheet '{sheet}' is damaged (sheetData is not closed).")
        scan.span = (m.end(), end)
        values, formulas = scan.values, scan.formulas
        sst, decode = self._shared_strings, self._decode
        f_open, f_pref = b"<f", b"<" + prefix + b"f"
        # findall gives plain tuples, far cheaper than match objects for 10^5-10^6 cells; plain
        # numbers (most cells of a data sheet) are converted in bulk by comprehensions.
        found = _cell_tuples(prefix).findall(data, m.end(), end)
        plain = {r: v for r, t, attrs, v, inner in found if v and not attrs and (not t or t == b"n")}
        try:
            # Checked on all keys at once: only plain ASCII 'B5' keys may skip normalising.
            keys = b"".join(plain)
            if b"$" in keys or not keys.isascii() or keys.upper() != keys or b"" in plain:
                raise ValueError("unusual references")
            names = b"\0".join(plain).decode("ascii").split("\0") if plain else []   # one decode, not 10^5
            values.update(zip(names, map(float, plain.values())))
        except ValueError:
            values.clear()
            plain = {}
        others = [x for x in found if x[0] not in plain] if plain else found
        del found
        for r, t, attrs, v, inner in others:
            if attrs:
                if not r:
                    rm = _R_ATTR.search(attrs)
                    if rm is None:
                        return self._scan_positional(sheet, data, prefix)
                    r = rm.group(1) or rm.group(2)
                if not t and b"t=" in attrs:
                    tm = _T_VALUE.search(attrs)
                    t = tm.group(1) if tm else b""
            elif not r:
                return self._scan_positional(sheet, data, prefix)
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
                values[ref] = xstring_decode(_text(inner[7:-9]))
                continue
            if f_open in inner or (prefix and f_pref in inner):
                formulas.append((ref, inner))
            value = decode(t or b"n", inner)
            if value is not None:
                values[ref] = value
        return scan

    def _scan_positional(self, sheet: str, data: bytes, prefix: bytes) -> _SheetScan:
        """Slow path for writers that leave out cell references: positions come from order."""
        idx = self._index(sheet)
        scan = _SheetScan(data, prefix, positional=True)
        for cell in idx.cells:
            inner = cell.inner
            if not inner:
                continue
            t = b"n"
            if b"t=" in cell.attrs:
                tm = _T_VALUE.search(cell.attrs)
                t = tm.group(1) if tm else b"n"
            if _F_EL.search(inner):
                scan.formulas.append((cell.ref, inner))
            v = self._decode(t, inner)
            if v is not None:
                scan.values[cell.ref] = v
        return scan

    def _decode(self, t: bytes, inner: bytes) -> object:
        """The constant or cached value of a cell from its type and content; None if none."""
        if inner[:3] == b"<v>" and inner[-4:] == b"</v>" and b"<" not in inner[3:-4]:
            raw = inner[3:-4]                      # the common case, without regexes
        elif (t != b"inlineStr" and inner[-4:] == b"</v>" and (k := inner.find(b"<v>")) >= 0
              and inner.find(b"<", k + 3, len(inner) - 4) < 0 and inner.find(b"<v", 0, k) < 0
              and b":v" not in inner[:k]):
            raw = inner[k + 3:-4]                  # a formula's '<f>..</f><v>x</v>': what _V_EL finds
        elif t == b"inlineStr" and (ism := _IS_EL.search(inner)):
            body = ism.group(1) or b""
            if body[:3] == b"<t>" and body[-4:] == b"</t>" and b"<" not in body[3:-4]:
                return xstring_decode(_text(body[3:-4]))
            return _inline_text(body)
        else:
            vm = _V_EL.search(inner)
            if vm is None:
                return None
            raw = vm.group(1)
            if raw is None:
                return "" if t in (b"str", b"s", b"inlineStr") else None
        if not raw and t in (b"n", b"b", b"e", b"d"):
            return None
        if t == b"n":
            try:
                return float(raw)
            except ValueError:
                text = _text(raw)
                return _number(text) if text.strip() else None
        if t == b"s":
            try:
                return self._shared_strings[int(raw)]
            except (ValueError, IndexError):
                return ExcelError(VALUE, f"Cellen henviser til en delt tekst ({_text(raw)}), der ikke findes.",
                                  f"The cell refers to a shared string ({_text(raw)}) that does not exist.")
        text = _text(raw)
        if t == b"b":
            return text.strip() in ("1", "true")
        if t == b"e":
            return error_value(text)
        if t == b"d":
            return self._iso_to_serial(text)
        return xstring_decode(text)           # "str", "inlineStr" with <v>

    def _iso_to_serial(self, text: str) -> float | ExcelError:
        text = text.strip().replace("Z", "")
        try:
            if "-" not in text and ":" in text:      # a time of day alone: a fraction of a day
                t = dt.time.fromisoformat(text)
                return (t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6) / 86400
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            return ExcelError(VALUE, f"Cellen har en ugyldig dato '{text}'.", f"The cell has an invalid date '{text}'.")
        epoch = dt.datetime(1904, 1, 1) if self.date1904 else dt.datetime(1899, 12, 30)
        return (when - epoch) / dt.timedelta(days=1)

    def cells(self, sheet: str) -> dict[str, object]:
        """Every cell with a value (constant or cached formula result), keyed by 'B5'."""
        scan = self._scan(sheet)
        return {} if scan is None else scan.values

    def formulas(self) -> list[FormulaCell]:
        """Every formula cell in sheet order, shared formulas translated to their cell."""
        if self._formulas is None:
            with gc_paused():
                self._formulas = self._all_formulas()
        return self._formulas

    def _all_formulas(self) -> list[FormulaCell]:
        out: list[FormulaCell] = []
        for info in self.sheets:
            scan = self._scan(info.name)
            if scan is not None:
                out.extend(self._sheet_formulas(info.name, scan))
        return out

    def _sheet_formulas(self, sheet: str, scan: _SheetScan) -> list[FormulaCell]:
        found: list[tuple[str, dict[str, str], str | None]] = []
        masters: dict[str, tuple[str, str]] = {}
        plain_open, close = b"<" + scan.prefix + b"f>", b"</" + scan.prefix + b"f>"
        skip, no_attrs = len(plain_open), {}
        parsed_attrs: dict[bytes, dict[str, str]] = {}     # read only below, so shared safely
        for ref, inner in scan.formulas:
            if inner[:skip] == plain_open:          # the usual '<f>A1*2</f>...', without a regex
                end = inner.find(close, skip)
                if end >= 0 and inner.find(b"<", skip, end) < 0:
                    found.append((ref, no_attrs, _text(inner[skip:end])))
                    continue
            m = _F_EL.search(inner)
            if m is None:
                continue
            raw_attrs = m.group(1)
            fattrs = parsed_attrs.get(raw_attrs)
            if fattrs is None:                    # 10^5 cells of one shared formula: parse once
                fattrs = parsed_attrs[raw_attrs] = _attrs(raw_attrs) if raw_attrs.strip() else {}
            text = _text(m.group(2)) if m.group(2) is not None else None
            if fattrs.get("t") == "shared" and text and "si" in fattrs:
                masters[fattrs["si"]] = (text, ref)
            found.append((ref, fattrs, text))
        translators: dict[str, object] = {}
        out = []
        values = scan.values
        for ref, fattrs, text in found:
            kind = fattrs.get("t", "normal")
            array_ref = None
            if kind == "shared" and not text:
                master = masters.get(fattrs.get("si", ""))
                if master is None:
                    continue            # dangling shared formula: Excel treats the cell as a value
                text = self._translate(translators, fattrs["si"], master, ref)
            elif kind == "array":
                array_ref = (fattrs.get("ref") or ref).replace("$", "").upper()
            elif kind == "dataTable":
                args = [fattrs.get("r1", ""), fattrs.get("r2", "")]
                text = f"TABLE({','.join(a for a in args if a)})"
            if not text:
                continue
            out.append(FormulaCell(sheet, ref, text, array_ref, values.get(ref)))
        return out

    @staticmethod
    def _translate(cache: dict, si: str, master: tuple[str, str], ref: str) -> str:
        tr = cache.get(si)
        if tr is None:
            tr = cache[si] = _SharedFormula(*master)
        return tr.translate(ref)

    def tables(self) -> dict[str, tuple[str, str, list[str]]]:
        """Table name -> (sheet, 'A1:D20', column names)."""
        out = {}
        for info in self.sheets:
            if info.part is None:
                continue
            for _, typ, target in self._rels(info.part):
                if not typ.endswith(_RT_TABLE) or not self._has(target):
                    continue
                root = self._xml(target)
                cols = [xstring_decode(c.get("name", "")) for c in root.iter()
                        if isinstance(c.tag, str) and etree.QName(c).localname == "tableColumn"]
                name = root.get("displayName") or root.get("name") or target
                out[name] = (info.name, (root.get("ref") or "").replace("$", ""), cols)
        return out

    # ---- writing

    def calc_pr(self) -> dict[str, str] | None:
        m = _CALCPR.search(self.read(self.workbook_part))
        return None if m is None else {k: v for k, v in _attrs(m.group(2)).items()}

    def with_values(self, values: Mapping[tuple[str, str], object], *,
                    stop_recalc_on_open: bool = False,
                    constants: Mapping[tuple[str, str], float | str] | None = None) -> bytes | None:
        """New package bytes with ``values`` as the cached results of their cells.

        Only formula cells and the cells of array-formula ranges may be given. With
        ``stop_recalc_on_open`` the workbook's calcPr is changed so that Excel shows the
        stored values instead of recalculating everything on open. ``constants`` sets
        non-formula cells (such as the "last refreshed" stamp) to a number or a text.
        Returns None when nothing would change.
        """
        by_sheet: dict[str, dict[str, object]] = {}
        for (sheet, ref), v in values.items():
            by_sheet.setdefault(sheet, {})[ref.replace("$", "").upper()] = v
        allowed = self._writable_cells()
        replaced: dict[str, bytes] = {}
        for sheet, vals in by_sheet.items():
            scan = self._scan(sheet)
            if scan is None:
                raise ValueError(f"sheet {sheet!r} has no cells to write")
            bad = [r for r in vals if r not in allowed.get(sheet, ())]
            if bad:
                raise ValueError(f"not formula cells in {sheet!r}: {', '.join(sorted(bad)[:5])}")
            spans = _spans(scan, vals) if not scan.positional else {}
            if len(spans) == len(vals):
                new = _patch_sheet(scan.data, scan.prefix, spans, vals, self.date1904)
            else:                                  # cells to create (or no r=""): needs rows and columns
                idx = self._index(sheet)
                spans = {c.ref: (c.start, c.end, c.attrs, c.inner) for c in idx.cells}
                new = _patch_sheet(scan.data, scan.prefix, spans, vals, self.date1904, idx)
            if new != scan.data:
                replaced[self._sheet(sheet).part] = new
        if constants:
            from sp_xl.workbook.import_cells import write_cells

            allowed_or_formula = {k for sheet, refs in allowed.items() for k in ((sheet, r) for r in refs)}
            by_const: dict[str, dict[str, float | str]] = {}
            for (sheet, ref), v in constants.items():
                if (sheet, ref.replace("$", "").upper()) in allowed_or_formula:
                    raise ValueError(f"{sheet}!{ref} holds a formula, not a constant")
                by_const.setdefault(sheet, {})[ref.replace("$", "").upper()] = v
            for sheet, vals in by_const.items():
                part = self._sheet(sheet).part
                before = replaced.get(part, self.read(part))
                after = write_cells(before, vals)
                if after != before:
                    replaced[part] = after
        if stop_recalc_on_open and replaced:      # only stored values justify telling Excel to keep them
            wb = self.read(self.workbook_part)
            new_wb = _patch_calc_pr(wb)
            if new_wb != wb:
                replaced[self.workbook_part] = new_wb
        if not replaced:
            return None
        return self._rezip(replaced)

    def stored_values(self, sheet: str, refs: Iterable[str], formula_refs: set[str] | None = None) -> dict[str, object]:
        """The cached values of some cells, found in place (cheaper than reading the whole sheet).

        Cells that appear more than once are reported as a list of their values.
        """
        part = self._part(sheet)
        if part is None:
            return {}
        data = self.read(part)
        m = _SHEETDATA_OPEN.search(data)
        if m is None or m.group(2):
            return {}
        prefix = (m.group(1) + b":") if m.group(1) else b""
        end = data.find(b"</" + prefix + b"sheetData", m.end())
        wanted = set(refs)
        only_formulas = formula_refs is not None and wanted <= formula_refs
        out: dict[str, object] = {}
        stop = end if end >= 0 else len(data)
        if only_formulas:
            found = (tok.groups() for tok in _formula_cells(data, prefix, m.end(), stop))
        else:
            found = _cell_spans(prefix, False).findall(data, m.end(), stop)
        for r, attrs, inner in found:
            ref = _ref_of(r, attrs)
            if ref not in wanted:
                continue
            tm = _T_VALUE.search(attrs) if b"t=" in attrs else None
            value = self._decode(tm.group(1) if tm else b"n", inner) if inner else None
            out[ref] = [out[ref], value] if ref in out else value
        return out

    def _writable_cells(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for f in self.formulas():
            refs = out.setdefault(f.sheet, set())
            refs.add(f.ref)
            if f.array_ref:
                refs.update(range_cells(f.array_ref))
        return out

    def _rezip(self, replaced: Mapping[str, bytes]) -> bytes:
        """The package with ``replaced`` members: same members, same order, same metadata.

        Unchanged members keep their compressed bytes exactly (copied, not recompressed,
        which also saves most of the time for a big unchanged data sheet); only the
        replaced ones are compressed again. Falls back to ``zipfile`` for what the fast
        writer does not handle (ZIP64 sizes, encrypted or unusual members).
        """
        real = {self.zip_name(k): v for k, v in replaced.items()}
        checked = {self._zip.getinfo(n).header_offset for n in self._names_read.values()}
        fast = _assemble_zip(self.data, self._infos, real, self._zip.comment, checked)
        return fast if fast is not None else self._rezip_with_zipfile(real)

    def _rezip_with_zipfile(self, real: Mapping[str, bytes]) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", allowZip64=True) as out:
            out.comment = self._zip.comment
            for info in self._infos:
                data = real.get(info.filename)
                if data is None:
                    data = self._zip.read(info.filename)
                zi = zipfile.ZipInfo(info.filename, date_time=max(info.date_time, (1980, 1, 1, 0, 0, 0)))
                known = info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
                zi.compress_type = info.compress_type if known else zipfile.ZIP_DEFLATED
                zi.external_attr = info.external_attr
                zi.create_system = info.create_system
                zi.comment = info.comment
                out.writestr(zi, data, compresslevel=6 if zi.compress_type == zipfile.ZIP_DEFLATED else None)
        return buf.getvalue()

    def zip_name(self, name: str) -> str:
        return name if name in self._names else self._lower[name.replace("\\", "/").lower()]


# ---------------------------------------------------------------- zip writing

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")          # signature .. extra length (30 bytes)
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")      # signature .. local header offset (46 bytes)
_END_RECORD = struct.Struct("<4s4H2LH")             # end of central directory (22 bytes)
_FLAG_ENCRYPTED, _FLAG_DESCRIPTOR, _FLAG_UTF8 = 0x1, 0x8, 0x800
_ZIP32_LIMIT = 0xFFFFFFFF - 1


def _raw_member(source: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """The compressed bytes of a member as stored in ``source`` (None if its header is odd)."""
    at = info.header_offset
    head = source[at:at + _LOCAL_HEADER.size]
    if len(head) < _LOCAL_HEADER.size:
        return None
    fields = _LOCAL_HEADER.unpack(head)
    if fields[0] != b"PK\x03\x04":
        return None
    start = at + _LOCAL_HEADER.size + fields[9] + fields[10]
    raw = source[start:start + info.compress_size]
    return raw if len(raw) == info.compress_size else None


def _crc_of_raw(raw: bytes, method: int) -> int:
    if method == zipfile.ZIP_STORED:
        return zlib.crc32(raw)
    d = zlib.decompressobj(-15)
    crc = 0
    try:
        for i in range(0, len(raw), 1 << 22):           # bounded memory for big members
            crc = zlib.crc32(d.decompress(raw[i:i + (1 << 22)]), crc)
        return zlib.crc32(d.flush(), crc)
    except zlib.error:
        return -1                                       # never equal to a CRC


_CHUNK = 1 << 20                # parallel deflate: fixed 1 MiB pieces, so the output never
_WINDOW = 1 << 15               # depends on the number of cores; 32 KiB of history for each


def _deflate_piece(data: bytes, start: int) -> bytes:
    end = start + _CHUNK
    if start:
        # The previous 32 KiB as preset dictionary: matches reach across the cut as in one stream.
        c = zlib.compressobj(6, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, data[start - _WINDOW:start])
    else:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
    # A sync flush ends a piece on a byte boundary without a final block, so the pieces
    # concatenate into one valid deflate stream (as pigz does); the last piece finishes it.
    return c.compress(data[start:end]) + c.flush(zlib.Z_FINISH if end >= len(data) else zlib.Z_SYNC_FLUSH)


def _deflate(data: bytes) -> bytes:
    """Raw deflate (level 6, as before) of a member; a big member is compressed in pieces on
    all cores (zlib releases the GIL), which halves the biggest part of writing on 2 cores."""
    workers = min(4, os.cpu_count() or 1)
    if len(data) <= 2 * _CHUNK or workers < 2:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush()
    with ThreadPoolExecutor(workers) as pool:
        return b"".join(pool.map(_deflate_piece, repeat(data), range(0, len(data), _CHUNK)))


def _assemble_zip(source: bytes, infos: list[zipfile.ZipInfo], replaced: Mapping[str, bytes],
                  comment: bytes, checked: set[int]) -> bytes | None:
    """A new zip of ``infos`` in order: replaced members compressed anew, the others copied
    as stored. ``checked`` holds the header offsets of members already read through zipfile
    (so their CRC was verified); any
    other copied member is decompressed here to check its CRC, so a damaged member is
    never passed on silently. None when the fast path does not apply."""
    if len(infos) >= 0xFFFF or len(comment) > 0xFFFF:
        return None
    parts: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for info in infos:
        flags = info.flag_bits
        if flags & _FLAG_ENCRYPTED or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return None
        data = replaced.get(info.filename)
        method = info.compress_type
        if data is None:
            raw = _raw_member(source, info)
            if raw is None:
                return None
            crc, size = info.CRC, info.file_size
            if info.header_offset not in checked and _crc_of_raw(raw, method) != crc:
                raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
        else:
            crc, size = zlib.crc32(data), len(data)
            raw = _deflate(data) if method == zipfile.ZIP_DEFLATED else data
            flags &= ~0x6                                  # deflate option bits describe the old stream
        if max(size, len(raw), offset) > _ZIP32_LIMIT:
            return None
        try:
            name = info.filename.encode("ascii")
            flags &= ~_FLAG_UTF8
        except UnicodeEncodeError:
            name = info.filename.encode("utf-8")
            flags |= _FLAG_UTF8
        flags &= ~_FLAG_DESCRIPTOR                         # sizes and CRC are in the header
        y, mo, d, h, mi, sec = max(info.date_time, (1980, 1, 1, 0, 0, 0))
        dos_date, dos_time = (y - 1980) << 9 | mo << 5 | d, h << 11 | mi << 5 | sec // 2
        member_comment = info.comment or b""
        parts.append(_LOCAL_HEADER.pack(b"PK\x03\x04", 20, flags, method, dos_time, dos_date,
                                        crc, len(raw), size, len(name), 0))
        parts.append(name)
        parts.append(raw)
        central.append(_CENTRAL_HEADER.pack(b"PK\x01\x02", info.create_system << 8 | 20, 20, flags, method,
                                            dos_time, dos_date, crc, len(raw), size, len(name), 0,
                                            len(member_comment), 0, 0, info.external_attr, offset)
                       + name + member_comment)
        offset += _LOCAL_HEADER.size + len(name) + len(raw)
    directory = b"".join(central)
    if offset + len(directory) > _ZIP32_LIMIT:
        return None
    end = _END_RECORD.pack(b"PK\x05\x06", 0, 0, len(infos), len(infos), len(directory), offset, len(comment))
    return b"".join(parts) + directory + end + comment


# ---------------------------------------------------------------- cell serialisation

_XML_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
# Characters XML cannot carry (and CR, which XML parsers would turn into LF) use ST_Xstring escapes.
_NEEDS_XSTRING = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


def escape_text(s: str) -> bytes:
    """XML-escaped UTF-8, with ST_Xstring escapes (_xHHHH_) for what XML 1.0 cannot carry (and CR,
    which parsers turn into LF); a literal "_x0041_" is escaped too."""
    if _NEEDS_XSTRING.search(s):
        s = _NEEDS_XSTRING.sub(lambda m: "_x005F" + m.group(0) if m.group(0).startswith("_x")
                               else f"_x{ord(m.group(0)):04X}_", s)
    return s.translate(_XML_ESCAPES).encode("utf-8")


def _format_number(x: float) -> bytes:
    if x == 0:
        return b"0"
    if float(x).is_integer() and abs(x) < 1e16:
        return str(int(x)).encode()
    return repr(float(x)).encode()


def serialise_value(value: object, date1904: bool = False) -> tuple[str | None, bytes]:
    """(t attribute or None, <v> text) for a result value."""
    if type(value) is float and math.isfinite(value):
        return None, _format_number(value)
    if isinstance(value, ExcelError):
        return "e", value.code.encode()
    if isinstance(value, bool):
        return "b", b"1" if value else b"0"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        x = float(value)
        if not math.isfinite(x):
            return "e", b"#NUM!"
        return None, _format_number(x)
    if isinstance(value, (dt.datetime, dt.date)):
        if not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
        return None, _format_number((value - epoch) / dt.timedelta(days=1))
    if value is None:
        return None, b"0"          # Excel shows a formula that yields "nothing" (=A1 on an empty A1) as 0
    return "str", escape_text(str(value))


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
    inner = _IS_EL.sub(b"", old_inner)        # a formula cell stores its text result in <v>
    m = _V_EL.search(inner)
    if m:
        return inner[:m.start()] + new_v + inner[m.end():]
    f = _F_EL.search(inner)
    at = f.end() if f else 0
    return inner[:at] + new_v + inner[at:]


def _cell_attrs(old: bytes, t: str | None) -> bytes:
    stripped = (_T_ATTR.sub(b"", old) if b"t" in old else old).rstrip()
    if t is None:
        return stripped
    return stripped + b' t="' + t.encode() + b'"'


def _edit_order(edit: tuple[int, int, int, bytes]) -> tuple[int, int]:
    return edit[0], edit[2]


def _patch_sheet(data: bytes, p: bytes, spans: Mapping[str, tuple[int, int, bytes, bytes | None]],
                 vals: Mapping[str, object], date1904: bool = False, idx: _SheetIndex | None = None) -> bytes:
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
    parts, pos = [], 0
    for start, end, _, text in edits:
        parts.append(data[pos:start])
        parts.append(text)
        pos = end
    parts.append(data[pos:])
    return b"".join(parts)


def _insertions(idx: _SheetIndex, missing: Mapping[int, list[tuple[int, bytes]]]) -> Iterable[tuple[int, int, int, bytes]]:
    """New <c> (and <row>) elements for array-range cells the file does not have yet."""
    p = idx.prefix
    rows = {r.number: r for r in idx.rows}
    cells_by_row: dict[int, list[_Cell]] = {}
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


_CALCPR = re.compile(rb"<((?:" + _NAME + rb":)?)calcPr\b(" + _ATTRS + rb")(/?)>")
_FULLCALC_ATTR = re.compile(rb"\s+fullCalcOnLoad\s*=\s*(?:\"[^\"]*\"|'[^']*')")
_CALCID_ATTR = re.compile(rb"(\s+calcId\s*=\s*)(?:\"([^\"]*)\"|'([^']*)')")
# Elements that follow calcPr in CT_Workbook; a new calcPr goes before the first of them.
_AFTER_CALCPR = re.compile(
    rb"<(?:" + _NAME + rb":)?(?:oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes|"
    rb"webPublishing|fileRecoveryPr|webPublishObjects|extLst)\b|</(?:" + _NAME + rb":)?workbook\s*>")
_WB_PREFIX = re.compile(rb"<(?:(" + _NAME + rb"):)?workbook\b")


def _patch_calc_pr(wb: bytes) -> bytes:
    """calcPr without fullCalcOnLoad and with a current calcId (see module docs of refresh)."""
    m = _CALCPR.search(wb)
    if m is None:
        pm = _WB_PREFIX.search(wb)
        prefix = (pm.group(1) + b":") if pm and pm.group(1) else b""
        at = _AFTER_CALCPR.search(wb)
        pos = at.start() if at else len(wb)
        return wb[:pos] + b"<" + prefix + b'calcPr calcId="' + str(CURRENT_CALC_ID).encode() + b'"/>' + wb[pos:]
    attrs = _FULLCALC_ATTR.sub(b"", m.group(2))
    cm = _CALCID_ATTR.search(attrs)
    if cm is None:
        attrs = b' calcId="' + str(CURRENT_CALC_ID).encode() + b'"' + attrs
    else:
        try:
            current = int((cm.group(2) or cm.group(3) or b"0").decode())
        except ValueError:
            current = 0
        if current < CURRENT_CALC_ID:
            attrs = attrs[:cm.start()] + cm.group(1) + b'"' + str(CURRENT_CALC_ID).encode() + b'"' + attrs[cm.end():]
    closing = b"/>" if m.group(3) else b">"
    return wb[:m.start()] + b"<" + m.group(1) + b"calcPr" + attrs.rstrip() + closing + wb[m.end():]


__all__ = ["FormulaCell", "SheetInfo", "WorkbookRefused", "XlsxPackage", "CURRENT_CALC_ID",
           "range_cells", "split_ref", "col_letters", "col_number", "serialise_value", "error_value"]
