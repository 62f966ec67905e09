"""Zip/XML-level edits for the shared copy: only what must change is rewritten.

Every member keeps its bytes unless an edit below names it. Parts are removed by
relationship (VBA project, external links, connections, add-in ribbon) and then every part
no longer reachable from the package's relationships is dropped with its content type, so
no orphan (a dropped sheet's table, a link's cache) travels.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from xml.sax.saxutils import escape

from sp_xl.ooxml.cellrefs import col_letters, col_number, split_ref
from sp_xl.ooxml.addsheet import worksheet_xml  # noqa: F401 - the shared copy's new sheets

CT_MAIN_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
RT_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_MACRO_MAIN = re.compile(rb"application/vnd\.ms-excel\.(?:sheet|template)\.macroEnabled\.main\+xml"
                         rb"|application/vnd\.openxmlformats-officedocument\.spreadsheetml\.template\.main\+xml")
# Relationship types (by their last path segment) that must not travel.
# calcChain lists formula cells; after freezing some, a stale chain makes Excel repair the file.
DROPPED_REL_TYPES = ("calcChain", "vbaProject", "externalLink", "connections", "extensibility", "ui/extensibility",
                     "vbaProjectSignature", "customUI")


class Members:
    """The package as ordered name -> bytes, edited in memory."""

    def __init__(self, data: bytes):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.order = [i.filename for i in z.infolist()]
            self.data = {n: z.read(n) for n in self.order}

    def real(self, name: str) -> str:
        """The member's stored name; lookups forgive letter case and backslashes, as Excel does."""
        if name in self.data:
            return name
        wanted = name.replace("\\", "/").lower()
        return next((n for n in self.order if n.replace("\\", "/").lower() == wanted), name)

    def __contains__(self, name: str) -> bool:
        return self.real(name) in self.data

    def read(self, name: str) -> bytes:
        return self.data[self.real(name)]

    def put(self, name: str, data: bytes) -> None:
        name = self.real(name)
        if name not in self.data:
            self.order.append(name)
        self.data[name] = data

    def remove(self, name: str) -> None:
        name = self.real(name)
        if name in self.data:
            del self.data[name]
            self.order.remove(name)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out:
            for name in self.order:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o600 << 16
                out.writestr(info, self.data[name], compresslevel=9)
        return buf.getvalue()


# ------------------------------------------------------------------ relationships

_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*?/>|<(?:\w+:)?Relationship\b[^>]*?>.*?</(?:\w+:)?Relationship>", re.S)
_ATTR = re.compile(rb'([\w:]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode(): (a if a is not None else b).decode("utf-8") for k, a, b in
            ((m.group(1), m.group(2), m.group(3)) for m in _ATTR.finditer(tag))}


def relationships(m: Members, part: str) -> list[dict[str, str]]:
    """Relationships of a part ('' for the package root), targets resolved to member names."""
    name = rels_name(part) if part else "_rels/.rels"
    if name not in m:
        return []
    return [_rel(el, part) for el in _REL.finditer(m.read(name))]


def _rel(el: re.Match, part: str) -> dict[str, str]:
    a = _attrs(el.group(0).split(b">", 1)[0])
    target = a.get("Target", "")
    if a.get("TargetMode") == "External":
        a["resolved"] = ""
    else:
        folder = posixpath.dirname(part)
        a["resolved"] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
    return a


def drop_relationships(m: Members, part: str, keep) -> list[dict[str, str]]:
    """Remove the relationships of ``part`` for which keep(rel) is False; return them."""
    name = rels_name(part) if part else "_rels/.rels"
    if name not in m:
        return []
    data, dropped = m.read(name), []
    pieces, pos = [], 0
    for el in _REL.finditer(data):
        a = _rel(el, part)
        if not keep(a):
            dropped.append(a)
            pieces.append(data[pos:el.start()])
            pos = el.end()
    if dropped:
        pieces.append(data[pos:])
        m.put(name, b"".join(pieces))
    return dropped


def add_relationship(m: Members, part: str, rel_type: str, target: str) -> str:
    name = rels_name(part)
    data = m.read(name)
    ids = {a.get("Id") for a in (_attrs(el.group(0)) for el in _REL.finditer(data))}
    n = 1
    while f"rIdShare{n}" in ids:
        n += 1
    rid = f"rIdShare{n}"
    el = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{escape(target)}"/>'.encode()
    at = data.rfind(b"</")
    m.put(name, data[:at] + el + data[at:])
    return rid


def is_dropped_type(rel: dict[str, str]) -> bool:
    t = rel.get("Type", "")
    return any(t.endswith("/" + x) for x in DROPPED_REL_TYPES)


def _norm(name: str) -> str:
    return name.replace("\\", "/").lower()


def collect_garbage(m: Members) -> list[str]:
    """Remove every part no relationship reaches (and its .rels); return the removed names."""
    reachable, todo = set(), [""]
    while todo:
        part = todo.pop()
        for rel in relationships(m, part):
            target = rel["resolved"]
            if target and target in m and _norm(target) not in reachable:
                reachable.add(_norm(target))
                todo.append(target)
    removed = []
    for name in list(m.order):
        norm = _norm(name)
        if norm in ("[content_types].xml", "_rels/.rels") or norm in reachable:
            continue
        if norm.endswith(".rels") and "/_rels/" in "/" + norm:
            folder, base = posixpath.split(norm)
            if posixpath.join(posixpath.dirname(folder), base[:-5]) in reachable:
                continue
        m.remove(name)
        removed.append(name)
    return removed


# ------------------------------------------------------------------ content types

_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b[^>]*/>")
_DEFAULT = re.compile(rb"<(?:\w+:)?Default\b[^>]*/>")


def fix_content_types(m: Members, workbook_part: str, added: list[str]) -> None:
    """xlsx main type, no overrides for removed parts, no macro defaults, overrides for new sheets."""
    data = m.read("[Content_Types].xml")
    data = _MACRO_MAIN.sub(CT_MAIN_XLSX.encode(), data)

    def keep_override(match: re.Match) -> bytes:
        a = _attrs(match.group(0))
        name = a.get("PartName", "").lstrip("/")
        return match.group(0) if name in m else b""
    data = _OVERRIDE.sub(keep_override, data)

    def keep_default(match: re.Match) -> bytes:
        a = _attrs(match.group(0))
        return b"" if "vbaProject" in a.get("ContentType", "") else match.group(0)
    data = _DEFAULT.sub(keep_default, data)
    extra = b"".join(f'<Override PartName="/{n}" ContentType="{CT_WORKSHEET}"/>'.encode() for n in added)
    at = data.rfind(b"</")
    m.put("[Content_Types].xml", data[:at] + extra + data[at:])


# ------------------------------------------------------------------ document properties

_PERSONAL = re.compile(rb"<((?:\w+:)?(?:creator|lastModifiedBy|Company|Manager|HyperlinkBase))\b[^>]*?(?:/>|>.*?</\1\s*>)", re.S)


def scrub_properties(m: Members) -> None:
    """Creator, last-modified-by, company and manager leave the copy (names are personal data)."""
    for name in ("docProps/core.xml", "docProps/app.xml"):
        if name in m:
            m.put(name, _PERSONAL.sub(b"", m.read(name)))


# ------------------------------------------------------------------ internal notes

_COMMENT = re.compile(rb"<((?:\w+:)?)comment\b([^>]*)>(.*?)</\1comment>", re.S)
_TEXT_RUN = re.compile(rb"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.S)
_VML_SHAPE = re.compile(rb"<((?:\w+:)?)shape\b[^>]*>.*?</\1shape>", re.S)
_INTERNAL_NOTE = re.compile(r"^\[?\s*intern", re.I)


def drop_internal_comments(m: Members) -> int:
    """Remove notes whose text starts with 'Intern' (the convention for comments not to share),
    both the text (comments part) and the note's box (its VML shape, matched by row and column)."""
    removed = 0
    for sheet_part in [n for n in m.order if n.startswith("xl/worksheets/") and n.endswith(".xml")]:
        rels = relationships(m, sheet_part)
        comments = [r["resolved"] for r in rels if r.get("Type", "").endswith("/comments") and r["resolved"] in m]
        vmls = [r["resolved"] for r in rels if r.get("Type", "").endswith("/vmlDrawing") and r["resolved"] in m]
        for part in comments:
            data = m.read(part)
            gone: set[tuple[int, int]] = set()

            def keep(match: re.Match) -> bytes:
                text = b"".join(_TEXT_RUN.findall(match.group(3))).decode("utf-8", "replace").strip()
                if not _INTERNAL_NOTE.match(text):
                    return match.group(0)
                ref = re.search(rb'ref="([A-Z]+\d+)"', match.group(2))
                if ref:
                    row, col = split_ref(ref.group(1).decode())
                    gone.add((row - 1, col - 1))
                return b""
            new = _COMMENT.sub(keep, data)
            if new == data:
                continue
            m.put(part, new)
            removed += len(gone)
            for vml in vmls:
                def keep_shape(match: re.Match) -> bytes:
                    r = re.search(rb"<(?:\w+:)?Row>(\d+)<", match.group(0))
                    c = re.search(rb"<(?:\w+:)?Column>(\d+)<", match.group(0))
                    if r and c and (int(r.group(1)), int(c.group(1))) in gone:
                        return b""
                    return match.group(0)
                m.put(vml, _VML_SHAPE.sub(keep_shape, m.read(vml)))
    return removed



# ------------------------------------------------------------------ workbook.xml

_SHEET_EL = re.compile(rb"<((?:\w+:)?)sheet\b([^>]*?)/>")
_DEFINED = re.compile(rb"<(?:\w+:)?definedName\b([^>]*)>(.*?)</(?:\w+:)?definedName>", re.S)
_EXTREFS = re.compile(rb"<((?:\w+:)?)externalReferences\b.*?</\1externalReferences>|<(?:\w+:)?externalReferences\s*/>", re.S)
_CALCPR = re.compile(rb"<((?:\w+:)?)calcPr\b([^>]*?)(/?)>")
_FILESHARING = re.compile(rb"<(?:\w+:)?fileSharing\b[^>]*/>")
_BOOKVIEW = re.compile(rb"<(?:\w+:)?workbookView\b[^>]*/>")


def edit_workbook(wb: bytes, *, hidden: set[str], dropped: set[str], names_to_drop, new_sheets: list[tuple[str, str]],
                  sheet_names: list[str]) -> bytes:
    """Hide and drop sheets, drop defined names, external references and fileSharing, add sheets,
    and ask Excel to recalculate the (now native) formulas on open."""

    old_index = {n: i for i, n in enumerate(sheet_names)}
    kept = [n for n in sheet_names if n not in dropped]
    new_index = {n: i for i, n in enumerate(kept)}
    prefix = b""

    def sheet(match: re.Match) -> bytes:
        nonlocal prefix
        prefix = match.group(1)
        a = _attrs(match.group(2))
        name = html.unescape(a.get("name", ""))
        if name in dropped:
            return b""
        body = match.group(2)
        if name in hidden:
            body = re.sub(rb'\s+state\s*=\s*"[^"]*"', b"", body) + b' state="hidden"'
        return b"<" + match.group(1) + b"sheet" + body + b"/>"
    wb = _SHEET_EL.sub(sheet, wb)
    max_id = max([int(x) for x in re.findall(rb'sheetId="(\d+)"', wb)] or [0])
    extra = b""
    for i, (name, rid) in enumerate(new_sheets, start=1):
        extra += (b"<" + prefix + b'sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" name="' + escape(name, {'"': "&quot;"}).encode() + b'" sheetId="'
                  + str(max_id + i).encode() + b'" r:id="' + rid.encode() + b'"/>')
    close = re.search(rb"</(?:\w+:)?sheets\s*>", wb)
    wb = wb[:close.start()] + extra + wb[close.start():]

    def defined(match: re.Match) -> bytes:
        a = _attrs(match.group(1))
        text = html.unescape(match.group(2).decode("utf-8"))
        local = a.get("localSheetId")
        if local is not None:
            owner = sheet_names[int(local)] if int(local) < len(sheet_names) else None
            if owner is None or owner in dropped:
                return b""
        if names_to_drop(html.unescape(a.get("name", "")), text):
            return b""
        if local is not None and new_index[owner] != int(local):
            return match.group(0).replace(f'localSheetId="{local}"'.encode(), f'localSheetId="{new_index[owner]}"'.encode())
        return match.group(0)
    wb = _DEFINED.sub(defined, wb)
    wb = re.sub(rb"<((?:\w+:)?)definedNames\b[^>]*>\s*</\1definedNames>", b"", wb)
    wb = _EXTREFS.sub(b"", wb)
    wb = _FILESHARING.sub(b"", wb)

    def view(match: re.Match) -> bytes:
        # The active tab must be a visible sheet that still exists.
        tag = match.group(0)
        a = _attrs(tag)
        active = int(a.get("activeTab", "0"))
        name = sheet_names[active] if active < len(sheet_names) else None
        if name is None or name in dropped or name in hidden:
            tag = re.sub(rb'\s+activeTab="\d+"', b"", tag)
        elif new_index[name] != active:
            tag = tag.replace(f'activeTab="{active}"'.encode(), f'activeTab="{new_index[name]}"'.encode())
        return re.sub(rb'\s+firstSheet="\d+"', b"", tag)
    wb = _BOOKVIEW.sub(view, wb)

    m = _CALCPR.search(wb)
    if m:
        body = re.sub(rb'\s+fullCalcOnLoad\s*=\s*"[^"]*"', b"", m.group(2)).rstrip()
        wb = wb[:m.start()] + b"<" + m.group(1) + b"calcPr" + body + b' fullCalcOnLoad="1"' + (b"/>" if m.group(3) else b">") + wb[m.end():]
    else:
        at = re.search(rb"<(?:\w+:)?(?:oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes|webPublishing|"
                       rb"fileRecoveryPr|webPublishObjects|extLst)\b|</(?:\w+:)?workbook\s*>", wb)
        wb = wb[:at.start()] + b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>' + wb[at.start():]
    del old_index
    return wb


# ------------------------------------------------------------------ styles

_CELLXFS = re.compile(rb"<((?:\w+:)?)cellXfs\b([^>]*)>(.*?)</\1cellXfs>", re.S)


def add_date_style(styles: bytes) -> tuple[bytes, int | None]:
    """Append a cell format with the built-in date format 14; return the new styles and its index
    (None when the style sheet has no cell formats to extend: dates then show as numbers)."""
    m = _CELLXFS.search(styles)
    if m is None or not re.search(rb"<(?:\w+:)?fonts\b", styles):
        return styles, None
    count = len(re.findall(rb"<(?:\w+:)?xf\b", m.group(3)))
    xf = b"<" + m.group(1) + b'xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    attrs = re.sub(rb'count="\d+"', f'count="{count + 1}"'.encode(), m.group(2))
    new = b"<" + m.group(1) + b"cellXfs" + attrs + b">" + m.group(3) + xf + b"</" + m.group(1) + b"cellXfs>"
    return styles[:m.start()] + new + styles[m.end():], count


# ------------------------------------------------------------------ worksheets

_SHEETDATA = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*?(/?)>")
_CELL = re.compile(rb"<((?:\w+:)?)c\b([^>]*?)(?:/>|>(.*?)</\1c\s*>)", re.S)
_ROW = re.compile(rb"<((?:\w+:)?)row\b([^>]*?)(/?)>")
_F = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>.*?</(?:\w+:)?f\s*>)", re.S)
_V = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v\s*>)", re.S)
_T_ATTR = re.compile(rb'\s+t\s*=\s*"[^"]*"')


def _xml_text(s: str) -> bytes:
    return escape(s).encode("utf-8")


def inline_string(text: str, p: bytes = b"") -> bytes:
    return b"<" + p + b'is><' + p + b't xml:space="preserve">' + _xml_text(text) + b"</" + p + b"t></" + p + b"is>"


class SheetEdit:
    """Cell-level edits of one worksheet XML, applied in one pass."""

    def __init__(self, data: bytes):
        self.data = data
        sd = _SHEETDATA.search(data)
        self.p = sd.group(1) if sd else b""
        self.formulas: dict[str, tuple[str, str | None]] = {}   # ref -> (formula, array ref or None)
        self.shared: dict[str, tuple[int, str | None]] = {}     # ref -> (si, range on the anchor / None)
        self.frozen: set[str] = set()
        self.texts: dict[str, tuple[str, bytes | None]] = {}    # new text cells: ref -> (text, style attr)
        self.cleared: set[str] = set()                          # cells emptied (their style kept)

    def set_formula(self, ref: str, formula: str, array_ref: str | None = None) -> None:
        self.formulas[ref] = (formula, array_ref)

    def share_filled_down(self) -> int:
        """Write runs of filled-down formulas as one shared formula, as Excel saves them.

        A run is consecutive rows of one column whose formulas are the anchor's formula moved
        to their cell (checked with openpyxl's Translator, so only true copies share).
        Returns the number of formulas that no longer carry their own text.
        """
        from openpyxl.formula.translate import Translator
        plain = {ref: text for ref, (text, arr) in self.formulas.items() if arr is None}
        by_col: dict[int, list[int]] = {}
        for ref in plain:
            r, c = split_ref(ref)
            by_col.setdefault(c, []).append(r)
        used = [int(x) for x in re.findall(rb'\bsi="(\d+)"', self.data)]
        si = max(used) + 1 if used else 0
        saved = 0
        for c, rows in by_col.items():
            rows.sort()
            i = 0
            while i < len(rows):
                anchor = f"{_letters(c)}{rows[i]}"
                tr = Translator("=" + plain[anchor], anchor)
                j = i + 1
                while j < len(rows) and rows[j] == rows[j - 1] + 1:
                    ref = f"{_letters(c)}{rows[j]}"
                    try:
                        moved = tr.translate_formula(ref)[1:]
                    except Exception:  # noqa: BLE001 - a formula the translator cannot move is not shared
                        break
                    if moved != plain[ref]:
                        break
                    j += 1
                if j - i >= 2:
                    last = f"{_letters(c)}{rows[j - 1]}"
                    self.shared[anchor] = (si, f"{anchor}:{last}")
                    for r in rows[i + 1:j]:
                        self.shared[f"{_letters(c)}{r}"] = (si, None)
                    saved += j - i - 1
                    si += 1
                i = j
        return saved

    def freeze(self, ref: str) -> None:
        self.frozen.add(ref)

    def clear(self, ref: str) -> None:
        self.cleared.add(ref)

    def put_text(self, ref: str, text: str, style: bytes | None = None) -> None:
        self.texts[ref] = (text, style)

    def cell_style(self, ref: str) -> bytes | None:
        for m in _CELL.finditer(self.data):
            a = _attrs(m.group(2))
            if a.get("r", "").replace("$", "").upper() == ref:
                return a.get("s", "").encode() or None
        return None

    def existing_refs(self) -> set[str]:
        return {_attrs(m.group(2)).get("r", "").replace("$", "").upper() for m in _CELL.finditer(self.data)}

    def apply(self) -> bytes:
        p, data = self.p, self.data
        out, pos, seen = [], 0, set()
        for m in _CELL.finditer(data):
            a = _attrs(m.group(2))
            ref = a.get("r", "").replace("$", "").upper()
            if ref not in self.formulas and ref not in self.frozen and ref not in self.texts and ref not in self.cleared:
                continue
            seen.add(ref)
            out.append(data[pos:m.start()])
            out.append(self._cell(m, a, ref))
            pos = m.end()
        out.append(data[pos:])
        data = b"".join(out)
        missing = {r: t for r, t in self.texts.items() if r not in seen}
        return _insert_cells(data, p, missing) if missing else data

    def _cell(self, m: re.Match, a: dict[str, str], ref: str) -> bytes:
        p, attrs, inner = self.p, m.group(2), m.group(3) or b""
        if ref in self.cleared:
            return b"<" + p + b"c" + _T_ATTR.sub(b"", attrs) + b"/>"
        if ref in self.texts:
            text, style = self.texts[ref]
            attrs = _T_ATTR.sub(b"", attrs)
            if style:
                attrs = re.sub(rb'\s+s\s*=\s*"[^"]*"', b"", attrs) + b' s="' + style + b'"'
            return b"<" + p + b"c" + attrs + b' t="inlineStr">' + inline_string(text, p) + b"</" + p + b"c>"
        inner = _F.sub(b"", inner)
        if ref in self.formulas:
            formula, array_ref = self.formulas[ref]
            kind = b' t="array" ref="' + array_ref.encode() + b'"' if array_ref else b""
            f = b"<" + p + b"f" + kind + b">" + _xml_text(formula) + b"</" + p + b"f>"
            if ref in self.shared:
                si, area = self.shared[ref]
                if area:
                    f = (b"<" + p + b'f t="shared" ref="' + area.encode() + b'" si="' + str(si).encode() + b'">'
                         + _xml_text(formula) + b"</" + p + b"f>")
                else:
                    f = b"<" + p + b'f t="shared" si="' + str(si).encode() + b'"/>'

            return b"<" + p + b"c" + attrs + b">" + f + inner + b"</" + p + b"c>"
        # Frozen: the cached value stays as a constant; a formula string becomes an inline string.
        if a.get("t") == "str":
            # <v> and <t> carry text in the same escaped form, so the bytes move over as they are.
            v = _V.search(inner)
            raw = v.group(1) if v and v.group(1) else b""
            if not raw:                                  # "" (an empty period slot): an empty cell
                return b"<" + p + b"c" + _T_ATTR.sub(b"", attrs) + b"/>"
            attrs = _T_ATTR.sub(b"", attrs) + b' t="inlineStr"'
            return (b"<" + p + b"c" + attrs + b"><" + p + b'is><' + p + b't xml:space="preserve">' + raw
                    + b"</" + p + b"t></" + p + b"is></" + p + b"c>")
        if not inner.strip():
            return b"<" + p + b"c" + attrs + b"/>"
        return b"<" + p + b"c" + attrs + b">" + inner + b"</" + p + b"c>"


def _insert_cells(data: bytes, p: bytes, cells: dict[str, tuple[str, bytes | None]]) -> bytes:
    """Insert new inline-string cells into their rows (creating rows as needed), in order."""
    for ref, (text, style) in sorted(cells.items(), key=lambda kv: split_ref(kv[0])):
        row, col = split_ref(ref)
        s = b' s="' + style + b'"' if style else b""
        cell = b"<" + p + b'c r="' + ref.encode() + b'"' + s + b' t="inlineStr">' + inline_string(text, p) + b"</" + p + b"c>"
        sd = _SHEETDATA.search(data)
        if sd.group(2):      # <sheetData/>
            new = b"<" + p + b"sheetData><" + p + b'row r="' + str(row).encode() + b'">' + cell + b"</" + p + b"row></" + p + b"sheetData>"
            data = data[:sd.start()] + new + data[sd.end():]
            continue
        end = data.find(b"</" + p + b"sheetData", sd.end())
        placed = False
        for rm in _ROW.finditer(data, sd.end(), end):
            r = int(_attrs(rm.group(2)).get("r", "0"))
            if r == row:
                if rm.group(3):     # <row .../>
                    data = data[:rm.end() - 2] + b">" + cell + b"</" + p + b"row>" + data[rm.end():]
                else:
                    close = data.find(b"</" + p + b"row", rm.end())
                    at = close
                    for cm in _CELL.finditer(data, rm.end(), close):
                        c = _attrs(cm.group(2)).get("r", "")
                        if c and split_ref(c)[1] > col:
                            at = cm.start()
                            break
                    data = data[:at] + cell + data[at:]
                placed = True
                break
            if r > row:
                new_row = b"<" + p + b'row r="' + str(row).encode() + b'">' + cell + b"</" + p + b"row>"
                data = data[:rm.start()] + new_row + data[rm.start():]
                placed = True
                break
        if not placed:
            end = data.find(b"</" + p + b"sheetData", sd.end())
            new_row = b"<" + p + b'row r="' + str(row).encode() + b'">' + cell + b"</" + p + b"row>"
            data = data[:end] + new_row + data[end:]
    return data


def unselect_tab(sheet: bytes) -> bytes:
    head, sep, rest = sheet.partition(b"<sheetData")
    head = re.sub(rb'(<(?:\w+:)?sheetView\b[^>]*?)\s+tabSelected\s*=\s*"(?:1|true)"', rb"\1", head)
    return head + sep + rest


def _letters(n: int) -> str:
    return col_letters(n)


__all__ = ["Members", "drop_internal_comments", "SheetEdit", "relationships", "drop_relationships", "add_relationship", "collect_garbage",
           "fix_content_types", "scrub_properties", "edit_workbook", "add_date_style", "worksheet_xml",
           "is_dropped_type", "col_number"]
