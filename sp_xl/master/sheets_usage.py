"""Report sheets for the use of SP: order sets (Tabel 1-3) and Min Sundhedsplatform (Tabel 4-6).

Tables 1, 2, 4, 5 and 6 are year-to-date views (see ``periods``): a row per hospital, a slot
per month of the latest month's year, each value looked up by month and hospital in the long
data table; the months after the latest are hidden. Per hospital an SP_ call per cell (what
staff copy down); totals are plain SUMs.
"""

from __future__ import annotations

from openpyxl.styles import Font
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from sp_xl.master import periods as pd_
from sp_xl.master import report_data as rd
from sp_xl.master.charts import rows_bar_chart
from sp_xl.master.data import MONTHLY, DataLayout
from sp_xl.master.refs import area, array, call, cell, fixed_row, points, text, thousands
from sp_xl.master.style import (
    FMT_DATE,
    FMT_INT,
    FMT_PCT,
    FMT_PCT1,
    FMT_PP,
    FMT_SIGNED,
    HEADER_STYLE,
    INPUT_STYLE,
    SP_CELL_STYLE,
    TITLE_STYLE,
    header,
    linked_source,
    new_sheet,
    put,
    restyle,
    source,
    status_colours,
    synthetic,
    title,
    widths,
    wrap_sentences,
)

SHEET_USAGE = "Anvendelse"
SHEET_MINSP = "MinSP"
LATEST = {  # data table -> the defined name of its latest month (cells on the Mål sheet)
    "tBestOrdSet": "Seneste_BestOrdSet",
    "tSmartSet": "Seneste_SmartSet",
    "tMinSPBrugere": "Seneste_MinSPBrugere",
    "tMinSPBesvaret": "Seneste_MinSPBesvaret",
    "tMinSPAktive": "Seneste_MinSPAktive",
}


def month_slots(ws: Worksheet, row: int, first_col: int, latest: str) -> None:
    """The 12 month headings of a year-to-date view (a row tall enough for the labels beside them)."""
    ws.row_dimensions[row].height = 45
    for k in range(1, 13):
        put(ws, row, first_col + k - 1, pd_.month_header(k, latest), None, HEADER_STYLE)


def hospital_rows(ws: Worksheet, row: int, table: str, first_col: int, latest: str, header_row: int,
                  fmt: str) -> tuple[int, int]:
    """One row per hospital with its 12 monthly figures looked up in ``table``."""
    column = MONTHLY[table][0]
    first = row
    for hospital in rd.HOSPITALS:
        put(ws, row, 1, hospital)
        for k in range(1, 13):
            col = first_col + k - 1
            put(ws, row, col, pd_.monthly_value(table, column, k, latest, f"$A{row}", fixed_row(col, header_row)), fmt)
        row += 1
    return first, row - 1


def _order_set_table(ws: Worksheet, row: int, table: str, heading: str, target: str, src_ref: str) -> tuple[int, int]:
    """Tabel 1/2: returns (next free row, header row)."""
    latest = LATEST[table]
    row = title(ws, row, heading)
    header_row = row
    header(ws, row, ("Hospital", "Målsætning"))
    month_slots(ws, row, 3, latest)
    now = pd_.month_name(latest)
    for col, label in ((15, f'="Indeværende måned ("&{now}&")"'), (16, f'="Målopfyldelse ("&{now}&")"'),
                       (17, "Afstand til mål (procentpoint)"), (18, "Status"),
                       (19, "Udvikling pr. måned (procentpoint)")):
        put(ws, row, col, label, None, HEADER_STYLE)
    first, last = hospital_rows(ws, row + 1, table, 3, latest, header_row, FMT_PCT)
    for r in range(first, last + 1):
        current = cell(15, r)           # the latest month's figure, a plain cell the SP_ calls read
        put(ws, r, 2, f"={target}", FMT_PCT)
        put(ws, r, 15, "=" + pd_.in_latest(area(3, r, 14, r), latest), FMT_PCT)
        put(ws, r, 16, call("SP_ATTAINMENT", current, target), FMT_PCT, SP_CELL_STYLE)
        put(ws, r, 17, points(call("SP_GAP", current, target)), FMT_PP, SP_CELL_STYLE)
        put(ws, r, 18, call("SP_STATUS", current, target, "Mål_GulFra"), None, SP_CELL_STYLE)
        put(ws, r, 19, points(call("SP_TREND", area(3, r, 14, r))), FMT_PP, SP_CELL_STYLE)
    status_colours(ws, area(18, first, 18, last))
    return linked_source(ws, last + 1, src_ref), header_row


def usage_sheet(wb: Workbook, data: DataLayout) -> list[str]:
    """The Anvendelse sheet; returns the ranges whose empty cells hide their column."""
    ws = new_sheet(wb, SHEET_USAGE, "2. Anvendelse af SP – best./ord.-set og SmartSets")
    put(ws, 2, 1, '="Målsætning: "&ROUND(Mål_BestOrdSet*100,0)&" pct. (best./ord.-set) og "&ROUND(Mål_SmartSet*100,0)'
                  '&" pct. (SmartSets) af alle ordinationer (se Mål)."')
    row, hdr1 = _order_set_table(ws, 4, "tBestOrdSet",
                                 "Tabel 1. Best./Ord.-set anvendt ved bestilling/ordination for indlagte patienter",
                                 "Mål_BestOrdSet", data.sources["tBestOrdSet"])
    row, hdr2 = _order_set_table(ws, row, "tSmartSet",
                                 "Tabel 2. SmartSet indtastet af ordinerende kliniker for ambulante patienter",
                                 "Mål_SmartSet", data.sources["tSmartSet"])

    names, counts, rates = "tAfdelinger[Afdeling]", "tAfdelinger[Antal best./ord. fra ordinationssæt]", \
        "tAfdelinger[Anvendelsesgrad]"
    row = title(ws, row, "Tabel 3. Top 5 over anvendelsesgrad af best./ord.-set i 2018")
    row = header(ws, row, ("Afdeling", "Anvendelsesgrad", "Antal best./ord. fra ordinationssæt"))
    first, last = row, row + 4
    array(ws, 1, first, 2, last, call("SP_TOPN", names, rates, 5))
    restyle(ws, 1, first, 1, last, None, SP_CELL_STYLE)
    restyle(ws, 2, first, 2, last, FMT_PCT, SP_CELL_STYLE)
    for r in range(first, last + 1):
        # The count belongs to the department SP_TOPN picked: an ordinary lookup.
        put(ws, r, 3, f"=INDEX({counts},MATCH({cell(1, r)},{names},0))", FMT_INT)
    linked_source(ws, last + 1, data.sources["tAfdelinger"])
    widths(ws, A=52, B=12, **{chr(ord("C") + i): 10 for i in range(12)}, O=14, P=14, Q=14, R=10, S=16)
    ws.freeze_panes = "C4"
    return [area(3, hdr1, 14, hdr1, SHEET_USAGE, absolute=True), area(3, hdr2, 14, hdr2, SHEET_USAGE, absolute=True)]


def _count_table(ws: Worksheet, row: int, table: str, heading: str, src_ref: str) -> tuple[int, int, int, int]:
    """Tabel 4/6: counts per hospital and month, a SUM row, growth per row. Returns
    (header_row, first, last hospital row, total row) and leaves the source line under it."""
    latest = LATEST[table]
    row = title(ws, row, heading)
    header_row = row
    header(ws, row, ("Hospital",))
    month_slots(ws, row, 2, latest)
    span = f'"jan.–"&{pd_.month_name(latest, short=True)}'
    put(ws, row, 14, f'="Vækst "&{span}&" (antal)"', None, HEADER_STYLE)
    put(ws, row, 15, f'="Vækst "&{span}&" (pct.)"', None, HEADER_STYLE)
    first, last = hospital_rows(ws, row + 1, table, 2, latest, header_row, FMT_INT)
    total = last + 1
    put(ws, total, 1, "I alt")
    ws.cell(total, 1).font = Font(bold=True)
    for col in range(2, 14):
        put(ws, total, col, f'=IF({fixed_row(col, header_row)}="","",SUM({area(col, first, col, last)}))', FMT_INT)
    for r in range(first, total + 1):
        put(ws, r, 14, call("SP_GROWTH", area(2, r, 13, r)), FMT_SIGNED, SP_CELL_STYLE)
        put(ws, r, 15, call("SP_GROWTH_PCT", area(2, r, 13, r)), FMT_PCT1, SP_CELL_STYLE)
    linked_source(ws, total + 1, src_ref)
    return header_row, first, last, total


def minsp_sheet(wb: Workbook, data: DataLayout) -> list[str]:
    """The MinSP sheet; returns the ranges whose empty cells hide their column."""
    ws = new_sheet(wb, SHEET_MINSP, "2.6 Borgernes anvendelse af Min Sundhedsplatform")
    slots = []

    hdr4, first4, last4, total4 = _count_table(ws, 3, "tMinSPBrugere", "Tabel 4. Brugere oprettet på Min Sundhedsplatform",
                                               data.sources["tMinSPBrugere"])
    slots.append(area(2, hdr4, 13, hdr4, SHEET_MINSP, absolute=True))
    series4 = area(2, total4, 13, total4)
    row = title(ws, total4 + 3, "Tekst til rapporten og nøgletal (Tabel 4, I alt)")
    header(ws, row, ("Nøgletal",))
    month_slots(ws, row, 2, LATEST["tMinSPBrugere"])
    slots.append(area(2, row, 13, row, SHEET_MINSP, absolute=True))
    row += 1
    put(ws, row, 1, "Ændring fra forrige måned (antal)")
    array(ws, 2, row, 13, row, call("SP_CHANGES", series4))
    put(ws, row + 1, 1, "Ændring fra forrige måned (pct.)")
    array(ws, 2, row + 1, 13, row + 1, call("SP_CHANGES", series4, "TRUE"))
    restyle(ws, 2, row, 13, row, FMT_SIGNED, SP_CELL_STYLE)
    restyle(ws, 2, row + 1, 13, row + 1, FMT_PCT1, SP_CELL_STYLE)
    put(ws, row + 2, 1, "Gennemsnitlig vækst pr. måned")
    put(ws, row + 2, 2, call("SP_AVG_GROWTH_PCT", series4), FMT_PCT1, SP_CELL_STYLE)
    put(ws, row + 3, 1, "Samlet stigning, ca.")
    put(ws, row + 3, 2, call("SP_ROUND_CA", cell(14, total4)), FMT_INT, SP_CELL_STYLE)
    put(ws, row + 4, 1, "Vækst, ca.")
    put(ws, row + 4, 2, call("SP_ROUND_CA", cell(15, total4)), FMT_PCT, SP_CELL_STYLE)
    put(ws, row + 5, 1, "Sætning til rapporten")
    # the seed's sentence: "Der har i 2018 været en samlet stigning i oprettede brugere på ca. 50.000, …"
    put(ws, row + 5, 2, f'="Der har i "&YEAR({LATEST["tMinSPBrugere"]})&" været "&'
                        + call("SP_TEXT_GROWTH", series4, text("oprettede brugere"))[1:], None, SP_CELL_STYLE)
    row = linked_source(ws, row + 6, data.sources["tMinSPBrugere"])
    rows_bar_chart(ws, "Q3", title="Brugere oprettet på Min Sundhedsplatform pr. måned",
                   x_title="Måned", y_title="Antal brugere", header_row=hdr4, first_row=first4,
                   last_row=last4, label_col=1, first_col=2, last_col=13)

    latest5 = LATEST["tMinSPBesvaret"]
    row = title(ws, row, "Tabel 5. Henvendelser via Min Sundhedsplatform besvaret inden for 3 hverdage")
    hdr5 = row
    header(ws, row, ("Hospital",))
    month_slots(ws, row, 2, latest5)
    put(ws, row, 14, "Udvikling pr. måned (procentpoint)", None, HEADER_STYLE)
    put(ws, row, 15, f'="Ændring jan.–"&{pd_.month_name(latest5, short=True)}&" (procentpoint)"', None, HEADER_STYLE)
    slots.append(area(2, hdr5, 13, hdr5, SHEET_MINSP, absolute=True))
    first, last = hospital_rows(ws, row + 1, "tMinSPBesvaret", 2, latest5, hdr5, FMT_PCT)
    for r in range(first, last + 1):
        put(ws, r, 14, points(call("SP_TREND", area(2, r, 13, r))), FMT_PP, SP_CELL_STYLE)
        put(ws, r, 15, points(call("SP_GROWTH", area(2, r, 13, r))), FMT_PP, SP_CELL_STYLE)
    row = linked_source(ws, last + 1, data.sources["tMinSPBesvaret"])

    # The worked example stays in columns A-B, which are never hidden.
    row = title(ws, row, "Beregning af 'besvaret inden for 3 hverdage' fra enkelthenvendelser (eksempel)")
    row = synthetic(ws, row, rd.SYNTHETIC_LABEL)
    row = header(ws, row, ("Nøgletal", "Værdi"))
    sent, answered = "tHenvendelser[Sendt]", "tHenvendelser[Besvaret]"
    put(ws, row, 1, "Henvendelser i udtrækket")
    put(ws, row, 2, f"=COUNT({sent})", FMT_INT)
    put(ws, row + 1, 1, '="Besvaret inden for "&Mål_SvarHverdage&" hverdage (andel)"')
    put(ws, row + 1, 2, call("SP_WITHIN_WORKDAYS", sent, answered, "Mål_SvarHverdage"), FMT_PCT, SP_CELL_STYLE)
    put(ws, row + 2, 1, "Hverdage i perioden (påsken fratrukket)")
    put(ws, row + 2, 2, call("SP_WORKDAYS", f"MIN({sent})", f"MAX({sent})"), FMT_INT, SP_CELL_STYLE)
    put(ws, row + 3, 1, "Første afsendelsesdato")
    put(ws, row + 3, 2, f"=MIN({sent})", FMT_DATE)
    put(ws, row + 4, 1, "Sidste afsendelsesdato")
    put(ws, row + 4, 2, f"=MAX({sent})", FMT_DATE)
    row = linked_source(ws, row + 5, data.sources["tHenvendelser"])

    hdr6, _, _, total6 = _count_table(ws, row, "tMinSPAktive", "Tabel 6. Patienter aktive på Min Sundhedsplatform",
                                      data.sources["tMinSPAktive"])
    slots.append(area(2, hdr6, 13, hdr6, SHEET_MINSP, absolute=True))
    latest6 = LATEST["tMinSPAktive"]
    put(ws, total6 + 3, 1, f'="Andel aktive ("&{pd_.month_name(latest6)}&")"', None, TITLE_STYLE)
    row = header(ws, total6 + 4, ("Nøgletal", "Værdi"))
    put(ws, row, 1, "Aktive patienter i andel af oprettede brugere (Tabel 6 / Tabel 4)")
    put(ws, row, 2, call("SP_SHARE", pd_.in_latest(area(2, total6, 13, total6), latest6),
                         pd_.in_latest(area(2, total4, 13, total4), latest6)), FMT_PCT, SP_CELL_STYLE)
    put(ws, row + 1, 1, "Samme, afrundet (rapporten: ca. 20 pct.)")
    put(ws, row + 1, 2, call("SP_ROUND_CA", cell(2, row)), FMT_PCT, SP_CELL_STYLE)
    row = linked_source(ws, row + 2, data.sources["tMinSPAktive"])

    row = title(ws, row, "Min Sundhedsplatform-app'en")
    row = header(ws, row, ("Nøgletal", "Værdi"))
    put(ws, row, 1, "Borgere, der har downloadet app'en (ca.)")
    put(ws, row, 2, rd.APP_DOWNLOADS_MAY_2018, FMT_INT, INPUT_STYLE)
    put(ws, row + 1, 1, "Sætning til rapporten")
    put(ws, row + 1, 2, '="Der er aktuelt ca. "&' + thousands(cell(2, row)) + '&" borgere, der har downloadet app\'en."')
    source(ws, row + 2, rd.SRC_REPORT_MAY.format("2.6"))
    widths(ws, A=52, **{chr(ord("B") + i): 11 for i in range(12)}, N=16, O=16)
    wrap_sentences(ws, 15)
    return slots
