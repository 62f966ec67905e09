"""Ranking: the top N of a list, ties kept in input order."""

from __future__ import annotations

import numpy as np

from sp_xl.calc.cells import Cells
from sp_xl.calc.series import numeric_positions, raise_first_error
from sp_xl.errors import NA, fail


def top_n(values: Cells, n: int, ascending: bool = False) -> np.ndarray:
    """0-based positions of the n largest (or smallest) numbers; blanks are skipped."""
    raise_first_error(values)
    pos = numeric_positions(values)
    if len(pos) == 0:
        raise fail(NA, "Der er ingen tal at rangordne.", "There are no numbers to rank.")
    key = values.values[pos] if ascending else -values.values[pos]
    order = np.argsort(key, kind="stable")  # stable: ties keep their input order
    return pos[order[:n]]
