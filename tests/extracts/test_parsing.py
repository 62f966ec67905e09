import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sp_xl.extracts import parsing
from sp_xl.extracts.problems import ValueProblem


def d(text: str) -> np.datetime64:
    return np.datetime64(text, "s")


def test_danish_iso_and_named_dates_in_one_column():
    col = parsing.parse_dates(["19-05-2018", "2018-05-20 14:03", "21. maj 2018", "22.05.2018 kl. 08.15", None, ""])
    assert list(col.values[:4]) == [d("2018-05-19"), d("2018-05-20T14:03"), d("2018-05-21"), d("2018-05-22T08:15")]
    assert np.isnat(col.values[4]) and np.isnat(col.values[5])
    assert col.warnings == ()


def test_workbook_dates_pass_through():
    col = parsing.parse_dates([dt.datetime(2018, 1, 2, 9, 30), dt.date(2018, 1, 3)])
    assert list(col.values) == [d("2018-01-02T09:30"), d("2018-01-03")]


def test_a_column_that_fits_day_month_and_month_day_is_refused():
    with pytest.raises(ValueProblem) as info:
        parsing.parse_dates(["02-01-2018", "03-01-2018", "10-04-2018"])
    assert info.value.index == 0
    assert "tvetydigt" in info.value.da and "ambiguous" in info.value.en


def test_one_unambiguous_value_decides_the_column():
    col = parsing.parse_dates(["02-01-2018", "13-01-2018"])
    assert list(col.values) == [d("2018-01-02"), d("2018-01-13")]


def test_same_day_and_month_is_not_ambiguous():
    assert parsing.parse_dates(["01-01-2018", "05/05/2018"]).values[1] == d("2018-05-05")


def test_month_day_column_is_read_with_a_warning():
    col = parsing.parse_dates(["01/13/2018", "02/01/2018"])
    assert list(col.values) == [d("2018-01-13"), d("2018-02-01")]
    assert "amerikansk" in col.warnings[0].da


def test_mixed_orders_are_refused():
    with pytest.raises(ValueProblem) as info:
        parsing.parse_dates(["13-01-2018", "01-13-2018"])
    assert info.value.index == 1


@pytest.mark.parametrize("bad", ["31-02-2018", "19-05-18", "i går", "2018-13-01"])
def test_invalid_dates_are_refused(bad):
    with pytest.raises(ValueProblem):
        parsing.parse_dates([bad])


def test_months_in_every_spelling():
    months, warnings = parsing.parse_months(["2018-01", "02-2018", "marts 2018", "Apr 2018", "maj", "2018-06-17"],
                                            dt.date(2018, 5, 19))
    assert [str(m)[:7] for m in months] == ["2018-01", "2018-02", "2018-03", "2018-04", "2018-05", "2018-06"]
    assert "uden årstal" in warnings[0].da  # 'maj' had no year


def test_months_without_a_year_are_the_twelve_months_up_to_the_extraction():
    months, _ = parsing.parse_months(["november", "december", "januar"], dt.date(2019, 1, 10))
    assert [str(m)[:7] for m in months] == ["2018-11", "2018-12", "2019-01"]


def test_an_unreadable_month_is_reported_at_its_own_position():
    with pytest.raises(ValueProblem) as info:
        parsing.parse_months(["2018-01", "2018-02", "i sidste uge"])
    assert info.value.index == 2


def test_month_without_year_and_no_default_is_refused():
    with pytest.raises(ValueProblem):
        parsing.parse_months(["januar"])


def test_danish_numbers():
    col = parsing.parse_numbers(["1.234,5", "126.446", "12,5 %", "-3", "\u22124", "1 000"])
    assert col.values.tolist() == [1234.5, 126446.0, 0.125, -3.0, -4.0, 1000.0]
    assert col.percent.tolist() == [False, False, True, False, False, False]


def test_english_numbers_are_recognised_by_their_values():
    # '1.5' cannot be Danish, so the whole column is read with a decimal point.
    assert parsing.parse_numbers(["1.5", "1,234.25", "2"]).values.tolist() == [1.5, 1234.25, 2.0]


def test_ambiguous_numbers_follow_the_file_convention():
    assert parsing.parse_numbers(["1.234"], danish_default=True).values[0] == 1234.0
    assert parsing.parse_numbers(["1.234"], danish_default=False).values[0] == 1.234


def test_unreadable_number_names_its_value():
    with pytest.raises(ValueProblem) as info:
        parsing.parse_numbers(["12", "tolv"])
    assert info.value.index == 1 and "tolv" in info.value.da


def test_flags():
    assert parsing.parse_flags(["Ja", "nej", "Y", "0", True, 1.0]).tolist() == [True, False, True, False, True, True]
    with pytest.raises(ValueProblem):
        parsing.parse_flags(["måske"])


def test_formula_like_text_stays_text():
    text = parsing.clean_text('=HYPERLINK("http://x";"klik")')
    assert text == '=HYPERLINK("http://x";"klik")'
    assert all(parsing.looks_like_formula(t) for t in ["=1+1", "+45 1234", "-Kirurgi", "@bruger"])
    assert not parsing.looks_like_formula("Rigshospitalet")


def test_encodings_from_the_first_bytes():
    assert parsing.head_encoding("\ufeffHospital;Værdi\n".encode("utf-8")) == "utf-8"
    assert parsing.head_encoding("Hospital;Værdi\n".encode()) == "utf-8"
    assert parsing.head_encoding("Hospital;Værdi\n".encode()[:-2]) == "utf-8"  # cut inside 'æ' is fine
    assert parsing.head_encoding("Hospital;Værdi\n".encode("cp1252")) == "cp1252"
    assert parsing.head_encoding("Hospital;Værdi\n".encode("utf-16")) == "utf-16"


# -- properties: whatever a Danish or English export writes, the parser reads back ----------



def _grouped(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 99)), min_size=1, max_size=20), st.booleans())
def test_numbers_round_trip_in_both_conventions(pairs, danish):
    dec, thou = (",", ".") if danish else (".", ",")
    texts = [f"{_grouped(i, thou)}{dec}{f:02d}" for i, f in pairs]
    got = parsing.parse_numbers(texts, danish_default=danish).values
    assert got.tolist() == [pytest.approx(i + f / 100) for i, f in pairs]


@given(st.lists(st.dates(dt.date(1990, 1, 1), dt.date(2050, 12, 31)), min_size=1, max_size=30))
def test_danish_dates_round_trip_or_are_refused_as_ambiguous(dates):
    texts = [f"{x:%d-%m-%Y}" for x in dates]
    telling = any(x.day > 12 for x in dates)
    ambiguous = any(x.day != x.month for x in dates)
    if ambiguous and not telling:
        with pytest.raises(ValueProblem):
            parsing.parse_dates(texts)
    else:
        got = parsing.parse_dates(texts).values
        assert [v.astype("datetime64[D]").astype(dt.date) for v in got] == dates
