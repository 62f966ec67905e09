"""LPR error register: Figur 1's accumulated curve and where it breaks."""

import datetime as dt

import pytest

from sp_xl.extracts import ExtractError, Kind, read_extract


def test_accumulated_curve_and_break(fixture_path):
    e = read_extract(fixture_path("lpr_fejl.csv"))
    assert e.kind == Kind.LPR_ERRORS
    assert e.extraction_date == dt.date(2018, 5, 19)
    cum = e.tables["cumulative"].set_index("date")
    assert list(cum.columns) == ["Rigshospitalet", "Herlev og Gentofte Hospital"]
    assert cum.loc["2018-01-03", "Rigshospitalet"] == 7
    assert cum.loc["2018-04-09", "Rigshospitalet"] == 7  # days without rows carry the total
    assert cum.loc["2018-04-10", "Rigshospitalet"] == 11
    assert cum.loc["2018-04-11"].tolist() == [5, 6]
    peaks = e.tables["peaks"].set_index("hospital")
    assert str(peaks.loc["Rigshospitalet", "peak_date"])[:10] == "2018-04-10"
    assert bool(peaks.loc["Rigshospitalet", "falls_after_peak"]) is True
    assert bool(peaks.loc["Herlev og Gentofte Hospital", "falls_after_peak"]) is False


def test_one_row_per_error(tmp_path):
    p = tmp_path / "lpr_2018-05-19.csv"
    p.write_text("Fejldato;Sygehus;Fejlkode\n2018-01-02;RH;A1\n2018-01-02;RH;B7\n2018-01-05;RH;A1\n")
    daily = read_extract(p).tables["daily"]
    assert daily.errors.tolist() == [2, 1]


def test_ambiguous_dates_are_refused_naming_row_and_column(fixture_path):
    with pytest.raises(ExtractError) as info:
        read_extract(fixture_path("lpr_tvetydig_dato.csv"))
    assert (info.value.file, info.value.row, info.value.column) == ("lpr_tvetydig_dato.csv", 2, "Dato")
    assert "tvetydigt" in str(info.value)


def test_an_extract_with_every_row_repeated_counts_each_once(extract_of):
    body = "Dato;Hospital;Antal fejl\n2018-01-02;Rigshospitalet;5\n2018-01-02;Herlev og Gentofte Hospital;3\n"
    e = extract_of("lpr_2018-05-19.csv", body + body.split("\n", 1)[1])
    daily = e.tables["daily"].set_index("hospital")["errors"]
    assert daily["Rigshospitalet"] == 5 and daily["Herlev og Gentofte Hospital"] == 3
    assert any("2 række(r) står mere end én gang" in str(w) for w in e.warnings)


def test_the_same_day_and_hospital_twice_is_reported_and_not_added_up(extract_of):
    body = ("Dato;Hospital;Antal fejl\n2018-01-02;Rigshospitalet;5\n2018-01-02;Herlev og Gentofte Hospital;3\n"
            "2018-01-03;Rigshospitalet;1\n2018-01-02;Rigshospitalet;7\n2018-01-03;Rigshospitalet;2\n")
    e = extract_of("lpr_2018-05-19.csv", body)
    daily = {(str(d.date()), h): n for d, h, n in e.tables["daily"].itertuples(index=False)}
    assert daily == {("2018-01-02", "Rigshospitalet"): 7, ("2018-01-02", "Herlev og Gentofte Hospital"): 3,
                     ("2018-01-03", "Rigshospitalet"): 2}
    [warning] = [str(w) for w in e.warnings if "samme dato og hospital" in str(w)]
    assert warning.startswith("2 gang(e) står samme dato og hospital flere gange med forskelligt antal fejl "
                              "(fx 02-01-2018, Rigshospitalet: 5 og 7); 2 række(r) er ikke talt med")


def test_an_error_per_row_extract_keeps_several_errors_a_day(tmp_path):
    p = tmp_path / "lpr_2018-05-19.csv"
    p.write_text("Fejldato;Sygehus;Fejlkode\n2018-01-02;RH;A1\n2018-01-02;RH;B7\n2018-01-02;RH;C3\n")
    e = read_extract(p)
    assert e.tables["daily"].errors.tolist() == [3] and not e.warnings
