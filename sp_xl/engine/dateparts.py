"""YEAR, MONTH, DAY and WEEKDAY of a date serial, without the ``formulas`` package.

Why: these sit in filled-down columns (=YEAR(A2), =WEEKDAY(A2;2)) and formulas' versions
cost ~25 µs a call through ``np.vectorize``. Only the plain case is handled here, a number
or an empty cell (serial 0, Excel's "0 January 1900"); text, logicals and errors return
``DELEGATE`` so the general implementation decides, as before.

Serials follow the 1900 system with Excel's phantom 29 February 1900 (serial 60); a 1904
workbook's serials are moved into the 1900 system before they get here (compile.py).
"""

from __future__ import annotations

import datetime as dt
import math

from sp_xl.engine.excelstats import DELEGATE
from sp_xl.engine.values import EMPTY, E_NUM
_LAST_SERIAL = 2958465          # 31 December 9999
_BASE = dt.date(1899, 12, 31)   # serial 1 = 1 January 1900


def _serial(x: object) -> int | object:
    if x is EMPTY:
        return 0
    if type(x) is not float:
        return DELEGATE
    if not (0.0 <= x < _LAST_SERIAL + 1) or math.isnan(x):
        return E_NUM
    return int(x)


def excel_ymd(serial: int) -> tuple[int, int, int]:
    """Year, month, day of a whole 1900-system serial, in Excel's calendar (0 January 1900,
    the phantom 29 February 1900)."""
    if serial == 0:
        return 1900, 1, 0
    if serial == 60:
        return 1900, 2, 29
    d = _BASE + dt.timedelta(days=serial if serial < 60 else serial - 1)
    return d.year, d.month, d.day


def _part(index: int):
    def fn(x):
        s = _serial(x)
        return s if type(s) is not int else float(excel_ymd(s)[index])
    return fn


# WEEKDAY's return types: the weekday numbered 1 (or 0) from which day. Serial 1 is a Sunday
# in Excel's calendar (it keeps the 1900 leap-year error), so (serial - 1) % 7 == 0 is Sunday.
_FIRST = {1: (0, 1), 2: (1, 1), 3: (1, 0), 11: (1, 1), 12: (2, 1), 13: (3, 1), 14: (4, 1), 15: (5, 1),
          16: (6, 1), 17: (0, 1)}   # type -> (first day: 0 Sunday .. 6 Saturday, number of that day)


def weekday(x, kind=1.0):
    s = _serial(x)
    if type(s) is not int:
        return s
    if kind is EMPTY or type(kind) is not float:
        return DELEGATE
    spec = _FIRST.get(int(kind)) if kind == kind and abs(kind) < 1e9 else None
    if spec is None:
        return E_NUM
    first, number = spec
    return float((s - 1 - first) % 7 + number)


STRICT = {"YEAR": (_part(0), 1, 1), "MONTH": (_part(1), 1, 1), "DAY": (_part(2), 1, 1),
          "WEEKDAY": (weekday, 1, 2)}
