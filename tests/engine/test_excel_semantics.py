"""Excel semantics found by comparing with the values Excel cached (test_excel_corpus.py):
each case here is one rule, with the value Excel gives (from the corpus or Excel's docs)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sp_xl.engine.evaluate import evaluate
from sp_xl.ooxml.model import FormulaCell as Formula
from tests.engine.test_engine import FakePackage, run, value


def problems(ev):
    return {p.ref: p.reason_en for p in ev.problems}


@pytest.mark.parametrize("fmt, number, text", [
    ("0.00", 1234.5, "1234.50"), ("#,##0", 1234567.0, "1,234,567"), ("0%", 0.256, "26%"),
    ("0.00E+00", 12345.0, "1.23E+04"), ("##0.0E+0", 12345.0, "12.3E+3"), ("#,##0,", 1234567.0, "1,235"),
    ("General", 1.2345678912, "1.234567891"), ("General", 112345000000.0, "1.12345E+11"),
    ("0.0;(0.0);\"zero\"", -2.25, "(2.3)"), ("0.0;(0.0);\"zero\"", 0.0, "zero"), ("#.##", 0.5, ".5"),
    ("[<10]0\" small\"", 3.0, "3 small"), ("[<10]0\" small\"", 30.0, "30"),
    ("yyyy-mm-dd hh:mm:ss", 43239.75, "2018-05-19 18:00:00"), ("dddd d mmmm yy", 43239.0, "Saturday 19 May 18"),
    ("h:mm AM/PM", 0.75, "6:00 PM"), ("# ?/?", 1.25, "1 1/4"), ("# ?/?", 0.5, " 1/2"), ("# ?/?", 2.0, "2    "),
    ("?/?", 3.75, "15/4"), ("[$-409]mmmm d, yyyy", 45000.0, "March 15, 2023"), ("dd.mm.yyyy", 45000.0, "15.03.2023"),
    ("[$€-407] #,##0.00", 1234.5, "€ 1,234.50"), ("[h]:mm", 1.5, "36:00"), ("mm:ss.00", 0.0001, "00:08.64"),
])
def test_text_format_codes(fmt, number, text):
    ev = run({"A1": number}, f'TEXT(A1,"{fmt.replace(chr(34), chr(34) * 2)}")')
    assert value(ev, "Z1") == text


def test_text_uses_the_workbooks_date_system():
    fs = [Formula("Ark1", "Z1", 'TEXT(A1,"yyyy-mm-dd")')]
    assert evaluate(FakePackage({"Ark1": {"A1": 1.0}}, fs, date1904=True)).values[("Ark1", "Z1")] == "1904-01-02"
    assert evaluate(FakePackage({"Ark1": {"A1": 61.0}}, fs)).values[("Ark1", "Z1")] == "1900-03-01"


@pytest.mark.parametrize("fmt", ["# ??/??", "0.0*-", "[$-407]mmmm", "[<1]0;[>5]0", "0 kr"])
def test_text_formats_not_reproduced_are_refused(fmt):
    ev = run({"A1": 1.5}, f'TEXT(A1,"{fmt}")')
    assert "TEXT" in problems(ev)["Z1"]


def test_a_range_given_to_a_function_of_one_value_is_intersected_with_the_row():
    cells = {"A1": -1.0, "A2": -2.0, "A3": -3.0}
    fs = [Formula("Ark1", "B2", "ABS(A1:A3)"), Formula("Ark1", "B9", "ABS(A1:A3)"),
          Formula("Ark1", "C1", "COLUMN(B5:D5)")]
    ev = evaluate(FakePackage({"Ark1": cells}, fs))
    assert ev.values[("Ark1", "B2")] == 2.0
    assert str(ev.values[("Ark1", "B9")]) == "#VALUE!"
    assert ev.values[("Ark1", "C1")] == 2.0            # an array result shows its top-left value


def test_offset_and_indirect_read_constants_and_refuse_formula_cells_they_do_not_name():
    cells = {"A1": 1.0, "A2": 2.0, "A3": 3.0}
    fs = [Formula("Ark1", "Z1", "OFFSET(A1,2,0)"), Formula("Ark1", "Z2", "SUM(OFFSET(A1,0,0,3,1))"),
          Formula("Ark1", "Z3", 'INDIRECT("A"&2)'), Formula("Ark1", "Z4", 'SUM(INDIRECT("Ark1!A1:A3"))'),
          Formula("Ark1", "B1", "A1*10"), Formula("Ark1", "Z5", "OFFSET(A1,0,1)"),
          Formula("Ark1", "Z6", "OFFSET(A1:B1,0,1,1,1)"), Formula("Ark1", "Z7", "OFFSET(A1,-1,0)")]
    ev = evaluate(FakePackage({"Ark1": cells}, fs))
    assert [ev.values[("Ark1", r)] for r in ("Z1", "Z2", "Z3", "Z4")] == [3.0, 6.0, 2.0, 6.0]
    assert "OFFSET" in problems(ev)["Z5"]                # B1 is a formula the graph did not order first
    assert ev.values[("Ark1", "Z6")] == 10.0            # ... unless the formula names it itself
    assert str(ev.values[("Ark1", "Z7")]) == "#REF!"


@pytest.mark.parametrize("formula, expected", [
    ("STDEV(A1:A4)", 1.0), ("STDEV(1,2,3,A4)", 1.0), ("AVERAGEA(A1:A4)", 1.5), ("MAXA(A4,A5)", 1.0),
    ("PRODUCT(A5:A6)", 0.0), ("AND(\"1\",1)", "#VALUE!"), ("AND(A1:A4)", True), ("ISREF(A1)", True),
    ("ISTEXT(A6)", False), ("N(A5)", 1.0), ("RIGHT(\"abc\",10)", "abc"), ("SUBSTITUTE(\"ab\",\"\",\"x\")", "ab"),
    ("REPLACE(\"ABCDEF\",\"3.9\",2,\"x\")", "ABxEF"), ("VALUE(\"$1,000\")", 1000.0), ("\"1,000\"*1", 1000.0),
    ("\"3:00\"*1", 0.125), ("DATE(1900,1,61)", 61.0), ("FLOOR(0,0)", 0.0), ("+\"abc\"", "abc"),
    ("LOOKUP(2,1/(A1:A4<>\"\"),A1:A4)", "x"), ("LOOKUP(2.5,A1:A3)", 2.0),
])
def test_excel_argument_rules(formula, expected):
    cells = {"A1": 1.0, "A2": 2.0, "A3": 3.0, "A4": "x", "A5": True}
    got = value(run(cells, formula), "Z1")
    assert (str(got) if isinstance(expected, str) and expected.startswith("#") else got) == expected


@pytest.mark.parametrize("formula", ['"12/3"*1', 'LOOKUP(2,A1:A3)', 'LOOKUP(2,A2:A3,A1:B2)'])
def test_guesses_are_refused(formula):
    cells = {"A1": 3.0, "A2": 1.0, "A3": 2.0, "A4": "x", "A5": 1.0}
    assert "Z1" in problems(run(cells, formula))


def test_a_cycle_only_in_the_formula_text_is_computed_a_real_one_refused():
    cells = {"A1": False}
    fs = [Formula("Ark1", "B1", "IF(A1,C1,1)"), Formula("Ark1", "C1", "B1+1"),   # A1 FALSE: C1 never read
          Formula("Ark1", "B2", "C2"), Formula("Ark1", "C2", "B2"), Formula("Ark1", "D2", "B2+1")]
    ev = evaluate(FakePackage({"Ark1": cells}, fs))
    assert (ev.values[("Ark1", "B1")], ev.values[("Ark1", "C1")]) == (1.0, 2.0)
    reasons = problems(ev)
    assert {"B2", "C2", "D2"} <= set(reasons) and "circular" in reasons["B2"]


def test_a_reference_across_sheets_sums_every_sheet_between():
    sheets = {"S1": {"A1": 1.0}, "S2": {"A1": 2.0}, "S3": {"A1": 4.0}}
    fs = [Formula("S1", "B1", "SUM(S1:S3!A1)"), Formula("S1", "B2", "MAX(S2:S3!A1)"),
          Formula("S1", "B3", "VLOOKUP(1,S1:S3!A1,1)")]
    ev = evaluate(FakePackage(sheets, fs))
    assert (ev.values[("S1", "B1")], ev.values[("S1", "B2")]) == (7.0, 4.0)
    assert "B3" in problems(ev)


@pytest.mark.parametrize("formula, expected", [
    ("VLOOKUP(2.5,A1:B3,2)", "y"), ("MATCH(2.5,A1:A3,1)", 2.0), ("MATCH(0.5,A1:A3)", "#N/A"),
    ("VLOOKUP(A9,A1:B3,2)", "#N/A"), ("MATCH(2,C1:C3,-1)", 2.0),
])
def test_approximate_lookups_in_sorted_keys(formula, expected):
    cells = {"A1": 1.0, "A2": 2.0, "A3": 3.0, "B1": "x", "B2": "y", "B3": "z", "C1": 3.0, "C2": 2.0, "C3": 1.0}
    got = value(run(cells, formula), "Z1")
    assert (str(got) if isinstance(expected, str) and expected.startswith("#") else got) == expected


def test_approximate_lookups_in_unsorted_keys_are_refused():
    assert "Z1" in problems(run({"A1": 2.0, "A2": 1.0, "A3": 3.0}, "MATCH(2.5,A1:A3,1)"))


def test_formulatext_shows_the_formula_as_excel_does():
    fs = [Formula("A", "B1", "_xlfn.IFS(A1>0,1,TRUE,2)"), Formula("A", "E1", "A1:A2*2", "E1:E2"),
          Formula("A", "C1", "FORMULATEXT(B1)"), Formula("A", "C2", "FORMULATEXT(E2)"), Formula("A", "C3", "FORMULATEXT(A1)")]
    ev = evaluate(FakePackage({"A": {"A1": 1.0, "A2": 2.0}}, fs))
    assert (ev.values[("A", "C1")], ev.values[("A", "C2")]) == ("=IFS(A1>0,1,TRUE,2)", "{=A1:A2*2}")
    assert str(ev.values[("A", "C3")]) == "#N/A"


@pytest.mark.parametrize("formula, expected", [
    ("YEARFRAC(DATE(2012,1,1),DATE(2012,7,30))", 0.58055555555555556),       # Excel's documentation
    ("YEARFRAC(DATE(2012,1,1),DATE(2012,7,30),1)", 0.57650273224043716),
    ("YEARFRAC(DATE(2012,1,1),DATE(2012,7,30),3)", 0.57808219178082192),
    ("YEARFRAC(DATE(2019,7,1),DATE(2020,6,30),1)", 365 / 366),               # up to a year, 29 Feb inside
    ("YEARFRAC(DATE(2019,2,28),DATE(2020,2,29),0)", 1.0),                    # both ends of February
])
def test_yearfrac(formula, expected):
    assert value(run({}, formula), "Z1") == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("formula, expected", [
    ("AGGREGATE(9,6,A1:A4)", 6.0), ("AGGREGATE(9,4,A1:A4)", "#DIV/0!"), ("AGGREGATE(14,6,A1:A4,2)", 2.0),
    ("AGGREGATE(3,6,A1:A4)", 3.0), ("AGGREGATE(12,6,A1:A4)", 2.0), ("AGGREGATE(9,0,A1:A3,B1)", 16.0),
])
def test_aggregate(formula, expected):
    cells = {"A1": 1.0, "A2": 2.0, "A3": 3.0, "B1": 10.0}
    fs = [Formula("Ark1", "A4", "1/0"), Formula("Ark1", "B2", "SUBTOTAL(9,A1:A3)"), Formula("Ark1", "Z1", formula)]
    got = evaluate(FakePackage({"Ark1": cells}, fs)).values[("Ark1", "Z1")]
    assert (str(got) if isinstance(expected, str) else got) == expected


@pytest.mark.parametrize("formula, expected", [
    ("_xlfn.LET(_xlpm.x,2,_xlpm.x*3)", 6.0), ("LET(x,A1:A3,SUM(x))", 6.0), ("LET(x,2,y,x+1,x*y)", 6.0),
    ("LET(a,1,LET(a,2,a)+a)", 3.0), ("LET(x,A1:A3,ROWS(x))", 3.0), ("LET(x,A1:A3,ISREF(x))", True),
])
def test_let(formula, expected):
    assert value(run({"A1": 1.0, "A2": 2.0, "A3": 3.0}, formula), "Z1") == expected


@pytest.mark.parametrize("formula, expected", [
    ("BASE(7,2)", "111"), ("BASE(100,16)", "64"), ("BASE(15,2,10)", "0000001111"),   # Excel's documentation
    ("_xlfn.BASE(255,16,4)", "00FF"), ("BASE(-1,2)", "#NUM!"),
])
def test_base(formula, expected):
    assert str(value(run({}, formula), "Z1")) == expected


def test_a_name_defined_nowhere_is_name_error_as_in_excel():
    # 084_pycel__text.xlsx: =na caches #NAME?, and ISERR/ISNA/... of it follow from there
    ev = run({}, "UkendtNavn*2", "ISERR(Z1)", "ISNA(Z1)")
    assert [str(value(ev, r)) if r == "Z1" else value(ev, r) for r in ("Z1", "Z2", "Z3")] == ["#NAME?", True, False]


def test_a_table_column_named_with_a_trailing_space_is_found():
    # 070_poi__table-sample.xlsx: the column "Field 4 " is written Tabelle1[[#This Row],[Field 4 ]]
    from sp_xl.engine.tables import Table, resolve
    t = Table("Tabelle1", "Ark1", 4, 3, 9, 7, ("Field 1", "Field 2", "Field 3", "Field 4 ", "Field 5"), 1, 1)
    tables = {"TABELLE1": t}
    assert resolve("Tabelle1[[#This Row],[Field 4 ]]", tables, "Ark1", 5, 8)[2] == 6
    assert resolve("Tabelle1[[Field 4]]", tables, "Ark1", 5, 8)[2] == 6      # unique without the space
    two = Table("T", "Ark1", 1, 1, 3, 2, ("A", "A "), 1, 0)
    assert resolve("T[A ]", {"T": two}, "Ark1", 9, 9)[2] == 2


@pytest.mark.parametrize("number, fmt, text", [
    (-1.0, "h", "#VALUE!"), (-1.0, "m", "#VALUE!"), (-1.0, "dd-mm-yyyy", "#VALUE!"),   # a negative date
    (2958466.0, "yy", "#VALUE!"), (2958466.0, "h", "#VALUE!"),                         # after 31-12-9999
    (2958466.0, "[h]", "71003184"), (71003160.0, "[hh]", "1704075840"),               # elapsed counts on
])
def test_text_of_dates_excel_cannot_show(number, fmt, text):
    # Excel 16's values in 084_pycel__text.xlsx (TextDates)
    assert str(value(run({"A1": number}, f'TEXT(A1,"{fmt}")'), "Z1")) == text


@pytest.mark.parametrize("number, fmt, text", [       # Excel 16's values in 084_pycel__text.xlsx
    (-1.0, "w;x;z@", "x"), (0.0, "w;x;z@", "w"), (1.0, "w;x;z", "w"), (0.0, "w;x;z", "z"), (-1.0, "w;x@", "-w"),
    (890123.456789, "#.###.#.#.#", "890123.456.7.8.9"), (890123.456789, "#,###.##.#", "890,123.45.7"),
    (890123.456789, "#,#.##.##,#", "890,123.45.679"), (890123.456789, "#.###,x,##", "890123.456x,79"),
    (5.0, '0 "kr"', "5 kr"), (5.0, "0 x", "5 x"),
])
def test_text_letters_extra_points_and_the_text_section(number, fmt, text):
    assert value(run({"A1": number}, f'TEXT(A1,"{fmt.replace(chr(34), chr(34) * 2)}")'), "Z1") == text


def test_the_last_section_with_at_formats_text():
    assert value(run({"A1": "Plugh"}, 'TEXT(A1,"w;x;z@")'), "Z1") == "zPlugh"


@pytest.mark.parametrize("text, shown", [        # Excel 16's values in 084_pycel__text.xlsx (TextDates)
    ("23:99", "1.02708"), ("24:99", "24:99"), ("23:9999", "7.90208"), ("23:10000", "23:10000"),
    ("0:0:10000", "0:0:10000"), ("23:60:9999", "23:60:9999"), ("59:10000.0", "59:10000.0"),
])
def test_text_shaped_like_a_time_but_out_of_range_stays_text(text, shown):
    assert value(run({"A1": text}, 'TEXT(A1,"#.#####")'), "Z1") == shown


def test_linest_statistics_and_no_intercept_worked_by_hand():
    from sp_xl.engine.linest import linest
    # y = 1,3,2,5 on x = 1..4: m = Sxy/Sxx = 5.5/5, b = 2.75 - 1.1*2.5 = 0, residuals -.1 .8 -1.3 .6
    got = linest(np.array([1.0, 3.0, 2.0, 5.0]), np.array([[1.0], [2.0], [3.0], [4.0]]), True, True)
    se_y = math.sqrt(2.7 / 2)
    want = [[1.1, 0.0], [se_y / math.sqrt(5), se_y * math.sqrt(0.25 + 6.25 / 5)], [6.05 / 8.75, se_y],
            [6.05 / 1.35, 2.0], [6.05, 2.7]]
    assert np.allclose(np.array(got, dtype=float), want, rtol=1e-12, atol=1e-12)
    # without intercept (Excel's cached values in 083_pycel__stats.xlsx Stats!D39:E43): m = Sxy/Sxx = 20/29
    got = linest(np.array([1.0, 2.0, 3.0]), np.array([[2.0], [3.0], [4.0]]), False, True)
    assert got[0].tolist() == [pytest.approx(20 / 29), 0.0] and str(got[1][1]) == "#N/A"
    assert [float(v) for v in got[2:, 0]] == pytest.approx([0.9852216748768473, 133.33333333333354, 13.793103448275863])
    assert linest(np.array([1.0, 2.0, 3.0]), np.array([[2.0], [3.0], [4.0]]), True, True) == "exact"


def test_regression_with_y_over_rows_and_columns_needs_x_of_its_shape():
    # 083_pycel__stats.xlsx: LINEST(J3:N4,J5:N7), LINEST(J3:N4,J5:N5), TREND(J3:N4,J5:N5,2.5) are #REF!
    cells = {f"{c}{r}": float(r * 10 + i) ** (1 + (r == 2)) for r in (1, 2, 3, 4) for i, c in enumerate("ABC")}
    ev = run(cells, "LINEST(A1:C2,A3:C4)", "LINEST(A1:C2,A3:C3)", "TREND(A1:C2,A3:C3,2.5)")
    assert [str(value(ev, r)) for r in ("Z2", "Z3")] == ["#REF!", "#REF!"]
    assert "Z1" in problems(ev)          # the same shape: not reproduced


def test_hyperlink_shows_its_friendly_name_or_the_link():
    # 056_poi__FormulaEvalTestData_Copy.xlsx: =HYPERLINK("http://poi.apache.org") caches the link
    ev = run({"A1": 7.0}, 'HYPERLINK("http://poi.apache.org")', 'HYPERLINK("#Ark1!A1",A1)', 'HYPERLINK("x",A2)')
    assert (value(ev, "Z1"), value(ev, "Z2")) == ("http://poi.apache.org", 7.0)
    assert "HYPERLINK" in problems(ev)["Z3"]


def test_timevalue_of_a_plain_number_text_is_value_error():
    # 078_pycel__date-time.xlsx: TIMEVALUE("1.25") is #VALUE!, TIMEVALUE("1:23") a time
    ev = run({"A1": "1.25", "A2": "1:23"}, "TIMEVALUE(A1)", "TIMEVALUE(A2)")
    assert str(value(ev, "Z1")) == "#VALUE!" and value(ev, "Z2") == pytest.approx(83 / 1440)


@pytest.mark.parametrize("number, fmt, text", [
    (0.0, "yyyy-mm-dd dddd", "1900-01-00 Saturday"), (1.0, "d mmm yyyy dddd", "1 Jan 1900 Sunday"),
    (59.0, "d mmm", "28 Feb"), (60.0, "d mmm yyyy", "29 Feb 1900"), (61.0, "d mmm yyyy dddd", "1 Mar 1900 Thursday"),
    (0.0, "m", "1"),        # 084_pycel__text.xlsx: "SS"m for 0 gives SS1
])
def test_text_keeps_excels_calendar_before_march_1900(number, fmt, text):
    assert value(run({"A1": number}, f'TEXT(A1,"{fmt}")'), "Z1") == text


def test_trim_of_a_range_in_a_normal_formula_is_intersected_with_its_row():
    # 056_poi__FormulaEvalTestData_Copy.xlsx: =TRIM(E7:E8) in row 1408 is #VALUE!
    cells = {"A1": "  a  b ", "A2": "c"}
    fs = [Formula("Ark1", "B2", "TRIM(A1:A2)"), Formula("Ark1", "B9", "TRIM(A1:A2)")]
    ev = evaluate(FakePackage({"Ark1": cells}, fs))
    assert ev.values[("Ark1", "B2")] == "c" and str(ev.values[("Ark1", "B9")]) == "#VALUE!"
