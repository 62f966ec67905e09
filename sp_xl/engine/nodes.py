"""The formula cells as the engine's nodes: each compiled once per shape, filled-down runs
made one node.

A run (one compiled shape, one column, consecutive rows, no member reading the run
itself) that the column form can evaluate (engine.columns) gets a single node: its first
cell, carrying the run. The other cells get no node of their own unless the run has to
fall back to cell-by-cell evaluation (``Run.expand``): half a million filled-down
formulas then cost a few arrays instead of half a million objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sp_xl.engine import columns as engine_columns
from sp_xl.engine.book import Compiled
from sp_xl.engine.excelfns import SPILLING
from sp_xl.engine.graph import swept
from sp_xl.engine.parse import Unsupported
from sp_xl.engine.refs import parse_area, shape_key

_SPILL_CALL = re.compile(r"(?<![\w.])(?:_xlfn\.(?:_xlws\.)?)?(?:" + "|".join(
    sorted(n.replace(".", r"\.") for n in SPILLING)) + r")\s*\(", re.IGNORECASE)


@dataclass(slots=True)         # many of them: slots build and read faster
class Node:
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
    run: Run | None = None  # this node stands for a whole filled-down run


@dataclass(slots=True)
class Run:
    cells: np.ndarray      # indices into the formula list, in row order (the node's own first)
    rows: np.ndarray
    plan: Callable         # engine.columns: rows -> one value per row

    @property
    def last_row(self) -> int:
        return int(self.rows[-1])

    def expand(self, head: Node, nodes: list[Node], formula_cells) -> list[Node]:
        """A node for every cell of the run (appended to ``nodes``), the head first."""
        members = [head]
        for i, row in zip(self.cells[1:].tolist(), self.rows[1:].tolist()):
            fc = formula_cells[i]
            members.append(Node(len(nodes), head.sheet, head.si, row, head.col, fc.formula, fc.ref,
                                compiled=head.compiled))
            nodes.append(members[-1])
        return members


def build(formula_cells, frows: list[int], fcols: list[int], groups: list[int], book, compiler) -> list[Node]:
    """The nodes of ``formula_cells`` (rows, columns and shape groups alongside)."""
    n = len(formula_cells)
    sheet_index = {name: book.sheet_index.get(name.upper()) for name in {fc.sheet for fc in formula_cells}}
    cache: dict[tuple, Compiled | Unsupported] = {}
    shapes: dict[int, int] = {}                   # id(compiled) -> shape number
    compiled_of: list = [None] * n
    shape = np.full(n, -1, dtype=np.int64)       # -1: not in any run (array, SP_, problem)
    for i, (fc, row, col, group) in enumerate(zip(formula_cells, frows, fcols, groups)):
        si = sheet_index[fc.sheet]
        if si is None:
            continue
        is_array = bool(fc.array_ref)
        key = (si, is_array, group)
        compiled = cache.get(key)
        if compiled is None:
            by_shape = (si, is_array, shape_key(fc.formula, row, col))
            compiled = cache.get(by_shape)
            if compiled is None:
                try:
                    compiled = compiler.compile(fc.formula, si, row, col, is_array)
                except Unsupported as exc:
                    compiled = exc
                cache[by_shape] = compiled
            cache[key] = compiled
        compiled_of[i] = compiled
        if not is_array and isinstance(compiled, Compiled) and not compiled.uses_sp:
            shape[i] = shapes.setdefault(id(compiled), len(shapes))
    runs = _runs(formula_cells, shape, frows, fcols, compiled_of, compiler, sheet_index)
    follower = np.zeros(n, dtype=bool)
    for run in runs.values():
        follower[run.cells[1:]] = True
    nodes: list[Node] = []
    for i in np.flatnonzero(~follower).tolist():
        fc, row, col = formula_cells[i], frows[i], fcols[i]
        si = sheet_index[fc.sheet]
        node = Node(len(nodes), fc.sheet, si if si is not None else -1, row, col, fc.formula, fc.ref)
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
        compiled = compiled_of[i]
        if isinstance(compiled, Unsupported):
            node.problem = (compiled.reason_da, compiled.reason_en)
        else:
            node.compiled = compiled
            node.run = runs.get(i)
    return nodes


def expand_all(nodes: list[Node], formula_cells) -> None:
    """Every run back to one node per cell (for a graph without runs)."""
    for node in list(nodes):
        if node.run is not None:
            node.run.expand(node, nodes, formula_cells)
            node.run = None


def _runs(formula_cells, shape: np.ndarray, frows, fcols, compiled_of, compiler, sheet_index) -> dict[int, Run]:
    """The runs worth a column, by the formula index of their first cell."""
    keep = np.flatnonzero(shape >= 0)
    if keep.size < engine_columns.MIN_RUN:
        return {}
    rows = np.asarray(frows, dtype=np.int64)[keep]
    cols = np.asarray(fcols, dtype=np.int64)[keep]
    shp = shape[keep]               # a shape belongs to one sheet (the compile cache is per sheet)
    order = np.lexsort((rows, cols, shp))
    idx, rows, cols, shp = keep[order], rows[order], cols[order], shp[order]
    breaks = np.flatnonzero((np.diff(shp) != 0) | (np.diff(cols) != 0) | (np.diff(rows) != 1)) + 1
    bounds = np.concatenate(([0], breaks, [idx.size])).tolist()
    columns = engine_columns.ColumnCompiler(compiler)
    plans: dict[tuple[int, int], Callable | None] = {}
    runs: dict[int, Run] = {}
    for a, b in zip(bounds, bounds[1:]):
        if b - a < engine_columns.MIN_RUN:
            continue
        first = int(idx[a])
        compiled, fc = compiled_of[first], formula_cells[first]
        si, row, col, last = sheet_index[fc.sheet], int(rows[a]), int(cols[a]), int(rows[b - 1])
        if _reads_itself(compiled, si, row, last, col):
            continue
        key = (id(compiled), col)           # a shape copied across columns reads other columns
        if key not in plans:
            try:
                plans[key] = columns.compile(fc.formula, si, row, col, compiled.fn)
            except Unsupported:
                plans[key] = None
        if plans[key] is not None:
            runs[first] = Run(idx[a:b].copy(), rows[a:b].copy(), plans[key])
    return runs


def _reads_itself(compiled, si: int, first_row: int, last_row: int, col: int) -> bool:
    """Whether some cell of a run reads a cell of the run (=A1+1 copied down column A)."""
    for t in compiled.refs:
        area = swept(t, first_row, last_row, col)
        if area is not None and t.si == si and area[1] <= col <= area[3] and area[0] <= last_row \
                and first_row <= area[2]:
            return True
    return False
