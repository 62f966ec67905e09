"""Recognising the extract type from Danish and English headings."""

import pytest

from sp_xl.extracts.detect import Kind, detect, header_score
from sp_xl.extracts.problems import ExtractError


@pytest.mark.parametrize("headings, kind", [
    (["Sagsnummer", "Oprettet", "Lukket", "Niveau"], Kind.CASES),
    (["Number", "Opened", "Closed", "Assignment group", "Short description"], Kind.CASES),
    (["Hospital", "Indikator", "Måned", "Værdi"], Kind.INDICATORS),
    (["Hospital", "Indicator", "januar 2018", "februar 2018"], Kind.INDICATORS),
    (["Hospital", "Sendt", "Besvaret"], Kind.MESSAGES),
    (["Hospital", "Sent at", "Replied at", "Name"], Kind.MESSAGES),  # more specific than key persons
    (["Dato", "Hospital", "Antal fejl"], Kind.LPR_ERRORS),
    (["Error date", "Site", "Error code"], Kind.LPR_ERRORS),
    (["Navn", "E-mail", "Hospital"], Kind.KEY_PERSONS),
    (["Afdeling", "Hospital", "Måned", "Fra ordinationssæt", "Igangsat af", "Godkendt af"], Kind.ORDERS),
    (["Department", "Hospital", "Order date", "From order set", "Initiating user", "Approving user"], Kind.ORDERS),
])
def test_kinds(headings, kind):
    d = detect("x.csv", 1, headings)
    assert d.kind == kind


def test_headings_are_matched_ignoring_case_spaces_and_underscores():
    d = detect("x.csv", 1, ["SAGSNUMMER", " oprettet ", "Lukket_dato", "support_level"])
    assert d.columns == {"number": "SAGSNUMMER", "opened": " oprettet ", "closed": "Lukket_dato",
                         "level": "support_level"}


def test_a_missing_column_is_named(tmp_path):
    with pytest.raises(ExtractError) as info:
        detect("sager.csv", 3, ["Sagsnummer", "Oprettet", "Niveau"])
    e = info.value
    assert (e.file, e.row, e.column) == ("sager.csv", 3, "Lukket")
    assert "et sagsudtræk" in str(e)


def test_header_score_counts_known_headings():
    assert header_score(["sagsnummer", "oprettet", "lukket", "niveau"]) == 4
    assert header_score(["patient", "vægt"]) == 0


def test_the_readme_lists_every_accepted_heading():
    from pathlib import Path

    from sp_xl.extracts.detect import ALIASES
    readme = (Path(__file__).resolve().parents[2] / "sp_xl" / "extracts" / "README.md").read_text()
    missing = [a for _, aliases in ALIASES.values() for a in aliases if f"`{a}`" not in readme]
    assert missing == []
