"""The dependency graph of a workbook's formulas and the order to evaluate them in.

Nodes are the formula cells (an array formula is one node for its whole range). A
multi-cell range read by a formula is one extra node that depends on every formula cell
inside it; identical ranges share that node, so a few hundred SUMIFS over the same
100,000 rows do not make 100,000 edges each.

A filled-down run that the engine evaluates as a column (engine.columns) is one node too,
its first member standing for all: the run depends on the union of the areas its members
read, and every cell of the run counts as that node for the formulas reading it. A run
whose members read each other (=A1+1 copied down column A) is never collapsed. The union
can make a cycle that single cells do not have (two columns reading each other one row
apart); then the caller builds the graph again without runs.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque

import numpy as np

from sp_xl.engine.refs import MAX_COL, MAX_ROW

_COL_BITS, _COL_MASK = 15, (1 << 15) - 1   # a cell as one int (no tuple per cell)


class Graph:
    def __init__(self, nodes, n_sheets: int, collapse: bool = True):
        self.nodes = nodes
        self.n = n = len(nodes)
        # node -> its run (engine.nodes), for the runs the graph takes as one node each
        self.runs = {node.index: node.run for node in nodes if node.run is not None} if collapse else {}
        self._owners(nodes, n_sheets)
        self.range_ids: dict[tuple[int, int, int, int, int], int] = {}
        self.range_members: list[list[int]] = []
        self.deps: list = [()] * n
        for node in nodes:
            if node.compiled is None:
                continue
            run = self.runs.get(node.index)
            self.deps[node.index] = self._run_deps(node, run.last_row) if run else self.node_deps(node)
        self._sort()

    # -- who owns a cell -------------------------------------------------------------
    def _owners(self, nodes, n_sheets: int) -> None:
        self.cells = _Cells(nodes, n_sheets, self.runs)
        self._single: tuple[int, _Cells] | None = None    # the same without runs, when first needed

    def first_bad_read(self, node, bad: dict[int, str]) -> str | None:
        """The first cell this formula reads that could not be computed, cell by cell as if
        no run were collapsed (the run's node alone would blame all its cells)."""
        if self._single is None or self._single[0] != len(self.nodes):   # runs expanded since
            self._single = (len(self.nodes), _Cells(self.nodes, len(self.cells.owner), {}))
        cells = self._single[1]
        for t in node.compiled.refs:
            pos = t.at(node.row, node.col)
            if pos is None:
                continue                          # #REF! at run time
            r1, c1, r2, c2 = pos
            if r1 == r2 and c1 == c2:
                culprit = bad.get(cells.get(t.si, r1, c1), None)
            else:
                culprit = next((bad[m] for m in cells.members(t.si, r1, c1, r2, c2) if m in bad), None)
            if culprit is not None:
                return culprit
        return None

    # -- what a node reads -------------------------------------------------------------
    def _area_dep(self, si: int, r1: int, c1: int, r2: int, c2: int) -> int | None:
        if r1 == r2 and c1 == c2:
            return self.cells.get(si, r1, c1)
        key = (si, r1, c1, r2, c2)
        rid = self.range_ids.get(key)
        if rid is None:
            rid = self.n + len(self.range_members)
            self.range_ids[key] = rid
            self.range_members.append(self.cells.members(si, r1, c1, r2, c2))
        return rid

    def node_deps(self, node) -> list[int]:
        """The formula and range nodes one cell's formula reads (also asked for a run's
        single member, when the run fell back to cell-by-cell evaluation)."""
        mine: list[int] = []
        for t in node.compiled.refs:
            pos = t.at(node.row, node.col)
            if pos is None:
                continue  # #REF! at run time; depends on nothing
            d = self._area_dep(t.si, *pos)
            if d is not None and d not in mine:
                mine.append(d)
        return mine

    def _run_deps(self, node, last_row: int) -> list[int]:
        """What any cell of a run reads: per reference, the area it sweeps over the rows."""
        mine: list[int] = []
        for t in node.compiled.refs:
            area = swept(t, node.row, last_row, node.col)
            if area is None:
                continue
            d = self._area_dep(t.si, *area)
            if d is not None and d not in mine:
                mine.append(d)
        return mine

    # -- order -------------------------------------------------------------------------
    def _sort(self) -> None:
        n = self.n
        total = n + len(self.range_members)
        all_deps = self.deps + self.range_members
        indegree = [len(d) for d in all_deps]  # a self-reference is never satisfied: a cycle
        dependents: list = [None] * total
        for i, ds in enumerate(all_deps):
            for d in ds:
                if dependents[d] is None:
                    dependents[d] = [i]
                else:
                    dependents[d].append(i)
        queue = deque(i for i in range(total) if indegree[i] == 0)
        order: list[int] = []
        while queue:
            i = queue.popleft()
            if i < n:
                order.append(i)
            for j in dependents[i] or ():
                indegree[j] -= 1
                if indegree[j] == 0:
                    queue.append(j)
        done = bytearray(n)
        for i in order:
            done[i] = 1
        self.order = order
        self.on_cycle = [i for i in range(n) if not done[i]]
        # a run on a cycle: its members must be taken one by one (see the module docstring)
        self.cycle_through_run = any(i in self.runs for i in self.on_cycle)


class _Cells:
    """Which node owns each formula cell: single cells in a dict, a collapsed run's cells as
    one row span of its column (no entry per cell), and per column the sorted rows holding
    formula cells with their owners, for the members of a range."""

    def __init__(self, nodes, n_sheets: int, runs: dict):
        self.owner: list[dict[int, int]] = [dict() for _ in range(n_sheets)]
        self.spans: list[dict[int, tuple[list[int], list[int], list[int]]]] = [dict() for _ in range(n_sheets)]
        cells: list[list[np.ndarray]] = [[] for _ in range(n_sheets)]    # (rows, cols, owners) chunks
        for first, run in sorted(runs.items(), key=lambda kv: nodes[kv[0]].row):
            head = nodes[first]
            starts, ends, leads = self.spans[head.si].setdefault(head.col, ([], [], []))
            starts.append(head.row)
            ends.append(run.last_row)
            leads.append(first)
            rows = np.arange(head.row, run.last_row + 1, dtype=np.int64)
            cells[head.si].append(np.stack([rows, np.full_like(rows, head.col), np.full_like(rows, first)]))
        for node in nodes:
            if node.si < 0 or node.index in runs:
                continue
            own, idx = self.owner[node.si], node.index
            if not node.is_array:
                own[node.row << _COL_BITS | node.col] = idx
                continue
            for dr in range(node.rows):
                for dc in range(node.cols):
                    own[(node.row + dr) << _COL_BITS | (node.col + dc)] = idx
        for si, own in enumerate(self.owner):
            if own:
                keys = np.fromiter(own.keys(), dtype=np.int64, count=len(own))
                ids = np.fromiter(own.values(), dtype=np.int64, count=len(own))
                cells[si].append(np.stack([keys >> _COL_BITS, keys & _COL_MASK, ids]))
        self.columns: list[dict[int, tuple[np.ndarray, np.ndarray]]] = []
        for chunks in cells:
            packed = {}
            if chunks:
                rows, cols, ids = np.concatenate(chunks, axis=1)
                order = np.lexsort((rows, cols))
                rows, cols, ids = rows[order], cols[order], ids[order]
                bounds = np.concatenate(([0], np.flatnonzero(np.diff(cols)) + 1, [cols.size])).tolist()
                for a, b in zip(bounds, bounds[1:]):
                    packed[int(cols[a])] = (rows[a:b], ids[a:b])
            self.columns.append(packed)

    def get(self, si: int, r: int, c: int) -> int | None:
        idx = self.owner[si].get(r << _COL_BITS | c)
        if idx is None:
            span = self.spans[si].get(c)
            if span is not None:
                k = bisect_right(span[0], r) - 1
                if k >= 0 and r <= span[1][k]:
                    return span[2][k]
        return idx

    def members(self, si: int, r1: int, c1: int, r2: int, c2: int) -> list[int]:
        """The nodes owning formula cells inside an area, each once, column by column."""
        members: list[int] = []
        for c, (rows, ids) in self.columns[si].items():
            if c1 <= c <= c2:
                lo, hi = np.searchsorted(rows, [r1, r2 + 1])
                if hi > lo:
                    members.extend(ids[lo:hi].tolist())
        return list(dict.fromkeys(members))


def swept(t, row1: int, row2: int, col: int) -> tuple[int, int, int, int] | None:
    """The area a reference template covers from rows row1..row2 of one column, clipped to
    the sheet; None when every row's reference is off the sheet (#REF!)."""
    r1 = row1 + t.r1 if t.rel_r1 else t.r1
    r2 = row2 + t.r2 if t.rel_r2 else t.r2
    c1 = col + t.c1 if t.rel_c1 else t.c1
    c2 = col + t.c2 if t.rel_c2 else t.c2
    r1, c1, r2, c2 = max(r1, 1), max(c1, 1), min(r2, MAX_ROW), min(c2, MAX_COL)
    return (r1, c1, r2, c2) if r1 <= r2 and c1 <= c2 else None
