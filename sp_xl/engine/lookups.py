"""MATCH, VLOOKUP and HLOOKUP over ranges, as Excel: exact matches through a range's
first-position index (engine.views), approximate ones by Excel's rules for sorted keys
(unsorted keys, where Excel's binary search decides, are refused). Anything else returns
``FALLBACK`` and the ``formulas`` implementation runs instead.
"""

from __future__ import annotations

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.refs import RefVal
from sp_xl.engine.values import EMPTY, ERRORS, E_VALUE, to_number
from sp_xl.engine.views import FALLBACK, lookup_key, scalar_argument


def _exact_position(book, value, ref) -> int | XlError | object:
    """0-based position of the first exact match of ``value`` in a 1-D reference."""
    value = scalar_argument(book, value)
    if value is None:
        return FALLBACK
    if isinstance(value, XlError):
        return value
    if isinstance(value, str) and any(ch in value for ch in "*?~"):
        return FALLBACK  # wildcards: the general implementation
    key = lookup_key(value)
    if key is None:
        return ERRORS["#N/A"]
    pos = book.fast.view(ref).first_positions().get(key)
    return ERRORS["#N/A"] if pos is None else pos


def _type_of(v) -> int:
    t = type(v)
    return 0 if t is float else 2 if t is bool else 4 if isinstance(v, XlError) else 3 if v is EMPTY else 1


def _approximate_position(book, value, ref, descending: bool = False, name: str = "MATCH"):
    """0-based position for an approximate match (VLOOKUP TRUE, MATCH 1/-1): Excel bisects,
    so its answer is certain only where the values of the lookup value's type are sorted;
    other types, blanks and errors are passed over. Unsorted: refused."""
    from sp_xl.engine.parse import Unsupported
    value = scalar_argument(book, value)
    if value is None or isinstance(value, np.ndarray):
        return FALLBACK
    if isinstance(value, XlError):
        return value
    if value is EMPTY:
        value = 0.0      # a blank lookup value is looked up as 0 (as Excel's cached values show)
    want = _type_of(value)
    fold = (lambda x: x.casefold()) if want == 1 else (lambda x: x)
    vals = book.fast.view(ref).vals.tolist()
    while vals and vals[-1] is EMPTY:
        vals.pop()
    live = [(i, fold(v)) for i, v in enumerate(vals) if _type_of(v) == want]
    pos = approximate_index([k for _, k in live], fold(value), descending)
    if pos is None or (len(live) != len(vals) and pos >= 0):    # other types: Excel's bisection meets them
        raise Unsupported(f"{name}: et ungefærligt opslag i usorterede værdier afhænger af Excels søgemåde; det "
                          "understøttes ikke.", f"{name}: an approximate lookup in unsorted values depends on how "
                          "Excel searches; not supported.")
    return ERRORS["#N/A"] if pos < 0 else live[pos][0]


def approximate_index(keys: list, target, descending: bool = False) -> int | None:
    """Index of the last key <= target (>= when descending) among ``keys`` of one type, -1 for
    none. Excel bisects, so on unsorted keys its answer depends on the search path: None,
    except when the first key is already past the target (LibreOffice checks the first entry
    before bisecting and gives #N/A, as the formulas package does)."""
    def fits(k):
        return k >= target if descending else k <= target
    scan = -1
    for i, k in enumerate(keys):
        if not fits(k):
            break
        scan = i
    ordered = all((a >= b) if descending else (a <= b) for a, b in zip(keys, keys[1:]))
    return scan if ordered or scan < 0 else None


def is_exact(flag: object) -> bool | None:
    if type(flag) is bool:
        return not flag
    if type(flag) is float:
        return flag == 0.0
    return None


def match(book, args):
    if len(args) not in (2, 3) or not isinstance(args[1], RefVal):
        return FALLBACK
    kind = scalar_argument(book, args[2]) if len(args) == 3 else 1.0
    if kind is EMPTY:
        kind = 0.0 if len(args) == 3 else 1.0
    if isinstance(kind, XlError):
        return kind
    if type(kind) is not float:
        return FALLBACK
    ref = args[1]
    if ref.r1 != ref.r2 and ref.c1 != ref.c2:
        return ERRORS["#N/A"]
    if kind == 0.0:
        pos = _exact_position(book, args[0], ref)
    else:
        pos = _approximate_position(book, args[0], ref, descending=kind < 0)
    return pos + 1.0 if isinstance(pos, int) else pos


def lookup(vertical: bool):
    def fn(book, args):
        if len(args) not in (3, 4) or not isinstance(args[1], RefVal):
            return FALLBACK
        flag = scalar_argument(book, args[3]) if len(args) == 4 else True   # approximate by default
        if isinstance(flag, XlError):
            return flag        # formulas' fallback passed over an error in range_lookup
        if isinstance(flag, str) and flag is not EMPTY:
            from sp_xl.engine.parse import Unsupported
            name = "VLOOKUP" if vertical else "HLOOKUP"
            raise Unsupported(f"{name} med tekst som range_lookup understøttes ikke.",
                              f"{name} with text as range_lookup is not supported.")
        exact = is_exact(flag)
        if exact is None:
            return FALLBACK
        index = to_number(scalar_argument(book, args[2]))
        if isinstance(index, XlError):
            return index
        index = int(index)
        t = args[1]
        width = (t.c2 - t.c1 + 1) if vertical else (t.r2 - t.r1 + 1)
        if index < 1:
            return E_VALUE
        if index > width:
            return ERRORS["#REF!"]
        key_ref = RefVal(t.si, t.r1, t.c1, t.r2, t.c1) if vertical else RefVal(t.si, t.r1, t.c1, t.r1, t.c2)
        pos = (_exact_position(book, args[0], key_ref) if exact
               else _approximate_position(book, args[0], key_ref, name="VLOOKUP" if vertical else "HLOOKUP"))
        if pos is FALLBACK or not isinstance(pos, int):
            return pos
        if vertical:
            return book.get(t.si, t.r1 + pos, t.c1 + index - 1)
        return book.get(t.si, t.r1 + index - 1, t.c1 + pos)
    return fn
