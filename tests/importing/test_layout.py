"""Reading the master's table slots, month headings and hospital names."""

import datetime as dt

import pytest

from sp_xl.importing.layout import month_of, read_slots, serial_to_date
from sp_xl.importing.plan import hospital_key
from sp_xl.ooxml.package import XlsxPackage


@pytest.mark.parametrize("heading, year, expected", [
    ("januar", 2018, (2018, 1)), ("Jan. 2019", 2018, (2019, 1)), ("2018-05", None, (2018, 5)),
    ("December 2017", 2018, (2017, 12)), ("maj", None, None), ("Hospital", 2018, None), ("2018-13", 2018, None),
])
def test_month_headings(heading, year, expected):
    assert month_of(heading, year) == expected


def test_hospital_names_match_across_spellings():
    assert hospital_key("Bornholms Hospital") == hospital_key("Bornholms  hospital")
    assert hospital_key("Nordsjællands Hospital") == hospital_key("Hospitalerne i Nordsjælland")
    assert hospital_key("Rigshospitalet") != hospital_key("Herlev og Gentofte Hospital")


def test_dates_in_both_date_systems():
    assert serial_to_date(43102.0) == dt.date(2018, 1, 2)
    assert serial_to_date(43102.0 - 1462, date1904=True) == dt.date(2018, 1, 2)
    assert serial_to_date(43102.5) is None and serial_to_date("43102") is None


def test_the_masters_tables_as_slots(tmp_path):
    from sp_xl.master.build import build_master
    slots = read_slots(XlsxPackage(build_master(tmp_path / "m.xlsx").read_bytes()))
    t4 = slots["tMinSPBrugere"]
    assert (t4.sheet, t4.header_row, t4.first_row, t4.last_row, t4.first_col, t4.last_col) == ("D_Hospitaler", 28, 29, 35, 1, 5)
    assert t4.headers == ["Hospital", "januar", "februar", "marts", "april"] and t4.year == 2018
    assert t4.first_column[29] == "Amager og Hvidovre Hospital"
    assert (t4.source_ref, t4.source_text) == ("A36", "Kilde: Sundhedsplatformen (Min Sundhedsplatform), trukket d. 19. maj 2018")
    lpr = slots["tLPRFejl"]
    assert serial_to_date(lpr.first_column[lpr.first_row]) == dt.date(2018, 1, 1) and lpr.last_row - lpr.first_row == 137
    assert slots["tSupport"].year == 2018 and slots["tSupport"].first_column[12] == 1
