"""Writing VBA text: identifiers, strings in the project's code page, line limits."""

from __future__ import annotations

import pytest

from sp_xl.addin.vba_text import MAX_LINE, assign_string, shorten, vba_identifier, vba_string


def test_keywords_get_an_underscore_and_ordinary_names_stay():
    assert vba_identifier("end") == "end_"
    assert vba_identifier("Base") == "Base_"
    assert vba_identifier("series") == "series"
    assert vba_identifier("lower_is_better") == "lower_is_better"


def test_names_vba_cannot_hold_are_refused():
    with pytest.raises(ValueError):
        vba_identifier("_private")
    with pytest.raises(ValueError):
        vba_identifier("målværdi")


def test_danish_letters_stay_literal_and_quotes_are_doubled():
    assert vba_string('Målopfyldelse "Grøn" æøå') == '"Målopfyldelse ""Grøn"" æøå"'


def test_characters_outside_cp1252_become_chrw():
    # U+2265 (>=) and U+2212 (minus) do not exist in Windows-1252.
    assert vba_string("a ≥ b − c") == '"a " & ChrW(8805) & " b " & ChrW(8722) & " c"'
    assert vba_string("≥") == "ChrW(8805)"


def test_line_breaks_become_spaces():
    assert vba_string("to\nlinjer") == '"to linjer"'


def test_long_text_is_split_into_several_assignments_below_the_line_limit():
    text = "ord " * 600
    lines = assign_string("d", text)
    assert len(lines) > 1
    assert all(len(line) <= MAX_LINE for line in lines)
    assert lines[1].strip().startswith("d = d & ")


def test_shorten_cuts_at_a_word_and_marks_it():
    assert shorten("kort tekst", 255) == "kort tekst"
    cut = shorten("et langt ord " * 40, 50)
    assert len(cut) <= 50 and cut.endswith("…") and not cut[:-1].endswith(" ")
