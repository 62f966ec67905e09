"""Lossless read/patch access to an .xlsx/.xlsm package.

We never load and re-save a workbook through a library: that drops parts it does not
understand. Instead we read the zip members, index the cells of each sheet with a byte-level
scanner (``sheetscan``), and write results by splicing only the affected ``<c>`` elements
(``valuesplice``, ``patch``). Every other byte of every member stays as it was, and members
we do not change keep even their compressed bytes (``zipwrite``).

The package layer, by responsibility:
    package     this class: members, relationships, workbook.xml, shared strings, tables
    sheetscan   reading every cell of sheet XML;  bulkcells  many usual cells at once
    sheetfind   finding given cells again;        cellvalues  decoding and serialising values
    formulas    formula text per cell;            calcpr  recalc on open
    pkgwrite    writing results into the package: valuesplice (one pass), patch (the rest)
    zipwrite    the new zip and its check;        safety  refusing bad files, atomic replace
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from lxml import etree

from sp_xl.ooxml.calcpr import CALCPR
from sp_xl.ooxml.cellvalues import CellDecoder
from sp_xl.ooxml.formulas import sheet_formulas
from sp_xl.ooxml.model import FormulaCell, SheetInfo
from sp_xl.ooxml import pkgwrite
from sp_xl.ooxml.pkgwrite import WriteReport
from sp_xl.ooxml.safety import check_members, check_package_bytes, check_readable, check_utf8, damaged_xml, read_refusal, refuse
from sp_xl.ooxml.visibility import hidden_rows
from sp_xl.ooxml.sheetfind import stored_values
from sp_xl.ooxml.sheetscan import SheetIndex, SheetScan, check_scan, gc_paused, index_sheet, scan_sheet
from sp_xl.ooxml.xmltext import xml_attrs, xstring_decode
from sp_xl.ooxml.zipwrite import assemble_zip, rezip_with_zipfile

_TABLE_REF = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}:[A-Z]{1,3}[1-9][0-9]{0,6}")
_RT_OFFICE_DOCUMENT = "/officeDocument"
_RT_SHARED_STRINGS = "/sharedStrings"
_RT_TABLE = "/table"
_CT_XLSB = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"


class XlsxPackage:
    """An opened workbook package; read-only except for :meth:`with_values`."""

    def __init__(self, data: bytes, name: str = "projektmappe"):
        check_package_bytes(data, name)
        self.name = name
        self.data = data
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            self._infos = self._zip.infolist()
        except (zipfile.BadZipFile, ValueError, OSError):
            raise refuse(f"{name} er beskadiget (zip-pakken er ufuldstændig eller ødelagt) og kan ikke åbnes som "
                         ".xlsx. Brug en tidligere version, fx fra sp-xl-backup, eller gem filen igen i Excel.",
                         f"{name} is damaged (its zip package is incomplete or broken) and cannot be opened as "
                         ".xlsx. Use an earlier version, e.g. from sp-xl-backup, or save the file again in Excel.") from None
        check_members(self._zip, name)
        self._names = {i.filename for i in self._infos}
        # Lookups forgive letter case and Windows backslashes, which some writers produce.
        self._lower = {n.replace("\\", "/").lower(): n for n in self._names}
        self._members: dict[str, bytes] = {}
        self._names_read: dict[str, str] = {}     # name asked for -> zip member read (CRC checked)
        self._indexes: dict[str, SheetIndex] = {}
        self._scans: dict[str, SheetScan] = {}
        self._formulas: list[FormulaCell] | None = None
        self._writable: dict[str, set[str]] | None = None
        self._load_workbook()

    @classmethod
    def open(cls, path) -> XlsxPackage:
        path = Path(path)
        try:
            data = path.read_bytes()
        except (OSError, MemoryError) as exc:
            raise read_refusal(path, exc) from None
        pkg = cls(data, path.name)
        pkg.path = path
        return pkg

    # ---- members

    def member_names(self) -> list[str]:
        return [i.filename for i in self._infos]

    def read(self, name: str) -> bytes:
        if name not in self._members:
            real = name if name in self._names else self._lower.get(name.replace("\\", "/").lower())
            if real is None:
                raise KeyError(name)
            try:
                data = self._zip.read(real)
                check_utf8(self.name, real, data)
                self._members[name] = data
                self._names_read[name] = real
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error):
                raise refuse(f"{self.name} er beskadiget: delen {name} kan ikke pakkes ud. Brug en tidligere "
                             "version, fx fra sp-xl-backup, eller gem filen igen i Excel.",
                             f"{self.name} is damaged: the part {name} cannot be unpacked. Use an earlier "
                             "version, e.g. from sp-xl-backup, or save the file again in Excel.") from None
        return self._members[name]

    def _has(self, name: str) -> bool:
        return name in self._names or name.replace("\\", "/").lower() in self._lower

    def _xml(self, name: str) -> etree._Element:
        try:
            return etree.fromstring(self.read(name), etree.XMLParser(huge_tree=True, resolve_entities=False))
        except etree.XMLSyntaxError as exc:
            raise refuse(*damaged_xml(self.name, name, exc)) from None

    def _rels(self, part: str) -> list[tuple[str, str, str]]:
        """(id, type, resolved target) of a part's relationships."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if not self._has(rels_name):
            return []
        out = []
        for el in self._xml(rels_name):
            if not isinstance(el.tag, str) or etree.QName(el).localname != "Relationship":
                continue
            if el.get("TargetMode") == "External":
                continue
            target = el.get("Target", "")
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out.append((el.get("Id", ""), el.get("Type", ""), resolved))
        return out

    # ---- workbook

    def _load_workbook(self) -> None:
        name = self.name
        if not self._has("[Content_Types].xml"):
            raise refuse(f"{name} er ikke en Excel-projektmappe ([Content_Types].xml mangler).",
                         f"{name} is not an Excel workbook ([Content_Types].xml is missing).")
        wb_part = next((t for _, typ, t in self._rels("") if typ.endswith(_RT_OFFICE_DOCUMENT)), None)
        if wb_part is None or not self._has(wb_part):
            if self._has("content.xml"):
                raise refuse(f"{name} er et OpenDocument-regneark (.ods), ikke en Excel-projektmappe.",
                             f"{name} is an OpenDocument spreadsheet (.ods), not an Excel workbook.")
            raise refuse(f"{name} er ikke en Excel-projektmappe (den indeholder ingen workbook.xml).",
                         f"{name} is not an Excel workbook (it contains no workbook.xml).")
        if wb_part.lower().endswith(".bin") or _CT_XLSB.encode() in self.read("[Content_Types].xml"):
            raise refuse(f"{name} er en binær projektmappe (.xlsb), som sp-xl ikke kan opdatere. Gem den som .xlsx.",
                         f"{name} is a binary workbook (.xlsb), which sp-xl cannot refresh. Save it as .xlsx.")
        if not wb_part.endswith(".xml") or b"spreadsheetml" not in self.read(wb_part)[:4000]:
            raise refuse(f"{name} er en Office-fil, men ikke en Excel-projektmappe.",
                         f"{name} is an Office file, but not an Excel workbook.")
        self.workbook_part = wb_part
        root = self._xml(wb_part)
        rels = {rid: (typ, target) for rid, typ, target in self._rels(wb_part)}
        self.sheets: list[SheetInfo] = []
        self.date1904 = False
        self.defined_names: dict[str, str] = {}
        self.local_names: dict[tuple[str, str], str] = {}
        local_ids: list[tuple[int, str, str]] = []
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            tag = etree.QName(el).localname
            if tag == "workbookPr":
                self.date1904 = el.get("date1904", "0").lower() in ("1", "true")
            elif tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
                typ, target = rels.get(rid, ("", None))
                kind = typ.rsplit("/", 1)[-1] or "worksheet"
                part = target if target and self._has(target) else None
                self.sheets.append(SheetInfo(el.get("name", ""), part, kind, el.get("state", "visible")))
            elif tag == "definedName":
                if el.get("localSheetId") is not None:
                    local_ids.append((int(el.get("localSheetId")), el.get("name", ""), el.text or ""))
                else:
                    self.defined_names[el.get("name", "")] = el.text or ""
        for i, nm, text in local_ids:
            if 0 <= i < len(self.sheets):
                self.local_names[(self.sheets[i].name, nm)] = text
        self.sheet_names = [s.name for s in self.sheets]
        self._by_name = {s.name: s for s in self.sheets}
        self._decoder = CellDecoder(self._load_shared_strings(rels), self.date1904)

    def _load_shared_strings(self, rels: Mapping[str, tuple[str, str]]) -> list[str]:
        part = next((t for typ, t in rels.values() if typ.endswith(_RT_SHARED_STRINGS)), None)
        if part is None or not self._has(part):
            return []
        root = self._xml(part)
        out = []
        for si in root:
            if not isinstance(si.tag, str) or etree.QName(si).localname != "si":
                continue
            # Plain <t>, or the <t> of each rich-text run <r>; phonetic runs (<rPh>) are not shown.
            texts = []
            for part in si:
                if not isinstance(part.tag, str):
                    continue
                local = etree.QName(part).localname
                if local == "t":
                    texts.append(part.text or "")
                elif local == "r":
                    texts.extend(t.text or "" for t in part
                                 if isinstance(t.tag, str) and etree.QName(t).localname == "t")
            out.append(xstring_decode("".join(texts)))
        return out

    # ---- sheets

    def _sheet(self, sheet: str) -> SheetInfo:
        try:
            return self._by_name[sheet]
        except KeyError:
            raise KeyError(f"no sheet named {sheet!r}") from None

    def _part(self, sheet: str) -> str | None:
        info = self._sheet(sheet)
        if info.part is None or info.kind not in ("worksheet", "macrosheet", "dialogsheet"):
            return None
        return info.part

    def sheet_part(self, sheet: str) -> str | None:
        """The zip member of a worksheet's XML (None for a chart sheet or a missing part)."""
        return self._part(sheet)

    @property
    def decoder(self) -> CellDecoder:
        """The reader of cell contents, with this workbook's shared strings and date system."""
        return self._decoder

    @property
    def zip(self) -> zipfile.ZipFile:
        return self._zip

    def _index(self, sheet: str) -> SheetIndex | None:
        """The full index (every row and cell with offsets); only needed to insert cells."""
        part = self._part(sheet)
        if part is None:
            return None
        if sheet not in self._indexes:
            self._indexes[sheet] = index_sheet(self.read(part), sheet)
        return self._indexes[sheet]

    def _scan(self, sheet: str) -> SheetScan | None:
        """Values of every cell, plus offsets of the cells a refresh may write (one pass)."""
        part = self._part(sheet)
        if part is None:
            return None
        if sheet not in self._scans:
            with gc_paused():
                scan = scan_sheet(sheet, self.read(part), self._decoder, lambda: self._index(sheet))
                check_scan(self.name, sheet, part, scan)
                self._scans[sheet] = scan
        return self._scans[sheet]

    def release_xml(self) -> None:
        """Forget the sheets' XML (10^6 cells: some 50 MB) while the engine works: what it
        reads was taken out by the scans. ``scan_with_data`` unpacks a sheet again to write it."""
        for scan in self._scans.values():
            scan.data = None
        for info in self.sheets:
            self._members.pop(info.part, None)
        self._indexes.clear()

    def release_for_writing(self) -> None:
        """Forget what only reading needs, the formula cells and every cell's value (10^6
        cells: some 150 MB), once the values to write are known. Asked for again, they are
        read again from the sheets."""
        self._formulas = None
        for scan in self._scans.values():
            scan.values = None

    def scan_with_data(self, sheet: str) -> SheetScan | None:
        """``_scan`` with the sheet's XML, unpacked again if ``release_xml`` let it go."""
        scan = self._scan(sheet)
        if scan is not None and scan.data is None:
            scan.data = self.read(self._part(sheet))
        return scan

    def hidden_rows(self, sheet: str) -> set[int] | None:
        """The rows the sheet hides; None when rows are hidden unless listed (zeroHeight)."""
        part = self._part(sheet)
        return set() if part is None else hidden_rows(self.read(part))

    def cells(self, sheet: str) -> dict[str, object]:
        """Every cell with a value (constant or cached formula result), keyed by 'B5'."""
        scan = self._scan(sheet)
        if scan is not None and scan.values is None:     # let go by release_for_writing
            del self._scans[sheet]
            scan = self._scan(sheet)
        return {} if scan is None else scan.values

    def formulas(self) -> list[FormulaCell]:
        """Every formula cell in sheet order, shared formulas translated to their cell."""
        if self._formulas is None:
            if any(scan.values is None for scan in self._scans.values()):
                self._scans.clear()                     # let go by release_for_writing: read again
            with gc_paused():
                self._formulas = self._all_formulas()
        return self._formulas

    def _all_formulas(self) -> list[FormulaCell]:
        out: list[FormulaCell] = []
        for info in self.sheets:
            scan = self._scan(info.name)
            if scan is not None:
                out.extend(sheet_formulas(info.name, scan))
                scan.formulas, scan.plain, scan.order = [], ([], [], [], []), None   # now in ``out``
        return out

    def validate(self) -> None:
        """Refuse a damaged package before any work, whichever parts a command needs: every
        sheet scanned, every other XML part well-formed, every member unpacked."""
        self.formulas()
        self.tables()
        sheets = {i.part for i in self.sheets if i.part}
        for n in self._names - sheets:
            if n.lower().endswith((".xml", ".rels")):
                self._xml(n)
        check_readable(self._zip, self.name, set(self._names_read.values()))

    def tables(self) -> dict[str, tuple[str, str, list[str]]]:
        """Table name -> (sheet, 'A1:D20', column names)."""
        out = {}
        for info in self.sheets:
            if info.part is None:
                continue
            for _, typ, target in self._rels(info.part):
                if not typ.endswith(_RT_TABLE) or not self._has(target):
                    continue
                root = self._xml(target)
                cols = [xstring_decode(c.get("name", "")) for c in root.iter()
                        if isinstance(c.tag, str) and etree.QName(c).localname == "tableColumn"]
                name = root.get("displayName") or root.get("name") or target
                ref = (root.get("ref") or "").replace("$", "")
                if not _TABLE_REF.fullmatch(ref):
                    raise refuse(f"{self.name} er beskadiget: tabellen {name} har området '{ref[:20]}', som ikke er "
                                 "et celleområde. Brug en tidligere version, fx fra sp-xl-backup.",
                                 f"{self.name} is damaged: the table {name} has the range '{ref[:20]}', which is "
                                 "not a cell range. Use an earlier version, e.g. from sp-xl-backup.")
                out[name] = (info.name, ref, cols)
        return out

    # ---- writing

    def calc_pr(self) -> dict[str, str] | None:
        m = CALCPR.search(self.read(self.workbook_part))
        return None if m is None else {k: v for k, v in xml_attrs(m.group(2)).items()}

    def with_values(self, values: Mapping[tuple[str, str], object], *,
                    stop_recalc_on_open: bool = False,
                    constants: Mapping[tuple[str, str], float | str] | None = None,
                    hidden: Mapping[str, tuple[Mapping[int, bool], Mapping[int, bool]]] | None = None,
                    report: WriteReport | None = None) -> bytes | None:
        """New package bytes with ``values`` as the cached results of their cells.

        Only formula cells and the cells of array-formula ranges may be given. With
        ``stop_recalc_on_open`` the workbook's calcPr is changed so that Excel shows the
        stored values instead of recalculating everything on open. ``constants`` sets
        non-formula cells (such as the "last refreshed" stamp) to a number or a text.
        ``hidden`` (sheet -> (rows, columns) -> hide?) hides or shows whole rows and columns.
        Returns None when nothing would change. ``report`` is filled with what was written.
        """
        return pkgwrite.with_values(self, values, stop_recalc_on_open=stop_recalc_on_open, constants=constants,
                                    hidden=hidden, report=report)

    def stored_values(self, sheet: str, refs: Iterable[str], formula_refs: set[str] | None = None) -> dict[str, object]:
        """The cached values of some cells, found in place (cheaper than reading the whole sheet);
        a cell that appears more than once gives the list of its values."""
        part = self._part(sheet)
        return {} if part is None else stored_values(self.read(part), refs, formula_refs, self._decoder)

    def writable_cells(self) -> dict[str, set[str]]:
        """Sheet -> the cells a refresh may write: formula cells and the cells of array ranges."""
        if self._writable is None:
            self._writable = pkgwrite.writable_cells(self.formulas())
        return self._writable

    def _rezip(self, replaced: Mapping[str, bytes]) -> bytes:
        """The package with ``replaced`` members: same members, same order, same metadata.

        Unchanged members keep their compressed bytes exactly (copied, not recompressed,
        which also saves most of the time for a big unchanged data sheet); only the
        replaced ones are compressed again. Falls back to ``zipfile`` for what the fast
        writer does not handle (ZIP64 sizes, encrypted or unusual members).
        """
        real = {self.zip_name(k): v for k, v in replaced.items()}
        checked = {self._zip.getinfo(n).header_offset for n in self._names_read.values()}
        fast = assemble_zip(self.data, self._infos, real, self._zip.comment, checked)
        return fast if fast is not None else rezip_with_zipfile(self._zip, real)

    def zip_name(self, name: str) -> str:
        return name if name in self._names else self._lower[name.replace("\\", "/").lower()]
