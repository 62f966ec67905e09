"""Excel's statistics over numbers: which argument values count, and the results' edge cases.

In a reference or an array only numbers count (the A-functions also count text as 0 and
logicals as 1/0); typed-in logicals and numeric text are converted; errors propagate. The
``formulas`` package gets a single-cell reference as a bare value and so cannot tell
=MEDIAN(A1:A3;B1) (B1 text: ignored) from =MEDIAN(1;2;"x") (#VALUE!): these functions take
their arguments as references (engine.excelfns.REF_ARGS) and are computed here.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.parse import Unsupported
from sp_xl.engine.refs import RefVal
from sp_xl.engine.values import EMPTY, E_DIV0, E_NA, E_NUM, E_VALUE, to_number

DELEGATE = object()   # an implementation's answer: let the ``formulas`` package compute it

def _refuse(name: str, what_da: str, what_en: str):
    raise Unsupported(f"{name}: {what_da}; det efterligner formelmotoren ikke.",
                      f"{name}: {what_en}; the engine does not reproduce that.")


def _cells(book, a) -> list | None:
    """The values of a reference or array argument, row by row; None for a typed-in scalar."""
    if isinstance(a, RefVal):
        return book.values(a).ravel().tolist()
    if isinstance(a, np.ndarray):
        return a.ravel().tolist()
    return None


# ---- statistics over numbers -------------------------------------------------------------

def _numbers(book, name: str, args, a_mode: bool = False, direct_text: bool = True):
    """Excel's argument rules: in references and arrays only numbers count (the A-functions
    also count text as 0 and logicals as 1/0); typed-in logicals and numeric text are
    converted. Returns (list of floats, first error or None)."""
    out: list[float] = []
    for a in args:
        cells = _cells(book, a)
        if cells is None:
            if isinstance(a, XlError):
                return out, a
            if type(a) is float:
                out.append(a)
            elif type(a) is bool:
                out.append(1.0 if a else 0.0)
            elif a is EMPTY:
                _refuse(name, "et tomt argument", "an empty argument")
            elif isinstance(a, str):
                if not direct_text:
                    return out, E_VALUE
                n = to_number(a)
                if isinstance(n, XlError):
                    return out, n
                out.append(n)
            continue
        for v in cells:
            t = type(v)
            if t is float:
                out.append(v)
            elif isinstance(v, XlError):
                return out, v
            elif v is EMPTY:
                continue
            elif a_mode:
                out.append((1.0 if v else 0.0) if t is bool else 0.0)
    return out, None


def _stat(reduce: Callable[[list], object], a_mode: bool = False, direct_text: bool = True, name: str = ""):
    def fn(book, r, c, *args):
        nums, err = _numbers(book, name, args, a_mode, direct_text)
        return err if err is not None else reduce(nums)
    return fn


def _mean(x):
    return math.fsum(x) / len(x)


def _var(ddof: int, empty=E_DIV0):
    def fn(x):
        if len(x) <= ddof or not x:
            return empty
        m = _mean(x)
        return math.fsum((v - m) ** 2 for v in x) / (len(x) - ddof)
    return fn


def _sd(ddof: int):
    var = _var(ddof)
    return lambda x: (lambda v: v if isinstance(v, XlError) else math.sqrt(v))(var(x))


def _avedev(x):
    if not x:
        return E_NUM
    m = _mean(x)
    return math.fsum(abs(v - m) for v in x) / len(x)


def _devsq(x):
    if not x:
        return E_NUM
    m = _mean(x)
    return math.fsum((v - m) ** 2 for v in x)


def _mode_fn(book, r, c, *args):
    for a in args:
        if isinstance(a, RefVal) and a.r1 == a.r2 and a.c1 == a.c2:
            v = book.values(a)[0, 0]
            if v is EMPTY or type(v) is bool or (isinstance(v, str) and not isinstance(v, XlError)):
                _refuse("MODE", "en enkelt celle uden et tal", "a single cell that holds no number")
    nums, err = _numbers(book, "MODE", args, direct_text=False)
    return err if err is not None else _mode(nums)


def _mode(x):
    counts: dict[float, int] = {}
    for v in x:
        counts[v] = counts.get(v, 0) + 1
    best = max(counts.values(), default=0)
    if best < 2:
        return E_NA
    return next(v for v in x if counts[v] == best)


def _product(x):
    if not x:
        return 0.0
    p = 1.0
    for v in x:
        p *= v
    return p


def _kth(largest: bool):
    def fn(book, r, c, array, k):
        name = "LARGE" if largest else "SMALL"
        nums, err = _numbers(book, name, [array])
        if err is not None:
            return err
        if isinstance(k, RefVal):
            cells = _cells(book, k)
            if len(cells) != 1:
                _refuse(name, "et område som k", "a range as k")
            k = cells[0]
        k = to_number(k)
        if isinstance(k, XlError):
            return k
        if k != int(k):
            _refuse(name, "et k, der ikke er et helt tal", "a k that is not a whole number")
        k = int(k)
        if k < 1 or k > len(nums):
            return E_NUM
        return sorted(nums, reverse=largest)[k - 1]
    return fn


def _median(x):
    if not x:
        return E_NUM
    v, n = sorted(x), len(x)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def _geomean(x):
    if not x or any(v <= 0 for v in x):
        return E_NUM
    return math.exp(math.fsum(math.log(v) for v in x) / len(x))


def _harmean(x):
    if not x or any(v <= 0 for v in x):
        return E_NUM
    return len(x) / math.fsum(1 / v for v in x)


def _moment(power: int):
    """SKEW (3) and KURT (4), Excel's sample estimators."""
    def fn(x):
        n = len(x)
        if n < power:
            return E_DIV0
        m = _mean(x)
        sd = math.sqrt(math.fsum((v - m) ** 2 for v in x) / (n - 1))
        if sd == 0:
            return E_DIV0
        z = math.fsum(((v - m) / sd) ** power for v in x)
        if power == 3:
            return n / ((n - 1) * (n - 2)) * z
        return n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * z - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))
    return fn


def _scalar(book, name: str, v):
    if isinstance(v, RefVal):
        cells = _cells(book, v)
        if len(cells) != 1:
            _refuse(name, "et område, hvor der skal stå én værdi", "a range where one value belongs")
        v = cells[0]
    if isinstance(v, np.ndarray):
        _refuse(name, "en matrix, hvor der skal stå én værdi", "an array where one value belongs")
    return to_number(v)


def _rank_value(x: list, rank: float) -> float:
    f = int(math.floor(rank))
    if f + 1 >= len(x):
        return x[f]
    return x[f] + (rank - f) * (x[f + 1] - x[f])


def _percentile(exclusive: bool, quartile: bool, name: str):
    def fn(book, r, c, array, k):
        nums, err = _numbers(book, name, [array])
        if err is not None:
            return err
        k = _scalar(book, name, k)
        if isinstance(k, XlError):
            return k
        x = sorted(nums)
        if not x:
            return E_NUM
        return _percentile_of(x, k, exclusive, quartile)
    return fn


def _percentile_of(x: list, k: float, exclusive: bool, quartile: bool) -> float | XlError:
    """PERCENTILE/QUARTILE (.INC or .EXC) of sorted, non-empty numbers ``x``: Excel's
    interpolation between the two nearest ranks; #NUM! for a k out of range."""
    if quartile:
        q = int(k)
        if not (1 <= q <= 3 if exclusive else 0 <= q <= 4):
            return E_NUM
        k = q / 4
    n = len(x)
    if exclusive:
        rank = k * (n + 1) - 1
        if k <= 0 or k >= 1 or rank < 0 or rank > n - 1:
            return E_NUM
    else:
        if k < 0 or k > 1:
            return E_NUM
        rank = k * (n - 1)
    return _rank_value(x, rank)


STATS: dict[str, Callable] = {
    "MEDIAN": _stat(_median), "GEOMEAN": _stat(_geomean), "HARMEAN": _stat(_harmean),
    "SKEW": _stat(_moment(3)), "KURT": _stat(_moment(4)),
    "PERCENTILE": _percentile(False, False, "PERCENTILE"), "PERCENTILE.INC": _percentile(False, False, "PERCENTILE"),
    "PERCENTILE.EXC": _percentile(True, False, "PERCENTILE.EXC"),
    "QUARTILE": _percentile(False, True, "QUARTILE"), "QUARTILE.INC": _percentile(False, True, "QUARTILE"),
    "QUARTILE.EXC": _percentile(True, True, "QUARTILE.EXC"),
    "SUMSQ": _stat(lambda x: math.fsum(v * v for v in x)),
    "PRODUCT": _stat(_product),
    "STDEV": _stat(_sd(1)), "STDEV.S": _stat(_sd(1)), "STDEVP": _stat(_sd(0)), "STDEV.P": _stat(_sd(0)),
    "VAR": _stat(_var(1)), "VAR.S": _stat(_var(1)), "VARP": _stat(_var(0)), "VAR.P": _stat(_var(0)),
    "STDEVA": _stat(_sd(1), a_mode=True), "STDEVPA": _stat(_sd(0), a_mode=True),
    "VARA": _stat(_var(1), a_mode=True), "VARPA": _stat(_var(0), a_mode=True),
    "AVEDEV": _stat(_avedev), "DEVSQ": _stat(_devsq),
    "MAXA": _stat(lambda x: max(x) if x else 0.0, a_mode=True),
    "MINA": _stat(lambda x: min(x) if x else 0.0, a_mode=True),
    "AVERAGEA": _stat(lambda x: _mean(x) if x else E_DIV0, a_mode=True),
    "MODE": _mode_fn, "MODE.SNGL": _mode_fn,
    "LARGE": _kth(True), "SMALL": _kth(False),
}


# ---- AGGREGATE ------------------------------------------------------------------------------

def _aggregate(book, r, c, function, options, *refs):
    """AGGREGATE(function; options; ref...): 1-13 over references, 14-19 with k; options say
    which cells to leave out: nested SUBTOTAL/AGGREGATE results (0-3), hidden rows (1, 3, 5,
    7), error values (2, 3, 6, 7). Hidden rows are known from the sheet; a range holding any
    is refused when they are to be left out only by a filter we cannot tell apart."""
    fn, opt = _scalar(book, "AGGREGATE", function), _scalar(book, "AGGREGATE", options)
    for v in (fn, opt):
        if isinstance(v, XlError):
            return v
    fn, opt = int(fn), int(opt)
    if not 1 <= fn <= 19 or not 0 <= opt <= 7:
        return E_VALUE
    skip_nested, skip_hidden, skip_errors = opt <= 3, opt in (1, 3, 5, 7), opt in (2, 3, 6, 7)
    k = None
    if fn >= 14:
        if len(refs) != 2:
            return E_VALUE
        refs, k = refs[:1], _scalar(book, "AGGREGATE", refs[1])
        if isinstance(k, XlError):
            return k
    nums: list[float] = []
    count_a = 0
    for ref in refs:
        if isinstance(ref, XlError):
            return ref
        if not isinstance(ref, RefVal):
            if fn < 14:
                _refuse("AGGREGATE", "en matrix i referenceformen (funktion 1-13)", "an array in the reference form (1-13)")
            cells, positions = _cells(book, ref) or [ref], None
        else:
            r2, c2 = book.clipped(ref)
            hidden = book.hidden_rows.get(ref.si, set())
            if skip_hidden and hidden is None:
                _refuse("AGGREGATE", "skjulte rækker i området", "hidden rows in the range")
            cells = _cells(book, ref)
            positions = [(rr, cc) for rr in range(ref.r1, r2 + 1) for cc in range(ref.c1, c2 + 1)]
            if skip_hidden and hidden:       # hidden by hand or by a filter: left out alike
                keep = [k for k, (rr, _) in enumerate(positions) if rr not in hidden]
                cells, positions = [cells[k] for k in keep], [positions[k] for k in keep]
        nested = (book.subtotal_cells.get(getattr(ref, "si", -1), set())
                  | book.aggregate_cells.get(getattr(ref, "si", -1), set())) if skip_nested else set()
        for i, v in enumerate(cells):
            if positions is not None and positions[i] in nested:
                continue
            if isinstance(v, XlError):
                if skip_errors:
                    continue
                if fn in (2, 3):
                    _refuse("AGGREGATE", "COUNT/COUNTA over fejlværdier", "COUNT/COUNTA over error values")
                return v
            if type(v) is float:
                nums.append(v)
            if v is not EMPTY:
                count_a += 1
    if fn == 3:
        return float(count_a)
    if fn == 2:
        return float(len(nums))
    if k is not None:
        x = sorted(nums)
        if fn in (14, 15):
            kk = k
            if kk != int(kk) or not 1 <= kk <= len(x):
                return E_NUM
            return x[-int(kk)] if fn == 14 else x[int(kk) - 1]
        if not x:
            return E_NUM
        return _percentile_of(x, k, fn in (18, 19), fn in (17, 19))
    reduce = {1: lambda x: _mean(x) if x else E_DIV0, 4: lambda x: max(x) if x else 0.0,
              5: lambda x: min(x) if x else 0.0, 6: _product, 7: _sd(1), 8: _sd(0), 9: math.fsum,
              10: _var(1), 11: _var(0), 12: _median, 13: _mode}[fn]
    return reduce(nums)


STATS["AGGREGATE"] = _aggregate
