"""The data check behind "Tjek data": problems in the data tables and targets of a workbook.

It looks at every Excel table (a header row, then one row per period and hospital, or per
department) and at the targets (defined names ``Mål_*``), and finds what most often goes wrong
when extracts are pasted by hand or arrive late:

- text in a number cell (e.g. "12 %" or "1.807" pasted as text),
- a row whose figures are empty,
- the same key twice (a month and hospital, a week, a department),
- a period missing between a table's first and latest (``calendar``), or missing for one
  hospital, and (a note) a monthly table that lags behind the others,
- a target that is empty or not a number,
- (a saved file) numbers that were never computed, formulas without a stored value (a file
  saved by a program that does not compute), or not computed since the last import.

It works on plain values, so that the command line (a saved file, through ``XlsxPackage``)
and the ribbon (live cells, through xlwings) share it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sp_xl import i18n
from sp_xl.checks.calendar import TableCalendar, as_date, calendar, describe_periods, label, period_kind
from sp_xl.errors import ExcelError
from sp_xl.ooxml.cellrefs import col_letters, split_ref
from sp_xl.ooxml.names import LAST_REFRESHED, name_cell

KEY_HEADINGS = {"hospital", "afdeling", "navn i udtræk"}


@dataclass(frozen=True)
class Table:
    """One data table: where it is, its headings, and its body row by row."""

    sheet: str
    name: str
    first_row: int           # sheet row of the first body row
    first_col: int           # sheet column (1-based) of the first column
    headings: list[str]
    rows: list[list[object]]


@dataclass(frozen=True)
class Finding:
    sheet: str
    cell: str
    kind_da: str
    kind_en: str
    detail_da: str
    detail_en: str
    note: bool = False            # worth knowing, not a problem (e.g. a table that lags)

    @property
    def kind(self) -> str:
        return i18n.pick(self.kind_da, self.kind_en)

    @property
    def detail(self) -> str:
        return i18n.pick(self.detail_da, self.detail_en)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def check_tables(tables: Iterable[Table], date1904: bool = False) -> list[Finding]:
    findings: list[Finding] = []
    calendars = []
    for t in tables:
        findings += _text_in_numbers(t) + _empty_figures(t) + _duplicates(t)
        cal = _calendar(t, date1904)
        if cal is not None:
            calendars.append(cal)
            findings += _gaps(t, cal)
    return findings + _lagging(calendars)


def calendars_of(tables: Iterable[Table], date1904: bool = False) -> list[TableCalendar]:
    return [c for t in tables if (c := _calendar(t, date1904)) is not None]


_CALENDARS: dict[tuple[int, bool], tuple[Table, TableCalendar | None]] = {}


def _calendar(t: Table, date1904: bool) -> TableCalendar | None:
    """A table's calendar, computed once per table object (the check asks for it three times;
    a table of 100,000 rows takes a second)."""
    hit = _CALENDARS.get((id(t), date1904))
    if hit is not None and hit[0] is t:
        return hit[1]
    if len(_CALENDARS) > 64:
        _CALENDARS.clear()
    cal = calendar(t.name, t.sheet, t.headings, t.rows, date1904)
    _CALENDARS[(id(t), date1904)] = (t, cal)
    return cal


def _keys(t: Table) -> int:
    """How many leading columns make a row's key: a period (and hospital), or a name."""
    if not t.headings:
        return 0
    first = str(t.headings[0] or "").strip().casefold()
    second = str(t.headings[1] or "").strip().casefold() if len(t.headings) > 1 else ""
    if period_kind(first):
        return 2 if second in KEY_HEADINGS else 1
    return 1 if first in KEY_HEADINGS else 0


def _cell(t: Table, i: int, j: int) -> str:
    return f"{col_letters(t.first_col + j)}{t.first_row + i}"


def _text_in_numbers(t: Table) -> list[Finding]:
    out = []
    for j in range(1, len(t.headings)):
        column = [r[j] if j < len(r) else None for r in t.rows]
        if not any(_is_number(v) for v in column):
            continue  # a text column (e.g. "Datagrundlag")
        for i, v in enumerate(column):
            if isinstance(v, str) and v.strip():
                out.append(Finding(t.sheet, _cell(t, i, j), "Tekst i talcelle", "Text in a number cell",
                                   f"{t.name}, kolonne '{t.headings[j]}': '{v}' er tekst, ikke et tal.",
                                   f"{t.name}, column '{t.headings[j]}': '{v}' is text, not a number."))
    return out


def _empty_figures(t: Table) -> list[Finding]:
    """A keyed row whose figures are all empty: the period is there, its numbers are not."""
    keys = _keys(t)
    if not keys or len(t.headings) <= keys:
        return []
    out = []
    for i, row in enumerate(t.rows):
        if any(_blank(v) for v in row[:keys]):
            continue
        figures = row[keys:]
        if figures and all(_blank(v) for v in figures):
            out.append(Finding(t.sheet, _cell(t, i, keys), "Manglende tal", "Missing figures",
                               f"{t.name}: rækken for {_label(row[0])} har ingen tal.",
                               f"{t.name}: the row for {_label(row[0])} has no figures."))
    return out


def _duplicates(t: Table) -> list[Finding]:
    keys = _keys(t)
    if not keys:
        return []
    out, seen = [], {}
    for i, row in enumerate(t.rows):
        parts = row[:keys]
        if len(parts) < keys or any(_blank(v) or isinstance(v, ExcelError) for v in parts):
            continue
        key = tuple(v.strip().casefold() if isinstance(v, str) else v for v in parts)
        if key in seen:
            shown = " / ".join(_label(v) for v in parts)
            out.append(Finding(t.sheet, _cell(t, i, 0), "Dublet", "Duplicate",
                               f"{t.name}: '{shown}' står også i {_cell(t, seen[key], 0)}.",
                               f"{t.name}: '{shown}' also appears in {_cell(t, seen[key], 0)}."))
        else:
            seen[key] = i
    return out


def _gaps(t: Table, cal: TableCalendar) -> list[Finding]:
    """Periods missing between a table's first and latest, and periods one hospital lacks."""
    out = []
    if cal.missing:
        da, en = describe_periods(cal.kind, cal.missing)
        out.append(Finding(t.sheet, _cell(t, 0, 0), "Manglende periode", "Missing period",
                           f"{t.name} mangler {da}.", f"{t.name} is missing {en}."))
    for unit, days in cal.missing_by_unit.items():
        da, en = describe_periods(cal.kind, days)
        out.append(Finding(t.sheet, _cell(t, 0, 1), "Manglende periode", "Missing period",
                           f"{t.name}: {unit} mangler {da}.", f"{t.name}: {unit} is missing {en}."))
    return out


def _lagging(calendars: list[TableCalendar]) -> list[Finding]:
    """A note for each monthly table whose latest month is before the latest of the others."""
    monthly = [c for c in calendars if c.kind == "month" and c.latest]
    if len(monthly) < 2:
        return []
    newest = max(c.latest for c in monthly)
    da_new, en_new = label("month", newest)
    out = []
    for c in monthly:
        if c.latest < newest:
            da, en = label("month", c.latest)
            out.append(Finding(c.sheet, "", "Bemærk", "Note",
                               f"{c.name} går til {da}, andre tabeller til {da_new}.",
                               f"{c.name} runs to {en}, other tables to {en_new}.", note=True))
    return out


def _day_number(v: object) -> float | None:
    if isinstance(v, dt.datetime):
        return float(v.toordinal())
    if isinstance(v, dt.date):
        return float(v.toordinal())
    return float(v) if _is_number(v) else None  # an Excel serial


def _label(v: object) -> str:
    if _is_number(v) and float(v) > 20000:  # an Excel date serial
        return (dt.date(1899, 12, 30) + dt.timedelta(days=int(v))).strftime("%d-%m-%Y")
    if isinstance(v, (dt.date, dt.datetime)):
        return v.strftime("%d-%m-%Y")
    return str(int(v)) if _is_number(v) and float(v).is_integer() else str(v)


def check_targets(targets: Mapping[str, tuple[str, str, object]]) -> list[Finding]:
    """``targets``: defined name -> (sheet, cell, value) for every name starting with 'Mål_'."""
    out = []
    for name, (sheet, cell, value) in targets.items():
        if not _is_number(value):
            shown = "tom" if _blank(value) else f"'{value}'"
            out.append(Finding(sheet, cell, "Mål mangler", "Target missing",
                               f"Målet {name} er {shown}; formler, der bruger det, kan ikke beregnes.",
                               f"The target {name} is {'empty' if _blank(value) else repr(value)}; "
                               "formulas that use it cannot be computed."))
    return out


# --- a saved file ----------------------------------------------------------------------


def check_package(pkg, tables: list[Table] | None = None) -> list[Finding]:
    """The data check on an ``XlsxPackage`` (its constants and cached values); ``tables``:
    ``package_tables(pkg)`` when the caller has them already."""
    tables = package_tables(pkg) if tables is None else tables
    targets = {}
    for name in pkg.defined_names:
        if name.startswith("Mål_") and (where := name_cell(pkg.defined_names, name)):
            sheet, cell = where
            targets[name] = (sheet, cell, pkg.cells(sheet).get(cell) if sheet in pkg.sheet_names else None)
    return check_tables(tables, pkg.date1904) + check_targets(targets) + _freshness(pkg) + _deadline_year(pkg, tables)


def package_tables(pkg) -> list[Table]:
    out = []
    for name, (sheet, ref, headings) in pkg.tables().items():
        cells = pkg.cells(sheet)
        (r0, c0), (r1, c1) = (split_ref(p.replace("$", "")) for p in ref.split(":"))
        letters = [col_letters(c) for c in range(c0, c1 + 1)]
        get = cells.get
        rows = [[get(col + row) for col in letters] for row in map(str, range(r0 + 1, r1 + 1))]
        out.append(Table(sheet, name, r0 + 1, c0, list(headings), rows))
    return out


def latest_periods(pkg, tables: list[Table] | None = None) -> list[str]:
    """One line per table with periods: its latest (Danish, English via i18n)."""
    cals = calendars_of(package_tables(pkg) if tables is None else tables, pkg.date1904)
    if not cals:
        return []
    parts = [(c.name, label(c.kind, c.latest)) for c in cals if c.latest]
    return [i18n.pick("Seneste periode pr. tabel: ", "Latest period per table: ")
            + ", ".join(f"{name} {i18n.pick(*lab)}" for name, lab in parts)]


def _deadline_year(pkg, tables: list[Table]) -> list[Finding]:
    """A note when the LPR correction deadline (Par_LPRFrist) is not in the year of the LPR data:
    after New Year the analyst sets the new year's deadline."""
    where = name_cell(pkg.defined_names, "Par_LPRFrist")
    lpr = next((t for t in tables if t.name == "tLPRFejl"), None)
    if where is None or lpr is None or where[0] not in pkg.sheet_names:
        return []
    sheet, cell = where
    deadline = as_date(pkg.cells(sheet).get(cell), pkg.date1904)
    cal = _calendar(lpr, pkg.date1904)
    if deadline is None or cal is None or cal.latest is None or deadline.year == cal.latest.year:
        return []
    return [Finding(sheet, cell, "Bemærk", "Note",
                    f"Fristen for rettelser i LPR (Par_LPRFrist, {deadline:%d-%m-%Y}) ligger ikke i LPR-året "
                    f"{cal.latest.year}; ret den på arket Mål.",
                    f"The LPR correction deadline (Par_LPRFrist, {deadline.isoformat()}) is not in the LPR year "
                    f"{cal.latest.year}; correct it on the Mål sheet.", note=True)]


def _quoted(sheet: str) -> str:
    return sheet if sheet.replace("_", "").isalnum() else "'" + sheet.replace("'", "''") + "'"


def _freshness(pkg) -> list[Finding]:
    """Numbers never computed, or not computed since the last import (the refresh stamp,
    ``sp_SidstOpdateret``, against the import record)."""
    from sp_xl.importing.record import read_record

    where = name_cell(pkg.defined_names, LAST_REFRESHED)
    if where is None or where[0] not in pkg.sheet_names or not pkg.formulas():
        return []
    sheet, cell = where
    stamp = pkg.cells(sheet).get(cell)
    if not _is_number(stamp):
        return [Finding(sheet, cell, "Ikke beregnet", "Not computed",
                        "Arbejdsbogens tal er ikke beregnet endnu: kør Opdater alle ark (sp-xl refresh).",
                        "The workbook's numbers have not been computed yet: run Refresh all sheets (sp-xl refresh).")]
    missing = [f for f in pkg.formulas() if f.cached is None]
    if missing:
        cells = ", ".join(f"{_quoted(f.sheet)}!{f.ref}" for f in missing[:5])
        return [Finding(missing[0].sheet, missing[0].ref, "Ikke beregnet", "Not computed",
                        f"{len(missing)} formler har ingen gemt værdi (fx {cells}); filen er måske gemt af et "
                        "program, der ikke beregner. Kør Opdater alle ark (sp-xl refresh).",
                        f"{len(missing)} formulas have no stored value (e.g. {cells}); the file was perhaps saved "
                        "by a program that does not compute. Run Refresh all sheets (sp-xl refresh).")]
    try:
        imported = [p.imported for t in read_record(pkg).tables.values() for p in t.periods.values()]
    except Exception:  # noqa: BLE001 - a damaged record is the import's business, not the check's
        return []
    epoch = dt.datetime(1904, 1, 1) if pkg.date1904 else dt.datetime(1899, 12, 30)
    stamped = epoch + dt.timedelta(days=float(stamp))
    if imported and max(imported) > stamped + dt.timedelta(microseconds=500):     # both in whole seconds
        last = max(imported)
        return [Finding(sheet, cell, "Ikke beregnet", "Not computed",
                        f"Der er importeret udtræk {last:%d-%m-%Y kl. %H.%M}, efter at tallene sidst blev beregnet "
                        f"({stamped:%d-%m-%Y kl. %H.%M}): kør Opdater alle ark (sp-xl refresh).",
                        f"Extracts were imported {last:%Y-%m-%d %H:%M}, after the numbers were last computed "
                        f"({stamped:%Y-%m-%d %H:%M}): run Refresh all sheets (sp-xl refresh).")]
    return []
