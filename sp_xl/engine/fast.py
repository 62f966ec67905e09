"""Aggregates over ranges done with numpy: SUM, COUNT, COUNTA, AVERAGE, MIN, MAX and the
conditional ones (SUMIF(S), COUNTIF(S), AVERAGEIF(S)).

Why: a master with 100,000 data rows and a few hundred aggregates would spend minutes in
per-cell Python. A range's typed view (numbers, emptiness, errors, case-folded text codes)
is built once and reused by every formula reading the same range until a cell in its
columns is written. Excel semantics kept: numbers only (text and logicals in a range are
ignored by SUM/AVERAGE/...), the first error in the range is returned, criteria are
case-insensitive with * ? ~ wildcards. Anything outside what is handled here returns
``FALLBACK`` and the ``formulas`` implementation runs instead.
"""

from __future__ import annotations

import math
import operator
from itertools import repeat

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.refs import RefVal
from sp_xl.engine.values import EMPTY, ERRORS, E_DIV0, E_VALUE, to_number, wildcard_regex

FALLBACK = object()
MAX_CACHED_VIEWS = 4096  # a bound for workbooks whose formulas read many distinct small ranges


class RangeView:
    """Typed, flattened (row-major) view of one range's current values."""

    __slots__ = ("vals", "num", "is_num", "is_empty", "is_err", "first_err", "_codes", "_uniques", "shape",
                 "_positions")

    def __init__(self, arr: np.ndarray):
        self.shape = arr.shape
        vals = arr.ravel()
        self.vals = vals
        n = vals.size
        kinds = _kinds(vals)
        self.is_num = kinds == 0
        self.is_empty = kinds == 3
        self.is_err = kinds == 4
        num = np.full(n, np.nan)
        if self.is_num.any():
            num[self.is_num] = vals[self.is_num].astype(float)
        self.num = num
        errs = np.flatnonzero(self.is_err)
        self.first_err = vals[errs[0]] if errs.size else None
        self._codes = None
        self._uniques = None
        self._positions = None

    def first_positions(self) -> dict:
        """Exact-match index: (kind, value) -> first position; text case-folded."""
        if self._positions is None:
            pos: dict = {}
            for i, v in enumerate(self.vals.tolist()):
                key = lookup_key(v)
                if key is not None and key not in pos:
                    pos[key] = i
            self._positions = pos
        return self._positions

    def text_codes(self) -> tuple[np.ndarray, list]:
        """Factorised case-folded text (-1 where the cell is not text)."""
        if self._codes is None:
            index: dict[str, int] = {}
            codes = np.fromiter((index.setdefault(v.casefold(), len(index)) if type(v) is str else -1
                                 for v in self.vals.tolist()), dtype=np.int64, count=self.vals.size)
            self._codes, self._uniques = codes, list(index)
        return self._codes, self._uniques


_KIND_OF_TYPE = {float: 0, str: 1, bool: 2}


def _kinds(vals: np.ndarray) -> np.ndarray:
    """``_kind`` of every value: by exact type in C-level maps; the rest (blanks, errors,
    ints, str subclasses) one by one. A 100,000-row column costs a tenth of a second less."""
    if vals.dtype != object:                 # numpy scalars (np.bool_ is kind 5): as before
        return np.fromiter((_kind(v) for v in vals), dtype=np.int8, count=vals.size)
    items = vals.tolist()
    kinds = np.fromiter(map(_KIND_OF_TYPE.get, map(type, items), repeat(-1)), dtype=np.int8, count=len(items))
    for i in np.flatnonzero(kinds < 0).tolist():
        kinds[i] = _kind(items[i])
    return kinds


def _kind(v: object) -> int:
    t = type(v)
    if t is float:
        return 0
    if v is EMPTY:
        return 3
    if t is bool:
        return 2
    if isinstance(v, XlError):
        return 4
    if isinstance(v, str):
        return 1
    return 0 if isinstance(v, (int, np.number)) else 5


class ColumnCache:
    """Range views keyed by area, invalidated per written column."""

    def __init__(self, book):
        self.book = book
        self.version: dict[tuple[int, int], int] = {}
        self.views: dict[tuple, tuple[tuple[int, ...], RangeView]] = {}

    def invalidate(self, si: int, c1: int, c2: int) -> None:
        for c in range(c1, c2 + 1):
            key = (si, c)
            self.version[key] = self.version.get(key, 0) + 1

    def view(self, ref) -> RangeView:
        key = (ref.si, ref.r1, ref.c1, ref.r2, ref.c2)
        r2, c2 = self.book.clipped(ref)
        stamp = tuple(self.version.get((ref.si, c), 0) for c in range(ref.c1, c2 + 1))
        hit = self.views.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        view = RangeView(self.book.values(ref))
        if len(self.views) >= MAX_CACHED_VIEWS:
            self.views.clear()
        self.views[key] = (stamp, view)
        return view


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
    code = to_number(_scalar_criterion(book, args[0]))
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


def _scalar_criterion(book, c):
    if isinstance(c, RefVal):
        if c.r1 == c.r2 and c.c1 == c.c2:
            return book.get(c.si, c.r1, c.c1)
        return None
    if isinstance(c, np.ndarray):
        return None
    return c


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
        crit = _scalar_criterion(book, crit)
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
    m = criterion_mask(_BLANK_VIEW, _scalar_criterion(book, crit))
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


def lookup_key(v: object):
    t = type(v)
    if t is float:
        return (0, v)
    if t is bool:
        return (2, v)
    if v is EMPTY or isinstance(v, XlError):
        return None
    if isinstance(v, str):
        return (1, v.casefold())
    if isinstance(v, (int, np.number)):
        return (0, float(v))
    return None


def _exact_position(book, value, ref) -> int | XlError | object:
    """0-based position of the first exact match of ``value`` in a 1-D reference."""
    value = _scalar_criterion(book, value)
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
    value = _scalar_criterion(book, value)
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


def _match(book, args):
    if len(args) not in (2, 3) or not isinstance(args[1], RefVal):
        return FALLBACK
    kind = _scalar_criterion(book, args[2]) if len(args) == 3 else 1.0
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


def _lookup(vertical: bool):
    def fn(book, args):
        if len(args) not in (3, 4) or not isinstance(args[1], RefVal):
            return FALLBACK
        flag = _scalar_criterion(book, args[3]) if len(args) == 4 else True   # approximate by default
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
        index = to_number(_scalar_criterion(book, args[2]))
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


AGGREGATES = {
    "SUBTOTAL": _subtotal, "MATCH": _match, "VLOOKUP": _lookup(True), "HLOOKUP": _lookup(False),
    "SUM": _of_numbers(math.fsum), "COUNT": _count, "COUNTA": _counta, "AVERAGE": _of_numbers(_mean),
    "MIN": _of_numbers(_or_zero(np.min)), "MAX": _of_numbers(_or_zero(np.max)),
    "SUMIF": _if("sum"), "SUMIFS": _ifs("sum"), "COUNTIF": _countif, "COUNTIFS": _countifs,
    "AVERAGEIF": _if("avg"), "AVERAGEIFS": _ifs("avg"),
}
