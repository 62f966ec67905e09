"""What makes the copy read like the report rather than the analyst's workbook.

* Cells named by ``sp_KunArbejdsbog`` (e.g. the column of defined names on Mål) are emptied.
* Every sheet prints with the report period in its header (the value of ``sp_Rapportperiode``
  when the copy is made) and the page number in its footer; the sheets the copy adds get the
  same page setup.
* A hyperlink whose target sheet stays home is removed (a reader never meets a dead link).

Everything here works on the bytes of one worksheet part, like ``edits``.
"""

from __future__ import annotations

import html
import re
from xml.sax.saxutils import escape

from sp_xl.importing.layout import month_label
from sp_xl.ooxml import names as wb_names
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.visibility import slot_areas
from sp_xl.share.check import serial_to_datetime


_HEADER_FOOTER = re.compile(rb"<((?:\w+:)?)headerFooter\b[^>]*?(?:/>|>.*?</\1headerFooter>)", re.S)
_ODD_HEADER = re.compile(rb"(<(?:\w+:)?oddHeader>)(.*?)(</(?:\w+:)?oddHeader>)", re.S)
_HYPERLINK = re.compile(rb"<((?:\w+:)?)hyperlink\b([^>]*?)(?:/>|>.*?</\1hyperlink>)", re.S)
_HYPERLINKS = re.compile(rb"<((?:\w+:)?)hyperlinks\b[^>]*>(.*?)</\1hyperlinks>", re.S)
_LOCATION = re.compile(rb'\blocation\s*=\s*"([^"]*)"')


def workbook_only_cells(pkg: XlsxPackage) -> dict[str, list[str]]:
    """Sheet -> the cells (A1 refs) only the master shows."""
    from sp_xl.ooxml.cellrefs import col_letters
    areas = slot_areas({k: v for k, v in pkg.defined_names.items() if k == wb_names.WORKBOOK_ONLY},
                       wb_names.WORKBOOK_ONLY)
    return {sheet: [f"{col_letters(c)}{r}" for r1, c1, r2, c2 in rects
                    for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
            for sheet, rects in areas.items()}


def report_period(pkg: XlsxPackage, lang: str = "da") -> str | None:
    """The report period ("maj 2018") from ``sp_Rapportperiode``'s cached value, if the master has one."""
    where = wb_names.name_cell(pkg.defined_names, wb_names.REPORT_PERIOD)
    if not where or where[0] not in pkg.sheet_names:
        return None
    value = pkg.cells(where[0]).get(where[1])
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 1 <= value < 2958466:
        return None
    day = serial_to_datetime(value, pkg.date1904)
    da, en = month_label(day.year, day.month)
    return en if lang == "en" else da


def _header_text(text: str) -> bytes:
    """A header section's text: '&' doubled (a literal ampersand), XML-escaped."""
    return escape(text.replace("&", "&&")).encode("utf-8")


def with_period(sheet: bytes, period: str | None) -> bytes:
    """Put the period in the centre of an existing odd header (a sheet without one is left alone)."""
    if not period:
        return sheet
    m = _HEADER_FOOTER.search(sheet)
    if not m:
        return sheet
    block = m.group(0)
    h = _ODD_HEADER.search(block)
    if not h:
        return sheet
    text = h.group(2)
    if b"&amp;C" in text:
        return sheet
    centre = b"&amp;C&amp;9" + _header_text(period)
    at = text.find(b"&amp;R")
    text = text + centre if at < 0 else text[:at] + centre + text[at:]
    block = block[:h.start(2)] + text + block[h.end(2):]
    return sheet[:m.start()] + block + sheet[m.end():]


SHEET_PR_FIT = b'<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'   # goes first in a sheet the copy adds


def page_setup_xml(title: str, period: str | None, portrait: bool = True) -> bytes:
    """Page setup for a sheet the copy adds (with ``SHEET_PR_FIT``): A4, one page wide, header, footer."""
    centre = b"&amp;C&amp;9" + _header_text(period) if period else b""
    orientation = b"portrait" if portrait else b"landscape"
    return (b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            b'<pageSetup paperSize="9" orientation="' + orientation + b'" fitToWidth="1" fitToHeight="0"/>'
            b"<headerFooter><oddHeader>&amp;L&amp;9" + _header_text(title) + centre + b"&amp;R&amp;9&amp;A</oddHeader>"
            b"<oddFooter>&amp;R&amp;9Side &amp;P af &amp;N</oddFooter></headerFooter>")


def _target_sheet(location: str) -> str:
    loc = location.lstrip("#")
    if "!" not in loc:
        return ""
    sheet = loc.rsplit("!", 1)[0]
    return sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet


def drop_dead_links(sheet: bytes, kept: set[str]) -> tuple[bytes, int]:
    """Remove internal hyperlinks to sheets that are not in the copy; returns (xml, how many)."""
    block = _HYPERLINKS.search(sheet)
    if not block:
        return sheet, 0
    dropped = 0

    def keep(m: re.Match) -> bytes:
        nonlocal dropped
        loc = _LOCATION.search(m.group(2))
        if loc:
            target = _target_sheet(html.unescape(loc.group(1).decode("utf-8", "replace")))
            if target and target.lower() not in kept:
                dropped += 1
                return b""
        return m.group(0)

    inner = _HYPERLINK.sub(keep, block.group(2))
    if not dropped:
        return sheet, 0
    if not _HYPERLINK.search(inner):
        return sheet[:block.start()] + sheet[block.end():], dropped
    start = block.start(2)
    return sheet[:start] + inner + sheet[block.end(2):], dropped


def report_title(pkg: XlsxPackage) -> str:
    """The document title (docProps/core.xml), for the headers of the sheets the copy adds."""
    if "docProps/core.xml" not in pkg.member_names():
        return ""
    m = re.search(rb"<(\w+:)?title\b[^>]*>(.*?)</\1?title>", pkg.read("docProps/core.xml"), re.S)
    return html.unescape(m.group(2).decode("utf-8", "replace")).strip() if m else ""
