"""Every formula in the workbooks Excel computed gets Excel's own value, or a refusal.

The corpus (``../shared/corpus/excel-computed/``, see its SOURCES.md) holds workbooks last
saved by Microsoft Excel: each formula's cached value is Excel's result. Each workbook is
recomputed the way ``sp-xl refresh`` does it (in memory); a formula whose new value differs
from Excel's without a refusal fails the test, unless it is on the committed list of known
differences (``known_differences.csv``: file, cell, reason). Refused cells keep Excel's value
and are fine here; ``benchmarks/corpus_report.py`` counts them per function.
"""

from __future__ import annotations

import pytest

from tests.engine.excel_corpus import CORPUS, compare_workbook, known_differences, workbooks

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="the shared excel-computed corpus is not present")

KNOWN = known_differences()


@pytest.mark.parametrize("path", workbooks(), ids=lambda p: p.name[:40])
def test_no_formula_differs_from_excel_without_a_refusal(path):
    result = compare_workbook(path)
    wrong = [c for c in result.cells if c.status == "wrong" and (c.file, c.where) not in KNOWN]
    assert wrong == [], "\n".join(
        f"{c.where}: ={c.formula}  Excel {c.excel!r}, engine {c.engine!r} {c.reason}" for c in wrong)
    for c in result.cells:
        if c.status == "refused":
            assert c.reason, f"{c.where} refused without a reason"
    assert result.constants_changed == [], "a refresh changed cells that are not formulas"


def test_the_known_differences_are_few_and_still_real():
    assert len(KNOWN) <= 30, "the known-differences list is meant to stay short"
    files = {p.name: p for p in workbooks()}
    by_file: dict[str, set[str]] = {}
    for file, cell in KNOWN:
        assert file in files, f"known difference in a workbook not in the corpus: {file}"
        by_file.setdefault(file, set()).add(cell)
    for file, cells in by_file.items():
        status = {c.where: c.status for c in compare_workbook(files[file]).cells}
        fixed = [c for c in cells if status.get(c) != "wrong"]
        assert fixed == [], f"{file}: no longer different from Excel, drop from the list: {fixed}"
