"""Before sharing: is the master fresh, and what would a reader without the add-in see go wrong?

Freshness rule: the master must carry a refresh stamp (the cell named ``sp_SidstOpdateret``
holds a date, not "Endnu ikke opdateret"), every SP_ cell a cached value, and the engine's
recomputation of the master must equal the cached values (to 1e-9); otherwise data changed
after the last refresh, and the copy would carry old numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path

from sp_xl.errors import ExcelError
from sp_xl.i18n import pick
from sp_xl.ooxml import names
from sp_xl.ooxml import safety
from sp_xl.ooxml.cellrefs import range_cells
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.safety import WorkbookRefused
from sp_xl.share.translate import has_sp_call

NAME_LAST_REFRESHED = names.LAST_REFRESHED
NAME_INTERNAL_SHEETS = names.INTERNAL_SHEETS
NOT_REFRESHED_YET = "Endnu ikke opdateret"
_TOLERANCE = 1e-9
_VOLATILE = re.compile(r"(?<![\w.])(TODAY|NOW|RAND|RANDBETWEEN|RANDARRAY|INFO|CELL)\s*\(", re.I)


@dataclass(frozen=True)
class Finding:
    """One thing a reader without the add-in would see go wrong (the pre-send check)."""
    kind: str
    text_da: str
    text_en: str
    cells: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return pick(self.text_da, self.text_en)


# ------------------------------------------------------------------ reading the master

def quote_sheet(sheet: str) -> str:
    return sheet if re.fullmatch(r"[A-Za-z_][\w.]*", sheet) else "'" + sheet.replace("'", "''") + "'"


def name_target(pkg: XlsxPackage, name: str) -> tuple[str, str] | None:
    return names.name_cell(pkg.defined_names, name)


def refresh_stamp(pkg: XlsxPackage) -> tuple[tuple[str, str] | None, object]:
    where = name_target(pkg, NAME_LAST_REFRESHED)
    if where is None or where[0] not in pkg.sheet_names:
        return None, None
    return where, pkg.cells(where[0]).get(where[1])


def internal_sheets(pkg: XlsxPackage) -> list[str]:
    text = pkg.defined_names.get(NAME_INTERNAL_SHEETS, "").strip().strip('"')
    return [s.strip() for s in text.split(";") if s.strip() and s.strip() in pkg.sheet_names]


def serial_to_datetime(x: float, date1904: bool) -> dt.datetime:
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    return epoch + dt.timedelta(days=float(x))


def _same_value(a: object, b: object) -> bool:
    if isinstance(a, ExcelError) or isinstance(b, ExcelError):
        return str(a) == str(b)
    if a is None or a == "":
        a = 0.0 if isinstance(b, (int, float)) and not isinstance(b, bool) else a
    if b is None or b == "":
        b = 0.0 if isinstance(a, (int, float)) and not isinstance(a, bool) else b
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=_TOLERANCE, abs_tol=_TOLERANCE)
    return (a or "") == (b or "")


def refuse_if_stale(pkg: XlsxPackage) -> None:
    name = pkg.name
    where, stamp = refresh_stamp(pkg)
    if where is None:
        raise WorkbookRefused(
            f"{name} har ikke navnet {NAME_LAST_REFRESHED}, så det kan ikke ses, om tallene er opdateret. "
            "Kopien deles kun fra en opdateret arbejdsbog.",
            f"{name} has no name {NAME_LAST_REFRESHED}, so it cannot be seen whether the numbers are up to date. "
            "Copies are only shared from a refreshed workbook.")
    if not isinstance(stamp, (int, float)) or isinstance(stamp, bool):
        raise WorkbookRefused(
            f"{name} er endnu ikke opdateret ({quote_sheet(where[0])}!{where[1]} siger '{stamp or ''}'). "
            "Klik Opdater alle ark på fanen SP Rapport (eller kør sp-xl refresh) og del derefter.",
            f"{name} has not been refreshed yet ({quote_sheet(where[0])}!{where[1]} says '{stamp or ''}'). "
            "Click Refresh on the SP Rapport tab (or run sp-xl refresh), then share.")
    formulas = pkg.formulas()
    missing = [f for f in formulas if f.cached is None and has_sp_call(f.formula)]
    if missing:
        cells = ", ".join(f"{quote_sheet(f.sheet)}!{f.ref}" for f in missing[:5])
        raise WorkbookRefused(
            f"{name}: {len(missing)} SP_-celler har ingen beregnet værdi (fx {cells}). Opdater arbejdsbogen og del derefter.",
            f"{name}: {len(missing)} SP_ cells have no computed value (e.g. {cells}). Refresh the workbook, then share.")
    stale = _stale(pkg, formulas)
    if stale:
        # The report's sentences are in the language of the refresh: stale only if the stored
        # values match neither language.
        from sp_xl import i18n
        with i18n.use_language("en" if i18n.language() == "da" else "da"):
            if not _stale(pkg, formulas):
                return
        cells = ", ".join(f"{quote_sheet(s)}!{r}" for s, r in stale[:5])
        raise WorkbookRefused(
            f"{name} er ikke opdateret efter de seneste ændringer: {len(stale)} formler giver nu andre tal end de gemte "
            f"(fx {cells}). Klik Opdater (eller kør sp-xl refresh) og del derefter.",
            f"{name} is not refreshed after the latest changes: {len(stale)} formulas now give other numbers than the "
            f"stored ones (e.g. {cells}). Click Refresh (or run sp-xl refresh), then share.")


def _stale(pkg: XlsxPackage, formulas) -> list[tuple[str, str]]:
    """The SP_ cells whose stored values differ from what the engine computes now."""
    name = pkg.name
    try:
        from sp_xl.engine.evaluate import evaluate
        result = evaluate(pkg)
    except WorkbookRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - without the engine, freshness cannot be proved
        raise WorkbookRefused(
            f"Det kan ikke bekræftes, at tallene i {name} er opdaterede (beregningsmotoren stoppede med en intern "
            f"fejl, {type(exc).__name__}). Kopien er ikke skrevet. Kør sp-xl refresh, og prøv igen.",
            f"It cannot be confirmed that the numbers in {name} are up to date (the calculation engine stopped with "
            f"an internal error, {type(exc).__name__}). The copy was not written. Run sp-xl refresh and try again.") from None
    skipped = {(p.sheet, p.ref) for p in result.problems}
    cached = {}
    for f in formulas:
        # The SP_ cells are what the copy freezes or re-expresses; volatile formulas differ on every run.
        if not has_sp_call(f.formula) or _VOLATILE.search(f.formula):
            continue
        if f.array_ref:
            values = pkg.cells(f.sheet)
            for ref in range_cells(f.array_ref):
                cached[(f.sheet, ref)] = values.get(ref)
        else:
            cached[(f.sheet, f.ref)] = f.cached
    return [k for k, v in result.values.items() if k in cached and k not in skipped and not _same_value(v, cached[k])]


# ------------------------------------------------------------------ the pre-send check

def check_for_sharing(path) -> list[Finding]:
    """What a reader without the add-in would see go wrong in the file as it is."""
    path = Path(path)
    safety.check_path(path)
    pkg = XlsxPackage.open(path)
    pkg.validate()
    found: list[Finding] = []
    sp_cells = [f for f in pkg.formulas() if has_sp_call(f.formula)]
    if sp_cells:
        cells = tuple(f"{quote_sheet(f.sheet)}!{f.ref}" for f in sp_cells)
        found.append(Finding("sp_cells",
                             f"{len(sp_cells)} celler bruger SP_-funktioner og bliver til #NAME?, når modtagerens Excel "
                             f"genberegner (fx {', '.join(cells[:3])}).",
                             f"{len(sp_cells)} cells use SP_ functions and turn into #NAME? when the reader's Excel "
                             f"recalculates (e.g. {', '.join(cells[:3])}).", cells))
    try:
        from sp_xl.checks.links import scan_package
        links = scan_package(path)
    except Exception:  # noqa: BLE001 - the link scan is advisory; the copy removes links anyway
        links = None
    if links:
        found.append(Finding("addin_links",
                             "Formler peger på en sti til tilføjelsesprogrammet på din pc; hos modtageren giver de "
                             "en advarsel om opdatering af links og #REF!/#NAME?.",
                             "Formulas point at a path to the add-in on your PC; the reader gets an update-links "
                             "warning and #REF!/#NAME?.",
                             tuple(f"{quote_sheet(f.sheet)}!{f.cell}" for f in links.formulas)))
    names = [n.lower() for n in pkg.member_names()]
    if any(n.endswith("vbaproject.bin") for n in names):
        found.append(Finding("vba", "Projektmappen indeholder makroer (VBA); .xlsm-filer blokeres eller markeres ofte "
                                    "af mailfiltre, og modtageren ser en sikkerhedsadvarsel.",
                             "The workbook contains macros (VBA); .xlsm files are often blocked or flagged by mail "
                             "filters, and the reader sees a security warning."))
    externals = [n for n in names if n.startswith("xl/externallinks/") and n.endswith(".xml")]
    if externals:
        found.append(Finding("external_links", f"{len(externals)} eksterne henvisninger til andre filer, som modtageren "
                                               "ikke har (advarsel om opdatering af links, gamle eller manglende tal).",
                             f"{len(externals)} external links to other files the reader does not have (update-links "
                             "warning, old or missing numbers)."))
    if "xl/connections.xml" in names:
        found.append(Finding("connections", "Projektmappen har dataforbindelser, som modtageren ikke kan bruge.",
                             "The workbook has data connections the reader cannot use."))
    internal = internal_sheets(pkg)
    if internal:
        found.append(Finding("internal_sheets", "Interne arbejdsark, som ikke skal deles: " + ", ".join(internal),
                             "Internal working sheets that should not be shared: " + ", ".join(internal)))
    core = pkg.read("docProps/core.xml") if "docProps/core.xml" in pkg.member_names() else b""
    if re.search(rb"<(?:\w+:)?(?:creator|lastModifiedBy)>[^<]+<", core):
        found.append(Finding("personal_metadata", "Dokumentegenskaberne indeholder navne (oprettet af, senest ændret af).",
                             "The document properties contain names (creator, last modified by)."))
    where, stamp = refresh_stamp(pkg)
    if where is not None and not isinstance(stamp, (int, float)):
        found.append(Finding("not_refreshed", "Arbejdsbogen er endnu ikke opdateret; den kan ikke deles før.",
                             "The workbook has not been refreshed yet; it cannot be shared before."))
    return found
