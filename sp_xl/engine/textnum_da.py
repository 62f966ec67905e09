"""NUMBERVALUE, DATEVALUE and TIMEVALUE as Danish Excel reads text.

NUMBERVALUE follows Microsoft's documented rules with the separators given (Danish "," and
"." when left out): spaces are ignored anywhere, a group separator before the decimal
separator is ignored and one after it is #VALUE!, two decimal separators are #VALUE!,
"" is 0, and trailing percent signs divide by 100 each.

DATEVALUE and TIMEVALUE read the Danish date order day-month-year: 10-04-2018, 10-apr-2018
(Danish month names), ISO 2018-04-10, each optionally followed by a time t:mm[:ss[,f]];
TIMEVALUE also a time alone. Anything else that holds digits (10.04.2018, 10/04/2018,
"10. april 2018", a two-digit or missing year, AM/PM, 31-02-2018) is refused naming the
function: Danish Excel's reading of those is not pinned down here (LibreOffice in da-DK
gives #VALUE! for the first three; Danish guides say Excel takes 10/04/18 as typed input).
Text without digits is #VALUE!, as in Excel.
"""

from __future__ import annotations

import re

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.excelstats import _refuse
from sp_xl.engine.textnum import _Refuse, _time, date_serial
from sp_xl.engine.values import EMPTY, E_VALUE, to_text
from sp_xl.i18n import MONTH_NAMES_DA

_MONTH = {name[:3]: i for i, name in enumerate(MONTH_NAMES_DA, 1)} | {
    name: i for i, name in enumerate(MONTH_NAMES_DA, 1)}
_DMY = re.compile(r"^(\d{1,2})-(\d{1,2}|[a-zæøå]+)-(\d{4})(?:\s+(.+))?$", re.IGNORECASE)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+(.+))?$")
_TIME = re.compile(r"^\d{1,2}:\d{1,2}(?::\d{1,2}(?:,\d+)?)?$")


def _text_arg(name: str, v):
    if isinstance(v, np.ndarray):
        _refuse(name, "en matrix som argument", "an array argument")
    if isinstance(v, XlError):
        return v
    if v is EMPTY:
        return ""
    if not isinstance(v, str):
        _refuse(name, "et tal eller en logisk værdi som tekst", "a number or logical value as the text")
    return v.strip()


def numbervalue(invoke, text, decimal_sep=None, group_sep=None):
    """NUMBERVALUE(text; decimal separator; group separator)."""
    if isinstance(text, float) and decimal_sep is None:
        return text
    t = _text_arg("NUMBERVALUE", text)
    if isinstance(t, XlError):
        return t
    seps = []
    for v, default in ((decimal_sep, ","), (group_sep, ".")):
        if v is EMPTY:
            _refuse("NUMBERVALUE", "et tomt skilletegn", "an empty separator argument")
        s = default if v is None else _text_arg("NUMBERVALUE", v)
        if isinstance(s, XlError):
            return s
        if not s:
            return E_VALUE
        seps.append(s[0])
    dec, grp = seps
    if dec == grp:
        if decimal_sep is None or group_sep is None:     # a given one equals Danish Excel's default
            _refuse("NUMBERVALUE", f"skilletegnet '{dec}' både som decimal- og tusindtalsskilletegn",
                    f"the separator '{dec}' both as decimal and group separator")
        return E_VALUE
    body = t.replace(" ", "")
    if not body:
        return 0.0
    pct = len(body) - len(body.rstrip("%"))
    body = body[:len(body) - pct]
    if body.count(dec) > 1:
        return E_VALUE
    head, point, tail = body.partition(dec)
    if grp in tail:
        return E_VALUE
    head = head.replace(grp, "")
    m = re.fullmatch(r"([+-]?)(\d*)", head)
    n = re.fullmatch(r"(\d*)([eE][+-]?\d+)?", tail)
    if m is None or n is None or not (m.group(2) or n.group(1)) or (point and not tail and not m.group(2)):
        if any(ch.isdigit() for ch in body):
            _refuse("NUMBERVALUE", f"teksten '{t}'", f"the text '{t}'")
        return E_VALUE
    x = float(f"{m.group(1)}{m.group(2) or '0'}.{n.group(1) or '0'}{n.group(2) or ''}")
    for _ in range(pct):
        x *= 0.01                # each % as the operator: 9%% is 9*0.01*0.01 (LibreOffice too)
    return x


def _time_of(text: str, name: str, shown: str) -> float:
    if not _TIME.match(text):
        _refuse(name, f"teksten '{shown}'", f"the text '{shown}'")
    try:
        t = _time(text.replace(",", "."))
    except _Refuse:
        t = None
    if t is None or t >= 1:
        _refuse(name, f"teksten '{shown}'", f"the text '{shown}'")
    return t


def _date_and_time(name: str, text) -> tuple[int | None, float | None] | XlError:
    t = _text_arg(name, text)
    if isinstance(t, XlError):
        return t
    if not any(ch.isdigit() for ch in t):
        return E_VALUE
    if m := _ISO.match(t):
        y, mo, d, rest = int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)
    elif m := _DMY.match(t):
        d, month, y, rest = int(m.group(1)), m.group(2).lower(), int(m.group(3)), m.group(4)
        mo = int(month) if month.isdigit() else _MONTH.get(month, 0)
        if not mo:
            _refuse(name, f"teksten '{t}'", f"the text '{t}'")
    elif name == "TIMEVALUE":
        return None, _time_of(t, name, t)
    else:
        _refuse(name, f"teksten '{t}' (kun dd-mm-åååå, d-mmm-åååå og åååå-mm-dd læses)",
                f"the text '{t}' (only dd-mm-yyyy, d-mmm-yyyy and yyyy-mm-dd are read)")
    serial = date_serial(y, mo, d)
    if serial is None:
        _refuse(name, f"datoen i '{t}'", f"the date in '{t}'")
    return serial, (None if rest is None else _time_of(rest.strip(), name, t))


def datevalue(invoke, text):
    """DATEVALUE(text) in Danish Excel: the date's serial number, its time left out."""
    got = _date_and_time("DATEVALUE", text)
    return got if isinstance(got, XlError) else float(got[0])


def timevalue(invoke, text):
    """TIMEVALUE(text) in Danish Excel: the time of day as a fraction of a day."""
    got = _date_and_time("TIMEVALUE", text)
    if isinstance(got, XlError):
        return got
    if got[1] is None:
        _refuse("TIMEVALUE", f"en dato uden klokkeslæt ('{to_text(text)}')", f"a date without a time ('{to_text(text)}')")
    return got[1]
