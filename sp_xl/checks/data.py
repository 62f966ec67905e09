"""The data check behind "Tjek data": problems in the data tables and targets of a workbook.

It looks at every Excel table (a header row, then one row per hospital, week or day) and at
the targets (defined names ``Mål_*``), and finds what most often goes wrong when extracts are
pasted by hand:

- text in a number cell (e.g. "12 %" or "1.807" pasted as text),
- a missing period: an empty cell under a month heading, or a gap in a column of weeks or dates,
- the same hospital, department, week or date twice,
- a target that is empty or not a number.

It works on plain values, so that the command line (a saved file, through ``XlsxPackage``)
and the ribbon (live cells, through xlwings) share it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sp_xl import i18n
from sp_xl.errors import ExcelError
from sp_xl.ooxml.cellrefs import col_letters, split_ref

MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
             "oktober", "november", "december")
_MONTH_HEADING = re.compile(r"^\s*(" + "|".join(MONTHS_DA) + r")\b", re.I)
_WEEK_HEADING = re.compile(r"^\s*(uge|week)\b", re.I)
_DATE_HEADING = re.compile(r"^\s*(dato|date|dag|day)\b", re.I)


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


def check_tables(tables: Iterable[Table]) -> list[Finding]:
    findings: list[Finding] = []
    for t in tables:
        findings += _text_in_numbers(t) + _missing_months(t) + _duplicates(t) + _gaps(t)
    return findings


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


def _missing_months(t: Table) -> list[Finding]:
    out = []
    for j, heading in enumerate(t.headings):
        if j == 0 or not _MONTH_HEADING.match(str(heading or "")):
            continue
        for i, row in enumerate(t.rows):
            label = row[0] if row else None
            if not _blank(label) and (j >= len(row) or _blank(row[j])):
                out.append(Finding(t.sheet, _cell(t, i, j), "Manglende måned", "Missing month",
                                   f"{t.name}: ingen værdi for '{label}' i {heading}.",
                                   f"{t.name}: no value for '{label}' in {heading}."))
    return out


def _duplicates(t: Table) -> list[Finding]:
    out, seen = [], {}
    for i, row in enumerate(t.rows):
        label = row[0] if row else None
        if _blank(label) or isinstance(label, ExcelError):
            continue
        key = label.strip().casefold() if isinstance(label, str) else label
        if key in seen:
            out.append(Finding(t.sheet, _cell(t, i, 0), "Dublet", "Duplicate",
                               f"{t.name}: '{label}' står også i {_cell(t, seen[key], 0)}.",
                               f"{t.name}: '{label}' also appears in {_cell(t, seen[key], 0)}."))
        else:
            seen[key] = i
    return out


def _gaps(t: Table) -> list[Finding]:
    """Weeks or days missing in the label column: each period should follow the one before."""
    heading = str(t.headings[0] or "") if t.headings else ""
    labels = [(i, r[0]) for i, r in enumerate(t.rows) if r and not _blank(r[0])]
    if _WEEK_HEADING.match(heading):
        step, kind = 1, ("uge", "week")
        keys = [(i, v) for i, v in labels if _is_number(v)]
    elif _DATE_HEADING.match(heading):
        step, kind = 1, ("dag", "day")
        keys = [(i, _day_number(v)) for i, v in labels if _day_number(v) is not None]
    else:
        return []
    out = []
    for (i0, a), (i1, b) in zip(keys, keys[1:]):
        if b - a > step:
            missing = int(b - a - 1)
            out.append(Finding(t.sheet, _cell(t, i1, 0), "Manglende periode", "Missing period",
                               f"{t.name}: {missing} {kind[0]}(e) mangler før {_label(t.rows[i1][0])}.",
                               f"{t.name}: {missing} {kind[1]}(s) missing before {_label(t.rows[i1][0])}."))
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


def check_package(pkg) -> list[Finding]:
    """The data check on an ``XlsxPackage`` (its constants and cached values)."""
    tables = []
    for name, (sheet, ref, headings) in pkg.tables().items():
        cells = pkg.cells(sheet)
        (r0, c0), (r1, c1) = (split_ref(p.replace("$", "")) for p in ref.split(":"))
        rows = [[cells.get(f"{col_letters(c)}{r}") for c in range(c0, c1 + 1)] for r in range(r0 + 1, r1 + 1)]
        tables.append(Table(sheet, name, r0 + 1, c0, list(headings), rows))
    targets = {}
    for name, target in pkg.defined_names.items():
        m = re.fullmatch(r"'?(.+?)'?!(\$?[A-Z]+\$?\d+)", target)
        if name.startswith("Mål_") and m:
            sheet, cell = m.group(1).replace("''", "'"), m.group(2).replace("$", "")
            targets[name] = (sheet, cell, pkg.cells(sheet).get(cell) if sheet in pkg.sheet_names else None)
    return check_tables(tables) + check_targets(targets)
