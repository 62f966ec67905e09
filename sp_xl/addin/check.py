"""Proof without Excel that a built sp_xl.xlam is complete and consistent.

Reads the package with the standard library and the VBA project with oletools' olevba (an
independent reader, not the library that wrote it) and checks:

* the package is an add-in (main part content type) with a VBA project;
* the ribbon is well-formed XML in the Office 2010 customUI namespace, stored as
  customUI/customUI14.xml and related from _rels/.rels with the matching relationship type;
* every module the add-in needs is there, and the xlwings runtime is the installed version
  configured for our project name;
* every ribbon ``onAction`` names a Sub in an existing module taking ``IRibbonControl``;
* the VBA project is version-independent as MS-OVBA prescribes (``_VBA_PROJECT`` version
  0xFFFF with no performance cache, no SRP streams, every module stream pure source with
  MODULEOFFSET 0), read with our own reader in ``sp_xl.addin.ovba``;
* every standard module except the public function modules says ``Option Private Module``;
* every function of the Python registry has its wrapper with the same parameters (names,
  optional or not), calls Python with the right module and name, and is registered for the
  Insert Function dialog; and there is no wrapper or registration for a function the registry
  does not have.
"""

from __future__ import annotations

import posixpath
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import xlwings

from sp_xl.addin import layout as build
from sp_xl.addin import vba_wrappers
from sp_xl.excel.registry import FunctionSpec
from sp_xl.udfs import functions

_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# The attributes our ribbon uses, per element, as the customUI (2009/07) schema defines them
# (a subset: a misspelt one, like onaction, is then caught).
_RIBBON_ATTRIBUTES = {
    "customUI": {"onLoad", "loadImage"},
    "ribbon": {"startFromScratch"},
    "tabs": set(),
    "tab": {"id", "idMso", "idQ", "label", "keytip", "visible", "insertAfterMso", "insertBeforeMso",
            "getLabel", "getVisible", "getKeytip", "tag"},
    "group": {"id", "idMso", "idQ", "label", "keytip", "visible", "screentip", "supertip", "imageMso",
              "insertAfterMso", "insertBeforeMso", "getLabel", "getVisible", "tag", "autoScale"},
    "button": {"id", "idMso", "idQ", "label", "size", "imageMso", "image", "onAction", "screentip", "supertip",
               "keytip", "enabled", "visible", "showLabel", "showImage", "description", "tag", "getEnabled",
               "getLabel", "getImage", "getVisible", "getScreentip", "getSupertip", "insertAfterMso",
               "insertBeforeMso"},
}


@dataclass
class AddinReport:
    path: Path
    modules: dict[str, str] = field(default_factory=dict)    # module name -> source (olevba)
    functions: list[str] = field(default_factory=list)       # SP_ wrappers found
    actions: list[str] = field(default_factory=list)         # ribbon onAction values
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_vba_modules(path: str | Path) -> dict[str, str]:
    """Module name -> source, as olevba reads them from the package."""
    with warnings.catch_warnings():  # olevba's pyparsing grammar warns on import
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        if not parser.detect_vba_macros():
            return {}
        found: dict[str, str] = {}
        for _, _, vba_filename, code in parser.extract_macros():
            found[vba_filename.rsplit(".", 1)[0]] = code
        return found
    finally:
        parser.close()


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def _xlwings_runtime_text() -> list[str]:
    """xlwings' own custom add-in module, as xlwings ships it."""
    return _lines((Path(xlwings.__file__).resolve().parent / "xlwings_custom_addin.bas").read_text(encoding="utf-8"))


def _runtime_without_our_edits(source: str) -> list[str]:
    """The runtime in the add-in with our two edits undone (Attribute lines as olevba keeps them)."""
    lines = [line for line in _lines(source) if line != build.PRIVATE_OPTION]
    return [line.replace(f'PROJECT_NAME As String = "{build.PROJECT_NAME}"', 'PROJECT_NAME As String = "myaddin"')
            for line in lines]


def _procedures(source: str) -> dict[str, str]:
    """Sub name -> its parameter list, for every Sub in a module."""
    pattern = re.compile(r"^\s*(?:Public\s+|Private\s+)?Sub\s+(\w+)\s*\(([^)]*)\)", re.MULTILINE | re.IGNORECASE)
    return {m.group(1): m.group(2) for m in pattern.finditer(source)}


def _check_package(z: zipfile.ZipFile, report: AddinReport) -> None:
    names = set(z.namelist())
    types = ET.fromstring(z.read("[Content_Types].xml"))
    main = {o.get("PartName"): o.get("ContentType") for o in types.iter(_CT_NS + "Override")}
    if main.get("/xl/workbook.xml") != build.ADDIN_CONTENT_TYPE:
        report.problems.append(f"xl/workbook.xml is not an add-in part (content type {main.get('/xl/workbook.xml')})")
    if "xl/vbaProject.bin" not in names:
        report.problems.append("no VBA project (xl/vbaProject.bin)")
    rels = ET.fromstring(z.read("_rels/.rels"))
    ui = [r for r in rels.iter(_RELS_NS + "Relationship") if "ui/extensibility" in (r.get("Type") or "")]
    if len(ui) != 1:
        report.problems.append(f"expected one ribbon relationship in _rels/.rels, found {len(ui)}")
        return
    if ui[0].get("Type") != build.RIBBON_REL_TYPE:
        report.problems.append(f"ribbon relationship type {ui[0].get('Type')} does not match customUI14")
    target = posixpath.normpath((ui[0].get("Target") or "").lstrip("/"))
    if target != build.RIBBON_PART or target not in names:
        report.problems.append(f"ribbon relationship points at {target!r}, expected {build.RIBBON_PART!r} in the package")
        return
    try:
        root = ET.fromstring(z.read(target))
    except ET.ParseError as exc:
        report.problems.append(f"ribbon XML is not well-formed: {exc}")
        return
    if root.tag != f"{{{build.RIBBON_NS}}}customUI":
        report.problems.append(f"ribbon root element is {root.tag}, expected customUI in {build.RIBBON_NS}")
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    if len(ids) != len(set(ids)):
        report.problems.append("ribbon control ids are not unique")
    for e in root.iter():
        local = e.tag.rsplit("}", 1)[-1]
        unknown = set(e.attrib) - _RIBBON_ATTRIBUTES.get(local, set(e.attrib))
        if unknown:
            report.problems.append(f"ribbon <{local} id={e.get('id')!r}> has attributes the schema does not "
                                   f"define: {sorted(unknown)}")
        for attr in ("label", "screentip", "supertip"):
            if len(e.get(attr) or "") > 1024:
                report.problems.append(f"ribbon {e.get('id')}: {attr} is longer than the 1024 characters allowed")
        if e.get("keytip") is not None and not 1 <= len(e.get("keytip")) <= 3:
            report.problems.append(f"ribbon {e.get('id')}: keytip must have 1 to 3 characters")
    report.actions = [e.get("onAction") for e in root.iter() if e.get("onAction")]
    for e in root.iter(f"{{{build.RIBBON_NS}}}button"):
        if not e.get("imageMso") or not e.get("label") or not e.get("screentip"):
            report.problems.append(f"ribbon button {e.get('id')} lacks a label, imageMso or screentip")


def _check_vba_project(vba_bin: bytes, report: AddinReport) -> None:
    from sp_xl.addin.ovba import VERSION_INDEPENDENT, has_private_module_option, read_project

    try:
        info = read_project(vba_bin)
    except Exception as exc:  # noqa: BLE001 - any unreadable project is a problem to report
        report.problems.append(f"cannot read the VBA project per MS-OVBA: {exc}")
        return
    if info.version != VERSION_INDEPENDENT:
        report.problems.append(f"_VBA_PROJECT version is 0x{info.version:04X}, not 0xFFFF (version-independent)")
    if info.cache_size:
        report.problems.append(f"_VBA_PROJECT carries a {info.cache_size}-byte performance cache")
    if info.srp_streams:
        report.problems.append(f"SRP (performance cache) streams present: {info.srp_streams}")
    for m in info.modules:
        if m.offset:
            report.problems.append(f"VBA module {m.name} carries {m.offset} bytes of compiled p-code (MODULEOFFSET)")
        if m.standard and m.name not in build.PUBLIC_MODULES and not has_private_module_option(m.source):
            report.problems.append(f"VBA module {m.name} lacks {build.PRIVATE_OPTION}")
        if m.standard and m.name in build.PUBLIC_MODULES and has_private_module_option(m.source):
            report.problems.append(f"VBA module {m.name} holds worksheet functions but is {build.PRIVATE_OPTION}")


def _check_actions(report: AddinReport) -> None:
    for action in report.actions:
        module, _, proc = action.rpartition(".")
        candidates = [module] if module else list(report.modules)
        found = False
        for m in candidates:
            params = _procedures(report.modules.get(m, "")).get(proc)
            if params is not None:
                found = True
                if not re.fullmatch(r"\s*(ByRef\s+|ByVal\s+)?\w+\s+As\s+IRibbonControl\s*", params, re.IGNORECASE):
                    report.problems.append(f"ribbon callback {action} has parameters ({params}), "
                                           "expected (control As IRibbonControl)")
        if not found:
            report.problems.append(f"ribbon onAction {action!r} names no Sub in the VBA project")


def _check_functions(report: AddinReport, specs: Sequence[FunctionSpec]) -> None:
    wrappers_src = report.modules.get(vba_wrappers.WRAPPER_MODULE, "")
    found = vba_wrappers.parse_wrappers(wrappers_src)
    report.functions = sorted(found)
    expected = vba_wrappers.expected_wrappers(specs)
    for name, params in expected.items():
        if name not in found:
            report.problems.append(f"{name}: in the Python registry but has no VBA wrapper (rebuild the add-in)")
        elif found[name] != params:
            report.problems.append(f"{name}: VBA wrapper parameters {found[name]} differ from the registry {params}")
        elif f'XLPy.CallUDF("{vba_wrappers.UDF_MODULE}", "{name}", ' not in wrappers_src:
            report.problems.append(f"{name}: wrapper does not call {vba_wrappers.UDF_MODULE}.{name}")
    for name in found:
        if name not in expected:
            report.problems.append(f"{name}: VBA wrapper without a function in the Python registry")
    registered = vba_wrappers.parse_registered(report.modules.get(vba_wrappers.REGISTER_MODULE, ""))
    wanted = list(expected) + [f.name for f in vba_wrappers.VBA_ONLY_FUNCTIONS]
    if sorted(registered) != sorted(wanted):
        missing = sorted(set(wanted) - set(registered))
        extra = sorted(set(registered) - set(wanted))
        report.problems.append(f"Insert Function registration differs: missing {missing}, extra {extra}")
    all_src = "\n".join(report.modules.values())
    for f in vba_wrappers.VBA_ONLY_FUNCTIONS:
        if not re.search(rf"^\s*Public Function {f.name}\(", all_src, re.MULTILINE):
            report.problems.append(f"{f.name}: registered but not implemented in VBA")


def check_addin(path: str | Path, specs: Sequence[FunctionSpec] | None = None) -> AddinReport:
    """Check a built add-in; ``report.ok`` is True when nothing is wrong."""
    path = Path(path)
    report = AddinReport(path)
    specs = list(functions() if specs is None else specs)
    try:
        with zipfile.ZipFile(path) as z:
            _check_package(z, report)
            vba_bin = z.read("xl/vbaProject.bin") if "xl/vbaProject.bin" in z.namelist() else b""
    except (OSError, zipfile.BadZipFile, KeyError, ET.ParseError) as exc:
        report.problems.append(f"cannot read {path.name} as an Office package: {exc}")
        return report
    if vba_bin:
        _check_vba_project(vba_bin, report)
    report.modules = read_vba_modules(path)
    for name in build.EXPECTED_MODULES:
        if name not in report.modules:
            report.problems.append(f"VBA module {name} is missing")
    runtime = report.modules.get(build.RUNTIME_MODULE, "")
    if f"'Version: {xlwings.__version__}" not in runtime:
        report.problems.append(f"the xlwings runtime is not version {xlwings.__version__} (the installed xlwings)")
    if f'PROJECT_NAME As String = "{build.PROJECT_NAME}"' not in runtime:
        report.problems.append(f"the xlwings runtime's PROJECT_NAME is not {build.PROJECT_NAME!r}")
    elif runtime and _runtime_without_our_edits(runtime) != _xlwings_runtime_text():
        report.problems.append("the xlwings runtime differs from xlwings' xlwings_custom_addin.bas "
                               "beyond PROJECT_NAME and Option Private Module")
    _check_actions(report)
    _check_functions(report, specs)
    return report
