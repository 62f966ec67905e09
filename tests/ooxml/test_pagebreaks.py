"""Page breaks that keep sections and charts whole, worked by hand on small layouts."""

from __future__ import annotations

import re

from sp_xl.ooxml.pagebreaks import SheetLayout, column_points, plan, printable_height, set_row_breaks


def rows(n: int, height: float = 10.0) -> list[float]:
    return [height] * n


def test_a_sheet_that_fits_gets_no_break():
    assert plan(SheetLayout(rows(10)), page_height=100) == []


def test_a_page_ends_before_the_last_section_that_starts_on_it():
    # 25 rows of 10 pt, pages of 100 pt; sections start at rows 5 and 8: the first page ends
    # after row 7 (row 8 starts at 70 pt, the last section start within the page once a third full).
    breaks = plan(SheetLayout(rows(25), sections={5, 8}), page_height=100)
    assert breaks[0] == 7
    assert all(b2 - b1 <= 10 for b1, b2 in zip([0, *breaks], breaks))      # no page holds more than 10 rows


def test_a_section_near_the_top_does_not_leave_an_almost_empty_page():
    # a section starting at row 3 (20 pt down a 100 pt page) that is too long to fit: the page
    # fills up instead of ending after two rows
    assert plan(SheetLayout(rows(30), sections={3}), page_height=100)[0] == 10


def test_a_break_never_cuts_a_chart():
    # a 45 pt chart anchored at row 8 covers rows 8-12 (70-115 pt): the page ends before it
    layout = SheetLayout(rows(20), charts=[(8, 45.0)])
    assert plan(layout, page_height=100)[0] == 7
    # a chart starting a page with the rows beside it is not cut either
    assert all(not (7 < b < 12) for b in plan(layout, page_height=100))


def test_hidden_rows_take_no_room():
    heights = rows(40)
    for r in range(5, 35):              # 30 hidden period slots
        heights[r - 1] = 0.0
    assert plan(SheetLayout(heights), page_height=100) == []


def test_printing_one_page_wide_shrinks_and_so_lengthens_a_page():
    narrow = printable_height(300, landscape=False)
    wide = printable_height(2 * (595.3 - 2 * 0.7 * 72), landscape=False)
    assert narrow == 841.9 - 2 * 0.75 * 72 and abs(wide - 2 * narrow) < 1e-6
    assert column_points(0) == 0 and column_points(10) == 56.25


SHEET = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         b'<sheetData/><pageMargins left="0.7"/><pageSetup orientation="portrait"/>{breaks}<drawing r:id="rId1"/>'
         b"</worksheet>")


def test_row_breaks_are_written_before_the_drawing_and_replace_earlier_ones():
    empty = SHEET.replace(b"{breaks}", b"")
    written = set_row_breaks(empty, [7, 20])
    assert re.search(rb'</pageSetup>|<pageSetup [^>]*/><rowBreaks count="2" manualBreakCount="2"><brk id="7" '
                     rb'max="16383" man="1"/><brk id="20" max="16383" man="1"/></rowBreaks><drawing', written)
    again = set_row_breaks(written, [9])
    assert again.count(b"<rowBreaks") == 1 and b'<brk id="9"' in again and b'id="7"' not in again
    assert set_row_breaks(again, []) == empty
