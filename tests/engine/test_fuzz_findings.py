"""Values found wrong by differential fuzzing against LibreOffice
(benchmarks/fuzz_vs_libreoffice.py), each checked against Excel's documentation or worked
by hand: the value Excel gives, or a refusal where Excel's value is not certain."""

from __future__ import annotations

import pytest

from tests.engine.test_engine import run, value


def problems(ev):
    return {p.ref: p.reason_en for p in ev.problems}


def shown(v):
    """An error as its code, any other value as it is."""
    return getattr(v, "code", v)


@pytest.mark.parametrize("formula, expected", [
    ('IMREAL("4i")', 0.0), ('IMAGINARY("4i")', 4.0), ('IMAGINARY("-2.5j")', -2.5), ('IMABS("-2.5j")', 2.5),
    ('IMREAL("3+4i")', 3.0), ('IMAGINARY("3-i")', -1.0), ('IMAGINARY("i")', 1.0), ('IMABS("3+4i")', 5.0),
    ('IMREAL("1.5e2+3i")', 150.0),
])
def test_complex_parts_of_a_pure_imaginary_number(formula, expected):
    assert value(run({}, formula), "Z1") == expected


@pytest.mark.parametrize("formula, expected", [
    ("FACT(1E+15)", "#NUM!"), ("FACT(171)", "#NUM!"), ("FACT(5.9)", 120.0), ("FACT(-1)", "#NUM!"),
    ("COMBIN(1E+15,5E+14)", "#NUM!"), ("COMBIN(1E+15,1)", 1e15), ("COMBIN(5,2)", 10.0),
    ("PERMUT(1E+15,5E+14)", "#NUM!"), ("PERMUT(5,2)", 20.0), ("PERMUT(2,3)", "#NUM!"),
])
def test_factorials_overflow_to_num_at_once(formula, expected):
    assert shown(value(run({}, formula), "Z1")) == expected


@pytest.mark.parametrize("formula, expected", [
    # support.microsoft.com CEILING.MATH / FLOOR.MATH examples
    ("_xlfn.CEILING.MATH(24.3,5)", 25.0), ("_xlfn.CEILING.MATH(6.7)", 7.0), ("_xlfn.CEILING.MATH(-8.1,2)", -8.0),
    ("_xlfn.CEILING.MATH(-5.5,2,-1)", -6.0), ("_xlfn.CEILING.MATH(-138)", -138.0), ("_xlfn.CEILING.MATH(-40.61)", -40.0),
    ("_xlfn.FLOOR.MATH(24.3,5)", 20.0), ("_xlfn.FLOOR.MATH(6.7)", 6.0), ("_xlfn.FLOOR.MATH(-8.1,2)", -10.0),
    ("_xlfn.FLOOR.MATH(-5.5,2,-1)", -4.0), ("_xlfn.FLOOR.MATH(-975.07)", -976.0),
    ("_xlfn.CEILING.MATH(0.3,0.1)", 0.3), ("_xlfn.CEILING.MATH(5,0)", 0.0),
    ("_xlfn.CEILING.PRECISE(-4.3)", -4.0), ("_xlfn.FLOOR.PRECISE(-3.2,-1)", -4.0), ("_xlfn.FLOOR.PRECISE(3.2)", 3.0),
])
def test_ceiling_and_floor_math_keep_the_sign(formula, expected):
    assert value(run({}, formula), "Z1") == pytest.approx(expected, rel=1e-12)


def test_delta_refuses_numbers_equal_to_15_digits():
    assert "DELTA" in problems(run({}, "DELTA(0.1+0.2,0.3)"))["Z1"]


@pytest.mark.parametrize("formula, expected", [
    ("DELTA(1E-10)", 0.0), ("DELTA(5,5)", 1.0), ("DELTA(TRUE)", "#VALUE!"),
    ('REPT("ab",-1)', "#VALUE!"), ('REPT("ab",A9)', ""), ('REPT("ab",2.9)', "abab"), ('REPT("x",40000)', "#VALUE!"),
])
def test_delta_is_exact_and_rept_refuses_a_negative_count(formula, expected):
    assert shown(value(run({}, formula), "Z1")) == expected
