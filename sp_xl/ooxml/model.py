"""What the package layer hands out: formula cells, notes on formula cells, sheets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sp_xl import i18n


class FormulaCell(NamedTuple):
    """A formula cell. A named tuple, not a dataclass: a workbook may hold 10^6 of them, and a
    tuple is half the memory and can be built in bulk (``tuple.__new__`` over ``map``)."""
    sheet: str
    ref: str
    formula: str
    array_ref: str | None = None
    cached: object = None          # the value stored in the file (None: none)


@dataclass(frozen=True)
class FormulaNote:
    """A formula cell with a reason, in Danish and English: one the engine could not compute,
    or one the share copy froze as a value."""

    sheet: str
    ref: str
    formula: str
    reason_da: str
    reason_en: str

    @property
    def reason(self) -> str:
        return i18n.pick(self.reason_da, self.reason_en)

    def describe(self) -> str:
        return f"{self.sheet}!{self.ref}: ={self.formula} -- {self.reason}"


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str | None        # zip member of the sheet XML (None: chart sheet or missing part)
    kind: str               # "worksheet", "chartsheet", "dialogsheet", "macrosheet"
    state: str              # "visible", "hidden", "veryHidden"
