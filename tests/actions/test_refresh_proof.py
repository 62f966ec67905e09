"""The refreshed master, seen by an independent program (LibreOffice) and by a person (PDF/PNG).

LibreOffice has no SP_ functions, so every SP_ cell is #NAME? there, exactly what a reader
without the add-in would get if the workbook were recalculated; the file itself must still
carry a computed value for each of them. The rendered pages are kept in `artifacts/` (ignored
by git) for a person to look at after a test run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sp_xl.errors import ExcelError
from sp_xl.master.build import build_master
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.actions.refresh import refresh
from tests.conftest import LO_ORACLE, ROOT, lo_recalc, needs_libreoffice

pytestmark = needs_libreoffice
ARTIFACTS = ROOT / "artifacts" / "refreshed-master"
SP_CALL = re.compile(r"\bSP_[A-Z_]+\(")


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("proof") / "sp_status.xlsx"
    build_master(path)
    summary = refresh(path, backup=False)
    assert not summary.problems
    return path


def test_sp_cells_are_name_errors_in_libreoffice_but_carry_values_in_the_file(refreshed, tmp_path):
    pkg = XlsxPackage.open(refreshed)
    lo = lo_recalc(refreshed, tmp_path / "lo.json")
    sp_cells = [f for f in pkg.formulas() if SP_CALL.search(f.formula)]
    assert len(sp_cells) > 150  # array formulas count once
    for f in sp_cells:
        if not f.formula.startswith("IF("):      # a slot guarded by IF is "" when empty, SP_ or not
            assert lo[f.sheet][f.ref]["error"] == "#NAME?", f
        cached = pkg.cells(f.sheet).get(f.ref)
        assert cached is not None and not isinstance(cached, ExcelError), f


def test_the_refreshed_master_renders_with_its_charts(refreshed):
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    proc = subprocess.run(["python3", str(LO_ORACLE), "--timeout", "240", "pdf", str(refreshed), str(ARTIFACTS),
                           "--dpi", "60"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    pdf = ARTIFACTS / "sp_status.pdf"
    pages = sorted(ARTIFACTS.glob("*.png"))
    assert pdf.stat().st_size > 50_000 and len(pages) >= 6
    if shutil.which("pdftotext"):
        text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
        for title in ("Figur 1: LPR-fejlregistreringer akkumuleret", "Brugere oprettet på Min Sundhedsplatform",
                      "Figur 5: Nye brugere", "Figur 6: Certificering"):
            assert title in text, title
