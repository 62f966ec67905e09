"""Danish number formatting and the report's "ca." rounding."""

from sp_xl import i18n
from sp_xl.calc import text


def test_danish_and_english_number_formats():
    assert text.number_da(1234567.891, 1) == "1.234.567,9"
    with i18n.use_language("en"):
        assert text.number_da(1234567.891, 1) == "1,234,567.9"


def test_round_ca_rounds_halves_away_from_zero():
    assert text.round_ca(250) == 300
    assert text.round_ca(-250) == -300
    assert text.round_ca(0.045, 1) == 0.05
    assert text.round_half_up(82.5) == 83


def test_no_change_sentence():
    assert text.growth_sentence(5, 5, "brugere") == "ingen samlet ændring i brugere (uændret på 5)"
