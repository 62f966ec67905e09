"""LAMBDA and the functions that call one (MAP, BYROW, BYCOL, REDUCE, SCAN, MAKEARRAY).

Excel 365 stores them as ``_xlfn.LAMBDA(_xlpm.x, body)``, called in place
(``LAMBDA(x; x*2)(A1)``), through a LET variable (``LET(f; LAMBDA(..); f(2))``) or through a
defined name (a "named function", ``=Dobbelt(A1)``, which may call itself). A LAMBDA's
parameters are compiled like LET's variables: slots the body reads, filled at each call (and
restored afterwards, so nested and recursive calls see their own values).

Refused, naming the feature: optional parameters ([x], ISOMITTED), a LAMBDA left uncalled in
a cell (Excel shows #CALC!), a LAMBDA given to MAP/BYROW/... that returns an array for one
element (#CALC! in Excel), and arrays of different sizes given to MAP.
``LambdaParts`` is a mixin of ``compile.Compiler`` (it uses ``_arg``, ``_let_scopes``,
``_name_text`` and ``_name_stack``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sp_xl.engine.compile_parts import absolute_only
from sp_xl.engine.parse import Unsupported, parse
from sp_xl.engine.refs import RefVal
from sp_xl.engine.values import EMPTY, E_VALUE, to_number

HELPERS = frozenset({"MAP", "BYROW", "BYCOL", "REDUCE", "SCAN", "MAKEARRAY"})


class Lambda:
    """A LAMBDA's value: called with argument values, it gives its body's value."""

    __slots__ = ("slots", "body")

    def __init__(self, slots: list[list], body: Callable):
        self.slots, self.body = slots, body

    def __call__(self, r: int, c: int, args: list) -> object:
        if len(args) != len(self.slots):
            return E_VALUE                      # Excel: #VALUE! for a wrong number of arguments
        saved = [s[0] for s in self.slots]
        for slot, value in zip(self.slots, args):
            slot[0] = value
        try:
            return self.body(r, c)
        finally:
            for slot, value in zip(self.slots, saved):
                slot[0] = value


# A cell's value that is a Lambda: Excel shows #CALC!; the engine reports the cell.
UNCALLED = ("En LAMBDA, der ikke kaldes, giver #CALC! i Excel; giv den sine argumenter.",
            "A LAMBDA that is not called gives #CALC! in Excel; give it its arguments.")


def _one_value(name: str, v: object) -> object:
    if isinstance(v, np.ndarray):
        if v.size == 1:
            return v.flat[0]
        raise Unsupported(f"LAMBDA'en i {name} giver en matrix for ét element (#CALC! i Excel); det understøttes ikke.",
                          f"The LAMBDA in {name} returns an array for one element (#CALC! in Excel); not supported.")
    return v


def _array(book, v: object) -> np.ndarray:
    if isinstance(v, RefVal):
        v = book.values(v)
    if isinstance(v, np.ndarray):
        return v if v.ndim == 2 else v.reshape(1, -1)
    out = np.empty((1, 1), dtype=object)
    out[0, 0] = v
    return out


class LambdaParts:
    def _lambda(self, arg_nodes, si, row, col, refs, flags) -> Callable:
        """LAMBDA(p1; ...; body): a closure giving the Lambda value."""
        if not arg_nodes:
            raise Unsupported("LAMBDA mangler sin beregning.", "LAMBDA lacks its calculation.")
        params = arg_nodes[:-1]
        if any(p[0] != "name" or p[2] is not None for p in params):
            raise Unsupported("LAMBDA's parametre kan ikke læses (valgfrie parametre [x] understøttes ikke).",
                              "LAMBDA's parameters cannot be read (optional parameters [x] are not supported).")
        slots = [[EMPTY] for _ in params]
        self._let_scopes.append({p[1]: slot for p, slot in zip(params, slots)})
        try:
            body = self._arg(arg_nodes[-1], si, row, col, refs, flags, False)
        finally:
            self._let_scopes.pop()
        return lambda r, c: Lambda(slots, body)

    def _call(self, callee: Callable, arg_nodes, si, row, col, refs, flags) -> Callable:
        """callee(arguments): ``callee`` gives a Lambda at run time. A reference argument
        stays a reference (SUM(x) inside the body sums the range), as in LET."""
        args = [self._arg(a, si, row, col, refs, flags, a[0] in ("ref", "range", "table")) for a in arg_nodes]

        def call(r, c):
            target = callee(r, c)
            if not isinstance(target, Lambda):
                return E_VALUE
            return target(r, c, [a(r, c) for a in args])
        return call

    def _named_call(self, name: str, arg_nodes, si, row, col, refs, flags) -> Callable | None:
        """NAME(arguments) for a LET variable or a defined name that holds a LAMBDA; None when
        ``name`` is neither. A defined name is compiled once, at its first call, so a named
        function may call itself (IF stops the recursion at run time)."""
        for scope in reversed(self._let_scopes):
            slot = scope.get(name)
            if slot is not None:
                return self._call(lambda r, c: slot[0], arg_nodes, si, row, col, refs, flags)
        text = self._name_text(name, None, si)
        if text is None or not text.lstrip("=").upper().lstrip().startswith(("LAMBDA(", "_XLFN.LAMBDA(")):
            return None
        key = (name, si)
        done: dict = self.__dict__.setdefault("_named_lambdas", {})   # key -> (closure, its references)
        if key in done and done[key] is None:    # its own body calls it: bound when it runs
            return self._call(lambda r, c: done[key][0](r, c), arg_nodes, si, row, col, refs, flags)
        if key not in done:
            done[key] = None
            saved, self._let_scopes = self._let_scopes, []      # a named function sees no caller's LET
            own: list = []
            try:
                fn = self._node(parse(text.lstrip("=")), si, 0, 0, own, flags, False)
            except BaseException:
                del done[key]
                raise
            finally:
                self._let_scopes = saved
            try:
                absolute_only(name, own)
            except Unsupported:
                del done[key]
                raise
            done[key] = (fn, own)
        fn, own = done[key]
        refs.extend(own)                         # what the named function reads, for the order
        return self._call(fn, arg_nodes, si, row, col, refs, flags)

    def _lambda_helper(self, name: str, arg_nodes, si, row, col, refs, flags) -> Callable:
        counts = {"MAP": (2, 255), "BYROW": (2, 2), "BYCOL": (2, 2), "REDUCE": (3, 3), "SCAN": (3, 3),
                  "MAKEARRAY": (3, 3)}[name]
        if not counts[0] <= len(arg_nodes) <= counts[1]:
            raise Unsupported(f"{name} har et forkert antal argumenter.", f"{name} has a wrong number of arguments.")
        args = [self._arg(a, si, row, col, refs, flags, False) for a in arg_nodes]
        book = self.book
        run = _HELPERS[name]

        def call(r, c):
            vals = [a(r, c) for a in args]
            fn = vals[-1]
            if not isinstance(fn, Lambda):
                return E_VALUE
            return run(book, name, r, c, vals[:-1], fn)
        return call


def _map(book, name, r, c, vals, fn):
    arrays = [_array(book, v) for v in vals]
    if len({a.shape for a in arrays}) != 1:
        raise Unsupported("MAP med matricer af forskellig størrelse understøttes ikke.",
                          "MAP with arrays of different sizes is not supported.")
    out = np.empty(arrays[0].shape, dtype=object)
    for idx in np.ndindex(out.shape):
        out[idx] = _one_value(name, fn(r, c, [a[idx] for a in arrays]))
    return out


def _by(axis: int):
    def run(book, name, r, c, vals, fn):
        arr = _array(book, vals[0])
        n = arr.shape[axis]
        out = np.empty((n, 1) if axis == 0 else (1, n), dtype=object)
        for i in range(n):
            part = arr[i:i + 1, :] if axis == 0 else arr[:, i:i + 1]
            out.flat[i] = _one_value(name, fn(r, c, [part]))
        return out
    return run


def _reduce(book, name, r, c, vals, fn, keep: bool = False):
    acc = vals[0]
    arr = _array(book, vals[1])
    out = np.empty(arr.shape, dtype=object)
    for idx in np.ndindex(arr.shape):
        acc = _one_value(name, fn(r, c, [acc, arr[idx]]))
        out[idx] = acc
    return out if keep else acc


def _makearray(book, name, r, c, vals, fn):
    rows, cols = (to_number(v if not isinstance(v, RefVal) else book.get(v.si, v.r1, v.c1)) for v in vals)
    for v in (rows, cols):
        if not isinstance(v, float):
            return v
    rows, cols = int(rows), int(cols)
    if rows < 1 or cols < 1:
        return E_VALUE
    out = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            out[i, j] = _one_value(name, fn(r, c, [float(i + 1), float(j + 1)]))
    return out


_HELPERS = {"MAP": _map, "BYROW": _by(0), "BYCOL": _by(1), "REDUCE": _reduce,
            "SCAN": lambda *a: _reduce(*a, keep=True), "MAKEARRAY": _makearray}
