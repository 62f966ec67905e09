"""The data sheets of the master workbook: where the extracts land, one row per period.

Every data table is long: one row per period (and hospital, where the figure is per
hospital), periods running down. A new month, week or day is a new row at the bottom of its
table, so an import grows a table by appending rows, as Excel does when a row is typed under a
table; the report sheets read the tables through structured references (``tLPRFejl[Fejl]``)
and find their periods by key, so no formula, chart or name changes when a table grows.

So that a table can always grow, nothing is ever placed below one: each table's title and
"Kilde: …" line sit above its header, and tables that share a sheet stand side by side.
Each sheet says on row 2 whether its numbers are the report's or synthetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from sp_xl.master import report_data as rd
from sp_xl.master.style import (
    DATA_TAB,
    FMT_DATE,
    FMT_INT,
    FMT_MONTH,
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
SHEET_PEOPLE = "D_Personer"
SHEET_UNITS = "D_Enheder"
DATA_SHEETS = (SHEET_HOSPITALS, SHEET_DEPARTMENTS, SHEET_LPR, SHEET_SUPPORT, SHEET_MESSAGES, SHEET_PEOPLE,
               SHEET_UNITS)

_TABLE_STYLE = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
REPORT_LABEL = "Tal fra rapporten (statusrapport 2018)"
IMPORT_NOTE = ("Nye udtræk lægges i tabellerne med Importér udtræk (sp-xl import): en ny måned, uge eller dag "
               "bliver nye rækker nederst i tabellen. Rapportarkene finder selv de nye perioder.")
MONTH, HOSPITAL = "Måned", "Hospital"
# Monthly tables: name -> (value column, title, number format)
MONTHLY = {
    "tBestOrdSet": ("Andel", "Tabel 1 – Best./Ord.-set, indlagte patienter (andel)", FMT_PCT),
    "tSmartSet": ("Andel", "Tabel 2 – SmartSet, ambulante patienter (andel)", FMT_PCT),
    "tMinSPBrugere": ("Antal", "Tabel 4 – Brugere oprettet på Min SP (antal)", FMT_INT),
    "tMinSPBesvaret": ("Andel", "Tabel 5 – Henvendelser besvaret inden for 3 hverdage (andel)", FMT_PCT),
    "tMinSPAktive": ("Antal", "Tabel 6 – Patienter aktive på Min SP (antal)", FMT_INT),
}
SUPPORT_COLUMNS = ("Uge", "Niveau 1–2 oprettede", "Niveau 1–2 lukkede", "Niveau 3 oprettede",
                   "Niveau 3 lukkede")
PEOPLE_COLUMNS = ("Måned", "Brugere af SP", "Kliniske byggere udpeget", "Heraf certificerede",
                  "Heraf under uddannelse")


@dataclass
class DataLayout:
    """What the report sheets need to know about the data: where each table's "Kilde: …"
    line is, and the cells of the two opening backlogs."""

    sources: dict[str, str] = field(default_factory=dict)  # table name -> its "Kilde: …" cell
    support_opening: tuple[str, str] = ("", "")

    def record_source(self, table: str, sheet: str, row: int, col: int = 1) -> None:
        self.sources[table] = f"{sheet}!${get_column_letter(col)}${row}"


def _table(ws: Worksheet, name: str, ref: str) -> None:
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = _TABLE_STYLE
    ws.add_table(table)


def _data_sheet(wb: Workbook, name: str, heading: str, label: str, is_synthetic: bool) -> Worksheet:
    ws = new_sheet(wb, name, heading, DATA_TAB)
    if is_synthetic:
        synthetic(ws, 2, label)
    else:
        put(ws, 2, 1, label)
    put(ws, 3, 1, IMPORT_NOTE)
    return ws


def _long_table(ws: Worksheet, layout: DataLayout, *, name: str, col: int, heading: str, src: str,
                columns: tuple[str, ...], rows: list[tuple], formats: tuple[str | None, ...],
                keys: int = 1, top: int = 5) -> None:
    """A table at ``col`` whose title is on row ``top``, its source line under the title and
    its header under that; the body grows downwards with nothing below it. The first ``keys``
    columns say which period (and hospital) a row is; the others are the figures (blue input)."""
    title(ws, top, heading, col=col)
    source(ws, top + 1, src, col=col)
    layout.record_source(name, ws.title, top + 1, col)
    header_row = top + 2
    header(ws, header_row, columns, col=col)
    r = header_row + 1
    for values in rows:
        for j, (v, fmt) in enumerate(zip(values, formats)):
            put(ws, r, col + j, v, fmt, INPUT_STYLE if j >= keys else None)
        r += 1
    last = max(r - 1, header_row + 1)
    _table(ws, name, f"{get_column_letter(col)}{header_row}:{get_column_letter(col + len(columns) - 1)}{last}")


def _month(year: int, month: int) -> dt.datetime:
    return dt.datetime(year, month, 1)


def hospitals_sheet(wb: Workbook, layout: DataLayout) -> None:
    ws = _data_sheet(wb, SHEET_HOSPITALS, "Data: månedstal pr. hospital", REPORT_LABEL, is_synthetic=False)
    specs = {
        "tBestOrdSet": (rd.MONTHS_JAN_MAY, rd.TABEL1_BEST_ORD_SET, rd.SRC_SP_19MAJ),
        "tSmartSet": (rd.MONTHS_JAN_MAY, rd.TABEL2_SMARTSET, rd.SRC_SP_19MAJ),
        "tMinSPBrugere": (rd.MONTHS_JAN_APR, rd.TABEL4_MINSP_BRUGERE, rd.SRC_SP),
        "tMinSPBesvaret": (rd.MONTHS_JAN_APR, rd.TABEL5_BESVARET_3_HVERDAGE, rd.SRC_SP),
        "tMinSPAktive": (rd.MONTHS_JAN_APR, rd.TABEL6_MINSP_AKTIVE, rd.SRC_SP),
    }
    for i, (name, (value_col, heading, fmt)) in enumerate(MONTHLY.items()):
        months, data, src = specs[name]
        rows = [(_month(2018, m + 1), hospital, data[hospital][m])
                for m in range(len(months)) for hospital in rd.HOSPITALS]
        _long_table(ws, layout, name=name, col=1 + 4 * i, heading=heading, src=src,
                    columns=(MONTH, HOSPITAL, value_col), rows=rows, formats=(FMT_MONTH, None, fmt), keys=2)
    widths(ws, **{letter: w for i in range(len(MONTHLY))
                  for letter, w in zip("ABCDEFGHIJKLMNOPQRST"[4 * i:4 * i + 4], (14, 40, 11, 3))})


def departments_sheet(wb: Workbook, layout: DataLayout) -> None:
    ws = _data_sheet(wb, SHEET_DEPARTMENTS, "Data: best./ord.-set pr. afdeling (grundlag for Tabel 3)",
                     rd.SYNTHETIC_LABEL + " – undtagen rækkerne markeret 'Rapporten (Tabel 3)'", is_synthetic=True)
    # Sorted by name, as an extract would come, so that the ranking has work to do.
    rows = [(name, count, rate, "Eksempeldata (syntetisk)" if is_synthetic else "Rapporten (Tabel 3)")
            for name, count, rate, is_synthetic in sorted(rd.departments())]
    _long_table(ws, layout, name="tAfdelinger", col=1, heading="Anvendelse af best./ord.-set pr. afdeling, 2018",
                src=rd.SRC_SP_30MAJ, columns=("Afdeling", "Antal best./ord. fra ordinationssæt", "Anvendelsesgrad",
                                              "Datagrundlag"),
                rows=rows, formats=(None, FMT_INT, FMT_PCT, None), keys=1)
    widths(ws, A=62, B=20, C=16, D=24)


def lpr_sheet(wb: Workbook, layout: DataLayout) -> None:
    ws = _data_sheet(wb, SHEET_LPR, "Data: LPR-fejl pr. dag og hospital (nye minus rettede fejl)",
                     rd.SYNTHETIC_LABEL, is_synthetic=True)
    daily = rd.lpr_daily_net_errors()
    rows = [(dt.datetime.combine(day, dt.time()), hospital, daily[hospital][i])
            for i, day in enumerate(rd.lpr_days()) for hospital in rd.HOSPITALS]
    _long_table(ws, layout, name="tLPRFejl", col=1, heading="Daglig nettotilgang af fejl i LPR's fejlregister",
                src=rd.SRC_LPR, columns=("Dato", HOSPITAL, "Fejl"), rows=rows, formats=(FMT_DATE, None, FMT_INT), keys=2)
    ws.freeze_panes = "A8"
    widths(ws, A=12, B=40, C=10)


def support_sheet(wb: Workbook, layout: DataLayout) -> None:
    ws = _data_sheet(wb, SHEET_SUPPORT, "Data: supportsager pr. uge (oprettede og lukkede)",
                     rd.SYNTHETIC_LABEL, is_synthetic=True)
    l12, l3 = rd.support_levels_1_2(), rd.support_level_3()
    first_monday = rd.support_week_start(rd.SUPPORT_WEEKS[0])
    title(ws, 5, f"Aktive sager før første uge i tabellen (primo {first_monday:%d-%m-%Y})")
    put(ws, 6, 1, "Niveau 1–2")
    put(ws, 6, 2, l12.opening, FMT_INT, INPUT_STYLE)
    put(ws, 7, 1, "Niveau 3")
    put(ws, 7, 2, l3.opening, FMT_INT, INPUT_STYLE)
    layout.support_opening = (f"{SHEET_SUPPORT}!$B$6", f"{SHEET_SUPPORT}!$B$7")
    source(ws, 8, rd.SRC_SERVICENOW)
    rows = [(dt.datetime.combine(rd.support_week_start(week), dt.time()), l12.created[i], l12.closed[i],
             l3.created[i], l3.closed[i]) for i, week in enumerate(rd.SUPPORT_WEEKS)]
    _long_table(ws, layout, name="tSupport", col=1, heading="Oprettede og lukkede sager pr. uge (ugen angivet ved sin mandag)", src=rd.SRC_SERVICENOW,
                columns=SUPPORT_COLUMNS, rows=rows, formats=(FMT_DATE, FMT_INT, FMT_INT, FMT_INT, FMT_INT), top=10)
    widths(ws, A=16, B=14, C=14, D=14, E=14)


def messages_sheet(wb: Workbook, layout: DataLayout) -> None:
    ws = _data_sheet(wb, SHEET_MESSAGES, "Data: enkelthenvendelser via Min SP (grundlag for Tabel 5)",
                     rd.SYNTHETIC_LABEL, is_synthetic=True)
    _long_table(ws, layout, name="tHenvendelser", col=1,
                heading="Henvendelser sendt og besvaret, uge 13–14 2018 (påsken)", src=rd.SRC_SP,
                columns=("Sendt", "Besvaret"), rows=rd.messages(), formats=(FMT_DATE, FMT_DATE))
    widths(ws, A=14, B=14)


def people_sheet(wb: Workbook, layout: DataLayout) -> None:
    ws = _data_sheet(wb, SHEET_PEOPLE, "Data: SP-nøglepersoner pr. hospital og personaletal pr. måned",
                     rd.KEY_PERSONS_LABEL, is_synthetic=True)
    rows = [(_month(y, m), hospital, count) for (y, m), per_hospital in rd.key_persons_by_month().items()
            for hospital, count in per_hospital.items()]
    _long_table(ws, layout, name="tNøglepersoner", col=1, heading="SP-nøglepersoner pr. hospital (Kursusportalen)",
                src=rd.SRC_KURSUSPORTAL, columns=(MONTH, HOSPITAL, "Nøglepersoner"), rows=rows,
                formats=(FMT_MONTH, None, FMT_INT), keys=2)
    staff = [(_month(y, m), *values) for (y, m), values in rd.staff_by_month().items()]
    _long_table(ws, layout, name="tPersonale", col=5, heading="Brugere og kliniske byggere pr. måned (tastes)",
                src=rd.SRC_BYGGERE, columns=PEOPLE_COLUMNS, rows=staff,
                formats=(FMT_MONTH, FMT_INT, FMT_INT, FMT_INT, FMT_INT))
    widths(ws, A=14, B=40, C=14, D=3, E=14, F=14, G=16, H=14, I=14)


def units_sheet(wb: Workbook, layout: DataLayout) -> None:
    """The names the source systems use for each hospital of the report (an analyst maps a new
    spelling here once; the import refuses a name it cannot map, and says so)."""
    ws = _data_sheet(wb, SHEET_UNITS, "Data: hospitalernes navne i udtrækkene",
                     "Ét navn pr. række: navnet i udtrækket og hospitalet i rapporten", is_synthetic=False)
    put(ws, 3, 1, "Kommer et udtræk med et nyt navn for et hospital, tilføjes en række her (fx "
                  "'Rigshospitalet - Glostrup' → 'Rigshospitalet'), og udtrækket importeres igen.")
    rows = [(h, h) for h in rd.HOSPITALS] + list(rd.HOSPITAL_ALIASES)
    _long_table(ws, layout, name="tEnheder", col=1, heading="Navne i udtræk → hospital i rapporten",
                src="Kilde: Region Hovedstadens hospitaler og udtrækkenes stavemåder, trukket d. 30. maj 2018 (vedligeholdes her)",
                columns=("Navn i udtræk", "Hospital i rapporten"), rows=rows, formats=(None, None), keys=2)
    widths(ws, A=44, B=44)


def build_data_sheets(wb: Workbook) -> DataLayout:
    layout = DataLayout()
    for make in (hospitals_sheet, departments_sheet, lpr_sheet, support_sheet, messages_sheet, people_sheet,
                 units_sheet):
        make(wb, layout)
    return layout
