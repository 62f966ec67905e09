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

from collections import deque

import numpy as np

MAX_ROW, MAX_COL = 1_048_576, 16_384
_COL_BITS, _COL_MASK = 15, (1 << 15) - 1   # a cell as one int (no tuple per cell)


class Graph:
    def __init__(self, nodes, n_sheets: int, runs: list[list[int]] = ()):
        self.nodes = nodes
        self.n = n = len(nodes)
        self.runs: dict[int, list[int]] = {}       # first member -> all members, in row order
        follower = bytearray(n)
        for members in runs:
            if not _reads_itself(nodes, members):
                self.runs[members[0]] = members
                for m in members[1:]:
                    follower[m] = 1
        self._owners(nodes, n_sheets)
        self.range_ids: dict[tuple[int, int, int, int, int], int] = {}
        self.range_members: list[list[int]] = []
        self.deps: list = [()] * n          # a run's other members read nothing of their own here
        for node in nodes:
            if node.compiled is None or follower[node.index]:
                continue
            members = self.runs.get(node.index)
            self.deps[node.index] = self._run_deps(members) if members else self.node_deps(node)
        self._sort(follower)

    # -- who owns a cell -------------------------------------------------------------
    def _owners(self, nodes, n_sheets: int) -> None:
        lead = {m: first for first, members in self.runs.items() for m in members}
        self.owner, self.columns = _cell_owners(nodes, n_sheets, lead)
        self._single: tuple | None = None    # the same without runs, built when first needed

    def first_bad_read(self, node, bad: dict[int, str]) -> str | None:
        """The first cell this formula reads that could not be computed, cell by cell as if
        no run were collapsed (the run's node alone would blame all its cells)."""
        if self._single is None:
            self._single = _cell_owners(self.nodes, len(self.owner), {})
        owner, columns = self._single
        row, col = node.row, node.col
        for t in node.compiled.refs:
            r1 = row + t.r1 if t.rel_r1 else t.r1
            c1 = col + t.c1 if t.rel_c1 else t.c1
            r2 = row + t.r2 if t.rel_r2 else t.r2
            c2 = col + t.c2 if t.rel_c2 else t.c2
            if r1 < 1 or c1 < 1 or r2 > MAX_ROW or c2 > MAX_COL:
                continue
            if r1 == r2 and c1 == c2:
                culprit = bad.get(owner[t.si].get(r1 << _COL_BITS | c1, -1))
            else:
                culprit = next((bad[m] for m in _members(columns[t.si], r1, c1, r2, c2) if m in bad), None)
            if culprit is not None:
                return culprit
        return None

    # -- what a node reads -------------------------------------------------------------
    def _area_dep(self, si: int, r1: int, c1: int, r2: int, c2: int) -> int | None:
        if r1 == r2 and c1 == c2:
            return self.owner[si].get(r1 << _COL_BITS | c1)
        key = (si, r1, c1, r2, c2)
        rid = self.range_ids.get(key)
        if rid is None:
            rid = self.n + len(self.range_members)
            self.range_ids[key] = rid
            self.range_members.append(_members(self.columns[si], r1, c1, r2, c2))
        return rid

    def node_deps(self, node) -> list[int]:
        """The formula and range nodes one cell's formula reads (also asked for a run's
        single member, when the run fell back to cell-by-cell evaluation)."""
        mine: list[int] = []
        row, col = node.row, node.col
        for t in node.compiled.refs:
            r1 = row + t.r1 if t.rel_r1 else t.r1
            c1 = col + t.c1 if t.rel_c1 else t.c1
            r2 = row + t.r2 if t.rel_r2 else t.r2
            c2 = col + t.c2 if t.rel_c2 else t.c2
            if r1 < 1 or c1 < 1 or r2 > MAX_ROW or c2 > MAX_COL:
                continue  # #REF! at run time; depends on nothing
            d = self._area_dep(t.si, r1, c1, r2, c2)
            if d is not None and d not in mine:
                mine.append(d)
        return mine

    def _run_deps(self, members: list[int]) -> list[int]:
        """What any member reads: per reference, the area it sweeps over the run's rows."""
        first, last = self.nodes[members[0]], self.nodes[members[-1]]
        mine: list[int] = []
        for t in first.compiled.refs:
            area = _swept(t, first.row, last.row, first.col)
            if area is None:
                continue
            d = self._area_dep(t.si, *area)
            if d is not None and d not in mine:
                mine.append(d)
        return mine

    # -- order -------------------------------------------------------------------------
    def _sort(self, follower: bytearray) -> None:
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
        queue = deque(i for i in range(total) if indegree[i] == 0 and not (i < n and follower[i]))
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
        self.on_cycle = [i for i in range(n) if not done[i] and not follower[i]]
        # a run on a cycle: its members must be taken one by one (see the module docstring)
        self.cycle_through_run = any(i in self.runs for i in self.on_cycle)


def _cell_owners(nodes, n_sheets: int, lead: dict[int, int]):
    """Per sheet: row << _COL_BITS | col -> owning node (``lead`` maps a run's cells to its first), and
    per column the sorted rows holding formula cells with their owners."""
    owner: list[dict[int, int]] = [dict() for _ in range(n_sheets)]
    for node in nodes:
        if node.si < 0:
            continue
        own, idx = owner[node.si], lead.get(node.index, node.index)
        if not node.is_array:
            own[node.row << _COL_BITS | node.col] = idx
            continue
        for dr in range(node.rows):
            for dc in range(node.cols):
                own[(node.row + dr) << _COL_BITS | (node.col + dc)] = idx
    columns: list[dict[int, tuple[np.ndarray, np.ndarray]]] = []
    for own in owner:
        by_col: dict[int, list[tuple[int, int]]] = {}
        for key, idx in own.items():
            by_col.setdefault(key & _COL_MASK, []).append((key >> _COL_BITS, idx))
        packed = {}
        for c, lst in by_col.items():
            lst.sort()
            packed[c] = (np.fromiter((x[0] for x in lst), dtype=np.int64, count=len(lst)),
                         np.fromiter((x[1] for x in lst), dtype=np.int64, count=len(lst)))
        columns.append(packed)
    return owner, columns


def _members(columns: dict, r1: int, c1: int, r2: int, c2: int) -> list[int]:
    """The nodes owning formula cells inside an area, each once, column by column."""
    members: list[int] = []
    for c, (rows, ids) in columns.items():
        if c1 <= c <= c2:
            lo, hi = np.searchsorted(rows, [r1, r2 + 1])
            if hi > lo:
                members.extend(ids[lo:hi].tolist())
    return list(dict.fromkeys(members))


def _swept(t, row1: int, row2: int, col: int) -> tuple[int, int, int, int] | None:
    """The area a reference template covers from rows row1..row2 of one column, clipped to
    the sheet; None when every row's reference is off the sheet (#REF!)."""
    r1 = row1 + t.r1 if t.rel_r1 else t.r1
    r2 = row2 + t.r2 if t.rel_r2 else t.r2
    c1 = col + t.c1 if t.rel_c1 else t.c1
    c2 = col + t.c2 if t.rel_c2 else t.c2
    r1, c1, r2, c2 = max(r1, 1), max(c1, 1), min(r2, MAX_ROW), min(c2, MAX_COL)
    return (r1, c1, r2, c2) if r1 <= r2 and c1 <= c2 else None


def _reads_itself(nodes, members: list[int]) -> bool:
    first, last = nodes[members[0]], nodes[members[-1]]
    for t in first.compiled.refs:
        if t.si != first.si:
            continue
        area = _swept(t, first.row, last.row, first.col)
        if area is not None and area[1] <= first.col <= area[3] and area[0] <= last.row and first.row <= area[2]:
            return True
    return False
