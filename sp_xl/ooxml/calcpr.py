"""The workbook's calcPr: tell Excel to show stored values instead of recalculating on open."""

from __future__ import annotations

import re

from sp_xl.ooxml.xmltext import XML_ATTRS, XML_NAME

# Excel 365's calculation engine id. A file carrying a lower calcId is fully recalculated
# when Excel opens it (ECMA-376 Part 1, 18.2.2 calcPr), which would replace our values.
CURRENT_CALC_ID = 191029

CALCPR = re.compile(rb"<((?:" + XML_NAME + rb":)?)calcPr\b(" + XML_ATTRS + rb")(/?)>")
_FULLCALC_ATTR = re.compile(rb"\s+fullCalcOnLoad\s*=\s*(?:\"[^\"]*\"|'[^']*')")
_CALCID_ATTR = re.compile(rb"(\s+calcId\s*=\s*)(?:\"([^\"]*)\"|'([^']*)')")
# Elements that follow calcPr in CT_Workbook; a new calcPr goes before the first of them.
_AFTER_CALCPR = re.compile(
    rb"<(?:" + XML_NAME + rb":)?(?:oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes|"
    rb"webPublishing|fileRecoveryPr|webPublishObjects|extLst)\b|</(?:" + XML_NAME + rb":)?workbook\s*>")
_WB_PREFIX = re.compile(rb"<(?:(" + XML_NAME + rb"):)?workbook\b")


def patch_calc_pr(wb: bytes) -> bytes:
    """calcPr without fullCalcOnLoad and with a current calcId (see module docs of refresh)."""
    m = CALCPR.search(wb)
    if m is None:
        pm = _WB_PREFIX.search(wb)
        prefix = (pm.group(1) + b":") if pm and pm.group(1) else b""
        at = _AFTER_CALCPR.search(wb)
        pos = at.start() if at else len(wb)
        return wb[:pos] + b"<" + prefix + b'calcPr calcId="' + str(CURRENT_CALC_ID).encode() + b'"/>' + wb[pos:]
    attrs = _FULLCALC_ATTR.sub(b"", m.group(2))
    cm = _CALCID_ATTR.search(attrs)
    if cm is None:
        attrs = b' calcId="' + str(CURRENT_CALC_ID).encode() + b'"' + attrs
    else:
        try:
            current = int((cm.group(2) or cm.group(3) or b"0").decode())
        except ValueError:
            current = 0
        if current < CURRENT_CALC_ID:
            attrs = attrs[:cm.start()] + cm.group(1) + b'"' + str(CURRENT_CALC_ID).encode() + b'"' + attrs[cm.end():]
    closing = b"/>" if m.group(3) else b">"
    return wb[:m.start()] + b"<" + m.group(1) + b"calcPr" + attrs.rstrip() + closing + wb[m.end():]
