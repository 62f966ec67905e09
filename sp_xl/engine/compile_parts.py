"""Parts of the compiler (engine.compile) for references computed at run time (OFFSET,
INDIRECT), LET's variables and references across sheets, kept apart to keep each module short.
``CompilerParts`` is a mixin of ``Compiler``: it uses the compiler's ``book``, ``_arg``,
``_operand``, ``_array_ctx``, ``_bare_ok`` and ``_let_scopes``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from sp_xl.engine import dynrefs as engine_dynrefs
from sp_xl.engine.parse import Unsupported
from sp_xl.engine.refs import RefVal
from sp_xl.engine.semantics import THREE_D_FUNCTIONS
from sp_xl.engine.values import EMPTY, E_VALUE


def resolve_value(book, v: object) -> object:
    if isinstance(v, RefVal):
        if v.r1 == v.r2 and v.c1 == v.c2:
            return book.get(v.si, v.r1, v.c1)
        return book.values(v)
    return v



def box_value(book, box: RefVal, r: int, c: int, whole: bool):
    """What a reference gives the formula in cell (r, c): a single cell's value; the whole area
    when ``whole`` (an array context, or an argument that takes ranges); else Excel's implicit
    intersection with the formula's own row or column (#VALUE! when there is none)."""
    if box.r1 == box.r2 and box.c1 == box.c2:
        return book.get(box.si, box.r1, box.c1)
    if whole:
        return book.values(box)
    rr = box.r1 if box.r1 == box.r2 else (r if box.r1 <= r <= box.r2 else None)
    cc = box.c1 if box.c1 == box.c2 else (c if box.c1 <= c <= box.c2 else None)
    return E_VALUE if rr is None or cc is None else book.get(box.si, rr, cc)

def absolute_only(name: str, refs) -> None:
    """A defined name's references must not move with the cell using it (a name read from
    any cell would mean another area in each): refused otherwise."""
    if any(t.rel_r1 or t.rel_c1 or t.rel_r2 or t.rel_c2 for t in refs):
        raise Unsupported(f"Navnet '{name}' bruger relative referencer; det understøttes ikke.",
                          f"The name '{name}' uses relative references; not supported.")


class CompilerParts:
    def _dynamic_ref(self, node, si, row, col, refs, flags, want_ref):
        """OFFSET/INDIRECT: a reference computed at run time (engine.dynrefs checks it is safe)."""
        name, arg_nodes = node[1], node[2]
        if name == "OFFSET" and not 3 <= len(arg_nodes) <= 5 or name == "INDIRECT" and not 1 <= len(arg_nodes) <= 2:
            raise Unsupported(f"{name} har et forkert antal argumenter.", f"{name} has a wrong number of arguments.")
        # the base is a reference; counts and text are single values (intersected in a normal formula)
        args = [self._arg(a, si, row, col, refs, flags, True) if name == "OFFSET" and i == 0
                else self._operand(a, si, row, col, refs, flags) for i, a in enumerate(arg_nodes)]
        book = self.book
        array_ctx, bare_ok = self._array_ctx, self._bare_ok

        def call(r, c):
            vals = [a(r, c) for a in args]
            if any(isinstance(v, np.ndarray) for v in vals):
                raise Unsupported(f"{name} med matrixargumenter understøttes ikke.",
                                  f"{name} with array arguments is not supported.")
            if name == "OFFSET":
                vals[1:] = [resolve_value(book, v) for v in vals[1:]]
                box = engine_dynrefs.offset(book, *vals)
            else:
                box = engine_dynrefs.indirect(book, si, *[resolve_value(book, v) for v in vals])
            if not isinstance(box, RefVal):
                return box
            engine_dynrefs.check_safe(book, box, refs, r, c, si, name)
            return box if want_ref else box_value(book, box, r, c, array_ctx or bare_ok)
        return call

    def _let(self, arg_nodes, si, row, col, refs, flags):
        """LET(name1; value1; ...; calculation): each value computed once per evaluation."""
        if len(arg_nodes) < 3 or len(arg_nodes) % 2 == 0:
            raise Unsupported("LET har et forkert antal argumenter.", "LET has a wrong number of arguments.")
        slots: list[tuple[list, Callable]] = []
        scope: dict[str, list] = {}
        self._let_scopes.append(scope)
        try:
            for i in range(0, len(arg_nodes) - 1, 2):
                var = arg_nodes[i]
                if var[0] != "name" or var[2] is not None:
                    raise Unsupported("LET's navne kan ikke læses.", "LET's names cannot be read.")
                value = arg_nodes[i + 1]     # a reference stays a reference (ROW(x), ISREF(x))
                fn = self._arg(value, si, row, col, refs, flags, value[0] in ("ref", "range", "table"))
                slot: list = [EMPTY]
                slots.append((slot, fn))
                scope[var[1]] = slot
            body = self._arg(arg_nodes[-1], si, row, col, refs, flags, False)
        finally:
            self._let_scopes.pop()

        def call(r, c):
            for slot, fn in slots:
                slot[0] = fn(r, c)
            return body(r, c)
        return call

    def _let_value(self, slot, want_ref):
        book, whole = self.book, self._array_ctx or self._bare_ok

        def read(r, c):
            v = slot[0]
            if not isinstance(v, RefVal) or want_ref:
                return v
            return box_value(book, v, r, c, whole)
        return read

    def _three_d(self, name, arg_nodes):
        """Sheet1:Sheet3!A1 given to an aggregate: the same area on every sheet from the first
        to the last in the workbook's order, as separate arguments."""
        if name not in THREE_D_FUNCTIONS:
            raise Unsupported(f"En reference over flere ark (Ark1:Ark3!A1) i {name} understøttes ikke.",
                              f"A reference across sheets (Sheet1:Sheet3!A1) in {name} is not supported.")
        out = []
        for a in arg_nodes:
            area = a[1] if a[0] == "ref" else None
            if area is None or not area.sheet or ":" not in area.sheet or area.sheet.upper() in self.book.sheet_index:
                out.append(a)
                continue
            first, last = (self.book.sheet_index.get(n.upper()) for n in area.sheet.split(":", 1))
            if first is None or last is None:
                raise Unsupported(f"Arkene i {area.sheet} findes ikke i projektmappen.",
                                  f"The sheets of {area.sheet} do not exist in the workbook.")
            for k in range(min(first, last), max(first, last) + 1):
                out.append(("ref", replace(area, sheet=self.book.sheet_names[k])))
        return out
