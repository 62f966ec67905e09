"""Our own implementations of the most used scalar functions.

Why not the ``formulas`` package for these: its functions are vectorised through
``np.vectorize`` (about 50 µs a call, too slow for 100,000 filled-down formulas), IF and
IFERROR evaluate both branches, and its ROUND works on the binary value (ROUND(2.675;2)
gives 2.67; Excel gives 2.68 because it rounds the 15-digit decimal). Each function here
handles scalars; when an argument is an array it returns ``DELEGATE`` and the engine calls
the ``formulas`` implementation instead.
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation, localcontext

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine import dateparts, finance, radix, scalarmath, workdays
from sp_xl.engine.excelstats import DELEGATE
from sp_xl.engine.parse import Unsupported  # one "let formulas compute it" answer for all
from sp_xl.engine.values import EMPTY, ERRORS, E_NUM, E_VALUE, to_number, to_text

E_NA = ERRORS["#N/A"]


def truthy(v: object) -> object:
    """Excel's conversion of a condition: bool, or the XlError to return."""
    if type(v) is bool:
        return v
    if type(v) is float:
        return v != 0.0
    if v is EMPTY:
        return False
    if isinstance(v, XlError):
        return v
    if isinstance(v, str):
        up = v.strip().upper()
        if up in ("TRUE", "FALSE"):
            return up == "TRUE"
        return E_VALUE
    return bool(v)


# ---- lazy functions: they receive thunks (r, c) -> value --------------------------------

def lazy_if(r, c, args):
    if not 1 <= len(args) <= 3:
        return DELEGATE
    cond = args[0](r, c)
    if isinstance(cond, np.ndarray):
        return DELEGATE
    t = truthy(cond)
    if isinstance(t, XlError):
        return t
    if t:
        return args[1](r, c) if len(args) > 1 else True
    return args[2](r, c) if len(args) > 2 else False


def _lazy_fallback(caught):
    """IFERROR/IFNA: the value, or the second argument (read only then) when ``caught(value)``."""
    def fn(r, c, args):
        if len(args) != 2:
            return DELEGATE
        v = args[0](r, c)
        if isinstance(v, np.ndarray):
            return DELEGATE
        return args[1](r, c) if caught(v) else v
    return fn


lazy_iferror = _lazy_fallback(lambda v: isinstance(v, XlError))
lazy_ifna = _lazy_fallback(lambda v: v is E_NA)


def lazy_ifs(r, c, args):
    """IFS(cond1; value1; ...): the first true condition's value, later ones never read."""
    if len(args) < 2 or len(args) % 2:
        return DELEGATE
    for i in range(0, len(args), 2):
        cond = args[i](r, c)
        if isinstance(cond, np.ndarray):
            return DELEGATE
        t = truthy(cond)
        if isinstance(t, XlError):
            return t
        if t:
            return args[i + 1](r, c)
    return E_NA


LAZY = {"IF": lazy_if, "IFERROR": lazy_iferror, "IFNA": lazy_ifna, "IFS": lazy_ifs}


# ---- strict scalar functions -----------------------------------------------------------

def _decimal15(x: float) -> Decimal:
    """The value as Excel sees it for rounding: 15 significant decimal digits."""
    return Decimal(format(x, ".15g"))


def _round_with(mode):
    def fn(x, digits=0.0):
        x = to_number(x)
        if isinstance(x, XlError):
            return x
        d = to_number(digits)
        if isinstance(d, XlError):
            return d
        d = max(-400, min(400, int(d)))  # Excel truncates the digits argument; ROUND(x;1234) is x
        try:
            q = _decimal15(x).quantize(Decimal(1).scaleb(-d), rounding=mode)
        except InvalidOperation:          # more digits than the default context holds
            try:
                with localcontext() as ctx:
                    ctx.prec = 1000
                    q = _decimal15(x).quantize(Decimal(1).scaleb(-d), rounding=mode)
            except InvalidOperation:
                return E_NUM
        return float(q)
    return fn


def _int(x):
    x = to_number(x)
    return x if isinstance(x, XlError) else float(math.floor(x))


def _abs(x):
    x = to_number(x)
    return x if isinstance(x, XlError) else abs(x)


def _not(x):
    t = truthy(x)
    return t if isinstance(t, XlError) else (not t)


def _isblank(v):
    return v is EMPTY


def _isnumber(v):
    return type(v) is float


def _istext(v):
    return isinstance(v, str) and not isinstance(v, XlError) and v is not EMPTY


def _iserror(v):
    return isinstance(v, XlError)


def _isna(v):
    return v is E_NA


def _text_fn(f):
    def fn(v):
        t = to_text(v)
        return t if isinstance(t, XlError) else f(t)
    return fn


def _one_to_one(change, name):
    """A case change that keeps every character one character: Python's full case mapping
    makes 'ß' 'SS', where Excel's character-by-character mapping is not known here."""
    def fn(t):
        out = change(t)
        if len(out) != len(t):
            raise Unsupported(f"{name} af et tegn som ß, der ikke har ét stort/lille tegn; Excels svar efterlignes ikke.",
                              f"{name} of a character such as ß without a single upper/lower case form; Excel's "
                              "answer is not reproduced.")
        return out
    return fn


def _take(pick):
    """LEFT or RIGHT: ``pick(text, count)`` once both arguments are valid."""
    def fn(text, n=None):
        t = to_text(text)
        if isinstance(t, XlError):
            return t
        k = 1.0 if n is None else to_number(n)  # the count defaults to 1
        if isinstance(k, XlError):
            return k
        if k < 0:
            return E_VALUE
        return pick(t, int(k))
    return fn


_left = _take(lambda t, k: t[:k])
_right = _take(lambda t, k: t[max(0, len(t) - k):] if k else "")


def _mid(text, start, n):
    t = to_text(text)
    if isinstance(t, XlError):
        return t
    s, k = to_number(start), to_number(n)
    for x in (s, k):
        if isinstance(x, XlError):
            return x
    if s < 1 or k < 0:
        return E_VALUE
    s = int(s)
    return t[s - 1:s - 1 + int(k)]


def _concatenate(*parts):
    out = []
    for p in parts:
        t = to_text(p)
        if isinstance(t, XlError):
            return t
        out.append(t)
    return "".join(out)


def _quotient(n, d):
    n, d = to_number(n), to_number(d)
    for x in (n, d):
        if isinstance(x, XlError):
            return x
    if d == 0.0:
        return ERRORS["#DIV/0!"]
    return float(math.trunc(n / d))


STRICT = {
    "QUOTIENT": (_quotient, 2, 2),
    "ROUND": (_round_with(ROUND_HALF_UP), 2, 2),
    "ROUNDUP": (_round_with(ROUND_UP), 2, 2),
    "ROUNDDOWN": (_round_with(ROUND_DOWN), 2, 2),
    "INT": (_int, 1, 1),
    "ABS": (_abs, 1, 1),
    "NOT": (_not, 1, 1),
    "ISBLANK": (_isblank, 1, 1),
    "ISNUMBER": (_isnumber, 1, 1),
    "ISTEXT": (_istext, 1, 1),
    "ISERROR": (_iserror, 1, 1),
    "ISNA": (_isna, 1, 1),
    "LEN": (_text_fn(lambda t: float(len(t))), 1, 1),
    "UPPER": (_text_fn(_one_to_one(str.upper, "UPPER")), 1, 1),
    "LOWER": (_text_fn(_one_to_one(str.lower, "LOWER")), 1, 1),
    "LEFT": (_left, 1, 2),
    "RIGHT": (_right, 1, 2),
    "MID": (_mid, 3, 3),
    "CONCATENATE": (_concatenate, 1, 255),
    **dateparts.STRICT,
    **scalarmath.STRICT,
    **finance.STRICT,
    **radix.STRICT,
    **workdays.STRICT,
}
