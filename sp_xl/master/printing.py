"""Every sheet of the master prints as a report page (and so does the shared copy and its PDF).

A4, one page wide (landscape when the printed columns are wider than a portrait page), the
report's title and the sheet in the header, the page number in the footer; the shared copy adds
the report period to the header. Manual page breaks keep each table with its chart
(``sp_xl.ooxml.pagebreaks``); the shared copy places them again for the rows it shows.
"""

from __future__ import annotations

from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.worksheet import Worksheet

from sp_xl.master.style import SHEET_TITLE_STYLE, TITLE_STYLE
from sp_xl.ooxml import pagebreaks

PORTRAIT_WIDTH = 110      # characters of column width that still print readably on a portrait page
ROW_PT = 15.0             # the default row height (points)
_CM_PT = 72 / 2.54
_EMU_PT = 1 / 12700


def print_setup(ws: Worksheet, report_title: str) -> None:
    landscape = sum(_column_widths(ws)) > PORTRAIT_WIDTH
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    # Rows are 15 pt in every program (LibreOffice otherwise uses its own default), so the page
    # breaks computed here fall where they print.
    ws.sheet_format.defaultRowHeight = ROW_PT
    ws.sheet_format.customHeight = True
    ws.page_margins.left = ws.page_margins.right = pagebreaks.DEFAULT_MARGINS[0] / 72
    ws.page_margins.top = ws.page_margins.bottom = pagebreaks.DEFAULT_MARGINS[1] / 72
    ws.oddHeader.left.text = report_title
    ws.oddHeader.left.size = 9
    ws.oddHeader.right.text = "&A"
    ws.oddHeader.right.size = 9
    ws.oddFooter.right.text = "Side &P af &N"
    ws.oddFooter.right.size = 9
    ws.row_breaks = RowBreak()
    layout, width = _layout(ws)
    page = pagebreaks.printable_height(width, landscape)
    if sum(layout.heights) + _chart_overhang(layout) <= ONE_PAGE_SLACK * page:
        ws.page_setup.fitToHeight = 1            # a little too tall for one page: shrink it onto one
        return
    for row in pagebreaks.plan(layout, page):
        ws.row_breaks.append(Break(id=row))


ONE_PAGE_SLACK = 1.3      # a sheet up to this many pages tall is shrunk onto one page


def _chart_overhang(layout: pagebreaks.SheetLayout) -> float:
    """How far the lowest chart reaches below the last row."""
    top = [0.0]
    for h in layout.heights:
        top.append(top[-1] + h)
    return max([0.0, *(top[min(r, len(top) - 1) - 1] + h - top[-1] for r, h in layout.charts)])


def page_breaks(ws: Worksheet) -> list[int]:
    """Where the pages of a sheet end, for the rows it shows now (hidden rows take no room)."""
    layout, width = _layout(ws)
    return pagebreaks.plan(layout, pagebreaks.printable_height(width, ws.page_setup.orientation == "landscape"))


def _print_columns(ws: Worksheet) -> int:
    """The last column that prints: the print area's, else the sheet's used range."""
    if ws.print_area:
        last = ws.print_area.split(":")[-1].split("!")[-1].replace("$", "")
        return column_index_from_string("".join(ch for ch in last if ch.isalpha()))
    return ws.max_column


def _column_widths(ws: Worksheet) -> list[float]:
    """Width in characters of each printed column (0 when hidden), whether the sheet was built here
    or read from a file (where one <col> element may cover several columns)."""
    n = _print_columns(ws)
    widths = [ws.sheet_format.defaultColWidth or 8.43] * n
    for dim in ws.column_dimensions.values():
        lo = dim.min or column_index_from_string(dim.index)
        hi = dim.max or lo
        for c in range(lo, min(hi, n) + 1):
            widths[c - 1] = 0.0 if dim.hidden else (dim.width or widths[c - 1])
    return widths


def _chart_box(chart, col_left: list[float]) -> tuple[int, float, float]:
    """(anchor row, height, right edge) of a chart in points, built here (anchor 'K3', size in
    cm) or read from a file (a drawing anchor in EMU)."""
    anchor = chart.anchor
    if isinstance(anchor, str):
        col = column_index_from_string("".join(ch for ch in anchor if ch.isalpha()))
        row = int("".join(ch for ch in anchor if ch.isdigit()))
        return row, chart.height * _CM_PT, _left(col_left, col) + chart.width * _CM_PT
    start = anchor._from
    if getattr(anchor, "ext", None) is not None:
        height, width = anchor.ext.height * _EMU_PT, anchor.ext.width * _EMU_PT
        return start.row + 1, height, _left(col_left, start.col + 1) + width
    end = anchor.to                                      # a two-cell anchor: measured in rows
    return start.row + 1, (end.row - start.row + 1) * ROW_PT, _left(col_left, end.col + 2)


def _left(col_left: list[float], col: int) -> float:
    return col_left[min(col, len(col_left)) - 1] + max(0, col - len(col_left)) * pagebreaks.column_points(8.43)


def _layout(ws: Worksheet) -> tuple[pagebreaks.SheetLayout, float]:
    widths = _column_widths(ws)
    col_left = [0.0]
    for w in widths:
        col_left.append(col_left[-1] + pagebreaks.column_points(w))
    last = ws.max_row
    if ws.print_area:
        last = int("".join(ch for ch in ws.print_area.split(":")[-1] if ch.isdigit()))
    boxes = [_chart_box(c, col_left) for c in ws._charts]
    last = max([last, *(row for row, _, _ in boxes)])
    default = ws.sheet_format.defaultRowHeight or ROW_PT
    heights = [0.0 if ws.row_dimensions[r].hidden else (ws.row_dimensions[r].height or default)
               for r in range(1, last + 1)]
    sections = {c.row for row in ws.iter_rows(max_col=1, max_row=last) for c in row
                if c.row > 1 and c.style in (TITLE_STYLE, SHEET_TITLE_STYLE) and heights[c.row - 1] > 0}
    width = max([col_left[-1], *(right for _, _, right in boxes)])
    return pagebreaks.SheetLayout(heights, sections, [(row, h) for row, h, _ in boxes]), width
