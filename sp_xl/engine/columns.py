"""Filled-down formulas evaluated a column at a time.

A report's data sheets hold runs of one formula copied down thousands of rows
(=ROUND(C2*1,25;2), =IF(C2>100;"Stor";"Lille")). Cell by cell, each costs a closure call
per part of the formula plus the engine's bookkeeping per cell. Here a run (one compiled
shape, one column, consecutive rows, none of them reading another) is evaluated once
for all its rows: references become column slices of the sheet grid, operators go
through the engine's own element-wise array operators, IF picks rows, and the built-in
scalar functions are mapped over the rows.

Same values by construction: every piece either is the array form of the very operation
the cell-by-cell closure performs (``values.binary``/``unary`` on arrays is element-wise
Excel arithmetic), or calls the cell-by-cell implementation row by row (scalar
functions, and any part of a formula not handled here, compiled by the same Compiler in
the same context). Anything unexpected (an array where a value should be, an exception)
abandons the run, which is then evaluated cell by cell as before.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sp_xl.engine import excelfns as engine_excelfns
from sp_xl.engine.ownfns import DANISH_OWN, OWN_FUNCTIONS, text_function_names
from sp_xl.engine.kernels import KERNELS
from sp_xl.engine.lookups import is_exact
from sp_xl.engine import native as engine_native
from sp_xl.engine.parse import parse
from sp_xl.engine.semantics import ARRAY_ARGUMENTS, DATE_FUNCTIONS, REFUSED, SCALAR_PARAMETERS, TOP_LEFT_RESULTS
from sp_xl.engine.refs import RefVal
from sp_xl.engine.values import EMPTY, ERRORS, E_REF, binary, danish, unary
from sp_xl.engine.views import lookup_key

MIN_RUN = 16   # shorter runs: cell by cell is as fast


class Abandon(Exception):
    """The run cannot be evaluated as a column; evaluate it cell by cell."""


class Const:
    """A value that is the same in every row (a typed-in constant)."""

    __slots__ = ("v",)

    def __init__(self, v: object):
        self.v = v


Vector = Callable[[np.ndarray], "np.ndarray | Const"]   # absolute rows -> one value per row


def as_objects(v: np.ndarray | Const, n: int) -> np.ndarray:
    if isinstance(v, Const):
        out = np.empty(n, dtype=object)
        out[:] = [v.v] * n
        return out
    return v


def _objects(values: list) -> np.ndarray:
    """One value per row, where a value may be an array or a reference (function arguments)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _holds_array(values: list) -> bool:
    return np.ndarray in set(map(type, values))     # one C-level pass


def _column(values: list) -> np.ndarray:
    """One value per row; an array inside a row (a range where a value belongs) abandons."""
    out = np.empty(len(values), dtype=object)
    try:
        out[:] = values
    except ValueError:
        raise Abandon from None
    if _holds_array(values):
        raise Abandon
    return out


class ColumnCompiler:
    """Compiles a formula's syntax tree into a function of the rows of its run."""

    def __init__(self, compiler):
        self.compiler = compiler
        self.book = compiler.book
        self._array = False   # inside a function whose arguments the Compiler reads as arrays

    def compile(self, formula: str, si: int, row: int, col: int, whole: Callable) -> Vector:
        """``whole``: the formula's compiled cell-by-cell function (for a formula the column
        form does not reach into, it is simply called row by row)."""
        tree = parse(formula)
        if tree[0] == "array" or (tree[0] == "func" and tree[1] in TOP_LEFT_RESULTS):
            return self._rowwise(whole, col)
        return self._node(tree, si, row, col, None)

    # -- pieces --------------------------------------------------------------------------
    def _rowwise(self, fn: Callable, col: int) -> Vector:
        return lambda rows: _column([fn(r, col) for r in rows.tolist()])

    def _opaque(self, node, si, row, col, arg_of: str | None) -> Vector:
        return self._rowwise(self._opaque_fn(node, si, row, col, arg_of), col)

    def _opaque_fn(self, node, si, row, col, arg_of: str | None, want_ref: bool = False) -> Callable:
        """The Compiler's cell-by-cell closure for a part, in the context the whole
        formula's compile gave it (an operand, or an argument of ``arg_of``)."""
        c = self.compiler
        saved = c._array_ctx, c._bare_ok, c._scalar_args
        c._array_ctx, c._bare_ok = self._array, False
        c._scalar_args = arg_of is not None and arg_of in SCALAR_PARAMETERS and not self._array
        try:
            if arg_of is None:
                fn = c._operand(node, si, row, col, [], {"sp": False})
            else:
                fn = c._arg(node, si, row, col, [], {"sp": False}, want_ref)
        finally:
            c._array_ctx, c._bare_ok, c._scalar_args = saved
        return fn

    def _node(self, node, si, row, col, arg_of) -> Vector:
        kind = node[0]
        if kind in ("num", "str", "bool"):
            const = Const(node[1])
            return lambda rows: const
        if kind == "missing":
            const = Const(EMPTY)
            return lambda rows: const
        if kind == "ref" and node[1].is_cell:
            return self._cell(node[1], si, row, col)
        if kind == "bin":
            op = node[1]
            a = self._node(node[2], si, row, col, None)
            b = self._node(node[3], si, row, col, None)
            return lambda rows: _binary(op, a(rows), b(rows), len(rows))
        if kind in ("neg", "pos", "pct"):
            a = self._node(node[1], si, row, col, None)
            return lambda rows: _unary(kind, a(rows), len(rows))
        if kind == "func" and self._plain_dispatch(node):
            return self._call(node, si, row, col, arg_of)
        return self._opaque(node, si, row, col, arg_of)

    def _plain_dispatch(self, node) -> bool:
        """None of the special cases the Compiler checks before its ordinary function
        tables applies (compile.Compiler._func_dispatch): add-in and SP_ calls, refused and
        array-argument functions, 1904 dates, Danish text handling."""
        _, name, _args, prefixed = node
        book = self.book
        return not (prefixed or name in book.sp_functions or name.startswith("SP_") or name in REFUSED
                    or name == "LET" or (book.date1904 and name in DATE_FUNCTIONS)
                    or (danish() and (name in DANISH_OWN or name in text_function_names())))

    def _call(self, node, si, row, col, arg_of) -> Vector:
        whole = self._opaque_fn(node, si, row, col, arg_of)
        if node[1] not in ARRAY_ARGUMENTS or self._array:
            return self._dispatch(node, si, row, col, whole)
        self._array = True       # as Compiler._func: the arguments, and all inside them
        try:
            return self._dispatch(node, si, row, col, whole)
        finally:
            self._array = False

    def _dispatch(self, node, si, row, col, whole) -> Vector:
        """A function, in the order the Compiler's dispatch tries its tables."""
        name, args = node[1], node[2]
        own = engine_excelfns.OWN.get(name)
        if own is not None:
            want = name in engine_excelfns.REF_ARGS
            return self._mapped(name, own, [self._arg(a, si, row, col, name, want) for a in args], whole, col)
        if name in OWN_FUNCTIONS:
            want, impl = OWN_FUNCTIONS[name]
            return self._mapped(name, impl, [self._arg(a, si, row, col, name, want) for a in args], whole, col)
        if name == "IF" and 1 <= len(args) <= 3:
            return self._if([self._arg(a, si, row, col, name, False) for a in args])
        if name in engine_native.LAZY:
            return self._rowwise(whole, col)
        strict = engine_native.STRICT.get(name)
        if strict is not None and strict[1] <= len(args) <= strict[2]:
            return self._strict(name, strict[0], [self._arg(a, si, row, col, name, False) for a in args])
        if name in ("VLOOKUP", "MATCH"):
            return self._exact_lookup(node, si, row, col, whole) or self._rowwise(whole, col)
        return self._rowwise(whole, col)

    def _arg(self, node, si, row, col, name: str, want_ref: bool) -> Vector:
        """A function's argument, as the Compiler hands it over: a value, or (where the
        function takes references) the reference itself; ranges as the Compiler gives them."""
        kind = node[0]
        reference = (kind in ("ref", "name", "table", "range")
                     or (kind == "func" and node[1] in ("OFFSET", "INDIRECT", "INDEX")))
        if not reference or (kind == "ref" and node[1].is_cell and not want_ref):
            return self._node(node, si, row, col, name)
        fn = self._opaque_fn(node, si, row, col, name, want_ref)
        if kind == "ref" and node[1].abs_r1 and node[1].abs_r2:
            return lambda rows: Const(fn(int(rows[0]), col))    # the same area on every row
        return lambda rows: _objects([fn(r, col) for r in rows.tolist()])

    def _cell(self, area, si, row, col) -> Vector:
        sheet = self.compiler._sheet(area.sheet, si)
        grid = self.book.grids[sheet]
        dr = area.r1 - row if not area.abs_r1 else None
        c, fixed_row = area.c1, area.r1     # every row of a run is in the same column

        def read(rows: np.ndarray) -> np.ndarray | Const:
            if dr is None:
                return Const(self.book.get(sheet, fixed_row, c))
            rr = rows + dr
            out = np.empty(len(rows), dtype=object)
            inside = (rr >= 1) & (rr <= grid.shape[0])
            if c <= grid.shape[1]:
                out[inside] = grid[rr[inside] - 1, c - 1]
            else:
                inside[:] = False
            out[~inside] = EMPTY
            out[rr < 1] = E_REF
            return out
        return read

    def _if(self, args: list[Vector]) -> Vector:
        truthy = engine_native.truthy

        def run(rows: np.ndarray) -> np.ndarray:
            n = len(rows)
            cond = args[0](rows)
            if isinstance(cond, Const):
                t = truthy(cond.v)
                flags = [t] * n
            else:
                flags = list(map(truthy, cond.tolist()))
            out = np.empty(n, dtype=object)
            picks = np.array([f is True for f in flags], dtype=bool)
            drops = np.array([f is False for f in flags], dtype=bool)
            errors = ~(picks | drops)
            if errors.any():
                out[errors] = [f for f in flags if f is not True and f is not False]
            for mask, k, default in ((picks, 1, True), (drops, 2, False)):
                if not mask.any():
                    continue
                if len(args) > k:
                    out[mask] = as_objects(args[k](rows[mask]), int(mask.sum()))
                else:
                    out[mask] = default
            return out
        return run

    def _strict(self, name: str, impl: Callable, args: list[Vector]) -> Vector:
        """engine.native's scalar functions row by row, as compile.Compiler._native_strict:
        an array argument or a DELEGATE answer goes to the general implementation."""
        invoke = self.compiler._invoke
        delegate = engine_native.DELEGATE

        def one(*vals):
            if any(type(v) is np.ndarray for v in vals):
                return invoke(name, list(vals))
            res = impl(*vals)
            return invoke(name, list(vals)) if res is delegate else res

        def run(rows: np.ndarray) -> np.ndarray:
            n = len(rows)
            cols = [a(rows) for a in args]
            fast = _kernel(name, cols, n)
            if fast is not None:
                return _patched(fast, cols, lambda i, vals: one(*vals))
            lists = [[v.v] * n if isinstance(v, Const) else v.tolist() for v in cols]
            if any(map(_holds_array, lists)):
                return _column(list(map(one, *lists)))
            out = list(map(impl, *lists))
            for i, res in enumerate(out):
                if res is delegate:
                    out[i] = invoke(name, [lst[i] for lst in lists])
            return _column(out)
        return run

    def _mapped(self, name: str, impl: Callable, args: list[Vector], whole: Callable, col: int) -> Vector:
        """engine.excelfns' own functions: ``impl(book, r, c, *values)`` row by row; a row
        where it hands over (DELEGATE) or gets an array runs the cell-by-cell closure."""
        book, delegate = self.book, engine_excelfns.DELEGATE

        def run(rows: np.ndarray) -> np.ndarray:
            n = len(rows)
            cols = [a(rows) for a in args]
            fast = _kernel(name, cols, n)
            if fast is not None:
                def one(i, vals):
                    r = int(rows[i])
                    res = impl(book, r, col, *vals)
                    return whole(r, col) if res is delegate else res
                return _patched(fast, cols, one)
            lists = [[v.v] * n if isinstance(v, Const) else v.tolist() for v in cols]
            arrays = any(map(_holds_array, lists))
            out = []
            for r, *vals in zip(rows.tolist(), *lists):
                res = delegate if arrays and any(type(x) is np.ndarray for x in vals) else impl(book, r, col, *vals)
                out.append(whole(r, col) if res is delegate else res)
            return _column(out)
        return run

    def _exact_lookup(self, node, si, row, col, whole: Callable) -> Vector | None:
        """VLOOKUP(value; table; k; FALSE) and MATCH(value; range; 0) down a column: the
        table's index (engine.views) is built once and every row's value looked up in it,
        as engine.lookups does cell by cell; odd rows (wildcards, arrays) run the closure."""
        name, args = node[1], node[2]
        if (len(args) != (4 if name == "VLOOKUP" else 3) or args[1][0] != "ref" or args[1][1].is_cell
                or not (args[1][1].abs_r1 and args[1][1].abs_r2) or any(a[0] != "num" and a[0] != "bool"
                                                                        for a in args[2:])):
            return None
        if name == "VLOOKUP":
            if is_exact(args[3][1]) is not True or args[2][0] != "num":
                return None
            k = int(args[2][1])
            area = args[1][1]
            if not 1 <= k <= area.c2 - area.c1 + 1:
                return None                      # #VALUE! / #REF! for every row: the closure says it
        elif args[2][0] != "num" or args[2][1] != 0.0:
            return None
        else:
            k = 0
        value = self._node(args[0], si, row, col, name)
        table = self._opaque_fn(args[1], si, row, col, name, want_ref=True)
        book = self.book
        not_found = ERRORS["#N/A"]

        def run(rows: np.ndarray) -> np.ndarray:
            ref = table(int(rows[0]), col)
            if not isinstance(ref, RefVal):
                raise Abandon
            key_ref = RefVal(ref.si, ref.r1, ref.c1, ref.r2, ref.c1) if name == "VLOOKUP" else ref
            if name == "MATCH" and ref.r1 != ref.r2 and ref.c1 != ref.c2:
                raise Abandon
            positions = book.fast.view(key_ref).first_positions()
            values = as_objects(value(rows), len(rows)).tolist()
            out = []
            for r, v in zip(rows.tolist(), values):
                key = lookup_key(v)
                if key is None or (key[0] == 1 and any(ch in v for ch in "*?~")) or type(v) is np.ndarray:
                    out.append(whole(r, col))      # errors, blanks, wildcards: the closure decides
                    continue
                pos = positions.get(key)
                if pos is None:
                    out.append(not_found)
                elif name == "MATCH":
                    out.append(pos + 1.0)
                else:
                    out.append(book.get(ref.si, ref.r1 + pos, ref.c1 + k - 1))
            return _column(out)
        return run


def _kernel(name: str, cols: list, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The numpy form of a function (engine.kernels) on the rows whose arguments are all
    plain numbers: (values, answered rows), or None when it does not apply at all."""
    kernel = KERNELS.get(name)
    if kernel is None or not cols or isinstance(cols[0], Const):
        return None
    args, ok = [], np.ones(n, dtype=bool)
    for v in cols:
        if isinstance(v, Const):
            if type(v.v) is not float:
                return None
            args.append(v.v)
            continue
        numbers = np.fromiter((t is float for t in map(type, v.tolist())), dtype=bool, count=n)
        if not numbers.any():
            return None
        ok &= numbers
        args.append(np.where(numbers, v, 0.0).astype(float))
    values, answered = kernel(*args)
    return values, ok & answered


def _patched(fast, cols: list, one: Callable) -> np.ndarray:
    """The kernel's values, with each row it did not answer from ``one(row, values)``."""
    values, ok = fast
    out = values.tolist()
    for i in np.flatnonzero(~ok).tolist():
        out[i] = one(i, [v.v if isinstance(v, Const) else v[i] for v in cols])
    return _column(out)


def _binary(op: str, a, b, n: int):
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(binary(op, a.v, b.v))
    A = a.v if isinstance(a, Const) else a.reshape(-1, 1)
    B = b.v if isinstance(b, Const) else b.reshape(-1, 1)
    return binary(op, A, B).reshape(n)


def _unary(op: str, a, n: int):
    if isinstance(a, Const):
        return Const(unary(op, a.v))
    return unary(op, a.reshape(-1, 1)).reshape(n)
