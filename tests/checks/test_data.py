"""Tjek data: the problems hand-pasted extracts bring, found with their cell addresses."""

from __future__ import annotations

import openpyxl
import pytest

from sp_xl.actions.check import check_file
from sp_xl.checks.data import check_package
from sp_xl.master.build import build_master
from sp_xl.ooxml.package import XlsxPackage


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    path = tmp_path_factory.mktemp("check") / "sp_status.xlsx"
    build_master(path)
    return path


def damaged(master, tmp_path):
    """The master as an analyst might leave it after a bad paste (edited with openpyxl)."""
    wb = openpyxl.load_workbook(master)
    hosp = wb["D_Hospitaler"]
    hosp["C7"] = "4 %"            # tBestOrdSet, februar, Amager og Hvidovre: text
    hosp["E9"] = None             # tBestOrdSet, april, Bornholm: missing month
    hosp["A13"] = "Rigshospitalet"  # tBestOrdSet: Psykiatri's row now says Rigshospitalet again
    support = wb["D_Support"]
    support["A16"] = 6            # tSupport: week 5 became week 6, so 5 is missing and 6 is twice
    wb["Mål"]["C7"] = None        # Mål_SmartSet emptied
    path = tmp_path / "damaged.xlsx"
    wb.save(path)
    return path


def test_the_master_as_built_has_no_data_problems(master):
    assert check_package(XlsxPackage.open(master)) == []
    assert check_file(master).lines == ["Ingen problemer fundet i sp_status.xlsx."]


def test_each_kind_of_problem_is_found_at_its_cell(master, tmp_path):
    found = {(f.sheet, f.cell, f.kind_da) for f in check_package(XlsxPackage.open(damaged(master, tmp_path)))}
    assert ("D_Hospitaler", "C7", "Tekst i talcelle") in found
    assert ("D_Hospitaler", "E9", "Manglende måned") in found
    assert ("D_Hospitaler", "A13", "Dublet") in found
    assert ("D_Support", "A17", "Dublet") in found
    assert ("D_Support", "A16", "Manglende periode") in found
    assert ("Mål", "C7", "Mål mangler") in found


def test_check_file_lists_them_for_the_kontrol_sheet(master, tmp_path):
    outcome = check_file(damaged(master, tmp_path))
    text = "\n".join(outcome.lines)
    assert "D_Hospitaler!C7: Tekst i talcelle" in text and "'4 %' er tekst" in text
    assert "Mål!C7: Mål mangler" in text and "Mål_SmartSet" in text
