"""Goal attainment: actual against target, status colours, shares and required counts."""

from __future__ import annotations

import numpy as np

from sp_xl.calc.cells import Cells, broadcast, first_errors
from sp_xl.errors import DIV0, NA, NUM, err

# Attainment within this distance of a threshold counts as reaching it, so that
# 0.3 of a 0.3 target is "Grøn" despite binary floating point.
_EPS = 1e-12

GREEN, YELLOW, RED = "Grøn", "Gul", "Rød"


def _no_actual() -> object:
    return err(NA, "Den faktiske værdi mangler (tom celle).", "The actual value is missing (empty cell).")


def _no_target() -> object:
    return err(DIV0, "Målet mangler (tom celle), så der kan ikke divideres med det.",
               "The target is missing (empty cell), so it cannot be divided by.")


def _zero_target() -> object:
    return err(DIV0, "Målet er 0, og der kan ikke divideres med 0.", "The target is 0; cannot divide by 0.")


def _checked(actual: Cells, target: Cells) -> tuple[Cells, Cells, Cells]:
    """Broadcast, propagate input errors, and flag missing actuals and targets."""
    actual, target = broadcast(actual, target)
    res = Cells(np.full(actual.shape, np.nan), first_errors(actual, target))
    res = res.fail(np.isnan(target.values), _no_target())
    res = res.fail(np.isnan(actual.values), _no_actual())
    return actual, target, res


def attainment(actual: Cells, target: Cells, lower_is_better: bool = False) -> Cells:
    actual, target, res = _checked(actual, target)
    if lower_is_better:
        res = res.fail(actual.values == 0, err(
            DIV0, "Den faktiske værdi er 0; når lavere er bedre, beregnes mål/faktisk.",
            "The actual value is 0; with lower is better, attainment is target/actual."))
        num, den = target.values, actual.values
    else:
        res = res.fail(target.values == 0, _zero_target())
        num, den = actual.values, target.values
    with np.errstate(divide="ignore", invalid="ignore"):
        return res.replace(num / den)


def gap(actual: Cells, target: Cells) -> Cells:
    actual, target, res = _checked(actual, target)
    return res.replace(actual.values - target.values)


def status(actual: Cells, target: Cells, yellow_from: float = 0.8,
           lower_is_better: bool = False) -> Cells:
    att = attainment(actual, target, lower_is_better)
    v = att.values
    words = np.where(v >= 1 - _EPS, GREEN, np.where(v >= yellow_from - _EPS, YELLOW, RED)).astype(object)
    return att.replace(words)


def share(part: Cells, whole: Cells) -> Cells:
    part, whole = broadcast(part, whole)
    res = Cells(np.full(part.shape, np.nan), first_errors(part, whole))
    res = res.fail(np.isnan(whole.values), err(
        DIV0, "Helheden mangler (tom celle), så der kan ikke divideres med den.",
        "The whole is missing (empty cell), so it cannot be divided by."))
    res = res.fail(whole.values == 0, err(DIV0, "Helheden er 0; der kan ikke divideres med 0.",
                                          "The whole is 0; cannot divide by 0."))
    res = res.fail(np.isnan(part.values), err(NA, "Delen mangler (tom celle).", "The part is missing (empty cell)."))
    with np.errstate(divide="ignore", invalid="ignore"):
        return res.replace(part.values / whole.values)


def required(base: Cells, per: Cells) -> Cells:
    """How many are needed at one per ``per`` (e.g. key persons at one per 15 users), rounded up."""
    base, per = broadcast(base, per)
    res = Cells(np.full(base.shape, np.nan), first_errors(base, per))
    res = res.fail(np.isnan(per.values) | (per.values == 0), err(
        DIV0, "'Pr.' mangler eller er 0 (fx 15 for 1 pr. 15 brugere).",
        "'Per' is missing or 0 (e.g. 15 for one per 15 users)."))
    res = res.fail(per.values < 0, err(NUM, "'Pr.' skal være positiv.", "'Per' must be positive."))
    res = res.fail(np.isnan(base.values), err(NA, "Grundtallet mangler (tom celle).", "The base is missing (empty cell)."))
    res = res.fail(base.values < 0, err(NUM, "Grundtallet kan ikke være negativt.", "The base cannot be negative."))
    with np.errstate(divide="ignore", invalid="ignore"):
        # Round away the binary noise first: 33000/15 must be exactly 2200, not 2201.
        return res.replace(np.ceil(np.round(base.values / per.values, 9)))
