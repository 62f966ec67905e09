"""Shared test fixtures: where the shared folder is, and LibreOffice when it is installed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LO_ORACLE = SHARED / "tools" / "lo_oracle.py"
CORPUS = SHARED / "corpus" / "real-xlsx"


def have_libreoffice() -> bool:
    return shutil.which("soffice") is not None and LO_ORACLE.exists()


needs_libreoffice = pytest.mark.skipif(not have_libreoffice(), reason="LibreOffice (soffice) is not installed")


def lo_recalc(xlsx: Path, out_json: Path) -> dict:
    """Recalculate a workbook in LibreOffice and return every cell as lo_oracle.py reports it."""
    proc = subprocess.run(["python3", str(LO_ORACLE), "--timeout", "180", "recalc", str(xlsx), str(out_json)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"lo_oracle failed ({proc.returncode}): {proc.stderr}"
    return json.loads(out_json.read_text())
