"""SUBTOTAL and AGGREGATE over hidden rows. Rows 3 and 5 hidden by hand:
  A1:A6 = 10, 20, (30), 40, (50), "x".
SUBTOTAL 1..11 counts rows hidden by hand, 101..111 leaves them out; AGGREGATE's options
1, 3, 5, 7 leave every hidden row out. Expected values worked by hand; the SUBTOTAL ones
are also LibreOffice's recalculation of this workbook (it implements the same rule)."""

from __future__ import annotations

import openpyxl
import pytest

from sp_xl.engine.evaluate import evaluate
from sp_xl.ooxml.package import XlsxPackage
from tests.conftest import lo_recalc, needs_libreoffice

EXPECTED = {
    "SUBTOTAL(9,A1:A6)": 150.0, "SUBTOTAL(109,A1:A6)": 70.0,      # 10+20+30+40+50 / 10+20+40
    "SUBTOTAL(2,A1:A6)": 5.0, "SUBTOTAL(102,A1:A6)": 3.0,
    "SUBTOTAL(3,A1:A6)": 6.0, "SUBTOTAL(103,A1:A6)": 4.0,          # "x" counts for COUNTA
    "SUBTOTAL(1,A1:A6)": 30.0, "SUBTOTAL(101,A1:A6)": 70 / 3,
    "AGGREGATE(9,5,A1:A6)": 70.0, "AGGREGATE(9,4,A1:A6)": 150.0,
    "AGGREGATE(14,5,A1:A6,1)": 40.0, "AGGREGATE(4,7,A1:A6)": 40.0,
}


def _book(path, autofilter: bool):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for r, v in enumerate([10, 20, 30, 40, 50, "x"], 1):
        ws.cell(r, 1, v)
    ws.row_dimensions[3].hidden = ws.row_dimensions[5].hidden = True
    if autofilter:
        ws.auto_filter.ref = "A1:A6"
    for i, f in enumerate(EXPECTED, 1):
        ws.cell(i, 3, "=" + f)
    wb.save(path)
    return path


def _values(path):
    result = evaluate(XlsxPackage(path.read_bytes(), path.name))
    formulas = list(EXPECTED)
    values = {formulas[int(ref[1:]) - 1]: v for (_, ref), v in result.values.items()}
    return values, {formulas[int(p.ref[1:]) - 1] for p in result.problems}


def test_rows_hidden_by_hand(tmp_path):
    values, refused = _values(_book(tmp_path / "hand.xlsx", autofilter=False))
    assert refused == set()
    assert values == pytest.approx(EXPECTED)


def test_under_a_filter_subtotal_1_to_11_is_refused_the_rest_computed(tmp_path):
    values, refused = _values(_book(tmp_path / "filter.xlsx", autofilter=True))
    assert refused == {f for f in EXPECTED if f.startswith("SUBTOTAL(") and int(f[9:].split(",")[0]) < 100}
    assert {f: values[f] for f in EXPECTED if f not in refused} == pytest.approx(
        {f: v for f, v in EXPECTED.items() if f not in refused})


@needs_libreoffice
def test_libreoffice_agrees_on_subtotal(tmp_path):
    path = _book(tmp_path / "hand.xlsx", autofilter=False)
    lo = lo_recalc(path, tmp_path / "lo.json")["Data"]
    for i, f in enumerate(EXPECTED, 1):
        if f.startswith("SUBTOTAL"):
            assert lo[f"C{i}"]["value"] == pytest.approx(EXPECTED[f]), f
