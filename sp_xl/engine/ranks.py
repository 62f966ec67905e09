"""PERCENTRANK, PERCENTRANK.INC and PERCENTRANK.EXC as Excel documents them
(support.microsoft.com: PERCENTRANK.INC function): for a value x of the array, the number of
values below it over the number of other values. Only the numbers of a reference count.
Between two values the rank is interpolated. Where x (or the value below it) occurs more
than once, the documentation allows two readings (values below / (n - 1), or values below /
(values below + values above)); the ``formulas`` package averages the tied ranks, which is
neither. Such cells are refused, except at the minimum, where both readings give 0."""

from __future__ import annotations

import bisect
import math

from formulas.tokens.operand import XlError

from sp_xl.engine.excelstats import _numbers, _refuse, _scalar
from sp_xl.engine.values import E_NA, E_NUM


def _percentrank(exclusive: bool, name: str):
    def fn(book, r, c, array, x, significance=None):
        nums, err = _numbers(book, name, [array])
        if err is not None:
            return err
        x = _scalar(book, name, x)
        if isinstance(x, XlError):
            return x
        sig = 3.0 if significance is None else _scalar(book, name, significance)
        if isinstance(sig, XlError):
            return sig
        sig = math.trunc(sig)
        if not nums or sig < 1:
            return E_NUM
        v = sorted(nums)
        n = len(v)
        if x < v[0] or x > v[-1]:
            return E_NA
        lo = bisect.bisect_left(v, x)
        if lo < n and v[lo] == x:
            if lo > 0 and bisect.bisect_right(v, x) - lo > 1:
                _refuse(name, "et tal, der forekommer flere gange", "a number that occurs more than once")
            rank = float(lo)
        else:
            y, z = v[lo - 1], v[lo]
            first = bisect.bisect_left(v, y)
            if first != lo - 1:
                _refuse(name, "et tal mellem to værdier, hvor den nederste forekommer flere gange",
                        "a number between two values where the lower one occurs more than once")
            rank = (lo - 1) + (x - y) / (z - y)
        pct = (rank + 1) / (n + 1) if exclusive else rank / (n - 1) if n > 1 else 1.0
        scaled = float(format(pct * 10 ** sig, ".15g"))
        return math.floor(scaled) / 10 ** sig
    return fn


RANKS = {
    "PERCENTRANK": _percentrank(False, "PERCENTRANK"), "PERCENTRANK.INC": _percentrank(False, "PERCENTRANK.INC"),
    "PERCENTRANK.EXC": _percentrank(True, "PERCENTRANK.EXC"),
}
