"""The import record: a custom XML part that round-trips and is added without touching other parts."""

import datetime as dt
import io
import re
import zipfile

import openpyxl

from sp_xl.importing.record import (
    CT_CUSTOM_XML_PROPS,
    RT_CUSTOM_XML,
    ImportRecord,
    PeriodRecord,
    TableRecord,
    read_record,
    record_parts,
)
from sp_xl.ooxml.package import XlsxPackage


def sample() -> ImportRecord:
    rec = ImportRecord()
    rec.tables["tX"] = TableRecord("D_Data", "Kilde: rapporten, trukket d. 19. maj 2018", {
        "2018-03": PeriodRecord('a "&<b>.csv', dt.date(2018, 5, 19), dt.datetime(2018, 5, 31, 9, 30),
                                {"B10": 0.1, "B2": 3.0, "A2": "=HYPERLINK(\"x\")", "C2": None,
                                 "D2": "tab\tlf\ncr\r vt\x0b _x0041_ ø"}),
    })
    return rec


def test_the_record_round_trips_exactly():
    xml = sample().to_xml()
    back = ImportRecord.from_xml(xml)
    assert back.tables["tX"] == sample().tables["tX"]
    assert back.to_xml() == xml
    assert xml.index(b'r="B2"') < xml.index(b'r="B10"')          # cells in sheet order


def test_a_recorded_value_is_found_by_cell():
    t = sample().tables["tX"]
    assert t.recorded_value("B2") == (True, 3.0) and t.recorded_value("C2") == (True, None)
    assert t.recorded_value("Z9") == (False, None)


def book(tmp_path) -> XlsxPackage:
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    path = tmp_path / "b.xlsx"
    wb.save(path)
    return XlsxPackage(path.read_bytes(), "b.xlsx")


def rebuilt(pkg: XlsxPackage, replaced: dict, added: dict) -> XlsxPackage:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for name in pkg.member_names():
            out.writestr(name, replaced.get(name, pkg.read(name)))
        for name, data in added.items():
            out.writestr(name, data)
    return XlsxPackage(buf.getvalue(), "b.xlsx")


def test_a_new_record_is_added_as_a_custom_xml_part_and_read_back(tmp_path):
    pkg = book(tmp_path)
    assert read_record(pkg).tables == {}
    replaced, added = record_parts(pkg, sample())
    assert sorted(added) == ["customXml/_rels/item1.xml.rels", "customXml/item1.xml", "customXml/itemProps1.xml"]
    assert sorted(replaced) == ["[Content_Types].xml", "xl/_rels/workbook.xml.rels"]
    assert RT_CUSTOM_XML.encode() in replaced["xl/_rels/workbook.xml.rels"]
    assert b'Target="../customXml/item1.xml"' in replaced["xl/_rels/workbook.xml.rels"]
    assert CT_CUSTOM_XML_PROPS.encode() in replaced["[Content_Types].xml"]
    # nothing but the one new element in each
    for name, data in replaced.items():
        assert re.sub(rb"<(?:Override|Relationship) [^>]*customXml[^>]*/>", b"", data) == pkg.read(name)
    new = rebuilt(pkg, replaced, added)
    back = read_record(new)
    assert back.part == "customXml/item1.xml" and back.tables["tX"] == sample().tables["tX"]
    # a workbook that has its record gets only that part replaced next time
    replaced2, added2 = record_parts(new, back)
    assert list(replaced2) == ["customXml/item1.xml"] and added2 == {}


def test_a_record_excel_stored_as_utf16_is_found_and_read(tmp_path):
    pkg = book(tmp_path)
    replaced, added = record_parts(pkg, sample())
    xml = sample().to_xml().decode("utf-8").replace("encoding='UTF-8'", "encoding='UTF-16'")
    added["customXml/item1.xml"] = xml.encode("utf-16")                 # with its byte-order mark
    back = read_record(rebuilt(pkg, replaced, added))
    assert back.part == "customXml/item1.xml" and back.tables["tX"] == sample().tables["tX"]


def test_other_custom_xml_parts_are_left_alone_and_numbered_around(tmp_path):
    pkg = book(tmp_path)
    other = rebuilt(pkg, {}, {"customXml/item1.xml": b"<foreign xmlns='urn:other'/>"})
    assert read_record(other).tables == {}
    _, added = record_parts(other, sample())
    assert "customXml/item2.xml" in added and "customXml/item1.xml" not in added
