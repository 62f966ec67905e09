"""The formula engine behind ``sp-xl refresh``: recompute every formula of a workbook package.

How it works:
1. Load constants and cached values of every sheet into one numpy object grid per sheet
   (engine.loading).
2. Compile each formula once per *shape* (engine.refs.shape_groups: filled-down formulas
   share one compiled closure), with Excel built-ins from the ``formulas`` package and SP_
   functions from our registry; a filled-down run becomes one node evaluated as a column
   (engine.nodes, engine.columns, engine.kernels).
3. Build the dependency graph (engine.graph: a multi-cell range is one node, so a few
   hundred SUMIFS over the same 100,000-row columns do not make 100,000 edges each) and
   order it topologically.
4. Evaluate in that order, writing each result into the grid for the formulas after it.
   Cells left on a cycle of the graph are computed in the order their reads demand
   (engine.cycles); a real circular reference is reported.

Honesty rule: a formula the engine cannot evaluate (unknown function, unknown name or table,
cycle, a cell it depends on could not be evaluated, a locale-dependent text conversion it
does not reproduce, ...) becomes a ``Problem`` naming sheet and cell, and gets no value, so
the caller keeps its old cached value.

Checked against LibreOffice (en-US and da-DK) and against the values Excel cached in real
files: tests/engine/test_engine.py, tests/engine/test_excel_corpus.py (with
benchmarks/corpus_report.py). Speed: benchmarks/bench_scale.py, bench_engine.py.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine import columns as engine_columns
from sp_xl.engine import cycles as engine_cycles
from sp_xl.engine import graph as engine_graph
from sp_xl.engine import iteration as engine_iteration
from sp_xl.engine import nodes as engine_nodes
from sp_xl.engine.compile import Book, Compiler
from sp_xl.engine.lambdas import UNCALLED, Lambda
from sp_xl.engine.loading import cell_positions, load_book
from sp_xl.engine.parse import Unsupported
from sp_xl.engine.refs import cell_ref, parse_area, shape_groups
from sp_xl.engine.textnum import use_date_system
from sp_xl.engine.values import EMPTY, ERRORS, excel_error, use_locale
from sp_xl.ooxml.model import FormulaNote

Problem = FormulaNote  # a formula the engine could not evaluate, and why


@dataclass
class Evaluation:
    values: dict[tuple[str, str], object] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _sp_registry() -> tuple[dict[str, Callable], str | None]:
    """Our SP_ worksheet functions by Excel name, or why they could not be loaded."""
    try:
        from sp_xl.udfs import functions
        return {spec.name.upper(): spec.func for spec in functions()}, None
    except Exception as exc:  # noqa: BLE001 - reported on every SP_ cell instead
        return {}, f"{type(exc).__name__}: {exc}"


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
    # values) and few reference cycles; the cyclic GC rescanning them all cost about a
    # fifth of the run time.
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
            # The engine's grids and closures hold each other (a few cycles): free them now,
            # before the caller writes the results, rather than at some later collection
            # that would also walk every object the engine made (they are all still young).
            gc.collect(0)


_FEATURES = ("SP_", "SUBTOTAL(", "AGGREGATE(", "FORMULATEXT(", "OFFSET(", "INDIRECT(")


def _features(formula_cells, chunk: int = 1 << 16) -> set[str]:
    """Which of the texts in _FEATURES occur in any formula (upper-cased, in chunks so the
    joined text of half a million formulas is never held at once)."""
    found: set[str] = set()
    for start in range(0, len(formula_cells), chunk):
        text = "\n".join(fc.formula for fc in formula_cells[start:start + chunk]).upper()
        found.update(f for f in _FEATURES if f in text)
    return found


def _evaluate(pkg, progress, sp_functions) -> Evaluation:
    formula_cells = list(pkg.formulas())
    features = _features(formula_cells)
    sp_error = None
    if sp_functions is None:
        # importing the registry loads xlwings (~1 s): only when a formula may call SP_
        uses_sp = "SP_" in features
        sp_functions, sp_error = _sp_registry() if uses_sp else ({}, None)
    sp_functions = {k.upper(): v for k, v in sp_functions.items()}
    frows, fcols = cell_positions([fc.ref for fc in formula_cells])
    frows, fcols = frows.tolist(), fcols.tolist()
    book = load_book(pkg, formula_cells, (frows, fcols), sp_functions)
    book.sp_load_error = sp_error
    nested = ("SUBTOTAL(", "AGGREGATE(") if "SUBTOTAL(" in features or "AGGREGATE(" in features else ()
    for fc, r, c in zip(formula_cells, frows, fcols) if nested else ():
        upper = fc.formula.upper()
        si = book.sheet_index.get(fc.sheet.upper())
        if si is not None and "SUBTOTAL(" in upper:
            book.subtotal_cells.setdefault(si, set()).add((r, c))
        if si is not None and "AGGREGATE(" in upper:
            book.aggregate_cells.setdefault(si, set()).add((r, c))
    if "FORMULATEXT(" in features:
        for fc, r, c in zip(formula_cells, frows, fcols):
            si = book.sheet_index.get(fc.sheet.upper())
            area = parse_area(fc.array_ref) if fc.array_ref else None
            cells = [(r, c)] if area is None else [(rr, cc) for rr in range(area.r1, area.r2 + 1)
                                                   for cc in range(area.c1, area.c2 + 1)]
            for rc in cells:
                book.formula_texts[(si, *rc)] = (fc.formula, area is not None)
    if "OFFSET(" in features or "INDIRECT(" in features:
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
    if book.subtotal_cells or "AGGREGATE(" in features:
        getter = getattr(pkg, "hidden_rows", None)
        book.hidden_rows = {si: (getter(name) if getter else set()) for si, name in enumerate(book.sheet_names)}
    compiler = Compiler(book)
    result = Evaluation()

    # -- compile (once per shape); filled-down runs as one node each --------------------
    groups = shape_groups([fc.formula for fc in formula_cells], frows, fcols) if formula_cells else []
    nodes = engine_nodes.build(formula_cells, frows, fcols, groups, book, compiler)
    del groups
    graph = engine_graph.Graph(nodes, len(book.sheet_names))
    if graph.cycle_through_run:
        engine_nodes.expand_all(nodes, formula_cells)
        graph = engine_graph.Graph(nodes, len(book.sheet_names), collapse=False)
    deps, range_members, on_cycle = graph.deps, graph.range_members, graph.on_cycle

    # -- evaluate ---------------------------------------------------------------------
    total = len(formula_cells)  # cells on a cycle are never evaluated; they count as done at the end
    step = max(1, total // 100)
    bad: dict[int, str] = {}  # node -> "Sheet!A1" of the first cell that could not be computed
    n = len(nodes)
    range_culprit: dict[int, str | None] = {}

    run_bad: dict[int, str] = {}  # a run's node -> its first cell that could not be computed

    def culprit_of(d: int) -> str | None:
        if d < n:
            return run_bad.get(d) or bad.get(d)
        if d not in range_culprit:  # all members are evaluated by now (topological order)
            range_culprit[d] = next((c for c in map(culprit_of, range_members[d - n]) if c is not None), None)
        return range_culprit[d]

    def one(i: int, reads: list[int]) -> None:
        node = nodes[i]
        if node.problem is None and bad:          # nothing has failed yet: nothing to inherit
            culprit = next((c for c in map(culprit_of, reads) if c is not None), None)
            if culprit is not None and run_bad:      # perhaps only another cell of a run failed
                culprit = graph.first_bad_read(node, bad)
            if culprit is not None:
                node.problem = (f"Afhænger af {culprit}, som ikke kunne beregnes.",
                                f"Depends on {culprit}, which could not be calculated.")
        if node.problem is None:
            _evaluate_node(node, book, result)
        if node.problem is not None:
            bad[i] = f"{node.sheet}!{node.ref}"

    done = 0
    for i in graph.order:
        run = graph.runs.get(i)
        if run is None:
            one(i, deps[i])
        elif (bad and any(culprit_of(d) for d in deps[i])) or not _evaluate_run(nodes[i], run, formula_cells,
                                                                                 book, result):
            nodes[i].run = None
            members = run.expand(nodes[i], nodes, formula_cells)
            for m in members:                     # cell by cell, each with what it reads itself
                one(m.index, graph.node_deps(m) if bad else ())
            first_bad = next((bad[m.index] for m in members if m.index in bad), None)
            if first_bad is not None:
                run_bad[i] = first_bad            # the run's node stands for all its cells
        size = 1 if run is None else len(run.rows)
        done += size
        if progress is not None and done // step != (done - size) // step:
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


def _evaluate_node(node: engine_nodes.Node, book: Book, result: Evaluation) -> None:
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
    if type(value) is Lambda:
        node.problem = UNCALLED
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


def _evaluate_run(head, run, formula_cells, book: Book, result: Evaluation) -> bool:
    """Evaluate a run's cells at once; False (and nothing written) when the column form
    gives up, so the caller goes cell by cell."""
    rows = run.rows
    try:
        with np.errstate(all="ignore"):
            values = engine_columns.as_objects(run.plan(rows), len(rows)).tolist()
    except Exception:  # noqa: BLE001 - Abandon, or a failure the cell-by-cell path reports per cell
        return False
    book.reasons = {}
    for k, v in enumerate(values):
        t = type(v)
        if t is float or t is str or t is bool:
            continue
        if v is EMPTY:       # Excel: a formula that reads an empty cell holds 0, not a blank
            values[k] = 0.0
        elif isinstance(v, np.generic):
            values[k] = v.item()
        elif not isinstance(v, XlError):     # an array, an uncalled LAMBDA: cell by cell reports it
            return False
    column = np.empty(len(values), dtype=object)
    column[:] = values
    book.grids[head.si][rows - 1, head.col - 1] = column
    out, sheet = result.values, head.sheet
    for i, v in zip(run.cells.tolist(), values):
        t = type(v)
        out[(sheet, formula_cells[i].ref)] = v if t is float or t is str or t is bool else _output(v, book)
    book.fast.invalidate(head.si, head.col, head.col)
    return True


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
