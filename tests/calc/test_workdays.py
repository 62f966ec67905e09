"""The Danish calendar comes from the holidays library and covers the moving feasts."""

import datetime as dt

import numpy as np

from sp_xl.calc import workdays


def test_easter_2018_and_store_bededag_are_holidays():
    days = workdays.holidays_between(dt.date(2018, 1, 1), dt.date(2018, 12, 31))
    for d in ["2018-03-29", "2018-03-30", "2018-04-02", "2018-04-27", "2018-05-10", "2018-05-21", "2018-12-25"]:
        assert dt.date.fromisoformat(d) in days


def test_store_bededag_is_a_working_day_from_2024():
    assert dt.date(2024, 4, 26) not in workdays.holidays_between(dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def test_nth_workday_after_matches_excel_workday_from_a_holiday():
    # WORKDAY(2 April 2018 (2. påskedag); 1) is Tuesday 3 April.
    got = workdays.nth_workday_after(np.array(["2018-04-02"], dtype="datetime64[D]"), 1)
    assert str(got[0]) == "2018-04-03"
