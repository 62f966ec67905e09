"""Helpers shared by the functions that read a row or column in order."""

from __future__ import annotations

import numpy as np

from sp_xl.calc.cells import Cells
from sp_xl.errors import NA, SpError, fail


def raise_first_error(*series: Cells) -> None:
    """A series with an error anywhere has no trustworthy total: pass the first one on."""
    for s in series:
        bad = ~s.ok
        if bad.any():
            raise SpError(s.errors[np.flatnonzero(bad)[0]])


def numeric_positions(series: Cells) -> np.ndarray:
    """0-based positions of the cells holding numbers (blanks skipped)."""
    return np.flatnonzero(~np.isnan(series.values))


def at_least(positions: np.ndarray, n: int, what_da: str, what_en: str) -> None:
    if len(positions) < n:
        raise fail(NA, f"For få tal: {what_da} kræver mindst {n} tal i serien, der er {len(positions)}.",
                   f"Too little data: {what_en} needs at least {n} numbers in the series, found {len(positions)}.")


def same_length(a: Cells, b: Cells, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise fail("#VALUE!", f"'{name_a}' og '{name_b}' skal have samme antal celler ({a.shape[0]} og {b.shape[0]}).",
                   f"'{name_a}' and '{name_b}' must have the same number of cells ({a.shape[0]} and {b.shape[0]}).")


def contaminate(errors: np.ndarray) -> np.ndarray:
    """In a running total, an error at one position spoils every later position too."""
    out = errors.copy()
    current = None
    for i, e in enumerate(out):
        if e is not None and current is None:
            current = e
        if current is not None:
            out[i] = current
    return out
