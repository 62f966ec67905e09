"""The self-check workbook: every SP_ function once, OK/FEJL per function and a total; our own
engine, computing it like Excel would, finds every Python function OK."""

from __future__ import annotations

import openpyxl

from sp_xl.actions.refresh import refresh
from sp_xl.cli import main
from sp_xl.master import selfcheck
from sp_xl.udfs import functions


def test_every_sp_function_is_checked_once_plus_sp_fejltekst():
    assert [c.function for c in selfcheck.CASES] == [f.name for f in functions()]


def test_the_engine_computes_every_check_as_ok(tmp_path):
    path = tmp_path / "selvtjek.xlsx"
    assert main(["selfcheck", "-o", str(path)]) == 0
    refresh(path, backup=False)
    ws = openpyxl.load_workbook(path, data_only=True)[selfcheck.SHEET]
    rows = {ws.cell(r, 1).value: ws.cell(r, 5).value
            for r in range(selfcheck.FIRST_ROW, selfcheck.FIRST_ROW + len(selfcheck.CASES) + 1)}
    assert len(rows) == len(functions()) + 1
    assert {name: v for name, v in rows.items() if name != "SP_FEJLTEKST"} == {f.name: "OK" for f in functions()}
    formulas = openpyxl.load_workbook(path)[selfcheck.SHEET]
    assert formulas["B2"].value.endswith(f'" af {len(functions()) + 1}"')


def test_a_wrong_result_would_show_fejl(tmp_path, monkeypatch):
    case = selfcheck.CASES[0]
    _, formula = selfcheck.check_formula(case)
    assert "0.44" in formula and formula.startswith('=IFERROR(IF(AND(COUNT(SP_ATTAINMENT(0.11,0.25))=1,')
    wrong = selfcheck.Case("SP_ATTAINMENT", ("0.12", "0.25"), case.python_args)   # the cell computes 0.48
    path = tmp_path / "wrong.xlsx"
    wb = selfcheck.build_workbook()
    wb[selfcheck.SHEET]["E5"] = selfcheck.check_formula(wrong)[1]
    wb.save(path)
    refresh(path, backup=False)
    assert openpyxl.load_workbook(path, data_only=True)[selfcheck.SHEET]["E5"].value == "FEJL"
