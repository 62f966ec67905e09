"""Every sheet of the master prints as a report page (and so does the shared copy and its PDF).

A4, one page wide (landscape when the printed columns are wider than a portrait page), the
report's title and the sheet in the header, the page number in the footer; the shared copy adds
the report period to the header. Page breaks keep each table with its chart: a section (a table
title down to the next one, with the charts anchored beside it) that would straddle a page
starts on a new page instead.
"""

from __future__ import annotations

from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from sp_xl.master.style import SHEET_TITLE_STYLE, TITLE_STYLE

PORTRAIT_WIDTH = 110      # characters of column width that still print readably on a portrait page
_A4 = (595.3, 841.9)      # points
_MARGIN_X, _MARGIN_Y = 0.7 * 72, 0.75 * 72
_ROW_PT = 15.0            # the default row height (points)
_CM_PT = 72 / 2.54


def print_setup(ws: Worksheet, report_title: str) -> None:
    widths = _column_widths(ws)
    landscape = sum(widths) > PORTRAIT_WIDTH
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    # Rows are 15 pt in every program (LibreOffice otherwise uses its own default), so the page
    # breaks computed here fall where they print.
    ws.sheet_format.defaultRowHeight = _ROW_PT
    ws.sheet_format.customHeight = True
    ws.page_margins.left = ws.page_margins.right = _MARGIN_X / 72
    ws.page_margins.top = ws.page_margins.bottom = _MARGIN_Y / 72
    ws.oddHeader.left.text = report_title
    ws.oddHeader.left.size = 9
    ws.oddHeader.right.text = "&A"
    ws.oddHeader.right.size = 9
    ws.oddFooter.right.text = "Side &P af &N"
    ws.oddFooter.right.size = 9
    _keep_sections_together(ws, widths, landscape)


def _print_columns(ws: Worksheet) -> int:
    """The last column that prints: the print area's, else the sheet's used range."""
    if ws.print_area:
        last = ws.print_area.split(":")[-1].split("!")[-1].replace("$", "")
        return column_index_from_string("".join(ch for ch in last if ch.isalpha()))
    return ws.max_column


def _column_widths(ws: Worksheet) -> list[float]:
    return [ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, _print_columns(ws) + 1)]


def _scale(ws: Worksheet, widths: list[float], landscape: bool) -> float:
    """How much printing one page wide shrinks the sheet."""
    page_w = _A4[1] if landscape else _A4[0]
    content_w = sum((w * 7 + 5) * 0.75 for w in widths)            # Excel's width units to points
    charts_w = max((_chart_right(ws, c) for c in ws._charts), default=0.0)
    return min(1.0, (page_w - 2 * _MARGIN_X) / max(content_w, charts_w, 1.0))


def _chart_right(ws: Worksheet, chart) -> float:
    col = column_index_from_string("".join(ch for ch in str(chart.anchor) if ch.isalpha()) or "A")
    left = sum((ws.column_dimensions[get_column_letter(c)].width or 8.43) * 7 * 0.75 for c in range(1, col))
    return left + chart.width * _CM_PT


def _keep_sections_together(ws: Worksheet, widths: list[float], landscape: bool) -> None:
    """Manual page breaks: each page ends before the last section (a table title) that still fits,
    never through a chart; only a section taller than a page is broken inside (between rows)."""
    last_row = ws.max_row
    if ws.print_area:
        last_row = int("".join(ch for ch in ws.print_area.split(":")[-1] if ch.isdigit()))
    anchors = [int("".join(ch for ch in str(chart.anchor) if ch.isdigit()) or 1) for chart in ws._charts]
    top = [0.0]                                   # top[r - 1]: points above row r
    for r in range(1, max([last_row, *anchors]) + 2):
        top.append(top[-1] + (ws.row_dimensions[r].height or _ROW_PT))
    charts = [(top[row - 1], top[row - 1] + chart.height * _CM_PT) for row, chart in zip(anchors, ws._charts)]
    end = max([top[last_row], *(b for _, b in charts)])
    sections = {c.row for row in ws.iter_rows(max_col=1, max_row=last_row) for c in row
                if c.style in (TITLE_STYLE, SHEET_TITLE_STYLE) and c.row > 1}
    page_h = ((_A4[0] if landscape else _A4[1]) - 2 * _MARGIN_Y) / _scale(ws, widths, landscape)

    def clear_of_charts(r: int) -> bool:
        return not any(a < top[r - 1] < b for a, b in charts)

    page_start = 1
    while end - top[page_start - 1] > page_h:
        fits = [r for r in range(page_start + 1, len(top)) if top[r - 1] - top[page_start - 1] <= page_h]
        if not fits:
            break
        best = (max((r for r in fits if r in sections and clear_of_charts(r)), default=None)
                or max((r for r in fits if clear_of_charts(r)), default=None) or fits[-1])
        ws.row_breaks.append(Break(id=best - 1))
        page_start = best
