"""DEC2BIN/DEC2OCT/DEC2HEX and the conversions between binary, octal and hexadecimal
(BIN2HEX, HEX2BIN, ...), as Excel documents them (support.microsoft.com: DEC2HEX function
and its siblings): 10 digits at most, a negative number in two's complement over those 10
digits, and for a negative number the places argument ignored (the ``formulas`` package
answers #NUM! there). Also TYPE, whose ``formulas`` form calls an empty cell text."""

from __future__ import annotations


from formulas.tokens.operand import XlError

from sp_xl.engine.scalarmath import whole_number
from sp_xl.engine.values import EMPTY, E_NUM, E_VALUE, to_text

_BASES = {"BIN": 2, "OCT": 8, "HEX": 16}
_DIGITS = "0123456789ABCDEF"


def _encode(n: int, base: int, places) -> object:
    half = base ** 10 // 2
    if not -half <= n < half:
        return E_NUM
    if n < 0:
        n += base ** 10
        places = None                      # ignored for a negative number
    digits = ""
    while n:
        n, d = divmod(n, base)
        digits = _DIGITS[d] + digits
    digits = digits or "0"
    if places is not None:
        p = whole_number(places)
        if isinstance(p, XlError):
            return p
        if p < 0 or p > 10 or p < len(digits):
            return E_NUM
        digits = digits.rjust(p, "0")
    return digits


def _decode(v, base: int) -> object:
    if type(v) is bool:
        return E_VALUE
    t = to_text(v)
    if isinstance(t, XlError):
        return t
    t = t.strip().upper() if v is not EMPTY else "0"
    if not t:
        return 0                            # an empty text is 0, as for BIN2DEC("")
    if len(t) > 10 or any(ch not in _DIGITS[:base] for ch in t):
        return E_NUM
    n = int(t, base)
    return n - base ** 10 if len(t) == 10 and n >= base ** 10 // 2 else n


def _from_decimal(base: int):
    def fn(number, places=None):
        x = whole_number(number)
        return x if isinstance(x, XlError) else _encode(x, base, places)
    return fn


def _between(src: int, dst: int):
    def fn(number, places=None):
        n = _decode(number, src)
        return n if isinstance(n, XlError) else _encode(n, dst, places)
    return fn


def _type(v):
    if isinstance(v, XlError):
        return 16.0
    if type(v) is bool:
        return 4.0
    if v is EMPTY or type(v) is float:
        return 1.0
    if isinstance(v, str):
        return 2.0
    return 1.0


STRICT = {
    **{f"DEC2{k}": (_from_decimal(b), 1, 2) for k, b in _BASES.items()},
    **{f"{a}2{b}": (_between(sa, sb), 1, 2) for a, sa in _BASES.items() for b, sb in _BASES.items() if a != b},
    "TYPE": (_type, 1, 1),
}
