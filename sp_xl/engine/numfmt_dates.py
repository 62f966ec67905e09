"""Dates and times for engine.numfmt: d m y h s, AM/PM and A/P, elapsed [h] [m] [s], fractions
of a second, in the 1900 and 1904 date systems (English names)."""

from __future__ import annotations

import contextvars
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from sp_xl.engine.dateparts import excel_ymd
from sp_xl.engine.parse import Unsupported

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# the month and day names of the language TEXT writes in (engine.numfmt_da sets Danish ones)
NAMES: contextvars.ContextVar[tuple[list[str], list[str]]] = contextvars.ContextVar(
    "sp_xl_numfmt_names", default=(_MONTHS, _DAYS))


class ValueErrorText(Exception):
    """Excel 365's TEXT gives #VALUE! here (a negative date, a date after the year 9999)."""


def _refuse(fmt: str, why_da: str, why_en: str):
    raise Unsupported(f"TEXT med formatet \"{fmt}\": {why_da}; det efterligner formelmotoren ikke.",
                      f"TEXT with the format \"{fmt}\": {why_en}; the engine does not reproduce that.")


# ---- dates and times ------------------------------------------------------------------------

class _Day(NamedTuple):
    year: int
    month: int
    day: int
    weekday: int        # Monday = 0


def _calendar_day(serial: int, date1904: bool) -> _Day:
    """The date Excel shows for a day number. Its 1900 system keeps Lotus's calendar before
    March 1900: day 0 is 0 January 1900 and day 60 the 29 February 1900 that never was, and
    the weekdays there follow Excel's count (day 1 a Sunday), not the real calendar."""
    if date1904:
        d = dt.date(1904, 1, 1) + dt.timedelta(days=serial)
        return _Day(d.year, d.month, d.day, d.weekday())
    if serial < 61:
        return _Day(*excel_ymd(serial), (serial - 2) % 7)
    d = dt.date(1899, 12, 30) + dt.timedelta(days=serial)
    return _Day(d.year, d.month, d.day, d.weekday())


def _datetime(toks, x: float, fmt: str, date1904: bool) -> str:
    # fractions of a second: digits after a point that follows seconds
    kinds = [k for k, _ in toks]
    places = 0
    for i, (k, _) in enumerate(toks):
        if k == "point":
            if i == 0 or toks[i - 1][0] not in ("s", "elapsed"):
                _refuse(fmt, "et punktum i et datoformat", "a point in a date format")
            j = i + 1
            while j < len(toks) and toks[j] == ("digit", "0"):
                j += 1
            places = j - i - 1
            if places == 0 or places > 3:
                _refuse(fmt, "brøkdele af sekunder", "fractions of a second")
        elif k == "digit" and (i == 0 or toks[i - 1][0] not in ("point", "digit")):
            _refuse(fmt, "cifre i et datoformat", "digits in a date format")
    if x > (2957003 if date1904 else 2958465) and not set(kinds) <= {"elapsed", "lit", "point", "digit"}:
        if "elapsed" in kinds:
            _refuse(fmt, "et tal efter år 9999", "a number beyond the year 9999")
        raise ValueErrorText       # [h] alone counts on past it (084_pycel__text.xlsx, Excel 16)
    unit = Decimal(1).scaleb(-places)
    total = (Decimal(repr(x)) * 86400).quantize(unit, rounding=ROUND_HALF_UP)
    days = int(total // 86400)
    secs = total - days * 86400
    has_date = bool({"d", "y"} & set(kinds)) or any(k == "m" and not _is_minute(toks, i)
                                                     for i, (k, _) in enumerate(toks))
    if has_date:
        date = _calendar_day(days, date1904)
        if date.year > 9999:
            _refuse(fmt, "et år efter 9999", "a year after 9999")
    hour = int(secs // 3600)
    minute = int((secs % 3600) // 60)
    second = int(secs % 60)
    frac = secs - int(secs)
    twelve = "ampm" in kinds
    elapsed_units = {t[0] for k, t in toks if k == "elapsed"}
    totals = {"h": total // 3600, "m": total // 60, "s": total // 1}
    month_names, day_names = NAMES.get()
    out = []
    for i, (k, t) in enumerate(toks):
        if k == "lit":
            out.append(t)
        elif k == "y":
            out.append(f"{date.year % 100:02d}" if len(t) <= 2 else f"{date.year:04d}")
        elif k in ("h", "s") and k in elapsed_units or k == "m" and "m" in elapsed_units and _is_minute(toks, i):
            out.append(str(int(totals[k])).rjust(min(len(t), 2), "0"))      # [h] ... h: both the total
        elif k == "m" and _is_minute(toks, i):
            out.append(f"{minute:02d}" if len(t) >= 2 else str(minute))
        elif k == "m":
            n = date.month
            out.append(str(n) if len(t) == 1 else f"{n:02d}" if len(t) == 2 else month_names[n - 1][:3]
                       if len(t) == 3 else month_names[n - 1] if len(t) == 4 else month_names[n - 1][0])
        elif k == "d":
            out.append(str(date.day) if len(t) == 1 else f"{date.day:02d}" if len(t) == 2
                       else day_names[date.weekday][:3] if len(t) == 3 else day_names[date.weekday])
        elif k == "h":
            h = hour % 12 or 12 if twelve else hour
            out.append(f"{h:02d}" if len(t) >= 2 else str(h))
        elif k == "s":
            out.append(f"{second:02d}" if len(t) >= 2 else str(second))
        elif k == "elapsed":
            out.append(str(int(totals[t[0]])).rjust(len(t), "0"))
        elif k == "ampm":
            pm = hour >= 12
            if t == "AM/PM":
                out.append("PM" if pm else "AM")
            else:
                a, p = t.split("/")
                out.append(p if pm else a)
        elif k == "point":
            out.append("." + format(frac, "f").split(".")[1][:places].ljust(places, "0"))
        elif k == "digit":
            continue
        else:
            _refuse(fmt, f"koden {t}", f"the code {t}")
    if elapsed_units and (has_date or "ampm" in kinds or len(elapsed_units) > 1):
        _refuse(fmt, "forløbet tid sammen med datoer eller flere forløbne enheder",
                "elapsed time with dates or several elapsed units")
    return "".join(out)


def _is_minute(toks, i: int) -> bool:
    """m is minutes right after h (or [h]) or s, or right before s, literals in between."""
    j = i - 1
    while j >= 0 and toks[j][0] == "lit":
        j -= 1
    if j >= 0 and (toks[j][0] in ("h", "s") or (toks[j][0] == "elapsed" and toks[j][1][0] in "hs")):
        return True
    j = i + 1
    while j < len(toks) and toks[j][0] == "lit":
        j += 1
    return j < len(toks) and (toks[j][0] == "s" or (toks[j][0] == "elapsed" and toks[j][1][0] == "s"))


