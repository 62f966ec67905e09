"""Internal sheets stay at home: a formula that reads one gets the value written in instead.

The master lists its internal working sheets in ``sp_InterneArk`` and the e-mail copy leaves
them out. A formula on a sheet that travels and reads a single cell of such a sheet
(``=B20+D_LPR!B21``, or a defined name that points at one) gets that cell's value as a
constant (``=B20+4``): the hidden numbers could not change in the reader's copy anyway, and
the formula stays live for everything that does travel (targets, parameters, other cells).

What cannot be written in is left to the caller to freeze as the cell's cached value, with
the reason: a *range* on an internal sheet (a lookup table, a series), a table on one, a 3-D
reference, INDIRECT (its text may name any sheet), a reference that a function needs as a
reference (ROW, OFFSET, SUMIF ...), and a cell whose value has no exact constant (a blank
cell, which is 0 or "" depending on use; text longer than Excel's 255-character limit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sp_xl.errors import ExcelError
from sp_xl.engine.refs import parse_area, split_sheet
from sp_xl.ooxml.tokenizer import Token, Tokenizer, TokenizerError
from sp_xl.ooxml.cellrefs import col_letters

# Functions whose arguments must be references, not values: a constant there is an error.
_NEEDS_REFERENCE = {
    "AREAS", "AVERAGEIF", "AVERAGEIFS", "CELL", "COLUMN", "COLUMNS", "COUNTBLANK", "COUNTIF", "COUNTIFS",
    "FORMULATEXT", "GETPIVOTDATA", "HYPERLINK", "INDIRECT", "ISFORMULA", "ISREF", "MAXIFS", "MINIFS", "OFFSET",
    "ROW", "ROWS", "SHEET", "SHEETS", "SUBTOTAL", "AGGREGATE", "SUMIF", "SUMIFS",
}
_ERROR_LITERALS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}


@dataclass(frozen=True)
class Blocked:
    """Why a formula cannot be rewritten without the internal sheets (Danish, English)."""
    reason_da: str
    reason_en: str


_RANGE = Blocked("formlen læser et område på et internt ark, som ikke følger med kopien",
                 "the formula reads a range on an internal sheet, which the copy leaves out")
_UNREADABLE = Blocked("formlen kunne ikke læses", "the formula could not be parsed")


def literal(value: object) -> str | None:
    """The value as an Excel constant with exactly that value, or None when there is none."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        x = float(value)
        if not math.isfinite(x):
            return None
        text = str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x).upper()
        return f"({text})" if x < 0 else text       # (-3)^2: no doubt about the sign's binding
    if isinstance(value, ExcelError):
        return str(value) if str(value) in _ERROR_LITERALS else None
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"' if len(value) <= 255 else None
    return None


class Inliner:
    """Rewrites formulas so that they no longer read the given (dropped) sheets.

    ``cells(sheet)`` gives a sheet's values by 'B5'; ``names`` the workbook's defined names;
    ``tables`` table name -> sheet.
    """

    def __init__(self, dropped: set[str], cells, names: dict[str, str], tables: dict[str, str]):
        self.dropped = {s.lower(): s for s in dropped}     # Excel's sheet names ignore case
        self.cells = cells
        self.names = {n.lower(): t for n, t in names.items()}
        self.tables = {t.lower() for t, sheet in tables.items() if sheet.lower() in self.dropped}
        # Names that point into a dropped sheet: only formulas mentioning one (or a sheet) need work.
        self.marked_names = {n for n, t in self.names.items() if self._target_sheet(t) in self.dropped}
        self._needles = tuple(set(self.dropped) | self.marked_names | self.tables)

    @staticmethod
    def _target_sheet(text: str) -> str | None:
        try:
            sheet, _ = split_sheet(text.strip().lstrip("="))
        except ValueError:
            return None
        return sheet.lower() if sheet else None

    def inline(self, formula: str) -> tuple[str, int] | Blocked:
        """(formula with internal values written in, how many references were replaced), or why not."""
        low = formula.lower()
        if not self.dropped or not any(n in low for n in self._needles):
            return formula, 0
        try:
            items = Tokenizer("=" + formula).items
        except TokenizerError:
            return _UNREADABLE
        if "".join(t.value for t in items) != formula:
            return _UNREADABLE
        out, stack, replaced = [], [], 0
        for i, tok in enumerate(items):
            if tok.subtype == Token.OPEN:
                stack.append(tok.value[:-1].upper() if tok.type == Token.FUNC else "")
            elif tok.subtype == Token.CLOSE and stack:
                stack.pop()
            if tok.type == Token.FUNC and tok.value.upper() == "INDIRECT(":
                return Blocked("formlen bruger INDIRECT, som kan pege på et internt ark",
                               "the formula uses INDIRECT, which may point at an internal sheet")
            if tok.type == Token.FUNC and "!" in tok.value and self._value_of(tok.value.split(":")[0]) is not None:
                return _RANGE          # 'D_Data!A1:INDEX(...)': the tokenizer glues a range to a function
            if not (tok.type == Token.OPERAND and tok.subtype == Token.RANGE):
                out.append(tok.value)
                continue
            value = self._value_of(tok.value)
            if value is None:                   # not about an internal sheet
                out.append(tok.value)
                continue
            if isinstance(value, Blocked):
                return value
            if stack and stack[-1].removeprefix("_XLFN.") in _NEEDS_REFERENCE or _next_to_range_operator(items, i):
                return Blocked("formlen bruger en celle på et internt ark som reference",
                               "the formula uses a cell on an internal sheet as a reference")
            out.append(value)
            replaced += 1
        return "".join(out), replaced

    def _value_of(self, operand: str, depth: int = 0) -> str | Blocked | None:
        """The constant for a reference operand into a dropped sheet; None when it reads no such sheet."""
        if "[" in operand:                               # Table[Column] (external [1]x!A1 is frozen elsewhere)
            return _RANGE if operand.split("[", 1)[0].lower() in self.tables else None
        try:
            sheet, _ = split_sheet(operand)
        except ValueError:
            return None
        if sheet is None:          # a defined name: what it points at, once (a name of a name is left alone)
            if depth or operand.lower() not in self.marked_names:
                return None
            return self._value_of(self.names[operand.lower()].strip().lstrip("="), depth + 1)
        if "!" in sheet:           # Ark!A1:Ark!A3 is one range
            return _RANGE
        if ":" in sheet:           # Sheet1:Sheet3!A1 may span an internal sheet between its ends
            return Blocked("formlen læser en 3-D-reference over flere ark", "the formula reads a 3-D reference")
        if sheet.lower() not in self.dropped:
            return None
        area = parse_area(operand)
        if area is None or not area.is_cell:
            return _RANGE
        value = self.cells(self.dropped[sheet.lower()]).get(f"{col_letters(area.c1)}{area.r1}")
        text = literal(value)
        if text is None:
            return (Blocked("formlen læser en tom celle på et internt ark", "the formula reads an empty cell on an internal sheet")
                    if value is None else
                    Blocked("værdien på det interne ark kan ikke skrives ind i formlen",
                            "the value on the internal sheet cannot be written into the formula"))
        return text


def _next_to_range_operator(items: list, i: int) -> bool:
    """True when the operand is one end of 'A1:B2' written with the ':' operator."""
    for j in (i - 1, i + 1):
        k = j
        while 0 <= k < len(items) and items[k].type == Token.WSPACE:
            k += -1 if j < i else 1
        if 0 <= k < len(items) and items[k].value == ":":      # an operator, or an operand when spaced
            return True
    return False


__all__ = ["Blocked", "Inliner", "literal"]
