"""recalc's checks over all formulas at once: they must find what a formula-by-formula look finds."""

from __future__ import annotations

import pytest

from sp_xl.engine.recalc import _SP_CALL, uses_sp_functions
from sp_xl.ooxml.model import FormulaCell

TEXTS = ["SP_TREND(A1:A9)", "sp_trend(A1:A9)", "Sp_Round_Ca (B2)", "'Ark 1'!SP_X(1)", "[1]!SP_Y(2)",
         "MY_SP_X(1)", "A.SP_X(1)", "SP_X", "SUM(SP_)", "Par_Rapport+1", "\"SP_X(\"", "SPX(1)", "S P_X(1)"]


@pytest.mark.parametrize("text", TEXTS)
def test_a_call_is_found_in_all_formulas_as_in_each(text):
    formulas = [FormulaCell("S", "A1", "1+1"), FormulaCell("S", "A2", text), FormulaCell("S", "A3", "2")]
    assert uses_sp_functions(formulas) == any(_SP_CALL.search(f.formula) for f in formulas)


def test_no_call_is_made_up_across_two_formulas():
    assert not uses_sp_functions([FormulaCell("S", "A1", "A1+SP_X"), FormulaCell("S", "A2", "(1)")])
    assert uses_sp_functions([FormulaCell("S", "A1", "A1+SP_X"), FormulaCell("S", "A2", "sp_y(1)")])
