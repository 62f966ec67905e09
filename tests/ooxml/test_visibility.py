"""Hiding the empty period slots of a report view: rows and columns, byte-level and reversible."""

from __future__ import annotations

import openpyxl

from sp_xl.ooxml.visibility import set_columns_hidden, set_rows_hidden, slot_areas, slot_visibility

SHEET = (b'<worksheet><cols><col min="1" max="1" width="40" customWidth="1"/><col min="2" max="5" width="11" '
         b'customWidth="1"/></cols><sheetData><row r="1" spans="1:2"><c r="A1"/></row><row r="2" hidden="1">'
         b'<c r="A2"/></row></sheetData></worksheet>')


def test_rows_are_hidden_and_shown_and_nothing_else_changes():
    out = set_rows_hidden(SHEET, {1: True, 2: False})
    assert b'<row r="1" spans="1:2" hidden="1">' in out and b'<row r="2">' in out
    assert set_rows_hidden(out, {1: False, 2: True}) == SHEET
    assert set_rows_hidden(SHEET, {2: True}) is SHEET or set_rows_hidden(SHEET, {2: True}) == SHEET


def test_a_column_range_is_split_to_hide_some_and_merged_back_when_shown():
    out = set_columns_hidden(SHEET, {3: True, 4: True})
    assert (b'<col min="2" max="2" width="11" customWidth="1"/><col min="3" max="4" width="11" customWidth="1" '
            b'hidden="1"/><col min="5" max="5" width="11" customWidth="1"/>') in out
    assert set_columns_hidden(out, {3: False, 4: False}) == SHEET
    no_cols = b'<worksheet><sheetData/></worksheet>'
    assert set_columns_hidden(no_cols, {7: True}) == (b'<worksheet><cols><col min="7" max="7" width="9.140625" '
                                                      b'customWidth="1" hidden="1"/></cols><sheetData/></worksheet>')


def test_slots_decide_rows_and_columns_from_their_values():
    areas = slot_areas({"sp_Vis_A": "A!$B$2:$D$2,A!$B$9:$D$9", "sp_Vis_B": "'B b'!$A$3:$A$5", "Other": "A!$A$1"},
                       "sp_Vis_")
    assert areas == {"A": [(2, 2, 2, 4), (9, 2, 9, 4)], "B b": [(3, 1, 5, 1)]}
    values = {("A", "B2"): "januar", ("A", "C2"): "", ("A", "D2"): "", ("A", "C9"): "februar",
              ("B b", "A3"): 43101.0, ("B b", "A4"): "", ("B b", "A5"): None}
    out = slot_visibility(areas, lambda sheet, ref: values.get((sheet, ref)))
    # Column C shows: one of its slots (row 9) is filled; D is empty in both.
    assert out["A"] == ({}, {2: False, 3: False, 4: True})
    assert out["B b"] == ({3: False, 4: True, 5: True}, {})


def test_the_masters_views_name_their_slots(tmp_path):
    from sp_xl.master.build import build_master
    wb = openpyxl.load_workbook(build_master(tmp_path / "m.xlsx"))
    names = {n: wb.defined_names[n].attr_text for n in wb.defined_names if n.startswith("sp_Vis_")}
    assert names == {
        "sp_Vis_LPR": "'LPR-bilag'!$A$7:$A$372",
        "sp_Vis_Anvendelse": "Anvendelse!$C$5:$N$5,Anvendelse!$C$16:$N$16",
        "sp_Vis_MinSP": "MinSP!$B$4:$M$4,MinSP!$B$16:$M$16,MinSP!$B$26:$M$26,MinSP!$B$47:$M$47",
        "sp_Vis_Support": "Support!$A$20:$A$71,Support!$A$90:$A$141",
        "sp_Vis_Uddannelse": "Uddannelse!$A$5:$A$16",
    }
