"""Excel's lookup, matrix and array functions where the ``formulas`` package differs or
where Excel's answer is only certain under conditions: LOOKUP (bisection over sorted data),
SUMPRODUCT's shapes, MINVERSE/MDETERM of one value, LINEST/TREND guards, the dynamic-array
functions of Excel 365 (SEQUENCE, SORT; SPILLING for the spill-range check), COUNTBLANK.
Signatures as in engine.excelfns.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.excelstats import DELEGATE, _cells, _refuse
from sp_xl.engine.linest import linest
from sp_xl.engine.refs import RefVal
from sp_xl.engine.values import EMPTY, E_NA, E_NUM, E_REF, E_VALUE, to_number


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




# ---- LINEST, LOGEST, TREND, GROWTH -------------------------------------------------------

def regression_guard(name: str, vals: list) -> object:
    """None when the ``formulas`` implementation matches Excel for these arguments: the
    intercept computed (const omitted or TRUE), no statistics, known_y and known_x of one
    length, and a design matrix of full rank (Excel drops collinear columns, formulas does
    not). The result itself for one x that never changes (Excel drops it: slope 0, the mean);
    #REF! for lengths that differ; Unsupported otherwise."""
    for v in vals:
        if isinstance(v, XlError):
            return v
    fit = name in ("LINEST", "LOGEST")
    const = vals[2] if fit and len(vals) > 2 else vals[3] if not fit and len(vals) > 3 else EMPTY
    no_const = const is not EMPTY and const is not True and not (type(const) is float and const != 0)
    stats = fit and len(vals) > 3 and vals[3] is not EMPTY and vals[3] is not False and vals[3] != 0.0
    own = (no_const or stats) and name == "LINEST"     # engine.linest, not formulas
    if no_const and not own:
        _refuse(name, "const-argumentet", "the const argument")
    if stats and not own:
        _refuse(name, "statistikken (stats = TRUE)", "the statistics (stats = TRUE)")
    if own and (type(const) not in (bool, float) and const is not EMPTY or isinstance(vals[3], np.ndarray)):
        _refuse(name, "const eller stats som andet end en logisk værdi", "const or stats other than a logical value")
    y = _grid(None, vals[0]) if not isinstance(vals[0], RefVal) else None
    if y is None:
        if own:
            _refuse(name, "en reference, formelmotoren ikke læser her", "a reference the engine does not read here")
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
        elif y.shape[0] > 1 and y.shape[1] > 1 and x.shape != y.shape:
            return E_REF        # y over rows and columns: x must have its shape (083_pycel__stats.xlsx)
        elif y.size == 1:
            _refuse(name, "en enkelt y-værdi", "a single y value")
        else:
            _refuse(name, "y-værdier i både rækker og kolonner", "y values over both rows and columns")
        if any(type(v) is not float for v in design.ravel().tolist()):
            return E_VALUE if own else None  # formulas gives #VALUE! as Excel does
        design = np.array(design, dtype=float)
    else:
        design = np.arange(1.0, n + 1.0).reshape(-1, 1)
    x_only = design
    design = np.hstack([design, np.ones((design.shape[0], 1))]) if not no_const else design
    full_rank = design.shape[0] >= design.shape[1] and np.linalg.matrix_rank(design) == design.shape[1]
    if own:
        ys = y.ravel().tolist()
        if any(type(v) is not float for v in ys):
            return E_VALUE
        if not full_rank:
            _refuse(name, "sammenfaldende (kollineære) x-værdier", "collinear x values")
        got = linest(np.array(ys, dtype=float), np.array(x_only, dtype=float), not no_const, stats)
        if isinstance(got, str):
            _refuse(name, "statistik uden frihedsgrader eller med en eksakt tilpasning",
                    "statistics without degrees of freedom or for an exact fit")
        return got
    if not full_rank:
        ys = y.ravel().tolist()
        if (name in ("LINEST", "TREND") and x_only.shape[1] == 1 and len(set(x_only.ravel().tolist())) == 1
                and all(type(v) is float for v in ys)):
            # one x that never changes: Excel drops it (slope 0) and fits the mean
            mean = math.fsum(ys) / len(ys)
            if name == "LINEST":
                return np.array([[0.0, mean]], dtype=object)
            shape = vals[2] if len(vals) > 2 and isinstance(vals[2], np.ndarray) else None
            if len(vals) > 2 and vals[2] is not EMPTY and shape is None:
                return mean
            out = np.empty(shape.shape if shape is not None else y.shape, dtype=object)
            out.fill(mean)
            return out
        _refuse(name, "sammenfaldende (kollineære) x-værdier", "collinear x values")
    return None


# ---- dynamic arrays ---------------------------------------------------------------------

# Functions of Excel 365 whose result spills: the array range a file stores is the spill
# range of the last calculation, so a result of another size is refused (engine.evaluate).
SPILLING = frozenset({
    "FILTER", "SORT", "SORTBY", "UNIQUE", "SEQUENCE", "RANDARRAY", "XLOOKUP", "TEXTSPLIT", "VSTACK", "HSTACK",
    "TOCOL", "TOROW", "WRAPROWS", "WRAPCOLS", "TAKE", "DROP", "CHOOSECOLS", "CHOOSEROWS", "EXPAND",
    "MAP", "BYROW", "BYCOL", "SCAN", "MAKEARRAY",
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




def _countblank(book, r, c, ref):
    """COUNTBLANK: empty cells and empty text, over the whole reference (A:A has 1,048,576)."""
    if isinstance(ref, XlError):
        return ref
    if not isinstance(ref, RefVal):
        _refuse("COUNTBLANK", "et argument, der ikke er en reference", "an argument that is not a reference")
    filled = sum(1 for v in _cells(book, ref) if not (v is EMPTY or (type(v) is str and v == "")))
    return float((ref.r2 - ref.r1 + 1) * (ref.c2 - ref.c1 + 1) - filled)


def _xlookup_guard(book, r, c, value, lookup, result, if_not_found=None, match_mode=0.0, search_mode=1.0):
    """XLOOKUP through the ``formulas`` package where its answer is Excel's: the return array
    must fit the lookup array (else #VALUE!), and the binary search modes are refused."""
    look, res = _grid(book, lookup), _grid(book, result)
    for v in (value, lookup, result):
        if isinstance(v, XlError):
            return v
    if min(look.shape) != 1:
        return E_VALUE
    n = look.size
    vertical = look.shape[1] == 1 and look.shape[0] > 1 or (look.shape == (1, 1) and res.shape[0] == 1)
    if (res.shape[0] if vertical else res.shape[1]) != n:
        return E_VALUE
    if (res.shape[1] if vertical else res.shape[0]) != 1:
        _refuse("XLOOKUP", "en resultatmatrix med flere kolonner eller rækker", "a return array of several columns or rows")
    mode = to_number(search_mode) if search_mode is not None and search_mode is not EMPTY else 1.0
    if isinstance(mode, XlError):
        return mode
    if mode not in (1.0, -1.0):
        _refuse("XLOOKUP", "binær søgning (search_mode 2 eller -2)", "binary search (search_mode 2 or -2)")
    return DELEGATE


ARRAY_FUNCTIONS: dict[str, Callable] = {
    "XLOOKUP": _xlookup_guard,
    "SUMPRODUCT": _sumproduct, "MINVERSE": _matrix_scalar("MINVERSE"), "MDETERM": _matrix_scalar("MDETERM"),
    "LOOKUP": _lookup, "SEQUENCE": _sequence, "SORT": _sort_guard, "COUNTBLANK": _countblank,
}
ARRAY_REF_ARGS = frozenset({"LOOKUP", "COUNTBLANK"})
