"""Report sheets for development (budget, projects, themes: 3.1-3.3) and people
(key persons, clinical builders, training of new hires: report 003 and Figur 5-6).

The report's point figures are typed here (blue input cells), each block with its source.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from sp_xl.master import report_data as rd
from sp_xl.master import periods as pd_
from sp_xl.master.charts import columns_bar_chart, columns_line_chart
from sp_xl.master.refs import area, call, cell, points, text, thousands
from sp_xl.master.style import (
    FMT_INT,
    FMT_MIO,
    FMT_MONTH,
    FMT_PCT,
    FMT_PP,
    FMT_SIGNED,
    INPUT_STYLE,
    SP_CELL_STYLE,
    TITLE_STYLE,
    header,
    linked_source,
    new_sheet,
    put,
    source,
    status_colours,
    synthetic,
    title,
    widths,
    wrap_sentences,
)

SHEET_DEVELOPMENT = "Udvikling"
SHEET_PEOPLE = "Uddannelse"


def _rows(ws: Worksheet, row: int, items: list[tuple]) -> dict[str, int]:
    """Label / value rows; a value that is not a formula is an input. Returns the row of each key."""
    at = {}
    for key, label, value, fmt, is_sp in items:
        put(ws, row, 1, label)
        style = SP_CELL_STYLE if is_sp else (None if isinstance(value, str) and value.startswith("=") else INPUT_STYLE)
        put(ws, row, 2, value, fmt, style)
        at[key] = row
        row += 1
    return at


def _formula_rows(ws: Worksheet, row: int, spec: list[tuple], at: dict[str, int]) -> dict[str, int]:
    """Like _rows, but values may refer to earlier keys as {key}; each becomes that row's B cell."""
    for key, label, value, fmt, is_sp in spec:
        if isinstance(value, str):
            value = value.format(**{k: cell(2, r) for k, r in at.items()})
        at.update(_rows(ws, row, [(key, label, value, fmt, is_sp)]))
        row += 1
    return at


def _status_table(ws: Worksheet, row: int, heading: str, items: tuple) -> tuple[int, int, int]:
    row = title(ws, row, heading)
    row = header(ws, row, ("Kort beskrivelse", "Status", "Afvigelsesforklaring"))
    first = row
    for name, status, explanation in items:
        put(ws, row, 1, name)
        put(ws, row, 2, status, None, INPUT_STYLE)
        put(ws, row, 3, explanation or None)
        ws.cell(row, 3).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        if explanation:  # spreadsheet programs do not grow wrapped rows on their own
            ws.row_dimensions[row].height = 15 * (1 + len(explanation) // 95)
        row += 1
    status_colours(ws, area(2, first, 2, row - 1))
    return first, row - 1, source(ws, row, rd.SRC_PORTFOLIO)


def development_sheet(wb: Workbook) -> None:
    ws = new_sheet(wb, SHEET_DEVELOPMENT, "3. SP udviklingstiltag – økonomi og status")
    row = title(ws, 3, "3.1 Økonomi til udvikling i 2018 (Region Hovedstaden og Region Sjælland)")
    row = header(ws, row, ("Post", "Mio. kr."))
    (named1, v1), (named2, v2) = rd.BUDGET_PROJECTS_NAMED
    at = _formula_rows(ws, row, [
        ("proj", "Projekter i alt", rd.BUDGET_PROJECTS_TOTAL, FMT_MIO, False),
        ("p1", f"   heraf {named1[0].lower() + named1[1:]}", v1, FMT_MIO, False),
        ("p2", f"   heraf {named2}", v2, FMT_MIO, False),
        ("p3", "   heraf øvrige projekter", "={proj}-{p1}-{p2}", FMT_MIO, False),
        ("themes", "Temaer i alt", rd.BUDGET_THEMES_TOTAL, FMT_MIO, False),
        ("total", "Udviklingsmidler i alt", "={proj}+{themes}", FMT_MIO, False),
        ("rh", "Heraf afsat i Region Hovedstaden", rd.BUDGET_RH, FMT_MIO, False),
        ("rh_drift", "   heraf driftsmidler til \"Udvikling af SP og Kliniske byggere\"",
         rd.BUDGET_RH_DRIFT_UDVIKLING, FMT_MIO, False),
        ("rh_share", "Region Hovedstadens andel af udviklingsmidlerne", "=SP_SHARE({rh},{total})", FMT_PCT, True),
    ], {})
    ws.cell(at["total"], 1).font = Font(bold=True)
    row = source(ws, max(at.values()) + 1, rd.SRC_BUDGET)

    row = title(ws, row, "LPR3 (Landspatientregisteret) – finansiering")
    row = header(ws, row, ("Post", "Mio. kr."))
    at = _formula_rows(ws, row, [
        ("lpr_total", "Forventede udgifter i alt", rd.LPR3_TOTAL, FMT_MIO, False),
        ("state", "Dækket af statsligt tilskud", rd.LPR3_STATE, FMT_MIO, False),
        ("regions", "Dækket af regionerne", "={lpr_total}-{state}", FMT_MIO, False),
        ("key", "Fordelingsnøgle, Region Hovedstadens andel", "=Par_LPR3AndelRH", FMT_PCT, False),
        ("rh_lpr", "Region Hovedstadens forventede egenfinansiering", "={regions}*{key}", FMT_MIO, False),
        ("rh_ca", "Afrundet som i rapporten (ca.)", "=SP_ROUND_CA({rh_lpr},2)", FMT_MIO, True),
    ], {})
    row = source(ws, max(at.values()) + 1, rd.SRC_BUDGET)

    p_first, p_last, row = _status_table(ws, row, "3.2 Status på projekter", rd.PROJECTS)
    t_first, t_last, row = _status_table(ws, row, "3.3 Status på temaer", rd.THEMES)

    row = title(ws, row, "Statusoversigt (antal)")
    row = header(ws, row, ("Status", "Projekter", "Temaer"))
    projects, themes = area(2, p_first, 2, p_last, absolute=True), area(2, t_first, 2, t_last, absolute=True)
    for i, word in enumerate(("Grøn", "Gul", "Rød")):
        put(ws, row + i, 1, word)
        put(ws, row + i, 2, f'=COUNTIF({projects},"{word}")', FMT_INT)
        put(ws, row + i, 3, f'=COUNTIF({themes},"{word}")', FMT_INT)
    status_colours(ws, area(1, row, 1, row + 2))
    put(ws, row + 3, 1, "Anden status (fx afventer godkendelse)")
    for col, rng in ((2, projects), (3, themes)):
        put(ws, row + 3, col, f"=COUNTA({rng})-SUM({area(col, row, col, row + 2)})", FMT_INT)
    source(ws, row + 4, rd.SRC_PORTFOLIO)
    widths(ws, A=58, B=22, C=90)


LATEST_MONTH, FIRST_MONTH = "Seneste_Personer", "Første_Personer"


CHART_W, CHART_H = 13.0, 7.5   # cm: a chart under its table, one or two side by side
BAND_ROWS = 16                 # rows such a band takes (7.5 cm of 15 pt rows, and a gap)


def _band(row: int, *charts) -> int:
    """Charts side by side under their table (from columns A and D, within the table's width,
    so the sheet prints one page wide at a readable size); returns the row after the band."""
    for chart, col in zip(charts, ("A", "D")):
        chart.anchor = f"{col}{row}"
        chart.width, chart.height = CHART_W, CHART_H
    return row + BAND_ROWS


_WINDOW_COLUMNS = ("Måned", "SP-nøglepersoner", "Brugere af SP", "Nøglepersoner der kræves (1 pr. 15 brugere)",
                   "Målopfyldelse (mod måltallet)", "Kliniske byggere udpeget", "Heraf certificerede",
                   "Heraf under uddannelse")


def _people_window(ws: Worksheet, data, row: int) -> tuple[int, int, int]:
    """Key persons and clinical builders for the latest 12 months (Graf 1 and 2 of report 003):
    returns (header row, first, last slot row)."""
    title(ws, row, "SP-nøglepersoner og kliniske byggere pr. måned (de seneste 12 måneder)")
    hdr = header(ws, row + 1, _WINDOW_COLUMNS) - 1
    first, last = hdr + 1, hdr + pd_.MONTHS_SHOWN
    for k in range(1, pd_.MONTHS_SHOWN + 1):
        r = first + k - 1
        month = f"$A{r}"

        def staff(column: str) -> str:
            return f'=IF({month}="","",IFERROR(AVERAGEIFS(tPersonale[{column}],tPersonale[Måned],{month}),""))'

        put(ws, r, 1, pd_.month_window_key(k, LATEST_MONTH, FIRST_MONTH), FMT_MONTH)
        put(ws, r, 2, f'=IF({month}="","",IF(COUNTIFS(tNøglepersoner[Måned],{month})=0,"",'
                      f'SUMIFS(tNøglepersoner[Nøglepersoner],tNøglepersoner[Måned],{month})))', FMT_INT)
        put(ws, r, 3, staff("Brugere af SP"), FMT_INT)
        put(ws, r, 4, f'=IF({cell(3, r)}="","",SP_REQUIRED({cell(3, r)},Mål_BrugerePrNøgleperson))', FMT_INT,
            SP_CELL_STYLE)
        put(ws, r, 5, f'=IF({cell(2, r)}="","",SP_ATTAINMENT({cell(2, r)},Mål_Nøglepersoner))', FMT_PCT, SP_CELL_STYLE)
        for col, column in zip((6, 7, 8), ("Kliniske byggere udpeget", "Heraf certificerede", "Heraf under uddannelse")):
            put(ws, r, col, staff(column), FMT_INT)
    linked_source(ws, last + 1, data.sources["tNøglepersoner"])
    linked_source(ws, last + 2, data.sources["tPersonale"])
    return hdr, first, last


def people_sheet(wb: Workbook, data) -> list[str]:
    """The Uddannelse sheet; returns the range whose empty cells hide their row."""
    ws = new_sheet(wb, SHEET_PEOPLE, "SP-nøglepersoner, kliniske byggere og undervisning")
    w_hdr, w_first, w_last = _people_window(ws, data, 3)
    graf1 = columns_line_chart(ws, "A1", title="Graf 1. Udvikling i antallet af SP-nøglepersoner indmeldt i Kursusportalen",
                       x_title="Måned", y_title="Antal nøglepersoner", header_row=w_hdr, first_row=w_first,
                       last_row=w_last, category_col=1, series_cols=[2, 4], dates=True, date_unit="months",
                       date_step=1, date_format="mmm yy")
    graf2 = columns_line_chart(ws, "A1", title="Graf 2. Udvikling i antallet af kliniske byggere",
                       x_title="Måned", y_title="Antal kliniske byggere", header_row=w_hdr, first_row=w_first,
                       last_row=w_last, category_col=1, series_cols=[6, 7, 8], dates=True, date_unit="months",
                       date_step=1, date_format="mmm yy")

    top = _band(w_last + 4, graf1, graf2)
    now = pd_.month_name(LATEST_MONTH)
    put(ws, top, 1, f'="SP-nøglepersoner, ultimo "&{now}&" "&YEAR({LATEST_MONTH})', None, TITLE_STYLE)
    row = header(ws, top + 1, ("Nøgletal", "Værdi", "Note"))
    def latest(col: int) -> str:
        """The window's latest figure in a column (a month may lack one: typed figures come later)."""
        rng = area(col, w_first, col, w_last)
        return f'=LOOKUP(2,1/({rng}<>""),{rng})'
    at = _formula_rows(ws, row, [
        ("users", "Brugere i alt (senest oplyst)", latest(3), FMT_INT, False),
        ("need", '="Nøglepersoner der kræves (1 pr. "&Mål_BrugerePrNøgleperson&" brugere)"',
         "=SP_REQUIRED({users},Mål_BrugerePrNøgleperson)", FMT_INT, True),
        ("target", "Måltal for Region Hovedstaden", "=Mål_Nøglepersoner", FMT_INT, False),
        ("actual", "Indmeldte SP-nøglepersoner", latest(2), FMT_INT, False),
        ("att", "Målopfyldelse", "=SP_ATTAINMENT({actual},Mål_Nøglepersoner)", FMT_PCT, True),
        ("gap", "Afstand til måltal", "=SP_GAP({actual},Mål_Nøglepersoner)", FMT_SIGNED, True),
        ("status", "Status", "=SP_STATUS({actual},Mål_Nøglepersoner,Mål_GulFra)", None, True),
        ("sentence", "Sætning til rapporten",
         "=SP_TEXT_ATTAINMENT({actual},Mål_Nøglepersoner," + text("SP-nøglepersoner") + ")", None, True),
    ], {})
    put(ws, at["users"], 3, "Ikke oplyst i rapporten: det antal, måltallet (ca. 2.200 ved 1 pr. 15) svarer til.")
    status_colours(ws, cell(2, at["status"]))
    row = linked_source(ws, max(at.values()) + 1, data.sources["tNøglepersoner"])

    put(ws, row, 1, f'="Kliniske byggere, "&{now}&" "&YEAR({LATEST_MONTH})', None, TITLE_STYLE)
    row = header(ws, row + 1, ("Nøgletal", "Værdi", "Note"))
    at = _formula_rows(ws, row, [
        ("appointed", "Udpegede kliniske byggere", latest(6), FMT_INT, False),
        ("certified", "   heraf certificerede", latest(7), FMT_INT, False),
        ("training", "   heraf under uddannelse", latest(8), FMT_INT, False),
        ("check", "Kontrol: udpegede − certificerede − under uddannelse", "={appointed}-{certified}-{training}",
         FMT_INT, False),
        ("cert_share", "Andel certificerede", "=SP_SHARE({certified},{appointed})", FMT_PCT, True),
        ("specialties", "Specialer med tilknyttet klinisk bygger", rd.BUILDER_SPECIALTIES, FMT_INT, False),
        ("sets", "Best./ord.-sets og SmartSets i produktion bygget af kliniske byggere",
         rd.BUILDER_SETS_IN_PRODUCTION, FMT_INT, False),
    ], {})
    put(ws, at["check"], 3, "Skal være 0.")
    row = linked_source(ws, max(at.values()) + 1, data.sources["tPersonale"])

    # Training of new hires against the 85 % target: Q4 2017 (report 003) and Q1 2018 (report 000).
    row = title(ws, row, "Undervisning af nyansatte uden tidligere SP-undervisning")
    hdr = row
    row = header(ws, row, ("Periode", "Andel undervist/tilmeldt", "Målsætning", "Nye brugere uden SP-kendskab",
                           "Antal undervist/tilmeldt", "Målopfyldelse", "Afstand til mål (procentpoint)", "Status"))
    q4, q1 = row, row + 1
    # The report gives 24 % and 171 trained; the new users (713) are computed, and the label says how.
    put(ws, q4, 1, f'="4. kvartal 2017 (modtaget undervisning; nye brugere = "&{cell(5, q4)}&" / "'
                   f'&ROUND({cell(2, q4)}*100,0)&" pct.)"')
    put(ws, q4, 2, rd.TRAINED_SHARE_Q4_2017, FMT_PCT, INPUT_STYLE)
    put(ws, q4, 5, rd.TRAINED_COUNT_Q4_2017, FMT_INT, INPUT_STYLE)
    put(ws, q4, 4, f"=ROUND({cell(5, q4)}/{cell(2, q4)},0)", FMT_INT)  # the report gives 24 % = 171
    put(ws, q1, 1, "1. kvartal 2018 (tilmeldt undervisning)")
    put(ws, q1, 2, rd.ENROLLED_SHARE_Q1_2018, FMT_PCT, INPUT_STYLE)
    put(ws, q1, 4, rd.NEW_USERS_EXTERNAL_Q1_2018, FMT_INT, INPUT_STYLE)
    put(ws, q1, 5, f"=ROUND({cell(4, q1)}*{cell(2, q1)},0)", FMT_INT)
    for r in (q4, q1):
        put(ws, r, 3, "=Mål_UndervisningNyansatte", FMT_PCT)
        put(ws, r, 6, call("SP_ATTAINMENT", cell(2, r), "Mål_UndervisningNyansatte"), FMT_PCT, SP_CELL_STYLE)
        put(ws, r, 7, points(call("SP_GAP", cell(2, r), "Mål_UndervisningNyansatte")), FMT_PP, SP_CELL_STYLE)
        put(ws, r, 8, call("SP_STATUS", cell(2, r), "Mål_UndervisningNyansatte", "Mål_GulFra"), None, SP_CELL_STYLE)
    status_colours(ws, area(8, q4, 8, q1))
    put(ws, q1 + 1, 1, "Sætning til rapporten (4. kvartal 2017)")
    put(ws, q1 + 1, 2, '="Andelen af "&' + call("SP_TEXT_ATTAINMENT", cell(2, q4), "Mål_UndervisningNyansatte",
                                               text("nyansatte, der har modtaget undervisning"))[1:],
        None, SP_CELL_STYLE)
    row = source(ws, q1 + 2, rd.SRC_UDDANNELSE)
    row = _band(row, columns_bar_chart(ws, "A1", title="Andel nyansatte undervist/tilmeldt mod målsætningen",
                                       x_title="Periode", y_title="Andel af nyansatte", header_row=hdr, last_row=q1,
                                       category_col=1, series_cols=[2, 3], y_format="0%"))

    row = title(ws, row, "Figur 5: Fordeling af nye brugere til SP i 1. kvartal 2018")
    row = header(ws, row, ("Gruppe", "Antal"))
    at = _formula_rows(ws, row, [
        ("new", "Nye brugere (undtaget studerende/elever)", rd.NEW_USERS_Q1_2018, FMT_INT, False),
        ("external", "   heraf ansat uden for Region Hovedstaden", f"={cell(4, q1)}", FMT_INT, False),
        ("ext_share", "Andel uden for Region Hovedstaden (rapporten: 16 %)", "=SP_SHARE({external},{new})",
         FMT_PCT, True),
        ("enrolled", "Tilmeldt undervisning", f"={cell(5, q1)}", FMT_INT, False),
        ("not_enrolled", "Ikke tilmeldt undervisning", "={external}-{enrolled}", FMT_INT, False),
    ], {})
    row = source(ws, max(at.values()) + 1, rd.SRC_UDDANNELSE)
    row = _band(row, columns_bar_chart(ws, "A1", title="Figur 5: Nye brugere fra ansættelse uden for regionen",
                                       x_title="Gruppe", y_title="Antal brugere", header_row=at["enrolled"] - 1,
                                       last_row=at["not_enrolled"], category_col=1, series_cols=[2],
                                       series_title="Antal brugere"))

    row = title(ws, row, "Figur 6: Status på certificering for tilmeldte brugere")
    row = synthetic(ws, row, rd.SYNTHETIC_LABEL + " (rapporten viser kun figuren)")
    hdr6 = row
    row = header(ws, row, ("Status", "Antal"))
    first = row
    for label, count in rd.certification_status():
        put(ws, row, 1, label)
        put(ws, row, 2, count, FMT_INT, INPUT_STYLE)
        row += 1
    put(ws, row, 1, "I alt (skal svare til tilmeldte)")
    put(ws, row, 2, f"=SUM({area(2, first, 2, row - 1)})", FMT_INT)
    put(ws, row + 1, 1, "Andel bestået af tilmeldte")
    put(ws, row + 1, 2, call("SP_SHARE", cell(2, first), cell(5, q1)), FMT_PCT, SP_CELL_STYLE)
    row = source(ws, row + 2, rd.SRC_UDDANNELSE)
    row = _band(row, columns_bar_chart(ws, "A1", title="Figur 6: Certificering af tilmeldte brugere",
                                       x_title="Status", y_title="Antal brugere", header_row=hdr6, last_row=first + 2,
                                       category_col=1, series_cols=[2]))
    _sets_in_production(ws, row)
    widths(ws, A=62, B=14, C=14, D=16, E=14, F=14, G=14, H=14)
    wrap_sentences(ws, 8)
    return [area(1, w_first, 1, w_last, SHEET_PEOPLE, absolute=True)]


def _sets_in_production(ws: Worksheet, row: int) -> int:
    """Report 000's paragraph on what the clinical builders have put in production (May 2018)."""
    row = title(ws, row, "Best./ord.-set, SmartSets og øvrige elementer i produktion, maj 2018")
    row = header(ws, row, ("Nøgletal", "Værdi"))
    at = _formula_rows(ws, row, [
        ("sets", "Best./ord.-set og SmartSets bygget af kliniske byggere i produktion (mere end)",
         rd.SETS_IN_PRODUCTION_MAY_2018, FMT_INT, False),
        ("shared", "   heraf anvendt på tværs af hospitaler og regioner inden for et speciale",
         rd.SETS_SHARED_ACROSS_SPECIALTY, FMT_PCT, False),
        ("other", "Øvrige elementer i produktion, fx blodprøveelementer og vurderingsskemaer (ca.)",
         rd.OTHER_ELEMENTS_MAY_2018, FMT_INT, False),
        ("sentence", "Sætning til rapporten",
         '="Der er i dag mere end "&' + thousands("{sets}") + '&" best./ord.-set og SmartSet bygget af kliniske '
         'byggere, der er i produktion. Heraf anvendes "&ROUND({shared}*100,0)&" pct. på tværs af hospitaler og '
         'regioner inden for et givent speciale. Derudover er der bygget ca. "&' + thousands("{other}")
         + '&" forskellige øvrige elementer, der også er i produktion."', None, False),
    ], {})
    return source(ws, at["sentence"] + 1, rd.SRC_REPORT_MAY.format("2.3"))
