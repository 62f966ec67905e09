"""Excel's iterative calculation, for workbooks whose calcPr says iterate="1".

Excel's documented rule (Options > Formulas > "Enable iterative calculation"; the
workbook's ``<calcPr iterate="1" iterateCount="100" iterateDelta="0.001"/>``): the cells of
a circular reference are calculated again and again, each time from the values of the
previous round, starting from the values they hold; Excel stops after ``iterateCount``
rounds or as soon as no value changed by ``iterateDelta`` or more, whichever comes first.

So Excel's number is not the limit the cycle converges to but wherever its rounds stopped,
and that depends on the order Excel calculates the cells in (its calculation chain, not in
the file's formulas) and on where it started. This module reproduces the rule, and gives a
value only where that cannot matter: the rounds are run in sheet order and in the reverse
order, and the cycle is also run on to its limit; only when both stopping points agree with
the limit to within ``TOLERANCE`` (far below what a sheet shows, and ten times tighter than
the corpus test's "same as Excel") is the result kept. A cycle that does not settle within
``iterateCount`` rounds, or whose stopping point depends on the order, is refused with a
reason naming its cells: a wrong number is worse than none.

Examples (tests/engine/test_iteration.py): =MIN(D1+1,5) settles exactly on 5 and is kept;
x = 1 + x/2 from 0 stops at 1.999 with Excel's default maximum change 0.001 and is refused,
and so is interest on the average balance (Excel stops some 1e-5 short of the limit); with
iterateDelta 1E-13 both are kept (2 and 4975/0.975), and so is a cycle whose cached values
already hold its limit (a workbook Excel iterated, refreshed with the same inputs).
"""

from __future__ import annotations

import math

from formulas.tokens.operand import XlError

from sp_xl.engine.refs import cell_ref

TOLERANCE = 1e-10       # relative; absolute below 1
LIMIT_ROUNDS = 2000     # rounds allowed to find the limit itself
DEFAULT_COUNT = 100
DEFAULT_DELTA = 0.001


def settings_of(calc_pr: dict[str, str] | None) -> tuple[bool, int, float]:
    """(iterate, iterateCount, iterateDelta) from the workbook's calcPr attributes."""
    calc_pr = calc_pr or {}
    on = str(calc_pr.get("iterate", "0")).strip().lower() in ("1", "true")
    try:
        count = max(1, int(calc_pr.get("iterateCount", DEFAULT_COUNT)))
    except ValueError:
        count = DEFAULT_COUNT
    try:
        delta = abs(float(calc_pr.get("iterateDelta", DEFAULT_DELTA)))
    except ValueError:
        delta = DEFAULT_DELTA
    return on, count, delta


def _change(old: object, new: object) -> float:
    """How much a cell moved in one round: numbers by their difference, anything else 0
    when unchanged and infinitely otherwise."""
    if type(old) is bool or type(new) is bool:
        return 0.0 if old == new else math.inf
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return abs(float(new) - float(old))
    if isinstance(old, XlError) or isinstance(new, XlError):
        return 0.0 if str(old) == str(new) else math.inf
    return 0.0 if type(old) is type(new) and old == new else math.inf


def _close(a: object, b: object) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and type(a) is not bool and type(b) is not bool:
        return abs(float(a) - float(b)) <= TOLERANCE * max(1.0, abs(float(b)))
    return _change(a, b) == 0.0


class _Cells:
    """The grid cells of the iterated nodes: read, write back, and compare."""

    def __init__(self, nodes, members: list[int], book):
        self.book = book
        self.owner: list[int] = []          # the node of each cell
        self.cells: list[tuple[int, int, int]] = []
        for i in members:
            n = nodes[i]
            for dr in range(n.rows):
                for dc in range(n.cols):
                    self.cells.append((n.si, n.row + dr, n.col + dc))
                    self.owner.append(i)

    def read(self) -> list[object]:
        grids = self.book.grids
        return [grids[si][r - 1, c - 1] for si, r, c in self.cells]

    def write(self, values: list[object]) -> None:
        grids, fast = self.book.grids, self.book.fast
        for (si, r, c), v in zip(self.cells, values):
            grids[si][r - 1, c - 1] = v
            fast.invalidate(si, c, c)


def _rounds(nodes, order: list[int], evaluate_node, cells: _Cells, count: int, delta: float,
            parts: list[list[int]]):
    """Rounds as Excel runs them: every node once per round in ``order``, at most ``count``
    rounds, stopping after the first round in which no cell changed by ``delta`` or more.

    Returns the cells' values (one round before the end, at the end, and for each of
    ``parts`` (lists of cell positions) the values after the first round in which that part
    alone moved less than ``delta``), or the index of a node that failed."""
    before = last = after = cells.read()
    own: list[list[object] | None] = [None] * len(parts)
    for _ in range(count):
        for i in order:
            evaluate_node(nodes[i])
            if nodes[i].problem is not None:
                return i
        after = cells.read()
        moves = [_change(a, b) for a, b in zip(before, after)]
        for p, ks in enumerate(parts):
            if own[p] is None and max(moves[k] for k in ks) < delta:
                own[p] = after
        last = before
        if max(moves, default=0.0) < delta or not any(moves):
            break
        before = after
    return last, after, [o if o is not None else after for o in own]


def _components(group: set[int], deps, range_members, n: int) -> list[list[int]]:
    """The group split into independent parts (cells that read each other, directly or
    through a range, belong together), each in sheet order."""
    parent = {i: i for i in group}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in group:
        for d in deps[i]:
            for m in ((d,) if d < n else range_members[d - n]):
                if m in group:
                    parent[find(m)] = find(i)
    parts: dict[int, list[int]] = {}
    for i in group:
        parts.setdefault(find(i), []).append(i)
    return list(parts.values())


def _where(nodes, members: list[int], most: int = 4) -> str:
    refs = [f"{nodes[i].sheet}!{nodes[i].ref}" for i in members[:most]]
    return ", ".join(refs) + (f" (+{len(members) - most})" if len(members) > most else "")


def iterate(nodes, stuck: list[int], deps, range_members, book, evaluate_node, out: dict,
            count: int = DEFAULT_COUNT, delta: float = DEFAULT_DELTA) -> None:
    """Compute the ``stuck`` nodes (refused by engine.cycles for a circular reference) by
    Excel's iterative calculation where its result does not depend on its order; otherwise
    leave them refused with the reason. ``evaluate_node`` writes each result into the grid
    and into ``out`` ((sheet, "A1") -> value), from which a refusal takes them out again.

    Excel iterates all circular cells of the workbook together (one cycle that never settles
    makes every cycle run all ``count`` rounds), so the rounds run over all of them; each
    independent part is then judged by itself."""
    n = len(deps)           # the graph's nodes; ids from n on are its ranges
    group = set(stuck)
    changed = True
    while changed:          # a node reading a failed cell outside the group stays refused
        changed = False
        for i in list(group):
            for d in deps[i]:
                members = (d,) if d < n else range_members[d - n]
                bad = next((m for m in members if m not in group and nodes[m].problem is not None), None)
                if bad is not None:
                    group.discard(i)
                    where = f"{nodes[bad].sheet}!{nodes[bad].ref}"
                    nodes[i].problem = (f"Indgår i en cirkulær reference og afhænger af {where}, som ikke kunne "
                                        "beregnes.", f"Part of a circular reference and depends on {where}, "
                                        "which could not be calculated.")
                    changed = True
                    break
    if not group:
        return
    sheet_order = lambda i: (nodes[i].si, nodes[i].row, nodes[i].col)  # noqa: E731
    order = sorted(group, key=sheet_order)
    for i in order:
        nodes[i].problem = None
    cells = _Cells(nodes, order, book)
    start = cells.read()
    where_cells: dict[int, list[int]] = {}
    for k, i in enumerate(cells.owner):
        where_cells.setdefault(i, []).append(k)
    parts = [sorted(part, key=sheet_order) for part in _components(group, deps, range_members, n)]
    part_cells = [[k for i in part for k in where_cells[i]] for part in parts]
    runs = []
    limit_rounds = max(count, min(LIMIT_ROUNDS, 200_000 // len(order)))
    for run_order, run_count, run_delta in ((order[::-1], count, delta), (order, limit_rounds, 0.0),
                                            (order, count, delta)):   # the last one stays in place
        cells.write(start)
        got = _rounds(nodes, run_order, evaluate_node, cells, run_count, run_delta, part_cells)
        if isinstance(got, int):
            bad = nodes[got]
            reason = (f"Afhænger af {bad.sheet}!{bad.ref}, som ikke kunne beregnes.",
                      f"Depends on {bad.sheet}!{bad.ref}, which could not be calculated.")
            _refuse(nodes, [i for i in order if i != got], reason, out)
            cells.write(start)
            return
        runs.append(got)
    (_, reverse, reverse_own), (last, limit, _), (_, excel, excel_own) = runs
    for p, (part, ks) in enumerate(zip(parts, part_cells)):
        scale = max([1.0] + [abs(limit[k]) for k in ks if isinstance(limit[k], float)])
        at_limit = max(_change(last[k], limit[k]) for k in ks) <= TOLERANCE * 1e-3 * scale
        where = _where(nodes, part)
        stops = (excel, reverse, excel_own[p], reverse_own[p])
        if not at_limit:
            _refuse(nodes, part, (
                f"Cirkulær reference ({where}): værdierne falder ikke til ro; Excels tal afhænger af, hvor "
                "den iterative beregning starter og stopper, så de efterlignes ikke.",
                f"Circular reference ({where}): the values do not settle; Excel's numbers depend on where its "
                "iterative calculation starts and stops, so they are not reproduced."), out)
        elif not all(_close(stop[k], limit[k]) for stop in stops for k in ks):
            _refuse(nodes, part, (
                f"Cirkulær reference ({where}): Excel stopper den iterative beregning efter {count} gennemløb, "
                f"eller når ingen værdi ændrer sig {delta:g} eller mere, og dens tal afhænger da af Excels "
                "beregningsrækkefølge; efterlignes ikke. En mindre 'maksimal ændring' i Excels "
                "beregningsindstillinger gør resultatet entydigt.",
                f"Circular reference ({where}): Excel stops iterating after {count} rounds or when no value "
                f"changes by {delta:g} or more, and its numbers then depend on Excel's calculation order; "
                "not reproduced. A smaller 'maximum change' in Excel's calculation options makes the result "
                "unambiguous."), out)
        else:
            continue
        for k in ks:            # a refused cell keeps the value it had
            si, r, c = cells.cells[k]
            book.grids[si][r - 1, c - 1] = start[k]
            book.fast.invalidate(si, c, c)


def _refuse(nodes, members: list[int], reason: tuple[str, str], out: dict) -> None:
    for i in members:
        node = nodes[i]
        node.problem = reason
        for dr in range(node.rows):
            for dc in range(node.cols):
                out.pop((node.sheet, cell_ref(node.row + dr, node.col + dc)), None)
