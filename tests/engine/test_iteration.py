"""Iterative calculation (engine.iteration) as the workbook's calcPr asks for it.

Expected values are worked by hand; the LibreOffice values beside them were recorded with
``lo_oracle.py recalc`` on the same workbooks (built by ``_workbook`` below), and the last
test repeats that comparison when LibreOffice is installed.
"""

from __future__ import annotations

import math

import openpyxl
import pytest
from openpyxl.workbook.properties import CalcProperties

from sp_xl.engine.evaluate import evaluate
from sp_xl.engine.iteration import settings_of
from sp_xl.ooxml.model import FormulaCell as Formula
from sp_xl.ooxml.package import XlsxPackage
from tests.conftest import lo_recalc, needs_libreoffice
from tests.engine.test_engine import FakePackage

TIGHT = {"iterate": "1", "iterateCount": "1000", "iterateDelta": "1E-13"}
DEFAULT = {"iterate": "1"}

# x = 1 + x/2 -> 2; interest on the average balance: I = r*(B + B + I - 1000)/2 with
# B = 100000, r = 5 % -> I = r*(2B - 1000)/2 / (1 - r/2) = 4975/0.975; MIN(x+1;5) stops on 5.
INTEREST = 4975 / 0.975
CELLS = {"B1": 100000.0, "B2": 0.05}
FORMULAS = {"A1": "1+A1/2", "B3": "B2*(B1+B4)/2", "B4": "B1+B3-1000", "C1": "C2+1", "C2": "C1+1",
            "D1": "MIN(D1+1,5)", "E1": "E2/2+1", "E2": "E1/2+1", "F1": "B3*2"}
# LibreOffice 7.4 on _workbook(TIGHT) and _workbook(DEFAULT) (C1/C2: Err:523, no convergence)
LO_TIGHT = {"A1": 1.9999999999999858, "B3": 5102.564102564103, "B4": 104102.56410256411, "D1": 5.0,
            "E1": 1.9999999999999982, "E2": 1.9999999999999964}
LO_DEFAULT = {"A1": 1.999755859375, "B3": 5102.564102563324, "D1": 5.0}


class CalcPackage(FakePackage):
    def __init__(self, sheets, formulas, calc_pr=None):
        super().__init__(sheets, formulas)
        self._calc_pr = calc_pr

    def calc_pr(self):
        return self._calc_pr


def run(calc_pr, cells=CELLS, formulas=FORMULAS):
    fs = [Formula("Ark1", ref, f) for ref, f in formulas.items()]
    ev = evaluate(CalcPackage({"Ark1": dict(cells)}, fs, calc_pr))
    return {ref: v for (_, ref), v in ev.values.items()}, {p.ref: p for p in ev.problems}


def test_converging_cycles_get_their_limit_when_the_workbook_iterates_tightly():
    values, problems = run(TIGHT)
    assert values["A1"] == pytest.approx(2.0, rel=1e-12)
    assert values["B3"] == pytest.approx(INTEREST, rel=1e-12)
    assert values["B4"] == pytest.approx(100000 + INTEREST - 1000, rel=1e-12)
    assert values["F1"] == pytest.approx(2 * INTEREST, rel=1e-12)      # a cell reading the cycle
    assert values["D1"] == 5.0 and values["E1"] == pytest.approx(2.0) and values["E2"] == pytest.approx(2.0)
    for ref, lo in LO_TIGHT.items():
        assert math.isclose(values[ref], lo, rel_tol=1e-12)
    assert set(problems) == {"C1", "C2"}                                  # C1 = C2 + 1 never settles
    assert "C1, Ark1!C2" in problems["C1"].reason_en and "falder ikke til ro" in problems["C1"].reason_da


def test_with_excels_default_maximum_change_only_what_settles_exactly_is_given():
    values, problems = run(DEFAULT)
    # x = 1 + x/2 from 0 stops at 1.99902 (change 0.00098 < 0.001) in Excel's rule, at
    # 1.99976 in LibreOffice's: where it stops depends on the program, so it is refused
    assert values == {"D1": 5.0} and LO_DEFAULT["D1"] == 5.0
    assert LO_DEFAULT["A1"] != 2.0 and LO_DEFAULT["B3"] != INTEREST
    assert {"A1", "B3", "B4", "F1", "E1", "E2"} <= set(problems)
    assert "0.001" in problems["A1"].reason_en and "Ark1!A1" in problems["A1"].reason_da
    assert "Ark1!B3" in problems["F1"].reason_en


def test_a_cycle_that_already_holds_its_limit_stays_there():
    # the cached values of a workbook Excel iterated: the first round moves by ~1e-12 only
    cached = dict(CELLS, B3=INTEREST, B4=100000 + INTEREST - 1000)
    values, problems = run(DEFAULT, cached, {k: FORMULAS[k] for k in ("B3", "B4")})
    assert problems == {} and values["B3"] == pytest.approx(INTEREST, rel=1e-12)


def test_without_iterate_a_circular_reference_stays_refused():
    values, problems = run({"iterateCount": "1"})                        # as in the corpus' circular.xlsx
    assert values == {} and set(problems) == set(FORMULAS)
    assert all("cirkulær" in p.reason_da or "Afhænger" in p.reason_da for p in problems.values())


def test_a_cycle_reading_a_cell_that_failed_keeps_that_reason():
    values, problems = run(TIGHT, CELLS, {"A1": "FINDESIKKE(1)", "B1": "A1+C1", "C1": "B1/2"})
    assert values == {} and set(problems) == {"A1", "B1", "C1"}
    assert "FINDESIKKE" in problems["A1"].reason_en
    assert "Ark1!A1" in problems["B1"].reason_da and "Ark1!B1" in problems["C1"].reason_en


def test_calc_pr_settings_and_their_defaults():
    assert settings_of(None) == (False, 100, 0.001)
    assert settings_of({"iterate": "1"}) == (True, 100, 0.001)
    assert settings_of({"iterate": "true", "iterateCount": "7", "iterateDelta": "1E-05"}) == (True, 7, 1e-5)


def _workbook(path, calc_pr):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ark1"
    for ref, v in CELLS.items():
        ws[ref] = v
    for ref, f in FORMULAS.items():
        ws[ref] = "=" + f
    wb.calculation = CalcProperties(iterate=True, iterateCount=int(calc_pr.get("iterateCount", 100)),
                                    iterateDelta=float(calc_pr.get("iterateDelta", 0.001)), fullCalcOnLoad=True)
    wb.save(path)


@needs_libreoffice
def test_libreoffice_agrees_on_what_the_engine_gives(tmp_path):
    path = tmp_path / "iterate.xlsx"
    _workbook(path, TIGHT)
    ev = evaluate(XlsxPackage.open(path))
    assert XlsxPackage.open(path).calc_pr()["iterate"] == "1"
    lo = lo_recalc(path, tmp_path / "lo.json")["Ark1"]
    given = {ref: v for (_, ref), v in ev.values.items()}
    assert set(given) == set(LO_TIGHT) | {"F1"}
    for ref, v in given.items():
        assert math.isclose(v, lo[ref]["value"], rel_tol=1e-12), ref
    assert lo["C1"]["error"] == "Err:523"                                # LibreOffice: no convergence
