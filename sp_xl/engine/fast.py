"""Aggregates over ranges done with numpy: SUM, COUNT, COUNTA, AVERAGE, MIN, MAX, SUBTOTAL
and the conditional ones (SUMIF(S), COUNTIF(S), AVERAGEIF(S)); ``AGGREGATES`` also lists
the lookups (engine.lookups).

Why: a master with 100,000 data rows and a few hundred aggregates would spend minutes in
per-cell Python. Each range is read through its cached typed view (engine.views). Excel
semantics kept: numbers only (text and logicals in a range are ignored by SUM/AVERAGE/...),
the first error in the range is returned, criteria are case-insensitive with * ? ~
wildcards. Anything outside what is handled here returns ``FALLBACK`` and the ``formulas``
implementation runs instead.
"""

from __future__ import annotations

import math
import operator

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.lookups import lookup as _lookup, match as _match
from sp_xl.engine.refs import RefVal
from sp_xl.engine.views import FALLBACK, RangeView, scalar_argument
from sp_xl.engine.values import EMPTY, ERRORS, E_DIV0, E_VALUE, to_number, wildcard_regex

def _split(book, args):
    """Range views and direct (typed-in or computed scalar) arguments, in argument order."""
    out = []
    for a in args:
        if isinstance(a, RefVal):
            out.append(book.fast.view(a))
        elif isinstance(a, np.ndarray):
            out.append(RangeView(a))
        else:
            out.append(a)
    return out


def _numbers(book, args, count_only=False):
    """(numbers, error) for SUM-like functions with Excel's two rules: in a range only
    numbers count; a direct argument that is a logical or numeric text counts too, and
    other direct text is #VALUE! (COUNT just skips it)."""
    parts = []
    for item in _split(book, args):
        if isinstance(item, RangeView):
            if item.first_err is not None and not count_only:
                return None, item.first_err
            if item.is_num.any():
                parts.append(item.num[item.is_num])
            continue
        if isinstance(item, XlError):
            if count_only:
                continue
            return None, item
        n = to_number(item)
        if isinstance(n, XlError):
            if count_only:
                continue
            return None, n
        parts.append(np.array([n]))
    nums = np.concatenate(parts) if parts else np.zeros(0)
    return nums, None


def _mean(nums):
    return math.fsum(nums) / nums.size if nums.size else E_DIV0


def _or_zero(pick):
    """MIN/MAX/PRODUCT of the numbers, 0 when there are none (as Excel)."""
    return lambda nums: float(pick(nums)) if nums.size else 0.0


def _spread(stat, ddof):
    """STDEV/VAR (ddof 1) or STDEVP/VARP (ddof 0); #DIV/0! with too few numbers."""
    def fn(nums):
        if nums.size <= ddof:
            return E_DIV0
        return float(stat(nums, ddof=ddof))
    return fn


def _of_numbers(reduce):
    """An aggregate over the numbers of its arguments (see _numbers), or their first error."""
    def agg(book, args):
        nums, err = _numbers(book, args)
        return err if err is not None else reduce(nums)
    return agg


def _count(book, args):
    nums, _ = _numbers(book, args, count_only=True)
    return float(nums.size)


def _counta(book, args):
    total = 0
    for item in _split(book, args):
        total += int((~item.is_empty).sum()) if isinstance(item, RangeView) else 1
    return float(total)


_SUBTOTAL_NUMERIC = {
    1: _mean, 2: lambda n: float(n.size), 4: _or_zero(np.max), 5: _or_zero(np.min), 6: _or_zero(np.prod),
    7: _spread(np.std, 1), 8: _spread(np.std, 0), 9: math.fsum, 10: _spread(np.var, 1), 11: _spread(np.var, 0),
}


def _subtotal(book, args):
    """SUBTOTAL(1..11 or 101..111; ranges): like the plain functions but skipping cells that
    are themselves SUBTOTAL results (Excel does, so totals are not counted twice).

    Hidden rows: 101..111 leave out every hidden row; 1..11 leave out only the rows a filter
    hid and count rows hidden by hand. Where a filter may be at work (an AutoFilter or
    Advanced Filter on the sheet, or a table) the file does not say which hidden row the
    filter hid, so 1..11 over hidden rows there is refused; elsewhere hidden rows are rows
    hidden by hand and count."""
    from sp_xl.engine.parse import Unsupported
    if len(args) < 2:
        return FALLBACK
    code = to_number(scalar_argument(book, args[0]))
    if isinstance(code, XlError):
        return code
    code = int(code)
    skip_hidden = 101 <= code <= 111
    if skip_hidden:
        code -= 100
    elif not 1 <= code <= 11:
        return E_VALUE
    hidden_of: dict[int, set[int]] = {}
    for ref in args[1:]:
        if isinstance(ref, RefVal):
            hidden = book.hidden_rows.get(ref.si, set())
            r2 = book.clipped(ref)[0]
            if hidden is None or (not skip_hidden and any(ref.r1 <= h <= r2 for h in hidden)
                                  and may_filter(book, ref.si, ref.r1, r2)):
                raise Unsupported("SUBTOTAL over skjulte rækker, som et filter kan have skjult, understøttes ikke.",
                                  "SUBTOTAL over hidden rows that a filter may have hidden is not supported.")
            hidden_of[ref.si] = hidden if skip_hidden else set()
    nums, texts_nonempty = [], 0
    for ref in args[1:]:
        if not isinstance(ref, RefVal):
            return E_VALUE if not isinstance(ref, XlError) else ref
        vals = book.values(ref)
        skip = book.subtotal_cells.get(ref.si, ())
        hidden = hidden_of[ref.si]
        for i in range(vals.shape[0]):
            if ref.r1 + i in hidden:
                continue
            for j in range(vals.shape[1]):
                if (ref.r1 + i, ref.c1 + j) in skip:
                    continue
                v = vals[i, j]
                if isinstance(v, XlError):
                    if code in (2, 3):   # COUNT/COUNTA pass errors by; whether SUBTOTAL does is not documented
                        raise Unsupported("SUBTOTAL 2/3 (TÆL/TÆLV) over en fejlværdi understøttes ikke.",
                                          "SUBTOTAL 2/3 (COUNT/COUNTA) over an error value is not supported.")
                    return v
                if type(v) is float:
                    nums.append(v)
                elif v is not EMPTY:
                    texts_nonempty += 1
    arr = np.array(nums, dtype=float)
    if code == 3:
        return float(arr.size + texts_nonempty)
    return _SUBTOTAL_NUMERIC[code](arr)


def may_filter(book, si: int, r1: int, r2: int) -> bool:
    """Whether a filter may hide rows r1..r2 of a sheet: an AutoFilter or Advanced Filter
    there (Excel names its range _xlnm._FilterDatabase) or a table over those rows."""
    sheet = book.sheet_names[si].upper()
    if (sheet, "_XLNM._FILTERDATABASE") in book.local_names:
        return True
    return any(t.sheet.upper() == sheet and t.r1 <= r2 and r1 <= t.r2 for t in book.tables.values())


# ---------------------------------------------------------------- criteria

_OPS = {"=": operator.eq, "<>": operator.ne, "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}


def _parse_number(text: str):
    n = to_number(text)
    return None if isinstance(n, XlError) else n


def criterion_mask(view: RangeView, crit: object) -> np.ndarray | XlError | object:
    """Boolean mask of the cells in ``view`` that meet an Excel criterion."""
    if isinstance(crit, XlError):  # an error criterion counts the cells holding that error
        return view.is_err & np.fromiter((v is crit for v in view.vals.tolist()), dtype=bool, count=view.vals.size)
    if crit is EMPTY:
        crit = 0.0  # an empty criterion cell means "= 0" in Excel
    if type(crit) is bool:   # TRUE/FALSE counts the cells holding that logical value
        vals = view.vals.tolist()
        if any(isinstance(v, str) and v.upper() in ("TRUE", "FALSE") for v in vals):
            from sp_xl.engine.parse import Unsupported
            raise Unsupported("Et kriterium SAND/FALSK over celler med teksten TRUE/FALSE understøttes ikke.",
                              "A TRUE/FALSE criterion over cells holding the text TRUE/FALSE is not supported.")
        return np.fromiter((type(v) is bool and v is crit for v in vals), dtype=bool, count=len(vals))
    if type(crit) is float or isinstance(crit, (int, np.number)):
        return view.is_num & (view.num == float(crit))
    if not isinstance(crit, str):
        return FALLBACK
    op = "="
    for cand in ("<=", ">=", "<>", "<", ">", "="):
        if crit.startswith(cand):
            op, crit = cand, crit[len(cand):]
            break
    fn = _OPS[op]
    if crit == "":
        if op == "=":
            return view.is_empty | _text_mask(view, "".__eq__)
        if op == "<>":
            return ~view.is_empty & ~_text_mask(view, "".__eq__)
        return np.zeros(view.vals.size, dtype=bool)
    if crit.upper() in ("TRUE", "FALSE") or crit.upper() in ERRORS:
        return FALLBACK
    number = _parse_number(crit)
    if number is not None:
        with np.errstate(invalid="ignore"):
            hit = view.is_num & fn(view.num, number)
        if op == "<>":
            hit = ~(view.is_num & (view.num == number))
        return hit
    folded = crit.casefold()
    if op in ("=", "<>"):
        rx = wildcard_regex(folded) if any(ch in folded for ch in "*?~") else None
        eq = _text_mask(view, folded.__eq__ if rx is None else rx.fullmatch)
        return eq if op == "=" else ~eq
    return _text_mask(view, lambda u: fn(u, folded))


def _text_mask(view: RangeView, keep) -> np.ndarray:
    """The cells holding text whose case-folded value passes ``keep`` (tested once per
    distinct text)."""
    codes, uniques = view.text_codes()
    wanted = [i for i, u in enumerate(uniques) if keep(u)]
    return np.isin(codes, wanted) if wanted else np.zeros(view.vals.size, dtype=bool)


def _declared(ref: RefVal) -> tuple[int, int]:
    return ref.r2 - ref.r1 + 1, ref.c2 - ref.c1 + 1


def _conditional(book, target, pairs, kind, resize=False):
    """Shared body of SUMIF(S)/COUNTIF(S)/AVERAGEIF(S). Ranges of the -IFS functions must
    all have one size (#VALUE! otherwise); SUMIF/AVERAGEIF (``resize``) take the sum range's
    size from the criteria range."""
    mask = None
    shape = None
    if not resize and len({_declared(r) for r, _ in pairs if isinstance(r, RefVal)}
                          | ({_declared(target)} if isinstance(target, RefVal) else set())) > 1:
        return E_VALUE
    for rng, crit in pairs:
        if not isinstance(rng, RefVal):
            return FALLBACK if not isinstance(rng, XlError) else rng
        crit = scalar_argument(book, crit)
        if crit is None:
            from sp_xl.engine.parse import Unsupported
            raise Unsupported("Et kriterium, der er et område med flere celler, understøttes ikke uden for en "
                              "matrixformel.", "A criterion that is a range of several cells is not supported "
                              "outside an array formula.")
        view = book.fast.view(rng)
        if shape is None:
            shape = view.shape
        elif view.shape != shape:
            return E_VALUE
        m = criterion_mask(view, crit)
        if m is FALLBACK or isinstance(m, XlError):
            return m
        mask = m if mask is None else (mask & m)
    if kind == "count":
        # the rows past the workbook's last cell are blank: counted when every criterion takes blanks
        first = pairs[0][0]
        full = (first.r2 - first.r1 + 1) * (first.c2 - first.c1 + 1)
        beyond = full - int(np.prod(shape))
        if beyond > 0 and all(_takes_blank(book, crit) for _, crit in pairs):
            return float(mask.sum()) + beyond
        return float(mask.sum())
    if isinstance(target, XlError):
        return target
    if not isinstance(target, RefVal):
        return FALLBACK
    r2, c2 = book.clipped(target)
    if (r2 - target.r1 + 1, c2 - target.c1 + 1) != shape:
        if not resize:
            return E_VALUE
        # SUMIF/AVERAGEIF: the sum range takes the criteria range's size from its top-left cell
        target = RefVal(target.si, target.r1, target.c1, target.r1 + shape[0] - 1, target.c1 + shape[1] - 1)
    view = book.fast.view(target)
    if view.shape != shape:
        return E_VALUE
    errs = mask & view.is_err
    if errs.any():
        return view.vals[np.flatnonzero(errs)[0]]
    sel = mask & view.is_num
    total = math.fsum(view.num[sel]) if sel.any() else 0.0
    if kind == "sum":
        return float(total)
    n = int(sel.sum())
    return total / n if n else E_DIV0


_BLANK_VIEW = None


def _takes_blank(book, crit) -> bool:
    global _BLANK_VIEW
    if _BLANK_VIEW is None:
        arr = np.empty((1, 1), dtype=object)
        arr[0, 0] = EMPTY
        _BLANK_VIEW = RangeView(arr)
    m = criterion_mask(_BLANK_VIEW, scalar_argument(book, crit))
    return isinstance(m, np.ndarray) and bool(m[0])


def _if(kind):
    """SUMIF/AVERAGEIF(range; criterion; [target range, default the range])."""
    def fn(book, args):
        if len(args) not in (2, 3):
            return FALLBACK
        target = args[2] if len(args) == 3 else args[0]
        return _conditional(book, target, [(args[0], args[1])], kind, resize=True)
    return fn


def _countif(book, args):
    if len(args) != 2:
        return FALLBACK
    return _conditional(book, None, [(args[0], args[1])], "count")


def _pairs(args):
    return list(zip(args[0::2], args[1::2]))


def _ifs(kind):
    """SUMIFS/AVERAGEIFS(target range; range1; criterion1; ...)."""
    def fn(book, args):
        if len(args) < 3 or len(args) % 2 == 0:
            return FALLBACK
        return _conditional(book, args[0], _pairs(args[1:]), kind)
    return fn


def _countifs(book, args):
    if len(args) < 2 or len(args) % 2:
        return FALLBACK
    return _conditional(book, None, _pairs(args), "count")


AGGREGATES = {
    "SUBTOTAL": _subtotal, "MATCH": _match, "VLOOKUP": _lookup(True), "HLOOKUP": _lookup(False),
    "SUM": _of_numbers(math.fsum), "COUNT": _count, "COUNTA": _counta, "AVERAGE": _of_numbers(_mean),
    "MIN": _of_numbers(_or_zero(np.min)), "MAX": _of_numbers(_or_zero(np.max)),
    "SUMIF": _if("sum"), "SUMIFS": _ifs("sum"), "COUNTIF": _countif, "COUNTIFS": _countifs,
    "AVERAGEIF": _if("avg"), "AVERAGEIFS": _ifs("avg"),
}
