"""What each function does with ranges, shapes and empty cells: hand-worked examples."""

import datetime as dt

import pytest

from sp_xl.udfs import (
    SP_AVG_GROWTH_PCT, SP_BACKLOG, SP_CHANGES, SP_CUMULATIVE, SP_FORECAST, SP_GAP, SP_GROWTH, SP_NETFLOW,
    SP_PEAK, SP_ROUND_CA, SP_STATUS, SP_TEXT_ATTAINMENT, SP_TEXT_GROWTH, SP_TOPN, SP_TREND,
    SP_WEEKS_TO_CLEAR, SP_WITHIN_WORKDAYS, SP_WORKDAYS,
)


def test_growth_uses_first_and_last_numbers_skipping_empty_cells():
    assert SP_GROWTH([None, 100.0, None, 130.0, None]) == 30


def test_avg_growth_counts_periods_across_empty_cells():
    # 100 -> 121 over two periods (one of them empty) is 10 % a period.
    assert SP_AVG_GROWTH_PCT([100, None, 121]) == pytest.approx(0.10)


def test_shapes_follow_the_input():
    assert SP_GAP(0.11, 0.25) == pytest.approx(-0.14)               # cell -> value
    assert SP_GAP([0.11, 0.3], 0.25) == pytest.approx([-0.14, 0.05])  # flat list -> flat list
    row = SP_GAP([[0.11, 0.3]], 0.25)                                # a row -> a row
    assert len(row) == 1 and len(row[0]) == 2
    col = SP_CUMULATIVE([[1], [2], [3]])                             # a column -> a column
    assert col == [[1], [3], [6]]


def test_row_against_column_broadcasts_like_excel():
    out = SP_GAP([[1], [2]], [[10, 20, 30]])
    assert out == [[-9, -19, -29], [-8, -18, -28]]


def test_status_thresholds():
    assert SP_STATUS(0.30, 0.30) == "Grøn"        # exactly on target
    assert SP_STATUS(0.24, 0.30) == "Gul"         # 80 %
    assert SP_STATUS(0.2399, 0.30) == "Rød"
    assert SP_STATUS(0.2, 0.30, 0.6) == "Gul"
    assert SP_STATUS(12, 10, 0.8, True) == "Gul"  # 10/12 = 83 % when lower is better


def test_changes_first_is_empty_and_gaps_stay_empty():
    assert SP_CHANGES([[10, 12, None, 15, 18]]) == [[None, 2, None, None, 3]]
    assert SP_CHANGES([100, 110], True) == [None, pytest.approx(0.10)]


def test_cumulative_carries_over_empty_cells():
    assert SP_CUMULATIVE([5, None, 3]) == [5, None, 8]


def test_backlog_and_netflow_hand_worked():
    created, closed = [600, 620, 580, 610], [590, 640, 600, 600]
    assert SP_BACKLOG(created, closed, 1000) == [1010, 990, 970, 980]
    assert SP_NETFLOW(created, closed) == [-10, 20, 20, -10]
    assert SP_BACKLOG(created + [None], closed + [None], 1000)[-1] is None


def test_trend_and_forecast_hand_worked():
    assert SP_TREND([2, 4, 6, 8]) == pytest.approx(2)
    assert SP_FORECAST([2, 4, 6, 8], 1) == pytest.approx(10)
    assert [r[0] for r in SP_FORECAST([2, 4, 6, 8, None, None], [[1], [2]])] == pytest.approx([10, 12])


def test_weeks_to_clear_hand_worked():
    # Backlog 100 + 4*(50-60) = 60, falling by 10 a week: 6 weeks.
    assert SP_WEEKS_TO_CLEAR([50] * 4, [60] * 4, 100) == pytest.approx(6)
    # Average over the last two weeks only: net closing 20 a week, backlog 100-10+0-20-20 = 50.
    assert SP_WEEKS_TO_CLEAR([50, 50, 50, 50], [60, 50, 70, 70], 100, 2) == pytest.approx(50 / 20)
    assert SP_WEEKS_TO_CLEAR([10], [110], 100, 1) == 0


def test_peak_finds_the_break_of_an_accumulated_curve():
    days = [dt.date(2018, 4, d) for d in range(8, 13)]
    accumulated = [100, 120, 130, 125, 110]
    assert SP_PEAK(accumulated, days) == dt.date(2018, 4, 10)
    assert SP_PEAK([1, 3, 3]) == 2  # ties: the first


def test_topn_ties_keep_input_order_and_ascending():
    assert SP_TOPN(["a", "b", "c"], [1, 2, 2], 2) == [["b", 2], ["c", 2]]
    assert SP_TOPN(["a", "b", "c"], [3, 1, 2], 2, True) == [["b", 1], ["c", 2]]
    assert SP_TOPN(["a", "b"], [3, 1], 5) == [["a", 3], ["b", 1]]  # fewer rows than n


def test_workdays_over_easter_2018_and_across_a_weekend():
    # Mon 26 Mar - Fri 6 Apr 2018: 10 weekdays minus Skærtorsdag, Langfredag, 2. påskedag.
    assert SP_WORKDAYS(dt.date(2018, 3, 26), dt.date(2018, 4, 6)) == 7
    assert SP_WORKDAYS(dt.datetime(2018, 4, 6, 15, 30), dt.date(2018, 4, 9)) == 2
    assert SP_WORKDAYS(dt.date(2018, 4, 9), dt.date(2018, 4, 6)) == -2
    # Excel serial numbers work too (43191 is 2018-04-01, Easter Sunday).
    assert SP_WORKDAYS(43191, 43197) == SP_WORKDAYS(dt.date(2018, 4, 1), dt.date(2018, 4, 7)) == 4


def test_within_workdays_counts_the_nth_working_day_after_sending():
    d = dt.date
    # Sent Wednesday 28 March 2018: the 3rd working day after is Thursday 5 April (Easter between).
    sent = [d(2018, 3, 28)] * 3 + [None]
    answered = [d(2018, 4, 5), d(2018, 4, 6), None, None]
    assert SP_WITHIN_WORKDAYS(sent, answered, 3) == pytest.approx(1 / 3)
    # Sent on a Saturday: the 1st working day after is Monday.
    assert SP_WITHIN_WORKDAYS([d(2018, 4, 14)], [d(2018, 4, 16)], 1) == 1


def test_round_ca_more_digits_and_ranges():
    assert SP_ROUND_CA(1807, 2) == 1800
    assert SP_ROUND_CA([[0.15, 250, -48529]]) == [[0.2, 300, -50000]]


def test_sentences_for_a_decrease_and_for_shares():
    assert SP_TEXT_GROWTH([200, 150], "aktive sager") == (
        "et samlet fald i aktive sager på ca. 50, hvilket svarer til et fald på ca. 30 pct.")
    assert SP_TEXT_ATTAINMENT(0.11, 0.25, "Rigshospitalet") == (
        "Rigshospitalet: 11 pct. mod målet på 25 pct. svarer til en målopfyldelse på ca. 44 pct.")
