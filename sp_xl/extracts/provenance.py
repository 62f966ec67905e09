"""The extraction date every table carries ("Kilde: ... trukket d. 19. maj 2018").

Rule, first that applies:
1. a preamble line above the table header naming the date: "Trukket: 19-05-2018",
   "Udtrukket d. 19. maj 2018", "Udtræksdato 2018-05-19", "Extracted: 2018-05-19",
   "Extraction date ...", "Data pr. ..." (the date must have a year and be unambiguous);
2. an ISO date in the file name: 2018-05-19 or 20180519 (e.g. sager_2018-05-19.csv);
3. a workbook's document properties (docProps/core.xml: modified, else created);
4. the file's modification time, with a warning asking the analyst to check it.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree

from sp_xl.extracts import parsing
from sp_xl.extracts.problems import ExtractError, Message, ValueProblem

_LABEL = re.compile(
    r"(udtræksdato|udtrukket|trukket|dato for udtræk|data pr\.?|opgjort|extraction date|extract date|"
    r"extracted|data as of|as of)\s*(?:d\.|den|on)?\s*[:=]?\s*(?P<date>\d[^;,\t]*?)\s*[;,\t]*$",
    re.IGNORECASE)
_FILE_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")
_CORE_NS = {"dcterms": "http://purl.org/dc/terms/"}

RULE_HEADER = Message("fra linjen over tabellen", "from the line above the table")
RULE_FILE_NAME = Message("fra filnavnet", "from the file name")
RULE_PROPERTIES = Message("fra regnearkets egenskaber", "from the workbook's properties")
RULE_MTIME = Message("fra filens ændringstidspunkt", "from the file's modification time")


def extraction_date(path: Path, preamble: Sequence[str]) -> tuple[dt.date, Message, list[Message]]:
    """The date, the rule that gave it, and warnings."""
    for line_no, line in enumerate(preamble, start=1):
        m = _LABEL.search(line.strip())
        if not m:
            continue
        raw = m["date"].strip().rstrip(".")
        try:
            parsed = parsing.parse_dates([raw])
        except ValueProblem as p:
            raise ExtractError(path.name, None, None,
                               f"Udtræksdatoen i linjen '{line.strip()}' kan ikke læses: {p.da}",
                               f"The extraction date in the line '{line.strip()}' cannot be read: {p.en}") from None
        if parsed.warnings:  # a single month-day date is never certain
            raise ExtractError(path.name, None, None,
                               f"Udtræksdatoen '{raw}' er tvetydig; skriv den som ÅÅÅÅ-MM-DD.",
                               f"The extraction date '{raw}' is ambiguous; write it as YYYY-MM-DD.")
        return parsed.values[0].astype(dt.datetime).date(), RULE_HEADER, []
    for m in _FILE_DATE.finditer(path.stem):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])), RULE_FILE_NAME, []
        except ValueError:
            continue
    if zipfile.is_zipfile(path):
        found = _core_date(path)
        if found:
            return found, RULE_PROPERTIES, []
    mtime = dt.datetime.fromtimestamp(path.stat().st_mtime).date()
    return mtime, RULE_MTIME, [Message(
        f"Udtræksdatoen {mtime:%d-%m-%Y} er taget fra filens ændringstidspunkt; tjek den, eller skriv "
        "datoen i filnavnet (fx 2018-05-19).",
        f"The extraction date {mtime:%Y-%m-%d} was taken from the file's modification time; check it, "
        "or put the date in the file name (e.g. 2018-05-19).")]


def _core_date(path: Path) -> dt.date | None:
    try:
        with zipfile.ZipFile(path) as z:
            root = ElementTree.fromstring(z.read("docProps/core.xml"))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    for tag in ("dcterms:modified", "dcterms:created"):
        el = root.find(tag, _CORE_NS)
        if el is not None and el.text:
            try:
                return dt.date.fromisoformat(el.text.strip()[:10])
            except ValueError:
                continue
    return None
