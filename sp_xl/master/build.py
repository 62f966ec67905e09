"""Build the master workbook ``sp_status.xlsx`` from code (``sp-xl new PATH``).

The build is deterministic - fixed document timestamps, fixed zip member timestamps and
order, synthetic data from a fixed seed - so the committed ``workbooks/sp_status.xlsx``
can be proved to be exactly what this code builds.

Conventions other parts rely on (also written on the Forside sheet):

* ``sp_SidstOpdateret``: defined name of the cell on Forside where a refresh writes its
  timestamp (it holds the text "Endnu ikke opdateret" until then).
* ``sp_InterneArk``: defined name whose value is a text constant listing the internal
  working sheets, separated by ';' (the data sheets); a share export leaves them out.
* ``Mål_*`` (targets) and ``Par_*`` (parameters): defined names for single cells on the
  Mål sheet; report formulas use the names, never the numbers.
* ``Seneste_*`` / ``Første_*``: the latest (first) period of each data table, cells on the Mål
  sheet that the report views are keyed by (``periods``); ``Par_Rapportmåned`` caps them.
* ``sp_Vis_<sheet>``: the slot cells of a sheet's views; a refresh hides the rows/columns
  whose slots are empty (``sp_xl.ooxml.names``).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.writer.excel import ExcelWriter

from sp_xl.master import data as master_data
from sp_xl.ooxml import names
from sp_xl.master import report_data as rd
from sp_xl.master.periods import latest_formula
from sp_xl.master.printing import print_setup
from sp_xl.master.sheets_operations import (
    FIRST_WEEK,
    LATEST_DAY,
    LATEST_WEEK,
    SHEET_LPR,
    SHEET_LPR_DAYS,
    SHEET_SUPPORT,
    lpr_sheet,
    support_sheet,
)
from sp_xl.master.sheets_front import PERIOD_ROW, REPORT_TITLE, SHEET_FRONT, SHEET_GUIDE, SHEET_TARGETS
from sp_xl.master.sheets_front import front_sheet, guide_sheet
from sp_xl.master.sheets_portfolio import (
    FIRST_MONTH,
    LATEST_MONTH,
    SHEET_DEVELOPMENT,
    SHEET_PEOPLE,
    development_sheet,
    people_sheet,
)
from sp_xl.master.sheets_usage import (
    SHEET_MINSP,
    SHEET_USAGE,
    minsp_sheet,
    usage_sheet,
)
from sp_xl.master.sheets_usage import LATEST as LATEST_MONTHLY
from sp_xl.master.style import (
    FMT_DATE,
    FMT_INT,
    FMT_MONTH,
    FMT_PCT,
    FRONT_TAB,
    INPUT_STYLE,
    header,
    new_sheet,
    put,
    register_styles,
    source,
    title,
    widths,
)
from sp_xl.ooxml.safety import WorkbookRefused, write_atomically

NAME_LAST_REFRESHED = names.LAST_REFRESHED
NAME_INTERNAL_SHEETS = names.INTERNAL_SHEETS
INTERNAL_SHEETS = (SHEET_GUIDE, *master_data.DATA_SHEETS)

# Fixed stamps: the report's extraction date. Excel's zip members cannot predate 1980.
BUILD_TIMESTAMP = dt.datetime(2018, 5, 30, 0, 0, 0)
_ZIP_TIME = (2018, 5, 30, 0, 0, 0)

# (defined name, what it is, value, number format, where it comes from)
TARGETS = (
    ("Mål_BestOrdSet", "Andel bestillinger/ordinationer fra best./ord.-set (indlagte patienter)", 0.25, FMT_PCT,
     "Rapport 2018, afsnit 2.1 (Tabel 1)"),
    ("Mål_SmartSet", "Andel ordinationer fra SmartSets (ambulante patienter)", 0.30, FMT_PCT,
     "Rapport 2018, afsnit 2.1 (Tabel 2)"),
    ("Mål_Nøglepersoner", "Måltal for SP-nøglepersoner i Region Hovedstaden", rd.KEY_PERSONS_TARGET, FMT_INT,
     "Rapport 2018 (003), afsnit 2.1"),
    ("Mål_BrugerePrNøgleperson", "Brugere pr. SP-nøgleperson (1 nøgleperson pr. 15 brugere)",
     rd.USERS_PER_KEY_PERSON, FMT_INT, "Rapport 2018 (003), afsnit 2.1"),
    ("Mål_UndervisningNyansatte", "Andel nyansatte uden SP-kendskab, der modtager undervisning",
     rd.TRAINING_TARGET, FMT_PCT, "Rapport 2018 (003), afsnit 2.3"),
    ("Mål_SvarHverdage", "Henvendelser via Min SP besvares inden for dette antal hverdage", 3, FMT_INT,
     "Rapport 2018, afsnit 2.6 (Tabel 5)"),
    ("Mål_GulFra", "Status er Gul fra denne målopfyldelse (under: Rød; 100 % og derover: Grøn)", 0.8, FMT_PCT,
     "Fastsat i arbejdsbogen – ikke fra rapporten"),
)
PARAMETERS = (
    ("Par_LPRFrist", "Sidste dag for rettelse af fejl på 2017-kontakter i LPR",
     dt.datetime.combine(rd.LPR_DEADLINE, dt.time()), FMT_DATE, "Rapport 2018, afsnit 1.1"),
    ("Par_LPR3AndelRH", "Region Hovedstadens andel af regionernes LPR3-udgifter (fordelingsnøgle 75 %/25 %)",
     rd.LPR3_RH_KEY, FMT_PCT, "Rapport 2018, afsnit 3.1"),
    ("Par_UgerVindue", "Antal uger bag tempoet i 'uger til aktive sager er afviklet'", 4, FMT_INT,
     "Fastsat i arbejdsbogen"),
    ("Par_PrognoseUger", "Antal uger frem i prognosen for oprettede supportsager", 4, FMT_INT,
     "Fastsat i arbejdsbogen"),
    ("Par_SupportVendeuge", "Første uge (mandag), hvorfra flere sager på niveau 3 lukkes end oprettes",
     dt.datetime(2018, 3, 5), FMT_DATE, "Rapport 2018, afsnit 4 (uge 10)"),
    ("Par_Rapportmåned", "Rapportens måned; står feltet tomt, gælder den seneste måned i data (udfyld fx for at lave "
     "april-rapporten, når maj er importeret)", None, FMT_MONTH, "Fastsat i arbejdsbogen"),
)
_CAP = "Par_Rapportmåned"
# (defined name, what it is, formula): the periods the report views are keyed by (see ``periods``).
PERIODS = (
    *((name, f"Tabel {n}: seneste måned i data", latest_formula(f"{table}[Måned]", _CAP))
      for n, (table, name) in zip((1, 2, 4, 5, 6), LATEST_MONTHLY.items())),
    (LATEST_DAY, "Figur 1: seneste dag med LPR-fejl",
     f"=IF(ISNUMBER({_CAP}),MIN(EOMONTH({_CAP},0),MAX(tLPRFejl[Dato])),MAX(tLPRFejl[Dato]))"),
    (LATEST_WEEK, "Figur 3–4: seneste uge (mandag) med supportsager",
     f"=IF(ISNUMBER({_CAP}),MIN(EOMONTH({_CAP},0)-WEEKDAY(EOMONTH({_CAP},0),3),MAX(tSupport[Uge])),"
     "MAX(tSupport[Uge]))"),
    (FIRST_WEEK, "Figur 3–4: første uge (mandag) med supportsager", "=MIN(tSupport[Uge])"),
    (LATEST_MONTH, "Graf 1–2: seneste måned med nøglepersoner eller kliniske byggere",
     latest_formula("tNøglepersoner[Måned],tPersonale[Måned]", _CAP)),
    (FIRST_MONTH, "Graf 1–2: første måned med nøglepersoner eller kliniske byggere",
     "=MIN(tNøglepersoner[Måned],tPersonale[Måned])"),
)

# Sheet order and what the analysts' guide says about each.
SHEETS = (
    (SHEET_FRONT, "Læsernes forside: rapportperiode, indhold, kilder og anmærkninger; tidspunktet for seneste "
                  "opdatering.", "Forside"),
    (SHEET_GUIDE, "Denne side: hvad arbejdsbogen er, og hvordan den opdateres (følger ikke med kopien).",
     "Vejledning (intern)"),
    (SHEET_TARGETS, "Alle målsætninger og parametre, hver ét sted, med navne som Mål_BestOrdSet.", "Mål"),
    (SHEET_LPR, "Figur 1: akkumulerede LPR-fejl pr. hospital og knækket efter fristen.", "Rapport"),
    (SHEET_USAGE, "Tabel 1–3: best./ord.-set og SmartSets mod målene, top 5 afdelinger.", "Rapport"),
    (SHEET_MINSP, "Tabel 4–6: Min Sundhedsplatform – brugere, svar inden for 3 hverdage, aktive patienter.",
     "Rapport"),
    (SHEET_DEVELOPMENT, "Afsnit 3.1–3.3: udviklingsbudget, LPR3-finansiering, status på projekter og temaer.",
     "Rapport"),
    (SHEET_SUPPORT, "Figur 3–4: oprettede, lukkede og aktive supportsager pr. uge, niveau 1–2 og 3.", "Rapport"),
    (SHEET_PEOPLE, "SP-nøglepersoner, kliniske byggere, undervisning af nyansatte (Figur 5–6).", "Rapport"),
    (SHEET_LPR_DAYS, "Bilag: tallene bag Figur 1, akkumulerede LPR-fejl pr. hospital og dag.", "Bilag"),
    (master_data.SHEET_HOSPITALS, "Udtræk: månedstal pr. hospital til Tabel 1, 2, 4, 5 og 6.", "Data (intern)"),
    (master_data.SHEET_DEPARTMENTS, "Udtræk: best./ord.-set pr. afdeling til Tabel 3.", "Data (intern)"),
    (master_data.SHEET_LPR, "Udtræk: daglig nettotilgang af LPR-fejl pr. hospital til Figur 1.", "Data (intern)"),
    (master_data.SHEET_SUPPORT, "Udtræk: oprettede og lukkede supportsager pr. uge til Figur 3–4.",
     "Data (intern)"),
    (master_data.SHEET_MESSAGES, "Udtræk: enkelthenvendelser via Min SP (eksempel på beregningen bag Tabel 5).",
     "Data (intern)"),
    (master_data.SHEET_PEOPLE, "Udtræk og tastede tal: nøglepersoner pr. hospital, brugere og kliniske byggere "
     "pr. måned (Graf 1–2).", "Data (intern)"),
    (master_data.SHEET_UNITS, "Hospitalernes navne i udtrækkene: ret her, når et udtræk staver et hospital nyt.",
     "Data (intern)"),
)


def _define(wb: Workbook, name: str, text: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=text)


def _targets_sheet(wb: Workbook) -> list[str]:
    """The Mål sheet: every target, parameter and latest period once, each a defined name.
    Returns the cells that only the master shows (the names column; the copy empties them)."""
    ws = new_sheet(wb, SHEET_TARGETS, "Mål og parametre", FRONT_TAB)
    put(ws, 2, 1, "Hvert mål og hver parameter står ét sted; rapportens tabeller og figurer beregnes med "
                  "værdierne her.")
    workbook_only = []
    row = 4
    for heading, items, src in (
        ("Målsætninger", TARGETS, "Kilde: Statusrapporterne om Sundhedsplatformen 2018 (afsnit i kolonne C), trukket d. 30. maj 2018"),
        ("Parametre", PARAMETERS, "Kilde: Statusrapporten 2018 og arbejdsbogens egne valg (kolonne C), trukket d. 30. maj 2018"),
        ("Perioder i data (beregnes; rapportarkene viser perioderne til og med disse)", PERIODS,
         "Kilde: Udtrækkene i arbejdsbogen, trukket som angivet under hver tabel"),
    ):
        row = title(ws, row, heading)
        top = row
        row = header(ws, row, ("Beskrivelse", "Værdi", "Kilde", "Navn i formler"))
        for name, what, *rest in items:
            if len(rest) == 1:         # a period: a formula over the data tables
                value, fmt, origin = rest[0], FMT_MONTH if "måned" in what else FMT_DATE, "Udtrækkene"
                put(ws, row, 2, value, fmt)
            else:
                value, fmt, origin = rest
                put(ws, row, 2, value, fmt, INPUT_STYLE)
                if value is None:
                    ws.cell(row, 2).style = INPUT_STYLE
            put(ws, row, 1, what)
            put(ws, row, 3, origin)
            put(ws, row, 4, name)
            _define(wb, name, f"'{SHEET_TARGETS}'!$B${row}")
            row += 1
        workbook_only.append(f"'{SHEET_TARGETS}'!$D${top}:$D${row - 1}")
        row = source(ws, row, src)
    widths(ws, A=84, B=14, C=52, D=28)
    return workbook_only


def build_workbook() -> Workbook:
    """The master workbook in memory (not saved)."""
    wb = Workbook()
    register_styles(wb)
    refreshed_row = front_sheet(wb.active)
    stamp_cell = f"{SHEET_FRONT}!$B${refreshed_row}"
    guide_sheet(wb, SHEETS, INTERNAL_SHEETS, stamp_cell.replace("$", ""))
    workbook_only = _targets_sheet(wb)
    data = master_data.build_data_sheets(wb)
    slots = {
        SHEET_LPR: lpr_sheet(wb, data),
        SHEET_USAGE: usage_sheet(wb, data),
        SHEET_MINSP: minsp_sheet(wb, data),
        SHEET_SUPPORT: support_sheet(wb, data),
        SHEET_PEOPLE: people_sheet(wb, data),
    }
    development_sheet(wb)
    for i, (name, _, _) in enumerate(SHEETS):
        wb.move_sheet(name, i - wb.sheetnames.index(name))
    if wb.sheetnames != [s[0] for s in SHEETS]:
        raise AssertionError(f"sheet order {wb.sheetnames}")
    _define(wb, NAME_LAST_REFRESHED, stamp_cell)
    _define(wb, names.WORKBOOK_ONLY, ",".join(workbook_only))
    _define(wb, names.REPORT_PERIOD, f"{SHEET_FRONT}!$B${PERIOD_ROW}")
    _define(wb, NAME_INTERNAL_SHEETS, '"' + ";".join(INTERNAL_SHEETS) + '"')
    for sheet, ranges in slots.items():
        _define(wb, names.VISIBILITY_PREFIX + sheet, ",".join(ranges))
    for ws in wb.worksheets:
        print_setup(ws, REPORT_TITLE)
    wb.active = 0
    props = wb.properties
    props.title = REPORT_TITLE
    props.creator = props.lastModifiedBy = "sp_xl"
    props.language = "da-DK"
    props.created = props.modified = BUILD_TIMESTAMP
    return wb


def workbook_bytes() -> bytes:
    """The .xlsx file as bytes, with fixed timestamps and member order."""
    wb = build_workbook()
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()  # not save_workbook: it stamps 'modified' with now
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def _refusal(path: Path, overwrite: bool) -> WorkbookRefused | None:
    if path.suffix.lower() != ".xlsx":
        return WorkbookRefused(
            f"Arbejdsbogen skal have endelsen .xlsx (fik '{path.name}').",
            f"The workbook must have the extension .xlsx (got '{path.name}').")
    if not path.parent.is_dir():
        return WorkbookRefused(f"Mappen findes ikke: {path.parent}", f"The folder does not exist: {path.parent}")
    if path.is_dir():
        return WorkbookRefused(f"Der findes en mappe med det navn: {path}", f"A folder has that name: {path}")
    if path.exists() and not overwrite:
        return WorkbookRefused(
            f"Filen findes allerede: {path}. Den overskrives ikke – vælg et andet navn, eller angiv "
            "--overwrite for at erstatte den.",
            f"The file already exists: {path}. It is not overwritten - choose another name, or pass "
            "--overwrite to replace it.")
    return None


def build_master(path: str | os.PathLike[str], overwrite: bool = False) -> Path:
    """Write a new master workbook to ``path`` (atomically); refuse to replace a file unless
    ``overwrite``. Raises ``WorkbookRefused`` with a Danish (and English) message."""
    target = Path(path)
    refusal = _refusal(target, overwrite)
    if refusal:
        raise refusal
    content = workbook_bytes()
    if target.exists() and not overwrite:  # appeared while we were building
        raise _refusal(target, overwrite)
    write_atomically(target, content, mode=0o644)
    return target


if __name__ == "__main__":  # until the CLI is wired: python -m sp_xl.master.build PATH [--overwrite]
    import sys

    try:
        print(build_master(sys.argv[1], overwrite="--overwrite" in sys.argv[2:]))
    except WorkbookRefused as exc:
        print(exc.message, file=sys.stderr)
        raise SystemExit(1) from None
