"""Growing a table by rows as Excel does: the table, its filter, the used range, and whatever is
bound to whole columns of its body (conditional formats, validations, names, chart series)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from openpyxl.chart import LineChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.patch import write_cells
from sp_xl.ooxml.tables import grow, row_styles, table_infos


@pytest.fixture
def book(tmp_path):
    """A table tData (A3:C6: Måned, Hospital, Antal) with a chart, a name, a format and a
    validation on its columns, and things that are not bound to it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["A1"] = "Kilde: test"
    ws.append([])
    ws.append(["Måned", "Hospital", "Antal"])
    for i in range(3):
        ws.append([f"2018-0{i + 1}", "Rigshospitalet", 10 * (i + 1)])
        ws.cell(4 + i, 3).number_format = "#,##0"
    ws.add_table(Table(displayName="tData", ref="A3:C6"))
    ws.conditional_formatting.add("C4:C6", CellIsRule(operator="greaterThan", formula=["15"],
                                                     fill=PatternFill("solid", bgColor="FFC7CE")))
    ws.conditional_formatting.add("E4:E6", CellIsRule(operator="greaterThan", formula=["0"]))   # beside the table
    dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    ws.add_data_validation(dv)
    dv.add("C4:C6")
    wb.defined_names["Antal_alle"] = DefinedName("Antal_alle", attr_text="Data!$C$4:$C$6")
    wb.defined_names["Antal_to"] = DefinedName("Antal_to", attr_text="Data!$C$4:$C$5")        # not the whole column
    chart = LineChart()
    chart.add_data(Reference(ws, min_col=3, min_row=3, max_row=6), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=4, max_row=6))
    ws.add_chart(chart, "G2")
    path = tmp_path / "t.xlsx"
    wb.save(path)
    return path


def grown(book, rows: dict[str, object], last: int) -> bytes:
    pkg = XlsxPackage(book.read_bytes())
    info = table_infos(pkg)["tData"]
    xml = pkg.read(info.sheet_part)
    styles = row_styles(xml, info.last_body_row, info.c1, info.c2)
    new_styles = {ref: styles[ord(ref[0]) - 64] for ref in rows if ord(ref[0]) - 64 in styles}
    replaced = {info.sheet_part: write_cells(xml, rows, new_styles)}
    grow(pkg, replaced, {"tData": last})
    with zipfile.ZipFile(io.BytesIO(book.read_bytes())) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members.update(replaced)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for n, d in members.items():
            out.writestr(n, d)
    return buf.getvalue()


def test_a_grown_table_takes_its_filter_used_range_and_bound_formats_names_and_charts_along(book, tmp_path):
    data = grown(book, {"A7": "2018-04", "B7": "Rigshospitalet", "C7": 40.0}, 7)
    out = tmp_path / "grown.xlsx"
    out.write_bytes(data)
    wb = openpyxl.load_workbook(out)
    ws = wb["Data"]
    assert ws.tables["tData"].ref == "A3:C7" and ws.tables["tData"].autoFilter.ref == "A3:C7"
    assert ws.dimensions.endswith("7")
    assert ws["C7"].value == 40 and ws["C7"].number_format == "#,##0"         # the format of the row above
    formats = {str(cf.sqref) for cf in ws.conditional_formatting}
    assert formats == {"C4:C7", "E4:E6"}                                        # beside the table: not bound
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == ["C4:C7"]
    assert wb.defined_names["Antal_alle"].attr_text == "Data!$C$4:$C$7"
    assert wb.defined_names["Antal_to"].attr_text == "Data!$C$4:$C$5"
    with zipfile.ZipFile(out) as z:
        chart = z.read(next(n for n in z.namelist() if n.startswith("xl/charts/chart"))).decode()
    assert "'Data'!$C$4:$C$7" in chart and "'Data'!$A$4:$A$7" in chart and "'Data'!C3<" in chart
    pkg = XlsxPackage(data)
    assert pkg.tables()["tData"][1] == "A3:C7" and pkg.cells("Data")["C7"] == 40.0


def test_nothing_changes_when_a_table_does_not_grow(book):
    pkg = XlsxPackage(book.read_bytes())
    assert grow(pkg, {}, {"tData": 6}) == {}
