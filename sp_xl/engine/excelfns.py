"""Excel built-ins whose ``formulas`` implementation differs from Excel at the edges.

Found by comparing with the values Excel cached in real workbooks
(tests/engine/test_excel_corpus.py): statistics that must skip text and logicals in
references but coerce them when typed in, AND/OR over ranges, ISREF, N, SWITCH on blanks,
SUBSTITUTE/REPLACE/FIND/SEARCH coercions, SUMPRODUCT's shapes, LOOKUP's two forms, DATE's
day overflow across Excel's 29 February 1900, MINVERSE/MDETERM of a single value.

Each implementation takes ``(book, row, col, *args)``; ``REF_ARGS`` functions get their
arguments as references (``RefVal``) where the formula names a range, so a range and a
typed-in value can be told apart (Excel treats them differently). ``DELEGATE`` hands the
call to the ``formulas`` implementation; ``Unsupported`` refuses the cell where Excel's
behaviour is not known well enough to reproduce.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from collections.abc import Callable

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.excelstats import STATS, _cells, _refuse
from sp_xl.engine.refs import RefVal
from sp_xl.engine.values import EMPTY, E_NA, E_NUM, E_REF, E_VALUE, compare, to_number, to_text

DELEGATE = object()


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


# ---- text -------------------------------------------------------------------------------

def _texts(*vals):
    out = []
    for v in vals:
        if isinstance(v, np.ndarray):
            return None
        t = to_text(v)
        if isinstance(t, XlError):
            return t
        out.append(t)
    return out


def _substitute(book, r, c, text, old, new, instance=None):
    ts = _texts(text, old, new)
    if ts is None or isinstance(instance, np.ndarray):
        return DELEGATE
    if isinstance(ts, XlError):
        return ts
    t, o, w = ts
    if instance is not None:
        n = to_number(instance)
        if isinstance(n, XlError):
            return n
        if n < 1:
            return E_VALUE
        if not o:
            return t
        n = int(n)
        pos = -1
        for _ in range(n):
            pos = t.find(o, pos + 1 if pos < 0 else pos + len(o))
            if pos < 0:
                return t
        return t[:pos] + w + t[pos + len(o):]
    return t.replace(o, w) if o else t


def _replace(book, r, c, text, start, count, new):
    ts = _texts(text, new)
    if ts is None or isinstance(start, np.ndarray) or isinstance(count, np.ndarray):
        return DELEGATE
    if isinstance(ts, XlError):
        return ts
    s, k = to_number(start), to_number(count)
    for x in (s, k):
        if isinstance(x, XlError):
            return x
    if s < 1 or k < 0:
        return E_VALUE
    s, k = int(s), int(k)
    t, w = ts
    return t[:s - 1] + w + t[s - 1 + k:]


def _finder(case_sensitive: bool):
    def fn(book, r, c, find, within, start=1.0):
        ts = _texts(find, within)
        if ts is None or isinstance(start, np.ndarray):
            return DELEGATE
        if isinstance(ts, XlError):
            return ts
        f, w = ts
        s = to_number(start)
        if isinstance(s, XlError):
            return s
        if s < 1 or s > len(w) + 1:
            return E_VALUE
        s = int(s)
        if case_sensitive:
            pos = w.find(f, s - 1)
            return float(pos + 1) if pos >= 0 else E_VALUE
        rx = _search_regex(f)
        m = rx.search(w, s - 1)
        return float(m.start() + 1) if m else E_VALUE
    return fn


def _search_regex(pattern: str) -> re.Pattern:
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern) and pattern[i + 1] in "*?~":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*?" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _timevalue(book, r, c, v):
    if isinstance(v, np.ndarray):
        return DELEGATE
    if isinstance(v, XlError):
        return v
    if not isinstance(v, str) or v is EMPTY:
        return E_VALUE
    from sp_xl.engine.textnum import _time
    try:
        n = _time(v.strip())
    except Exception:  # noqa: BLE001 - _Refuse: an hour past 23 and the like
        n = None
    if n is not None and n >= 1:
        n = None
    if n is None:
        if any(ch.isdigit() for ch in v):
            _refuse("TIMEVALUE", f"teksten '{v}'", f"the text '{v}'")
        return E_VALUE
    return n


# ---- arrays -----------------------------------------------------------------------------

def _sumproduct(book, r, c, *args):
    arrays = []
    for a in args:
        if isinstance(a, XlError):
            return a
        if isinstance(a, np.ndarray):
            arrays.append(a)
            continue
        if type(a) is float:
            arrays.append(np.array([[a]], dtype=object))
        elif isinstance(a, str) and a is not EMPTY:
            return E_VALUE
        else:
            _refuse("SUMPRODUCT", "et enkelt logisk eller tomt argument", "a single logical or empty argument")
    if not arrays:
        return E_VALUE
    shape = arrays[0].shape
    if any(x.shape != shape for x in arrays):
        return E_VALUE
    for x in arrays:
        for v in x.ravel().tolist():
            if isinstance(v, XlError):
                return v
    total = []
    for vals in zip(*(x.ravel().tolist() for x in arrays)):
        p = 1.0
        for v in vals:
            p *= v if type(v) is float else 0.0
        total.append(p)
    return math.fsum(total)


def _matrix_scalar(name: str):
    def fn(book, r, c, v):
        if isinstance(v, np.ndarray):
            return DELEGATE
        if isinstance(v, XlError):
            return v
        if type(v) is not float:
            return E_VALUE
        if name == "MDETERM":
            return v
        return E_NUM if v == 0 else np.array([[1.0 / v]], dtype=object)
    return fn


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


def _floor(book, r, c, x, sig=None):
    if isinstance(x, np.ndarray) or isinstance(sig, np.ndarray):
        return DELEGATE
    n = to_number(x)
    if type(n) is float and n == 0.0 and sig is not None and to_number(sig) == 0.0:
        return 0.0
    return DELEGATE


# name -> implementation; REF_ARGS: arguments compiled as references
OWN: dict[str, Callable] = {
    **STATS,
    "AND": _logical("AND", all), "OR": _logical("OR", any),
    "XOR": _logical("XOR", lambda xs: sum(xs) % 2 == 1),
    "ISREF": _isref, "N": _n, "SWITCH": _switch,
    "SUBSTITUTE": _substitute, "REPLACE": _replace, "FIND": _finder(True), "SEARCH": _finder(False),
    "TIMEVALUE": _timevalue, "SUMPRODUCT": _sumproduct,
    "MINVERSE": _matrix_scalar("MINVERSE"), "MDETERM": _matrix_scalar("MDETERM"),
    "DATE": _date, "FLOOR": _floor,
}
REF_ARGS = frozenset(STATS) | frozenset({
    "SUMSQ", "PRODUCT", "STDEV", "STDEV.S", "STDEVP", "STDEV.P", "STDEVA", "STDEVPA", "VAR", "VAR.S", "VARP",
    "VAR.P", "VARA", "VARPA", "AVEDEV", "DEVSQ", "MAXA", "MINA", "AVERAGEA", "MODE", "MODE.SNGL", "LARGE", "SMALL",
    "AND", "OR", "XOR", "ISREF",
})


# ---- LOOKUP -----------------------------------------------------------------------------

def _one(book, name: str, v):
    """A single value from an argument compiled as a reference."""
    if isinstance(v, RefVal):
        cells = _cells(book, v)
        if len(cells) != 1:
            _refuse(name, "et område, hvor der skal stå én værdi", "a range where one value belongs")
        return cells[0]
    if isinstance(v, np.ndarray):
        if v.size != 1:
            _refuse(name, "en matrix, hvor der skal stå én værdi", "an array where one value belongs")
        return v.flat[0]
    return v


def _grid(book, v) -> np.ndarray:
    if isinstance(v, RefVal):
        return book.values(v)
    if isinstance(v, np.ndarray):
        return v
    return np.array([[v]], dtype=object)


def _kind(v) -> int:
    if type(v) is float:
        return 0
    if type(v) is bool:
        return 2
    if isinstance(v, XlError):
        return 4
    if v is EMPTY:
        return 3
    return 1


def _lookup(book, r, c, value, vector, result=None):
    """LOOKUP's vector and array forms. Excel searches by bisection, so on unsorted data,
    mixed types, blanks or errors its answer depends on the search path: refused there."""
    value = _one(book, "LOOKUP", value)
    if isinstance(value, XlError):
        return value
    if value is EMPTY:
        value = 0.0      # a blank lookup value is looked up as 0
    arr = _grid(book, vector)
    if isinstance(vector, XlError):
        return vector
    if result is None:
        h, w = arr.shape
        keys, found = (arr[0, :], arr[-1, :]) if w > h else (arr[:, 0], arr[:, -1])
    else:
        res = _grid(book, result)
        if isinstance(result, XlError):
            return result
        if min(res.shape) > 1:
            _refuse("LOOKUP", "en resultatvektor med flere rækker og kolonner",
                    "a result vector with several rows and columns")
        h, w = arr.shape     # a lookup area of several columns: its first row or column
        keys, found = (arr[0, :] if w > h else arr[:, 0]), res.ravel()
    keys = keys.tolist()
    while keys and keys[-1] is EMPTY:
        keys.pop()
    want = _kind(value)
    # only values of the lookup value's type take part: errors (the LOOKUP(2;1/(A:A<>"");A:A)
    # idiom for the last filled cell), blanks and other types are passed over
    live = [(i, k) for i, k in enumerate(keys) if _kind(k) == want]
    norm = [(i, k.casefold() if want == 1 else k) for i, k in live]
    if any(a[1] > b[1] for a, b in zip(norm, norm[1:])):
        _refuse("LOOKUP", "en søgevektor, der ikke er sorteret stigende", "a lookup vector not sorted ascending")
    target = value.casefold() if want == 1 else value
    pos = -1
    for i, k in norm:
        if k <= target:
            pos = i
        else:
            break
    if pos < 0:
        return E_NA
    found = found.tolist() if isinstance(found, np.ndarray) else list(found)
    if pos >= len(found):
        _refuse("LOOKUP", "en resultatvektor, der er kortere end søgevektoren", "a result vector shorter than the lookup vector")
    return found[pos]


OWN["LOOKUP"] = _lookup
REF_ARGS = REF_ARGS | {"LOOKUP"}


# ---- LINEST, LOGEST, TREND, GROWTH -------------------------------------------------------

def regression_guard(name: str, vals: list) -> object:
    """None when the ``formulas`` implementation matches Excel for these arguments: the
    intercept computed (const omitted or TRUE), no statistics, known_y and known_x of one
    length, and a design matrix of full rank (Excel drops collinear columns, formulas does
    not). #REF! for lengths that differ; Unsupported otherwise."""
    for v in vals:
        if isinstance(v, XlError):
            return v
    fit = name in ("LINEST", "LOGEST")
    const = vals[2] if fit and len(vals) > 2 else vals[3] if not fit and len(vals) > 3 else EMPTY
    if const is not EMPTY and const is not True and not (type(const) is float and const != 0):
        _refuse(name, "const-argumentet", "the const argument")
    if fit and len(vals) > 3 and vals[3] is not EMPTY and vals[3] is not False and vals[3] != 0.0:
        _refuse(name, "statistikken (stats = TRUE)", "the statistics (stats = TRUE)")
    y = _grid(None, vals[0]) if not isinstance(vals[0], RefVal) else None
    if y is None:
        return None
    n = y.size
    has_x = len(vals) > 1 and vals[1] is not EMPTY
    if has_x:
        x = _grid(None, vals[1])
        if y.shape[1] == 1 and y.shape[0] > 1:
            if x.shape[0] != n:
                return E_REF
            design = x
        elif y.shape[0] == 1 and y.shape[1] > 1:
            if x.shape[1] != n:
                return E_REF
            design = x.T
        else:
            _refuse(name, "en enkelt y-værdi", "a single y value")
        if any(type(v) is not float for v in design.ravel().tolist()):
            return None  # formulas gives #VALUE! as Excel does
        design = np.array(design, dtype=float)
    else:
        design = np.arange(1.0, n + 1.0).reshape(-1, 1)
    design = np.hstack([design, np.ones((design.shape[0], 1))])
    if design.shape[0] < design.shape[1] or np.linalg.matrix_rank(design) < design.shape[1]:
        _refuse(name, "sammenfaldende (kollineære) x-værdier", "collinear x values")
    return None


def _value_fn(book, r, c, v):
    if isinstance(v, np.ndarray):
        return DELEGATE
    if isinstance(v, XlError) or type(v) is float:
        return v
    if v is EMPTY:
        return 0.0
    if type(v) is bool:
        return E_VALUE
    return to_number(v)


OWN["VALUE"] = _value_fn


def _text(book, r, c, value, fmt):
    """TEXT(value; format) with Excel's format codes (engine.numfmt)."""
    from sp_xl.engine.numfmt import format_value
    if isinstance(value, np.ndarray) or isinstance(fmt, np.ndarray):
        _refuse("TEXT", "en matrix som argument", "an array argument")
    if isinstance(value, XlError):
        return value
    f = to_text(fmt)
    if isinstance(f, XlError):
        return f
    if value is EMPTY:
        value = 0.0
    elif isinstance(value, str):
        n = to_number(value)     # numeric text is formatted as the number
        if type(n) is float:
            value = n
    return format_value(value, f, bool(book.date1904))


OWN["TEXT"] = _text


def _dollar(book, r, c, value, decimals=2.0):
    """DOLLAR(number; decimals) in English Excel: $#,##0.00 with the negative in parentheses."""
    from sp_xl.engine.numfmt import format_value
    if isinstance(value, np.ndarray) or isinstance(decimals, np.ndarray):
        _refuse("DOLLAR", "en matrix som argument", "an array argument")
    x, d = to_number(value), to_number(EMPTY if decimals is EMPTY else decimals)
    for v in (x, d):
        if isinstance(v, XlError):
            return v
    d = int(d)
    if d > 127:
        return E_VALUE
    if d < 0:
        x = float(Decimal(repr(x)).scaleb(d).quantize(Decimal(1), rounding=ROUND_HALF_UP).scaleb(-d))
        d = 0
    body = "$#,##0" + ("." + "0" * d if d else "")
    return format_value(x, f"{body};({body})", bool(book.date1904))


OWN["DOLLAR"] = _dollar


# ---- CONCAT, TEXTJOIN: numbers as Excel writes them (formulas uses Python's repr) ----------

def _flat(book, v) -> list:
    cells = _cells(book, v)
    return [v] if cells is None else cells


def _join_texts(book, args) -> list | XlError:
    out = []
    for a in args:
        for v in _flat(book, a):
            t = to_text(v)
            if isinstance(t, XlError):
                return t
            out.append((t, v is EMPTY))
    return out


def _concat(book, r, c, *args):
    parts = _join_texts(book, args)
    if isinstance(parts, XlError):
        return parts
    text = "".join(t for t, _ in parts)
    return E_VALUE if len(text) > 32767 else text


def _textjoin(book, r, c, delimiter, ignore_empty, *args):
    if isinstance(delimiter, np.ndarray) or isinstance(ignore_empty, np.ndarray):
        _refuse("TEXTJOIN", "en matrix som skilletegn", "an array as delimiter")
    d = to_text(delimiter)
    if isinstance(d, XlError):
        return d
    skip = ignore_empty if type(ignore_empty) is bool else to_number(ignore_empty)
    if isinstance(skip, XlError):
        return skip
    parts = _join_texts(book, args)
    if isinstance(parts, XlError):
        return parts
    if skip and any(t == "" and not blank for t, blank in parts):
        _refuse("TEXTJOIN", "tom tekst fra en formel", "empty text from a formula")
    text = d.join(t for t, blank in parts if not (skip and blank))
    return E_VALUE if len(text) > 32767 else text


OWN["CONCAT"] = _concat
OWN["TEXTJOIN"] = _textjoin


# ---- complex numbers: only the parts, as numbers ------------------------------------------

_COMPLEX = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)?(?:([+-]?(?:\d+\.?\d*|\.\d+)?(?:[eE][+-]?\d+)?)([ij]))?$")


def _complex_part(which: str):
    """IMREAL, IMAGINARY, IMABS of 'a+bi' text (or a number); the other IM functions give
    text that Excel writes with its own rounding: refused (compile.REFUSED)."""
    def fn(book, r, c, v):
        if isinstance(v, np.ndarray):
            _refuse(which, "en matrix som argument", "an array argument")
        if isinstance(v, XlError):
            return v
        if type(v) is float:
            re_, im = v, 0.0
        elif type(v) is bool or v is EMPTY:
            return E_VALUE
        else:
            m = _COMPLEX.match(v.strip())
            if not m or not (m.group(1) or m.group(3)) or not v.strip():
                return E_NUM
            re_ = float(m.group(1)) if m.group(1) else 0.0
            if m.group(3):
                coef = m.group(2)
                im = 1.0 if coef in ("", "+") else -1.0 if coef == "-" else float(coef)
                if m.group(1) and coef and coef[0] not in "+-":
                    return E_NUM        # '3 4i' is no number
            else:
                im = 0.0
        if which == "IMREAL":
            return re_
        if which == "IMAGINARY":
            return im
        return math.hypot(re_, im)
    return fn


OWN.update({name: _complex_part(name) for name in ("IMREAL", "IMAGINARY", "IMABS")})


# ---- dynamic arrays ---------------------------------------------------------------------

# Functions of Excel 365 whose result spills: the array range a file stores is the spill
# range of the last calculation, so a result of another size is refused (engine.evaluate).
SPILLING = frozenset({
    "FILTER", "SORT", "SORTBY", "UNIQUE", "SEQUENCE", "RANDARRAY", "XLOOKUP", "TEXTSPLIT", "VSTACK", "HSTACK",
    "TOCOL", "TOROW", "WRAPROWS", "WRAPCOLS", "TAKE", "DROP", "CHOOSECOLS", "CHOOSEROWS", "EXPAND",
})


def _sequence(book, r, c, rows, cols=1.0, start=1.0, step=1.0):
    vals = [to_number(EMPTY if v is EMPTY else v) for v in (rows, cols, start, step)]
    if any(isinstance(v, np.ndarray) for v in (rows, cols, start, step)):
        _refuse("SEQUENCE", "en matrix som argument", "an array argument")
    for v in vals:
        if isinstance(v, XlError):
            return v
    n, m = int(vals[0]) if rows is not EMPTY else 1, int(vals[1]) if cols is not EMPTY else 1
    first = vals[2] if start is not EMPTY else 1.0
    inc = vals[3] if step is not EMPTY else 1.0
    if n < 1 or m < 1:
        _refuse("SEQUENCE", "et tomt resultat (#CALC!)", "an empty result (#CALC!)")
    out = np.empty((n, m), dtype=object)
    for i in range(n):
        for j in range(m):
            out[i, j] = first + (i * m + j) * inc
    return out


def _sort_guard(book, r, c, array, index=1.0, order=1.0, by_col=False):
    """SORT as the ``formulas`` package does it, where Excel's order is certain: one type
    in the sort key, and no ties when sorting descending."""
    arr = _grid(book, array)
    if isinstance(array, XlError):
        return array
    try:
        k = int(to_number(index)) if index is not EMPTY else 1
        desc = (to_number(order) if order is not EMPTY else 1.0) == -1.0
        cols = bool(by_col) if by_col is not EMPTY else False
    except TypeError:
        return DELEGATE
    key = (arr[k - 1, :] if cols else arr[:, k - 1]).tolist() if 1 <= k <= (arr.shape[0] if cols else arr.shape[1]) else []
    kinds = {_kind(v) for v in key}
    if len(kinds) > 1 or kinds & {3, 4}:
        _refuse("SORT", "blandede typer, tomme celler eller fejl i sorteringsnøglen",
                "mixed types, blanks or errors in the sort key")
    norm = [v.casefold() if isinstance(v, str) else v for v in key]
    if desc and len(set(norm)) < len(norm):
        _refuse("SORT", "ens værdier ved faldende sortering", "equal values in a descending sort")
    return DELEGATE


OWN["SEQUENCE"] = _sequence
OWN["SORT"] = _sort_guard


def _countblank(book, r, c, ref):
    """COUNTBLANK: empty cells and empty text, over the whole reference (A:A has 1,048,576)."""
    if isinstance(ref, XlError):
        return ref
    if not isinstance(ref, RefVal):
        _refuse("COUNTBLANK", "et argument, der ikke er en reference", "an argument that is not a reference")
    filled = sum(1 for v in _cells(book, ref) if not (v is EMPTY or (type(v) is str and v == "")))
    return float((ref.r2 - ref.r1 + 1) * (ref.c2 - ref.c1 + 1) - filled)


OWN["COUNTBLANK"] = _countblank
REF_ARGS = REF_ARGS | {"COUNTBLANK"}
