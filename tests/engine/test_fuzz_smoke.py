"""The fuzz workbooks of benchmarks/fuzz_vs_libreoffice.py, computed by the engine alone (no
LibreOffice): every formula cell gets a value or a refusal, and nothing raises or hangs
(FACT(1E+15) once ran for hours; a '#' in a format text once crashed formula grouping)."""

from __future__ import annotations

import pytest

from benchmarks.fuzz_vs_libreoffice import build
from sp_xl.engine.evaluate import evaluate
from sp_xl.ooxml.package import XlsxPackage


@pytest.mark.parametrize("seed", [1, 11])
def test_every_fuzz_cell_gets_a_value_or_a_reason(tmp_path, seed):
    path = tmp_path / f"fuzz_{seed}.xlsx"
    where = build(path, seed, 1500, [])
    ev = evaluate(XlsxPackage(path.read_bytes(), path.name))
    refused = {p.ref for p in ev.problems if p.sheet == "F"}
    missing = [ref for ref in where if ("F", ref) not in ev.values and ref not in refused]
    assert not missing
    assert all(p.reason_da and p.reason_en for p in ev.problems)
