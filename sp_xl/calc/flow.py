"""Trends and backlog: running totals, open cases, net flow, linear trend and forecast."""

from __future__ import annotations

import numpy as np

from sp_xl.calc.cells import Cells
from sp_xl.calc.series import at_least, contaminate, numeric_positions, raise_first_error, same_length
from sp_xl.calc.text import number_da
from sp_xl.errors import NA, err, fail


def cumulative(series: Cells) -> Cells:
    """Running total. An empty cell stays empty (the total carries over it); an error spoils the rest."""
    v = series.values
    totals = np.cumsum(np.nan_to_num(v))
    totals[np.isnan(v)] = np.nan
    return Cells(totals, contaminate(series.errors))


def _period_flows(created: Cells, closed: Cells) -> Cells:
    """closed - created per period; a period with only one of the two reported is an error."""
    same_length(created, closed, "oprettede", "lukkede")
    a, b = created.values, closed.values
    errors = np.where(np.equal(created.errors, None), closed.errors, created.errors)
    res = Cells(b - a, errors)
    res = res.fail(np.isnan(a) & ~np.isnan(b), err(
        NA, "Oprettede sager mangler for en periode, hvor lukkede er udfyldt.",
        "Created cases are missing for a period where closed cases are filled in."))
    return res.fail(~np.isnan(a) & np.isnan(b), err(
        NA, "Lukkede sager mangler for en periode, hvor oprettede er udfyldt.",
        "Closed cases are missing for a period where created cases are filled in."))


def netflow(created: Cells, closed: Cells) -> Cells:
    """closed - created per period: positive means the backlog falls."""
    return _period_flows(created, closed)


def backlog(created: Cells, closed: Cells, opening: float = 0.0) -> Cells:
    """Open cases after each period: opening + running sum of (created - closed)."""
    flows = _period_flows(created, closed)
    v = flows.values
    totals = opening - np.cumsum(np.nan_to_num(v))
    totals[np.isnan(v)] = np.nan
    return Cells(totals, contaminate(flows.errors))


def _fit(series: Cells) -> tuple[float, float, np.ndarray]:
    """Least-squares line through (position, value), positions 1..n, blanks skipped."""
    raise_first_error(series)
    pos = numeric_positions(series)
    at_least(pos, 2, "en tendens", "a trend")
    x = pos.astype(float) + 1
    y = series.values[pos]
    xm, ym = x.mean(), y.mean()
    slope = float(((x - xm) * (y - ym)).sum() / ((x - xm) ** 2).sum())
    return slope, float(ym - slope * xm), x


def trend(series: Cells) -> float:
    """Slope per period (Excel: SLOPE(series; {1..n}))."""
    return _fit(series)[0]


def forecast(series: Cells, periods_ahead: np.ndarray) -> np.ndarray:
    """Linear forecast ``periods_ahead`` periods after the last number (Excel: FORECAST.LINEAR)."""
    slope, intercept, x = _fit(series)
    return intercept + slope * (x[-1] + periods_ahead)


def weeks_to_clear(created: Cells, closed: Cells, opening: float = 0.0, window: int = 4) -> float:
    """Current backlog divided by the average net closing over the last ``window`` periods."""
    flows = _period_flows(created, closed)
    raise_first_error(flows)
    pos = numeric_positions(flows)
    if len(pos) < window:
        raise fail(NA, f"For få perioder: der er {len(pos)} med både oprettede og lukkede sager, vinduet er {window}.",
                   f"Too few periods: {len(pos)} have both created and closed cases; the window is {window}.")
    net = flows.values[pos]
    current = opening - float(net.sum())
    if current <= 0:
        return 0.0
    avg = float(net[-window:].mean())
    if avg <= 0:
        raise fail(NA, f"Backloggen falder ikke: i de sidste {window} perioder er der i gennemsnit lukket "
                       f"{number_da(avg, 1)} sager mere end oprettet pr. periode.",
                   f"The backlog is not falling: over the last {window} periods, on average {avg:+.1f} "
                   "more cases were closed than created per period.")
    return current / avg


def peak(series: Cells) -> int:
    """0-based position of the highest number (the first one on ties)."""
    raise_first_error(series)
    pos = numeric_positions(series)
    at_least(pos, 1, "et toppunkt", "a peak")
    return int(pos[np.argmax(series.values[pos])])
