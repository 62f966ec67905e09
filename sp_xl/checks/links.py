"""Finding formulas that point at another PC's copy of sp_xl.xlam.

When Excel saves a workbook that calls add-in functions, it may record the add-in as an
external workbook: an externalLink part whose relationship target is the add-in's full
path, and formulas written as ``[1]!SP_GROWTH(B2:B5)`` (1 = the first external reference
of the workbook). Opened where the add-in sits elsewhere, Excel shows
``'C:\\Users\\anna\\...\\sp_xl.xlam'!SP_GROWTH(B2:B5)``. The add-in repairs these when a
workbook opens (VBA module SpLinks); this module finds them, in a saved package (for the
command line and for tests) and in live formula text read from Excel (for the check
action), so that whatever could not be repaired is reported.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree as ET

from sp_xl import ADDIN_NAME, i18n

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_STRICT_MAIN = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
_REL_ATTR = ("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
             "{http://purl.oclc.org/ooxml/officeDocument/relationships}id")
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

# A live formula with the add-in path in front of a function: 'C:\...\sp_xl.xlam'!SP_X( or
# C:\...\sp_xl.xlam!SP_X( (Excel quotes the path only when it has to).
_LIVE = re.compile(r"(?:'(?P<q>[^']*?" + re.escape(ADDIN_NAME) + r")'|(?P<u>[^\s'(),;=+\-*/&<>^]*?"
                   + re.escape(ADDIN_NAME) + r"))!\s*(?P<fn>[A-Za-z_][\w.]*)\s*\(", re.IGNORECASE)
# A formula in a saved package naming external reference n: [n]!SP_X(...
_PREFIX = re.compile(r"\[(\d+)\]!")


@dataclass(frozen=True)
class AddinLink:
    """An external reference of the workbook that is a copy of the add-in."""

    index: int          # 1-based, as in [1]! in formulas
    part: str           # the externalLink part in the package
    target: str         # the path Excel stored (decoded)


@dataclass(frozen=True)
class LinkedFormula:
    sheet: str
    cell: str
    formula: str
    target: str         # the add-in copy it points at


@dataclass
class LinkReport:
    links: list[AddinLink] = field(default_factory=list)
    formulas: list[LinkedFormula] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.links or self.formulas)

    def describe(self) -> list[str]:
        """Danish lines (English via i18n) for a message or the Kontrol sheet."""
        out = []
        for link in self.links:
            out.append(i18n.pick(
                f"Henvisning til en anden kopi af {ADDIN_NAME}: {link.target}",
                f"Link to another copy of {ADDIN_NAME}: {link.target}"))
        for f in self.formulas:
            out.append(i18n.pick(
                f"{cell_address(f.sheet, f.cell)} bruger {ADDIN_NAME} fra {f.target}: ={f.formula}",
                f"{cell_address(f.sheet, f.cell)} uses {ADDIN_NAME} from {f.target}: ={f.formula}"))
        return out


def cell_address(sheet: str, cell: str) -> str:
    """Sheet!A1, with the sheet name quoted the way Excel writes it when it has to be."""
    quoted = sheet if re.fullmatch(r"[A-Za-z_][\w.]*", sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{quoted}!{cell}"


def is_addin_path(target: str) -> bool:
    """True when a stored link target names a file called sp_xl.xlam (any folder, any form)."""
    path = unquote(target).replace("\\", "/").rstrip("/")
    return posixpath.basename(path).casefold() == ADDIN_NAME.casefold()


class _Package:
    """Zip members by their normalised part names (some writers store 'xl\\workbook.xml')."""

    def __init__(self, z: zipfile.ZipFile):
        self._z = z
        self._names = {n.replace("\\", "/").lstrip("/").casefold(): n for n in z.namelist()}

    def __contains__(self, part: str) -> bool:
        return part.casefold() in self._names

    def read(self, part: str) -> bytes:
        return self._z.read(self._names[part.casefold()])


def _rels(z: _Package, part: str) -> dict[str, ET.Element]:
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in z:
        return {}
    return {r.get("Id"): r for r in ET.fromstring(z.read(rels_name)).iter(_RELS + "Relationship")}


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target)) if folder else posixpath.normpath(target)


def _rid(element: ET.Element) -> str | None:
    for attr in _REL_ATTR:
        if element.get(attr):
            return element.get(attr)
    return None


def _main_part(z: _Package) -> str:
    """The workbook part, wherever the package keeps it (found through _rels/.rels)."""
    if "_rels/.rels" in z:
        for rel in ET.fromstring(z.read("_rels/.rels")).iter(_RELS + "Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                return _resolve("", rel.get("Target", ""))
    return "xl/workbook.xml"


def _iter(root: ET.Element, local: str) -> Iterable[ET.Element]:
    """Every element called ``local`` in the transitional or the strict namespace."""
    for ns in (_MAIN, _STRICT_MAIN):
        yield from root.iter(ns + local)


def _related_part(z: _Package, rels: dict[str, ET.Element], folder: str, element: ET.Element) -> str | None:
    """The package part an element's r:id points at, or None when it is not in the package."""
    rel = rels.get(_rid(element) or "")
    if rel is None:
        return None
    part = _resolve(folder, rel.get("Target", ""))
    return part if part in z else None


def _first_link(text: str, by_index: dict[int, str]) -> str | None:
    """The add-in copy behind the first [n]! in a formula that is one of ``by_index``."""
    return next((by_index[i] for i in map(int, _PREFIX.findall(text)) if i in by_index), None)


def _cells(root: ET.Element) -> Iterable[tuple[str, ET.Element]]:
    """(reference, cell) for every cell; ``r`` is optional in OOXML, and a cell without it
    follows the one before it (some writers, ours included, leave it out)."""
    from openpyxl.utils import column_index_from_string, get_column_letter

    row_number = 0
    for row in _iter(root, "row"):
        row_number = int(row.get("r") or row_number + 1)
        col = 0
        for cell in _iter(row, "c"):
            ref = cell.get("r")
            if ref:
                letters = "".join(ch for ch in ref if ch.isalpha())
                col = column_index_from_string(letters)
            else:
                col += 1
                ref = f"{get_column_letter(col)}{row_number}"
            yield ref, cell


def scan_package(path: str | Path) -> LinkReport:
    """Links to copies of the add-in, and the formulas using them, in a saved workbook."""
    report = LinkReport()
    with zipfile.ZipFile(path) as archive:
        z = _Package(archive)
        main = _main_part(z)
        folder = posixpath.dirname(main)
        workbook_rels = _rels(z, main)
        workbook = ET.fromstring(z.read(main))
        by_index: dict[int, str] = {}
        for index, ref in enumerate(_iter(workbook, "externalReference"), start=1):
            part = _related_part(z, workbook_rels, folder, ref)
            if part is None:
                continue
            link_rels = _rels(z, part)
            book = next(_iter(ET.fromstring(z.read(part)), "externalBook"), None)
            if book is None:
                continue
            path_rel = link_rels.get(_rid(book) or "")
            target = unquote(path_rel.get("Target", "")) if path_rel is not None else ""
            if is_addin_path(target):
                by_index[index] = target
                report.links.append(AddinLink(index, part, target))
        if not by_index:
            return report
        for sheet in _iter(workbook, "sheet"):
            part = _related_part(z, workbook_rels, folder, sheet)
            if part is None:
                continue
            shared: dict[str, str] = {}  # shared formula index -> target of its master
            for ref, cell in _cells(ET.fromstring(z.read(part))):
                f = next(_iter(cell, "f"), None)
                if f is None:
                    continue
                text = f.text or ""
                target = _first_link(text, by_index)
                si = f.get("si")
                if f.get("t") == "shared" and si is not None:
                    if text:
                        if target:
                            shared[si] = target
                    elif si in shared:
                        target = shared[si]
                        text = i18n.pick("(delt formel)", "(shared formula)")
                if target:
                    report.formulas.append(LinkedFormula(sheet.get("name", ""), ref, text, target))
        for name in _iter(workbook, "definedName"):
            target = _first_link(name.text or "", by_index)
            if target:
                report.formulas.append(LinkedFormula(i18n.pick("(navn)", "(name)"), name.get("name", ""),
                                                     name.text or "", target))
    return report


def scan_formulas(cells: Iterable[tuple[str, str, str]], current_addin: str | None = None) -> LinkReport:
    """Formulas (sheet, cell, formula text as Excel shows it) that call SP_ functions through
    a path to a copy of the add-in other than ``current_addin`` (its full path, if known)."""
    report = LinkReport()
    here = (current_addin or "").replace("\\", "/").casefold()
    for sheet, cell, formula in cells:
        if not isinstance(formula, str) or ADDIN_NAME.casefold() not in formula.casefold():
            continue
        for m in _LIVE.finditer(formula):
            target = m.group("q") or m.group("u") or ""
            if here and target.replace("\\", "/").casefold() == here:
                continue
            report.formulas.append(LinkedFormula(sheet, cell, formula.lstrip("="), target))
            break
    return report
