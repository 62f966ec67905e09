"""SP reporting module tables, checked against the report's own figures (Tabel 1, 2, 4)."""

import datetime as dt

import pytest

from sp_xl.extracts import Kind, read_extract


def test_tabel_4_wide_windows_1252_file_matches_the_report(fixture_path):
    e = read_extract(fixture_path("minsp_brugere_cp1252.csv"))
    assert e.kind == Kind.INDICATORS
    assert e.extraction_date == dt.date(2018, 5, 19)
    t4 = e.tables["tabel_4"].set_index("hospital")
    months = list(t4.columns)
    assert [m.strftime("%Y-%m") for m in months] == ["2018-01", "2018-02", "2018-03", "2018-04"]
    total = t4.loc["I alt"]
    assert total.tolist() == [126446, 141571, 157779, 174975]  # seed: "I alt"
    assert total.iloc[-1] - total.iloc[0] == 48529
    assert round((total.iloc[-1] / total.iloc[0] - 1) * 100, 1) == 38.4
    assert t4.loc["Herlev og Gentofte Hospital"].tolist() == [39621, 43093, 47240, 51416]
    assert "Hospitalerne i Nordsjælland" in t4.index  # æ read from Windows-1252
    # the file's own total row agrees with the hospitals, so no warning about it
    assert not any("summer" in str(w) for w in e.warnings)
    assert e.tables["values"].indicator_key.unique().tolist() == ["minsp_users"]


def test_tabel_1_and_2_long_english_file(fixture_path):
    e = read_extract(fixture_path("tabel1_long_en.csv"))
    t1 = e.tables["tabel_1"].set_index("hospital")
    assert t1.loc["Rigshospitalet"].tolist() == [pytest.approx(0.11)] * 2
    assert t1.loc["Bornholms hospital"].tolist() == [pytest.approx(0.01), pytest.approx(0.02)]
    t2 = e.tables["tabel_2"].set_index("hospital")
    assert t2.loc["Herlev og Gentofte Hospital"].tolist() == [pytest.approx(0.14), pytest.approx(0.15)]


def test_numerator_and_denominator_give_the_share(extract_of):
    v = extract_of("sp_2018-05-19.csv", "Hospital;Indikator;Måned;Tæller;Nævner\n"
                   "Rigshospitalet;SmartSet ambulante;januar 2018;120;1.000\n").tables["values"]
    assert v.value.tolist() == [pytest.approx(0.12)]
    assert v.denominator.tolist() == [1000.0]


def test_share_above_100_percent_is_refused(refusal):
    error = refusal("sp_2018-05-19.csv",
                    "Hospital;Indikator;Måned;Værdi\nRigshospitalet;Best./Ord.-set indlagte;2018-01;0,11\n"
                    "Bornholms hospital;Best./Ord.-set indlagte;2018-01;11\n")
    assert (error.row, error.column) == (3, "Værdi")


def test_a_wrong_total_row_is_kept_and_warned_about(extract_of):
    e = extract_of("sp_2018-05-19.csv",
                   "Hospital;Indikator;2018-01;2018-02\nA;Patienter aktive på Min SP;10;20\nB;Patienter aktive på Min SP;5;5\n"
                   "I alt;Patienter aktive på Min SP;15;26\n")
    assert e.tables["tabel_6"].set_index("hospital").loc["I alt"].tolist() == [15, 26]
    assert any("summer til 25" in str(w) for w in e.warnings)


def test_counts_get_a_total_row(extract_of):
    t6 = extract_of("sp_2018-05-19.csv", "Hospital;Indikator;2018-01\nA;Patienter aktive på Min SP;10\n"
                    "B;Patienter aktive på Min SP;5\n").tables["tabel_6"]
    assert t6.hospital.tolist() == ["A", "B", "I alt"]
    assert t6.iloc[:, 1].tolist() == [10, 5, 15]


def test_two_values_for_one_hospital_and_month_are_refused(refusal):
    error = refusal("sp_2018-05-19.csv",
                    "Hospital;Indikator;Måned;Værdi\nA;Aktive patienter;2018-01;1\nA;Aktive patienter;januar 2018;2\n")
    assert error.row == 3


def test_wide_table_without_indicator_needs_a_title(refusal):
    assert refusal("sp_2018-05-19.csv", "Hospital;januar 2018;februar 2018\nA;1;2\n").column == "Indikator"
