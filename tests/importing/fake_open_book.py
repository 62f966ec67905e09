"""An open workbook on openpyxl: ``sp_xl.actions.in_excel.OpenWorkbook`` without Excel.

It does what Excel does with each call as far as the import can tell: ``write`` parses
text as if typed (a formula, a number, a truth value; an apostrophe keeps text and is
dropped), ``resize_table`` moves the table's range, ``save_copy`` writes what is open
(with its custom XML parts, as Excel does). Every call is logged in ``calls``.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from sp_xl.importing.record import ImportRecord, record_parts
from sp_xl.ooxml.package import XlsxPackage

_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")


def typed(value: object) -> object:
    """What a cell holds after ``Range.Value = value`` (the parsing the import must avoid)."""
    if not isinstance(value, str):
        return value
    if value.startswith("'"):
        return value[1:]
    if _NUMBER.fullmatch(value.strip()):
        return float(value.strip().replace(",", "."))
    if value.strip().upper() in ("TRUE", "FALSE", "SAND", "FALSK"):
        return value.strip().upper() in ("TRUE", "SAND")
    return value                 # "=..." stays a string: openpyxl stores it as a formula, as Excel would


class FakeOpenBook:
    def __init__(self, path: Path, *, fullname: str | None = None, saved: bool = True):
        self.wb = openpyxl.load_workbook(path)
        self.name = Path(path).name
        self.fullname = fullname or str(path)
        self.saved = saved
        self.custom_xml: dict[str, str] = {}
        record = _record_xml(Path(path).read_bytes())
        if record is not None:
            self.custom_xml["urn:sp-xl:import-record:1"] = record
        self.calls: list[tuple] = []

    # ---- reading and calculating
    def save_copy(self, path: Path) -> None:
        self.calls.append(("save_copy",))
        Path(path).write_bytes(self.saved_bytes())

    def is_formula(self, sheet: str, ref: str) -> bool:
        return self.wb[sheet][ref].data_type == "f"

    def calculate_full(self) -> None:
        self.calls.append(("calculate_full",))

    def read(self, sheet: str, area: str) -> list[list[object]]:
        return [[c.value for c in row] for row in self.wb[sheet][area]] if ":" in area else [[self.wb[sheet][area].value]]

    # ---- writing
    def set_hidden(self, sheet: str, rows, columns) -> None:
        self.calls.append(("set_hidden", sheet))
        ws = self.wb[sheet]
        for r, hidden in rows.items():
            ws.row_dimensions[r].hidden = hidden
        for c, hidden in columns.items():
            ws.column_dimensions[get_column_letter(c)].hidden = hidden

    def write(self, sheet: str, area: str, rows: list[list[object]]) -> None:
        self.calls.append(("write", sheet, area))
        c1, r1, c2, r2 = range_boundaries(area)
        assert len(rows) == r2 - r1 + 1 and all(len(row) == c2 - c1 + 1 for row in rows), (area, rows)
        ws = self.wb[sheet]
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                cell = ws.cell(r1 + i, c1 + j)
                cell.value = typed(value)
                if isinstance(value, str) and value.startswith("'"):
                    cell.data_type = "s"          # text, even when it starts with "=" (Excel's quote prefix)
        self.saved = False

    def resize_table(self, sheet: str, table: str, area: str) -> None:
        self.calls.append(("resize_table", sheet, table, area))
        t = self.wb[sheet].tables[table]
        t.ref = area
        if t.autoFilter is not None:
            t.autoFilter.ref = area

    def format_like(self, sheet: str, source: str, target: str) -> None:
        self.calls.append(("format_like", sheet, source, target))
        ws = self.wb[sheet]
        sc1, sr, _, _ = range_boundaries(source)
        tc1, tr1, tc2, tr2 = range_boundaries(target)
        for c in range(tc1, tc2 + 1):
            model = ws.cell(sr, sc1 + c - tc1)
            for r in range(tr1, tr2 + 1):
                ws.cell(r, c).style = model.style
                ws.cell(r, c).number_format = model.number_format

    def names(self) -> dict[str, str]:
        return {name: "=" + dn.attr_text for name, dn in self.wb.defined_names.items()}

    def set_name(self, name: str, refers_to: str) -> None:
        self.calls.append(("set_name", name, refers_to))
        self.wb.defined_names[name].attr_text = refers_to.removeprefix("=")

    def replace_custom_xml(self, namespace: str, xml: str) -> None:
        self.calls.append(("replace_custom_xml", namespace))
        self.custom_xml[namespace] = xml

    # ---- for the tests
    def saved_bytes(self) -> bytes:
        """The workbook as Excel would save it: openpyxl's file plus the custom XML record."""
        buf = io.BytesIO()
        self.wb.save(buf)
        data = buf.getvalue()
        record = self.custom_xml.get("urn:sp-xl:import-record:1")
        if record is None:
            return data
        pkg = XlsxPackage(data, self.name)
        replaced, added = record_parts(pkg, ImportRecord.from_xml(record.encode("utf-8")))
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                dst.writestr(item, replaced.get(item.filename, src.read(item.filename)))
            for name, body in added.items():
                dst.writestr(name, body)
        return out.getvalue()


def _record_xml(data: bytes) -> str | None:
    from sp_xl.importing.record import read_record

    pkg = XlsxPackage(data, "x.xlsx")
    record = read_record(pkg)
    return pkg.read(record.part).decode("utf-8") if record.part else None
