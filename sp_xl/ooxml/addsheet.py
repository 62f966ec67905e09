"""A small worksheet of values written into a package: replaced if it exists, else added last.

Used for sheets sp_xl writes whole (the Kontrol sheet of ``sp-xl check --write``; the shared
copy's "Om tallene" and "Helligdage" are built by ``worksheet_xml`` too). Every other member
keeps its bytes; workbook.xml, its relationships and [Content_Types].xml get one entry each
when the sheet is new (inserted at the byte level, the rest unchanged).
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from sp_xl.ooxml.cellrefs import col_letters
from sp_xl.ooxml.cellvalues import serialise_value

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
RT_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def inline_string(text: str, p: bytes = b"") -> bytes:
    """An inline string's <is> element (spaces kept)."""
    body = escape(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)).encode()
    return b"<" + p + b'is><' + p + b't xml:space="preserve">' + body + b"</" + p + b"t></" + p + b"is>"


def worksheet_xml(rows: Sequence[Sequence[object]], *, widths: Sequence[float], date_style: int | None = None,
                  links: Mapping[str, str] | None = None, head: bytes = b"", tail: bytes = b"") -> bytes:
    """A new worksheet: text as inline strings, numbers, dates (with ``date_style``); ``links``
    maps a cell ('A5') to a place in the workbook ("'LPR'!E7") it links to; ``head`` is a
    sheetPr before the columns, ``tail`` the page setup after the cells and links."""
    out = [b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">', head, b"<cols>"]
    for i, w in enumerate(widths, start=1):
        out.append(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'.encode())
    out.append(b"</cols><sheetData>")
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, v in enumerate(row, start=1):
            if v is None or v == "":
                continue
            ref = f"{col_letters(c)}{r}".encode()
            if isinstance(v, (dt.date, dt.datetime)):
                _, text = serialise_value(v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day))
                style = b' s="' + str(date_style).encode() + b'"' if date_style is not None else b""
                cells.append(b'<c r="' + ref + b'"' + style + b"><v>" + text + b"</v></c>")
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                _, text = serialise_value(float(v))
                cells.append(b'<c r="' + ref + b'"><v>' + text + b"</v></c>")
            else:
                cells.append(b'<c r="' + ref + b'" t="inlineStr">' + inline_string(str(v)) + b"</c>")
        if cells:
            out.append(f'<row r="{r}">'.encode() + b"".join(cells) + b"</row>")
    out.append(b"</sheetData>")
    if links:
        out.append(b"<hyperlinks>" + b"".join(
            f'<hyperlink ref="{ref}" location={quoteattr(place)} display={quoteattr(place)}/>'.encode()
            for ref, place in links.items()) + b"</hyperlinks>")
    out.append(tail + b"</worksheet>")
    return b"".join(out)


def put_sheet(pkg, name: str, sheet_xml: bytes, stamp: tuple[int, ...] | None = None) -> bytes:
    """The bytes of ``pkg`` (an XlsxPackage) with the worksheet ``name`` holding ``sheet_xml``."""
    from sp_xl.ooxml.zipwrite import rezip_with_zipfile

    existing = pkg._part(name) if name in pkg.sheet_names else None
    if existing is not None:
        replaced, added = {pkg.zip_name(existing): sheet_xml}, {}
    else:
        replaced, added = _new_sheet(pkg, name, sheet_xml)
    with zipfile.ZipFile(io.BytesIO(pkg.data)) as src:
        return rezip_with_zipfile(src, replaced, added, stamp)


def _new_sheet(pkg, name: str, sheet_xml: bytes) -> tuple[dict[str, bytes], dict[str, bytes]]:
    taken = {n.lower() for n in pkg.member_names()}
    folder = posixpath.dirname(pkg.workbook_part)
    n = 1
    while posixpath.join(folder, f"worksheets/sheet{n}.xml").lower() in taken:
        n += 1
    part = posixpath.join(folder, f"worksheets/sheet{n}.xml")
    rels_name = posixpath.join(folder, "_rels", posixpath.basename(pkg.workbook_part) + ".rels")
    rels = pkg.read(rels_name)
    ids = set(re.findall(rb'Id\s*=\s*"([^"]*)"', rels))
    k = 1
    while f"rId{k}".encode() in ids:
        k += 1
    rel = f'<Relationship Id="rId{k}" Type="{RT_WORKSHEET}" Target="worksheets/sheet{n}.xml"/>'.encode()
    wb = pkg.read(pkg.workbook_part)
    sheets_close = list(re.finditer(rb"</((?:[A-Za-z_][\w.\-]*:)?)sheets\s*>", wb))
    if not sheets_close:
        raise ValueError("workbook.xml has no sheets element")
    close = sheets_close[-1]
    prefix = close.group(1)
    max_id = max([int(x) for x in re.findall(rb'sheetId\s*=\s*"(\d+)"', wb)] or [0])
    sheet_el = (b"<" + prefix + b"sheet xmlns:r=\"" + _NS_R.encode() + b"\" name=" + quoteattr(name).encode()
                + b' sheetId="' + str(max_id + 1).encode() + f'" r:id="rId{k}"/>'.encode())
    new_wb = wb[:close.start()] + sheet_el + wb[close.start():]
    ct_name = "[Content_Types].xml"
    ct = pkg.read(ct_name)
    override = f'<Override PartName="/{part}" ContentType="{CT_WORKSHEET}"/>'.encode()
    replaced = {pkg.zip_name(pkg.workbook_part): new_wb,
                pkg.zip_name(rels_name): _before_close(rels, b"Relationships", rel),
                pkg.zip_name(ct_name): _before_close(ct, b"Types", override)}
    return replaced, {part: sheet_xml}


def _before_close(xml: bytes, local: bytes, text: bytes) -> bytes:
    closing = list(re.finditer(rb"</(?:[A-Za-z_][\w.\-]*:)?" + local + rb"\s*>", xml))
    if not closing:
        raise ValueError(f"no closing {local.decode()} element")
    m = closing[-1]
    return xml[:m.start()] + text + xml[m.start():]
