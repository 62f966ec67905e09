"""A1 references and formula text for the master workbook (file syntax: ',' between arguments)."""

from __future__ import annotations

import re

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

_PLAIN_SHEET = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def sheet_prefix(sheet: str | None) -> str:
    if not sheet:
        return ""
    return f"{sheet}!" if _PLAIN_SHEET.fullmatch(sheet) else f"'{sheet}'!"


def cell(col: int, row: int, sheet: str | None = None, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    return f"{sheet_prefix(sheet)}{d}{get_column_letter(col)}{d}{row}"


def fixed_row(col: int, row: int) -> str:
    """'C$5': a reference that keeps its row when copied down (a header cell)."""
    return f"{get_column_letter(col)}${row}"


def area(col1: int, row1: int, col2: int, row2: int, sheet: str | None = None, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    return (f"{sheet_prefix(sheet)}{d}{get_column_letter(col1)}{d}{row1}:"
            f"{d}{get_column_letter(col2)}{d}{row2}")


def call(func: str, *args: object) -> str:
    """'=FUNC(a,b)'; every argument is written as str() gives it (strings as written)."""
    parts = [str(a) for a in args]
    return f"={func}({','.join(parts)})"


def points(formula: str) -> str:
    """A difference of two shares in percentage points: '=SP_GAP(a,b)' -> '=100*SP_GAP(a,b)'."""
    return "=100*" + formula.lstrip("=")


def thousands(expr: str) -> str:
    """Formula text for a whole number with the Danish thousands point ("1.700"), in any Excel
    language: TEXT's separators follow the reader's locale, so they are written here instead."""
    n = f"ROUND({expr},0)"
    return (f'IF(ABS({n})>=1000,IF({n}<0,"-","")&INT(ABS({n})/1000)&"."&TEXT(MOD(ABS({n}),1000),"000"),{n}&"")')


def text(value: str) -> str:
    """A string literal inside a formula."""
    return '"' + value.replace('"', '""') + '"'


def array(ws: Worksheet, col1: int, row1: int, col2: int, row2: int, formula: str) -> None:
    """A legacy (Ctrl+Shift+Enter) array formula over exactly the target range."""
    ref = area(col1, row1, col2, row2)
    ws.cell(row1, col1).value = ArrayFormula(ref, formula)

