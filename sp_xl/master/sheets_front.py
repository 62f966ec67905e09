"""The two front sheets: the readers' Forside and the analysts' Vejledning.

Forside is what a reader of the mailed copy opens on: title, the report period (the latest
month in the data, a formula), when the numbers were computed (``sp_SidstOpdateret``), a
contents list whose links all stay inside the copy, and "Kilde:"/"Anm.:" lines. Nothing on it
names a defined name, a formula or an internal sheet.

Vejledning holds everything for the analyst (how to update, the internal sheets, the colour
conventions). It is listed in ``sp_InterneArk``, so the shared copy leaves it home.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from sp_xl import __version__
from sp_xl.master import report_data as rd
from sp_xl.master.sheets_operations import LATEST_DAY, LATEST_WEEK, SHEET_LPR, SHEET_LPR_DAYS, SHEET_SUPPORT
from sp_xl.master.sheets_portfolio import LATEST_MONTH, SHEET_DEVELOPMENT, SHEET_PEOPLE
from sp_xl.master.sheets_usage import LATEST, SHEET_MINSP, SHEET_USAGE
from sp_xl.master.style import (
    FMT_DATE,
    FMT_MONTH,
    FRONT_TAB,
    INPUT_STYLE,
    SOURCE_STYLE,
    SP_CELL_STYLE,
    SYNTHETIC_STYLE,
    header,
    put,
    sheet_title,
    title,
    widths,
)

SHEET_FRONT = "Forside"
SHEET_GUIDE = "Vejledning"
SHEET_TARGETS = "Mål"
NOT_REFRESHED_YET = "Endnu ikke opdateret"
REPORT_TITLE = "Statusrapport for Sundhedsplatformen"
PERIOD_ROW = 4
_LINK_FONT = Font(color="0563C1", underline="single")


def _link(ws: Worksheet, row: int, col: int, sheet: str, label: str) -> None:
    put(ws, row, col, label)
    ws.cell(row, col).hyperlink = Hyperlink(ref=ws.cell(row, col).coordinate, location=f"'{sheet}'!A1", display=label)
    ws.cell(row, col).font = _LINK_FONT


def front_sheet(ws: Worksheet) -> int:
    """Fill the readers' front page (the workbook's first sheet); returns the row of the refresh stamp."""
    ws.title = SHEET_FRONT
    ws.sheet_properties.tabColor = FRONT_TAB
    sheet_title(ws, REPORT_TITLE)
    put(ws, 2, 1, "Region Hovedstaden · Center for IT, Medico og Telefoni (CIMT) og Center for Økonomi")
    put(ws, PERIOD_ROW, 1, "Rapportperiode")
    put(ws, PERIOD_ROW, 2, PERIOD_FORMULA, FMT_MONTH)
    put(ws, 5, 1, "Tallene er beregnet")
    put(ws, 5, 2, NOT_REFRESHED_YET, "dd-mm-yyyy hh:mm")
    for r in (4, 5):
        ws.cell(r, 1).font = Font(bold=True)
        ws.cell(r, 2).font = Font(bold=True)
        ws.cell(r, 2).alignment = Alignment(horizontal="left")
    refreshed_row = 5

    row = title(ws, 7, "Indhold")
    row = header(ws, row, ("Afsnit", "Indhold", "Data til og med"))
    for sheet, section, what, latest, fmt in CONTENTS:
        _link(ws, row, 1, sheet, section)
        put(ws, row, 2, what)
        if latest:
            put(ws, row, 3, latest, fmt)
            ws.cell(row, 3).alignment = Alignment(horizontal="left")
        row += 1
    row += 1
    notes = (
        "Kilde: Sundhedsplatformen, LPR's fejlregister, ServiceNow (CIMT's sagshåndtering), Kursusportalen, "
        "CIMT's projektportefølje og Center for Økonomi; under hver tabel står dens kilde, og hvornår tallene er "
        "trukket.",
        '="Anm.: Målopfyldelse er den faktiske andel i pct. af målet. Status er Grøn, når målet er nået, Gul fra "'
        '&ROUND(Mål_GulFra*100,0)&" pct. af målet og Rød derunder. Ændringer i andele er i procentpoint."',
        f"Anm.: Tal og figurer mærket »{rd.SYNTHETIC_LABEL}« viser beregningen på opdigtede tal; "
        "de erstattes af udtræk, når de foreligger.",
        "Anm.: Perioder uden data vises tomme. Tabellerne viser de seneste 12 måneder, 52 uger eller dagene i "
        "indeværende år.",
    )
    for note in notes:
        put(ws, row, 1, note, None, SOURCE_STYLE)
        row += 1
    for r in range(1, row):
        ws.cell(r, 2).alignment = Alignment(vertical="top", horizontal="left", wrap_text=r > 7)
    widths(ws, A=34, B=92, C=18)
    return refreshed_row


def guide_sheet(wb: Workbook, sheets, internal: tuple[str, ...], stamp_cell: str) -> None:
    """The analysts' guide: what the workbook is, the monthly routine, every sheet, the conventions."""
    ws = wb.create_sheet(SHEET_GUIDE)
    ws.sheet_properties.tabColor = FRONT_TAB
    sheet_title(ws, "Vejledning til arbejdsbogen (følger ikke med den delte kopi)")
    put(ws, 2, 1, f"Region Hovedstaden · CIMT og Center for Økonomi · bygget af sp_xl {__version__}")
    lines = [
        ("Hvad er arbejdsbogen?", True),
        (("Her samles udtrækkene bag statusrapporten om Sundhedsplatformen, og tabeller og figurer beregnes "
         "til rapporten: LPR-fejl, best./ord.-set og SmartSets, Min Sundhedsplatform, udviklingsbudget og "
         "status, support samt nøglepersoner, kliniske byggere og undervisning."), False),
        (("Beregningerne er SP_-funktioner (fx SP_ATTAINMENT, SP_BACKLOG) fra tilføjelsesprogrammet sp_xl; "
         "uden det viser cellerne #NAME?. Summer og totaler er almindelige Excel-formler."), False),
        ("Sådan opdateres den hver måned", True),
        (("1. Klik Importér udtræk på fanen SP Rapport (eller kør: sp-xl import sp_status.xlsx UDTRÆK…). "
         "En ny måned, uge eller dag lægges som nye rækker i D_-arkenes tabeller, kildelinjen over tabellen "
         "('Kilde: …, trukket d. …') sættes, og alle ark beregnes igen: rapporten viser den nye periode."), False),
        (("2. Taster du selv tal ind (fx på arket D_Personer), så klik Opdater alle ark (eller kør: sp-xl refresh "
         "sp_status.xlsx). Tidspunktet på Forside sættes."), False),
        ("3. Ret målene på arket Mål, hvis de ændres – aldrig i formlerne.", False),
        (("4. Klik Del som e-mail-kopi (eller kør: sp-xl share sp_status.xlsx --pdf): kopien og dens PDF er det, "
         "læserne får. Den har Forside, rapportarkene og Mål, men ikke denne vejledning eller D_-arkene."), False),
    ]
    row = 4
    for text_, bold in lines:
        put(ws, row, 1, text_)
        ws.cell(row, 1).font = Font(bold=bold, size=12 if bold else 11)
        row += 1
    row += 1
    put(ws, row, 1, "Arkene")
    ws.cell(row, 1).font = Font(bold=True, size=12)
    row = header(ws, row + 1, ("Ark", "Indhold", "Type"))
    for name, what, kind in sheets:
        _link(ws, row, 1, name, name)
        put(ws, row, 2, what)
        put(ws, row, 3, kind)
        row += 1
    row += 1
    put(ws, row, 1, "Farver og konventioner")
    ws.cell(row, 1).font = Font(bold=True, size=12)
    row += 1
    legend = (
        (INPUT_STYLE, "1.807", "Blå celle: indtastet tal eller udtræk – må rettes."),
        (SP_CELL_STYLE, "82 %", "Grå celle: beregnet af en SP_-funktion – rettes ikke i hånden."),
        (SYNTHETIC_STYLE, rd.SYNTHETIC_LABEL, ("Eksempeldata: tal, rapporten ikke har, lavet til at vise "
                                              "beregningen – skal erstattes af rigtige udtræk.")),
    )
    for style, sample, meaning in legend:
        put(ws, row, 1, sample, None, style)
        put(ws, row, 2, meaning)
        row += 1
    notes = (
        f"Interne arbejdsark (deles ikke med modtagere): {'; '.join(internal)} – listet i navnet sp_InterneArk.",
        f"Tidspunktet for seneste opdatering skrives i cellen {stamp_cell} (navnet sp_SidstOpdateret).",
        "Målene og parametrene har navne (kolonnen Navn på arket Mål), som formlerne bruger; se Formler > Navnestyring.",
        "Ved hver tabel står dens kilde og udtræksdato ('Kilde: …, trukket d. …').",
        "Status (Grøn/Gul/Rød) farves automatisk (betinget formatering).",
    )
    for note in notes:
        put(ws, row, 1, note)
        row += 1
    for r in range(1, row):
        ws.cell(r, 1).alignment = Alignment(vertical="top")
    widths(ws, A=34, B=100, C=16)


# The readers' contents list: (sheet, section, what it holds, "data up to" formula, its format).
CONTENTS = (
    (SHEET_LPR, "1. LPR-fejl", "Figur 1: akkumulerede LPR-fejl pr. hospital og knækket efter fristen",
     f"={LATEST_DAY}", FMT_DATE),
    (SHEET_USAGE, "2.1 Best./ord.-set og SmartSets",
     "Tabel 1–3: anvendelse mod målene pr. hospital og top 5 afdelinger", f"={LATEST['tBestOrdSet']}", FMT_MONTH),
    (SHEET_MINSP, "2.6 Min Sundhedsplatform",
     '="Tabel 4–6: brugere, henvendelser besvaret inden for "&Mål_SvarHverdage&" hverdage, aktive patienter"',
     f"={LATEST['tMinSPBrugere']}", FMT_MONTH),
    (SHEET_PEOPLE, "2.1–2.3 Nøglepersoner og uddannelse",
     "Graf 1–2 og Figur 5–6: SP-nøglepersoner, kliniske byggere, undervisning af nyansatte",
     f"={LATEST_MONTH}", FMT_MONTH),
    (SHEET_DEVELOPMENT, "3. Udvikling", "Udviklingsbudget, LPR3-finansiering, status på projekter og temaer",
     None, None),
    (SHEET_SUPPORT, "4. Support", "Figur 3–4: oprettede, lukkede og aktive supportsager pr. uge",
     f'="uge "&WEEKNUM({LATEST_WEEK},21)&" "&YEAR({LATEST_WEEK}+3)', None),   # the ISO week's year
    (SHEET_TARGETS, "Mål og parametre", "Målsætningerne, som tabellerne måles imod, og deres kilder", None, None),
    (SHEET_LPR_DAYS, "Bilag: LPR-fejl pr. dag", "Tallene bag Figur 1: akkumulerede fejl pr. hospital og dag",
     f"={LATEST_DAY}", FMT_DATE),
)
# The report period: the latest month of the monthly tables (each already capped by Par_Rapportmåned).
PERIOD_FORMULA = "=MAX(" + ",".join(LATEST.values()) + ")"
