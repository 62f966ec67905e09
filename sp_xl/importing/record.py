"""The import record: which cells the last imports wrote, stored inside the workbook.

Why a custom XML part: it is a package part of its own (``customXml/itemN.xml`` with its
``itemPropsN.xml``, related from workbook.xml), which Excel keeps unchanged when it saves
the workbook (the CustomXMLParts collection) and which no sheet, formula or user sees, so
it cannot be edited by accident. A veryHidden sheet would be visible to formulas and
shifted by sheet operations; a defined name is limited to 8,192 characters.

Per table: its original source line (before any import) and, per period (a month, day,
ISO week or the whole table), the extract's file name, extraction date, the import time and
every cell written with its value. A cell whose value differs from the recorded one was
changed by hand after the import.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import uuid
from dataclasses import dataclass, field

from lxml import etree

from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.xmltext import xstring_decode

NS = "urn:sp-xl:import-record:1"
RT_CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
RT_CUSTOM_XML_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps"
CT_CUSTOM_XML_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
_DS = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
# Texts XML cannot carry (control characters from an extract) are stored as _xHHHH_, as Excel
# does in cells; a literal "_xHHHH_" is escaped as "_x005F_xHHHH_" so it decodes to itself.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


def _enc(text: str) -> str:
    return _UNSAFE.sub(lambda m: "_x005F" + m.group(0) if m.group(0).startswith("_x") else f"_x{ord(m.group(0)):04X}_",
                       text)


_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass
class PeriodRecord:
    file: str
    extracted: dt.date
    imported: dt.datetime
    cells: dict[str, object] = field(default_factory=dict)   # ref -> float | str | None


@dataclass
class TableRecord:
    sheet: str
    original_source: str
    periods: dict[str, PeriodRecord] = field(default_factory=dict)

    def recorded_value(self, ref: str) -> tuple[bool, object]:
        """(was imported, last value imported) for a cell of this table."""
        for period in self.periods.values():
            if ref in period.cells:
                return True, period.cells[ref]
        return False, None


@dataclass
class ImportRecord:
    tables: dict[str, TableRecord] = field(default_factory=dict)
    part: str | None = None          # the customXml item holding it, when the workbook has one

    def to_xml(self) -> bytes:
        """The record as XML, in a stable order (tables, periods, cells by row then column).
        Written as text, not through a tree: a record of years of daily data holds 10^5 cells."""
        out = ["<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n", f'<imports xmlns="{NS}">']
        for name in sorted(self.tables):
            t = self.tables[name]
            head = f'<table name="{_attr(name)}" sheet="{_attr(t.sheet)}" originalSource="{_attr(t.original_source)}"'
            if not t.periods:
                out.append(head + "/>")
                continue
            out.append(head + ">")
            for key in sorted(t.periods):
                p = t.periods[key]
                out.append(f'<period key="{_attr(key)}" file="{_attr(p.file)}" extracted="{p.extracted.isoformat()}" '
                           f'imported="{p.imported.isoformat(timespec="seconds")}">')
                for ref in sorted(p.cells, key=_ref_key):
                    v = p.cells[ref]
                    if isinstance(v, str):
                        out.append(f'<cell r="{ref}" text="{_attr(v)}"/>')
                    elif v is not None:
                        out.append(f'<cell r="{ref}" number="{float(v)!r}"/>')
                    else:
                        out.append(f'<cell r="{ref}"/>')
                out.append("</period>")
            out.append("</table>")
        out.append("</imports>")
        return "".join(out).encode("utf-8")

    @classmethod
    def from_xml(cls, data: bytes, part: str | None = None) -> ImportRecord:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=True))
        rec = cls(part=part)
        for te in root.iter(f"{{{NS}}}table"):
            t = TableRecord(xstring_decode(te.get("sheet", "")), xstring_decode(te.get("originalSource", "")))
            for pe in te.iter(f"{{{NS}}}period"):
                cells: dict[str, object] = {}
                for ce in pe.iter(f"{{{NS}}}cell"):
                    if ce.get("text") is not None:
                        cells[ce.get("r")] = xstring_decode(ce.get("text"))
                    elif ce.get("number") is not None:
                        cells[ce.get("r")] = float(ce.get("number"))
                    else:
                        cells[ce.get("r")] = None
                t.periods[xstring_decode(pe.get("key"))] = PeriodRecord(
                    xstring_decode(pe.get("file", "")), dt.date.fromisoformat(pe.get("extracted")),
                    dt.datetime.fromisoformat(pe.get("imported")), cells)
            rec.tables[xstring_decode(te.get("name"))] = t
        return rec


_REF_PARTS = re.compile(r"([A-Z]+)(\d+)")
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;",
                               "\r": "&#13;"})


def _attr(text: str) -> str:
    """Text as an XML attribute value (the _xHHHH_ escapes first, as Excel does in cells)."""
    return _enc(text).translate(_ATTR_ESCAPES)


def _ref_key(ref: str) -> tuple[int, str]:
    m = _REF_PARTS.match(ref)
    return (int(m.group(2)), m.group(1).rjust(3)) if m else (0, ref)


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def relationships(pkg: XlsxPackage, part: str) -> list[tuple[str, str, str]]:
    name = _rels_name(part)
    try:
        root = etree.fromstring(pkg.read(name))
    except KeyError:
        return []
    folder = posixpath.dirname(part)
    out = []
    for el in root:
        if not isinstance(el.tag, str):
            continue
        target = el.get("Target", "")
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out.append((el.get("Id", ""), el.get("Type", ""), resolved))
    return out


def read_record(pkg: XlsxPackage) -> ImportRecord:
    """The workbook's import record (empty if it has none yet)."""
    for _, typ, target in relationships(pkg, pkg.workbook_part):
        if typ != RT_CUSTOM_XML:
            continue
        try:
            data = pkg.read(target)
        except KeyError:
            continue
        if _mentions_namespace(data[:800]):
            return ImportRecord.from_xml(data, target)
    return ImportRecord()


def _mentions_namespace(head: bytes) -> bool:
    """Whether the start of a custom XML item names the record's namespace. Our writer stores
    UTF-8; a part Excel wrote back (``CustomXMLParts.Add`` from the ribbon's import, then a
    save) may be UTF-16 with a byte-order mark, which the XML parser reads as well."""
    encoding = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
    return NS in head.decode(encoding, "replace")


def record_parts(pkg: XlsxPackage, record: ImportRecord) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(replaced members, new members) that store ``record`` in the package.

    A workbook that has a record already gets only that part replaced; otherwise the item,
    its properties part and relationships are added, and workbook.xml.rels and
    [Content_Types].xml get one entry each (inserted at the byte level, rest unchanged).
    """
    body = record.to_xml()
    if record.part is not None:
        return {record.part: body}, {}
    names = {n.lower() for n in pkg.member_names()}
    n = 1
    while f"customxml/item{n}.xml" in names or f"customxml/itemprops{n}.xml" in names:
        n += 1
    item, props = f"customXml/item{n}.xml", f"customXml/itemProps{n}.xml"
    item_id = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, NS + "/" + pkg.name)).upper() + "}"
    props_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
                 f'<ds:datastoreItem ds:itemID="{item_id}" xmlns:ds="{_DS}"><ds:schemaRefs>'
                 f'<ds:schemaRef ds:uri="{NS}"/></ds:schemaRefs></ds:datastoreItem>').encode()
    item_rels = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_REL_NS}">'
                 f'<Relationship Id="rId1" Type="{RT_CUSTOM_XML_PROPS}" Target="itemProps{n}.xml"/>'
                 f'</Relationships>').encode()
    wb_rels_name = _rels_name(pkg.workbook_part)
    wb_rels = pkg.read(wb_rels_name)
    ids = set(re.findall(rb'Id\s*=\s*"([^"]*)"', wb_rels))
    k = 1
    while f"rId{k}".encode() in ids:
        k += 1
    depth = pkg.workbook_part.count("/")
    target = "../" * depth + item
    rel = f'<Relationship Id="rId{k}" Type="{RT_CUSTOM_XML}" Target="{target}"/>'.encode()
    new_rels = _insert_before_close(wb_rels, b"Relationships", rel)
    ct_name = "[Content_Types].xml"
    ct = pkg.read(ct_name)
    extra = f'<Override PartName="/{props}" ContentType="{CT_CUSTOM_XML_PROPS}"/>'.encode()
    if not re.search(rb'<Default\b[^>]*Extension\s*=\s*"xml"', ct, re.IGNORECASE):
        extra += f'<Override PartName="/{item}" ContentType="application/xml"/>'.encode()
    new_ct = _insert_before_close(ct, b"Types", extra)
    replaced = {pkg.zip_name(wb_rels_name): new_rels, pkg.zip_name(ct_name): new_ct}
    added = {item: body, props: props_xml, _rels_name(item): item_rels}
    return replaced, added


def _insert_before_close(xml: bytes, local: bytes, text: bytes) -> bytes:
    closing = list(re.finditer(rb"</(?:[A-Za-z_][\w.\-]*:)?" + local + rb"\s*>", xml))
    m = closing[-1] if closing else None
    if m is None:
        raise ValueError(f"no closing {local.decode()} element")
    return xml[:m.start()] + text + xml[m.start():]
