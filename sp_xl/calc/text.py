"""Report text in the report's own style: "ca."-rounding and Danish sentences."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy as np

from sp_xl import i18n


def round_ca_array(x: np.ndarray, significant: int = 1) -> np.ndarray:
    """Round to ``significant`` significant digits, halves away from zero: 48529 -> 50000, 0.384 -> 0.4.

    Works on decimal digits as Excel shows them: the scaled value is first rounded to 9
    decimals so that 0.045 (stored as 0.04499999…) still rounds up to 0.05.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        mag = np.abs(x)
        exponent = np.floor(np.log10(np.where(mag > 0, mag, 1.0))) - significant + 1
        # Divide by a power of ten for negative exponents: 3 / 10 is exactly 0.3, 3 * 0.1 is not.
        up, down = 10.0 ** np.maximum(exponent, 0), 10.0 ** np.maximum(-exponent, 0)
        digits = np.floor(np.round(mag / up * down, 9) + 0.5)
        out = np.sign(x) * digits * up / down
    return np.where(np.isfinite(out) & (mag > 0), out, x)


def round_ca(x: float, significant: int = 1) -> float:
    """One number rounded as ``round_ca_array``."""
    return float(round_ca_array(np.array([x]), significant)[0])


def round_half_up(x: float, decimals: int = 0) -> float:
    """Round as Excel's ROUND does (halves away from zero), not as Python's banker's round."""
    with localcontext(prec=400):
        return float(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def number_da(x: float, decimals: int = 0) -> str:
    """A number as Danish readers write it: 50.000 and 11,4 (English: 50,000 and 11.4)."""
    with localcontext(prec=400):
        q = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        text = f"{q:,.{decimals}f}"
    if i18n.language() == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _plain(x: float) -> str:
    """A rounded number without needless decimals: 50000 -> 50.000, 0.5 -> 0,5."""
    if float(x).is_integer():
        return number_da(x)
    decimals = max(0, -Decimal(repr(float(x))).normalize().as_tuple().exponent)
    return number_da(x, min(decimals, 6))


def _pct(share: float, significant: int | None) -> str:
    """A share as the report's percentage: ca.-rounded, or whole per cent when significant is None."""
    pct = share * 100
    return _plain(round_ca(pct, significant) if significant else round_half_up(pct))


def _in(what: str | None, da: bool) -> str:
    if not what:
        return ""
    return f" i {what}" if da else f" in {what}"


def growth_sentence(first: float, last: float, what: str | None = None) -> str:
    """'en samlet stigning i oprettede brugere på ca. 50.000, hvilket svarer til en vækst på ca. 40 pct.'"""
    change = last - first
    rel = last / first - 1
    da = i18n.language() != "en"
    if change == 0:
        return (f"ingen samlet ændring{_in(what, da)} (uændret på {_plain(last)})" if da
                else f"no overall change{_in(what, da)} (unchanged at {_plain(last)})")
    amount = _plain(round_ca(abs(change)))
    pct = _pct(abs(rel), 1)
    if da:
        if change > 0:
            return f"en samlet stigning{_in(what, da)} på ca. {amount}, hvilket svarer til en vækst på ca. {pct} pct."
        return f"et samlet fald{_in(what, da)} på ca. {amount}, hvilket svarer til et fald på ca. {pct} pct."
    word = "increase" if change > 0 else "decrease"
    growth = "growth" if change > 0 else "a decline"
    return f"an overall {word}{_in(what, da)} of about {amount}, corresponding to {growth} of about {pct} per cent"


def _amount(x: float, as_share: bool) -> str:
    if as_share:
        pct = _plain(round_half_up(x * 100, 1))
        return f"{pct} pct." if i18n.language() != "en" else f"{pct} per cent"
    return _plain(x)


def attainment_sentence(actual: float, target: float, what: str | None = None) -> str:
    """'1.807 SP-nøglepersoner af målet på 2.200 svarer til en målopfyldelse på ca. 82 pct.'"""
    # Shares (11 % against 25 %) read as percentages; counts (1807 of 2200) as numbers.
    as_share = abs(actual) <= 1 and abs(target) <= 1 and not (float(actual).is_integer() and float(target).is_integer())
    pct = _pct(actual / target, None)
    a, t = _amount(actual, as_share), _amount(target, as_share)
    if i18n.language() != "en":
        subject = f"{a} {what}" if what and not as_share else (f"{what}: {a}" if what else a)
        joint = "mod målet på" if as_share else "af målet på"
        return f"{subject} {joint} {t} svarer til en målopfyldelse på ca. {pct} pct."
    subject = f"{a} {what}" if what and not as_share else (f"{what}: {a}" if what else a)
    joint = "against the target of" if as_share else "of the target of"
    return f"{subject} {joint} {t} is a goal attainment of about {pct} per cent."
