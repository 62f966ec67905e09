"""The cell store compiled formulas read (``Book``), and what compiling gives: the closure
and the references it reads, as templates relative to the formula's cell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sp_xl import errors as sp_errors
from sp_xl.engine.views import ColumnCache
from sp_xl.engine.refs import MAX_COL, MAX_ROW, RefVal
from sp_xl.engine.values import EMPTY, filled


@dataclass
class Book:
    """The cell store the compiled formulas read from."""

    sheet_names: list[str]
    grids: list[np.ndarray]
    date1904: bool
    names: dict[str, str]
    max_row: int = 1
    max_col: int = 1
    sp_functions: dict[str, Callable] = field(default_factory=dict)
    reasons: dict[str, sp_errors.ExcelError] = field(default_factory=dict)  # SP error reasons of the current cell
    fast: ColumnCache | None = None
    tables: dict = field(default_factory=dict)  # upper-case name -> engine_tables.Table
    local_names: dict = field(default_factory=dict)  # (SHEET, NAME) upper-case -> formula text
    sp_load_error: str | None = None
    subtotal_cells: dict = field(default_factory=dict)  # si -> {(row, col)} of SUBTOTAL formulas
    aggregate_cells: dict = field(default_factory=dict)  # si -> {(row, col)} of AGGREGATE formulas
    hidden_rows: dict = field(default_factory=dict)  # si -> rows the sheet hides (None: unknown)
    formula_cells: dict = field(default_factory=dict)  # si -> {(row, col)} of every formula cell
    formula_texts: dict = field(default_factory=dict)  # (si, row, col) -> (formula, is array) for FORMULATEXT

    def __post_init__(self) -> None:
        self.sheet_index = {n.upper(): i for i, n in enumerate(self.sheet_names)}

    def get(self, si: int, r: int, c: int) -> object:
        g = self.grids[si]
        if r <= g.shape[0] and c <= g.shape[1]:
            return g[r - 1, c - 1]
        return EMPTY

    def clipped(self, ref: RefVal) -> tuple[int, int]:
        """Last row and column of ``ref`` worth reading: a reference running to the sheet's
        edge (A:A, 3:3, A2:A1048576) stops where the workbook's cells stop."""
        r2 = ref.r2 if ref.r2 < MAX_ROW else max(ref.r1, min(ref.r2, self.max_row))
        c2 = ref.c2 if ref.c2 < MAX_COL else max(ref.c1, min(ref.c2, self.max_col))
        return r2, c2

    def values(self, ref: RefVal) -> np.ndarray:
        g = self.grids[ref.si]
        r2, c2 = self.clipped(ref)
        h, w = r2 - ref.r1 + 1, c2 - ref.c1 + 1
        if r2 <= g.shape[0] and c2 <= g.shape[1]:
            return g[ref.r1 - 1:r2, ref.c1 - 1:c2].copy()
        out = filled((h, w), EMPTY)
        rr = min(r2, g.shape[0]) - ref.r1 + 1
        cc = min(c2, g.shape[1]) - ref.c1 + 1
        if rr > 0 and cc > 0:
            out[:rr, :cc] = g[ref.r1 - 1:ref.r1 - 1 + rr, ref.c1 - 1:ref.c1 - 1 + cc]
        return out


@dataclass(frozen=True, slots=True)
class RefTemplate:
    """An area relative to the formula's cell: rel flags say which parts move with it."""

    si: int
    r1: int
    c1: int
    r2: int
    c2: int
    rel_r1: bool
    rel_c1: bool
    rel_r2: bool
    rel_c2: bool

    def at(self, r: int, c: int) -> tuple[int, int, int, int] | None:
        r1 = r + self.r1 if self.rel_r1 else self.r1
        c1 = c + self.c1 if self.rel_c1 else self.c1
        r2 = r + self.r2 if self.rel_r2 else self.r2
        c2 = c + self.c2 if self.rel_c2 else self.c2
        if r1 < 1 or c1 < 1 or r2 > MAX_ROW or c2 > MAX_COL:
            return None
        return r1, c1, r2, c2


@dataclass
class Compiled:
    fn: Callable[[int, int], object]
    refs: list[RefTemplate]
    uses_sp: bool
