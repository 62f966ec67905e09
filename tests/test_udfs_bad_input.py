"""Bad input gives the error an Excel user expects, with a Danish reason, and never an exception."""

import datetime as dt

import pytest

from sp_xl import i18n
from sp_xl.errors import ExcelError
from sp_xl.udfs import (
    SP_ATTAINMENT, SP_BACKLOG, SP_CHANGES, SP_CUMULATIVE, SP_FORECAST, SP_GROWTH, SP_GROWTH_PCT,
    SP_PEAK, SP_REQUIRED, SP_SHARE, SP_TEXT_ATTAINMENT, SP_TOPN, SP_TREND, SP_WEEKS_TO_CLEAR,
    SP_WITHIN_WORKDAYS, SP_WORKDAYS,
)


def code(x):
    assert isinstance(x, ExcelError), f"expected an error value, got {x!r}"
    assert x.reason_da and x.reason_en and x.reason_da != x.reason_en
    return str(x)


def test_text_where_a_number_belongs_is_value_error_naming_the_cell():
    e = SP_GROWTH([[1.0], ["12 stk"], [3.0]])
    assert code(e) == "#VALUE!"
    assert "celle nr. 2" in e.reason_da and "12 stk" in e.reason_da


def test_zero_or_empty_divisor_is_div0():
    assert code(SP_ATTAINMENT(5, 0)) == "#DIV/0!"
    assert code(SP_ATTAINMENT(5, None)) == "#DIV/0!"
    assert code(SP_SHARE(5, 0)) == "#DIV/0!"
    assert code(SP_REQUIRED(100, 0)) == "#DIV/0!"
    assert code(SP_GROWTH_PCT([0, 10])) == "#DIV/0!"


def test_too_little_data_is_na():
    assert code(SP_GROWTH([[5.0]])) == "#N/A"
    assert code(SP_TREND([5.0, None, None])) == "#N/A"
    assert code(SP_FORECAST([5.0], 1)) == "#N/A"
    assert code(SP_PEAK([None, None])) == "#N/A"


def test_error_in_an_input_cell_propagates_not_as_blank():
    # xlwings' err_to_str hands error cells over as their code.
    assert code(SP_GROWTH([1.0, "#DIV/0!", 3.0])) == "#DIV/0!"
    assert code(SP_ATTAINMENT("#N/A", 0.25)) == "#N/A"
    out = SP_CUMULATIVE([[1.0], ["#REF!"], [2.0]])
    assert out[0] == [1.0] and str(out[1][0]) == "#REF!" and str(out[2][0]) == "#REF!"


def test_one_bad_row_in_a_range_spoils_only_that_row():
    out = SP_ATTAINMENT([[0.1], ["x"], [None], [0.2]], [[0.25], [0.25], [0.25], [0]])
    assert out[0][0] == pytest.approx(0.4)
    assert [str(r[0]) for r in out[1:]] == ["#VALUE!", "#N/A", "#DIV/0!"]


def test_logical_values_and_dates_are_not_numbers():
    assert code(SP_ATTAINMENT(True, 0.25)) == "#VALUE!"
    assert code(SP_GROWTH([dt.datetime(2018, 1, 1), 5])) == "#VALUE!"


def test_ranges_of_different_size_are_refused():
    e = SP_ATTAINMENT([[1], [2], [3]], [[1], [2]])
    assert code(e) == "#VALUE!" and "3×1" in e.reason_da


def test_a_2d_range_is_not_a_series():
    assert code(SP_GROWTH([[1, 2], [3, 4]])) == "#VALUE!"


def test_backlog_with_only_one_side_reported_is_na_from_there_on():
    out = SP_BACKLOG([10, 10, 10], [5, None, 5], 0)
    assert out[0] == 5 and [str(v) for v in out[1:]] == ["#N/A", "#N/A"]


def test_backlog_series_must_match():
    assert code(SP_BACKLOG([1, 2, 3], [1, 2])) == "#VALUE!"


def test_weeks_to_clear_is_na_with_reason_when_backlog_not_falling():
    e = SP_WEEKS_TO_CLEAR([10, 10, 10, 10], [9, 9, 9, 9], 50)
    assert code(e) == "#N/A" and "falder ikke" in e.reason_da


def test_topn_refuses_n_below_one_and_mismatched_lengths():
    assert code(SP_TOPN(["a", "b"], [1, 2], 0)) == "#NUM!"
    assert code(SP_TOPN(["a"], [1, 2], 1)) == "#VALUE!"
    assert code(SP_TOPN(["a", "b"], [None, None], 1)) == "#N/A"


def test_dates_as_text_are_refused():
    e = SP_WORKDAYS("10-04-2018", dt.date(2018, 4, 20))
    assert code(e) == "#VALUE!" and "dato" in e.reason_da


def test_within_workdays_refuses_answers_before_sending_and_orphan_answers():
    d = dt.date
    assert code(SP_WITHIN_WORKDAYS([d(2018, 4, 10)], [d(2018, 4, 9)], 3)) == "#VALUE!"
    assert code(SP_WITHIN_WORKDAYS([None, d(2018, 4, 10)], [d(2018, 4, 9), None], 3)) == "#VALUE!"
    assert code(SP_WITHIN_WORKDAYS([None], [None], 3)) == "#N/A"


def test_flags_accept_danish_words_and_refuse_nonsense():
    assert SP_ATTAINMENT(2, 1, "SAND") == 0.5
    assert SP_ATTAINMENT(2, 1, "falsk") == 2
    assert code(SP_ATTAINMENT(2, 1, "måske")) == "#VALUE!"
    assert code(SP_CHANGES([1, 2], "hmm")) == "#VALUE!"


def test_text_attainment_with_zero_target():
    assert code(SP_TEXT_ATTAINMENT(5, 0)) == "#DIV/0!"


def test_reason_follows_the_language():
    e = SP_ATTAINMENT(5, 0)
    assert e.reason == e.reason_da
    with i18n.use_language("en"):
        assert e.reason == "The target is 0; cannot divide by 0."


def test_an_unexpected_failure_becomes_a_value_error_not_a_traceback(monkeypatch):
    from sp_xl.calc import growth

    def boom(series):
        raise RuntimeError("bug")

    monkeypatch.setattr(growth, "growth", boom)
    e = SP_GROWTH([1, 2])
    assert code(e) == "#VALUE!" and "RuntimeError" in e.reason_da
