"""LINEST with its statistics (stats = TRUE) and without an intercept (const = FALSE).

Excel's documented result for known_y (n values) and k x variables, as an array:

    row 1: m_k ... m_1, b              the coefficients, last x first (b = 0 without const)
    row 2: se_k ... se_1, se_b         their standard errors (se_b #N/A without const)
    row 3: r2, se_y                    then #N/A
    row 4: F, df                       df = n - k - 1 (n - k without const)
    row 5: ss_reg, ss_resid

with ss_tot the sum of squares about the mean (about 0 without const, as Excel 2003 and
later), r2 = ss_reg / ss_tot, se_y^2 = ss_resid / df and F = (ss_reg / k) / (ss_resid / df).
Excel drops collinear x columns; that and a fit without residual degrees of freedom or
residuals (df = 0; ss_resid 0, where Excel's F is #NUM! and ours rounding noise) are left
to the caller to refuse.
Checked against Excel's cached values in 083_pycel__stats.xlsx (test_excel_corpus.py).
"""

from __future__ import annotations

import math

import numpy as np

from sp_xl.engine.values import E_NA


def linest(y: np.ndarray, x: np.ndarray, const: bool, stats: bool) -> np.ndarray | str:
    """LINEST(y; x; const; stats) for float y (n,) and a full-rank x (n, k); or the name of
    what Excel does differently here ("df", "exact")."""
    n, k = x.shape
    design = np.hstack([x, np.ones((n, 1))]) if const else x
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    slopes = coef[:k][::-1].tolist()
    b = float(coef[k]) if const else 0.0
    first = slopes + [b]
    if not stats:
        return np.array([first], dtype=object)
    df = n - k - (1 if const else 0)
    resid = y - design @ coef
    ss_resid = math.fsum((resid * resid).tolist())
    centre = math.fsum(y.tolist()) / n if const else 0.0
    ss_tot = math.fsum(((y - centre) ** 2).tolist())
    if df <= 0:
        return "df"
    if ss_resid <= 1e-10 * ss_tot or ss_tot == 0.0:
        return "exact"      # Excel's F is #NUM! for a perfect fit; ours would be rounding noise
    ss_reg = ss_tot - ss_resid
    se_y2 = ss_resid / df
    cov = se_y2 * np.linalg.inv(design.T @ design)
    se = np.sqrt(np.diag(cov)).tolist()
    second = se[:k][::-1] + ([se[k]] if const else [E_NA])
    pad = [E_NA] * (k - 1)
    out = [first, second,
           [ss_reg / ss_tot, math.sqrt(se_y2)] + pad,
           [(ss_reg / k) / se_y2, float(df)] + pad,
           [ss_reg, ss_resid] + pad]
    return np.array(out, dtype=object)
