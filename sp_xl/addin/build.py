"""`sp-xl addin build`: the Excel add-in sp_xl.xlam, made from text sources by code.

Inputs, all text kept in the repository or in the installed xlwings package:

* the VBA runtime of xlwings' custom add-ins (``xlwings/xlwings_custom_addin.bas`` with its
  ``PROJECT_NAME`` set to ``sp_xl``, and ``xlwings/addin/Dictionary.cls``) - the same files
  ``xlwings quickstart --addin`` and ``xlwings copy vba --addin`` hand out;
* our VBA modules in ``sp_xl/addin/vba/``;
* the wrappers and Insert Function help generated from the Python registry;
* the ribbon, ``sp_xl/addin/ribbon.xml``, stored as ``customUI/customUI14.xml``.

pyopenvba (MIT, pure Python) writes the VBA project into its Excel-made empty .xlam
template; we then add the ribbon part and write the package again with fixed timestamps,
fixed order and no compression, so the same sources give the same bytes on any machine
(zlib versions differ in their output; stored entries do not). The result replaces the
target atomically.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlwings
from pyopenvba import ExcelFile, VBAModuleKind

from sp_xl import __version__, i18n
from sp_xl.addin import vba_wrappers
from sp_xl.addin.check import AddinReport, check_addin  # noqa: F401  (re-exported)
from sp_xl.addin.ovba import make_version_independent
from sp_xl.addin.layout import (
    ADDIN_NAME,
    CLASS_MODULES,
    PRIVATE_OPTION,
    PROJECT_NAME,
    RIBBON_PART,
    RIBBON_REL_TYPE,
    RUNTIME_MODULE,
    STATIC_MODULES,
)
from sp_xl.addin.vba_text import CODEPAGE, crlf
from sp_xl.excel.registry import FunctionSpec
from sp_xl.udfs import functions

HERE = Path(__file__).resolve().parent
VBA_DIR = HERE / "vba"
RIBBON_SOURCE = HERE / "ribbon.xml"
XLWINGS_DIR = Path(xlwings.__file__).resolve().parent

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# Fixed document dates: the add-in's bytes depend on its sources only.
_CORE_DATE = "2026-01-01T00:00:00Z"


class AddinBuildError(Exception):
    """The add-in could not be built; the message says why (Danish, English via i18n)."""

    def __init__(self, da: str, en: str):
        super().__init__(en)
        self.reason_da, self.reason_en = da, en

    def __str__(self) -> str:
        return i18n.pick(self.reason_da, self.reason_en)


@dataclass(frozen=True)
class VbaModule:
    name: str
    source: str  # CRLF line ends, attribute header included
    kind: VBAModuleKind


def xlwings_runtime() -> str:
    """xlwings' custom add-in VBA runtime, configured for our project name and made private.

    Two edits of xlwings' text, nothing else: PROJECT_NAME, and ``Option Private Module``
    after the module's name, so that none of its ~40 Public helpers (RunPython, GetConfig,
    ...) shows under Insert Function or can be called from a cell.
    """
    path = XLWINGS_DIR / "xlwings_custom_addin.bas"
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    marker = 'Public Const PROJECT_NAME As String = "myaddin"'
    if marker not in text:
        raise AddinBuildError(
            f"xlwings {xlwings.__version__}: {path.name} har ikke den forventede PROJECT_NAME-linje.",
            f"xlwings {xlwings.__version__}: {path.name} lacks the expected PROJECT_NAME line.")
    text = text.replace(marker, f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"')
    head = f'Attribute VB_Name = "{RUNTIME_MODULE}"\n'
    if not text.startswith(head):
        raise AddinBuildError(
            f"xlwings {xlwings.__version__}: {path.name} begynder ikke med {head.strip()}.",
            f"xlwings {xlwings.__version__}: {path.name} does not start with {head.strip()}.")
    return crlf(head + PRIVATE_OPTION + "\n" + text[len(head):])


def vba_modules(specs: Sequence[FunctionSpec] | None = None) -> list[VbaModule]:
    """Every module of the add-in's VBA project except ThisWorkbook, in project order."""
    specs = list(functions() if specs is None else specs)
    taken = {f.name.casefold() for f in vba_wrappers.VBA_ONLY_FUNCTIONS} | {
        n.casefold() for n in (*STATIC_MODULES, *CLASS_MODULES, RUNTIME_MODULE, "Dictionary",
                               vba_wrappers.WRAPPER_MODULE, vba_wrappers.REGISTER_MODULE)}
    clash = [s.name for s in specs if s.name.casefold() in taken]
    if clash:
        raise AddinBuildError(
            f"Funktionsnavne, der allerede bruges i VBA-projektet: {', '.join(clash)}. Omdøb dem i sp_xl.udfs.",
            f"Function names already used in the VBA project: {', '.join(clash)}. Rename them in sp_xl.udfs.")
    mods = [
        VbaModule(RUNTIME_MODULE, xlwings_runtime(), VBAModuleKind.standard),
        VbaModule("Dictionary", crlf((XLWINGS_DIR / "addin" / "Dictionary.cls").read_text(encoding="utf-8")),
                  VBAModuleKind.other),
        VbaModule(vba_wrappers.WRAPPER_MODULE, crlf(vba_wrappers.wrapper_module(specs)), VBAModuleKind.standard),
        VbaModule(vba_wrappers.REGISTER_MODULE, crlf(vba_wrappers.register_module(specs)), VBAModuleKind.standard),
    ]
    mods += [VbaModule(n, crlf((VBA_DIR / f"{n}.bas").read_text(encoding="utf-8")), VBAModuleKind.standard)
             for n in STATIC_MODULES]
    mods += [VbaModule(n, crlf((VBA_DIR / f"{n}.cls").read_text(encoding="utf-8")), VBAModuleKind.other)
             for n in CLASS_MODULES]
    for m in mods:
        try:
            m.source.encode(CODEPAGE)
        except UnicodeEncodeError as exc:
            raise AddinBuildError(
                f"VBA-modulet {m.name} indeholder tegn, som VBA-projektets tegnsæt ({CODEPAGE}) ikke kan gemme: "
                f"{m.source[exc.start:exc.end]!r}.",
                f"VBA module {m.name} has characters the VBA project's code page ({CODEPAGE}) cannot hold: "
                f"{m.source[exc.start:exc.end]!r}.") from None
    return mods


def this_workbook_body() -> str:
    return crlf((VBA_DIR / "ThisWorkbook.cls").read_text(encoding="utf-8"))


def ribbon_xml() -> bytes:
    return RIBBON_SOURCE.read_bytes()


def _core_properties() -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>SP Rapport</dc:title>"
        "<dc:description>SP_-funktioner og båndet SP Rapport til statusrapporten om Sundhedsplatformen "
        f"(sp_xl {__version__}, xlwings {xlwings.__version__}).</dc:description>"
        "<dc:creator>sp_xl</dc:creator><cp:lastModifiedBy>sp_xl</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{_CORE_DATE}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{_CORE_DATE}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()


def _with_ribbon_relationship(rels: bytes) -> bytes:
    text = rels.decode("utf-8")
    if RIBBON_PART in text:
        return rels
    ids = [int(n) for n in re.findall(r'Id="rId(\d+)"', text)]
    rel = f'<Relationship Id="rId{max(ids, default=0) + 1}" Type="{RIBBON_REL_TYPE}" Target="{RIBBON_PART}"/>'
    return text.replace("</Relationships>", rel + "</Relationships>", 1).encode("utf-8")


def _write_package(parts: dict[str, bytes]) -> bytes:
    """A zip with fixed order, timestamps and attributes: same parts -> same bytes."""
    first = ["[Content_Types].xml", "_rels/.rels"]
    order = [n for n in first if n in parts] + sorted(n for n in parts if n not in first)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 0
            info.external_attr = 0
            z.writestr(info, parts[name])
    return buf.getvalue()


def addin_bytes(specs: Sequence[FunctionSpec] | None = None) -> bytes:
    """The complete .xlam as bytes."""
    modules = vba_modules(specs)
    with tempfile.TemporaryDirectory(prefix="sp_xl_addin_") as tmp:
        work = Path(tmp) / ADDIN_NAME
        book = ExcelFile.create_new(work)
        try:
            project = book.vba_project()
            project.delete_module("Module1")  # the template's empty module
            for m in modules:
                project.add_module(m.name, m.source, kind=m.kind)
            book.set_module("ThisWorkbook", this_workbook_body())
            book.save()
        finally:
            book.close()
        with zipfile.ZipFile(work) as z:
            parts = {n: z.read(n) for n in z.namelist()}
    # MS-OVBA for every Office version: 0xFFFF, no cache, no p-code (sp_xl.addin.ovba).
    parts["xl/vbaProject.bin"] = make_version_independent(parts["xl/vbaProject.bin"])
    parts[RIBBON_PART] = ribbon_xml()
    parts["_rels/.rels"] = _with_ribbon_relationship(parts["_rels/.rels"])
    parts["docProps/core.xml"] = _core_properties()
    return _write_package(parts)


def default_output() -> Path:
    """install/sp_xl.xlam in a source checkout, else sp_xl.xlam in the current folder."""
    install = HERE.parents[1] / "install"
    return install / ADDIN_NAME if install.is_dir() else Path.cwd() / ADDIN_NAME


def build_addin(out_path: str | os.PathLike | None = None,
                specs: Sequence[FunctionSpec] | None = None) -> Path:
    """Build the add-in and write it atomically to ``out_path``; returns the path."""
    out = Path(out_path) if out_path is not None else default_output()
    if out.suffix.lower() != ".xlam":
        raise AddinBuildError(f"Tilføjelsesprogrammet skal have endelsen .xlam, ikke {out.name!r}.",
                              f"The add-in must end in .xlam, not {out.name!r}.")
    if out.name.lower() != ADDIN_NAME:
        # The link repair in SpLinks recognises other copies by this exact file name.
        raise AddinBuildError(f"Tilføjelsesprogrammet skal hedde {ADDIN_NAME} (ikke {out.name}).",
                              f"The add-in must be called {ADDIN_NAME} (not {out.name}).")
    if not out.parent.is_dir():
        raise AddinBuildError(f"Mappen {out.parent} findes ikke.", f"The folder {out.parent} does not exist.")
    data = addin_bytes(specs)
    fd, tmp = tempfile.mkstemp(prefix=".~sp_xl_", suffix=".xlam", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates 0600; an add-in is an ordinary shared file.
        os.chmod(tmp, out.stat().st_mode & 0o777 if out.exists() else 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
