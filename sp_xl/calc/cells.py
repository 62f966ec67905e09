"""Arrays of cell values that carry their own error values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sp_xl.errors import VALUE, ExcelError, fail


@dataclass(frozen=True, slots=True)
class Cells:
    """Values (float array, NaN = empty cell, or an object array for text) and errors.

    ``errors`` is an object array of the same shape holding ``None`` or an ``ExcelError``;
    a position with an error has no meaningful value.
    """

    values: np.ndarray
    errors: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.values.shape

    @property
    def ok(self) -> np.ndarray:
        return np.equal(self.errors, None)

    def fail(self, mask: np.ndarray, error: ExcelError) -> "Cells":
        """Put ``error`` where ``mask`` holds and no earlier error is recorded."""
        if mask.shape != self.shape:
            mask = np.broadcast_to(mask, self.shape)
        if not mask.any():
            return self
        mask = mask & self.ok
        if not mask.any():
            return self
        errors = self.errors.copy()
        errors[mask] = error
        return Cells(self.values, errors)

    def replace(self, values: np.ndarray) -> "Cells":
        return Cells(values, self.errors)


def first_errors(*cells: Cells) -> np.ndarray:
    """Element-wise the first input error, in argument order (as Excel propagates errors)."""
    out = np.array(cells[0].errors, dtype=object)  # a writable copy, also of a broadcast view
    for c in cells[1:]:
        bad = ~np.equal(c.errors, None)
        if bad.any():
            take = np.equal(out, None) & bad
            out[take] = c.errors[take]
    return out


def broadcast(*cells: Cells) -> list[Cells]:
    """Broadcast like Excel broadcasts a single cell against a range."""
    try:
        shape = np.broadcast_shapes(*(c.shape for c in cells))
    except ValueError:
        sizes = " og ".join("×".join(map(str, c.shape)) for c in cells)
        raise fail(VALUE, f"Områderne har forskellig størrelse ({sizes}); brug lige store områder eller én celle.",
                   f"The ranges differ in size ({sizes.replace(' og ', ' and ')}); use equal ranges or one cell.") from None
    return [
        c if c.shape == shape else Cells(np.broadcast_to(c.values, shape), np.broadcast_to(c.errors, shape))
        for c in cells
    ]
