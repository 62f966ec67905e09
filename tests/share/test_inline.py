"""Writing the internal sheets' values into the formulas that read them (sp_xl.share.inline)."""

from __future__ import annotations

import pytest

from sp_xl.errors import ExcelError
from sp_xl.share.inline import Blocked, Inliner, literal

DATA = {
    "D_Data": {"A1": 4.0, "A2": -2.5, "A3": 'sagt "ja"', "A4": True, "A5": ExcelError("#N/A"), "A6": "",
               "A7": 1e-05, "A8": "x" * 256, "B1": 10.0},
    "D Plads": {"C3": 7.0},
    "Rapport": {"A1": 1.0},
}
NAMES = {"Intern_Tal": "D_Data!$A$1", "Intern_Liste": "D_Data!$A$1:$A$3", "Mål_X": "Rapport!$A$1"}


@pytest.fixture
def inliner() -> Inliner:
    return Inliner({"D_Data", "D Plads"}, lambda s: DATA[s], NAMES, {"Tabel1": "D_Data", "Synlig": "Rapport"})


@pytest.mark.parametrize("value, text", [
    (4.0, "4"), (-2.5, "(-2.5)"), (1e-05, "1E-05"), (0.1 + 0.2, "0.30000000000000004"), (1e20, "1E+20"),
    (True, "TRUE"), ('sagt "ja"', '"sagt ""ja"""'), (ExcelError("#DIV/0!"), "#DIV/0!"), ("", '""'),
])
def test_literal_is_an_excel_constant_with_exactly_the_value(value, text):
    assert literal(value) == text


@pytest.mark.parametrize("value", [None, float("nan"), "x" * 256])
def test_values_without_an_exact_constant_have_no_literal(value):
    assert literal(value) is None


@pytest.mark.parametrize("formula, expected", [
    ("B20+D_Data!A1", ("B20+4", 1)),
    ("D_Data!$A$2^2", ("(-2.5)^2", 1)),                        # (-2.5)^2 = 6.25, as the cell gave
    ("'D Plads'!C3*Mål_X", ("7*Mål_X", 1)),                    # a quoted sheet; a name that travels stays
    ("IF(d_data!a4,LEN(D_Data!A3),0)", ('IF(TRUE,LEN("sagt ""ja"""),0)', 2)),   # sheet names ignore case
    ("Intern_Tal+1", ("4+1", 1)),                              # a name that points into an internal sheet
    ("ISNA(D_Data!A5)", ("ISNA(#N/A)", 1)),
    ("D_Data!A6&\"!\"", ('""&"!"', 1)),
    ('"D_Data!A1 er tekst"&A1', ('"D_Data!A1 er tekst"&A1', 0)),   # inside a string it is only text
    ("SUM(Synlig[Beløb])", ("SUM(Synlig[Beløb])", 0)),
])
def test_single_cells_on_internal_sheets_become_their_values(inliner, formula, expected):
    assert inliner.inline(formula) == expected


@pytest.mark.parametrize("formula, reason", [
    ("SUM(D_Data!A1:A3)", "område"),
    ("INDEX(Intern_Liste,2)", "område"),
    ("SUM(Tabel1[Beløb])", "område"),
    ("ROW(D_Data!A2)", "som reference"),
    ("SUMIF(A1:A3,\">0\",D_Data!B1)", "som reference"),
    ("D_Data!A1:D_Data!A3", "område"),
    ("D_Data!A1 : A3", "som reference"),
    ("SUM(D_Data!A1:INDEX(A1:A3,2))", "område"),
    ('INDIRECT("D_Data!A1")', "INDIRECT"),
    ("D_Data!Z99+1", "tom celle"),
    ("LEN(D_Data!A8)", "kan ikke skrives ind"),
    ("SUM(Rapport:D_Data!A1)", "3-D"),
])
def test_what_cannot_be_written_in_is_blocked_with_a_reason(inliner, formula, reason):
    result = inliner.inline(formula)
    assert isinstance(result, Blocked) and reason in result.reason_da and result.reason_en


def test_without_internal_sheets_nothing_is_touched():
    plain = Inliner(set(), lambda s: DATA[s], NAMES, {})
    assert plain.inline("SUM(D_Data!A1:A3)") == ("SUM(D_Data!A1:A3)", 0)
