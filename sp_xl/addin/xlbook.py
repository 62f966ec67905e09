"""The open workbook through xlwings: ``sp_xl.actions.in_excel.OpenWorkbook`` in Excel.

One COM call (or two) per method, so that everything else runs and is tested on Linux
against ``tests/importing/fake_open_book.py``; this module itself only runs in Excel.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


class XlwingsBook:
    def __init__(self, book):
        self.book = book
        self.name = book.name
        self.fullname = book.fullname

    @property
    def saved(self) -> bool:
        return bool(self.book.api.Saved)

    def save_copy(self, path: Path) -> None:
        self.book.api.SaveCopyAs(str(path))

    def is_formula(self, sheet: str, ref: str) -> bool:
        return bool(self.book.sheets[sheet].range(ref).api.HasFormula)

    def calculate_full(self) -> None:
        try:
            self.book.app.api.CalculateFull()     # Windows: every formula, whatever Excel thinks is dirty
        except AttributeError:                    # macOS has no CalculateFull through appscript
            self.book.app.calculate()

    def write(self, sheet: str, area: str, rows: list[list[object]]) -> None:
        self.book.sheets[sheet].range(area).value = rows

    def resize_table(self, sheet: str, table: str, area: str) -> None:
        ws = self.book.sheets[sheet]
        ws.tables[table].resize(ws.range(area))

    def format_like(self, sheet: str, source: str, target: str) -> None:
        ws = self.book.sheets[sheet]
        src, dst = ws.range(source), ws.range(target)
        for i in range(src.columns.count):
            # The named style first: setting it resets the number format to the style's own.
            column = dst.columns[i]
            column.api.Style = src.columns[i].api.Style.Name
            column.number_format = src.columns[i].number_format

    def names(self) -> dict[str, str]:
        return {n.name: n.refers_to for n in self.book.names}

    def set_name(self, name: str, refers_to: str) -> None:
        self.book.names[name].refers_to = refers_to

    def replace_custom_xml(self, namespace: str, xml: str) -> None:
        parts = self.book.api.CustomXMLParts
        for part in list(parts.SelectByNamespace(namespace)):
            part.Delete()
        parts.Add(xml)

    def read(self, sheet: str, area: str) -> list[list[object]]:
        return self.book.sheets[sheet].range(area).options(ndim=2).value

    def set_hidden(self, sheet: str, rows: Mapping[int, bool], columns: Mapping[int, bool]) -> None:
        ws = self.book.sheets[sheet]
        for first, last, hidden in _runs(rows):
            ws.range(f"{first}:{last}").api.EntireRow.Hidden = hidden
        for first, last, hidden in _runs(columns):
            ws.range((1, first), (1, last)).api.EntireColumn.Hidden = hidden


def _runs(states: Mapping[int, bool]) -> list[tuple[int, int, bool]]:
    """Adjacent rows (columns) with the same state as one (first, last, state): one COM call each."""
    out: list[tuple[int, int, bool]] = []
    for n in sorted(states):
        if out and out[-1][1] == n - 1 and out[-1][2] == states[n]:
            out[-1] = (out[-1][0], n, states[n])
        else:
            out.append((n, n, states[n]))
    return out
