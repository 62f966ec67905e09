"""An import reaches the report: after `import` and `refresh`, the report sheets show the
imported numbers and the imported source line ("Kilde: <origin>, <months>, trukket d. …")."""

from __future__ import annotations

from pathlib import Path

from sp_xl.actions.importing import import_extracts
from sp_xl.master.build import build_master
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.actions.refresh import refresh

FIXTURE = Path(__file__).resolve().parents[1] / "extracts" / "fixtures" / "minsp_brugere_cp1252.csv"


def test_the_report_shows_the_imported_numbers_and_source(tmp_path):
    book = build_master(tmp_path / "sp_status.xlsx")
    newer = FIXTURE.read_bytes().replace(b"52.559;58.253", b"52.559;60.253")
    extract = tmp_path / "minsp_brugere.csv"
    extract.write_bytes(newer.replace(b"Trukket: 19-05-2018", b"Trukket: 2018-06-02"))

    summary = import_extracts(book, [extract], backup=False)
    assert summary.changed
    refresh(book, backup=False)

    pkg = XlsxPackage.open(book)
    minsp = pkg.cells("MinSP")
    sources = [v for v in minsp.values() if isinstance(v, str) and v.startswith("Kilde: ")]
    # the reader's line: the origin and the new extraction date, not the analyst's file name
    assert "Kilde: Sundhedsplatformen (Min Sundhedsplatform), januar–april 2018, trukket d. 2. juni 2018" in sources
    assert not any(".csv" in s for s in sources), sources
    # Tabel 4's growth row for Rigshospitalet follows the revised April count.
    growth = {v for k, v in minsp.items() if k.startswith("N") and isinstance(v, float)}
    assert 60253 - 42097 in growth
