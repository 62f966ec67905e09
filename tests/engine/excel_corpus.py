"""Compare the engine with the values Microsoft Excel cached in real workbooks.

Every workbook in ``../shared/corpus/excel-computed/`` was last saved by Excel, so each formula
cell's cached value is Excel's own result. ``compare_workbook`` recomputes a workbook through
the same path ``sp-xl refresh`` takes (``recalc.recalculate``, in memory) and sorts every formula
cell into one of the statuses below.

A formula cell counts once (an array formula: once for its whole range, matched only when
every cell of the range matches). Statuses:

- ``matched``: the engine's value equals Excel's (numbers to 1e-9 relative, text exactly,
  logicals, errors by code);
- ``refused``: the engine refused the cell (it keeps Excel's cached value, with a reason);
- ``wrong``: the engine wrote a value different from Excel's, with no refusal;
- ``excluded``: the cell calls a volatile function (NOW, TODAY, RAND, ...), a function defined
  by VBA or an add-in, or depends on such a cell: no reproducible value to compare with.

Used by tests/engine/test_excel_corpus.py and benchmarks/corpus_report.py.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils.formulas import FORMULAE

from sp_xl.engine.recalc import default_evaluate, recalculate
from sp_xl.engine.refs import parse_area, split_sheet
from sp_xl.errors import ExcelError
from sp_xl.ooxml.cellrefs import range_cells, split_ref
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.safety import WorkbookRefused
from sp_xl.ooxml.tokenizer import Token, Tokenizer

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "excel-computed"
KNOWN_FILE = Path(__file__).resolve().parent / "known_differences.csv"

VOLATILE = {"NOW", "TODAY", "RAND", "RANDBETWEEN", "RANDARRAY", "INFO", "CELL"}
_PREFIXES = ("_XLFN._XLWS.", "_XLFN.", "_XLWS.")
REL_TOL = 1e-9
ABS_TOL = 1e-12


@dataclass
class CellResult:
    file: str
    sheet: str
    ref: str
    formula: str
    functions: tuple[str, ...]
    status: str                      # matched / refused / wrong / excluded
    excel: object = None
    engine: object = None
    reason: str = ""

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.ref}"


@dataclass
class WorkbookResult:
    file: str
    cells: list[CellResult] = field(default_factory=list)
    refused_whole: str = ""
    constants_changed: list[str] = field(default_factory=list)   # cells that are not formulas


def workbooks() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.xls[xm]"))


def known_differences() -> dict[tuple[str, str], str]:
    """(file, 'Sheet!A1') -> reason, from the committed list."""
    if not KNOWN_FILE.exists():
        return {}
    with KNOWN_FILE.open(newline="", encoding="utf-8") as fh:
        return {(row["file"], row["cell"]): row["reason"] for row in csv.DictReader(fh)}


def functions_of(formula: str) -> tuple[str, ...]:
    """The functions a formula calls, upper case, without the _xlfn. prefixes."""
    try:
        items = Tokenizer("=" + formula).items
    except Exception:  # noqa: BLE001 - an unreadable formula calls nothing we can name
        return ()
    out = []
    for t in items:
        if t.type == Token.FUNC and t.subtype == Token.OPEN:
            name = t.value[:-1].upper()
            for p in _PREFIXES:
                if name.startswith(p):
                    name = name[len(p):]
                    break
            if name not in out:
                out.append(name)
    return tuple(out)


def _raw_functions(formula: str) -> list[str]:
    try:
        items = Tokenizer("=" + formula).items
    except Exception:  # noqa: BLE001
        return []
    return [t.value[:-1].upper() for t in items if t.type == Token.FUNC and t.subtype == Token.OPEN]


def _not_reproducible(formula: str, names: dict[str, str], seen: frozenset = frozenset()) -> bool:
    """Calls a volatile function, or one that is not Excel's own (VBA, add-in), directly or
    through a defined name."""
    for raw in _raw_functions(formula):
        if raw.startswith("_XLL.") or raw.startswith("_XLUDF."):
            return True
        bare = raw
        for p in _PREFIXES:
            if bare.startswith(p):
                bare = bare[len(p):]
                break
        if bare in VOLATILE:
            return True
        if bare == raw and bare not in FORMULAE:          # not built in, not a newer _xlfn. one
            return True
    for operand in _operands(formula):
        key = operand.upper()
        if key in names and key not in seen:
            if _not_reproducible(names[key], names, seen | {key}):
                return True
    return False


def _operands(formula: str) -> list[str]:
    try:
        items = Tokenizer("=" + formula).items
    except Exception:  # noqa: BLE001
        return []
    return [t.value for t in items if t.type == Token.OPERAND and t.subtype == Token.RANGE]


def _areas(formula: str, sheet: str, names: dict[str, str], depth: int = 0) -> list[tuple]:
    """(sheet upper, r1, c1, r2, c2) of every reference in the formula, names resolved."""
    out = []
    for operand in _operands(formula):
        if operand.upper() in names and depth < 5:
            text = names[operand.upper()]
            out.extend(_areas(text, sheet, names, depth + 1))
            continue
        for part in operand.split(":") if operand.count("!") > 1 else [operand]:
            area = parse_area(part)
            if area is None:
                continue
            s = area.sheet
            if s is None:
                s = sheet
            out.append((s.upper(), area.r1, area.c1, area.r2, area.c2))
    return out


def _same(engine: object, excel: object) -> bool:
    if isinstance(excel, ExcelError) or isinstance(engine, ExcelError):
        return (isinstance(excel, ExcelError) and isinstance(engine, ExcelError)
                and excel.code == engine.code)
    if type(excel) is bool or type(engine) is bool:
        return type(excel) is type(engine) and excel == engine
    if isinstance(excel, float) and isinstance(engine, float):
        return math.isclose(engine, excel, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(excel, str) and isinstance(engine, str):
        return engine == excel
    return False


def compare_workbook(path: Path) -> WorkbookResult:
    out = WorkbookResult(path.name)
    try:
        pkg = XlsxPackage.open(path)
        formulas = pkg.formulas()
    except WorkbookRefused as exc:
        out.refused_whole = exc.args[0] if exc.args else str(exc)
        return out
    names = {k.upper(): v for k, v in pkg.defined_names.items()}
    for (_sheet, name), text in (getattr(pkg, "local_names", None) or {}).items():
        names.setdefault(name.upper(), text)
    try:
        rec = recalculate(pkg, default_evaluate())
        values, problems = rec.values, {(p.sheet, p.ref): p.reason_en for p in rec.problems}
    except WorkbookRefused as exc:
        rec, values, problems = None, {}, {}
        out.refused_whole = exc.args[0] if exc.args else str(exc)
    if rec is not None and rec.new_data is not None:
        out.constants_changed = _constants_changed(pkg, XlsxPackage(rec.new_data, path.name), formulas)

    # every cell a formula fills (an array formula's whole range), for the exclusion closure
    cells: list[tuple[str, str, object]] = []     # (sheet, ref, FormulaCell)
    for f in formulas:
        refs = range_cells(f.array_ref) if f.array_ref else [f.ref]
        for r in refs:
            cells.append((f.sheet, r, f))

    # not reproducible: volatile / VBA calls, and everything that depends on them
    excluded: set[tuple[str, str]] = set()
    for sheet, ref, f in cells:
        if _not_reproducible(f.formula, names):
            excluded.add((sheet.upper(), ref))
    if excluded:
        areas = {(f.sheet, f.ref): _areas(f.formula, f.sheet, names) for f in formulas}
        changed = True
        while changed:
            changed = False
            points = [(s, *split_ref(r)) for s, r in excluded]
            for sheet, ref, f in cells:
                key = (sheet.upper(), ref)
                if key in excluded:
                    continue
                for (s, r1, c1, r2, c2) in areas[(f.sheet, f.ref)]:
                    if any(ps == s and r1 <= pr <= r2 and c1 <= pc <= c2 for ps, pr, pc in points):
                        excluded.add(key)
                        changed = True
                        break

    sheet_cells = {}
    for f in formulas:
        fns = functions_of(f.formula)
        refs = range_cells(f.array_ref) if f.array_ref else [f.ref]
        if any((f.sheet.upper(), r) in excluded for r in refs):
            out.cells.append(CellResult(path.name, f.sheet, f.ref, f.formula, fns, "excluded"))
            continue
        if f.sheet not in sheet_cells:
            sheet_cells[f.sheet] = pkg.cells(f.sheet)
        if (f.sheet, f.ref) not in values:
            reason = problems.get((f.sheet, f.ref)) or out.refused_whole
            out.cells.append(CellResult(path.name, f.sheet, f.ref, f.formula, fns, "refused", f.cached, None, reason))
            continue
        # an array formula counts once: matched only when every cell of its range matches
        result = None
        for r in refs:
            excel = f.cached if r == f.ref else sheet_cells[f.sheet].get(r)
            engine = values.get((f.sheet, r))
            if excel is None:
                excel = 0.0 if isinstance(engine, float) else ""   # no cached value: an empty result
            if not _same(engine, excel):
                result = CellResult(path.name, f.sheet, f.ref, f.formula, fns, "wrong", excel, engine,
                                    "" if r == f.ref else f"cell {r} of {f.array_ref}")
                break
        out.cells.append(result or CellResult(path.name, f.sheet, f.ref, f.formula, fns, "matched", f.cached))
    return out


def _constants_changed(before: XlsxPackage, after: XlsxPackage, formulas) -> list[str]:
    """Cells that are not formula results whose value differs after the refresh."""
    filled = {(f.sheet, r) for f in formulas for r in (range_cells(f.array_ref) if f.array_ref else [f.ref])}
    out = []
    for sheet in before.sheet_names:
        old, new = before.cells(sheet), after.cells(sheet)
        for ref in set(old) | set(new):
            if (sheet, ref) in filled:
                continue
            a, b = old.get(ref), new.get(ref)
            if a != b and not (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)):
                out.append(f"{sheet}!{ref}: {a!r} -> {b!r}")
    return out
