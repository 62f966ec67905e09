"""Every numpy kernel gives, on the rows it answers, exactly the scalar implementation's
value (sp_xl.engine.kernels against engine.native, engine.dateparts and engine.excelfns)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from sp_xl.engine import kernels
from sp_xl.engine.excelfns import OWN
from sp_xl.engine.native import STRICT

rnd = random.Random(15)
SERIALS = [0.0, 0.5, 1.0, 59.0, 59.99, 60.0, 60.5, 61.0, 61.25, 365.0, 43101.0, 43159.999, 2958465.0,
           2958465.9, 2958466.0, -1.0, -0.5, 1e300] + [rnd.uniform(0, 2958466) for _ in range(3000)]
NUMBERS = ([2.675, 2.665, 1.005, 0.5, 1.5, 2.5, -2.5, -0.5, 0.15, 1.45, 1e13 + 0.5, 123456.785, -0.0, 0.0,
            0.1 + 0.2, 1.234567890123449, 5e-324, 1e15, -1e16, 9.999999999999999e14]
           + [rnd.uniform(-1e6, 1e6) for _ in range(2000)] + [round(rnd.uniform(-1000, 1000), 3) for _ in range(2000)]
           + [rnd.randint(-10 ** 6, 10 ** 6) / 8 for _ in range(1000)])


def _check(kernel, scalar, *columns):
    values, ok = kernel(*columns)
    arrays = [c if np.ndim(c) else np.full(len(columns[0]), c) for c in columns]
    assert ok.sum() > 0
    for i in np.flatnonzero(ok).tolist():
        want = scalar(*[a[i].item() for a in arrays])
        got = values[i].item()
        assert type(want) is float and got == want and np.signbit(got) == np.signbit(want), \
            ([a[i] for a in arrays], got, want)
    return ok


@pytest.mark.parametrize("name,kernel", [("YEAR", kernels.year), ("MONTH", kernels.month), ("DAY", kernels.day)])
def test_date_parts(name, kernel):
    ok = _check(kernel, STRICT[name][0], np.array(SERIALS))
    assert not ok[:7].any() and ok[7]  # serials 0 to 60.5 (Excel's own calendar) go to the scalar path


@pytest.mark.parametrize("kind", [None, 1.0, 2.0, 3.0, 11.0, 14.0, 17.0])
def test_weekday(kind):
    scalar = STRICT["WEEKDAY"][0]
    if kind is None:
        _check(kernels.weekday, scalar, np.array(SERIALS))
    else:
        _check(kernels.weekday, scalar, np.array(SERIALS), kind)


@pytest.mark.parametrize("digits", [-3.0, -1.0, 0.0, 1.0, 2.0, 2.9, 5.0, 9.0, 15.0])
def test_round_agrees_with_the_15_digit_decimal_rounding(digits):
    ok = _check(kernels.round_half_up, STRICT["ROUND"][0], np.array(NUMBERS), digits)
    if digits == 2.0:
        assert not ok[:2].any()       # 2.675 and 2.665: half-way cases, left to the decimal path


def test_int_and_abs():
    _check(kernels.integer, STRICT["INT"][0], np.array(NUMBERS))
    _check(kernels.absolute, STRICT["ABS"][0], np.array(NUMBERS))


def test_date():
    ys = [-1.0, 0.0, 18.0, 99.5, 1899.0, 1900.0, 1900.9, 2018.0, 2024.0, 9999.0, 10000.0]
    ms = [-13.0, -1.0, 0.0, 1.0, 2.0, 2.5, 3.0, 12.0, 13.0, 25.0]
    ds = [-40.0, -1.0, 0.0, 1.0, 28.0, 29.0, 31.0, 70.0, 400.0]
    y, m, d = (np.array(c) for c in zip(*itertools.product(ys, ms, ds)))

    def scalar(a, b, c):
        return OWN["DATE"](None, 1, 1, a, b, c)
    _check(kernels.date, scalar, y, m, d)
    _check(kernels.date, scalar, y, m, 1.0)
