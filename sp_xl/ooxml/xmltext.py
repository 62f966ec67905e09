"""Text inside SpreadsheetML: entities, CDATA, Excel's _xHHHH_ escapes, attributes."""

from __future__ import annotations

import re

# Element and attribute patterns for byte-level scanning; any namespace prefix is accepted.
XML_NAME = rb"[A-Za-z_][\w.\-]*"
XML_ATTRS = rb"(?:\s+[^\s=>/]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*"
F_ELEMENT = re.compile(rb"<(?:" + XML_NAME + rb":)?f\b(" + XML_ATTRS + rb")(?:/>|>(.*?)</(?:" + XML_NAME + rb":)?f\s*>)", re.S)
V_ELEMENT = re.compile(rb"<(?:" + XML_NAME + rb":)?v\b" + XML_ATTRS + rb"(?:/>|>(.*?)</(?:" + XML_NAME + rb":)?v\s*>)", re.S)
IS_ELEMENT = re.compile(rb"<(?:" + XML_NAME + rb":)?is\b" + XML_ATTRS + rb"(?:/>|>(.*?)</(?:" + XML_NAME + rb":)?is\s*>)", re.S)
RPH_ELEMENT = re.compile(rb"<(?:" + XML_NAME + rb":)?rPh\b.*?</(?:" + XML_NAME + rb":)?rPh\s*>", re.S)
T_ELEMENT = re.compile(rb"<(?:" + XML_NAME + rb":)?t\b" + XML_ATTRS + rb"(?:/>|>(.*?)</(?:" + XML_NAME + rb":)?t\s*>)", re.S)

XML_ATTR = re.compile(rb"([^\s=>/]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);")
_ENTITY_MAP = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_NAMED = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))   # '&amp;' last
_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _xml_unescape(text: str) -> str:
    if "&" not in text:
        return text
    if "&#" not in text:
        # The five named entities by plain replacement (a callback per entity is slow for 10^5
        # formulas); '&amp;' last, so '&amp;lt;' stays the text '&lt;'. A '&' that starts no
        # entity (not well-formed) is left as the regex would leave it.
        for entity, char in _NAMED:
            if entity in text:
                text = text.replace(entity, char)
        return text

    def sub(m: re.Match) -> str:
        e = m.group(1)
        if e[0] == "#":
            return chr(int(e[2:], 16) if e[1] in "xX" else int(e[1:]))
        return _ENTITY_MAP[e]
    return _ENTITY.sub(sub, text)


def xstring_decode(text: str) -> str:
    """ST_Xstring: '_x000D_' stands for a carriage return, '_x005F_' for a literal '_'."""
    if "_x" not in text:
        return text
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


_CDATA = re.compile(rb"<!\[CDATA\[(.*?)\]\]>", re.S)


def xml_text(raw: bytes) -> str:
    if b"<![CDATA[" in raw:      # CDATA content is literal; the rest is escaped text
        parts, pos = [], 0
        for m in _CDATA.finditer(raw):
            parts.append(_xml_unescape(raw[pos:m.start()].decode("utf-8")))
            parts.append(m.group(1).decode("utf-8"))
            pos = m.end()
        parts.append(_xml_unescape(raw[pos:].decode("utf-8")))
        return "".join(parts)
    return _xml_unescape(raw.decode("utf-8"))


def xml_attrs(raw: bytes) -> dict[str, str]:
    out = {}
    for name, v1, v2 in XML_ATTR.findall(raw):
        out[name.decode("ascii", "replace")] = xml_text(v1 or v2)
    return out


# ---------------------------------------------------------------- references

_COL_CACHE: dict[str, int] = {}
_LETTERS_CACHE: dict[int, str] = {}


_XML_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
# Characters XML cannot carry (and CR, which XML parsers would turn into LF) use ST_Xstring escapes.
_NEEDS_XSTRING = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


def escape_text(s: str) -> bytes:
    """XML-escaped UTF-8, with ST_Xstring escapes (_xHHHH_) for what XML 1.0 cannot carry (and CR,
    which parsers turn into LF); a literal "_x0041_" is escaped too."""
    if _NEEDS_XSTRING.search(s):
        s = _NEEDS_XSTRING.sub(lambda m: "_x005F" + m.group(0) if m.group(0).startswith("_x")
                               else f"_x{ord(m.group(0)):04X}_", s)
    return s.translate(_XML_ESCAPES).encode("utf-8")
