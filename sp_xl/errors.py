"""Excel error values with a reason a Danish analyst can read.

An ``ExcelError`` is a value, not an exception: functions return it in place of a number
(alone or inside an array), exactly as Excel puts #DIV/0! in a cell. ``str()`` gives the
Excel code so that tests and callers compare against "#DIV/0!"; ``reason`` gives the
explanation in the current language. ``SpError`` carries one out of deep code.
"""

from __future__ import annotations

from dataclasses import dataclass

from sp_xl import i18n

NULL, DIV0, VALUE, REF, NAME, NUM, NA = (
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
)
CODES = (NULL, DIV0, VALUE, REF, NAME, NUM, NA)
# Excel's own numbering (CVErr / xlErr constants), used by the VBA side.
XL_ERR_NUMBERS = {NULL: 2000, DIV0: 2007, VALUE: 2015, REF: 2023, NAME: 2029, NUM: 2036, NA: 2042}


@dataclass(frozen=True, slots=True)
class ExcelError:
    code: str
    reason_da: str = ""
    reason_en: str = ""

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"not an Excel error code: {self.code!r}")

    def __str__(self) -> str:
        return self.code

    @property
    def reason(self) -> str:
        return i18n.pick(self.reason_da, self.reason_en) or self.code

    def describe(self) -> str:
        """Code and reason in one line, e.g. '#DIV/0!: Målet er 0.'"""
        return f"{self.code}: {self.reason}" if self.reason != self.code else self.code


class SpError(Exception):
    """Raised inside calculations; the adapter turns it into the ExcelError it carries."""

    def __init__(self, error: ExcelError):
        super().__init__(error.describe())
        self.error = error


def err(code: str, da: str, en: str) -> ExcelError:
    return ExcelError(code, da, en)


def fail(code: str, da: str, en: str) -> SpError:
    return SpError(ExcelError(code, da, en))


def from_literal(value: object) -> ExcelError | None:
    """An Excel error arriving as a value (xlwings' err_to_str gives '#N/A' etc.)."""
    if isinstance(value, ExcelError):
        return value
    if isinstance(value, str) and value in CODES:
        return ExcelError(value, f"Fejlen {value} kommer fra en celle, der bruges i beregningen.",
                          f"The error {value} comes from a cell used in the calculation.")
    return None
