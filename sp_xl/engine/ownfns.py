"""Functions the engine implements itself because they need the formula's own cell or a
reference (INDEX, ROW, COLUMN, ROWS, COLUMNS, TRIM of a range), and Danish Excel's own
number-to-text readings (VALUE, DATEVALUE, ... in Danish mode)."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.book import Book
from sp_xl.engine.compile_parts import resolve_value
from sp_xl.engine.parse import Unsupported
from sp_xl.engine.refs import RefVal
from sp_xl.engine.values import EMPTY, E_REF, E_VALUE, to_number, to_text


# --- reference-aware functions ----------------------------------------------------------

def _as_int(v: object) -> object:
    n = to_number(v)
    if isinstance(n, XlError):
        return n
    return int(n)


def _position(axis: int):
    """ROW (axis 0) or COLUMN (axis 1): of the formula's own cell, or of each row/column
    of a reference (a column or row of numbers for a multi-cell reference)."""
    def fn(book: Book, r: int, c: int, ref: object = None) -> object:
        if ref is None or ref is EMPTY:
            return float((r, c)[axis])
        if isinstance(ref, XlError):
            return ref
        if not isinstance(ref, RefVal):
            return E_VALUE
        lo, hi = (ref.r1, ref.r2) if axis == 0 else (ref.c1, ref.c2)
        if lo == hi:
            return float(lo)
        out = np.array([float(x) for x in range(lo, hi + 1)], dtype=object)
        return out.reshape((-1, 1) if axis == 0 else (1, -1))
    return fn


def _shape(v: object) -> tuple[int, int] | XlError:
    if isinstance(v, RefVal):
        return v.r2 - v.r1 + 1, v.c2 - v.c1 + 1
    if isinstance(v, XlError):
        return v
    if isinstance(v, np.ndarray):
        return v.shape  # type: ignore[return-value]
    return 1, 1


def _extent(axis: int):
    """ROWS (axis 0) or COLUMNS (axis 1) of a reference or array."""
    def fn(book: Book, r: int, c: int, ref: object) -> object:
        s = _shape(ref)
        return s if isinstance(s, XlError) else float(s[axis])
    return fn


def index_of(book: Book, r: int, c: int, source: object, row: object = EMPTY, col: object = None,
           as_reference: bool = False) -> object:
    """INDEX(array; row; [column]) for one area, as Excel: 0 selects a whole row/column.
    ``as_reference``: give the selected area itself (for the ':' operator)."""
    if isinstance(source, XlError):
        return source
    row = resolve_value(book, row)  # compiled as references; the positions are values
    col = None if col is None else resolve_value(book, col)
    shape = _shape(source)
    h, w = shape  # type: ignore[misc]
    if isinstance(row, np.ndarray) or isinstance(col, np.ndarray):
        return E_VALUE
    ri = 0 if row is EMPTY else _as_int(row)
    if isinstance(ri, XlError):
        return ri
    if col is None or col is EMPTY:
        if h == 1 and w > 1 and col is None:
            ri, ci = 1, ri
        elif w == 1:
            ci = 1
        else:
            ci = 0
    else:
        ci = _as_int(col)
        if isinstance(ci, XlError):
            return ci
    if ri < 0 or ci < 0:
        return E_VALUE
    if ri > h or ci > w:
        return E_REF
    if isinstance(source, RefVal):
        r1 = source.r1 if ri == 0 else source.r1 + ri - 1
        r2 = source.r2 if ri == 0 else r1
        c1 = source.c1 if ci == 0 else source.c1 + ci - 1
        c2 = source.c2 if ci == 0 else c1
        picked = RefVal(source.si, r1, c1, r2, c2)
        return picked if as_reference else resolve_value(book, picked)
    if as_reference:
        return E_VALUE  # INDEX over computed values has no cell to point at
    arr = source if isinstance(source, np.ndarray) else np.array([[source]], dtype=object)
    rs = slice(None) if ri == 0 else slice(ri - 1, ri)
    cs = slice(None) if ci == 0 else slice(ci - 1, ci)
    sub = arr[rs, cs]
    return sub[0, 0] if sub.size == 1 else sub


def _trim(book: Book, r: int, c: int, v: object) -> object:
    """Excel's TRIM also collapses runs of inner spaces (formulas' TRIM does not)."""
    v = resolve_value(book, v)
    if isinstance(v, np.ndarray):
        out = np.empty(v.shape, dtype=object)
        for idx, x in np.ndenumerate(v):
            out[idx] = _trim(book, r, c, x)
        return out
    text = to_text(v)
    if isinstance(text, XlError):
        return text
    return " ".join(part for part in text.split(" ") if part)


# name -> (arguments compiled as references?, implementation)
OWN_FUNCTIONS: dict[str, tuple[bool, Callable]] = {
    "ROW": (True, _position(0)),
    "COLUMN": (True, _position(1)),
    "ROWS": (True, _extent(0)),
    "COLUMNS": (True, _extent(1)),
    "INDEX": (True, index_of),
    "TRIM": (False, _trim),
}


# ---- Danish locale (decimal comma) -------------------------------------------------------

# argument positions that are text for formulas' text functions (others: all arguments)
DANISH_TEXT_POSITIONS = {
    "FIND": {0, 1}, "FINDB": {0, 1}, "SEARCH": {0, 1}, "SEARCHB": {0, 1}, "SUBSTITUTE": {0, 1, 2},
    "REPLACE": {0, 3}, "REPLACEB": {0, 3}, "REPT": {0}, "TEXTJOIN": None, "TEXTAFTER": {0, 1},
    "TEXTBEFORE": {0, 1}, "CHAR": set(), "UNICHAR": set(), "CODE": {0}, "UNICODE": {0},
}


@functools.lru_cache(maxsize=1)
def text_function_names() -> frozenset[str]:
    import formulas.functions.text as text_module
    return frozenset(text_module.FUNCTIONS)


def _danish_value(invoke, text):
    if isinstance(text, np.ndarray):
        return E_VALUE
    return to_number(text) if not isinstance(text, XlError) else text


def _danish_refused(name):
    def impl(invoke, *args):
        raise Unsupported(f"{name} formaterer tal efter sproget i Excel; i dansk tilstand understøttes det ikke.",
                          f"{name} formats numbers by Excel's language; not supported in Danish mode.")
    return impl


def _danish_reading(name):
    """Danish Excel's TEXT, FIXED, DOLLAR (engine.numfmt_da) and NUMBERVALUE, DATEVALUE,
    TIMEVALUE (engine.textnum_da), imported when a Danish workbook first calls one."""
    def impl(invoke, *args):
        from sp_xl.engine import numfmt_da, textnum_da
        return getattr(numfmt_da if name in ("TEXT", "FIXED", "DOLLAR") else textnum_da, name.lower())(invoke, *args)
    return impl


DANISH_OWN = {"VALUE": _danish_value, "VALUETOTEXT": _danish_refused("VALUETOTEXT"),
              "ARRAYTOTEXT": _danish_refused("ARRAYTOTEXT")} | {
    name: _danish_reading(name) for name in ("TEXT", "FIXED", "DOLLAR", "NUMBERVALUE", "DATEVALUE", "TIMEVALUE")}
