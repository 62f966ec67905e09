"""Case system exports: weekly counts worked out by hand from the fixture's eight cases."""

import datetime as dt

from sp_xl.extracts import Kind, read_extract


def test_weekly_counts_levels_1_2_and_3(fixture_path):
    e = read_extract(fixture_path("sager_niveau.csv"))
    assert e.kind == Kind.CASES
    assert e.extraction_date == dt.date(2018, 5, 19)  # "Trukket: 19-05-2018" above the table
    f3 = e.tables["weekly_levels_1_2"]
    assert f3.iso_week.tolist() == [1, 2, 3, 4]
    assert f3.created.tolist() == [3, 0, 2, 0]
    assert f3.closed.tolist() == [1, 1, 2, 0]
    assert f3.open_at_end.tolist() == [2, 1, 1, 1]
    f4 = e.tables["weekly_level_3"]
    assert f4.created.tolist() == [0, 2, 1, 0]
    assert f4.closed.tolist() == [0, 1, 0, 1]
    assert f4.open_at_end.tolist() == [0, 1, 2, 1]
    assert str(f3.week_start.iloc[0])[:10] == "2018-01-01"  # a Monday


def test_english_workbook_with_assignment_groups_and_a_mapping(tmp_path, xlsx):
    path = xlsx(tmp_path / "incidents_2018-05-19.xlsx", [
        ["Number", "Opened", "Closed", "Assignment group"],
        ["INC1", dt.datetime(2018, 1, 1, 8), dt.datetime(2018, 1, 2, 8), "Level 1 Herlev"],
        ["INC2", dt.datetime(2018, 1, 2, 8), None, "L2 Rigshospitalet"],
        ["INC3", dt.datetime(2018, 1, 3, 8), dt.datetime(2018, 1, 9, 8), "CIMT Applikationsdrift"],
        ["INC4", dt.datetime(2018, 1, 4, 8), None, "Servicedesk"],
    ])
    e = read_extract(path, group_levels={"CIMT Applikationsdrift": 3})
    assert e.tables["cases"].level.tolist() == [1, 2, 3, 0]
    assert any("Servicedesk" in str(w) for w in e.warnings)
    assert e.tables["weekly_level_3"].closed.tolist() == [0, 1]


def test_identical_duplicate_rows_count_once(extract_of):
    e = extract_of("sager_2018-02-01.csv",
                   "Sagsnummer;Oprettet;Lukket;Niveau\nINC1;2018-01-02;2018-01-03;1\nINC1;2018-01-02;2018-01-03;1\n")
    assert len(e.tables["cases"]) == 1
    assert "dublerede" in str(e.warnings[0])


def test_conflicting_duplicates_are_refused_with_the_row(refusal):
    error = refusal("sager_2018-02-01.csv",
                    "Sagsnummer;Oprettet;Lukket;Niveau\nINC1;2018-01-02;2018-01-03;1\nINC2;2018-01-02;;1\n"
                    "INC1;2018-01-02;2018-01-05;1\n")
    assert (error.row, error.column) == (4, "Sagsnummer")


def test_closed_before_opened_is_refused(refusal):
    error = refusal("sager_2018-02-01.csv", "Sagsnummer;Oprettet;Lukket;Niveau\nINC1;2018-01-05;2018-01-03;1\n")
    assert (error.row, error.column) == (2, "Lukket")
    assert "lukket før" in str(error)


def test_unknown_level_is_refused(refusal):
    error = refusal("sager_2018-02-01.csv", "Sagsnummer;Oprettet;Lukket;Niveau\nINC1;2018-01-02;;1\nINC2;2018-01-02;;høj\n")
    assert (error.row, error.column) == (3, "Niveau")
