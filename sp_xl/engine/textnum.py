"""Text read as a number, as English (en-US) Excel does in arithmetic, VALUE and TEXT.

Numbers with thousands separators, a dollar sign, parentheses for negatives, exponents;
times ('13:45', '1:45 PM', '23:9999' = 23 hours and 9999 minutes, '59:12.5' = minutes and
seconds); dates with a four-digit year ('2018-05-19', '5/19/2018', optionally with a time) as
serials of the workbook's date system. Text that looks like a date or time but is outside
these forms (a two-digit or missing year, month names, hours past 23 ...) is refused: how
Excel reads it depends on the locale or on today's date. Anything else is not a number.
Limits checked against the values Excel cached (tests/engine/test_excel_corpus.py).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import re

_DATE1904: contextvars.ContextVar[bool] = contextvars.ContextVar("sp_xl_engine_date1904", default=False)

_NUMBER = re.compile(r"^(?P<neg>[-+])?(?P<cur>\$)?(?P<int>\d{1,3}(?:,\d{3})+|\d*)(?P<frac>\.\d*)?"
                     r"(?P<exp>[eE][-+]?\d+)?$")
_TIME = re.compile(r"^(\d+):(\d+)(?::(\d+))?(\.\d*)?\s*([AP]M?)?$", re.IGNORECASE)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(.+))?$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(.+))?$")
_MONTH_WORD = re.compile(r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
                         r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?", re.IGNORECASE)
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}(?:[-/.]\d{1,4})?(?:\s+\d{1,2}(?::\d.*|\s*[AP]M?))?$|^\d{1,2}:\d"
                        r"|^\d{1,2}\s*[AP]M?$", re.IGNORECASE)


@contextlib.contextmanager
def use_date_system(date1904: bool):
    token = _DATE1904.set(bool(date1904))
    try:
        yield
    finally:
        _DATE1904.reset(token)


def date_system_1904() -> bool:
    """Whether the workbook being computed counts dates from 1904 (use_date_system)."""
    return _DATE1904.get()


def date_serial(y: int, mo: int, d: int) -> int | None:
    """The workbook's serial number of a date; None for no such date, or one the engine does
    not count as Excel does (before 1 March 1900, where Excel has its 29 February 1900)."""
    try:
        day = dt.date(y, mo, d)
    except ValueError:
        return None
    if _DATE1904.get():
        serial = (day - dt.date(1904, 1, 1)).days
    else:
        if day < dt.date(1900, 3, 1):
            return None
        serial = (day - dt.date(1899, 12, 30)).days
    return None if serial < 0 else serial


class _Refuse(Exception):
    pass


def _refuse(text: str):
    from sp_xl.engine.parse import Unsupported
    raise Unsupported(f"Teksten '{text}' ligner en dato eller et klokkeslæt; hvordan Excel læser den som tal, "
                      "efterligner formelmotoren ikke.",
                      f"The text '{text}' looks like a date or time; the engine does not reproduce how Excel "
                      "reads it as a number.")


def english_text_to_number(text: str) -> float | None:
    """The number Excel reads from ``text`` (already stripped), or None: not a number."""
    neg = text.startswith("(") and text.endswith(")")
    body = text[1:-1].strip() if neg else text
    m = _NUMBER.match(body)
    if m and any(ch.isdigit() for ch in (m.group("int") or "") + (m.group("frac") or "")):
        x = float((m.group("int") or "0").replace(",", "") + (m.group("frac") or "") + (m.group("exp") or ""))
        if m.group("neg") == "-":
            x = -x
        return -x if neg else x
    if neg:
        return None
    try:
        t = _time(text)
        if t is not None:
            return t
        if _TIME.match(text):   # shaped like a time but out of Excel's ranges ('24:99', '23:10000'):
            return None         # text to Excel (084_pycel__text.xlsx)
        d = _date(text)
        if d is not None:
            return d
    except _Refuse:
        _refuse(text)
    if _DATE_LIKE.match(text) or (any(ch.isdigit() for ch in text) and _MONTH_WORD.search(text)):
        _refuse(text)
    return None


def _time(text: str) -> float | None:
    """A time of day (or duration) as a fraction of a day; None: not a time."""
    m = _TIME.match(text)
    if not m:
        return None
    a, b, c, frac, ampm = m.group(1), m.group(2), m.group(3), m.group(4) or "", m.group(5)
    if frac == ".":           # '23:59.' is 23:59
        frac = ""
    if frac and c is None:                 # m:s.f
        h, mi, sec = 0, int(a), float(b + frac)
        if mi > 59 or sec >= 10000:
            return None
    else:
        h, mi = int(a), int(b)
        sec = float(c + frac) if c is not None else 0.0
        if (c is not None and mi > 59) or mi >= 10000 or sec >= 10000:
            return None
        if h > 23:
            if c is None and mi > 59:
                return None
            raise _Refuse
    if ampm:
        if not 1 <= h <= 12 or mi > 59 or sec >= 60:
            raise _Refuse
        h = h % 12 + (12 if ampm.upper().startswith("P") else 0)
    return (h * 3600 + mi * 60 + sec) / 86400.0


def _date(text: str) -> float | None:
    m = _ISO.match(text)
    if m:
        y, mo, d, rest = int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)
    else:
        m = _US.match(text)
        if not m:
            return None
        mo, d, y, rest = int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)
    serial = date_serial(y, mo, d)
    if serial is None:
        raise _Refuse
    if rest is None:
        return float(serial)
    t = _time(rest.strip())
    if t is None or t >= 1:
        raise _Refuse
    return serial + t
