"""Each SP_ -> native translation, recalculated by LibreOffice, gives the SP_ function's own value.

The cases put data (numbers, blanks, text, error values, zeros) into a scratch workbook, write
the *translated* formula next to it, let LibreOffice recalculate, and compare every result
cell with ``REGISTRY[name].func`` called on the same data (to 1e-9; errors by code; an empty
SP_ result must be an empty cell).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.formula import ArrayFormula

from sp_xl.calc.workdays import holidays_between
from sp_xl.errors import ExcelError
from sp_xl.excel.registry import REGISTRY
from sp_xl.udfs import functions
from sp_xl.ooxml.cellrefs import col_letters
from sp_xl.share.translate import (
    HOLIDAY_SHEET, Frozen, Native, holiday_placeholder, parse_area, sp_calls, translate)

ORACLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "tools" / "lo_oracle.py"
needs_lo = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")

E = "#N/A"
SERIES = {
    "plain": [126446, 141571, 157779, 174975],
    "gaps": [None, 10, None, 12.5, 15, None],
    "zero_first": [0, 3, 5],
    "one": [None, 7, None],
    "none": [None, None],
    "text": [1, "x", 3],
    "error": [1, 2, "#DIV/0!", "#N/A"],
    "sign": [5, 2, -4],
    "to_zero": [4, 2, 0],
    "noisy": [45, 96, 150, 149, 300, 301.5, 280, 280],
    "empty_str": [2, "", 4, 8],
    "text_then_error": [1, "x", "#N/A", 4],
    "error_then_text": [None, "#NUM!", "x", 4],
}
SCALARS = [0.11, 0.25, 0, None, "tekst", "#DIV/0!", True, 33000, 15, -4, 1807, 2200, 48529, 0.384, 0.045, 1e-7]
DATES = [dt.datetime(2018, 3, 26), dt.datetime(2018, 4, 10), dt.datetime(2018, 1, 1), dt.datetime(2017, 12, 22),
         dt.datetime(2018, 3, 31), None, "x", 43200.0]


def _cases():
    """(function, [argument kinds and values], literal trailing arguments)."""
    out = []
    pairs = [(a, b) for a in SCALARS for b in (0.25, 0, None, "#N/A", "t", 2200, -3)]
    for fn in ("SP_ATTAINMENT", "SP_GAP", "SP_SHARE", "SP_REQUIRED"):
        out += [(fn, [("cell", a), ("cell", b)], []) for a, b in pairs]
    out += [("SP_ATTAINMENT", [("cell", a), ("cell", b)], ["TRUE"]) for a, b in pairs[::3]]
    out += [("SP_STATUS", [("cell", a), ("cell", b), ("cell", y)], []) for a, b in pairs[::2] for y in (0.8, None)]
    out += [("SP_STATUS", [("cell", 0.3), ("cell", 0.3)], []), ("SP_STATUS", [("cell", 0.24), ("cell", 0.3)], [])]
    out += [("SP_ROUND_CA", [("cell", x)], lit) for x in SCALARS for lit in ([], ["2"])]
    for fn in ("SP_GROWTH", "SP_GROWTH_PCT", "SP_AVG_GROWTH_PCT", "SP_TREND", "SP_CUMULATIVE", "SP_CHANGES"):
        out += [(fn, [("col", s)], []) for s in SERIES.values()]
    out += [("SP_CHANGES", [("col", s)], ["TRUE"]) for s in SERIES.values()]
    out += [("SP_FORECAST", [("col", s), ("cell", k)], []) for s in SERIES.values() for k in (4, None, 0)]
    out += [("SP_PEAK", [("col", s)], []) for s in SERIES.values()]
    out += [("SP_PEAK", [("col", s), ("col", [f"L{i}" if i % 3 else None for i in range(len(s))])], [])
            for s in SERIES.values()]
    flows = [([634, 600, None, 580], [626, 610, None, 590]), ([1, None, 3], [2, 5, 3]),
             ([1, "#DIV/0!", 3], [2, 5, "#N/A"]), ([5, 5], [None, None]), (["t", 1], [1, 1])]
    for c, d in flows:
        out += [("SP_NETFLOW", [("col", c), ("col", d)], [])]
        out += [("SP_BACKLOG", [("col", c), ("col", d), ("cell", o)], []) for o in (256, None)]
    weeks = [([600, 610, 580, 590, 570], [620, 640, 600, 610, 600]), ([600, None, 580, 590, 570, 560], [620, None, 600, 610, 600, 590]),
             ([600, 610, 580], [590, 600, 570]), ([5, 5, 5, 5], [5, 5, 5, 5]), ([1, "#N/A", 3, 4], [2, 2, 2, 2]),
             ([1, 2, 3, 4, 5], [2, None, 4, 5, 6]), (["x", 2, 3, 4], [1, "#DIV/0!", 3, 4]), ([10, 10, 10, 10], [11, 12, 13, 14])]
    for c, d in weeks:
        out += [("SP_WEEKS_TO_CLEAR", [("col", c), ("col", d), ("cell", o), ("cell", w)], [])
                for o, w in ((250, 4), (None, None), (20, 2), ("#N/A", 4), (250, 0), (250, "t"), (-500, 3))]
    out += [("SP_WORKDAYS", [("cell", a), ("cell", b)], []) for a in DATES for b in DATES[:5]]
    return out


def _place(ws, row: int, case):
    """Write one case's inputs from ``row``; return (argument texts, python values, height)."""
    fn, args, literals = case
    texts, values, height = [], [], 1
    for j, (kind, v) in enumerate(args):
        col = j + 1
        if kind == "cell":
            ws.cell(row, col).value = v
            texts.append(f"{col_letters(col)}{row}")
            values.append(v)
        else:
            for i, x in enumerate(v):
                ws.cell(row + i, col).value = x
            texts.append(f"${col_letters(col)}${row}:${col_letters(col)}${row + len(v) - 1}")
            values.append([[x] for x in v])
            height = max(height, len(v))
    for lit in literals:
        texts.append(lit)
        values.append(True if lit == "TRUE" else float(lit))
    return texts, values, height


OUT_COL = 8


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    functions()
    tmp = tmp_path_factory.mktemp("translate")
    wb = Workbook()
    ws = wb.active
    ws.title = "Cases"
    hol = wb.create_sheet(HOLIDAY_SHEET)
    days = holidays_between(dt.date(2015, 1, 1), dt.date(2020, 12, 31))
    hol.cell(1, 1).value = "Helligdag"
    for i, d in enumerate(days, start=2):
        hol.cell(i, 1).value = dt.datetime.combine(d, dt.time())
    last = len(days) + 1
    cases, row = [], 1
    for case in _cases():
        texts, values, height = _place(ws, row, case)
        fn = case[0]
        formula = f"{fn}({','.join(texts)})"
        is_array = fn in ("SP_CUMULATIVE", "SP_CHANGES", "SP_BACKLOG", "SP_NETFLOW")
        out_ref = f"{col_letters(OUT_COL)}{row}"
        array_ref = f"{out_ref}:{col_letters(OUT_COL)}{row + height - 1}" if is_array else None
        native = translate(formula, array_ref)
        assert isinstance(native, Native), (formula, native)
        if native.cells:
            for i, f in native.cells:
                ws.cell(row + i, OUT_COL).value = "=" + f
        else:
            text = "=" + holiday_placeholder(native.formula, last)
            ws.cell(row, OUT_COL).value = ArrayFormula(out_ref, text) if native.array else text
        expected = REGISTRY[fn].func(*values)
        cases.append((formula, row, height if is_array else 1, expected))
        row += height + 1
    path = tmp / "cases.xlsx"
    wb.save(path)
    out = tmp / "cases.json"
    proc = subprocess.run([sys.executable, str(ORACLE), "--timeout", "300", "recalc", str(path), str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return cases, json.loads(out.read_text())["Cases"]


def _same(expected, got: dict | None) -> bool:
    if expected is None or expected == "":
        return got is None or got.get("value") in ("", None) and got.get("error") is None
    if got is None:
        return False
    if isinstance(expected, ExcelError):
        return got.get("error") == str(expected)
    if got.get("error") is not None:
        return False
    if isinstance(expected, str):
        return got.get("value") == expected
    return math.isclose(float(got["value"]), float(expected), rel_tol=1e-9, abs_tol=1e-9)


@needs_lo
def test_every_translation_matches_the_sp_function(recalculated):
    cases, cells = recalculated
    wrong = []
    for formula, row, height, expected in cases:
        column = expected if isinstance(expected, list) else [[expected]]
        for i in range(height):
            want = column[i][0]
            got = cells.get(f"{col_letters(OUT_COL)}{row + i}")
            if not _same(want, got):
                wrong.append(f"{formula} [{i}]: SP_ {want!r} vs LibreOffice {got}")
    assert not wrong, f"{len(wrong)} of {len(cases)} cases differ:\n" + "\n".join(wrong[:400])


@needs_lo
def test_the_cases_cover_errors_blanks_and_numbers(recalculated):
    cases, _ = recalculated
    kinds = set()
    for _, _, _, e in cases:
        for v in (x[0] for x in e) if isinstance(e, list) else [e]:
            kinds.add("error" if isinstance(v, ExcelError) else "empty" if v in (None, "") else type(v).__name__)
    assert {"error", "empty", "float", "str"} <= kinds


def test_calls_are_found_outside_strings_and_sheet_names():
    calls = sp_calls("IF(A1>0,SP_GROWTH('SP_X(1'!B2:B5),\"SP_GAP(1,2)\")+sp_gap(A1,B1)")
    assert [(c.name, c.args) for c in calls] == [("SP_GROWTH", ["'SP_X(1'!B2:B5"]), ("SP_GAP", ["A1", "B1"])]


def test_a_call_through_a_link_to_the_add_in_file_loses_the_link():
    for formula in ("[1]!SP_GAP(A1,B1)", "'C:\\Users\\jha\\sp_xl.xlam'!SP_GAP(A1,B1)", "sp_xl.xlam!SP_GAP(A1,B1)"):
        native = translate(formula, None)
        assert native.formula.startswith("IF(ISLOGICAL(A1)") and "xlam" not in native.formula and "[1]" not in native.formula


def test_a_call_inside_an_expression_is_translated_in_place():
    native = translate("SP_GAP(A1,B1)*100", None)
    assert native.formula.startswith("(IF(ISLOGICAL(A1)") and native.formula.endswith(")*100")


def test_sentences_top_n_and_range_names_are_frozen_with_a_reason():
    assert isinstance(translate('SP_TEXT_GROWTH(B12:E12,"brugere")', None), Frozen)
    assert isinstance(translate("SP_TOPN(A1:A9,B1:B9,5)", "D1:E5"), Frozen)
    assert isinstance(translate("SP_GROWTH(Serie)", None, {"Serie": "OFFSET(A1,0,0,5)"}), Frozen)
    assert isinstance(translate("SP_ATTAINMENT(B2:B9,C2)", None), Frozen)


def test_quoted_sheet_areas_keep_their_sheet():
    a = parse_area("'Data æøå ''x'''!$B$7:$B$25")
    assert (a.prefix, a.r1, a.r2, a.size) == ("'Data æøå ''x'''!", 7, 25, 19)
    assert a.cell(2) == "'Data æøå ''x'''!$B$9"
