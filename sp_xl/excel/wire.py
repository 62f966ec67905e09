"""How results cross from Python to the VBA wrapper in Excel.

Classic xlwings cannot return an Excel error value through COM, and by default writes an
exception's text into the cell. So an ``ExcelError`` travels as a tagged string
``#SPERR:<xlErr number>:<reason>``; the generated VBA wrapper turns it into
``CVErr(<number>)`` (so ISERROR/IFERROR work) and keeps the reason for the user.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

from sp_xl.errors import XL_ERR_NUMBERS, ExcelError

TAG = "#SPERR:"


def encode(value: Any) -> Any:
    """One result value as Excel receives it."""
    if isinstance(value, ExcelError):
        return f"{TAG}{XL_ERR_NUMBERS[value.code]}:{value.reason}"
    if isinstance(value, float) and not math.isfinite(value):
        # Never let NaN/inf reach Excel as a blank cell.
        return f"{TAG}{XL_ERR_NUMBERS['#NUM!']}:Resultatet er ikke et endeligt tal."
    if isinstance(value, (list, tuple)):
        # An empty period in a multi-cell result: Excel would show Empty as 0 ("no change" where
        # there is no earlier period), so it travels as "" and the cell shows blank.
        return [encode(v) if v is not None else "" for v in value]
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def decode(value: Any) -> Any:
    """The inverse of ``encode`` for error values (used by tests and the ribbon handlers)."""
    if isinstance(value, str) and value.startswith(TAG):
        number, _, reason = value[len(TAG):].partition(":")
        code = {n: c for c, n in XL_ERR_NUMBERS.items()}[int(number)]
        return ExcelError(code, reason, reason)
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


@functools.cache
def converter() -> type:
    """The xlwings return converter that applies ``encode`` (built on first use: xlwings is heavy)."""
    from xlwings.conversion import Converter

    class WireConverter(Converter):
        @staticmethod
        def write_value(value: Any, options: dict[str, Any]) -> Any:
            return encode(value)

    return WireConverter
