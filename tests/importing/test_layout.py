"""Reading the master's table slots, month headings and hospital names."""

import datetime as dt


from sp_xl.importing.layout import read_slots, serial_to_date
from sp_xl.ooxml.package import XlsxPackage


def test_dates_in_both_date_systems():
    assert serial_to_date(43102.0) == dt.date(2018, 1, 2)
    assert serial_to_date(43102.0 - 1462, date1904=True) == dt.date(2018, 1, 2)
    assert serial_to_date(43102.5) is None and serial_to_date("43102") is None


def test_the_masters_tables_as_slots(tmp_path):
    from sp_xl.master.build import build_master
    slots = read_slots(XlsxPackage(build_master(tmp_path / "m.xlsx").read_bytes()))
    t4 = slots["tMinSPBrugere"]                       # third of five long tables side by side
    assert (t4.sheet, t4.header_row, t4.first_row, t4.first_col, t4.last_col) == ("D_Hospitaler", 7, 8, 9, 11)
    assert t4.last_row == 8 + 4 * 7 - 1                 # January-April, seven hospitals each
    assert t4.headers == ["Måned", "Hospital", "Antal"]
    assert (t4.column("måned"), t4.column("HOSPITAL"), t4.column("Antal")) == (9, 10, 11)
    assert serial_to_date(t4.value(8, 9)) == dt.date(2018, 1, 1) and t4.value(8, 10) == "Amager og Hvidovre Hospital"
    # The source line sits above the header, so the table can grow downwards.
    assert (t4.source_ref, t4.source_text, t4.source_below) == (
        "I6", "Kilde: Sundhedsplatformen (Min Sundhedsplatform), trukket d. 19. maj 2018", False)
    lpr = slots["tLPRFejl"]
    assert serial_to_date(lpr.first_column[lpr.first_row]) == dt.date(2018, 1, 1)
    assert lpr.last_row - lpr.first_row + 1 == 138 * 7     # a row per day and hospital
    support = slots["tSupport"]
    assert serial_to_date(support.first_column[support.first_row]) == dt.date(2018, 1, 1)   # Monday of week 1
