"""Cells the dependency graph puts on a cycle, computed by what they read at run time.

The graph is static: =IF(A1;B1;1) depends on B1 even when A1 is FALSE and B1 is never read.
So a "cycle" in the graph may not be one when the formulas run, and Excel computes such
cells normally. Here the cells left over by the topological order are evaluated on demand:
every read of a cell not yet computed stops the formula (``NeedCell``), that cell is
computed first, and the formula is tried again. A cell that needs itself, directly or
through others, is a real circular reference: refused here, and handed (with the cells
waiting for it) to engine.iteration when the workbook allows iterative calculation.
"""

from __future__ import annotations

from sp_xl.engine.refs import RefVal

MAX_DEPTH = 400


class NeedCell(Exception):
    """A formula read a cell that is not computed yet."""

    def __init__(self, key: tuple[int, int, int]):
        super().__init__(key)
        self.key = key


def resolve(nodes, pending: list[int], book, evaluate_node, iterate: bool) -> list[int]:
    """Evaluate the ``pending`` nodes (indices into ``nodes``) in the order their reads
    demand; ``evaluate_node(node)`` sets ``node.problem`` when it fails.

    Returns the nodes refused here for a circular reference: on one, or waiting for one."""
    stuck: list[int] = []
    owner: dict[tuple[int, int, int], int] = {}
    for i in pending:
        n = nodes[i]
        if n.si < 0:
            continue
        for dr in range(n.rows):
            for dc in range(n.cols):
                owner[(n.si, n.row + dr, n.col + dc)] = i
    waiting = set(owner)
    plain_get, plain_values = book.get, book.values

    def get(si, r, c):
        if (si, r, c) in waiting:
            raise NeedCell((si, r, c))
        return plain_get(si, r, c)

    def values(ref: RefVal):
        r2, c2 = book.clipped(ref)
        for key in waiting:
            if key[0] == ref.si and ref.r1 <= key[1] <= r2 and ref.c1 <= key[2] <= c2:
                raise NeedCell(key)
        return plain_values(ref)

    state: dict[int, bool] = {}
    # with iterate, engine.iteration gives every such cell its value or its own reason
    circular = (("Cellen indgår i en cirkulær reference.", "The cell is part of a circular reference.")
                if iterate else
                ("Cellen indgår i eller afhænger af en cirkulær reference, og projektmappen tillader ikke "
                 "iterativ beregning (Excel viser da 0 eller den sidst beregnede værdi).",
                 "The cell is part of, or depends on, a circular reference, and the workbook does not allow "
                 "iterative calculation (Excel then shows 0 or the last value it calculated)."))

    def done(i: int, ok: bool) -> bool:
        state[i] = ok
        if not ok:
            return ok     # still "waiting": a formula reading it now depends on a failed cell
        n = nodes[i]
        for dr in range(n.rows):
            for dc in range(n.cols):
                waiting.discard((n.si, n.row + dr, n.col + dc))
        return ok

    def solve(i: int, stack: list[int]) -> bool:
        if i in state:
            return state[i]
        node = nodes[i]
        if node.problem is not None or node.compiled is None:
            return done(i, False)
        if len(stack) > MAX_DEPTH:
            node.problem = ("Formlerne afhænger for dybt af hinanden til at blive beregnet.",
                            "The formulas depend on each other too deeply to be calculated.")
            return done(i, False)
        stack.append(i)
        try:
            while True:
                try:
                    evaluate_node(node)
                except NeedCell as need:
                    j = owner[need.key]
                    if j in stack:
                        for k in stack[stack.index(j):]:
                            if nodes[k].problem is None:
                                nodes[k].problem = circular
                                stuck.append(k)
                        return done(i, False)
                    if not solve(j, stack):
                        if node.problem is None:
                            stuck.append(i)
                            culprit = nodes[j]
                            node.problem = (f"Afhænger af {culprit.sheet}!{culprit.ref}, som ikke kunne beregnes.",
                                            f"Depends on {culprit.sheet}!{culprit.ref}, which could not be "
                                            "calculated.")
                        return done(i, False)
                    continue
                return done(i, node.problem is None)
        finally:
            stack.pop()

    book.get, book.values = get, values
    try:
        for i in pending:
            solve(i, [])
    finally:
        del book.get, book.values   # back to the class's methods
    return stuck
