"""Look and layout helpers for the master workbook: named styles, titles, source lines, status colours.

Table titles carry the named style ``SP Tabeltitel`` and source lines ``SP Kilde``; the tests
use those styles to prove that every table has its "Kilde: …" line beneath it.
"""

from __future__ import annotations

from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

SHEET_TITLE_STYLE = "SP Arktitel"
TITLE_STYLE = "SP Tabeltitel"
SOURCE_STYLE = "SP Kilde"
HEADER_STYLE = "SP Overskrift"
INPUT_STYLE = "SP Input"
SP_CELL_STYLE = "SP Beregnet"
SYNTHETIC_STYLE = "SP Eksempeldata"

# Danish display comes from the locale: these codes show "1.234" and "5 %" in Danish Excel.
FMT_INT = "#,##0"
FMT_DEC1 = "#,##0.0"
FMT_PCT = "0%"
FMT_PCT1 = "0.0%"
FMT_PP = "+0.0;-0.0;0.0"  # a difference between two percentages in percentage points (the formula times 100)
FMT_SIGNED = "+#,##0;-#,##0;0"
FMT_DATE = "dd-mm-yyyy"
FMT_MONTH = "[$-406]mmmm yyyy"  # "maj 2018" in any Excel, whatever its language
FMT_MIO = '#,##0.0 "mio. kr."'

_THIN = Side(style="thin", color="A6A6A6")

REPORT_TAB = "1F3864"  # tab colour of the report sheets
FRONT_TAB = "C55A11"  # Forside and Mål
DATA_TAB = "808080"  # the internal data sheets

STATUS_COLOURS = {  # Excel's own "good / neutral / bad" palette
    "Grøn": ("C6EFCE", "006100"),
    "Gul": ("FFEB9C", "9C5700"),
    "Rød": ("FFC7CE", "9C0006"),
}


def register_styles(wb: Workbook) -> None:
    styles = [
        NamedStyle(SHEET_TITLE_STYLE, font=Font(bold=True, size=15, color="1F3864")),
        NamedStyle(TITLE_STYLE, font=Font(bold=True, size=12, color="1F3864")),
        NamedStyle(SOURCE_STYLE, font=Font(italic=True, size=9, color="595959")),
        NamedStyle(HEADER_STYLE, font=Font(bold=True, color="FFFFFF"),
                   fill=PatternFill("solid", fgColor="1F3864"),
                   alignment=Alignment(wrap_text=True, vertical="center"),
                   border=Border(bottom=_THIN)),
        NamedStyle(INPUT_STYLE, font=Font(color="1F4E9E"), fill=PatternFill("solid", fgColor="EEF3FB"),
                   border=Border(bottom=_THIN)),
        NamedStyle(SP_CELL_STYLE, font=Font(color="000000"), fill=PatternFill("solid", fgColor="F2F2F2"),
                   border=Border(bottom=_THIN)),
        NamedStyle(SYNTHETIC_STYLE, font=Font(bold=True, color="C00000")),
    ]
    for style in styles:
        wb.add_named_style(style)


def sheet_title(ws: Worksheet, text: str) -> None:
    ws.cell(1, 1, text).style = SHEET_TITLE_STYLE


def new_sheet(wb: Workbook, name: str, heading: str, tab: str = REPORT_TAB) -> Worksheet:
    """A new sheet with its tab colour and its title in A1."""
    ws = wb.create_sheet(name)
    ws.sheet_properties.tabColor = tab
    sheet_title(ws, heading)
    return ws


def title(ws: Worksheet, row: int, text: str, col: int = 1) -> int:
    ws.cell(row, col, text).style = TITLE_STYLE
    return row + 1


def header(ws: Worksheet, row: int, labels: list[str] | tuple[str, ...], col: int = 1) -> int:
    for i, label in enumerate(labels):
        ws.cell(row, col + i, label).style = HEADER_STYLE
    lines = min(3, max(1, -(-max(len(label) for label in labels) // 12)))  # room for wrapped labels
    if lines > 1:
        ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 0, 15 * lines)
    return row + 1


def source(ws: Worksheet, row: int, text: str, col: int = 1) -> int:
    """The 'Kilde: …' line directly under a table; returns the next free row after a gap."""
    if not text.startswith("Kilde:"):
        raise ValueError(f"a source line must start with 'Kilde:': {text!r}")
    ws.cell(row, col, text).style = SOURCE_STYLE
    return row + 2


def linked_source(ws: Worksheet, row: int, ref: str, col: int = 1) -> int:
    """A report table's source line: a formula showing its data table's "Kilde: …" line, so
    that an import's new source and extraction date reach the report after a refresh."""
    ws.cell(row, col, f"={ref}").style = SOURCE_STYLE
    return row + 2


def synthetic(ws: Worksheet, row: int, text: str, col: int = 1) -> int:
    ws.cell(row, col, text).style = SYNTHETIC_STYLE
    return row + 1


def put(ws: Worksheet, row: int, col: int, value: object, fmt: str | None = None,
        style: str | None = None) -> None:
    cell = ws.cell(row, col, value)
    if style:
        cell.style = style
    if fmt:
        cell.number_format = fmt


def restyle(ws: Worksheet, col1: int, row1: int, col2: int, row2: int, fmt: str | None = None,
            style: str | None = None) -> None:
    """Style cells already written (e.g. the cells an array formula spills over), as ``put`` would."""
    for row in range(row1, row2 + 1):
        for col in range(col1, col2 + 1):
            put(ws, row, col, ws.cell(row, col).value, fmt, style)


def status_colours(ws: Worksheet, ref: str) -> None:
    """Colour Grøn/Gul/Rød cells whatever wrote them (an SP_STATUS formula or a typed word)."""
    for word, (fill, font) in STATUS_COLOURS.items():
        ws.conditional_formatting.add(ref, CellIsRule(
            operator="equal", formula=[f'"{word}"'],
            fill=PatternFill("solid", fgColor=fill, bgColor=fill), font=Font(color=font)))


def widths(ws: Worksheet, **columns: float) -> None:
    for letter, width in columns.items():
        ws.column_dimensions[letter].width = width


SENTENCE_LABEL = "Sætning til rapporten"


def wrap_sentences(ws: Worksheet, last_col: int, lines: int = 3) -> None:
    """A report sentence (label "Sætning til rapporten…" in column A) reads as a paragraph: its
    cell is merged across the table (B to ``last_col``) and wraps, instead of running off the page."""
    from openpyxl.utils import get_column_letter
    for row in ws.iter_rows(min_col=1, max_col=1):
        c = row[0]
        if isinstance(c.value, str) and c.value.startswith(SENTENCE_LABEL):
            ws.merge_cells(f"B{c.row}:{get_column_letter(last_col)}{c.row}")
            ws.cell(c.row, 2).alignment = Alignment(wrap_text=True, vertical="top")
            c.alignment = Alignment(vertical="top")
            ws.row_dimensions[c.row].height = 15 * lines
