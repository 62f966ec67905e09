"""LAMBDA, called in place, through LET or a defined name (also recursively), and MAP, BYROW,
BYCOL, REDUCE, SCAN, MAKEARRAY: hand-worked values, written as Excel 365 stores the formulas
(_xlfn. and _xlpm. prefixes). LibreOffice has no LAMBDA to compare with."""

from __future__ import annotations

import pytest

from sp_xl.engine.evaluate import evaluate
from tests.engine.test_engine import FakePackage, Formula

CELLS = {"A1": 3.0, "A2": 1.0, "A3": 2.0, "A4": 1.0, "B1": 10.0, "B2": 20.0, "B3": 30.0, "B4": 40.0}
NAMES = {
    "Dobbelt": "_xlfn.LAMBDA(_xlpm.x,_xlpm.x*2)",
    "FAKT": "_xlfn.LAMBDA(_xlpm.n,IF(_xlpm.n<2,1,_xlpm.n*FAKT(_xlpm.n-1)))",     # calls itself
    "Skaler": "_xlfn.LAMBDA(_xlpm.k,_xlpm.k*S!$C$9)",                           # reads a formula cell
}
LAM = "_xlfn.LAMBDA"


def _run(formulas, names=NAMES):
    fs = [Formula("S", ref.split(":")[0], f, ref if ":" in ref else None) for ref, f in formulas]
    fs.append(Formula("S", "C9", "B4/4"))
    return evaluate(FakePackage({"S": dict(CELLS)}, fs, names=names))


@pytest.mark.parametrize("formula,expected", [
    (f"{LAM}(_xlpm.x,_xlpm.y,_xlpm.x*_xlpm.y)(3,4)", 12.0),
    (f"_xlfn.LET(_xlpm.f,{LAM}(_xlpm.x,_xlpm.x+1),_xlpm.f(2))", 3.0),
    ("Dobbelt(A1)", 6.0),
    ("FAKT(5)", 120.0),
    ("Skaler(2)", 20.0),                                  # 2 * (40 / 4), after C9 is computed
    (f"_xlfn.REDUCE(0,A1:A4,{LAM}(_xlpm.a,_xlpm.v,_xlpm.a+_xlpm.v))", 7.0),
    (f"{LAM}(_xlpm.r,SUM(_xlpm.r))(B1:B4)", 100.0),       # a range stays a range inside the body
    (f"{LAM}(_xlpm.x,_xlpm.x)(1,2)", "#VALUE!"),          # one argument too many
])
def test_single_values(formula, expected):
    result = _run([("Z1", formula)])
    value = result.values[("S", "Z1")]
    assert (str(value) if expected == "#VALUE!" else value) == expected and result.problems == []


def test_functions_that_call_a_lambda_per_element():
    result = _run([
        ("C1:C4", f"_xlfn.MAP(A1:A4,{LAM}(_xlpm.v,_xlpm.v*10))"),
        ("D1:D4", f"_xlfn.BYROW(A1:B4,{LAM}(_xlpm.r,SUM(_xlpm.r)))"),
        ("E1:F1", f"_xlfn.BYCOL(A1:B4,{LAM}(_xlpm.c,MAX(_xlpm.c)))"),
        ("G1:G4", f"_xlfn.SCAN(0,A1:A4,{LAM}(_xlpm.a,_xlpm.v,_xlpm.a+_xlpm.v))"),
        ("H1:J2", f"_xlfn.MAKEARRAY(2,3,{LAM}(_xlpm.i,_xlpm.j,_xlpm.i*10+_xlpm.j))"),
    ])
    v = {ref: val for (_, ref), val in result.values.items()}
    assert [v[f"C{i}"] for i in range(1, 5)] == [30.0, 10.0, 20.0, 10.0]
    assert [v[f"D{i}"] for i in range(1, 5)] == [13.0, 21.0, 32.0, 41.0]
    assert (v["E1"], v["F1"]) == (3.0, 40.0)
    assert [v[f"G{i}"] for i in range(1, 5)] == [3.0, 4.0, 6.0, 7.0]
    assert [[v[f"{c}{r}"] for c in "HIJ"] for r in (1, 2)] == [[11.0, 12.0, 13.0], [21.0, 22.0, 23.0]]
    assert result.problems == []


def test_what_excel_shows_as_calc_is_refused_with_the_reason():
    result = _run([("Z1", f"{LAM}(_xlpm.x,_xlpm.x)"),
                   ("K1:K2", f"_xlfn.MAP(A1:A2,{LAM}(_xlpm.x,_xlfn.MAP(B1:B2,{LAM}(_xlpm.y,_xlpm.x+_xlpm.y))))"),
                   ("Z2", f"{LAM}([_xlpm.x],_xlpm.x)(1)")])
    reasons = {p.ref: p.reason_en for p in result.problems}
    assert "not called" in reasons["Z1"] and "returns an array for one element" in reasons["K1"]
    assert "optional parameters" in reasons["Z2"] or "cannot be read" in reasons["Z2"]
