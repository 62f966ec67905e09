"""YEAR, MONTH, DAY, WEEKDAY of serials: Excel's calendar, checked against the calendar
itself (datetime), hand-worked values of Excel's 1900 quirks, and the ``formulas`` package
implementation that they replace."""

import datetime as dt

import pytest

from sp_xl.engine import dateparts
from sp_xl.engine.compile import Compiler
from sp_xl.engine.excelstats import DELEGATE
from sp_xl.engine.values import EMPTY, E_NUM

YEAR, MONTH, DAY = (dateparts.STRICT[n][0] for n in ("YEAR", "MONTH", "DAY"))


def test_serials_after_1900_are_the_real_calendar():
    for serial in (61, 365, 43101, 43200.75, 2958465):
        d = dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))
        assert (YEAR(float(serial)), MONTH(float(serial)), DAY(float(serial))) == (d.year, d.month, d.day)
        # Python: Monday 0 .. Sunday 6; WEEKDAY(;2): Monday 1 .. Sunday 7
        assert dateparts.weekday(float(serial), 2.0) == d.weekday() + 1


def test_excel_1900_quirks():
    assert (YEAR(0.0), MONTH(0.0), DAY(0.0)) == (1900, 1, 0)          # "0 January 1900"
    assert (YEAR(EMPTY), MONTH(EMPTY), DAY(EMPTY)) == (1900, 1, 0)    # an empty cell is serial 0
    assert (MONTH(60.0), DAY(60.0)) == (2, 29)                       # the phantom 29 February 1900
    assert (MONTH(59.0), DAY(59.0), MONTH(61.0), DAY(61.0)) == (2, 28, 3, 1)
    assert dateparts.weekday(1.0) == 1.0       # serial 1 is a Sunday in Excel's calendar
    assert dateparts.weekday(0.0) == 7.0       # and serial 0 a Saturday
    assert dateparts.weekday(43101.0, 3.0) == 0.0    # 1 January 2018, a Monday, type 3: Monday = 0
    assert dateparts.weekday(43101.0, 12.0) == 7.0   # type 12: Tuesday = 1, so Monday = 7
    assert dateparts.weekday(43101.0, 17.0) == 2.0   # type 17: Sunday = 1


def test_out_of_range_and_other_types():
    assert YEAR(-1.0) is E_NUM and YEAR(2958466.0) is E_NUM
    assert dateparts.weekday(43101.0, 4.0) is E_NUM
    for other in ("1-1-2018", True, E_NUM):     # text dates, logicals, errors: the general path
        assert YEAR(other) is DELEGATE


@pytest.mark.parametrize("name", ["YEAR", "MONTH", "DAY", "WEEKDAY"])
def test_agrees_with_the_formulas_package(name):
    invoke = Compiler.__new__(Compiler)
    invoke._resolved = {}
    mine = dateparts.STRICT[name][0]
    for serial in [0.0, 1.0, 59.0, 60.0, 61.0, 366.5, 43101.0, 43159.99, 50000.0, 2958465.0, EMPTY]:
        assert mine(serial) == invoke._invoke(name, [serial]), (name, serial)
