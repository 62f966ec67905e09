"""Excel built-ins whose ``formulas`` implementation differs from Excel at the edges.

Found by comparing with the values Excel cached in real workbooks
(tests/engine/test_excel_corpus.py): statistics that must skip text and logicals in
references but coerce them when typed in, AND/OR over ranges, ISREF, N, SWITCH on blanks,
SWITCH on blanks, DATE's day overflow across Excel's 29 February 1900; the statistics in
engine.excelstats, text functions in engine.exceltext, lookups and arrays in engine.excelarrays.

Each implementation takes ``(book, row, col, *args)``; ``REF_ARGS`` functions get their
arguments as references (``RefVal``) where the formula names a range, so a range and a
typed-in value can be told apart (Excel treats them differently). ``DELEGATE`` hands the
call to the ``formulas`` implementation; ``Unsupported`` refuses the cell where Excel's
behaviour is not known well enough to reproduce.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.dateparts import excel_ymd
from sp_xl.engine.excelarrays import ARRAY_FUNCTIONS, ARRAY_REF_ARGS, SPILLING, regression_guard
from sp_xl.engine.excelstats import DELEGATE, STATS, _cells, _refuse
from sp_xl.engine.exceltext import TEXT_FUNCTIONS
from sp_xl.engine.finance import OWN_REF as FINANCE_REF
from sp_xl.engine.ranks import RANKS
from sp_xl.engine.workdays import OWN as WORKDAYS
from sp_xl.engine.refs import RefVal
from sp_xl.engine.values import EMPTY, E_NA, E_NUM, E_VALUE, compare, danish, to_number

__all__ = ["DELEGATE", "OWN", "REF_ARGS", "SPILLING", "regression_guard"]


# ---- logical and information -------------------------------------------------------------

def _logical(name: str, combine: Callable[[list], bool]):
    def fn(book, r, c, *args):
        seen: list[bool] = []
        for a in args:
            cells = _cells(book, a)
            if cells is None:
                if isinstance(a, XlError):
                    return a
                if type(a) is bool or type(a) is float:
                    seen.append(bool(a))
                elif a is EMPTY:
                    _refuse(name, "et tomt argument", "an empty argument")
                elif isinstance(a, str):
                    up = a.strip().upper()
                    if up not in ("TRUE", "FALSE"):
                        return E_VALUE
                    seen.append(up == "TRUE")
                continue
            for v in cells:
                if isinstance(v, XlError):
                    return v
                if type(v) is bool or type(v) is float:
                    seen.append(bool(v))
        if not seen:
            return E_VALUE
        return combine(seen)
    return fn


def _isref(book, r, c, v=None):
    return isinstance(v, RefVal)


def _n(book, r, c, v):
    if isinstance(v, np.ndarray):
        v = v.flat[0]
    if type(v) is float or isinstance(v, XlError):
        return v
    if type(v) is bool:
        return 1.0 if v else 0.0
    return 0.0


def _switch(book, r, c, expr, *rest):
    if isinstance(expr, np.ndarray) or any(isinstance(v, np.ndarray) for v in rest):
        return DELEGATE
    if isinstance(expr, XlError):
        return expr
    pairs, default = rest[:len(rest) // 2 * 2], (rest[-1] if len(rest) % 2 else None)
    for i in range(0, len(pairs), 2):
        case = pairs[i]
        if isinstance(case, XlError):
            return case
        # a blank matches 0 but not "" or FALSE (Excel's SWITCH)
        same = compare("=", 0.0 if expr is EMPTY else expr, 0.0 if case is EMPTY else case)
        if same is True:
            return pairs[i + 1]
    return E_NA if default is None else default


# ---- dates and numbers ------------------------------------------------------------------

def _serial_1900(y: int, m: int) -> int:
    """Serial of the first day of month m of year y (m may be outside 1..12), 1900 system."""
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    d = dt.date(y, m, 1)
    days = (d - dt.date(1899, 12, 31)).days
    return days + 1 if d >= dt.date(1900, 3, 1) else days


def _date(book, r, c, y, m, d):
    if any(isinstance(v, np.ndarray) for v in (y, m, d)):
        return DELEGATE
    vals = [to_number(v) for v in (y, m, d)]
    for v in vals:
        if isinstance(v, XlError):
            return v
    y, m, d = (int(v) for v in vals)
    if 0 <= y < 1900:
        y += 1900
    if y < 0 or y >= 10000:
        return E_NUM
    try:
        serial = _serial_1900(y, m) + d - 1
    except (ValueError, OverflowError):
        return E_NUM
    if serial < 0 or serial > 2958465:
        return E_NUM
    return float(serial)




def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def _yearfrac(book, r, c, start, end, basis=0.0):
    """YEARFRAC as Excel computes it (US 30/360 with its February rules; actual/actual with
    365 or 366 for spans up to a year, else the average length of the years spanned)."""
    vals = [start, end, 0.0 if basis is EMPTY else basis]
    if any(isinstance(v, np.ndarray) for v in vals):
        return DELEGATE
    for i, v in enumerate(vals):
        if type(v) is bool:
            return E_VALUE
        v = to_number(v)
        if isinstance(v, XlError):
            return v
        vals[i] = v
    a, b, k = int(vals[0]), int(vals[1]), int(vals[2])
    if k not in (0, 1, 2, 3, 4):
        return E_NUM
    if a < 0 or b < 0 or max(a, b) > 2958465:
        return E_NUM
    if a > b:
        a, b = b, a
    if a < 61:
        _refuse("YEARFRAC", "en dato før 1. marts 1900", "a date before 1 March 1900")
    (y1, m1, d1), (y2, m2, d2) = excel_ymd(a), excel_ymd(b)
    days = b - a
    if k == 2:
        return days / 360
    if k == 3:
        return days / 365
    if k == 4:
        return (360 * (y2 - y1) + 30 * (m2 - m1) + min(d2, 30) - min(d1, 30)) / 360
    if k == 0:
        feb_end1 = m1 == 2 and d1 == (29 if _leap(y1) else 28)
        feb_end2 = m2 == 2 and d2 == (29 if _leap(y2) else 28)
        if d1 == 31 and d2 == 31:
            d1 = d2 = 30
        elif d1 == 31:
            d1 = 30
        elif d1 == 30 and d2 == 31:
            d2 = 30
        elif feb_end1 and feb_end2:
            d1 = d2 = 30
        elif feb_end1:
            d1 = 30
        return (360 * (y2 - y1) + 30 * (m2 - m1) + d2 - d1) / 360
    if y1 == y2 or (y2 == y1 + 1 and (m1 > m2 or (m1 == m2 and d1 >= d2))):
        if y1 == y2 and _leap(y1):
            length = 366
        elif any(_leap(y) and a <= (dt.date(y, 2, 29) - dt.date(1899, 12, 30)).days <= b for y in (y1, y2)):
            length = 366
        else:
            length = 365
        return days / length
    spanned = (dt.date(y2 + 1, 1, 1) - dt.date(y1, 1, 1)).days
    return days / (spanned / (y2 - y1 + 1))


def _floor(book, r, c, x, sig=None):
    if isinstance(x, np.ndarray) or isinstance(sig, np.ndarray):
        return DELEGATE
    n = to_number(x)
    if type(n) is float and n == 0.0 and sig is not None and to_number(sig) == 0.0:
        return 0.0
    return DELEGATE


# name -> implementation; REF_ARGS: arguments compiled as references
_PREFIX = re.compile(r"_xlfn\.(?:_xlws\.)?|_xlws\.", re.IGNORECASE)


def _formulatext(book, r, c, ref):
    """FORMULATEXT: the formula as Excel shows it ({=...} for an array formula), #N/A for a constant."""
    if danish():
        _refuse("FORMULATEXT", "dansk Excel viser formlen med danske funktionsnavne",
                "Danish Excel shows the formula with Danish function names")
    if isinstance(ref, XlError):
        return ref
    if not isinstance(ref, RefVal):
        return E_NA
    hit = book.formula_texts.get((ref.si, ref.r1, ref.c1))
    if hit is None:
        return E_NA
    text, is_array = hit
    if "[" in text and re.search(r"\[\d+\]", text):
        _refuse("FORMULATEXT", "en formel, der henviser til en anden projektmappe", "a formula referring to another workbook")
    text = "=" + _PREFIX.sub("", text)
    return "{" + text + "}" if is_array else text


OWN: dict[str, Callable] = {
    **STATS, **TEXT_FUNCTIONS, **ARRAY_FUNCTIONS, **FINANCE_REF, **RANKS, **WORKDAYS,
    "AND": _logical("AND", all), "OR": _logical("OR", any),
    "XOR": _logical("XOR", lambda xs: sum(xs) % 2 == 1),
    "ISREF": _isref, "N": _n, "SWITCH": _switch, "DATE": _date, "FLOOR": _floor, "YEARFRAC": _yearfrac, "FORMULATEXT": _formulatext,
}
REF_ARGS = frozenset(STATS) | frozenset(FINANCE_REF) | frozenset(RANKS) | ARRAY_REF_ARGS | frozenset({"AND", "OR", "XOR", "ISREF", "FORMULATEXT"})
