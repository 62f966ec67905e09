"""Report sheets for operations: LPR errors (Figur 1) and support cases (Figur 3 and 4).

Both are views keyed by period (see ``periods``): Figur 1 has a row for every day of the
registration year of the latest LPR day (the running total starts again on 1 January);
Figur 3 and 4 show the latest 52 weeks, so the backlog carries on across New Year. Rows
without data are hidden by ``sp-xl refresh``.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from sp_xl.master import periods as pd_
from sp_xl.master import report_data as rd
from sp_xl.master.charts import columns_line_chart
from sp_xl.master.data import DataLayout
from sp_xl.master.refs import area, array, call, cell, fixed_row, thousands
from sp_xl.master.style import (
    FMT_DATE,
    FMT_DEC1,
    FMT_INT,
    FMT_SIGNED,
    SP_CELL_STYLE,
    TITLE_STYLE,
    header,
    linked_source,
    new_sheet,
    put,
    restyle,
    synthetic,
    title,
    widths,
    wrap_sentences,
)

SHEET_LPR = "LPR"
SHEET_LPR_DAYS = "LPR-bilag"
CHART_ROWS = 24  # rows a chart anchored under its table covers (15 cm at the default row height)
SHEET_SUPPORT = "Support"
LATEST_DAY = "Seneste_LPRDag"
LATEST_WEEK, FIRST_WEEK = "Seneste_SupportUge", "Første_SupportUge"
DAYS = 366
_HELPER_COL = 22  # columns V.. hold each hospital's curve before and after the deadline (for the trends)


def lpr_sheet(wb: Workbook, data: DataLayout) -> list[str]:
    """The LPR sheet (summary and Figur 1) and its appendix of days; returns the range whose
    empty cells hide their row (on the appendix)."""
    ws = new_sheet(wb, SHEET_LPR, "1.1 Udvikling i LPR-fejl")
    days = new_sheet(wb, SHEET_LPR_DAYS, "Bilag: LPR-fejl pr. dag")
    synthetic(ws, 2, rd.SYNTHETIC_LABEL)
    put(ws, 3, 1, '="Hospitalerne kunne rette fejl på sidste års kontakter frem til fristen d. "&'
                  + pd_.long_date("Par_LPRFrist") + '&"; derefter forventes kurven at knække."')
    synthetic(days, 2, rd.SYNTHETIC_LABEL)
    put(days, 3, 1, "Tallene bag Figur 1 på arket LPR: den løbende sum af den daglige nettotilgang (nye minus "
                    "rettede fejl) pr. hospital.")
    n = len(rd.HOSPITALS)
    acc_title, acc_header = 5, 6
    first, last = acc_header + 1, acc_header + DAYS
    put(days, acc_title, 1, f'="Akkumulerede LPR-fejl pr. dag, "&YEAR({LATEST_DAY})', None, TITLE_STYLE)
    header(days, acc_header, ("Dato", *rd.HOSPITALS))
    before, after = _HELPER_COL, _HELPER_COL + n + 1
    header(days, acc_header, tuple(f"Før fristen: {h}" for h in rd.HOSPITALS), col=before)
    header(days, acc_header, tuple(f"Efter fristen: {h}" for h in rd.HOSPITALS), col=after)
    marker = after + n + 1       # one value on the deadline day: Figur 1's vertical deadline line
    header(days, acc_header, ("Fristen",), col=marker)
    days.cell(acc_header, marker).value = '="Fristen d. "&' + pd_.long_date("Par_LPRFrist")
    peak = cell(marker, acc_title, absolute=True)       # the line's height: the highest curve, computed once
    put(days, acc_title, marker, f"=MAX({area(2, first, 1 + n, last, absolute=True)})", FMT_INT)
    for k in range(1, DAYS + 1):
        r = first + k - 1
        day = f"$A{r}"
        put(days, r, 1, pd_.day_key(k, LATEST_DAY), FMT_DATE)
        for j in range(n):
            col = 2 + j
            today = f"SUMIFS(tLPRFejl[Fejl],tLPRFejl[Dato],{day},tLPRFejl[Hospital],{fixed_row(col, acc_header)})"
            running = today if k == 1 else f"{cell(col, r - 1)}+{today}"
            put(days, r, col, f'=IF({day}="","",{running})', FMT_INT)
            put(days, r, before + j, f'=IF({day}="","",IF({day}>Par_LPRFrist,"",{cell(col, r)}))', FMT_INT)
            put(days, r, after + j, f'=IF({day}="","",IF({day}<Par_LPRFrist,"",{cell(col, r)}))', FMT_INT)
        put(days, r, marker, f'=IF({day}=Par_LPRFrist,{peak},"")', FMT_INT)
    linked_source(days, last + 1, data.sources["tLPRFejl"])
    dates = area(1, first, 1, last, SHEET_LPR_DAYS, absolute=True)

    row = title(ws, 5, "Knæk i kurven efter fristen pr. hospital")
    row = header(ws, row, ("Hospital", "Fejl ved fristen", "Fejl seneste dag", "Ændring efter fristen",
                           "Toppunkt (dato)", "Tendens før fristen (fejl pr. dag)",
                           "Tendens efter fristen (fejl pr. dag)", "Kurven efter fristen"))
    first_day = cell(1, first, SHEET_LPR_DAYS, absolute=True)
    for j in range(n):
        r, col = row + j, 2 + j
        series = area(col, first, col, last, SHEET_LPR_DAYS, absolute=True)
        put(ws, r, 1, "=" + cell(col, acc_header, SHEET_LPR_DAYS))
        put(ws, r, 2, f'=IFERROR(INDEX({series},MATCH(Par_LPRFrist,{dates},0)),"")', FMT_INT)
        put(ws, r, 3, f"=INDEX({series},COUNT({dates}))", FMT_INT)
        put(ws, r, 4, f'=IF({cell(2, r)}="","",{cell(3, r)}-{cell(2, r)})', FMT_SIGNED)
        put(ws, r, 5, call("SP_PEAK", series, dates), FMT_DATE, SP_CELL_STYLE)
        put(ws, r, 6, call("SP_TREND", area(before + j, first, before + j, last, SHEET_LPR_DAYS, absolute=True)),
            FMT_DEC1, SP_CELL_STYLE)
        put(ws, r, 7, call("SP_TREND", area(after + j, first, after + j, last, SHEET_LPR_DAYS, absolute=True)),
            FMT_DEC1, SP_CELL_STYLE)
        # "Knækket" when errors grow at less than half the pace they had before the deadline.
        put(ws, r, 8, f'=IF(YEAR(Par_LPRFrist)<>YEAR({LATEST_DAY}),"Fristen er fra et andet år",'
                      f'IF(OR({cell(4, r)}="",{LATEST_DAY}<=Par_LPRFrist),"Fristen er ikke passeret",'
                      f'IF({cell(4, r)}<0,"Nedbragt",IF({cell(4, r)}/({LATEST_DAY}-Par_LPRFrist)'
                      f'<0.5*{cell(2, r)}/(Par_LPRFrist-{first_day}),"Knækket","Ikke knækket"))))')
    r = row + n
    put(ws, r, 1, "Hverdage fra 1. januar til og med fristen")
    put(ws, r, 2, call("SP_WORKDAYS", first_day, "Par_LPRFrist"), FMT_INT, SP_CELL_STYLE)
    end = linked_source(ws, r + 1, data.sources["tLPRFejl"])

    columns_line_chart(ws, cell(1, end), title="Figur 1: LPR-fejlregistreringer akkumuleret i registreringsåret, "
                       "Region Hovedstaden", x_title="Dato", y_title="Akkumulerede fejl",
                       header_row=acc_header, first_row=first, last_row=last, category_col=1,
                       series_cols=list(range(2, 2 + n)), dates=True, source_ws=days, marker_col=marker)
    widths(ws, A=40, B=14, C=14, D=14, E=14, F=16, G=16, H=22)
    widths(days, A=12, **{get_column_letter(2 + j): 14 for j in range(n)})
    ws.print_area = f"A1:H{end + CHART_ROWS}"
    days.print_area = f"A1:{get_column_letter(1 + n)}{last + 1}"
    days.print_title_rows = f"{acc_header}:{acc_header}"
    return [area(1, first, 1, last, SHEET_LPR_DAYS, absolute=True)]


def _support_block(ws: Worksheet, data: DataLayout, row: int, heading: str, columns: tuple[str, str],
                   opening: str, sentence: str) -> tuple[int, str]:
    """One of Figur 3/4 at ``row``: key figures, then the weekly window. Returns (next free row,
    the window's key range). ``sentence``: the report's sentence, a formula over the figures
    ({avg_created}, {avg_closed}, {weeks_better}, {weeks_since})."""
    created_col, closed_col = (f"tSupport[{c}]" for c in columns)
    title(ws, row, heading)
    k = header(ws, row + 1, ("Nøgletal", "Værdi"))
    table_header = k + 12
    first, last = table_header + 1, table_header + pd_.WEEKS_SHOWN
    weeks = area(1, first, 1, last, absolute=True)
    created, closed = area(3, first, 3, last, absolute=True), area(4, first, 4, last, absolute=True)
    window_start = f"({LATEST_WEEK}-{7 * (pd_.WEEKS_SHOWN - 1)})"
    before = cell(2, k, absolute=True)
    figures = (
        ("Aktive sager før de viste uger",
         f'={opening}+SUMIFS({created_col},tSupport[Uge],"<"&{window_start})'
         f'-SUMIFS({closed_col},tSupport[Uge],"<"&{window_start})', FMT_INT, False),
        ("Gns. oprettede pr. uge", f"=AVERAGE({created})", FMT_INT, False),
        ("Gns. lukkede pr. uge", f"=AVERAGE({closed})", FMT_INT, False),
        ("Tendens i oprettede (sager pr. uge)", call("SP_TREND", created), FMT_DEC1, True),
        ('="Prognose for oprettede om "&Par_PrognoseUger&" uger"', call("SP_FORECAST", created, "Par_PrognoseUger"),
         FMT_INT, True),
        ("Aktive sager nu (seneste uge)", f"={cell(6, last)}", FMT_INT, False),
        ('="Uger til aktive sager er afviklet (tempo i de sidste "&Par_UgerVindue&" uger)"',
         call("SP_WEEKS_TO_CLEAR", created, closed, before, "Par_UgerVindue"), FMT_DEC1, True),
        ('="Uger fra uge "&WEEKNUM(Par_SupportVendeuge,21)&" med flere lukkede end oprettede"',
         f"=SUMPRODUCT(ISNUMBER({weeks})*({weeks}>=Par_SupportVendeuge)*({closed}>{created}))", FMT_INT, False),
        ('="Uger fra uge "&WEEKNUM(Par_SupportVendeuge,21)&" i alt"',
         f'=COUNTIFS({weeks},">="&Par_SupportVendeuge)', FMT_INT, False),
    )
    refs = {key: cell(2, k + i) for i, key in ((1, "avg_created"), (2, "avg_closed"), (7, "weeks_better"),
                                                  (8, "weeks_since"))}
    figures += (("Sætning til rapporten", sentence.format(**refs), None, False),)
    for i, (label, formula, fmt, is_sp) in enumerate(figures):
        put(ws, k + i, 1, label)
        put(ws, k + i, 2, formula, fmt, SP_CELL_STYLE if is_sp else None)
    linked_source(ws, k + len(figures), data.sources["tSupport"])

    header(ws, table_header, ("Uge (mandag)", "Uge", "Oprettede", "Lukkede", "Nettoafgang (lukkede − oprettede)",
                              "Aktive sager (backlog)"))
    for i in range(1, pd_.WEEKS_SHOWN + 1):
        r = first + i - 1
        week = f"$A{r}"
        put(ws, r, 1, pd_.week_key(i, LATEST_WEEK, FIRST_WEEK), FMT_DATE)
        put(ws, r, 2, f'=IF({week}="","","uge "&WEEKNUM({week},21))')
        put(ws, r, 3, f'=IF({week}="","",SUMIFS({created_col},tSupport[Uge],{week}))', FMT_INT)
        put(ws, r, 4, f'=IF({week}="","",SUMIFS({closed_col},tSupport[Uge],{week}))', FMT_INT)
    array(ws, 5, first, 5, last, call("SP_NETFLOW", created, closed))
    array(ws, 6, first, 6, last, call("SP_BACKLOG", created, closed, before))
    restyle(ws, 5, first, 5, last, FMT_SIGNED, SP_CELL_STYLE)
    restyle(ws, 6, first, 6, last, FMT_INT, SP_CELL_STYLE)
    end = linked_source(ws, last + 1, data.sources["tSupport"])
    columns_line_chart(ws, cell(8, row), title=heading, x_title="Uge", y_title="Oprettede og lukkede pr. uge",
                       header_row=table_header, first_row=first, last_row=last, category_col=2,
                       series_cols=[3, 4], secondary_col=6, secondary_title="Aktive sager")
    return end + 1, area(1, first, 1, last, SHEET_SUPPORT, absolute=True)


def support_sheet(wb: Workbook, data: DataLayout) -> list[str]:
    """The Support sheet; returns the ranges whose empty cells hide their row."""
    ws = new_sheet(wb, SHEET_SUPPORT, "4. CIMT's support – oprettede, lukkede og aktive sager")
    synthetic(ws, 2, rd.SYNTHETIC_LABEL)
    put(ws, 3, 1, "Aktive sager (backlog): de aktive sager før de viste uger plus den løbende sum af oprettede "
                  "minus lukkede sager. Lave tal i uge 13 skyldes påsken.")
    open12, open3 = data.support_opening
    row, slots12 = _support_block(ws, data, 5, "Figur 3. Oprettede og lukkede sager på første og andet niveau "
                                               "i Region Hovedstaden",
                                  ("Niveau 1–2 oprettede", "Niveau 1–2 lukkede"), open12,
                                  '="Der bliver i gennemsnit oprettet ca. "&' + thousands("ROUND({avg_created},-2)")
                                  + '&" og lukket ca. "&' + thousands("ROUND({avg_closed},-2)")
                                  + '&" sager ugentligt på første og andet niveau i Region Hovedstaden."')
    _, slots3 = _support_block(ws, data, row, "Figur 4. Oprettede og lukkede sager på tredje niveau",
                               ("Niveau 3 oprettede", "Niveau 3 lukkede"), open3,
                               '="Fra uge "&WEEKNUM(Par_SupportVendeuge,21)&" er der i {weeks_better} af '
                               '{weeks_since} uger løst flere sager, end der er oprettet."'.replace(
                                   "{weeks_better}", '"&{weeks_better}&"').replace(
                                   "{weeks_since}", '"&{weeks_since}&"'))
    widths(ws, A=52, B=12, C=12, D=12, E=20, F=14, G=3)
    wrap_sentences(ws, 6)
    return [slots12, slots3]
