"""Typed views of ranges, cached: what engine.fast's aggregates and engine.lookups read.

A range's view (numbers, emptiness, errors, case-folded text codes, a first-position index
for exact lookups) is built once and reused by every formula reading the same range until a
cell in its columns is written (``ColumnCache``).
"""

from __future__ import annotations

from itertools import repeat

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.refs import RefVal
from sp_xl.engine.values import EMPTY

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


def scalar_argument(book, c):
    if isinstance(c, RefVal):
        if c.r1 == c.r2 and c.c1 == c.c2:
            return book.get(c.si, c.r1, c.c1)
        return None
    if isinstance(c, np.ndarray):
        return None
    return c


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
