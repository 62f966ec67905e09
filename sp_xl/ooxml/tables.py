"""Growing an Excel table by rows at its bottom, as Excel itself does when a row is added.

When Excel's table gets a new row, everything bound to the table follows it: the table's own
range and its filter, the sheet's used range, and every conditional format, data validation,
defined name and chart series that covered a whole column of the table's body. ``grow`` does
the same at the byte level, so a report that reads a table (through structured references,
or through a chart or name on its columns) needs no hand edit when a month is added.

Only growth downwards is done; the caller makes sure the rows below are empty and the table
has no totals row (``importing.apply`` refuses the period otherwise, and says so in Danish).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sp_xl.ooxml.cellrefs import col_letters, col_number, split_ref
from sp_xl.ooxml.xmltext import XML_ATTRS, XML_NAME

_REF_ATTR = re.compile(rb'(\sref\s*=\s*")([^"]*)(")')
_TABLE_OPEN = re.compile(rb"<(?:" + XML_NAME + rb":)?table\b" + XML_ATTRS + rb">")
_AUTOFILTER = re.compile(rb"<(?:" + XML_NAME + rb":)?autoFilter\b" + XML_ATTRS + rb"/?>")
_DIMENSION = re.compile(rb"<(?:" + XML_NAME + rb":)?dimension\b" + XML_ATTRS + rb"/?>")
_SQREF = re.compile(rb'(<(?:' + XML_NAME + rb':)?(?:conditionalFormatting|dataValidation)\b[^>]*?\ssqref\s*=\s*")([^"]*)(")')
_DEFINED_NAME = re.compile(rb"(<(?:" + XML_NAME + rb":)?definedName\b[^>]*>)(.*?)(</(?:" + XML_NAME + rb":)?definedName\s*>)",
                           re.S)
_CHART_F = re.compile(rb"(<(?:" + XML_NAME + rb":)?f>)(.*?)(</(?:" + XML_NAME + rb":)?f>)", re.S)
# An A1 area, optionally with its sheet: Sheet!$A$1:$B$9, 'My sheet'!A1:B9, A1:B9
_AREA = re.compile(r"((?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?(\$?[A-Za-z]{1,3}\$?\d+)(?::(\$?[A-Za-z]{1,3}\$?\d+))?")


@dataclass(frozen=True)
class TableInfo:
    name: str
    part: str            # the table part (xl/tables/tableN.xml)
    sheet: str
    sheet_part: str
    r1: int
    c1: int
    r2: int
    c2: int
    header_rows: int
    totals_rows: int

    @property
    def first_body_row(self) -> int:
        return self.r1 + min(self.header_rows, 1)

    @property
    def last_body_row(self) -> int:
        return self.r2 - self.totals_rows


def table_infos(pkg) -> dict[str, TableInfo]:
    """Every table of the package with its part, sheet and range."""
    out = {}
    for info in pkg.sheets:
        if info.part is None:
            continue
        for _, typ, target in pkg._rels(info.part):
            if not typ.endswith("/table") or not pkg._has(target):
                continue
            root = pkg._xml(target)
            ref = (root.get("ref") or "").replace("$", "")
            if ":" not in ref:
                continue
            (r1, c1), (r2, c2) = (split_ref(x) for x in ref.split(":"))
            name = root.get("displayName") or root.get("name") or target
            out[name] = TableInfo(name, target, info.name, info.part, r1, c1, r2, c2,
                                  int(root.get("headerRowCount", "1") or 1), int(root.get("totalsRowCount", "0") or 0))
    return out


def row_styles(sheet_xml: bytes, row: int, c1: int, c2: int) -> dict[int, bytes]:
    """The style attribute (b' s="5"') of each column's cell in one row: new rows look the same."""
    m = re.search(rb"<(?:" + XML_NAME + rb":)?row\b[^>]*?\sr\s*=\s*\"" + str(row).encode() + rb"\"[^>]*?(/?)>", sheet_xml)
    if m is None or m.group(1):
        return {}
    end = sheet_xml.find(b"row>", m.end())
    out = {}
    for cm in re.finditer(rb"<(?:" + XML_NAME + rb":)?c\b([^>]*?)(?:/>|>)", sheet_xml[m.end():end]):
        attrs = cm.group(1)
        r = re.search(rb'\sr\s*=\s*"([A-Za-z]+)\d+"', attrs)
        s = re.search(rb'\ss\s*=\s*"(\d+)"', attrs)
        if r and s:
            col = col_number(r.group(1).decode())
            if c1 <= col <= c2:
                out[col] = b' s="' + s.group(1) + b'"'
    return out


def grow(pkg, replaced: dict[str, bytes], growth: Mapping[str, int]) -> dict[str, bytes]:
    """``replaced`` (member -> new bytes) with every table in ``growth`` (name -> new last row)
    grown, and what is bound to the tables' columns following them. Returns the same dict."""
    tables = table_infos(pkg)
    grown = [(tables[name], last) for name, last in growth.items() if last > tables[name].r2]
    if not grown:
        return replaced

    def current(part: str) -> bytes:
        return replaced.get(part) if part in replaced else pkg.read(part)

    for table, last in grown:
        new_ref = f"{col_letters(table.c1)}{table.r1}:{col_letters(table.c2)}{last}".encode()
        xml = _TABLE_OPEN.sub(lambda m: _REF_ATTR.sub(lambda n: n.group(1) + new_ref + n.group(3), m.group(0), count=1),
                              current(table.part), count=1)
        xml = _AUTOFILTER.sub(lambda m: _REF_ATTR.sub(lambda n: n.group(1) + new_ref + n.group(3), m.group(0), count=1),
                              xml, count=1)
        replaced[table.part] = xml
        sheet = current(table.sheet_part)
        sheet = _DIMENSION.sub(lambda m: _REF_ATTR.sub(lambda n: n.group(1) + _dimension(n.group(2), last) + n.group(3),
                                                        m.group(0), count=1), sheet, count=1)
        sheet = _SQREF.sub(lambda m: m.group(1) + _extend_list(m.group(2), table, last) + m.group(3), sheet)
        replaced[table.sheet_part] = sheet

    def on_formulas(part: str, pattern: re.Pattern) -> None:
        xml = current(part)
        new = pattern.sub(lambda m: m.group(1) + _extend_text(m.group(2), grown) + m.group(3), xml)
        if new != xml:
            replaced[part] = new

    on_formulas(pkg.workbook_part, _DEFINED_NAME)
    for name in pkg.member_names():
        if name.startswith("xl/charts/chart") and name.endswith(".xml"):
            on_formulas(name, _CHART_F)
    return replaced


def _dimension(ref: bytes, last: int) -> bytes:
    text = ref.decode()
    a, _, b = text.partition(":")
    end = b or a
    r, c = split_ref(end)
    if r >= last:
        return ref
    return f"{a}:{col_letters(c)}{last}".encode()


def _covers_body(table: TableInfo, r1: int, c1: int, r2: int, c2: int) -> bool:
    """An area that spans whole columns of the table's body (from its first body row, or its
    header, to its last row) is bound to the table and grows with it."""
    return (r2 == table.last_body_row and r1 in (table.r1, table.first_body_row)
            and table.c1 <= c1 <= c2 <= table.c2)


def _extend_list(sqref: bytes, table: TableInfo, last: int) -> bytes:
    out = []
    for area in sqref.decode().split():
        a, _, b = area.partition(":")
        if b:
            (r1, c1), (r2, c2) = split_ref(a), split_ref(b)
            if _covers_body(table, r1, c1, r2, c2):
                area = f"{a}:{col_letters(c2)}{last}"
        out.append(area)
    return " ".join(out).encode()


def _unquote(sheet: str) -> str:
    sheet = sheet[:-1]
    return sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet


def _extend_text(raw: bytes, grown: list[tuple[TableInfo, int]]) -> bytes:
    return extend_areas(raw.decode("utf-8"), grown).encode("utf-8")


def extend_areas(text: str, grown: list[tuple[TableInfo, int]]) -> str:
    """A formula text (a defined name's, a chart series') with every area that spans whole
    columns of a grown table's body extended to the table's new last row."""

    def one(m: re.Match) -> str:
        sheet, a, b = m.group(1), m.group(2), m.group(3)
        if not sheet or not b:
            return m.group(0)
        name = _unquote(sheet)
        (r1, c1), (r2, c2) = split_ref(a), split_ref(b)
        for table, last in grown:
            if table.sheet == name and _covers_body(table, r1, c1, r2, c2):
                dollar = "$" if b.count("$") == 2 else ""
                end = f"{'$' if b.startswith('$') else ''}{col_letters(c2)}{dollar}{last}"
                return f"{sheet}{a}:{end}"
        return m.group(0)

    return _AREA.sub(one, text)
