"""Filled-down runs evaluated a column at a time (sp_xl.engine.columns) give exactly the
values and refusals of the cell-by-cell evaluation: on every workbook Excel saved in the
corpus, and on generated columns that mix every kind of value Excel cells hold."""

from __future__ import annotations

import math
import random

import pytest

from sp_xl.engine import columns
from sp_xl.engine.evaluate import evaluate
from sp_xl.engine.values import ERRORS
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.safety import WorkbookRefused
from tests.engine.excel_corpus import CORPUS
from tests.engine.test_engine import FakePackage, Formula


def _both_ways(pkg, monkeypatch, **kw):
    monkeypatch.setattr(columns, "MIN_RUN", 10 ** 9)           # cell by cell
    cells = evaluate(pkg, **kw)
    monkeypatch.setattr(columns, "MIN_RUN", 2)                 # every run of two or more as a column
    spied = []
    real = columns.ColumnCompiler.compile

    def compile_spy(self, *args):
        spied.append(args[0])
        return real(self, *args)
    monkeypatch.setattr(columns.ColumnCompiler, "compile", compile_spy)
    cols = evaluate(pkg, **kw)
    return cells, cols, spied


def _same(a, b) -> bool:
    if type(a) is float and type(b) is float:
        return a == b or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


def _assert_identical(cells, cols):
    assert cells.values.keys() == cols.values.keys()
    different = [(k, cells.values[k], cols.values[k]) for k in cells.values
                 if not _same(cells.values[k], cols.values[k])]
    assert different == []
    assert sorted((p.sheet, p.ref, p.reason_en) for p in cells.problems) == \
        sorted((p.sheet, p.ref, p.reason_en) for p in cols.problems)


CORPUS_FILES = sorted(CORPUS.glob("*.xls[xm]")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS_FILES, reason="the Excel corpus is not here")
def test_every_corpus_workbook_gives_the_same_values_as_a_column(monkeypatch):
    compiled_as_columns = 0
    for path in CORPUS_FILES:
        try:
            pkg = XlsxPackage(path.read_bytes(), path.name)
            pkg.formulas()
        except WorkbookRefused:
            continue
        cells, cols, spied = _both_ways(pkg, monkeypatch)
        compiled_as_columns += len(spied)
        _assert_identical(cells, cols)
    assert compiled_as_columns > 100      # the corpus really exercised the column path


# ---------------------------------------------------------------- generated columns

ROWS = 60
KINDS = [
    lambda r: float(r.randint(-50, 300)), lambda r: r.uniform(-1e6, 1e6), lambda r: 2.675, lambda r: -2.5,
    lambda r: 0.0, lambda r: "tekst", lambda r: "A07", lambda r: "a07", lambda r: "12", lambda r: " 3,5 ",
    lambda r: "a*", lambda r: "", lambda r: True, lambda r: False, lambda r: None,
    lambda r: ERRORS["#N/A"], lambda r: ERRORS["#DIV/0!"], lambda r: 43101.0 + r.randint(0, 900),
]

FORMULAS = [
    "A{r}+B{r}", "A{r}-B{r}*2", "A{r}/B{r}", "A{r}^2", "-A{r}", "A{r}%", "A{r}&B{r}", "A{r}&\"x\"",
    "A{r}=B{r}", "A{r}<>\"tekst\"", "A{r}<B{r}", "A{r}>=100",
    'IF(A{r}>100,"Stor","Lille")', "IF(A{r},B{r})", "IF(B{r}=\"\",0,B{r}*2)", "IF(A{r}>0,A{r}/B{r},-1)",
    "ROUND(A{r}*1.25,2)", "ROUND(A{r},B{r})", "ROUNDUP(A{r},-1)", "INT(A{r})", "ABS(B{r})", "LEN(A{r})",
    "YEAR(A{r})", "MONTH(A{r})", "DAY(B{r})", "WEEKDAY(A{r},2)", "WEEKDAY(DATE(YEAR(A{r}),MONTH(A{r}),1),2)",
    "DATE(2018,A{r},1)", "VLOOKUP(A{r},Opslag!$A$1:$B$12,2,FALSE)", "VLOOKUP(B{r},Opslag!$A$1:$B$12,2,0)",
    "MATCH(A{r},Opslag!$A$1:$A$12,0)", "INDEX(Opslag!$B$1:$B$12,MATCH(B{r},Opslag!$A$1:$A$12,0))",
    "SUM(A{r}:B{r})", "COUNTIF(Opslag!$A$1:$A$12,A{r})", "AND(A{r}>0,B{r}>0)", "IFERROR(A{r}/B{r},\"-\")",
    "CONCATENATE(A{r},\"-\",B{r})", "ISNUMBER(A{r})", "A{r}*Opslag!$C$1", "$A$1+A{r}", "UPPER(B{r})",
    "SUMPRODUCT((Opslag!$A$1:$A$12=A{r})*1)", "A{r}+C{r}",
]


def _sheet(seed: int) -> dict[str, object]:
    rnd = random.Random(seed)
    cells: dict[str, object] = {}
    for r in range(1, ROWS + 1):
        for col in "AB":
            v = rnd.choice(KINDS)(rnd)
            if v is not None:
                cells[f"{col}{r}"] = v
    return cells


LOOKUP = {**{f"A{i}": v for i, v in enumerate(["A07", 12.0, "tekst", True, 0.0, "a*", 2.675, "12", 43102.0,
                                               -2.5, "", 99.0], 1)},
          **{f"B{i}": f"svar {i}" for i in range(1, 13)}, "C1": 1.5}


@pytest.mark.parametrize("seed", range(4))
def test_generated_columns_of_every_kind_of_value(monkeypatch, seed):
    formulas = [Formula("Data", f"{chr(ord('D') + k)}{r}" if k < 23 else f"A{chr(ord('A') + k - 23)}{r}",
                        f.format(r=r))
                for k, f in enumerate(FORMULAS) for r in range(1, ROWS + 1)]
    pkg = FakePackage({"Data": _sheet(seed), "Opslag": LOOKUP}, formulas)
    for locale in ("en-US", "da-DK"):
        cells, cols, spied = _both_ways(pkg, monkeypatch, locale=locale)
        assert len(spied) >= len(FORMULAS) - 2
        _assert_identical(cells, cols)


def test_a_column_reading_its_own_column_stays_cell_by_cell(monkeypatch):
    formulas = [Formula("Ark1", "A1", "1")] + [Formula("Ark1", f"A{r}", f"A{r - 1}+1") for r in range(2, 40)]
    cells, cols, _ = _both_ways(FakePackage({"Ark1": {}}, formulas), monkeypatch)
    _assert_identical(cells, cols)
    assert cols.values[("Ark1", "A39")] == 39.0


def test_a_column_after_the_column_it_reads(monkeypatch):
    data = {f"A{r}": float(r) for r in range(1, 50)}
    formulas = ([Formula("Ark1", f"C{r}", f"B{r}*2") for r in range(1, 50)]
                + [Formula("Ark1", f"B{r}", f"A{r}+1") for r in range(1, 50)])
    cells, cols, spied = _both_ways(FakePackage({"Ark1": data}, formulas), monkeypatch)
    _assert_identical(cells, cols)
    assert len(spied) == 2 and cols.values[("Ark1", "C49")] == 100.0


def test_two_columns_reading_each_other_a_row_apart(monkeypatch):
    # As runs they read each other (a cycle of two nodes); cell by cell there is no cycle:
    # the graph is built again without runs and every cell gets its value.
    formulas = [Formula("Ark1", "B1", "1"), Formula("Ark1", "C1", "B1*2")]
    for r in range(2, 40):
        formulas += [Formula("Ark1", f"B{r}", f"C{r - 1}+1"), Formula("Ark1", f"C{r}", f"B{r}*2")]
    from sp_xl.engine import nodes
    expanded = []
    real = nodes.expand_all
    monkeypatch.setattr(nodes, "expand_all", lambda *a: expanded.append(1) or real(*a))
    cells, cols, _ = _both_ways(FakePackage({"Ark1": {}}, formulas), monkeypatch)
    _assert_identical(cells, cols)
    assert expanded and cols.problems == []
    assert cols.values[("Ark1", "B3")] == 7.0 and cols.values[("Ark1", "C3")] == 14.0
