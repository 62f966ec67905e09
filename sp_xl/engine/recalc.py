"""Recalculating a package in memory: every formula evaluated, the results spliced in, checked.

``recalculate`` is the core of ``sp-xl refresh`` without the file around it: the engine's
values become the formulas' cached values (``XlsxPackage.with_values``), the refresh stamp
is written, and the new package is read back cell by cell before anyone may replace a file
with it. A formula the engine could not compute keeps its old cached value and is listed.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from sp_xl.errors import ExcelError
from sp_xl.ooxml import names
from sp_xl.ooxml.cellrefs import range_cells
from sp_xl.ooxml.cellvalues import serialise_value
from sp_xl.ooxml.model import FormulaNote
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.safety import WorkbookRefused
from sp_xl.ooxml.visibility import slot_areas, slot_visibility

_SP_CALL = re.compile(r"(?<![\w.])(?:\[\d+\]!|'[^']*'!|[\w.\\:/ -]+!)?SP_[A-Z0-9_]+\s*\(", re.I)


def uses_sp_functions(formulas) -> bool:
    return any(_SP_CALL.search(f.formula) for f in formulas)


@dataclass
class Recalculation:
    values: dict                       # (sheet, ref) -> value written as the cached result
    problems: list = field(default_factory=list)   # FormulaNotes: kept their old value
    new_data: bytes | None = None      # the new package; None when nothing changes
    stop_recalc: bool = False          # calcPr told Excel to keep the stored values


def default_evaluate():
    """The engine, computing each workbook in the Excel language it lives in (excel_locale)."""
    try:
        from sp_xl.engine.evaluate import evaluate
    except ImportError as exc:
        raise WorkbookRefused(f"Beregningsmotoren kan ikke indlæses ({exc}).",
                              f"The calculation engine cannot be loaded ({exc}).") from None
    return lambda pkg, progress=None: evaluate(pkg, progress, locale=excel_locale(pkg))


def excel_locale(pkg: XlsxPackage) -> str:
    """How numbers become text (TEXT, "&", FIXED, ...): as in the Excel the workbook is used
    in. SP_XL_EXCEL_LOCALE says it ("da-DK"/"en-US"); otherwise a workbook made by sp_xl (it
    names the refresh stamp or the report period) is the region's, kept in Danish Excel, and
    any other workbook is taken to be computed by an English Excel."""
    chosen = os.environ.get("SP_XL_EXCEL_LOCALE")
    if chosen:
        return chosen
    defined = {name.lower() for name in pkg.defined_names}
    ours = {names.LAST_REFRESHED.lower(), names.REPORT_PERIOD.lower()}
    return "da-DK" if defined & ours else "en-US"


def recalculate(pkg: XlsxPackage, evaluate: Callable, progress=None,
                lap: Callable[[str], None] = lambda _: None) -> Recalculation:
    """Evaluate every formula of ``pkg`` and build the package holding the results.

    Raises WorkbookRefused when the results cannot be written or do not read back.
    ``lap(name)`` is called after each stage (evaluate, write, verify) for timings.
    """
    formulas = pkg.formulas()
    result = evaluate(pkg, progress) if formulas else None
    lap("evaluate")
    values = dict(result.values) if result else {}
    problems = list(result.problems) if result else []

    # A problem cell keeps its old cached value, whatever the engine may have put there; for an
    # array formula that means its whole range, so the range stays one consistent result.
    ranges = {(f.sheet, f.ref): f.array_ref for f in formulas if f.array_ref}
    for p in problems:
        values.pop((p.sheet, p.ref), None)
        for ref in range_cells(ranges[(p.sheet, p.ref)]) if (p.sheet, p.ref) in ranges else ():
            values.pop((p.sheet, ref), None)
    reported = {(p.sheet, p.ref) for p in problems}
    for f in formulas:                    # a formula the engine silently skipped is a problem too
        if (f.sheet, f.ref) not in values and (f.sheet, f.ref) not in reported:
            problems.append(FormulaNote(f.sheet, f.ref, f.formula,
                                         "Beregningsmotoren gav ingen værdi for formlen.",
                                         "The calculation engine gave no value for the formula."))
    writable = _writable(pkg)
    stray = [k for k in values if k not in writable]
    for k in stray:                      # never overwrite a constant the engine should not touch
        values.pop(k)

    stop_recalc = bool(formulas) and uses_sp_functions(formulas)
    hidden = _slot_visibility(pkg, values)
    stamp = _stamp(pkg, writable)
    try:
        new_data = pkg.with_values(values, stop_recalc_on_open=stop_recalc, constants=stamp, hidden=hidden)
    except zipfile.BadZipFile:                      # a part we copy as it is turned out damaged
        raise WorkbookRefused(f"{pkg.name} er beskadiget: en del af pakken passer ikke med sin kontrolsum. "
                              "Filen er ikke ændret; brug en tidligere version, fx fra sp-xl-backup.",
                              f"{pkg.name} is damaged: a part of the package does not match its checksum. "
                              "The file was not changed; use an earlier version, e.g. from sp-xl-backup.") from None
    except ValueError:
        raise WorkbookRefused(f"Resultaterne kunne ikke skrives i {pkg.name}, fordi et ark har en form, sp-xl ikke "
                              "kan skrive i. Filen er ikke ændret; åbn og gem den i Excel, og prøv igen.",
                              f"The results could not be written to {pkg.name} because a sheet has a shape sp-xl "
                              "cannot write into. The file was not changed; open and save it in Excel and try "
                              "again.") from None
    lap("write")
    if new_data is not None:
        _verify(new_data, values, {(f.sheet, f.ref) for f in formulas}, pkg.name)
        lap("verify")
    return Recalculation(values, problems, new_data, stop_recalc)


def _stamp(pkg: XlsxPackage, formula_cells: set[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """The refresh time as a date serial for the workbook's stamp cell, when it names one."""
    where = names.name_cell(pkg.defined_names, names.LAST_REFRESHED)
    if where is None:
        return {}
    sheet, ref = where
    if sheet not in pkg.sheet_names or (sheet, ref) in formula_cells:
        return {}  # a stamp that is a formula (or points nowhere) is the workbook's own business
    epoch = dt.datetime(1904, 1, 1) if pkg.date1904 else dt.datetime(1899, 12, 30)
    now = dt.datetime.now().replace(microsecond=0)
    return {(sheet, ref): (now - epoch) / dt.timedelta(days=1)}


def _writable(pkg: XlsxPackage) -> set[tuple[str, str]]:
    out = set()
    for f in pkg.formulas():
        out.add((f.sheet, f.ref))
        if f.array_ref:
            out.update((f.sheet, r) for r in range_cells(f.array_ref))
    return out


def _slot_visibility(pkg: XlsxPackage, values: dict) -> dict:
    """Rows and columns of the report views to hide or show, from the new values (see
    ``sp_xl.ooxml.names``: the ``sp_Vis_`` names)."""
    areas = slot_areas(pkg.defined_names, names.VISIBILITY_PREFIX)
    if not areas:
        return {}

    def value_of(sheet: str, ref: str) -> object:
        key = (sheet, ref)
        return values[key] if key in values else pkg.cells(sheet).get(ref) if sheet in pkg.sheet_names else None

    return slot_visibility({s: a for s, a in areas.items() if s in pkg.sheet_names}, value_of)


def _verify(new_data: bytes, values: dict, anchors: set, name: str) -> None:
    """Find every written cell in the new package: it must be there once, with the value written."""
    try:
        check = XlsxPackage(new_data, name)
        by_sheet: dict[str, dict[str, object]] = {}
        for (sheet, ref), value in values.items():
            by_sheet.setdefault(sheet, {})[ref.replace("$", "").upper()] = value
        anchors_by_sheet: dict[str, set[str]] = {}
        for s, r in anchors:
            anchors_by_sheet.setdefault(s, set()).add(r)
        for sheet, wanted in by_sheet.items():
            formula_refs = anchors_by_sheet.get(sheet, set())
            stored = check.stored_values(sheet, wanted, formula_refs)
            for ref, value in wanted.items():
                got = stored.get(ref, "<missing>")
                if type(value) is float and type(got) is float and got == value and math.isfinite(value):
                    continue      # a finite float's written text reads back as itself (repr round-trips)
                want_t, want_v = serialise_value(value, check.date1904)
                if not _same(got, value, want_t, want_v):
                    raise AssertionError(f"{sheet}!{ref}: wrote {value!r}, read back {got!r}")
    except (WorkbookRefused, AssertionError) as exc:
        where = str(exc).split(":", 1)[0] if isinstance(exc, AssertionError) else ""
        at_da, at_en = (f" (cellen {where} læste ikke den skrevne værdi tilbage)",
                        f" (the cell {where} did not read back the value written)") if where else ("", "")
        raise WorkbookRefused(
            f"Den opdaterede udgave af {name} kunne ikke kontrolleres{at_da}. Filen er ikke ændret. "
            "Kontakt sp_xl-teamet med filen.",
            f"The refreshed version of {name} failed its check{at_en}. The file was not changed. "
            "Contact the sp_xl team with the file.") from None


def _same(got, value, want_t, want_v) -> bool:
    if want_t == "e":
        return isinstance(got, ExcelError) and got.code == want_v.decode()
    if want_t == "b":
        return got is value
    if want_t is None:
        return type(got) is float and got == float(want_v)
    return got == str(value)
