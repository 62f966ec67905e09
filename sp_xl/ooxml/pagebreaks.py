"""Manual page breaks that keep a report's sections and charts whole on paper.

Excel and LibreOffice have no "keep with next": with a sheet printed one page wide, their
automatic breaks fall wherever a page is full, through a table's title or a chart. ``plan``
places the breaks instead: each page ends before the last section start (a table title) that
still fits, never through a chart; only a section taller than a page is broken inside it.

The layout is measured in points of the unscaled sheet; ``printable_height`` turns a page into
those points for a sheet shrunk to one page wide. ``set_row_breaks`` writes the result into a
worksheet part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

A4 = (595.3, 841.9)                        # points, portrait
DEFAULT_MARGINS = (0.7 * 72, 0.75 * 72)    # left/right, top/bottom (Excel's "normal" margins)


@dataclass
class SheetLayout:
    heights: list[float]                     # row r's height is heights[r - 1]; hidden rows are 0
    sections: set[int] = field(default_factory=set)              # rows that start a section
    charts: list[tuple[int, float]] = field(default_factory=list)  # (anchor row, height in points)


def column_points(width_chars: float) -> float:
    """A column's width in points from Excel's width in characters (Calibri 11: 7 px a character)."""
    return (width_chars * 7 + 5) * 0.75 if width_chars else 0.0


def printable_height(content_width: float, landscape: bool, margins: tuple[float, float] = DEFAULT_MARGINS) -> float:
    """A page's printable height in points of the sheet, when the sheet is printed one page wide."""
    page_w, page_h = (A4[1], A4[0]) if landscape else A4
    scale = min(1.0, (page_w - 2 * margins[0]) / max(content_width, 1.0))
    return (page_h - 2 * margins[1]) / scale


def plan(layout: SheetLayout, page_height: float) -> list[int]:
    """The rows after which a page ends (Excel's ``<brk id>``), in order."""
    top = [0.0]                                # top[r - 1]: points above row r
    for h in layout.heights:
        top.append(top[-1] + h)
    last = len(layout.heights)
    charts = [(top[min(row, last + 1) - 1], top[min(row, last + 1) - 1] + h) for row, h in layout.charts]
    end = max([top[-1], *(b for _, b in charts)])

    def clear_of_charts(r: int) -> bool:
        return not any(a < top[r - 1] < b for a, b in charts)

    chart_rows = {min(row, last) for row, _ in layout.charts}
    breaks: list[int] = []
    start = 1
    while end - top[start - 1] > page_height + 0.5:
        fits = [r for r in range(start + 1, last + 1)
                if top[r - 1] - top[start - 1] <= page_height and layout.heights[r - 1] > 0]
        if not fits:
            break
        # Best: before a section (its table and charts then share a page), once the page is a third
        # full; else before a chart; else anywhere a chart is not cut; else where the page is full.
        full_enough = [r for r in fits if top[r - 1] - top[start - 1] >= page_height / 3 and clear_of_charts(r)]
        best = (max((r for r in full_enough if r in layout.sections), default=None)
                or max((r for r in full_enough if r in chart_rows), default=None)
                or max((r for r in fits if clear_of_charts(r)), default=None) or fits[-1])
        breaks.append(best - 1)
        start = best
    return breaks


_ROW_BREAKS = re.compile(rb"<((?:\w+:)?)rowBreaks\b[^>]*?(?:/>|>.*?</\1rowBreaks>)", re.S)
# What follows rowBreaks in CT_Worksheet: a new element goes before the first of these.
_AFTER = (b"colBreaks", b"customProperties", b"cellWatches", b"ignoredErrors", b"smartTags", b"drawing",
          b"legacyDrawing", b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls",
          b"webPublishItems", b"tableParts", b"extLst")


def set_row_breaks(sheet: bytes, rows: list[int]) -> bytes:
    """The worksheet with exactly these manual row breaks (any earlier ones replaced)."""
    prefix = re.match(rb"<(?:\?[^>]*\?>\s*)?<((?:\w+:)?)worksheet\b", sheet.lstrip())
    p = prefix.group(1) if prefix else b""
    sheet = _ROW_BREAKS.sub(b"", sheet, count=1)
    if not rows:
        return sheet
    brks = b"".join(b'<' + p + b'brk id="%d" max="16383" man="1"/>' % r for r in rows)
    element = b"<" + p + b'rowBreaks count="%d" manualBreakCount="%d">' % (len(rows), len(rows)) + brks \
        + b"</" + p + b"rowBreaks>"
    at = None
    for name in _AFTER:
        m = re.search(rb"<" + re.escape(p) + name + rb"\b", sheet)
        if m and (at is None or m.start() < at):
            at = m.start()
    if at is None:
        at = sheet.rfind(b"</" + p + b"worksheet")
    return sheet[:at] + element + sheet[at:]
