"""Numpy forms of scalar functions, for columns of plain numbers (engine.columns).

Each kernel takes float64 arrays (one per argument, equal length) and returns the results
and a mask of the rows it answered. A row it does not answer (out of range, a half-way
case of rounding, anything it would have to think about) goes to the function's scalar
implementation, so the column gives exactly the values the cell-by-cell evaluation gives:
tests/engine/test_kernels.py compares every kernel with its scalar function.
"""

from __future__ import annotations

import numpy as np

_LAST_SERIAL = 2958465                          # 31 December 9999
_EPOCH = np.datetime64("1899-12-30", "D")       # serial 0 in the 1900 system from 1 March 1900 on
_WEEKDAY_FIRST = {1: (0, 1), 2: (1, 1), 3: (1, 0), 11: (1, 1), 12: (2, 1), 13: (3, 1), 14: (4, 1),
                  15: (5, 1), 16: (6, 1), 17: (0, 1)}     # as engine.dateparts


def _days(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whole days of serials after Excel's phantom 29 February 1900, and which rows are."""
    ok = (x >= 61.0) & (x < _LAST_SERIAL + 1)
    return np.where(ok, np.floor(np.where(ok, x, 61.0)), 61.0).astype(np.int64), ok


def _ymd(x: np.ndarray):
    days, ok = _days(x)
    dates = _EPOCH + days
    months = dates.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day, ok


def year(x):
    y, _, _, ok = _ymd(x)
    return y.astype(float), ok


def month(x):
    _, m, _, ok = _ymd(x)
    return m.astype(float), ok


def day(x):
    _, _, d, ok = _ymd(x)
    return d.astype(float), ok


def weekday(x, kind=None):
    days, ok = _days(x)
    k = 1.0 if kind is None else kind
    if np.ndim(k) or k not in _WEEKDAY_FIRST:
        return days.astype(float), np.zeros_like(ok)
    first, number = _WEEKDAY_FIRST[int(k)]
    return ((days - 1 - first) % 7 + number).astype(float), ok


def round_half_up(x, digits=None):
    """ROUND: Excel rounds the 15-digit decimal of the value half away from zero. Away from
    a half-way case the binary value rounds the same; rows near one go to the scalar path."""
    d = 0.0 if digits is None else digits
    if np.ndim(d) or not -15 <= d <= 15:
        return x, np.zeros(x.shape, dtype=bool)
    d = int(d)
    scale = 10.0 ** abs(d)
    with np.errstate(all="ignore"):
        y = np.abs(x) * scale if d >= 0 else np.abs(x) / scale
        frac = y - np.floor(y)
        # below 1e14 the rounding digit lies above the 15 significant digits Excel keeps
        ok = np.isfinite(y) & (y < 1e14) & (np.abs(frac - 0.5) > 4e-15 * y + 1e-9)
        k = np.floor(y + 0.5)
        out = np.copysign(k / scale if d >= 0 else k * scale, x)
    return out, ok


def integer(x):
    return np.floor(x) + 0.0, np.isfinite(x)      # + 0.0: INT(-0) is 0, as float(math.floor(-0.0))


def absolute(x):
    return np.abs(x), np.isfinite(x)


def date(y, m, d):
    """DATE(year; month; day) with whole-number truncation, years 0-1899 counted from 1900,
    months and days running over into the next or previous year/month."""
    with np.errstate(all="ignore"):
        finite = np.isfinite(y) & np.isfinite(m) & np.isfinite(d) & (np.abs(y) < 1e6) & (np.abs(m) < 1e6) \
            & (np.abs(d) < 1e7)
        yi = np.trunc(np.where(finite, y, 2000.0)).astype(np.int64)
        mi = np.trunc(np.where(finite, m, 1.0)).astype(np.int64)
        di = np.trunc(np.where(finite, d, 1.0)).astype(np.int64)
    yi = np.where((yi >= 0) & (yi < 1900), yi + 1900, yi)
    total = yi * 12 + (mi - 1)                       # months since year 0
    first = (total - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")
    serial = (first - _EPOCH).astype(np.int64) + di - 1
    ok = finite & (yi >= 1900) & (yi < 10000) & (total >= 1900 * 12 + 2) & (total < 10000 * 12) \
        & (serial >= 61) & (serial <= _LAST_SERIAL)
    return serial.astype(float), ok


KERNELS = {"YEAR": year, "MONTH": month, "DAY": day, "WEEKDAY": weekday, "ROUND": round_half_up,
           "INT": integer, "ABS": absolute, "DATE": date}
