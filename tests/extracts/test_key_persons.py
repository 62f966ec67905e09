"""Course portal key persons: one person, one count."""

import datetime as dt

from sp_xl.extracts import Kind, read_extract


def test_counts_per_hospital_with_duplicates_counted_once(fixture_path):
    e = read_extract(fixture_path("noeglepersoner_2018-02-28.csv"))
    assert e.kind == Kind.KEY_PERSONS
    assert e.extraction_date == dt.date(2018, 2, 28)
    counts = dict(zip(e.tables["counts"].hospital, e.tables["counts"].key_persons))
    # Anne twice (same e-mail, other case), Carl twice (same name, other spacing),
    # Dorte under two hospitals counts at the first.
    assert counts == {"Rigshospitalet": 2, "Herlev og Gentofte Hospital": 2, "Bornholms hospital": 1, "I alt": 5}
    assert any("Dorte Ørum" in str(w) for w in e.warnings)


def test_formula_like_name_is_kept_as_text_and_flagged(fixture_path):
    e = read_extract(fixture_path("noeglepersoner_2018-02-28.csv"))
    persons = e.tables["persons"]
    assert '=HYPERLINK("http://x";"klik")' in persons.person.tolist()
    [flag] = e.flagged_text
    assert (flag.column, flag.row, flag.value) == ("Navn", 7, '=HYPERLINK("http://x";"klik")')
