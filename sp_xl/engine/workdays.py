"""EDATE, EOMONTH and WORKDAY on date serials, as Excel documents them.

Why not the ``formulas`` package: its EDATE of a date before 1900 wraps to year 3800
(EDATE(1;-1) gave 693932; Excel: #NUM!), EDATE/EOMONTH at 31 December 9999 answer #VALUE!,
and its WORKDAY raises (#VALUE!) when the start date falls on a weekend, where Excel counts
from it. Found by benchmarks/fuzz_vs_libreoffice.py.

Before 1 March 1900 (serial 61) Excel counts its phantom 29 February 1900 and weekdays one
off: EDATE/EOMONTH leave those dates to the ``formulas`` implementation, which keeps that
calendar; WORKDAY refuses them. A date given as text is left to the ``formulas`` implementation
(DELEGATE), as before.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.excelstats import DELEGATE, _refuse
from sp_xl.engine.values import EMPTY, E_NUM, E_VALUE, to_number

_LAST = 2958465                 # 31 December 9999
_EPOCH = dt.date(1899, 12, 30)  # serial 61 = 1 March 1900 from here on


def _start(name: str, v, early_ok: bool = False) -> object:
    """The start date as a whole serial, an error, or DELEGATE for text."""
    if type(v) is bool:
        return E_VALUE
    if isinstance(v, str) and not isinstance(v, XlError) and v is not EMPTY:
        return DELEGATE
    x = to_number(v)
    if isinstance(x, XlError):
        return x
    if x < 0 or x >= _LAST + 1:
        return E_NUM
    s = math.trunc(x)
    if s < 61 and not early_ok:
        _refuse(name, "en dato før 1. marts 1900", "a date before 1 March 1900")
    return s


def _whole(v) -> object:
    if type(v) is bool:
        return E_VALUE
    x = to_number(v)
    return x if isinstance(x, XlError) else math.trunc(x)


_EARLY = object()   # a result before 1 March 1900


def _result(name: str, d: dt.date) -> object:
    s = (d - _EPOCH).days
    if s < 61:
        return _EARLY
    return float(s) if s <= _LAST else E_NUM


def _shift_months(name: str, end_of_month: bool):
    """EDATE / EOMONTH. Before 1 March 1900 (start or result) the ``formulas`` implementation
    keeps Excel's own calendar there (EDATE(0;1) is 31, as Excel caches it); a month before
    January 1900 is #NUM! (formulas wrapped it to the year 3799)."""
    def fn(start, months):
        s = _start(name, start, early_ok=True)
        if s is DELEGATE or isinstance(s, XlError):
            return s
        m = _whole(months)
        if isinstance(m, XlError):
            return m
        d = _EPOCH + dt.timedelta(days=max(s, 61))
        k = (1900 * 12 if s < 61 else d.year * 12 + d.month - 1) + m
        y, mo = divmod(k, 12)
        if not 1900 <= y <= 9999:
            return E_NUM
        if s < 61:
            return DELEGATE
        last = calendar.monthrange(y, mo + 1)[1]
        res = _result(name, dt.date(y, mo + 1, last if end_of_month else min(d.day, last)))
        return DELEGATE if res is _EARLY else res
    return fn


def _workday(book, r, c, start, days, holidays=None):
    """WORKDAY(start; days; [holidays]): the date `days` working days (Monday-Friday, not a
    holiday) after start, or before it for a negative count; start itself for 0."""
    for v in (start, days):
        if isinstance(v, np.ndarray):
            _refuse("WORKDAY", "en matrix, hvor der skal stå én værdi", "an array where one value belongs")
    s = _start("WORKDAY", start)
    if s is DELEGATE:
        return DELEGATE
    if isinstance(s, XlError):
        return s
    n = _whole(days)
    if isinstance(n, XlError):
        return n
    hol = []
    items = holidays.ravel().tolist() if isinstance(holidays, np.ndarray) else [] if holidays in (None, EMPTY) \
        else [holidays]
    for h in items:
        if isinstance(h, XlError):
            return h
        if h is EMPTY:
            continue
        if type(h) is not float:
            return E_VALUE
        if h < 0 or h >= _LAST + 1:
            return E_NUM
        if h >= 61:
            hol.append(np.datetime64(_EPOCH + dt.timedelta(days=math.trunc(h))))
    if n == 0:
        return float(s)
    d0 = np.datetime64(_EPOCH + dt.timedelta(days=s))
    try:
        d = np.busday_offset(d0, n, roll="backward" if n > 0 else "forward", holidays=hol)
    except ValueError:
        return E_NUM
    res = _result("WORKDAY", d.astype(dt.date))
    if res is _EARLY:
        _refuse("WORKDAY", "et resultat før 1. marts 1900", "a result before 1 March 1900")
    return res


STRICT = {"EDATE": (_shift_months("EDATE", False), 2, 2), "EOMONTH": (_shift_months("EOMONTH", True), 2, 2)}
OWN = {"WORKDAY": _workday}
