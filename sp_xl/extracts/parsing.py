"""Reading values the way Danish and English exports write them.

Every parser works on the *distinct* values of one column (a large extract has few of them),
decides the column's convention from all of them together, and returns one parsed value per
distinct value. A value it cannot read raises ``ValueProblem`` with its position, so the
caller can name the first row that holds it.

Rules (documented for the analysts in the module docs of ``sp_xl.extracts``):
- Dates: ISO (2018-05-19, optionally with a time), Danish day-month-year with - . or /
  (19-05-2018, 19.05.2018 14:03), or with a month name (19. maj 2018, 19 May 2018).
  A column where a numeric date could be day-month or month-day for every value that
  matters is refused, never guessed. A column whose values only fit month-day (US export)
  is read as month-day with a warning. Years have four digits.
- Numbers: decimal comma with thousands dot (1.234,5) or decimal point with thousands
  comma (1,234.5). The column's values decide; when they fit both, the file's convention
  decides (semicolon or tab separated: Danish; comma separated: English).
- Encodings: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sp_xl.extracts.problems import Message, ValueProblem

MONTHS = {
    # Danish and English names and the usual abbreviations.
    "januar": 1, "january": 1, "jan": 1,
    "februar": 2, "february": 2, "feb": 2,
    "marts": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "maj": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_TIME = r"(?:[ T]+(?:kl\.?\s*)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?)?"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + r"$")
_NUMERIC = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{2,4})" + _TIME + r"$")
_NAMED = re.compile(r"^(\d{1,2})\.?[\s-]*(" + _MONTH_RE + r")\.?[\s-]*(\d{4})" + _TIME + r"$",
                    re.IGNORECASE)
_MONTH_ISO = re.compile(r"^(\d{4})[-/.]?(?:m)?(\d{1,2})$", re.IGNORECASE)
_MONTH_NUM = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_MONTH_NAMED = re.compile(r"^(" + _MONTH_RE + r")\.?[\s-]*(\d{4})?$", re.IGNORECASE)

NAT = np.datetime64("NaT", "s")


def is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


# ----------------------------------------------------------------------------- dates

@dataclass(frozen=True, slots=True)
class DateColumn:
    values: np.ndarray  # datetime64[s], NaT where missing
    warnings: tuple[Message, ...] = ()


def _time_parts(groups: Sequence[str | None]) -> tuple[int, int, int]:
    h, m, s = groups
    return int(h or 0), int(m or 0), int(s or 0)


def _make(index: int, raw: str, y: int, mo: int, d: int, hms: tuple[int, int, int]) -> dt.datetime:
    try:
        return dt.datetime(y, mo, d, *hms)
    except ValueError:
        raise ValueProblem(index, f"'{raw}' er ikke en gyldig dato.",
                           f"'{raw}' is not a valid date.") from None


def parse_dates(values: Sequence[object]) -> DateColumn:
    """Parse one column's distinct values as dates or date-times (see module rules)."""
    out = np.full(len(values), NAT, dtype="datetime64[s]")
    numeric: list[tuple[int, str, int, int, int, tuple[int, int, int]]] = []
    for i, v in enumerate(values):
        if is_missing(v):
            continue
        if isinstance(v, dt.datetime):
            out[i] = np.datetime64(v.replace(tzinfo=None), "s")
            continue
        if isinstance(v, dt.date):
            out[i] = np.datetime64(v, "s")
            continue
        if not isinstance(v, str):
            raise ValueProblem(i, f"'{v}' er ikke en dato.", f"'{v}' is not a date.")
        s = v.strip()
        if m := _ISO.match(s):
            out[i] = np.datetime64(_make(i, s, int(m[1]), int(m[2]), int(m[3]), _time_parts(m.groups()[3:])), "s")
        elif m := _NAMED.match(s):
            out[i] = np.datetime64(_make(i, s, int(m[3]), MONTHS[m[2].lower()], int(m[1]),
                                         _time_parts(m.groups()[3:])), "s")
        elif m := _NUMERIC.match(s):
            if len(m[3]) != 4:
                raise ValueProblem(i, f"Datoen '{s}' har ikke et firecifret årstal.",
                                   f"The date '{s}' does not have a four-digit year.")
            numeric.append((i, s, int(m[1]), int(m[2]), int(m[3]), _time_parts(m.groups()[3:])))
        else:
            raise ValueProblem(i, f"'{s}' kan ikke læses som en dato (brug fx 19-05-2018 eller 2018-05-19).",
                               f"'{s}' cannot be read as a date (use e.g. 19-05-2018 or 2018-05-19).")
    warnings: list[Message] = []
    if numeric:
        day_first = _numeric_order(numeric)
        if not day_first:
            warnings.append(Message(
                "Datoerne er skrevet måned-dag-år (amerikansk format) og er læst sådan.",
                "The dates are written month-day-year (US format) and were read that way."))
        for i, s, a, b, y, hms in numeric:
            d, mo = (a, b) if day_first else (b, a)
            out[i] = np.datetime64(_make(i, s, y, mo, d, hms), "s")
    return DateColumn(out, tuple(warnings))


def _numeric_order(numeric: list[tuple[int, str, int, int, int, tuple[int, int, int]]]) -> bool:
    """True for day-month, False for month-day; refuses a column that does not tell."""
    day_first_proof = next((n for n in numeric if n[2] > 12), None)
    month_first_proof = next((n for n in numeric if n[3] > 12), None)
    if day_first_proof and month_first_proof:
        i, s = month_first_proof[:2]
        raise ValueProblem(
            i, f"'{s}' er skrevet måned-dag, mens '{day_first_proof[1]}' i samme kolonne er dag-måned.",
            f"'{s}' is month-day while '{day_first_proof[1]}' in the same column is day-month.")
    if day_first_proof:
        return True
    if month_first_proof:
        return False
    ambiguous = next((n for n in numeric if n[2] != n[3]), None)
    if ambiguous is None:
        return True  # every value reads the same both ways (e.g. 01-01-2018)
    i, s = ambiguous[:2]
    raise ValueProblem(
        i, f"Datoformatet er tvetydigt: '{s}' og alle andre datoer i kolonnen kan læses både som "
           "dag-måned og måned-dag. Eksportér datoerne som ÅÅÅÅ-MM-DD.",
        f"The date format is ambiguous: '{s}' and every other date in the column can be read as "
        "day-month and as month-day. Export the dates as YYYY-MM-DD.")


def parse_months(values: Sequence[object], drawn: dt.date | None = None) -> tuple[np.ndarray, tuple[Message, ...]]:
    """Parse month values (2018-01, 01-2018, januar 2018, a date) to the first day of the month.

    A month name without a year ("januar") is placed in the last twelve months up to
    ``drawn``, the extraction date (drawn 10 January 2019: "december" is December 2018), with
    a warning; without an extraction date it is refused.
    """
    out = np.full(len(values), NAT, dtype="datetime64[s]")
    dates: list[int] = []
    no_year = False
    for i, v in enumerate(values):
        if is_missing(v):
            continue
        if isinstance(v, (dt.date, dt.datetime)):
            out[i] = np.datetime64(dt.datetime(v.year, v.month, 1), "s")
            continue
        s = str(v).strip()
        y = mo = None
        if m := _MONTH_ISO.match(s):
            y, mo = int(m[1]), int(m[2])
        elif m := _MONTH_NUM.match(s):
            mo, y = int(m[1]), int(m[2])
        elif m := _MONTH_NAMED.match(s):
            mo = MONTHS[m[1].lower()]
            if m[2]:
                y = int(m[2])
            elif drawn is not None:
                y, no_year = (drawn.year if mo <= drawn.month else drawn.year - 1), True
            else:
                raise ValueProblem(i, f"Måneden '{s}' mangler et årstal.", f"The month '{s}' has no year.")
        else:
            dates.append(i)
            continue
        if not 1 <= mo <= 12:
            raise ValueProblem(i, f"'{s}' er ikke en gyldig måned.", f"'{s}' is not a valid month.")
        out[i] = np.datetime64(dt.datetime(y, mo, 1), "s")
    if dates:  # full dates: the column's own date convention applies
        try:
            parsed = parse_dates([values[i] for i in dates])
        except ValueProblem as p:  # report the position in the caller's list
            raise ValueProblem(dates[p.index], p.da, p.en) from None
        for k, i in enumerate(dates):
            d = parsed.values[k].astype("datetime64[M]")
            out[i] = d.astype("datetime64[s]")
    warnings = (Message(f"Måneder uden årstal er lagt i de tolv måneder op til udtræksdatoen {drawn:%d-%m-%Y}.",
                        f"Months without a year were placed in the twelve months up to the extraction date "
                        f"{drawn:%Y-%m-%d}."),) if no_year else ()
    return out, warnings


# ----------------------------------------------------------------------------- numbers

_DA = (",", ".")  # (decimal mark, thousands separator)
_EN = (".", ",")


def _number_re(dec: str, thou: str) -> re.Pattern[str]:
    d, t = re.escape(dec), re.escape(thou)
    return re.compile(rf"^[-+]?(?:\d{{1,3}}(?:{t}\d{{3}})+|\d+)(?:{d}\d+)?$|^[-+]?{d}\d+$")


_NUMBER = {_DA: _number_re(*_DA), _EN: _number_re(*_EN)}


@dataclass(frozen=True, slots=True)
class NumberColumn:
    values: np.ndarray  # float64, NaN where missing
    percent: np.ndarray  # bool: the value was written with a % sign (already divided by 100)


def parse_numbers(values: Sequence[object], danish_default: bool = True) -> NumberColumn:
    """Parse one column's distinct values as numbers (see module rules)."""
    out = np.full(len(values), np.nan)
    pct = np.zeros(len(values), dtype=bool)
    texts: list[tuple[int, str]] = []
    for i, v in enumerate(values):
        if is_missing(v):
            continue
        if isinstance(v, bool):
            raise ValueProblem(i, f"'{v}' er ikke et tal.", f"'{v}' is not a number.")
        if isinstance(v, (int, float, np.integer, np.floating)):
            out[i] = float(v)
            continue
        s = str(v).strip().replace("\u2212", "-")
        s = re.sub(r"[\s\u00a0\u202f]", "", s)  # spaces as thousands separators
        if s.endswith("%"):
            pct[i] = True
            s = s[:-1]
        texts.append((i, s))
    if texts:
        fits = {conv: all(_NUMBER[conv].match(s) for _, s in texts) for conv in (_DA, _EN)}
        preferred = _DA if danish_default else _EN
        other = _EN if danish_default else _DA
        conv = preferred if fits[preferred] else other if fits[other] else None
        if conv is None:
            i, s = next((i, s) for i, s in texts if not _NUMBER[preferred].match(s))
            raise ValueProblem(i, f"'{values[i]}' kan ikke læses som et tal.",
                               f"'{values[i]}' cannot be read as a number.")
        dec, thou = conv
        for i, s in texts:
            out[i] = float(s.replace(thou, "").replace(dec, "."))
    out[pct] /= 100.0
    return NumberColumn(out, pct)


# ----------------------------------------------------------------------------- yes/no, text

_YES = {"ja", "j", "yes", "y", "1", "sand", "true", "x", "sandt"}
_NO = {"nej", "n", "no", "0", "falsk", "false"}


def parse_flags(values: Sequence[object]) -> np.ndarray:
    """Yes/no values (ja/nej, yes/no, 1/0, true/false) as bool; missing is refused."""
    out = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        if isinstance(v, bool):
            out[i] = v
            continue
        if isinstance(v, (int, float)) and v in (0, 1):
            out[i] = bool(v)
            continue
        s = "" if is_missing(v) else str(v).strip().lower()
        if s in _YES:
            out[i] = True
        elif s not in _NO:
            raise ValueProblem(i, f"'{v}' er hverken ja eller nej.", f"'{v}' is neither yes nor no.")
    return out


FORMULA_PREFIXES = ("=", "+", "-", "@")


def looks_like_formula(text: str) -> bool:
    """Text Excel would take for a formula if typed in; it must be written as text."""
    return text.startswith(FORMULA_PREFIXES)


def clean_text(value: object) -> str | None:
    """Text as stored: stripped, never converted (a number-looking id stays text)."""
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id typed as a number in a workbook
    return str(value).strip()


# ----------------------------------------------------------------------------- encodings

def head_encoding(head: bytes) -> str:
    """The encoding the first bytes of a file show: BOM, valid UTF-8, else Windows-1252."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)  # a cut-off last character is fine
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def first_undecodable_line(path: Path, encoding: str) -> int | None:
    """The 1-based line holding the first byte ``encoding`` cannot decode, if any."""
    with path.open("rb") as f:
        for n, line in enumerate(f, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                return n
    return None
