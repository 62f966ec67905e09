"""Where an extract's numbers may go: the slots of the master's data tables.

Read from the workbook itself (its Excel tables, header cells and key columns), never
assumed, so a master whose rows were reordered by hand still gets each number in the row
that names its period and hospital. A long table (one row per period and hospital) takes a
new period as new rows at its bottom: ``TableSlots.last_row`` is where it ends now, and the
table's "Kilde: …" line is the cell right above its header (or, in masters from before
tables grew, right under it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

from sp_xl.i18n import MONTH_NAMES_DA as MONTHS_DA
from sp_xl.importing.record import relationships
from sp_xl.ooxml.cellrefs import col_letters, split_ref
from sp_xl.ooxml.package import XlsxPackage

MONTHS_EN = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
             "october", "november", "december")


def norm(text: object) -> str:
    """A name as compared: case, spacing and dashes ignored."""
    return " ".join(str(text).replace("–", "-").replace("—", "-").split()).casefold()


def month_label(year: int, month: int) -> tuple[str, str]:
    return f"{MONTHS_DA[month - 1]} {year}", f"{MONTHS_EN[month - 1].capitalize()} {year}"


def date_to_serial(day: dt.date, date1904: bool = False) -> float:
    return float((day - (dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30))).days)


def serial_to_date(value: object, date1904: bool = False) -> dt.date | None:
    if isinstance(value, float) and value.is_integer() and 1 < value < 2958466:
        return (dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)) + dt.timedelta(days=int(value))
    return None


@dataclass
class TableSlots:
    """An Excel table's body: row keys (first column) and column keys (header row)."""

    name: str
    sheet: str
    header_row: int
    first_row: int
    last_row: int
    first_col: int
    last_col: int
    headers: list[str]
    first_column: dict[int, object]        # body row -> value in the table's first column (its period)
    source_ref: str | None                 # the table's "Kilde: …" cell
    source_text: str | None
    date1904: bool = False                 # the workbook's date system, for date keys
    cells: dict[str, object] | None = None  # every value of the table's sheet
    totals_rows: int = 0
    source_below: bool = False             # the source line sits under the table: it cannot grow

    def ref(self, row: int, col: int) -> str:
        return f"{col_letters(col)}{row}"

    def column(self, name: str) -> int | None:
        """The sheet column of a table column, by its heading (case, spacing and dashes ignored)."""
        wanted = norm(name)
        return next((self.first_col + i for i, h in enumerate(self.headers) if norm(h) == wanted), None)

    def value(self, row: int, col: int) -> object:
        return (self.cells or {}).get(self.ref(row, col))


def _row_counts(pkg: XlsxPackage) -> dict[str, tuple[int, int]]:
    """Table name -> (header rows, totals rows), from the table parts (Excel's defaults 1 and 0)."""
    out = {}
    for info in pkg.sheets:
        if info.part is None:
            continue
        for _, typ, target in relationships(pkg, info.part):
            if not typ.endswith("/table"):
                continue
            try:
                root = etree.fromstring(pkg.read(target), etree.XMLParser(resolve_entities=False))
            except (KeyError, etree.XMLSyntaxError):
                continue
            name = root.get("displayName") or root.get("name") or target
            out[name] = (int(root.get("headerRowCount", "1") or 1), int(root.get("totalsRowCount", "0") or 0))
    return out


def read_slots(pkg: XlsxPackage) -> dict[str, TableSlots]:
    """Every Excel table of the workbook as slots; the sheet's cells are read once.

    The body excludes a header row and a totals row ("Samlet"/"I alt", which Excel can add):
    an import never writes into either."""
    out: dict[str, TableSlots] = {}
    cells_of: dict[str, dict[str, object]] = {}
    counts = _row_counts(pkg)
    for name, (sheet, ref, headers) in pkg.tables().items():
        if ":" not in ref:
            continue
        a, b = ref.split(":")
        (r1, c1), (r2, c2) = split_ref(a), split_ref(b)
        header_rows, total_rows = counts.get(name, (1, 0))
        first, last = r1 + min(header_rows, 1), r2 - total_rows
        cells = cells_of.setdefault(sheet, pkg.cells(sheet))
        source_ref, text, below = None, None, False
        for candidate, is_below in ((f"{col_letters(c1)}{r1 - 1}", False), (f"{col_letters(c1)}{r2 + 1}", True)):
            value = cells.get(candidate)
            if isinstance(value, str) and value.startswith("Kilde:"):
                source_ref, text, below = candidate, value, is_below
                break
        slots = TableSlots(name, sheet, r1, first, last, c1, c2, list(headers),
                           {r: cells.get(f"{col_letters(c1)}{r}") for r in range(first, last + 1)},
                           source_ref, text, date1904=bool(getattr(pkg, "date1904", False)), cells=cells,
                           totals_rows=total_rows, source_below=below)
        out[name] = slots
    return out
