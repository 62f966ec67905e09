"""FACT, COMBIN, PERMUT, CEILING.MATH/FLOOR.MATH (and .PRECISE), DELTA, REPT, MOD,
DOLLARFR/DOLLARDE and TIME's refused corner, as Excel documents them; each differed from
Excel in the ``formulas`` package (found by benchmarks/fuzz_vs_libreoffice.py).

FACT, COMBIN and PERMUT, without the ``formulas`` package's exact
integer arithmetic: FACT(1E+15) or COMBIN(1E+15;5E+14) would run for hours there, where Excel
answers #NUM! at once because the result is above the largest double (about 1.8E+308).

Excel truncates the arguments to integers; a negative argument, k > n, or a result that
overflows gives #NUM! (support.microsoft.com: FACT, COMBIN, PERMUT functions)."""

from __future__ import annotations

import math

from formulas.tokens.operand import XlError

from sp_xl.engine.excelstats import DELEGATE
from sp_xl.engine.parse import Unsupported
from sp_xl.engine.values import EMPTY, E_DIV0, E_NUM, E_VALUE, to_number, to_text

_LOG_MAX = math.log(1.7976931348623157e308)


def whole_number(v) -> object:
    """A whole-number argument of an Analysis ToolPak-style function: truncated; a logical
    is #VALUE!; an error comes back as it is."""
    if type(v) is bool:
        return E_VALUE
    x = to_number(v)
    if isinstance(x, XlError) or math.isnan(x) or math.isinf(x):
        return x if isinstance(x, XlError) else E_NUM
    return math.trunc(x)


def _numbers(*vals):
    out = []
    for v in vals:
        x = to_number(v)
        if isinstance(x, XlError):
            return x
        if math.isnan(x) or math.isinf(x):
            return E_NUM
        out.append(math.trunc(x))
    return out


def _fact(x):
    v = to_number(x)
    if type(v) is float and -1.0 < v < 0.0:
        raise Unsupported("FACT af et negativt tal over -1: om Excel afkorter før fortegnet prøves, er ikke dokumenteret.",
                          "FACT of a negative number above -1: whether Excel truncates before checking the sign "
                          "is not documented.")
    got = _numbers(x)
    if isinstance(got, XlError):
        return got
    n = got[0]
    if n < 0 or n > 170:   # 171! overflows a double
        return E_NUM
    return float(math.factorial(n))


def _too_big(log_value: float) -> bool:
    return log_value > _LOG_MAX + 1e-9


def _combin(n, k):
    got = _numbers(n, k)
    if isinstance(got, XlError):
        return got
    n, k = got
    if n < 0 or k < 0 or k > n:
        return E_NUM
    k = min(k, n - k)
    if _too_big(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)):
        return E_NUM
    return float(math.comb(n, k))


def _permut(n, k):
    got = _numbers(n, k)
    if isinstance(got, XlError):
        return got
    n, k = got
    if n == 0 and k == 0:   # the documentation says #NUM! (number <= 0); not confirmed in Excel
        raise Unsupported("PERMUT(0;0) er ikke entydigt dokumenteret for Excel; det understøttes ikke.",
                          "PERMUT(0;0) is not clearly documented for Excel; not supported.")
    if n <= 0 or k < 0 or k > n:
        return E_NUM
    if _too_big(math.lgamma(n + 1) - math.lgamma(n - k + 1)):
        return E_NUM
    return float(math.perm(n, k))


def _quotient15(x: float, sig: float) -> float:
    """x / sig as Excel rounds before taking the multiple: 15 significant digits, so that
    CEILING.MATH(0.3; 0.1) is 0.3 and not 0.4 (0.3 / 0.1 is 2.9999999999999996)."""
    return float(format(x / sig, ".15g"))


def _multiple(up_for_positive: bool, has_mode: bool):
    """CEILING.MATH / FLOOR.MATH (number; [significance]; [mode]) and the .PRECISE forms
    (no mode). The sign of significance is ignored; a negative number goes toward zero
    (CEILING) or away from it (FLOOR), the other way round when mode is non-zero."""
    def fn(number, sig=None, mode=None):
        got = _numbers(number)
        if isinstance(got, XlError):
            return got
        x = to_number(number)
        s = 1.0 if sig is None else to_number(sig)
        m = 0.0 if mode is None else to_number(mode)
        for v in (s, m):
            if isinstance(v, XlError):
                return v
        if s == 0.0 or x == 0.0:
            return 0.0
        s = abs(s)
        q = _quotient15(x, s)
        up = up_for_positive
        if x < 0 and has_mode and m != 0.0:
            up = not up
        return float((math.ceil(q) if up else math.floor(q)) * s)
    return fn


def _delta(a, b=None):
    """DELTA(number1; [number2]): 1 when the two are equal (exactly, not nearly), else 0; a
    logical value is #VALUE! as in the other Analysis ToolPak functions."""
    if type(a) is bool or type(b) is bool:
        return E_VALUE
    x, y = to_number(a), 0.0 if b is None else to_number(b)
    for v in (x, y):
        if isinstance(v, XlError):
            return v
    if x != y and format(x, ".15g") == format(y, ".15g"):
        raise Unsupported("DELTA sammenligner to tal, der kun afviger efter 15 cifre; Excels svar er usikkert.",
                          "DELTA compares two numbers that differ only beyond 15 digits; Excel's answer is uncertain.")
    return 1.0 if x == y else 0.0


def _rept(text, times):
    """REPT(text; number_times): #VALUE! for a negative count or a result above 32,767
    characters (support.microsoft.com: REPT function); the count is truncated."""
    t = to_text(text)
    if isinstance(t, XlError):
        return t
    n = to_number(times)
    if isinstance(n, XlError):
        return n
    if n < 0 or len(t) * math.trunc(n) > 32767:
        return E_VALUE
    return t * math.trunc(n)


def _mod(n, d):
    """MOD(number; divisor) = number - divisor*INT(number/divisor) (support.microsoft.com:
    MOD function), so MOD(1; 0.1) is 0 as the formula gives, not the exact binary remainder.
    Refused where the quotient is huge (Excel's limit there is not documented) or a hair off
    a whole number (Excel's own rounding would decide between 0 and the divisor)."""
    x, y = to_number(n), to_number(d)
    for v in (x, y):
        if isinstance(v, XlError):
            return v
    if y == 0.0:
        return E_DIV0
    q = x / y
    if abs(q) >= 2.0 ** 27 or (q != round(q) and abs(q - round(q)) < 1e-9 * max(1.0, abs(q))):
        raise Unsupported("MOD med en kvotient, der er meget stor eller næsten et helt tal; Excels afrunding "
                          "efterlignes ikke.", "MOD with a quotient that is huge or almost whole; Excel's rounding "
                          "is not reproduced.")
    return x - y * math.floor(q)


def _dollar_fraction(to_fraction: bool):
    """DOLLARFR / DOLLARDE(number; fraction): the fraction truncated, #NUM! below 0, #DIV/0!
    below 1; the whole part kept and the sign applied to the whole value, so a negative price
    converts like its positive (DOLLARFR(-979.2; 2) is -979.04; formulas gave -978.84)."""
    def fn(number, fraction):
        if type(number) is bool or type(fraction) is bool:
            return E_VALUE
        x, f = to_number(number), to_number(fraction)
        for v in (x, f):
            if isinstance(v, XlError):
                return v
        f = math.trunc(f)
        if f < 0:
            return E_NUM
        if f == 0:
            return E_DIV0
        scale = 10.0 ** math.ceil(math.log10(f))
        whole = math.trunc(abs(x))
        part = abs(x) - whole
        res = whole + (part * f / scale if to_fraction else part * scale / f)
        return math.copysign(res, x) if res else 0.0
    return fn


def _time(h, m, s):
    """TIME: whole hours, minutes and seconds (support.microsoft.com: TIME function). Whether
    Excel cuts a negative fraction towards zero or down is not documented: refused; the
    rest is the ``formulas`` implementation."""
    for v in (h, m, s):
        x = to_number(v)
        if type(x) is float and x < 0 and x != math.trunc(x):
            raise Unsupported("TIME med et negativt tal med decimaler; Excels afrunding er ikke dokumenteret.",
                              "TIME with a negative number with decimals; Excel's rounding is not documented.")
    return DELEGATE


def _gcd_lcm_scalars(*vals):
    """GCD / LCM: a blank or a text typed in is refused (Excel documents #VALUE! for
    "nonnumeric" arguments without saying whether "3" or an empty cell is one); errors
    come back in argument order; the rest is the ``formulas`` implementation."""
    for v in vals:
        if isinstance(v, XlError):
            return v
        if v is EMPTY or (isinstance(v, str) and not isinstance(v, XlError)):
            raise Unsupported("GCD/LCM med en tom celle eller tekst som argument understøttes ikke.",
                              "GCD/LCM with an empty cell or text as an argument is not supported.")
    return DELEGATE


_UNDEFINED_1252 = frozenset({129, 141, 143, 144, 157})


def _char(number):
    """CHAR(number): the character of Windows' code page 1252, which Excel for Windows uses
    in Danish and English installations: CHAR(248) is 'ø' (the ``formulas`` package has the
    Macintosh table: '¯'). The five codes 1252 leaves undefined are refused."""
    n = whole_number(number)
    if isinstance(n, XlError):
        return n
    if not 1 <= n <= 255:
        return E_VALUE
    if n in _UNDEFINED_1252:
        raise Unsupported(f"CHAR({n}) er ikke defineret i tegnsæt 1252; Excels svar efterlignes ikke.",
                          f"CHAR({n}) is undefined in code page 1252; Excel's answer is not reproduced.")
    return bytes([n]).decode("cp1252")


def _code(text):
    """CODE(text): the code page 1252 number of the first character ('ø' is 248); a character
    outside that code page is refused."""
    t = to_text(text)
    if isinstance(t, XlError):
        return t
    if not t:
        return E_VALUE
    try:
        return float(t[0].encode("cp1252")[0])
    except UnicodeEncodeError:
        raise Unsupported(f"CODE af tegnet {t[0]!r}, som ikke findes i tegnsæt 1252, understøttes ikke.",
                          f"CODE of the character {t[0]!r}, which is not in code page 1252, is not supported.") from None


STRICT = {
    "CHAR": (_char, 1, 1), "CODE": (_code, 1, 1),
    "GCD": (_gcd_lcm_scalars, 1, 255), "LCM": (_gcd_lcm_scalars, 1, 255),
    "TIME": (_time, 3, 3),
    "DOLLARFR": (_dollar_fraction(True), 2, 2),
    "DOLLARDE": (_dollar_fraction(False), 2, 2),
    "MOD": (_mod, 2, 2),
    "CEILING.MATH": (_multiple(True, True), 1, 3),
    "FLOOR.MATH": (_multiple(False, True), 1, 3),
    "CEILING.PRECISE": (_multiple(True, False), 1, 2),
    "FLOOR.PRECISE": (_multiple(False, False), 1, 2),
    "ISO.CEILING": (_multiple(True, False), 1, 2),
    "DELTA": (_delta, 1, 2),
    "REPT": (_rept, 2, 2),
    "FACT": (_fact, 1, 1),
    "COMBIN": (_combin, 2, 2),
    "PERMUT": (_permut, 2, 2),
}
