"""Native Excel charts for the report's figures (Danish titles, axis titles, real cell ranges)."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.axis import DateAxis
from openpyxl.worksheet.worksheet import Worksheet

WIDTH_CM = 20.0
HEIGHT_CM = 11.0


def _title_from(ref: str):
    """A chart title that shows a cell's text (so a title can name the year of its data)."""
    from openpyxl.chart.data_source import StrRef
    from openpyxl.chart.text import Text
    from openpyxl.chart.title import Title
    return Title(tx=Text(strRef=StrRef(f=ref)), overlay=False)


def _finish(chart, title: str, x_title: str, y_title: str, y_format: str) -> None:
    chart.title = _title_from(title[1:]) if title.startswith("=") else title
    chart.x_axis.title = x_title
    chart.y_axis.title = y_title
    chart.y_axis.number_format = y_format
    # openpyxl 3.1 leaves axis 'delete' unset, which newer Excel reads as "hidden axis".
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.width, chart.height = WIDTH_CM, HEIGHT_CM
    chart.y_axis.scaling.min = 0  # never a truncated axis: bars must compare honestly


def _vertical_marker(series: Series) -> None:
    """A series of one point drawn only as a line from that point down to the axis."""
    from openpyxl.chart.error_bar import ErrorBars
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.drawing.line import LineProperties

    series.smooth = False
    series.marker.symbol = "none"
    series.graphicalProperties = GraphicalProperties(ln=LineProperties(noFill=True))
    bar_line = GraphicalProperties(ln=LineProperties(solidFill="C00000", w=19050, prstDash="dash"))
    series.errBars = ErrorBars(errDir="y", errBarType="minus", errValType="percentage", val=100, noEndCap=True,
                               spPr=bar_line)


def _plain_lines(chart: LineChart) -> None:
    """Straight lines without markers (a daily or weekly series has too many points for markers)."""
    for s in chart.series:
        s.smooth = False
        s.marker.symbol = "none"


def columns_line_chart(ws: Worksheet, anchor: str, *, title: str, x_title: str, y_title: str,
                       header_row: int, first_row: int, last_row: int, category_col: int,
                       series_cols: list[int], y_format: str = "#,##0", source_ws: Worksheet | None = None,
                       dates: bool = False, secondary_col: int | None = None,
                       secondary_title: str = "", date_unit: str = "days", date_step: int = 14,
                       date_format: str = "dd-mm", marker_col: int | None = None) -> LineChart:
    """One line per column (series title from the header row), categories from one column.
    ``secondary_col`` adds one more line on its own right-hand axis (a stock beside flows).
    A ``title`` starting with '=' is a cell reference whose text is the title. ``marker_col``
    holds one value on the day to mark (a deadline): it is drawn as a vertical line down to the
    axis (Excel's error-bar idiom), with its header as the legend text."""
    src = source_ws or ws
    chart = LineChart()
    if dates:
        chart.x_axis = DateAxis(crossAx=100)
        chart.x_axis.number_format = date_format
        chart.x_axis.majorTimeUnit = date_unit
        chart.x_axis.majorUnit = date_step
    for col in series_cols:
        chart.add_data(Reference(src, min_col=col, min_row=header_row, max_row=last_row), titles_from_data=True)
    categories = Reference(src, min_col=category_col, min_row=first_row, max_row=last_row)
    chart.set_categories(categories)
    _plain_lines(chart)
    if marker_col is not None:
        chart.add_data(Reference(src, min_col=marker_col, min_row=header_row, max_row=last_row), titles_from_data=True)
        _vertical_marker(chart.series[-1])
    _finish(chart, title, x_title, y_title, y_format)
    if secondary_col is not None:
        second = LineChart()
        second.add_data(Reference(src, min_col=secondary_col, min_row=header_row, max_row=last_row),
                        titles_from_data=True)
        _plain_lines(second)
        second.set_categories(categories)
        # Excel's own layout for a secondary axis: a hidden second category axis that it crosses.
        second.x_axis.axId = 500
        second.x_axis.delete = True
        second.y_axis.axId = 200
        second.y_axis.crossAx = 500
        second.y_axis.title = secondary_title
        second.y_axis.number_format = y_format
        second.y_axis.crosses = "max"
        second.y_axis.delete = False
        second.y_axis.majorGridlines = None
        second.y_axis.scaling.min = 0
        chart += second
    ws.add_chart(chart, anchor)
    return chart


def rows_bar_chart(ws: Worksheet, anchor: str, *, title: str, x_title: str, y_title: str,
                   header_row: int, first_row: int, last_row: int, label_col: int,
                   first_col: int, last_col: int, y_format: str = "#,##0") -> BarChart:
    """One bar series per row (series title from label_col), categories from the header row."""
    if first_col != label_col + 1:  # the series title is the cell just before the data
        raise ValueError("rows_bar_chart needs the data to start right after the label column")
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    for row in range(first_row, last_row + 1):
        chart.add_data(Reference(ws, min_col=label_col, max_col=last_col, min_row=row), from_rows=True,
                       titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=first_col, max_col=last_col, min_row=header_row))
    _finish(chart, title, x_title, y_title, y_format)
    ws.add_chart(chart, anchor)
    return chart


def columns_bar_chart(ws: Worksheet, anchor: str, *, title: str, x_title: str, y_title: str,
                      header_row: int, last_row: int, category_col: int, series_cols: list[int],
                      y_format: str = "#,##0", series_title: str | None = None) -> BarChart:
    """One bar series per column, categories from one column. The series title comes from the
    header row, or is ``series_title`` when the row above the data is not a header."""
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    for col in series_cols:
        if series_title is None:
            chart.add_data(Reference(ws, min_col=col, min_row=header_row, max_row=last_row), titles_from_data=True)
        else:
            values = Reference(ws, min_col=col, min_row=header_row + 1, max_row=last_row)
            chart.series.append(Series(values, title=series_title))
    chart.set_categories(Reference(ws, min_col=category_col, min_row=header_row + 1, max_row=last_row))
    _finish(chart, title, x_title, y_title, y_format)
    ws.add_chart(chart, anchor)
    return chart
