"""The calendar of the data tables: which periods each holds, which are missing, which lag.

A long table's first column is its period when its heading says so ("Måned", "Dato", "Uge":
months, days, ISO weeks given by their Monday); a second column "Hospital" makes the key
(period, hospital). For each such table the check knows the latest period, the periods
missing between its first and latest ("tMinSPBesvaret mangler april 2018"), a hospital that
lacks a period the others have, and whether a monthly table lags behind the other monthly
tables (a note, since extracts arrive on their own schedules).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sp_xl.importing.layout import month_label

PERIOD_HEADINGS = {"måned": "month", "month": "month", "dato": "day", "date": "day", "uge": "week", "week": "week"}
UNIT_HEADINGS = {"hospital"}


def period_kind(heading: object) -> str | None:
    return PERIOD_HEADINGS.get(str(heading or "").strip().casefold())


def as_date(value: object, date1904: bool = False) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 < value < 2958466:
        return (dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)) + dt.timedelta(days=int(value))
    return None


def label(kind: str, day: dt.date) -> tuple[str, str]:
    """How a period is named, in Danish and English."""
    if kind == "month":
        return month_label(day.year, day.month)
    if kind == "week":
        year, week, _ = day.isocalendar()
        return f"uge {week} {year}", f"week {week} {year}"
    return day.strftime("%d-%m-%Y"), day.isoformat()


def _next(kind: str, day: dt.date) -> dt.date:
    if kind == "month":
        return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return day + dt.timedelta(days=7 if kind == "week" else 1)


def _span(kind: str, first: dt.date, last: dt.date) -> list[dt.date]:
    out, day = [], first
    while day <= last:
        out.append(day)
        day = _next(kind, day)
    return out


@dataclass
class TableCalendar:
    name: str
    sheet: str
    kind: str                                   # "month", "day" or "week"
    periods: list[dt.date]                      # held, in order
    missing: list[dt.date] = field(default_factory=list)          # between the first and the latest
    missing_by_unit: dict[str, list[dt.date]] = field(default_factory=dict)

    @property
    def latest(self) -> dt.date | None:
        return self.periods[-1] if self.periods else None


def calendar(name: str, sheet: str, headings: list[str], rows: Iterable[list[object]],
             date1904: bool = False) -> TableCalendar | None:
    """The calendar of one table, or None when its first column is not a period."""
    kind = period_kind(headings[0] if headings else None)
    if kind is None:
        return None
    by_unit = len(headings) > 1 and str(headings[1] or "").strip().casefold() in UNIT_HEADINGS
    held: set[dt.date] = set()
    units: dict[str, set[dt.date]] = {}
    for row in rows:
        day = as_date(row[0] if row else None, date1904)
        if day is None:
            continue
        held.add(day)
        if by_unit and len(row) > 1 and isinstance(row[1], str) and row[1].strip():
            units.setdefault(row[1].strip(), set()).add(day)
    periods = sorted(held)
    cal = TableCalendar(name, sheet, kind, periods)
    if periods:
        expected = _span(kind, periods[0], periods[-1]) if kind != "week" or periods[0].weekday() == 0 else periods
        cal.missing = [d for d in expected if d not in held]
        for unit, days in units.items():
            lacking = [d for d in periods if d not in days]
            if lacking:
                cal.missing_by_unit[unit] = lacking
    return cal


def describe_periods(kind: str, days: list[dt.date], limit: int = 6) -> tuple[str, str]:
    da = [label(kind, d)[0] for d in days[:limit]]
    en = [label(kind, d)[1] for d in days[:limit]]
    more = len(days) - limit
    return (", ".join(da) + (f" og {more} til" if more > 0 else ""),
            ", ".join(en) + (f" and {more} more" if more > 0 else ""))
