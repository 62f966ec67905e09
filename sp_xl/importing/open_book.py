"""Applying an import to a workbook open in Excel, instead of to its file.

The import's decisions are made once, in memory (``importing.apply.WorkbookState``: the
cells to write, how far each table grows, the new import record). ``apply.new_package``
writes them into the file's XML for `sp-xl import`; ``apply_to_open_book`` here makes the
same changes through the handful of calls of ``BookWriter`` (xlwings in Excel, an openpyxl
fake in the tests), so the user's workbook stays open: window, selection and unsaved edits
stay where they are.

What Excel does by itself is left to Excel: it recalculates the SP_ cells (the caller asks
for a full calculation) and keeps structured references and table-bound charts in step
with a resized table. What it does not do for a plain A1 name is done as the file writer
does it (``ooxml.tables.extend_areas``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from typing import Protocol

from sp_xl.importing.apply import WorkbookState
from sp_xl.importing.record import NS
from sp_xl.ooxml.cellrefs import col_letters, split_ref
from sp_xl.ooxml.tables import TableInfo, extend_areas, table_infos


class BookWriter(Protocol):
    """The calls the import makes on an open workbook. Areas are A1 ("B8:D14") on one sheet."""

    def write(self, sheet: str, area: str, rows: list[list[object]]) -> None:
        """One ``Range.Value`` assignment of a 2-D block (Excel parses text as if typed)."""

    def resize_table(self, sheet: str, table: str, area: str) -> None:
        """``ListObject.Resize``: the table (header row included) covers ``area``."""

    def format_like(self, sheet: str, source: str, target: str) -> None:
        """Give each column of ``target`` the cell style and number format of ``source``'s cell
        in that column (``source`` is one row)."""

    def names(self) -> dict[str, str]:
        """Defined name -> its RefersTo text ("=Ark!$A$1:$A$9")."""

    def set_name(self, name: str, refers_to: str) -> None: ...

    def replace_custom_xml(self, namespace: str, xml: str) -> None:
        """Remove the workbook's custom XML parts of ``namespace`` and add ``xml`` as one."""


def apply_to_open_book(book: BookWriter, state: WorkbookState) -> None:
    """Make the changes the import decided (``state``) in the open workbook ``book``."""
    grown = _grown(state)
    # The tables first, so that the new rows are the tables' rows when their values arrive.
    for table, last in grown:
        book.resize_table(table.sheet, table.name, _area(table.r1, table.c1, last, table.c2))
        if table.last_body_row >= table.first_body_row:     # new rows look like the last one
            book.format_like(table.sheet, _area(table.last_body_row, table.c1, table.last_body_row, table.c2),
                             _area(table.last_body_row + 1, table.c1, last, table.c2))
    formulas: dict[str, set[str]] = {}
    for f in state.pkg.formulas() if state.writes else ():
        formulas.setdefault(f.sheet, set()).add(f.ref)
    for sheet, values in state.writes.items():
        for area, rows in blocks(values, state.values(sheet), formulas.get(sheet, set())):
            book.write(sheet, area, [[as_typed(v) for v in row] for row in rows])
    if grown:
        for name, text in book.names().items():
            new = extend_areas(text, grown)
            if new != text:
                book.set_name(name, new)
    book.replace_custom_xml(NS, state.record.to_xml().decode("utf-8"))


def _grown(state: WorkbookState) -> list[tuple[TableInfo, int]]:
    """The tables that get rows, as they were, with their new last row (as ``ooxml.tables.grow``)."""
    growth = state.growth
    if not growth:
        return []
    tables = table_infos(state.pkg)
    return [(tables[name], last) for name, last in growth.items() if last > tables[name].r2]


def _area(r1: int, c1: int, r2: int, c2: int) -> str:
    return f"{col_letters(c1)}{r1}:{col_letters(c2)}{r2}"


# How many unchanged cells a write may span to join two runs of changed cells in a column:
# rewriting a cell with its own value costs far less than one more call into Excel.
MAX_GAP = 200


def blocks(values: Mapping[str, object], current: Mapping[str, object] | None = None,
           formulas: AbstractSet[str] = frozenset()) -> Iterator[tuple[str, list[list[object]]]]:
    """The cells to write (``values``) as few rectangles as possible. In a column, two runs of
    cells to write are joined across a gap of other cells when each of those is empty or a
    plain constant (its ``current`` value is written back unchanged), never a formula or an
    error value; columns with the same run of rows make one rectangle. An import's new rows
    thus make one block per table, and its replaced figures one per column."""
    current = current or {}

    def value_at(r: int, c: int) -> tuple[bool, object]:
        ref = f"{col_letters(c)}{r}"
        if ref in values:
            return True, values[ref]
        value = current.get(ref)
        return ref not in formulas and (value is None or isinstance(value, (str, int, float))), value

    rows_of: dict[int, list[int]] = {}
    for ref in values:
        r, c = split_ref(ref)
        rows_of.setdefault(c, []).append(r)
    columns_of: dict[tuple[int, int], list[int]] = {}          # (first row, last row) -> columns
    for c, rows in rows_of.items():
        rows.sort()
        first = last = rows[0]
        for r in rows[1:] + [None]:
            if r is not None and r - last <= MAX_GAP and all(value_at(x, c)[0] for x in range(last + 1, r)):
                last = r
                continue
            columns_of.setdefault((first, last), []).append(c)
            first = last = r
    rects = []
    for (r1, r2), cols in columns_of.items():
        cols.sort()
        start = cols[0]
        for prev, c in zip(cols, cols[1:] + [None]):
            if c != prev + 1:
                rects.append((r1, start, r2, prev))
                start = c
    for r1, c1, r2, c2 in sorted(rects):
        yield _area(r1, c1, r2, c2), [[value_at(r, c)[1] for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


_TRUTH_WORDS = {"true", "false", "sand", "falsk"}


def as_typed(value: object) -> object:
    """A value as it must be handed to ``Range.Value`` to arrive unchanged. Excel parses text
    given there as if typed ("=1+1" becomes a formula, "1-2" a date, "007" the number 7, "SAND"
    a truth value); a leading apostrophe keeps it text and is not part of the cell's value.
    Text that cannot be read as anything else (letters, no digits) goes as it is."""
    if not isinstance(value, str) or not value:
        return value
    if (value[0] in "=+-@'#" or any(ch.isdigit() for ch in value) or not any(ch.isalpha() for ch in value)
            or value.strip().casefold() in _TRUTH_WORDS or value != value.strip()):
        return "'" + value
    return value
