"""Growth: absolute and relative change, compound growth per period, period-on-period changes."""

from __future__ import annotations

import numpy as np

from sp_xl.calc.cells import Cells
from sp_xl.calc.series import at_least, numeric_positions, raise_first_error
from sp_xl.errors import DIV0, NUM, err, fail


def _ends(series: Cells, what_da: str, what_en: str) -> tuple[float, float, int]:
    """First and last numeric value and the number of periods between them."""
    raise_first_error(series)
    pos = numeric_positions(series)
    at_least(pos, 2, what_da, what_en)
    v = series.values
    return float(v[pos[0]]), float(v[pos[-1]]), int(pos[-1] - pos[0])


def _nonzero_first(first: float) -> None:
    if first == 0:
        raise fail(DIV0, "Den første værdi i serien er 0, så væksten i procent kan ikke beregnes.",
                   "The first value of the series is 0, so growth in per cent cannot be computed.")


def first_last_nonzero(series: Cells, what_da: str, what_en: str) -> tuple[float, float]:
    """First and last number, the first not 0 (growth in per cent divides by it)."""
    first, last, _ = _ends(series, what_da, what_en)
    _nonzero_first(first)
    return first, last


def growth(series: Cells) -> float:
    first, last, _ = _ends(series, "vækst", "growth")
    return last - first


def growth_pct(series: Cells) -> float:
    first, last = first_last_nonzero(series, "vækst i procent", "growth in per cent")
    return last / first - 1


def avg_growth_pct(series: Cells) -> float:
    """Compound growth per period, (last/first)^(1/periods) - 1, as Excel's RRI."""
    first, last, periods = _ends(series, "gennemsnitlig vækst", "average growth")
    _nonzero_first(first)
    ratio = last / first
    if ratio < 0:
        raise fail(NUM, "Første og sidste værdi har forskellige fortegn; der findes ingen fast vækstrate.",
                   "First and last value have different signs; no constant growth rate exists.")
    return ratio ** (1.0 / periods) - 1


def changes(series: Cells, as_pct: bool = False) -> Cells:
    """Change from the previous period; the first period and periods next to a blank are empty."""
    v = series.values
    out = np.full(v.shape, np.nan)
    prev, cur = v[:-1], v[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[1:] = cur / prev - 1 if as_pct else cur - prev
    errors = series.errors.copy()
    # An error spoils its own change and the next one.
    errors[1:] = np.where(np.equal(errors[1:], None), series.errors[:-1], errors[1:])
    res = Cells(out, errors)
    if as_pct:
        zero_prev = np.zeros(v.shape, dtype=bool)
        zero_prev[1:] = (prev == 0) & ~np.isnan(cur)
        res = res.fail(zero_prev, err(DIV0, "Forrige periode er 0; ændringen i procent kan ikke beregnes.",
                                      "The previous period is 0; the change in per cent cannot be computed."))
    return res
