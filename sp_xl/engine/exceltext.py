"""Excel's text functions where the ``formulas`` package differs: coercions of numbers and
numeric text (SUBSTITUTE, REPLACE, FIND, SEARCH, VALUE, TIMEVALUE), TEXT and DOLLAR through
Excel's format codes (engine.numfmt), CONCAT/TEXTJOIN writing numbers as Excel does, and the
parts of complex numbers. Signatures as in engine.excelfns.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.excelstats import DELEGATE, _cells, _refuse
from sp_xl.engine.values import EMPTY, E_NUM, E_VALUE, to_number, to_text, wildcard_regex


# ---- text -------------------------------------------------------------------------------

def _texts(*vals):
    out = []
    for v in vals:
        if isinstance(v, np.ndarray):
            return None
        t = to_text(v)
        if isinstance(t, XlError):
            return t
        out.append(t)
    return out


def _substitute(book, r, c, text, old, new, instance=None):
    ts = _texts(text, old, new)
    if ts is None or isinstance(instance, np.ndarray):
        return DELEGATE
    if isinstance(ts, XlError):
        return ts
    t, o, w = ts
    if instance is not None:
        n = to_number(instance)
        if isinstance(n, XlError):
            return n
        if n < 1:
            return E_VALUE
        if not o:
            return t
        n = int(n)
        pos = -1
        for _ in range(n):
            pos = t.find(o, pos + 1 if pos < 0 else pos + len(o))
            if pos < 0:
                return t
        return t[:pos] + w + t[pos + len(o):]
    return t.replace(o, w) if o else t


def _replace(book, r, c, text, start, count, new):
    for v in (text, start, count, new):     # the first error in argument order
        if isinstance(v, XlError):
            return v
    ts = _texts(text, new)
    if ts is None or isinstance(start, np.ndarray) or isinstance(count, np.ndarray):
        return DELEGATE
    if isinstance(ts, XlError):
        return ts
    s, k = to_number(start), to_number(count)
    for x in (s, k):
        if isinstance(x, XlError):
            return x
    if s < 1 or k < 0:
        return E_VALUE
    s, k = int(s), int(k)
    t, w = ts
    return t[:s - 1] + w + t[s - 1 + k:]


def _finder(case_sensitive: bool):
    def fn(book, r, c, find, within, start=1.0):
        ts = _texts(find, within)
        if ts is None or isinstance(start, np.ndarray):
            return DELEGATE
        if isinstance(ts, XlError):
            return ts
        f, w = ts
        s = to_number(start)
        if isinstance(s, XlError):
            return s
        if s < 1 or s > len(w) + 1:
            return E_VALUE
        if not f and int(s) == len(w) + 1:
            # an empty find_text with the start just past the end (FIND("";"") included): the
            # documentation says #VALUE! for a start beyond the text, and a match at start_num
            # for an empty find_text
            _refuse("SEARCH" if not case_sensitive else "FIND", "en start lige efter teksten",
                    "a start just past the end of the text")
        s = int(s)
        if case_sensitive:
            pos = w.find(f, s - 1)
            return float(pos + 1) if pos >= 0 else E_VALUE
        rx = wildcard_regex(f, re.IGNORECASE)   # the leftmost start is the same greedy or not
        m = rx.search(w, s - 1)
        return float(m.start() + 1) if m else E_VALUE
    return fn


def _timevalue(book, r, c, v):
    if isinstance(v, np.ndarray):
        return DELEGATE
    if isinstance(v, XlError):
        return v
    if not isinstance(v, str) or v is EMPTY:
        return E_VALUE
    from sp_xl.engine.textnum import _time
    try:
        n = _time(v.strip())
    except Exception:  # noqa: BLE001 - _Refuse: an hour past 23 and the like
        n = None
    if n is not None and n >= 1:
        n = None
    if n is None:
        from sp_xl.engine.textnum import _NUMBER
        if any(ch.isdigit() for ch in v) and not _NUMBER.match(v.strip()):   # '1.25' is no time: #VALUE!
            _refuse("TIMEVALUE", f"teksten '{v}'", f"the text '{v}'")
        return E_VALUE
    return n


def _value_fn(book, r, c, v):
    if isinstance(v, np.ndarray):
        return DELEGATE
    if isinstance(v, XlError) or type(v) is float:
        return v
    if v is EMPTY:
        return 0.0
    if type(v) is bool:
        return E_VALUE
    return to_number(v)




def text_with(value, fmt, formatter):
    """TEXT(value; format) with ``formatter(value, format text)`` (engine.numfmt's English or
    engine.numfmt_da's Danish codes): Excel's coercions around the format codes."""
    from sp_xl.engine.numfmt import ValueErrorText
    if isinstance(value, np.ndarray) or isinstance(fmt, np.ndarray):
        _refuse("TEXT", "en matrix som argument", "an array argument")
    if isinstance(value, XlError):
        return value
    f = to_text(fmt)
    if isinstance(f, XlError):
        return f
    if value is EMPTY:
        value = 0.0
    elif isinstance(value, str):
        n = to_number(value)     # numeric text (Danish mode: "1,5") is formatted as the number
        if type(n) is float:
            value = n
    try:
        return formatter(value, f)
    except ValueErrorText:
        return E_VALUE


def _text(book, r, c, value, fmt):
    """TEXT(value; format) with Excel's format codes (engine.numfmt)."""
    from sp_xl.engine.numfmt import format_value
    return text_with(value, fmt, lambda v, f: format_value(v, f, bool(book.date1904)))




def number_and_places(name: str, value, decimals):
    """DOLLAR's and FIXED's (number, decimal places): a negative count rounds the number to
    tens, hundreds ... (half away from zero) and shows no decimals; an error to return."""
    if isinstance(value, np.ndarray) or isinstance(decimals, np.ndarray):
        _refuse(name, "en matrix som argument", "an array argument")
    x, d = to_number(value), to_number(decimals)
    for v in (x, d):
        if isinstance(v, XlError):
            return v
    d = int(d)
    if d > 127:
        return E_VALUE
    if d < 0:
        x = float(Decimal(repr(x)).scaleb(d).quantize(Decimal(1), rounding=ROUND_HALF_UP).scaleb(-d))
        d = 0
    return x, d


def _dollar(book, r, c, value, decimals=2.0):
    """DOLLAR(number; decimals) in English Excel: $#,##0.00 with the negative in parentheses."""
    from sp_xl.engine.numfmt import format_value
    got = number_and_places("DOLLAR", value, decimals)
    if not isinstance(got, tuple):
        return got
    x, d = got
    body = "$#,##0" + ("." + "0" * d if d else "")
    return format_value(x, f"{body};({body})", bool(book.date1904))



def _fixed(book, r, c, value, decimals=2.0, no_commas=False):
    """FIXED(number; decimals; no_commas) in English Excel: 1,234.50, rounded as ROUND rounds
    (FIXED(2.675) is 2.68; formulas rounded the binary value to 2.67)."""
    from sp_xl.engine.numfmt import format_value
    got = number_and_places("FIXED", value, decimals)
    if not isinstance(got, tuple):
        return got
    if isinstance(no_commas, np.ndarray):
        return E_VALUE
    plain = False if no_commas is EMPTY else to_number(no_commas)
    if isinstance(plain, XlError):
        return plain
    x, d = got
    return format_value(x, ("0" if plain else "#,##0") + ("." + "0" * d if d else ""), bool(book.date1904))


# ---- CONCAT, TEXTJOIN: numbers as Excel writes them (formulas uses Python's repr) ----------

def _flat(book, v) -> list:
    cells = _cells(book, v)
    return [v] if cells is None else cells


def _join_texts(book, args) -> list | XlError:
    out = []
    for a in args:
        for v in _flat(book, a):
            t = to_text(v)
            if isinstance(t, XlError):
                return t
            out.append((t, v is EMPTY))
    return out


def _concat(book, r, c, *args):
    parts = _join_texts(book, args)
    if isinstance(parts, XlError):
        return parts
    text = "".join(t for t, _ in parts)
    return E_VALUE if len(text) > 32767 else text


def _textjoin(book, r, c, delimiter, ignore_empty, *args):
    if isinstance(delimiter, np.ndarray) or isinstance(ignore_empty, np.ndarray):
        _refuse("TEXTJOIN", "en matrix som skilletegn", "an array as delimiter")
    d = to_text(delimiter)
    if isinstance(d, XlError):
        return d
    skip = ignore_empty if type(ignore_empty) is bool else to_number(ignore_empty)
    if isinstance(skip, XlError):
        return skip
    parts = _join_texts(book, args)
    if isinstance(parts, XlError):
        return parts
    if skip and any(t == "" and not blank for t, blank in parts):
        _refuse("TEXTJOIN", "tom tekst fra en formel", "empty text from a formula")
    text = d.join(t for t, blank in parts if not (skip and blank))
    return E_VALUE if len(text) > 32767 else text




# ---- complex numbers: only the parts, as numbers ------------------------------------------

_COMPLEX = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)?(?:([+-]?(?:\d+\.?\d*|\.\d+)?(?:[eE][+-]?\d+)?)([ij]))?$")


def _complex_part(which: str):
    """IMREAL, IMAGINARY, IMABS of 'a+bi' text (or a number); the other IM functions give
    text that Excel writes with its own rounding: refused (engine.semantics.REFUSED)."""
    def fn(book, r, c, v):
        if isinstance(v, np.ndarray):
            _refuse(which, "en matrix som argument", "an array argument")
        if isinstance(v, XlError):
            return v
        if type(v) is float:
            re_, im = v, 0.0
        elif type(v) is bool or v is EMPTY:
            return E_VALUE
        else:
            m = _COMPLEX.match(v.strip())
            if not m or not (m.group(1) or m.group(3)) or not v.strip():
                return E_NUM
            re_ = float(m.group(1)) if m.group(1) else 0.0
            if m.group(3) and m.group(1) and not m.group(2):
                re_, im = 0.0, float(m.group(1))   # '4i', '-2.5j': the one number is the imaginary part
            elif m.group(3):
                coef = m.group(2)
                im = 1.0 if coef in ("", "+") else -1.0 if coef == "-" else float(coef)
                if m.group(1) and coef and coef[0] not in "+-":
                    return E_NUM        # '3 4i' is no number
            else:
                im = 0.0
        if which == "IMREAL":
            return re_
        if which == "IMAGINARY":
            return im
        return math.hypot(re_, im)
    return fn


def _base(book, r, c, number, radix, min_length=None):
    """BASE(number; radix; [min_length]): digits 0-9A-Z, padded with zeros."""
    vals = [number, radix, 0.0 if min_length is None or min_length is EMPTY else min_length]
    if any(isinstance(v, np.ndarray) for v in vals):
        _refuse("BASE", "en matrix som argument", "an array argument")
    nums = [to_number(v) for v in vals]
    for v in nums:
        if isinstance(v, XlError):
            return v
    n, b, k = (int(v) for v in nums)
    if not 0 <= nums[0] < 2 ** 53 or not 2 <= b <= 36 or not 0 <= k <= 255:
        return E_NUM
    digits = ""
    while n:
        n, d = divmod(n, b)
        digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[d] + digits
    return (digits or "0").rjust(k, "0")


def _hyperlink(book, r, c, link, friendly=None):
    """HYPERLINK's value: the friendly name, or without one the link itself (the jump is
    Excel's business)."""
    shown = link if friendly is None else friendly
    if isinstance(shown, np.ndarray) or isinstance(link, np.ndarray):
        _refuse("HYPERLINK", "en matrix som argument", "an array argument")
    if shown is EMPTY:
        _refuse("HYPERLINK", "et tomt visningsnavn", "an empty friendly name")
    return shown


TEXT_FUNCTIONS: dict[str, Callable] = {
    "HYPERLINK": _hyperlink,
    "BASE": _base,
    "SUBSTITUTE": _substitute, "REPLACE": _replace, "FIND": _finder(True), "SEARCH": _finder(False),
    "TIMEVALUE": _timevalue, "VALUE": _value_fn, "TEXT": _text, "DOLLAR": _dollar, "FIXED": _fixed, "CONCAT": _concat,
    "TEXTJOIN": _textjoin, **{name: _complex_part(name) for name in ("IMREAL", "IMAGINARY", "IMABS")},
}
