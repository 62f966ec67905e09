"""EDATE, EOMONTH, WORKDAY, NETWORKDAYS and DAYS360 on date serials, as Excel documents them.

Why not the ``formulas`` package: its EDATE of a date before 1900 wraps to year 3800
(EDATE(1;-1) gave 693932; Excel: #NUM!), EDATE/EOMONTH at 31 December 9999 answer #VALUE!,
and its WORKDAY raises (#VALUE!) when the start date falls on a weekend, where Excel counts
from it; its NETWORKDAYS fails on a blank start and on 31 December 9999. Found by benchmarks/fuzz_vs_libreoffice.py.

Before 1 March 1900 (serial 61) Excel counts its phantom 29 February 1900 and weekdays one
off: EDATE/EOMONTH keep that calendar; WORKDAY and NETWORKDAYS refuse those dates. A date given as text is read as in arithmetic
(formulas read EDATE(" 2 ";3) as 2 April of the current year).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.dateparts import excel_ymd
from sp_xl.engine.excelstats import _refuse
from sp_xl.engine.scalarmath import whole_number
from sp_xl.engine.values import EMPTY, E_NUM, E_VALUE, to_number

_LAST = 2958465                 # 31 December 9999
_EPOCH = dt.date(1899, 12, 30)  # serial 61 = 1 March 1900 from here on
_NP_EPOCH = np.datetime64(_EPOCH, "D")


def _start(name: str, v, early_ok: bool = False, time_refused: bool = False) -> object:
    """A date argument as a whole serial, or an error. Text is read as Excel reads text
    in arithmetic (engine.values.to_number, which refuses date texts it cannot be sure of)."""
    if type(v) is bool:
        return E_VALUE
    x = to_number(v)
    if isinstance(x, XlError):
        return x
    if x < 0 or x >= _LAST + 1:
        return E_NUM
    s = math.trunc(x)
    if time_refused and s != x:
        _refuse(name, "en dato med klokkeslæt", "a date with a time of day")
    if s < 61 and not early_ok:
        _refuse(name, "en dato før 1. marts 1900", "a date before 1 March 1900")
    return s


_EARLY = object()   # a result before 1 March 1900


def _result(name: str, d: dt.date) -> object:
    s = (d - _EPOCH).days
    if s < 61:
        return _EARLY
    return float(s) if s <= _LAST else E_NUM


def _excel_serial(y: int, m: int, d: int) -> int:
    """The serial of a day of Excel's calendar, whose February 1900 has 29 days; day 0 is
    the last day of the month before (1900-01-00 is serial 0)."""
    if (y, m) == (1900, 1):
        return d
    if (y, m) == (1900, 2):
        return 31 + d
    if d == 0:
        return _excel_serial(y, m, 1) - 1
    return (dt.date(y, m, d) - _EPOCH).days


def _shift_months(name: str, end_of_month: bool):
    """EDATE / EOMONTH on Excel's calendar (EDATE(0;1) is 31, as Excel caches it); a month
    before January 1900 or after December 9999 is #NUM! (formulas wrapped the year 1899 to
    3799)."""
    def fn(start, months):
        s = _start(name, start, early_ok=True)
        if isinstance(s, XlError):
            return s
        m = whole_number(months)
        if isinstance(m, XlError):
            return m
        y0, m0, d0 = excel_ymd(s)
        y, mo = divmod(y0 * 12 + m0 - 1 + m, 12)
        mo += 1
        if not 1900 <= y <= 9999:
            return E_NUM
        last = 29 if (y, mo) == (1900, 2) else calendar.monthrange(y, mo)[1]
        serial = _excel_serial(y, mo, last if end_of_month else min(d0, last))
        return float(serial) if 0 <= serial <= _LAST else E_NUM
    return fn


def _holidays(name: str, holidays) -> list | XlError:
    out = []
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
            out.append(np.datetime64(_EPOCH + dt.timedelta(days=math.trunc(h))))
    return out


def _no_arrays(name: str, *vals) -> None:
    if any(isinstance(v, np.ndarray) for v in vals):
        _refuse(name, "en matrix, hvor der skal stå én værdi", "an array where one value belongs")


def _networkdays(book, r, c, start, end, holidays=None):
    """NETWORKDAYS(start; end; [holidays]): the working days from start to end, both
    counted; negative when end comes first."""
    _no_arrays("NETWORKDAYS", start, end)
    a = _start("NETWORKDAYS", start)
    if isinstance(a, XlError):
        return a
    b = _start("NETWORKDAYS", end)
    if isinstance(b, XlError):
        return b
    hol = _holidays("NETWORKDAYS", holidays)
    if isinstance(hol, XlError):
        return hol
    lo, hi = min(a, b), max(a, b)
    d0 = _NP_EPOCH + np.timedelta64(lo, "D")
    d1 = _NP_EPOCH + np.timedelta64(hi + 1, "D")
    n = float(np.busday_count(d0, d1, holidays=hol))
    return n if a <= b else -n


def _workday(book, r, c, start, days, holidays=None):
    """WORKDAY(start; days; [holidays]): the date `days` working days (Monday-Friday, not a
    holiday) after start, or before it for a negative count; start itself for 0."""
    _no_arrays("WORKDAY", start, days)
    s = _start("WORKDAY", start)
    if isinstance(s, XlError):
        return s
    n = whole_number(days)
    if isinstance(n, XlError):
        return n
    hol = _holidays("WORKDAY", holidays)
    if isinstance(hol, XlError):
        return hol
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


def _days360(start, end, method=None):
    """DAYS360(start; end; [method]). US method (FALSE, the default): a start date on the last
    day of its month counts as the 30th (February included, but only for the start date);
    an end date on the 31st becomes the 1st of the next month when the start day is before
    the 30th, else the 30th. European method: the 31st counts as the 30th. (Excel's rule as
    Gnumeric and Apache POI reproduce it; formulas missed the February start, so DAYS360 of
    28 Feb 2011 to 31 Mar 2011 gave 31, not 30.) On Excel's calendar, whose February 1900
    has 29 days."""
    if type(start) is bool or type(end) is bool:
        _refuse("DAYS360", "en sandhedsværdi som dato", "a logical value as a date")
    a = _start("DAYS360", start, early_ok=True)
    if isinstance(a, XlError):
        return a
    b = _start("DAYS360", end, early_ok=True)
    if isinstance(b, XlError):
        return b
    if a == 0 or b == 0:
        _refuse("DAYS360", "datoen 0 (0. januar 1900)", "the date 0 (0 January 1900)")
    euro = False
    if method is not None and method is not EMPTY:
        m = to_number(method)
        if isinstance(m, XlError):
            return m
        euro = m != 0.0
    (sy, sm, sd), (ey, em, ed) = excel_ymd(a), excel_ymd(b)
    if euro:
        sd, ed = min(sd, 30), min(ed, 30)
    else:
        last = 29 if (sy, sm) == (1900, 2) else calendar.monthrange(sy, sm)[1]
        if sd == last:
            sd = 30
        sd = min(sd, 30)
        if ed == 31:
            if sd < 30:
                ed, em = 1, em + 1
            else:
                ed = 30
    return float((ey - sy) * 360 + (em - sm) * 30 + (ed - sd))


def _days(end, start):
    """DAYS(end; start): end - start for whole dates. With a time of day in a date, whether
    Excel subtracts the serials as they are (its documentation) or the whole days (the
    formulas package) is not certain: refused."""
    a = _start("DAYS", end, early_ok=True, time_refused=True)
    if isinstance(a, XlError):
        return a
    b = _start("DAYS", start, early_ok=True, time_refused=True)
    return b if isinstance(b, XlError) else float(a - b)


STRICT = {
    "DAYS360": (_days360, 2, 3), "DAYS": (_days, 2, 2),
    "EDATE": (_shift_months("EDATE", False), 2, 2), "EOMONTH": (_shift_months("EOMONTH", True), 2, 2),
}
OWN = {"WORKDAY": _workday, "NETWORKDAYS": _networkdays}
