"""The data sheets of the master workbook: where staff paste the extracts.

Layout follows the extracts: one row per hospital (or day, week, department, message),
one column per month (or hospital). Every block is an Excel table so that it can be
pasted over and referenced; each sheet says on row 2 whether its numbers are the
report's or synthetic. The report sheets refer to the cells returned in ``DataLayout``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from sp_xl.master import report_data as rd
from sp_xl.master.style import (
    DATA_TAB,
    FMT_DATE,
    FMT_INT,
    FMT_PCT,
    INPUT_STYLE,
    header,
    new_sheet,
    put,
    source,
    synthetic,
    title,
    widths,
)

SHEET_HOSPITALS = "D_Hospitaler"
SHEET_DEPARTMENTS = "D_Afdelinger"
SHEET_LPR = "D_LPR"
SHEET_SUPPORT = "D_Support"
SHEET_MESSAGES = "D_Henvendelser"
DATA_SHEETS = (SHEET_HOSPITALS, SHEET_DEPARTMENTS, SHEET_LPR, SHEET_SUPPORT, SHEET_MESSAGES)

_TABLE_STYLE = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
REPORT_LABEL = "Tal fra rapporten (statusrapport 2018)"


@dataclass(frozen=True)
class Block:
    """Where a table's numbers are: rows first..last, columns first_col..last_col (1-based)."""

    sheet: str
    first: int
    last: int
    first_col: int
    last_col: int


@dataclass
class DataLayout:
    monthly: dict[str, Block] = field(default_factory=dict)  # key: table name
    departments: Block | None = None  # cols: name, count, rate, basis
    lpr: Block | None = None  # col 1 date, then one column per hospital
    support: Block | None = None  # col 1 week, 2-3 levels 1-2, 4-5 level 3
    support_opening: tuple[str, str] = ("", "")  # cell refs of the two opening backlogs
    messages: Block | None = None  # col 1 sent, col 2 answered
    sources: dict[str, str] = field(default_factory=dict)  # table name -> its "Kilde: …" cell

    def record_source(self, table: str, sheet: str, row: int) -> None:
        self.sources[table] = f"{sheet}!$A${row}"


def _table(ws: Worksheet, name: str, ref: str) -> None:
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = _TABLE_STYLE
    ws.add_table(table)


def _data_sheet(wb: Workbook, name: str, heading: str, label: str, is_synthetic: bool) -> tuple[Worksheet, int]:
    """A new data sheet with its title, provenance label and import note; returns it and its first free row."""
    ws = new_sheet(wb, name, heading, DATA_TAB)
    if is_synthetic:
        synthetic(ws, 2, label)
    else:
        put(ws, 2, 1, label)
    put(ws, 3, 1, "Nye udtræk lægges i tabellerne nedenfor med Importér udtræk (sp-xl import); "
                  "rapportarkene henter tallene herfra.")
    return ws, 5


def _monthly(ws: Worksheet, row: int, table: str, heading: str, months: tuple[str, ...],
             data: dict[str, tuple], fmt: str) -> tuple[Block, int]:
    row = title(ws, row, heading)
    header_row = row
    row = header(ws, row, ("Hospital", *months))
    first = row
    for hospital in rd.HOSPITALS:
        put(ws, row, 1, hospital)
        for j, v in enumerate(data[hospital]):
            put(ws, row, 2 + j, v, fmt, INPUT_STYLE)
        row += 1
    last = row - 1
    _table(ws, table, f"A{header_row}:{chr(ord('A') + len(months))}{last}")
    return Block(ws.title, first, last, 2, 1 + len(months)), row


def hospitals_sheet(wb: Workbook, layout: DataLayout) -> None:
    ws, row = _data_sheet(wb, SHEET_HOSPITALS, "Data: månedstal pr. hospital", REPORT_LABEL, is_synthetic=False)
    specs = (
        ("tBestOrdSet", "Tabel 1 – Best./Ord.-set ved bestilling/ordination, indlagte patienter (andel)",
         rd.MONTHS_JAN_MAY, rd.TABEL1_BEST_ORD_SET, FMT_PCT, rd.SRC_SP_19MAJ),
        ("tSmartSet", "Tabel 2 – SmartSet indtastet af ordinerende kliniker, ambulante patienter (andel)",
         rd.MONTHS_JAN_MAY, rd.TABEL2_SMARTSET, FMT_PCT, rd.SRC_SP_19MAJ),
        ("tMinSPBrugere", "Tabel 4 – Brugere oprettet på Min Sundhedsplatform (antal)",
         rd.MONTHS_JAN_APR, rd.TABEL4_MINSP_BRUGERE, FMT_INT, rd.SRC_SP),
        ("tMinSPBesvaret", "Tabel 5 – Henvendelser via Min SP besvaret inden for 3 hverdage (andel)",
         rd.MONTHS_JAN_APR, rd.TABEL5_BESVARET_3_HVERDAGE, FMT_PCT, rd.SRC_SP),
        ("tMinSPAktive", "Tabel 6 – Patienter aktive på Min Sundhedsplatform (antal)",
         rd.MONTHS_JAN_APR, rd.TABEL6_MINSP_AKTIVE, FMT_INT, rd.SRC_SP),
    )
    for name, heading, months, data, fmt, src in specs:
        layout.monthly[name], row = _monthly(ws, row, name, heading, months, data, fmt)
        layout.record_source(name, ws.title, row)
        row = source(ws, row, src)
    widths(ws, A=42, B=11, C=11, D=11, E=11, F=11)


def departments_sheet(wb: Workbook, layout: DataLayout) -> None:
    ws, row = _data_sheet(wb, SHEET_DEPARTMENTS, "Data: best./ord.-set pr. afdeling (grundlag for Tabel 3)",
                          rd.SYNTHETIC_LABEL + " – undtagen rækkerne markeret 'Rapporten (Tabel 3)'",
                          is_synthetic=True)
    row = title(ws, row, "Anvendelse af best./ord.-set pr. afdeling, 2018")
    header_row = row
    row = header(ws, row, ("Afdeling", "Antal best./ord. fra ordinationssæt", "Anvendelsesgrad",
                           "Datagrundlag"))
    first = row
    # Sorted by name, as an extract would come, so that the ranking has work to do.
    for name, count, rate, is_synthetic in sorted(rd.departments()):
        put(ws, row, 1, name)
        put(ws, row, 2, count, FMT_INT, INPUT_STYLE)
        put(ws, row, 3, rate, FMT_PCT, INPUT_STYLE)
        put(ws, row, 4, "Eksempeldata (syntetisk)" if is_synthetic else "Rapporten (Tabel 3)")
        row += 1
    _table(ws, "tAfdelinger", f"A{header_row}:D{row - 1}")
    layout.departments = Block(ws.title, first, row - 1, 1, 4)
    layout.record_source("tAfdelinger", ws.title, row)
    source(ws, row, rd.SRC_SP_30MAJ)
    widths(ws, A=62, B=20, C=16, D=24)


def lpr_sheet(wb: Workbook, layout: DataLayout) -> None:
    ws, row = _data_sheet(wb, SHEET_LPR, "Data: LPR-fejl pr. dag og hospital (nye minus rettede fejl)",
                          rd.SYNTHETIC_LABEL, is_synthetic=True)
    row = title(ws, row, "Daglig nettotilgang af fejl i LPR's fejlregister, 2018")
    header_row = row
    row = header(ws, row, ("Dato", *rd.HOSPITALS))
    first = row
    daily = rd.lpr_daily_net_errors()
    for i, day in enumerate(rd.lpr_days()):
        put(ws, row, 1, dt.datetime.combine(day, dt.time()), FMT_DATE)
        for j, hospital in enumerate(rd.HOSPITALS):
            put(ws, row, 2 + j, daily[hospital][i], FMT_INT, INPUT_STYLE)
        row += 1
    last_col = 1 + len(rd.HOSPITALS)
    _table(ws, "tLPRFejl", f"A{header_row}:{chr(ord('A') + last_col - 1)}{row - 1}")
    layout.lpr = Block(ws.title, first, row - 1, 1, last_col)
    layout.record_source("tLPRFejl", ws.title, row)
    source(ws, row, rd.SRC_LPR)
    ws.freeze_panes = ws.cell(first, 2)
    widths(ws, A=12, **{chr(ord("B") + j): 16 for j in range(len(rd.HOSPITALS))})


def support_sheet(wb: Workbook, layout: DataLayout) -> None:
    ws, row = _data_sheet(wb, SHEET_SUPPORT, "Data: supportsager pr. uge (oprettede og lukkede)",
                          rd.SYNTHETIC_LABEL, is_synthetic=True)
    l12, l3 = rd.support_levels_1_2(), rd.support_level_3()
    row = title(ws, row, "Aktive sager ved årets start (primo uge 1, 2018)")
    put(ws, row, 1, "Niveau 1–2")
    put(ws, row, 2, l12.opening, FMT_INT, INPUT_STYLE)
    put(ws, row + 1, 1, "Niveau 3")
    put(ws, row + 1, 2, l3.opening, FMT_INT, INPUT_STYLE)
    layout.support_opening = (f"{SHEET_SUPPORT}!$B${row}", f"{SHEET_SUPPORT}!$B${row + 1}")
    row = source(ws, row + 2, rd.SRC_SERVICENOW)
    row = title(ws, row, "Oprettede og lukkede sager pr. uge, 2018")
    header_row = row
    row = header(ws, row, ("Uge", "Niveau 1–2 oprettede", "Niveau 1–2 lukkede",
                           "Niveau 3 oprettede", "Niveau 3 lukkede"))
    first = row
    for i, week in enumerate(rd.SUPPORT_WEEKS):
        put(ws, row, 1, week)
        for j, v in enumerate((l12.created[i], l12.closed[i], l3.created[i], l3.closed[i])):
            put(ws, row, 2 + j, v, FMT_INT, INPUT_STYLE)
        row += 1
    _table(ws, "tSupport", f"A{header_row}:E{row - 1}")
    layout.support = Block(ws.title, first, row - 1, 1, 5)
    layout.record_source("tSupport", ws.title, row)
    source(ws, row, rd.SRC_SERVICENOW)
    widths(ws, A=14, B=14, C=14, D=14, E=14)


def messages_sheet(wb: Workbook, layout: DataLayout) -> None:
    ws, row = _data_sheet(wb, SHEET_MESSAGES, "Data: enkelthenvendelser via Min SP (grundlag for Tabel 5)",
                          rd.SYNTHETIC_LABEL, is_synthetic=True)
    row = title(ws, row, "Henvendelser sendt og besvaret, uge 13–14 2018 (påsken)")
    header_row = row
    row = header(ws, row, ("Sendt", "Besvaret"))
    first = row
    for sent, answered in rd.messages():
        put(ws, row, 1, sent, FMT_DATE)
        put(ws, row, 2, answered, FMT_DATE, INPUT_STYLE)
        row += 1
    _table(ws, "tHenvendelser", f"A{header_row}:B{row - 1}")
    layout.messages = Block(ws.title, first, row - 1, 1, 2)
    layout.record_source("tHenvendelser", ws.title, row)
    source(ws, row, rd.SRC_SP)
    widths(ws, A=14, B=14)


def build_data_sheets(wb: Workbook) -> DataLayout:
    layout = DataLayout()
    for make in (hospitals_sheet, departments_sheet, lpr_sheet, support_sheet, messages_sheet):
        make(wb, layout)
    return layout
