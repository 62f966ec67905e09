"""Danish working days: Monday to Friday except Danish public holidays.

The holidays come from the maintained ``holidays`` package (Easter-based days included,
Store Bededag until its abolition in 2024), never from a hand-typed list. Dates are numpy
``datetime64[D]`` arrays so that a whole column is counted in one call.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

_WEEKMASK = "1111100"


@lru_cache(maxsize=64)
def _holidays(first_year: int, last_year: int) -> np.ndarray:
    import holidays  # ~25 ms to import: only when a workday function runs, not on every refresh

    days = holidays.country_holidays("DK", years=range(first_year, last_year + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


def holidays_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The Danish public holidays from start to end (both included), for holiday lists in sheets."""
    days = _holidays(start.year, end.year)
    lo, hi = np.datetime64(start, "D"), np.datetime64(end, "D")
    return [d.astype(dt.date) for d in days if lo <= d <= hi]


@lru_cache(maxsize=64)
def _calendar_for(first_year: int, last_year: int) -> np.busdaycalendar:
    return np.busdaycalendar(weekmask=_WEEKMASK, holidays=_holidays(first_year, last_year))


def _calendar(*dates: np.ndarray) -> np.busdaycalendar:
    """A calendar covering the dates' years, with a year's margin for offsets past New Year."""
    lo = min(int(d.min().astype("datetime64[Y]").astype(int)) for d in dates) + 1970
    hi = max(int(d.max().astype("datetime64[Y]").astype(int)) for d in dates) + 1970
    return _calendar_for(lo - 1, hi + 1)


def workdays(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Working days from start to end, both counted, negative when end < start (Excel NETWORKDAYS)."""
    cal = _calendar(start, end)
    one = np.timedelta64(1, "D")
    forward = np.busday_count(start, end + one, busdaycal=cal)
    backward = -np.busday_count(end, start + one, busdaycal=cal)
    return np.where(end >= start, forward, backward)


def nth_workday_after(day: np.ndarray, n: int) -> np.ndarray:
    """The n-th working day after ``day`` (Excel WORKDAY(day; n)); a non-working day starts from the one before."""
    return np.busday_offset(day, n, roll="backward", busdaycal=_calendar(day))


def share_within(sent: np.ndarray, answered: np.ndarray, answered_known: np.ndarray, n: int) -> float:
    """Share of pairs answered no later than the n-th working day after the day they were sent."""
    deadline = nth_workday_after(sent, n)
    within = answered_known & (answered <= deadline)
    return float(within.sum()) / len(sent)
