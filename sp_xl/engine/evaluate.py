"""The formula engine behind ``sp-xl refresh``: recompute every formula of a workbook package.

How it works:
1. Load constants and cached values of every sheet into one numpy object grid per sheet.
2. Compile each formula once per *shape* (``refs.shape_key``: filled-down formulas
   share one compiled closure), with Excel built-ins from the ``formulas`` package and SP_
   functions from our registry.
3. Build the dependency graph (a multi-cell range is one node, so a few hundred SUMIFS over
   the same 100,000-row columns do not make 100,000 edges each) and order it topologically.
4. Evaluate in that order, writing each result into the grid for the formulas after it.
   Cells left on a cycle of the graph are computed in the order their reads demand
   (engine.cycles); a real circular reference is reported.

Honesty rule: a formula the engine cannot evaluate (unknown function, unknown name or table,
cycle, a cell it depends on could not be evaluated, a locale-dependent text conversion it
does not reproduce, ...) becomes a ``Problem`` naming sheet and cell, and gets no value, so
the caller keeps its old cached value.

Checked against LibreOffice (en-US and da-DK) and against the values Excel cached in real
files: tests/engine/test_engine.py, tests/engine/test_excel_corpus.py (with
benchmarks/corpus_report.py). Speed: benchmarks/bench_engine.py.
"""

from __future__ import annotations

import datetime as _dt
import gc
import os
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine import cycles as engine_cycles
from sp_xl.engine import fast as engine_fast
from sp_xl.engine import iteration as engine_iteration

from sp_xl.engine import tables as engine_tables
from sp_xl.engine.compile import Book, Compiled, Compiler
from sp_xl.engine.excelfns import SPILLING
from sp_xl.engine.parse import Unsupported
from sp_xl.engine.textnum import use_date_system
from sp_xl.engine.refs import (
    FastKeys,
    cell_ref,
    parse_area,
    parse_cell,
    shape_key,
)
from sp_xl.engine.values import (
    EMPTY,
    ERRORS,
    excel_error,
    filled,
    from_outside,
    use_locale,
)
from sp_xl.ooxml.model import FormulaNote

Problem = FormulaNote  # a formula the engine could not evaluate, and why
_SPILL_CALL = re.compile(r"(?<![\w.])(?:_xlfn\.(?:_xlws\.)?)?(?:" + "|".join(
    sorted(n.replace(".", r"\.") for n in SPILLING)) + r")\s*\(", re.IGNORECASE)


@dataclass
class Evaluation:
    values: dict[tuple[str, str], object] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)         # 10^5 of them for a filled-down column: slots build and read faster
class _Node:
    index: int
    sheet: str
    si: int
    row: int
    col: int
    formula: str
    ref: str = ""
    rows: int = 1          # size of the array range (1x1 for a normal formula)
    cols: int = 1
    is_array: bool = False
    spills: bool = False   # an array formula calling an Excel 365 spilling function
    compiled: Compiled | None = None
    problem: tuple[str, str] | None = None


def _sp_registry() -> tuple[dict[str, Callable], str | None]:
    """Our SP_ worksheet functions by Excel name, or why they could not be loaded."""
    try:
        from sp_xl.udfs import functions
        return {spec.name.upper(): spec.func for spec in functions()}, None
    except Exception as exc:  # noqa: BLE001 - reported on every SP_ cell instead
        return {}, f"{type(exc).__name__}: {exc}"


_EPOCH_1900 = _dt.datetime(1899, 12, 30)
_EPOCH_1904 = _dt.datetime(1904, 1, 1)


def _outside_value(v: object, date1904: bool) -> object:
    if isinstance(v, _dt.date):  # datetime is a date too
        if not isinstance(v, _dt.datetime):
            v = _dt.datetime(v.year, v.month, v.day)
        delta = v - (_EPOCH_1904 if date1904 else _EPOCH_1900)
        return delta.days + delta.seconds / 86400.0 + delta.microseconds / 86400e6
    if isinstance(v, _dt.time):
        return (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400.0
    return from_outside(v)


_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGIT = "0123456789"


def _positions(refs: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of many 'B5'-style references (the package's keys), fast.

    Built from C-level ``map`` calls over str methods (no Python frame per reference):
    a 100,000-row sheet has 600,000 keys.
    """
    try:
        rows = np.fromiter(map(int, map(str.lstrip, refs, repeat(_UPPER))), dtype=np.int64, count=len(refs))
        letters = list(map(str.rstrip, refs, repeat(_DIGIT)))
        number = {k: parse_cell(k + "1")[1] for k in set(letters)}
        cols = np.fromiter(map(number.__getitem__, letters), dtype=np.int64, count=len(refs))
    except (ValueError, TypeError):  # not plain 'B5' keys: parse one by one
        pairs = [parse_cell(r) for r in refs]
        rows = np.array([p[0] for p in pairs], dtype=np.int64)
        cols = np.array([p[1] for p in pairs], dtype=np.int64)
    return rows, cols


def _load_book(pkg, formula_cells, positions, sp_functions) -> Book:
    sheet_names = list(pkg.sheet_names)
    sizes = {name: [1, 1] for name in sheet_names}
    loaded: dict[str, tuple[np.ndarray, np.ndarray, list]] = {}
    date1904 = bool(pkg.date1904)
    for name in sheet_names:
        cells = pkg.cells(name)
        rows, cols = _positions(list(cells))
        values = [v if type(v) is float else _outside_value(v, date1904) for v in cells.values()]
        loaded[name] = (rows, cols, values)
        if len(values):
            sizes[name] = [int(rows.max()), int(cols.max())]
    for fc, r, c in zip(formula_cells, *positions):
        size = sizes.setdefault(fc.sheet, [1, 1])
        area = parse_area(fc.array_ref) if fc.array_ref else None
        if area is not None:
            r, c = area.r2, area.c2
        if r > size[0]:
            size[0] = int(r)
        if c > size[1]:
            size[1] = int(c)
    grids = []
    for name in sheet_names:
        mr, mc = sizes[name]
        grid = filled((mr, mc), EMPTY)
        rows, cols, values = loaded[name]
        if values:
            arr = np.empty(len(values), dtype=object)
            arr[:] = values
            grid[rows - 1, cols - 1] = arr
        grids.append(grid)
    book = Book(sheet_names, grids, date1904, dict(pkg.defined_names),
                max_row=max(s[0] for s in sizes.values()) if sizes else 1,
                max_col=max(s[1] for s in sizes.values()) if sizes else 1,
                sp_functions=sp_functions)
    book.fast = engine_fast.ColumnCache(book)
    book.tables = engine_tables.load_tables(pkg)
    book.local_names = {(sheet.upper(), name.upper()): text
                        for (sheet, name), text in (getattr(pkg, "local_names", None) or {}).items()}
    return book


def _output(v: object, book: Book) -> object:
    if v is EMPTY:
        return 0.0
    if isinstance(v, XlError):
        code = str(v)
        return book.reasons.get(code) or excel_error(v)
    if isinstance(v, np.generic):
        return v.item()
    return v


_LOCALE_ALIASES = {"en": "en-US", "en-us": "en-US", "da": "da-DK", "da-dk": "da-DK"}


def evaluate(pkg, progress: Callable[[int, int], None] | None = None, *,
             sp_functions: dict[str, Callable] | None = None, locale: str | None = None) -> Evaluation:
    """Recompute every formula of ``pkg`` (an ``XlsxPackage``).

    ``sp_functions`` (Excel name -> worksheet function) defaults to the SP_ registry; tests
    may pass their own. ``locale`` is the language of the Excel the workbook lives in, which
    decides how numbers become text ("en-US": 0.5 and TRUE; "da-DK": 0,5 and SAND); default
    from the environment variable SP_XL_EXCEL_LOCALE, else "en-US".
    """
    # The engine allocates many small, long-lived objects (graph lists, closures, grid
    # values) and no reference cycles worth collecting; the cyclic GC rescanning them all
    # cost about a fifth of the run time.
    was_enabled = gc.isenabled()
    locale = _LOCALE_ALIASES.get((locale or os.environ.get("SP_XL_EXCEL_LOCALE", "en-US")).lower())
    if locale is None:
        raise ValueError("locale must be 'en-US' or 'da-DK'")
    gc.disable()
    try:
        with use_locale(locale), use_date_system(bool(getattr(pkg, "date1904", False))):
            return _evaluate(pkg, progress, sp_functions)
    finally:
        if was_enabled:
            gc.enable()


def _evaluate(pkg, progress, sp_functions) -> Evaluation:
    formula_cells = list(pkg.formulas())
    all_upper = "\n".join(fc.formula for fc in formula_cells).upper()   # which features occur at all
    sp_error = None
    if sp_functions is None:
        # importing the registry loads xlwings (~1 s): only when a formula may call SP_
        uses_sp = "SP_" in all_upper
        sp_functions, sp_error = _sp_registry() if uses_sp else ({}, None)
    sp_functions = {k.upper(): v for k, v in sp_functions.items()}
    frows, fcols = _positions([fc.ref for fc in formula_cells])
    frows, fcols = frows.tolist(), fcols.tolist()
    book = _load_book(pkg, formula_cells, (frows, fcols), sp_functions)
    book.sp_load_error = sp_error
    nested = ("SUBTOTAL(", "AGGREGATE(") if "SUBTOTAL(" in all_upper or "AGGREGATE(" in all_upper else ()
    for fc, r, c in zip(formula_cells, frows, fcols) if nested else ():
        upper = fc.formula.upper()
        si = book.sheet_index.get(fc.sheet.upper())
        if si is not None and "SUBTOTAL(" in upper:
            book.subtotal_cells.setdefault(si, set()).add((r, c))
        if si is not None and "AGGREGATE(" in upper:
            book.aggregate_cells.setdefault(si, set()).add((r, c))
    if "FORMULATEXT(" in all_upper:
        for fc, r, c in zip(formula_cells, frows, fcols):
            si = book.sheet_index.get(fc.sheet.upper())
            area = parse_area(fc.array_ref) if fc.array_ref else None
            cells = [(r, c)] if area is None else [(rr, cc) for rr in range(area.r1, area.r2 + 1)
                                                   for cc in range(area.c1, area.c2 + 1)]
            for rc in cells:
                book.formula_texts[(si, *rc)] = (fc.formula, area is not None)
    if "OFFSET(" in all_upper or "INDIRECT(" in all_upper:
        for fc, r, c in zip(formula_cells, frows, fcols):
            si = book.sheet_index.get(fc.sheet.upper())
            if si is None:
                continue
            cells = book.formula_cells.setdefault(si, set())
            area = parse_area(fc.array_ref) if fc.array_ref else None
            if area is None:
                cells.add((r, c))
            else:
                cells.update((rr, cc) for rr in range(area.r1, area.r2 + 1) for cc in range(area.c1, area.c2 + 1))
    if book.subtotal_cells or "AGGREGATE(" in all_upper:
        getter = getattr(pkg, "hidden_rows", None)
        book.hidden_rows = {si: (getter(name) if getter else set()) for si, name in enumerate(book.sheet_names)}
    compiler = Compiler(book)
    result = Evaluation()

    # -- compile (once per shape) ----------------------------------------------------
    nodes: list[_Node] = []
    cache: dict[tuple, Compiled | Unsupported] = {}
    fast_keys = FastKeys()
    sheet_index = {name: book.sheet_index.get(name.upper()) for name in {fc.sheet for fc in formula_cells}}
    for fc, row, col in zip(formula_cells, frows, fcols):
        si = sheet_index[fc.sheet]
        node = _Node(len(nodes), fc.sheet, si if si is not None else -1, row, col, fc.formula, fc.ref)
        nodes.append(node)
        if si is None:
            node.problem = (f"Arket '{fc.sheet}' findes ikke.", f"The sheet '{fc.sheet}' does not exist.")
            continue
        if fc.array_ref:
            area = parse_area(fc.array_ref)
            if area is None:
                node.problem = (f"Matrixområdet {fc.array_ref} kan ikke læses.",
                                f"The array range {fc.array_ref} cannot be read.")
                continue
            (node.rows, node.cols), node.is_array = area.shape, True
            node.spills = bool(_SPILL_CALL.search(fc.formula))
        fast_key = (si, node.is_array, fast_keys.key(fc.formula, row, col))
        compiled = cache.get(fast_key)
        if compiled is None:
            key = (si, node.is_array, shape_key(fc.formula, row, col))
            compiled = cache.get(key)
            if compiled is None:
                try:
                    compiled = compiler.compile(fc.formula, si, row, col, node.is_array)
                except Unsupported as exc:
                    compiled = exc
                cache[key] = compiled
            cache[fast_key] = compiled
        if isinstance(compiled, Unsupported):
            node.problem = (compiled.reason_da, compiled.reason_en)
        else:
            node.compiled = compiled

    order, on_cycle, deps, range_members = _order(nodes, book)

    # -- evaluate ---------------------------------------------------------------------
    total = len(nodes)  # cells on a cycle are never evaluated; they count as done at the end
    step = max(1, total // 100)
    bad: dict[int, str] = {}  # node -> "Sheet!A1" of the first cell that could not be computed
    n = len(nodes)
    range_culprit: dict[int, str | None] = {}

    def culprit_of(d: int) -> str | None:
        if d < n:
            return bad.get(d)
        if d not in range_culprit:  # all members are evaluated by now (topological order)
            range_culprit[d] = next((bad[m] for m in range_members[d - n] if m in bad), None)
        return range_culprit[d]

    for done, i in enumerate(order, 1):
        node = nodes[i]
        if node.problem is None and bad:          # nothing has failed yet: nothing to inherit
            culprit = next((c for c in map(culprit_of, deps[i]) if c is not None), None)
            if culprit is not None:
                node.problem = (f"Afhænger af {culprit}, som ikke kunne beregnes.",
                                f"Depends on {culprit}, which could not be calculated.")
        if node.problem is None:
            _evaluate_node(node, book, result)
        if node.problem is not None:
            bad[i] = f"{node.sheet}!{node.ref}"
        if progress is not None and done % step == 0:
            progress(done, total)
    if on_cycle:   # on a cycle of the static graph: computed in the order their reads demand
        calc_pr = getattr(pkg, "calc_pr", None)
        iterate, count, delta = engine_iteration.settings_of(calc_pr() if callable(calc_pr) else None)
        run = lambda nd: _evaluate_node(nd, book, result)  # noqa: E731
        stuck = engine_cycles.resolve(nodes, on_cycle, book, run, iterate)
        if iterate and stuck:   # the workbook allows circular references: Excel iterates them
            engine_iteration.iterate(nodes, stuck, deps, range_members, book, run, result.values, count, delta)
    for node in nodes:
        if node.problem is not None:
            result.problems.append(Problem(node.sheet, node.ref, node.formula, *node.problem))
    if progress is not None:
        progress(total, total)
    return result


def _evaluate_node(node: _Node, book: Book, result: Evaluation) -> None:
    book.reasons = {}
    try:
        value = node.compiled.fn(node.row, node.col)
    except Unsupported as exc:
        node.problem = (exc.reason_da, exc.reason_en)
        return
    except engine_cycles.NeedCell:
        raise
    except RecursionError:
        node.problem = ("Formlen er for dybt indlejret til at blive beregnet.", "The formula is nested too deeply.")
        return
    except Exception as exc:  # noqa: BLE001 - reported, never a traceback for the user
        node.problem = (f"Formlen kunne ikke beregnes ({type(exc).__name__}: {exc}).",
                        f"The formula could not be calculated ({type(exc).__name__}: {exc}).")
        return
    grid = book.grids[node.si]
    if node.is_array:
        if node.spills:
            shape = value.shape if isinstance(value, np.ndarray) else (1, 1)
            if shape != (node.rows, node.cols):
                node.problem = (f"Resultatet fylder {shape[0]}x{shape[1]} celler, men formlens område i filen er "
                                f"{node.rows}x{node.cols}; Excel ville flytte cellerne omkring, så det understøttes ikke.",
                                f"The result takes {shape[0]}x{shape[1]} cells but the formula's range in the file is "
                                f"{node.rows}x{node.cols}; Excel would spill differently, so it is not supported.")
                return
        block = _fill_array(value, node.rows, node.cols)
        for dr in range(node.rows):
            for dc in range(node.cols):
                v = block[dr][dc]
                if v is EMPTY:
                    v = 0.0
                grid[node.row - 1 + dr, node.col - 1 + dc] = v
                result.values[(node.sheet, cell_ref(node.row + dr, node.col + dc))] = _output(v, book)
        book.fast.invalidate(node.si, node.col, node.col + node.cols - 1)
        return
    t = type(value)
    if t is not float and t is not str and t is not bool:
        if value is EMPTY:      # Excel: a formula that reads an empty cell holds 0, not a blank
            value, t = 0.0, float
        elif isinstance(value, np.ndarray):
            node.problem = ("Formlen giver flere værdier (en matrix), men cellen er ikke en matrixformel.",
                            "The formula returns several values (an array), but the cell is not an array formula.")
            return
    grid[node.row - 1, node.col - 1] = value
    version = book.fast.version  # a written column invalidates cached range views over it
    key = (node.si, node.col)
    version[key] = version.get(key, 0) + 1
    result.values[(node.sheet, node.ref)] = value if t is float or t is str or t is bool else _output(value, book)


def _fill_array(value: object, rows: int, cols: int) -> list[list[object]]:
    """Excel's array-formula fill: a scalar repeats, a single row/column repeats across the
    range, and cells beyond a smaller result get #N/A."""
    na = ERRORS["#N/A"]
    if not isinstance(value, np.ndarray):
        return [[value] * cols for _ in range(rows)]
    h, w = value.shape
    out = []
    for i in range(rows):
        line = []
        for j in range(cols):
            si = 0 if h == 1 else i
            sj = 0 if w == 1 else j
            line.append(value[si, sj] if si < h and sj < w else na)
        out.append(line)
    return out


def _order(nodes: list[_Node], book: Book):
    """Topological order of the formula nodes (Kahn), the nodes left on or behind a cycle,
    each node's dependencies, and the members of each range node (ids n, n+1, ...).

    A multi-cell range read by a formula is one extra node that depends on every formula
    cell inside it; identical ranges share that node.
    """
    n = len(nodes)
    owner: list[dict[tuple[int, int], int]] = [dict() for _ in book.sheet_names]
    for node in nodes:
        if node.si < 0:
            continue
        own = owner[node.si]
        if not node.is_array:
            own[(node.row, node.col)] = node.index
            continue
        for dr in range(node.rows):
            for dc in range(node.cols):
                own[(node.row + dr, node.col + dc)] = node.index
    # per sheet and column: sorted rows that hold formula cells, and their owners
    columns: list[dict[int, tuple[np.ndarray, np.ndarray]]] = []
    for own in owner:
        by_col: dict[int, list[tuple[int, int]]] = {}
        for (r, c), idx in own.items():
            by_col.setdefault(c, []).append((r, idx))
        packed = {}
        for c, lst in by_col.items():
            lst.sort()
            packed[c] = (np.fromiter((x[0] for x in lst), dtype=np.int64, count=len(lst)),
                         np.fromiter((x[1] for x in lst), dtype=np.int64, count=len(lst)))
        columns.append(packed)

    range_ids: dict[tuple[int, int, int, int, int], int] = {}
    range_members: list[list[int]] = []
    deps: list[list[int]] = [[] for _ in range(n)]
    max_row, max_col = 1_048_576, 16_384
    for node in nodes:
        comp = node.compiled
        if comp is None:
            continue
        row, col = node.row, node.col
        mine = deps[node.index]
        for t in comp.refs:
            r1 = row + t.r1 if t.rel_r1 else t.r1
            c1 = col + t.c1 if t.rel_c1 else t.c1
            r2 = row + t.r2 if t.rel_r2 else t.r2
            c2 = col + t.c2 if t.rel_c2 else t.c2
            if r1 < 1 or c1 < 1 or r2 > max_row or c2 > max_col:
                continue  # #REF! at run time; depends on nothing
            if r1 == r2 and c1 == c2:
                d = owner[t.si].get((r1, c1))
                if d is not None and d not in mine:
                    mine.append(d)
                continue
            key = (t.si, r1, c1, r2, c2)
            rid = range_ids.get(key)
            if rid is None:
                members: list[int] = []
                for c, (rows, ids) in columns[t.si].items():
                    if c1 <= c <= c2:
                        lo, hi = np.searchsorted(rows, [r1, r2 + 1])
                        if hi > lo:
                            members.extend(ids[lo:hi].tolist())
                rid = n + len(range_members)
                range_ids[key] = rid
                range_members.append(list(dict.fromkeys(members)))
            if rid not in mine:
                mine.append(rid)
    total = n + len(range_members)
    all_deps = deps + range_members
    indegree = [len(d) for d in all_deps]  # a self-reference is never satisfied: a cycle
    dependents: list[list[int]] = [[] for _ in range(total)]
    for i, ds in enumerate(all_deps):
        for d in ds:
            dependents[d].append(i)
    queue = deque(i for i in range(total) if indegree[i] == 0)
    order: list[int] = []
    while queue:
        i = queue.popleft()
        if i < n:
            order.append(i)
        for j in dependents[i]:
            indegree[j] -= 1
            if indegree[j] == 0:
                queue.append(j)
    done = set(order)
    on_cycle = [i for i in range(n) if i not in done]
    return order, on_cycle, deps, range_members
