"""Compile a parsed formula into a Python closure ``fn(row, col) -> value``.

A compiled formula is position-independent: relative references are stored as offsets
from the formula's cell, so one compiled shape serves every cell of a filled-down column.
Where a function comes from, first match wins (how each kind of call runs: engine.calls):
  * SP_ functions: our registry, called with Excel-shaped (2-D list) arguments;
  * LET and LAMBDA (engine.compile_parts, engine.lambdas);
  * reference-aware functions (INDEX, ROW, COLUMN, ROWS, COLUMNS) and TRIM: engine.ownfns;
  * frequent scalar functions (IF, IFERROR, ROUND, ...): engine.native (fast, lazy IF);
  * aggregates and lookups over ranges (SUM..., SUMIFS..., MATCH, VLOOKUP): engine.fast;
  * every other Excel built-in: the ``formulas`` package (engine.builtins finds it).
Anything else raises ``Unsupported`` at compile time, so the cell is reported instead of
guessed. In Danish mode (engine.values.use_locale) number-to-text conversions follow
Danish Excel, and the ones we do not reproduce are reported.
"""

from __future__ import annotations

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine import excelfns as engine_excelfns
from sp_xl.engine import fast as engine_fast
from sp_xl.engine import native as engine_native
from sp_xl.engine import tables as engine_tables
from sp_xl.engine.book import Book, Compiled, RefTemplate
from sp_xl.engine.calls import CallParts
from sp_xl.engine.compile_parts import CompilerParts, absolute_only, box_value
from sp_xl.engine.lambdas import HELPERS as LAMBDA_HELPERS, LambdaParts
from sp_xl.engine.ownfns import DANISH_OWN, OWN_FUNCTIONS, index_of, text_function_names
from sp_xl.engine.parse import Unsupported, parse
from sp_xl.engine.refs import MAX_COL, MAX_ROW, Area, RefVal
from sp_xl.engine.semantics import (
    ARRAY_ARGUMENTS, DATE_FUNCTIONS, DATES_1904, DAYS_1900_TO_1904, REFUSED, SCALAR_PARAMETERS, TOP_LEFT_RESULTS,
    _shift,
)
from sp_xl.engine.values import EMPTY, ERRORS, E_NAME, E_REF, E_VALUE, binary, danish, from_outside, unary

__all__ = ["Book", "Compiled", "Compiler", "RefTemplate"]


class Compiler(CompilerParts, LambdaParts, CallParts):
    def __init__(self, book: Book):
        self.book = book
        self._resolved: dict[str, tuple] = {}
        self._name_stack: list[str] = []
        self._array_ctx = False   # inside an array formula or an array-typed argument
        self._bare_ok = False     # compiling a function argument itself (not an operand)
        self._scalar_args = False  # compiling the arguments of a SCALAR_PARAMETERS function
        self._shifted: dict[int, tuple] = {}  # date calls already moved to the 1900 system
        self._let_scopes: list[dict[str, list]] = []  # LET variables in scope, innermost last

    # -- entry point -------------------------------------------------------------------
    def compile(self, formula: str, si: int, row: int, col: int, array: bool = False) -> Compiled:
        """``array``: the cell anchors an array formula. Otherwise Excel's implicit
        intersection applies: a multi-cell range used as a single value (=B2:B9*2, or the
        whole formula =B2:B9) means the cell of that range in the formula's own row (or
        column), and #VALUE! when there is none."""
        node = parse(formula)
        refs: list[RefTemplate] = []
        flags = {"sp": False}
        self._array_ctx, self._bare_ok = array, False
        fn = self._node(node, si, row, col, refs, flags, want_ref=False)
        if not array and (node[0] == "array" or (node[0] == "func" and node[1] in TOP_LEFT_RESULTS)):
            inner = fn

            def fn(r, c):
                v = inner(r, c)
                return v[0, 0] if isinstance(v, np.ndarray) else v
        return Compiled(fn, refs, flags["sp"])

    def _arg(self, node, si, row, col, refs, flags, want_ref):
        """A function argument: a bare range is handed over whole (no intersection), except to
        a function of single values (SCALAR_PARAMETERS) in a normal formula."""
        saved, scalar = self._bare_ok, self._scalar_args
        self._scalar_args = False
        if scalar and not want_ref:
            try:
                return self._operand(node, si, row, col, refs, flags)
            finally:
                self._scalar_args = scalar
        self._bare_ok = True
        try:
            return self._node(node, si, row, col, refs, flags, want_ref)
        finally:
            self._bare_ok = saved
            self._scalar_args = scalar

    def _operand(self, node, si, row, col, refs, flags):
        """An operator's operand: outside array context a bare range is intersected."""
        saved = self._bare_ok
        self._bare_ok = False
        try:
            return self._node(node, si, row, col, refs, flags, False)
        finally:
            self._bare_ok = saved

    # -- nodes -----------------------------------------------------------------------
    def _node(self, node, si, row, col, refs, flags, want_ref):
        kind = node[0]
        if kind in ("num", "str", "bool"):
            const = node[1]
            return lambda r, c: const
        if kind == "err":
            if node[1] not in ERRORS:
                raise Unsupported(f"Fejlværdien {node[1]} kendes ikke.", f"Unknown error value {node[1]}.")
            e = ERRORS[node[1]]
            return lambda r, c: e
        if kind == "missing":
            return lambda r, c: EMPTY
        if kind == "array":
            arr = np.array([[from_outside(v) for v in rw] for rw in node[1]], dtype=object)
            return lambda r, c: arr
        if kind == "ref":
            return self._ref(node[1], si, row, col, refs, want_ref)
        if kind == "name":
            return self._name(node[1], node[2], si, refs, flags, want_ref)
        if kind == "table":
            return self._table(node[1], si, row, col, refs, want_ref)
        if kind == "bin":
            op = node[1]
            a = self._operand(node[2], si, row, col, refs, flags)
            b = self._operand(node[3], si, row, col, refs, flags)
            return lambda r, c: binary(op, a(r, c), b(r, c))
        if kind in ("neg", "pos", "pct"):
            a = self._operand(node[1], si, row, col, refs, flags)
            op = kind
            return lambda r, c: unary(op, a(r, c))
        if kind == "func":
            if node[1] in ("OFFSET", "INDIRECT"):
                return self._dynamic_ref(node, si, row, col, refs, flags, want_ref)
            if want_ref and node[1] == "INDEX":
                return self._index_reference(node, si, row, col, refs, flags)
            return self._func(node, si, row, col, refs, flags)
        if kind == "range":
            return self._range_operator(node, si, row, col, refs, flags, want_ref)
        if kind == "call":     # LAMBDA(x; ...)(arguments)
            return self._call(self._node(node[1], si, row, col, refs, flags, False), node[2], si, row, col, refs, flags)
        if kind == "shift":    # a date argument in a 1904 workbook (see _func_dispatch)
            inner, delta = self._node(node[2], si, row, col, refs, flags, False), node[1]
            return lambda r, c: _shift(inner(r, c), delta)
        raise Unsupported(f"Ukendt formeldel {kind}.", f"Unknown formula part {kind}.")

    def _sheet(self, name: str | None, si: int) -> int:
        if name is None:
            return si
        idx = self.book.sheet_index.get(name.upper())
        if idx is None and name.startswith("["):
            raise Unsupported(f"Referencen til {name} peger på en anden projektmappe; den kan ikke genberegnes.",
                              f"The reference to {name} points to another workbook; it cannot be recalculated.")
        if idx is None:
            raise Unsupported(f"Arket '{name}' findes ikke i projektmappen.", f"The sheet '{name}' does not exist in the workbook.")
        return idx

    def _ref(self, area: Area, si, row, col, refs, want_ref):
        sheet = self._sheet(area.sheet, si)
        r2, c2 = area.r2, area.c2
        t = RefTemplate(sheet, area.r1 - (row if not area.abs_r1 else 0), area.c1 - (col if not area.abs_c1 else 0),
                        r2 - (row if not area.abs_r2 else 0), c2 - (col if not area.abs_c2 else 0),
                        not area.abs_r1, not area.abs_c1, not area.abs_r2, not area.abs_c2)
        refs.append(t)
        book = self.book
        if area.is_cell and not want_ref:
            rr, cc = t.r1, t.c1
            if not t.rel_r1 and not t.rel_c1:
                return lambda r, c: book.get(sheet, rr, cc)
            if t.rel_r1 and t.rel_c1:
                def cell(r, c):
                    if r + rr < 1 or c + cc < 1:
                        return E_REF
                    return book.get(sheet, r + rr, c + cc)
                return cell
            if t.rel_r1:  # A$1-style mixes: one part moves, the other stays
                return lambda r, c: E_REF if r + rr < 1 else book.get(sheet, r + rr, cc)
            return lambda r, c: E_REF if c + cc < 1 else book.get(sheet, rr, c + cc)

        if not want_ref and not self._array_ctx and not self._bare_ok:
            def intersect(r, c):
                pos = t.at(r, c)
                if pos is None:
                    return E_REF
                r1, c1, r2, c2 = pos
                if r1 == r2:
                    rr = r1
                elif r1 <= r <= r2:
                    rr = r
                else:
                    return E_VALUE
                if c1 == c2:
                    cc = c1
                elif c1 <= c <= c2:
                    cc = c
                else:
                    return E_VALUE
                return book.get(sheet, rr, cc)
            return intersect

        def area_fn(r, c):
            pos = t.at(r, c)
            if pos is None:
                return E_REF
            ref = RefVal(sheet, *pos)
            return ref if want_ref else book.values(ref)
        if not want_ref and self._array_ctx and not self._bare_ok and (area.r2 == MAX_ROW or area.c2 == MAX_COL):
            plain = area_fn

            def area_fn(r, c):   # noqa: F811 - the same, refusing a whole column cut short
                v = plain(r, c)
                pos = t.at(r, c)
                if pos is not None and book.clipped(RefVal(sheet, *pos)) != (pos[2], pos[3]):
                    # the blank rows past the last cell would take part in the calculation
                    # (=SUMPRODUCT(--(A:A="")) counts all 1,048,576 rows): not reproduced
                    raise Unsupported("En hel kolonne eller række (A:A) i en matrixberegning understøttes ikke.",
                                      "A whole column or row (A:A) in an array calculation is not supported.")
                return v
        return area_fn

    def _table(self, text: str, si, row, col, refs, want_ref):
        table, r1, c1, r2, c2, this_row = engine_tables.resolve(text, self.book.tables, self.book.sheet_names[si], row, col)
        tsi = self._sheet(table.sheet, si)
        if not this_row:
            return self._ref(Area(self.book.sheet_names[tsi], r1, c1, r2, c2), si, row, col, refs, want_ref)
        # [@Kolonne]: the table's cell in the formula's own row, so a relative row
        area = Area(self.book.sheet_names[tsi], row, c1, row, c2, False, True, False, True)
        inner = self._ref(area, si, row, col, refs, want_ref)
        lo, hi = table.r1 + table.header_rows, table.r2 - table.totals_rows
        return lambda r, c: inner(r, c) if lo <= r <= hi else E_VALUE

    def _index_reference(self, node, si, row, col, refs, flags):
        """INDEX where a reference is wanted (left or right of ':'): the cell, not its value."""
        args = [self._arg(a, si, row, col, refs, flags, True) for a in node[2]]
        book = self.book
        return lambda r, c: index_of(book, r, c, *[a(r, c) for a in args], as_reference=True)

    def _range_operator(self, node, si, row, col, refs, flags, want_ref):
        """a:b between references (A1:INDEX(..), INDEX(..):INDEX(..)): the smallest area
        holding both. The area is only known at run time, so it must lie inside the areas
        the formula names statically (its dependencies); otherwise the cell is reported."""
        own: list[RefTemplate] = []
        left = self._arg(node[1], si, row, col, own, flags, True)
        right = self._arg(node[2], si, row, col, own, flags, True)
        refs.extend(own)
        book = self.book
        array_ctx, bare_ok = self._array_ctx, self._bare_ok

        def call(r, c):
            a, b = left(r, c), right(r, c)
            for v in (a, b):
                if isinstance(v, XlError):
                    return v
            if not isinstance(a, RefVal) or not isinstance(b, RefVal) or a.si != b.si:
                return E_VALUE
            box = RefVal(a.si, min(a.r1, b.r1), min(a.c1, b.c1), max(a.r2, b.r2), max(a.c2, b.c2))
            known = [p for t in own if t.si == box.si and (p := t.at(r, c)) is not None]
            for cc in range(box.c1, box.c2 + 1):
                if not any(p[1] <= cc <= p[3] and p[0] <= box.r1 and box.r2 <= p[2] for p in known):
                    raise Unsupported("Området fra ':' går uden for de områder, formlen nævner; det understøttes ikke.",
                                      "The area built with ':' reaches outside the areas the formula names; "
                                      "not supported.")
            return box if want_ref else box_value(book, box, r, c, array_ctx or bare_ok)
        return call

    def _name_text(self, name: str, sheet_scope: str | None, si: int) -> str | None:
        """A defined name's formula: a sheet's own name first, then the workbook's (as Excel)."""
        book = self.book
        sheet = (sheet_scope or book.sheet_names[si]).upper()
        text = book.local_names.get((sheet, name))
        if text is not None or sheet_scope:
            return text
        text = book.names.get(name)
        if text is None:
            for key, val in book.names.items():  # defined-name keys may come in any case
                if key.upper() == name:
                    return val
        return text

    def _name(self, name: str, sheet_scope: str | None, si, refs, flags, want_ref):
        for scope in reversed(self._let_scopes):     # a LET variable
            slot = scope.get(name) if sheet_scope is None else None
            if slot is not None:
                return self._let_value(slot, want_ref)
        text = self._name_text(name, sheet_scope, si)
        if text is None and name in self.book.tables:  # a bare table name is its data body
            return self._table(self.book.tables[name].name + "[#Data]", 0, 1, 1, refs, want_ref)
        if text is None and sheet_scope is None and not name.startswith("_XLPM."):
            return lambda r, c: E_NAME    # Excel: a name defined nowhere in the workbook is #NAME?
        if text is None:
            raise Unsupported(f"Navnet '{name}' er ikke defineret i projektmappen.",
                              f"The name '{name}' is not defined in the workbook.")
        if name in self._name_stack:
            raise Unsupported(f"Navnet '{name}' henviser til sig selv.", f"The name '{name}' refers to itself.")
        text = text[1:] if text.startswith("=") else text
        if "#REF!" in text.upper():  # a name whose range was deleted: Excel gives #REF!
            return lambda r, c: E_REF
        self._name_stack.append(name)
        try:
            node = parse(text)
            if node[0] == "ref" and node[1].sheet is None:
                raise Unsupported(f"Navnet '{name}' mangler et arknavn i sin reference.",
                                  f"The name '{name}' lacks a sheet name in its reference.")
            own: list[RefTemplate] = []
            fn = self._node(node, si, 0, 0, own, flags, want_ref)
        finally:
            self._name_stack.pop()
        absolute_only(name, own)
        refs.extend(own)
        return lambda r, c: fn(0, 0)

    # -- functions -------------------------------------------------------------------
    def _func(self, node, si, row, col, refs, flags):
        if node[1] in ARRAY_ARGUMENTS and not self._array_ctx:
            self._array_ctx = True  # e.g. SUMPRODUCT((A2:A9="x")*B2:B9) works without Ctrl+Shift+Enter
            try:
                return self._func_body(node, si, row, col, refs, flags)
            finally:
                self._array_ctx = False
        return self._func_body(node, si, row, col, refs, flags)

    def _func_body(self, node, si, row, col, refs, flags):
        _, name, arg_nodes, prefixed = node
        if name in SCALAR_PARAMETERS and not self._array_ctx:
            saved, self._scalar_args = self._scalar_args, True
            try:
                return self._func_dispatch(node, si, row, col, refs, flags)
            finally:
                self._scalar_args = saved
        return self._func_dispatch(node, si, row, col, refs, flags)

    def _func_dispatch(self, node, si, row, col, refs, flags):
        _, name, arg_nodes, prefixed = node
        if name == "LET":
            return self._let(arg_nodes, si, row, col, refs, flags)
        if name == "LAMBDA":
            return self._lambda(arg_nodes, si, row, col, refs, flags)
        if name in LAMBDA_HELPERS:
            return self._lambda_helper(name, arg_nodes, si, row, col, refs, flags)
        if any(a[0] == "ref" and a[1].sheet and ":" in a[1].sheet and a[1].sheet.upper() not in self.book.sheet_index
               for a in arg_nodes):
            arg_nodes = self._three_d(name, arg_nodes)
        if name in self.book.sp_functions:
            flags["sp"] = True
            args = [self._arg(a, si, row, col, refs, flags, False) for a in arg_nodes]
            return self._sp_call(name, args, [a[0] == "missing" for a in arg_nodes])
        if name.startswith("SP_") and self.book.sp_load_error:
            raise Unsupported(f"SP-funktionerne kunne ikke indlæses ({self.book.sp_load_error}).",
                              f"The SP functions could not be loaded ({self.book.sp_load_error}).")
        if name.startswith("SP_"):
            raise Unsupported(f"SP-funktionen {name} findes ikke i sp_xl.", f"The SP function {name} does not exist in sp_xl.")
        if prefixed:
            raise Unsupported(f"Funktionen {name} er hentet fra et tilføjelsesprogram, men er ikke en SP-funktion.",
                              f"The function {name} comes from an add-in but is not an SP function.")
        if name in REFUSED:
            da, en = REFUSED[name]
            raise Unsupported(da, en)
        if self.book.date1904 and name in DATE_FUNCTIONS and id(node) not in self._shifted:
            spec = DATES_1904.get(name)
            if spec is None:
                raise Unsupported(f"{name} i en projektmappe med 1904-datosystemet understøttes ikke.",
                                  f"{name} in a workbook using the 1904 date system is not supported.")
            # the 1900-system function on serials moved by the 1,462 days between the systems
            date_args, returns_date = spec
            args = [("shift", DAYS_1900_TO_1904, a) if i in date_args else a for i, a in enumerate(arg_nodes)]
            call = ("func", name, args, prefixed)
            self._shifted[id(call)] = call    # kept alive, so its id is not reused
            inner = self._func_dispatch(call, si, row, col, refs, flags)
            if not returns_date:
                return inner
            return lambda r, c: _shift(inner(r, c), -DAYS_1900_TO_1904, result=True)
        if danish() and name in DANISH_OWN:
            args = [self._arg(a, si, row, col, refs, flags, False) for a in arg_nodes]
            impl = DANISH_OWN[name]
            invoke = self._invoke
            return lambda r, c: impl(invoke, *[a(r, c) for a in args])
        mine = engine_excelfns.OWN.get(name)
        if mine is not None and not (danish() and name in text_function_names()):
            want = name in engine_excelfns.REF_ARGS
            args = [self._arg(a, si, row, col, refs, flags, want) for a in arg_nodes]
            return self._excel_fixed(name, mine, args)
        own = OWN_FUNCTIONS.get(name)
        if own is not None:
            want, impl = own
            args = [self._arg(a, si, row, col, refs, flags, want) for a in arg_nodes]
            book = self.book
            return lambda r, c: impl(book, r, c, *[a(r, c) for a in args])
        lazy = engine_native.LAZY.get(name)
        if lazy is not None:
            args = [self._arg(a, si, row, col, refs, flags, False) for a in arg_nodes]
            return self._native_lazy(name, lazy, args)
        strict = engine_native.STRICT.get(name)
        if strict is not None and strict[1] <= len(arg_nodes) <= strict[2]:
            args = [self._arg(a, si, row, col, refs, flags, False) for a in arg_nodes]
            return self._native_strict(name, strict[0], args)
        fast = engine_fast.AGGREGATES.get(name)
        if fast is not None and arg_nodes:
            args = [self._arg(a, si, row, col, refs, flags, True) for a in arg_nodes]
            return self._fast_call(name, fast, args)
        named = self._named_call(name, arg_nodes, si, row, col, refs, flags)
        if named is not None:   # a LET variable or defined name holding a LAMBDA
            return named
        self._builtin(name)  # unknown -> Unsupported now, at compile time
        args = [self._arg(a, si, row, col, refs, flags, False) for a in arg_nodes]
        if danish() and name in text_function_names():
            return self._danish_guarded_call(name, args)
        if name in ("TREND", "GROWTH", "LINEST", "LOGEST"):
            return self._regression_call(name, args)
        if name == "DATEDIF" and len(args) == 3:
            unit = args[2]
            args[2] = lambda r, c: (lambda u: u.upper() if type(u) is str else u)(unit(r, c))  # "d" = "D"
        return self._builtin_call(name, args)

