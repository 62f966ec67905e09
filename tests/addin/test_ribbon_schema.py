"""The built add-in's ribbon against Microsoft's customUI schema for Office 2010+
(../shared/schemas/customui14.xsd, see its README there)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "customui14.xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"


def _group_attributes(doc, name: str, seen: set[str] | None = None) -> set[str]:
    seen = set() if seen is None else seen
    out: set[str] = set()
    for group in doc.getroot().iter(XS + "attributeGroup"):
        if group.get("name") != name:
            continue
        out |= {a.get("name") or a.get("ref") for a in group.iter(XS + "attribute")}
        for ref in group.iter(XS + "attributeGroup"):
            r = ref.get("ref")
            if r and r not in seen:
                seen.add(r)
                out |= _group_attributes(doc, r.split(":")[-1], seen)
    return out


def load_schema() -> etree.XMLSchema:
    """customui14.xsd as libxml2 accepts it: an attribute a type inherits and declares again
    (through an attribute group or directly) is declared once; nothing else changes."""
    doc = etree.parse(str(SCHEMA))
    for _ in range(100):
        try:
            return etree.XMLSchema(doc)
        except etree.XMLSchemaParseError as exc:
            m = re.search(r"complex type '(\w+)': Duplicate attribute use '(\w+)'", str(exc))
            if not m:
                raise
            ctype, attr = m.groups()
            node = next(c for c in doc.getroot().iter(XS + "complexType") if c.get("name") == ctype)
            refs = [r for r in node.iter(XS + "attributeGroup")
                    if r.get("ref") and attr in _group_attributes(doc, r.get("ref").split(":")[-1])]
            dup = refs[-1] if refs else [a for a in node.iter(XS + "attribute") if a.get("name") == attr][-1]
            dup.getparent().remove(dup)
    raise AssertionError("customui14.xsd did not compile")


@pytest.fixture(scope="module")
def schema():
    if not SCHEMA.is_file():
        pytest.skip(f"{SCHEMA} is not here (the shared schemas folder)")
    return load_schema()


def _ribbon(path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("customUI/customUI14.xml")


def test_the_ribbon_of_the_committed_and_the_built_addin_is_valid(schema, built_addin):
    committed = Path(__file__).resolve().parents[2] / "install" / "sp_xl.xlam"
    for path in (committed, built_addin):
        assert schema.validate(etree.fromstring(_ribbon(path))), schema.error_log


def test_the_schema_rejects_what_office_would_reject(schema, built_addin):
    ribbon = _ribbon(built_addin)
    for broken in (ribbon.replace(b'size="large" imageMso="Help"', b'size="huge" imageMso="Help"'),
                   ribbon.replace(b'onAction="SpRibbon.SpDiagnose"', b'onaction="SpRibbon.SpDiagnose"'),
                   ribbon.replace(b'id="spDiagnose"', b'id="sp Diagnose"')):
        assert broken != ribbon
        assert not schema.validate(etree.fromstring(broken))
