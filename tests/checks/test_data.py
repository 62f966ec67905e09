"""Tjek data: the problems hand-pasted extracts bring, found with their cell addresses, and
the calendar of the data tables (latest period, missing periods, tables that lag)."""

from __future__ import annotations

import datetime as dt
import shutil
import time

import openpyxl
import pytest

from sp_xl.actions.check import check_file
from sp_xl.actions.refresh import refresh
from sp_xl.checks.data import check_package
from sp_xl.master.build import build_master
from sp_xl.ooxml.package import XlsxPackage


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    path = tmp_path_factory.mktemp("check") / "sp_status.xlsx"
    build_master(path)
    return path


@pytest.fixture(scope="module")
def refreshed(master, tmp_path_factory):
    path = tmp_path_factory.mktemp("refreshed") / "sp_status.xlsx"
    shutil.copy(master, path)
    refresh(path, backup=False)
    return path


def damaged(master, tmp_path):
    """The master as an analyst might leave it after a bad paste (edited with openpyxl)."""
    wb = openpyxl.load_workbook(master)
    hosp = wb["D_Hospitaler"]             # tBestOrdSet in A-C: januar rows 8-14, ..., april rows 29-35
    hosp["C9"] = "4 %"                    # januar, Bispebjerg: text
    hosp["C31"] = None                    # april, Bornholm: no figure
    hosp["B14"] = "Rigshospitalet"        # januar, Psykiatri's row now says Rigshospitalet again
    for r in range(29, 36):               # tMinSPBesvaret (M-O): April's rows relabelled May
        hosp[f"M{r}"] = dt.datetime(2018, 5, 1)
    support = wb["D_Support"]             # tSupport: week 1 in row 13, ..., week 19 in row 31
    support["A17"] = dt.datetime(2018, 2, 5)   # week 5 became week 6: 5 is missing and 6 is twice
    wb["Mål"]["B7"] = None                # Mål_SmartSet emptied
    path = tmp_path / "damaged.xlsx"
    wb.save(path)
    return path


def test_the_master_as_built_is_not_computed_yet_and_its_tables_follow_the_report(master):
    found = check_package(XlsxPackage.open(master))
    assert [(f.kind_da, f.note) for f in found if not f.note] == [("Ikke beregnet", False)]
    notes = {f.detail_da for f in found if f.note}
    # The report's tables run to different months (Tabel 1-2 to May, 4-6 to April): worth a note.
    assert "tMinSPBrugere går til april 2018, andre tabeller til maj 2018." in notes
    assert "tBestOrdSet" not in " ".join(notes)


def test_a_refreshed_master_has_no_problems_and_says_where_each_table_ends(refreshed):
    outcome = check_file(refreshed)
    assert outcome.ok and outcome.lines[0] == "Ingen problemer fundet i sp_status.xlsx."
    periods = outcome.lines[-1]
    assert periods.startswith("Seneste periode pr. tabel: ")
    assert "tBestOrdSet maj 2018" in periods and "tMinSPBrugere april 2018" in periods
    assert "tLPRFejl 18-05-2018" in periods and "tSupport uge 19 2018" in periods
    assert "tNøglepersoner februar 2018" in periods


def test_each_kind_of_problem_is_found_at_its_cell(master, tmp_path):
    found = {(f.sheet, f.cell, f.kind_da): f.detail_da for f in check_package(XlsxPackage.open(damaged(master, tmp_path)))}
    assert ("D_Hospitaler", "C9", "Tekst i talcelle") in found
    assert ("D_Hospitaler", "C31", "Manglende tal") in found
    assert ("D_Hospitaler", "A14", "Dublet") in found
    assert found[("D_Hospitaler", "M8", "Manglende periode")] == "tMinSPBesvaret mangler april 2018."
    assert found[("D_Hospitaler", "B8", "Manglende periode")] == "tBestOrdSet: Region Hovedstadens Psykiatri mangler januar 2018."
    assert ("D_Support", "A18", "Dublet") in found
    assert found[("D_Support", "A13", "Manglende periode")] == "tSupport mangler uge 5 2018."
    assert ("Mål", "B7", "Mål mangler") in found
    assert ("Forside", "B5", "Ikke beregnet") in found       # saved by openpyxl: no computed values


def test_check_file_lists_them_and_is_not_ok(master, tmp_path):
    outcome = check_file(damaged(master, tmp_path))
    text = "\n".join(outcome.lines)
    assert not outcome.ok
    assert "D_Hospitaler!C9: Tekst i talcelle" in text and "'4 %' er tekst" in text
    assert "Mål!B7: Mål mangler" in text and "Mål_SmartSet" in text


def test_numbers_not_computed_since_the_last_import_are_a_problem(refreshed, tmp_path):
    from sp_xl.actions.importing import import_extracts
    from tests.actions.test_importing import FIXTURES
    book = tmp_path / "sp_status.xlsx"
    shutil.copy(refreshed, book)
    time.sleep(1.1)                      # both times are kept in whole seconds: the import comes later
    import_extracts(book, [FIXTURES / "sager_niveau.csv"], refresh=False, backup=False,
                    now=dt.datetime.now())
    outcome = check_file(book)
    assert not outcome.ok and any("efter at tallene sidst blev beregnet" in line for line in outcome.lines)
    refresh(book, backup=False)
    assert check_file(book).ok
