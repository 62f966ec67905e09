"""Report sheets for the use of SP: order sets (Tabel 1-3) and Min Sundhedsplatform (Tabel 4-6).

Each hospital row reads its numbers from the data sheet and gets one SP_ call per cell
(what staff copy down); totals are plain SUMs.
"""

from __future__ import annotations

from openpyxl.styles import Font
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from sp_xl.master import report_data as rd
from sp_xl.master.charts import rows_bar_chart
from sp_xl.master.data import DataLayout
from sp_xl.master.refs import area, array, call, cell, text
from sp_xl.master.style import (
    FMT_DATE,
    FMT_INT,
    FMT_PCT,
    FMT_PCT1,
    FMT_PP,
    FMT_SIGNED,
    SP_CELL_STYLE,
    header,
    linked_source,
    new_sheet,
    put,
    restyle,
    status_colours,
    synthetic,
    title,
    widths,
)

SHEET_USAGE = "Anvendelse"
SHEET_MINSP = "MinSP"


def _linked_rows(ws: Worksheet, row: int, block, fmt: str) -> tuple[int, int]:
    """Hospital name and monthly figures as references to the data sheet; returns (first, last)."""
    first = row
    for i in range(block.last - block.first + 1):
        src_row = block.first + i
        put(ws, row, 1, "=" + cell(1, src_row, block.sheet))
        for col in range(block.first_col, block.last_col + 1):
            put(ws, row, col, "=" + cell(col, src_row, block.sheet), fmt)
        row += 1
    return first, row - 1


def _order_set_table(ws: Worksheet, row: int, block, heading: str, target: str, src_ref: str) -> int:
    row = title(ws, row, heading)
    row = header(ws, row, ("Hospital", *rd.MONTHS_JAN_APR, "Indeværende måned (maj)", "Målsætning",
                           "Målopfyldelse (maj)", "Afstand til mål (pct.-point)", "Status",
                           "Udvikling pr. måned (pct.-point)"))
    first, last = _linked_rows(ws, row, block, FMT_PCT)
    for r in range(first, last + 1):
        may = cell(6, r)
        put(ws, r, 7, f"={target}", FMT_PCT)
        put(ws, r, 8, call("SP_ATTAINMENT", may, target), FMT_PCT, SP_CELL_STYLE)
        put(ws, r, 9, call("SP_GAP", may, target), FMT_PP, SP_CELL_STYLE)
        put(ws, r, 10, call("SP_STATUS", may, target, "Mål_GulFra"), None, SP_CELL_STYLE)
        put(ws, r, 11, call("SP_TREND", area(2, r, 6, r)), FMT_PCT1, SP_CELL_STYLE)
    status_colours(ws, area(10, first, 10, last))
    return linked_source(ws, last + 1, src_ref)


def usage_sheet(wb: Workbook, data: DataLayout) -> None:
    ws = new_sheet(wb, SHEET_USAGE, "2. Anvendelse af SP – best./ord.-set og SmartSets")
    put(ws, 2, 1, "Målsætning: 25 pct. (best./ord.-set) og 30 pct. (SmartSets) af alle ordinationer; "
                  "målene står på arket Mål. Grå celler beregnes af SP_-funktionerne.")
    row = _order_set_table(ws, 4, data.monthly["tBestOrdSet"],
                           "Tabel 1. Best./Ord.-set anvendt ved bestilling/ordination for indlagte patienter",
                           "Mål_BestOrdSet", data.sources["tBestOrdSet"])
    row = _order_set_table(ws, row, data.monthly["tSmartSet"],
                           "Tabel 2. SmartSet indtastet af ordinerende kliniker for ambulante patienter",
                           "Mål_SmartSet", data.sources["tSmartSet"])

    dep = data.departments
    names = area(1, dep.first, 1, dep.last, dep.sheet, absolute=True)
    counts = area(2, dep.first, 2, dep.last, dep.sheet, absolute=True)
    rates = area(3, dep.first, 3, dep.last, dep.sheet, absolute=True)
    row = title(ws, row, "Tabel 3. Top 5 over anvendelsesgrad af best./ord.-set i 2018")
    row = header(ws, row, ("Afdeling", "Anvendelsesgrad", "Antal best./ord. fra ordinationssæt"))
    first, last = row, row + 4
    array(ws, 1, first, 2, last, call("SP_TOPN", names, rates, 5))
    restyle(ws, 1, first, 1, last, None, SP_CELL_STYLE)
    restyle(ws, 2, first, 2, last, FMT_PCT, SP_CELL_STYLE)
    for r in range(first, last + 1):
        # The count belongs to the department SP_TOPN picked: an ordinary lookup.
        put(ws, r, 3, f"=INDEX({counts},MATCH({cell(1, r)},{names},0))", FMT_INT)
    row = linked_source(ws, last + 1, data.sources["tAfdelinger"])
    widths(ws, A=52, B=14, C=14, D=11, E=11, F=14, G=12, H=14, I=14, J=10, K=16)
    ws.freeze_panes = "B4"


def _count_table(ws: Worksheet, row: int, block, heading: str, src_ref: str) -> tuple[int, int, int, int]:
    """Tabel 4/6: counts per hospital and month, a SUM row, growth per row. Returns
    (header_row, first, last hospital row, total row) and leaves the source line under it."""
    row = title(ws, row, heading)
    header_row = row
    row = header(ws, row, ("Hospital", *rd.MONTHS_JAN_APR, "Vækst jan.–apr. (antal)", "Vækst jan.–apr. (pct.)"))
    first, last = _linked_rows(ws, row, block, FMT_INT)
    total = last + 1
    put(ws, total, 1, "I alt")
    ws.cell(total, 1).font = Font(bold=True)
    for col in range(2, 6):
        put(ws, total, col, f"=SUM({area(col, first, col, last)})", FMT_INT)
    for r in range(first, total + 1):
        put(ws, r, 6, call("SP_GROWTH", area(2, r, 5, r)), FMT_SIGNED, SP_CELL_STYLE)
        put(ws, r, 7, call("SP_GROWTH_PCT", area(2, r, 5, r)), FMT_PCT1, SP_CELL_STYLE)
    linked_source(ws, total + 1, src_ref)
    return header_row, first, last, total


def minsp_sheet(wb: Workbook, data: DataLayout) -> None:
    ws = new_sheet(wb, SHEET_MINSP, "2.6 Borgernes anvendelse af Min Sundhedsplatform")

    hdr4, first4, last4, total4 = _count_table(ws, 3, data.monthly["tMinSPBrugere"],
                                               "Tabel 4. Brugere oprettet på Min Sundhedsplatform", data.sources["tMinSPBrugere"])
    series4 = area(2, total4, 5, total4)
    row = title(ws, total4 + 3, "Tekst til rapporten og nøgletal (Tabel 4, I alt)")
    row = header(ws, row, ("Nøgletal", *rd.MONTHS_JAN_APR))
    put(ws, row, 1, "Ændring fra forrige måned (antal)")
    array(ws, 2, row, 5, row, call("SP_CHANGES", series4))
    put(ws, row + 1, 1, "Ændring fra forrige måned (pct.)")
    array(ws, 2, row + 1, 5, row + 1, call("SP_CHANGES", series4, "TRUE"))
    restyle(ws, 2, row, 5, row, FMT_SIGNED, SP_CELL_STYLE)
    restyle(ws, 2, row + 1, 5, row + 1, FMT_PCT1, SP_CELL_STYLE)
    put(ws, row + 2, 1, "Gennemsnitlig vækst pr. måned")
    put(ws, row + 2, 2, call("SP_AVG_GROWTH_PCT", series4), FMT_PCT1, SP_CELL_STYLE)
    put(ws, row + 3, 1, "Samlet stigning, ca.")
    put(ws, row + 3, 2, call("SP_ROUND_CA", cell(6, total4)), FMT_INT, SP_CELL_STYLE)
    put(ws, row + 4, 1, "Vækst, ca.")
    put(ws, row + 4, 2, call("SP_ROUND_CA", cell(7, total4)), FMT_PCT, SP_CELL_STYLE)
    put(ws, row + 5, 1, "Sætning til rapporten")
    put(ws, row + 5, 2, call("SP_TEXT_GROWTH", series4, text("oprettede brugere")), None, SP_CELL_STYLE)
    row = linked_source(ws, row + 6, data.sources["tMinSPBrugere"])
    rows_bar_chart(ws, "I3", title="Brugere oprettet på Min Sundhedsplatform pr. måned",
                   x_title="Måned (2018)", y_title="Antal brugere", header_row=hdr4, first_row=first4,
                   last_row=last4, label_col=1, first_col=2, last_col=5)

    b5 = data.monthly["tMinSPBesvaret"]
    row = title(ws, row, "Tabel 5. Henvendelser via Min Sundhedsplatform besvaret inden for 3 hverdage")
    row = header(ws, row, ("Hospital", *rd.MONTHS_JAN_APR, "Udvikling pr. måned (pct.-point)",
                           "Ændring jan.–apr. (pct.-point)"))
    first, last = _linked_rows(ws, row, b5, FMT_PCT)
    for r in range(first, last + 1):
        put(ws, r, 6, call("SP_TREND", area(2, r, 5, r)), FMT_PCT1, SP_CELL_STYLE)
        put(ws, r, 7, call("SP_GROWTH", area(2, r, 5, r)), FMT_PP, SP_CELL_STYLE)
    row = linked_source(ws, last + 1, data.sources["tMinSPBesvaret"])

    msg = data.messages
    row = title(ws, row, "Beregning af 'besvaret inden for 3 hverdage' fra enkelthenvendelser (eksempel)")
    row = synthetic(ws, row, rd.SYNTHETIC_LABEL + " (arket " + msg.sheet + ")")
    row = header(ws, row, ("Nøgletal", "Værdi"))
    sent = area(1, msg.first, 1, msg.last, msg.sheet, absolute=True)
    answered = area(2, msg.first, 2, msg.last, msg.sheet, absolute=True)
    put(ws, row, 1, "Henvendelser i udtrækket")
    put(ws, row, 2, f"=COUNT({sent})", FMT_INT)
    put(ws, row + 1, 1, "Besvaret inden for Mål_SvarHverdage hverdage (andel)")
    put(ws, row + 1, 2, call("SP_WITHIN_WORKDAYS", sent, answered, "Mål_SvarHverdage"), FMT_PCT, SP_CELL_STYLE)
    put(ws, row + 2, 1, "Hverdage i perioden (påsken fratrukket)")
    put(ws, row + 2, 2, call("SP_WORKDAYS", cell(1, msg.first, msg.sheet, True), cell(1, msg.last, msg.sheet, True)),
        FMT_INT, SP_CELL_STYLE)
    put(ws, row + 3, 1, "Første og sidste afsendelsesdato")
    put(ws, row + 3, 2, f"=MIN({sent})", FMT_DATE)
    put(ws, row + 3, 3, f"=MAX({sent})", FMT_DATE)
    row = linked_source(ws, row + 4, data.sources["tHenvendelser"])

    *_, total6 = _count_table(ws, row, data.monthly["tMinSPAktive"],
                                               "Tabel 6. Patienter aktive på Min Sundhedsplatform", data.sources["tMinSPAktive"])
    row = title(ws, total6 + 3, "Andel aktive (april)")
    row = header(ws, row, ("Nøgletal", "Værdi"))
    put(ws, row, 1, "Aktive patienter i andel af oprettede brugere (Tabel 6 / Tabel 4)")
    put(ws, row, 2, call("SP_SHARE", cell(5, total6), cell(5, total4)), FMT_PCT, SP_CELL_STYLE)
    put(ws, row + 1, 1, "Samme, afrundet (rapporten: ca. 20 %)")
    put(ws, row + 1, 2, call("SP_ROUND_CA", cell(2, row)), FMT_PCT, SP_CELL_STYLE)
    linked_source(ws, row + 2, data.sources["tMinSPAktive"])
    widths(ws, A=52, B=13, C=13, D=13, E=13, F=16, G=16)
