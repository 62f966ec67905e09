"""Errors and warnings about an extract, in Danish with English available.

An ``ExtractError`` names the file, the row (as the user sees it: the line number in a CSV
file, the Excel row number in a workbook) and the column (its heading in the file), so an
analyst can open the export and find the cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from sp_xl import i18n


@dataclass(frozen=True, slots=True)
class Message:
    """A text in both languages; ``str()`` gives the current one."""

    da: str
    en: str

    def __str__(self) -> str:
        return i18n.pick(self.da, self.en)


class ExtractError(Exception):
    """A file that cannot be read as a source extract. Never half-read: the whole file is refused."""

    def __init__(self, file: str, row: int | None, column: str | None, da: str, en: str):
        self.file = file
        self.row = row
        self.column = column
        self.reason = Message(da, en)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        da = f"Filen '{self.file}'"
        en = f"File '{self.file}'"
        if self.row is not None:
            da += f", række {self.row}"
            en += f", row {self.row}"
        if self.column is not None:
            da += f", kolonne '{self.column}'"
            en += f", column '{self.column}'"
        return i18n.pick(f"{da}: {self.reason.da}", f"{en}: {self.reason.en}")

    def __str__(self) -> str:
        return self.message


class ValueProblem(Exception):
    """Raised by the value parsers; the caller adds file, row and column."""

    def __init__(self, index: int, da: str, en: str):
        super().__init__(en)
        self.index = index  # position in the list of distinct values being parsed
        self.da = da
        self.en = en
