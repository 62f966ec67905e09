"""The seed report's own figures, computed with the SP_ functions exactly as a sheet would call them."""

import pytest

from sp_xl.udfs import (
    SP_ATTAINMENT, SP_AVG_GROWTH_PCT, SP_GROWTH, SP_GROWTH_PCT, SP_REQUIRED, SP_ROUND_CA, SP_SHARE,
    SP_STATUS, SP_TEXT_ATTAINMENT, SP_TEXT_GROWTH, SP_TOPN,
)

# Tabel 4: users registered on Min Sundhedsplatform, "I alt", januar..april (a row of four cells).
TABEL4_TOTAL = [[126446.0, 141571.0, 157779.0, 174975.0]]

# Tabel 3: top 5 by usage rate, given out of order here; the report lists Klinisk onkologi first.
TABEL3 = [
    ("Anæstesi/Operationsklinik, Rigshospitalet", 0.86),
    ("Hæmatologisk udredning, Herlev og Gentofte hospital", 0.80),
    ("Klinisk onkologi, Sjællands Universitetshospital, Roskilde", 0.93),
    ("Anæstesiologisk afdeling, Nordsjællands Hospitaler", 0.78),
    ("Neurokirurgisk, Rigshospitalet", 0.83),
]


def test_tabel4_growth_is_48529_and_38_4_pct():
    assert SP_GROWTH(TABEL4_TOTAL) == 48529
    assert SP_GROWTH_PCT(TABEL4_TOTAL) == pytest.approx(48529 / 126446)
    assert round(SP_GROWTH_PCT(TABEL4_TOTAL), 3) == 0.384


def test_tabel4_compound_growth_is_11_4_pct_a_month():
    assert round(SP_AVG_GROWTH_PCT(TABEL4_TOTAL), 3) == 0.114


def test_tabel4_sentence_matches_the_report():
    sentence = SP_TEXT_GROWTH(TABEL4_TOTAL, "oprettede brugere")
    assert sentence == ("en samlet stigning i oprettede brugere på ca. 50.000, "
                        "hvilket svarer til en vækst på ca. 40 pct.")


def test_the_report_rounds_ca_to_one_significant_digit():
    assert SP_ROUND_CA(48529) == 50000
    assert SP_ROUND_CA(0.384) == pytest.approx(0.4)


def test_key_persons_1807_of_2200_is_82_1_pct():
    assert round(SP_ATTAINMENT(1807, 2200), 3) == 0.821
    assert SP_TEXT_ATTAINMENT(1807, 2200, "SP-nøglepersoner") == (
        "1.807 SP-nøglepersoner af målet på 2.200 svarer til en målopfyldelse på ca. 82 pct.")


def test_target_of_2200_key_persons_from_one_per_15_users():
    # 2200 key persons at 1 per 15 users means about 33,000 users; one more user needs one more.
    assert SP_REQUIRED(33000, 15) == 2200
    assert SP_REQUIRED(33001, 15) == 2201


def test_rigshospitalet_11_pct_against_25_pct_is_44_pct_and_red():
    assert SP_ATTAINMENT(0.11, 0.25) == pytest.approx(0.44)
    assert SP_STATUS(0.11, 0.25) == "Rød"


def test_tabel1_column_against_one_target_spills_a_column():
    # Tabel 1, maj, seven hospitals; one target cell for the whole column.
    may = [[0.05], [0.07], [0.02], [0.05], [0.09], [0.11], [0.06]]
    result = SP_ATTAINMENT(may, 0.25)
    assert [round(r[0], 2) for r in result] == [0.2, 0.28, 0.08, 0.2, 0.36, 0.44, 0.24]
    assert SP_STATUS(may, 0.25) == [["Rød"]] * 7


def test_training_370_of_2281_new_users_is_16_pct():
    assert round(SP_SHARE(370, 2281), 2) == 0.16


def test_tabel3_ranked_by_usage_puts_klinisk_onkologi_first():
    labels = [[name] for name, _ in TABEL3]
    values = [[v] for _, v in TABEL3]
    top = SP_TOPN(labels, values, 5)
    assert [row[0] for row in top] == [
        "Klinisk onkologi, Sjællands Universitetshospital, Roskilde",
        "Anæstesi/Operationsklinik, Rigshospitalet",
        "Neurokirurgisk, Rigshospitalet",
        "Hæmatologisk udredning, Herlev og Gentofte hospital",
        "Anæstesiologisk afdeling, Nordsjællands Hospitaler",
    ]
    assert [row[1] for row in top] == [0.93, 0.86, 0.83, 0.80, 0.78]
