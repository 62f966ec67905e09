"""Report sheets for operations: LPR errors (Figur 1) and support cases (Figur 3 and 4)."""

from __future__ import annotations

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from sp_xl.master import report_data as rd
from sp_xl.master.charts import columns_line_chart
from sp_xl.master.data import DataLayout
from sp_xl.master.refs import area, array, call, cell
from sp_xl.master.style import (
    FMT_DATE,
    FMT_DEC1,
    FMT_INT,
    FMT_SIGNED,
    SP_CELL_STYLE,
    header,
    linked_source,
    new_sheet,
    put,
    restyle,
    synthetic,
    title,
    widths,
)

SHEET_LPR = "LPR"
SHEET_SUPPORT = "Support"


def lpr_sheet(wb: Workbook, data: DataLayout) -> None:
    ws = new_sheet(wb, SHEET_LPR, "1.1 Udvikling i LPR-fejl")
    synthetic(ws, 2, rd.SYNTHETIC_LABEL + " (daglige fejl pr. hospital på arket " + data.lpr.sheet + ")")
    put(ws, 3, 1, "Hospitalerne kunne rette fejl på 2017-kontakter frem til fristen (Par_LPRFrist på arket Mål); "
                  "derefter forventes kurven at knække.")
    n = len(rd.HOSPITALS)
    lpr = data.lpr
    days = lpr.last - lpr.first + 1

    # The accumulated table comes first in code (the summary refers to it) but sits below.
    summary_title = 5
    acc_title = summary_title + 3 + n + 3
    acc_header = acc_title + 1
    first, last = acc_header + 1, acc_header + days
    title(ws, acc_title, "Akkumulerede LPR-fejl pr. dag, 2018 (løbende sum af den daglige nettotilgang)")
    header(ws, acc_header, ("Dato", *rd.HOSPITALS))
    for i in range(days):
        r, src = first + i, lpr.first + i
        put(ws, r, 1, "=" + cell(1, src, lpr.sheet), FMT_DATE)
        for j in range(n):
            today = cell(2 + j, src, lpr.sheet)
            put(ws, r, 2 + j, f"={today}" if i == 0 else f"={cell(2 + j, r - 1)}+{today}", FMT_INT)
    linked_source(ws, last + 1, data.sources["tLPRFejl"])
    deadline_row = first + (rd.LPR_DEADLINE - rd.LPR_FIRST_DAY).days
    dates = area(1, first, 1, last, absolute=True)

    row = title(ws, summary_title, "Knæk i kurven efter fristen pr. hospital")
    row = header(ws, row, ("Hospital", "Fejl ved fristen", "Fejl seneste dag", "Ændring efter fristen",
                           "Toppunkt (dato)", "Tendens før fristen (fejl pr. dag)",
                           "Tendens efter fristen (fejl pr. dag)", "Kurven efter fristen"))
    for j in range(n):
        r, col = row + j, 2 + j
        series = area(col, first, col, last, absolute=True)
        put(ws, r, 1, "=" + cell(col, acc_header))
        put(ws, r, 2, f"=INDEX({series},MATCH(Par_LPRFrist,{dates},0))", FMT_INT)
        put(ws, r, 3, "=" + cell(col, last, absolute=True), FMT_INT)
        put(ws, r, 4, f"={cell(3, r)}-{cell(2, r)}", FMT_SIGNED)
        put(ws, r, 5, call("SP_PEAK", series, dates), FMT_DATE, SP_CELL_STYLE)
        put(ws, r, 6, call("SP_TREND", area(col, first, col, deadline_row, absolute=True)), FMT_DEC1, SP_CELL_STYLE)
        put(ws, r, 7, call("SP_TREND", area(col, deadline_row, col, last, absolute=True)), FMT_DEC1, SP_CELL_STYLE)
        # "Knækket" when errors grow at less than half the pace they had before the deadline.
        first_day, last_day = cell(1, first, absolute=True), cell(1, last, absolute=True)
        put(ws, r, 8, f'=IF({cell(4, r)}<0,"Nedbragt",IF({cell(4, r)}/({last_day}-Par_LPRFrist)'
                      f'<0.5*{cell(2, r)}/(Par_LPRFrist-{first_day}),"Knækket","Ikke knækket"))')
    r = row + n
    put(ws, r, 1, "Hverdage fra 1. januar til og med fristen")
    put(ws, r, 2, call("SP_WORKDAYS", cell(1, first, absolute=True), "Par_LPRFrist"), FMT_INT, SP_CELL_STYLE)
    linked_source(ws, r + 1, data.sources["tLPRFejl"])

    columns_line_chart(ws, "J5", title="Figur 1: LPR-fejlregistreringer akkumuleret for 2018 i Region Hovedstaden",
                       x_title="Dato (2018)", y_title="Akkumulerede fejl", header_row=acc_header,
                       first_row=first, last_row=last, category_col=1, series_cols=list(range(2, 2 + n)),
                       dates=True)
    widths(ws, A=40, B=14, C=14, D=14, E=14, F=16, G=16, H=16)


def _support_block(ws: Worksheet, data: DataLayout, row: int, heading: str, level: str, created_col: int,
                   opening: str) -> int:
    sup = data.support
    title_row = row
    row = title(ws, row, heading)
    row = header(ws, row, ("Uge", "Oprettede", "Lukkede", "Nettoafgang (lukkede − oprettede)",
                           "Aktive sager (backlog)"))
    first = row
    for i in range(sup.last - sup.first + 1):
        r, src = first + i, sup.first + i
        put(ws, r, 1, "=" + cell(1, src, sup.sheet))
        put(ws, r, 2, "=" + cell(created_col, src, sup.sheet), FMT_INT)
        put(ws, r, 3, "=" + cell(created_col + 1, src, sup.sheet), FMT_INT)
    last = first + (sup.last - sup.first)
    created, closed = area(2, first, 2, last, absolute=True), area(3, first, 3, last, absolute=True)
    weeks = area(1, first, 1, last, absolute=True)
    array(ws, 4, first, 4, last, call("SP_NETFLOW", created, closed))
    array(ws, 5, first, 5, last, call("SP_BACKLOG", created, closed, opening))
    restyle(ws, 4, first, 4, last, FMT_SIGNED, SP_CELL_STYLE)
    restyle(ws, 5, first, 5, last, FMT_INT, SP_CELL_STYLE)
    end = linked_source(ws, last + 1, data.sources["tSupport"])

    k = title(ws, title_row, f"Nøgletal, {level}", col=7)
    k = header(ws, k, ("Nøgletal", "Værdi"), col=7)
    figures = (
        ("Gns. oprettede pr. uge", f"=AVERAGE({created})", FMT_INT, False),
        ("Gns. lukkede pr. uge", f"=AVERAGE({closed})", FMT_INT, False),
        ("Tendens i oprettede (sager pr. uge)", call("SP_TREND", created), FMT_DEC1, True),
        ("Prognose for oprettede om Par_PrognoseUger uger", call("SP_FORECAST", created, "Par_PrognoseUger"),
         FMT_INT, True),
        ("Aktive sager nu (primo + oprettede − lukkede)", f"={opening}+SUM({created})-SUM({closed})", FMT_INT, False),
        ("Uger til aktive sager er afviklet (tempo i de sidste Par_UgerVindue uger)",
         call("SP_WEEKS_TO_CLEAR", created, closed, opening, "Par_UgerVindue"), FMT_DEC1, True),
        ("Uger fra uge 10 med flere lukkede end oprettede", f"=SUMPRODUCT(--({weeks}>=10),--({closed}>{created}))",
         FMT_INT, False),
        ("Uger fra uge 10 i alt", f'=COUNTIF({weeks},">=10")', FMT_INT, False),
    )
    for i, (label, formula, fmt, is_sp) in enumerate(figures):
        put(ws, k + i, 7, label)
        put(ws, k + i, 8, formula, fmt, SP_CELL_STYLE if is_sp else None)
    linked_source(ws, k + len(figures), data.sources["tSupport"], col=7)

    columns_line_chart(ws, cell(10, title_row), title=heading, x_title="Uge (2018)", y_title="Oprettede og lukkede pr. uge",
                       header_row=first - 1, first_row=first, last_row=last, category_col=1,
                       series_cols=[2, 3], secondary_col=5, secondary_title="Aktive sager")
    return end


def support_sheet(wb: Workbook, data: DataLayout) -> None:
    ws = new_sheet(wb, SHEET_SUPPORT, "4. CIMT's support – oprettede, lukkede og aktive sager")
    synthetic(ws, 2, rd.SYNTHETIC_LABEL + " (ugetal på arket " + data.support.sheet + ")")
    put(ws, 3, 1, "Aktive sager (backlog) = aktive sager primo året + løbende sum af (oprettede − lukkede). "
                  "Lave tal i uge 13 skyldes påsken.")
    open12, open3 = data.support_opening
    row = _support_block(ws, data, 5, "Figur 3. Oprettede og lukkede sager på første og andet niveau "
                                      "i Region Hovedstaden", "niveau 1–2", 2, open12)
    _support_block(ws, data, row + 1, "Figur 4. Oprettede og lukkede sager på tredje niveau", "niveau 3", 4, open3)
    widths(ws, A=10, B=12, C=12, D=20, E=14, F=3, G=52, H=12)
