"""How a compiled function call runs, once the Compiler has chosen where the function comes
from: engine.excelfns' own functions, the regression functions, text functions in Danish
mode, the ``formulas`` package's built-ins, engine.native's scalar functions, engine.fast's
aggregates, and SP_ functions (their arguments and results made Excel-shaped across the
boundary). ``CallParts`` is a mixin of ``compile.Compiler`` (it uses ``book`` and
``_resolved``)."""

from __future__ import annotations

from itertools import chain

import numpy as np
from formulas.errors import BaseError
from formulas.functions import COMPILING
from formulas.tokens.operand import XlError

from sp_xl import errors as sp_errors
from sp_xl.engine import builtins as engine_builtins
from sp_xl.engine import excelfns as engine_excelfns
from sp_xl.engine.views import FALLBACK
from sp_xl.engine import native as engine_native
from sp_xl.engine.book import Book
from sp_xl.engine.ownfns import DANISH_TEXT_POSITIONS
from sp_xl.engine.parse import Unsupported
from sp_xl.engine.refs import RefVal
from sp_xl.engine.values import EMPTY, ERRORS, E_VALUE, as_array, filled, from_outside, normalise


def _value(v: object, book: Book) -> object:
    return book.values(v) if isinstance(v, RefVal) else v


class CallParts:
    def _excel_fixed(self, name, impl, args):
        book, invoke = self.book, self._invoke

        def call(r, c):
            vals = [a(r, c) for a in args]
            res = impl(book, r, c, *vals)
            if res is engine_excelfns.DELEGATE:
                return invoke(name, [_value(v, book) for v in vals])
            return res
        return call

    def _regression_call(self, name, args):
        """TREND/GROWTH/LINEST/LOGEST, where formulas matches Excel (engine.excelfns.regression_guard).
        TREND/GROWTH: formulas wants new_x as an array and returns a column; Excel's result
        has the shape of new_x (else known_x, else known_y)."""
        invoke = self._invoke

        def call(r, c):
            vals = [a(r, c) for a in args]
            stop = engine_excelfns.regression_guard(name, vals)
            if stop is not None:
                return stop
            if name in ("LINEST", "LOGEST"):
                return invoke(name, vals)
            if len(vals) >= 3 and not isinstance(vals[2], np.ndarray) and vals[2] is not EMPTY:
                vals[2] = np.array([[vals[2]]], dtype=object)
            res = invoke(name, vals)
            shaper = next((v for v in (vals[2:3] + vals[1:2] + vals[:1])
                           if isinstance(v, np.ndarray)), None)
            if isinstance(res, np.ndarray) and shaper is not None and res.size == shaper.size:
                return res.reshape(shaper.shape)
            return res
        return call

    def _danish_guarded_call(self, name, args):
        """formulas' text functions turn numbers into en-US text (0.5, TRUE): in Danish mode
        a number or logical where text is expected is reported instead."""
        positions = DANISH_TEXT_POSITIONS.get(name)
        invoke = self._invoke

        def call(r, c):
            vals = [a(r, c) for a in args]
            for i, v in enumerate(vals):
                if positions is not None and i not in positions:
                    continue
                items = v.ravel().tolist() if isinstance(v, np.ndarray) else [v]
                if any(type(x) is float or type(x) is bool for x in items):
                    raise Unsupported(
                        f"{name} gør et tal til tekst; i dansk Excel afhænger resultatet af dansk talformat, "
                        "som formelmotoren ikke efterligner her.",
                        f"{name} turns a number into text; in Danish Excel the result depends on Danish number "
                        "formatting, which the engine does not reproduce here.")
            return invoke(name, vals)
        return call

    def _builtin(self, name):
        """(implementation, leading arguments) of a ``formulas`` built-in, or Unsupported."""
        hit = self._resolved.get(name)
        if hit is not None:
            return hit
        impl = engine_builtins.lookup(name)
        if impl is None:
            raise Unsupported(f"Funktionen {name} kendes ikke af sp-xl's formelmotor.",
                              f"The function {name} is not known to sp-xl's formula engine.")
        prefix: tuple = ()
        if isinstance(impl, dict):
            extra = impl.get("extra_inputs") or {}
            for key in extra:
                if key is COMPILING:
                    prefix += (False,)
                else:
                    raise Unsupported(f"Funktionen {name} kræver cellens position; det understøttes ikke.",
                                      f"The function {name} needs the cell's position; not supported.")
            impl = impl["function"]
        self._resolved[name] = (impl, prefix)
        return impl, prefix

    def _invoke(self, name, vals):
        impl, prefix = self._builtin(name)
        try:
            res = impl(*prefix, *[as_array(v) for v in vals])
        except NotImplementedError:
            raise Unsupported(f"Funktionen {name} er ikke implementeret i formelmotoren.",
                              f"The function {name} is not implemented in the formula engine.") from None
        except (BaseError, ValueError, TypeError, IndexError):
            return E_VALUE
        return normalise(res)

    def _builtin_call(self, name, args):
        invoke = self._invoke
        return lambda r, c: invoke(name, [a(r, c) for a in args])

    def _native_lazy(self, name, impl, args):
        invoke = self._invoke

        def call(r, c):
            res = impl(r, c, args)
            if res is engine_native.DELEGATE:
                return invoke(name, [a(r, c) for a in args])
            return res
        return call

    def _native_strict(self, name, impl, args):
        invoke = self._invoke

        def call(r, c):
            vals = [a(r, c) for a in args]
            for v in vals:
                if isinstance(v, np.ndarray):
                    return invoke(name, vals)
            res = impl(*vals)
            return invoke(name, vals) if res is engine_native.DELEGATE else res
        return call

    def _fast_call(self, name, fast, args):
        book = self.book
        invoke = self._invoke

        def call(r, c):
            vals = [a(r, c) for a in args]
            res = fast(book, vals)
            if res is not FALLBACK:
                return res
            return invoke(name, [_value(v, book) for v in vals])
        return call

    def _sp_call(self, name, args, missing):
        func = self.book.sp_functions[name]
        book = self.book

        def call(r, c):
            vals = [_to_excel(a(r, c)) for a in args]
            # an empty argument (SP_STATUS(A1;B1;;TRUE)) is Excel's "missing": the default
            vals = [None if v == [[None]] and is_missing else v for v, is_missing in zip(vals, missing)]
            res = func(*vals)
            return _from_excel(res, book)
        return call


# --- SP_ functions: Excel-shaped values across the boundary -----------------------------

def _excel_scalar(v: object) -> object:
    if v is EMPTY:
        return None
    if isinstance(v, XlError):
        return sp_errors.from_literal(str(v))
    return v


def _needs_conversion(types: set) -> bool:
    """Whether values of these types include engine blanks or errors (see _excel_scalar)."""
    return type(EMPTY) in types or any(issubclass(t, XlError) for t in types)


def _to_excel(v: object) -> object:
    """Every argument as a 2-D list, as xlwings delivers it (the UDFs declare ndim=2)."""
    if isinstance(v, np.ndarray):
        rows = v.tolist()
        # A 100,000-row column of plain values passes as it is: one C-level type scan
        # instead of a Python call per cell.
        if v.ndim == 2 and not _needs_conversion(set(map(type, chain.from_iterable(rows)))):
            return rows
        return [[_excel_scalar(x) for x in row] for row in rows]
    return [[_excel_scalar(v)]]


def _from_excel_scalar(v: object, book: Book) -> object:
    if isinstance(v, sp_errors.ExcelError):
        book.reasons[v.code] = v
        return ERRORS[v.code]
    if v is None:
        return EMPTY
    if isinstance(v, str) and v in ERRORS:
        return ERRORS[v]
    return from_outside(v)


_FLOAT_ONLY = frozenset({float})


def _from_excel(res: object, book: Book) -> object:
    if isinstance(res, (list, tuple)):
        rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in res]
        if not rows or not rows[0]:
            return EMPTY
        width = max(map(len, rows))
        if min(map(len, rows)) == width and _FLOAT_ONLY.issuperset(map(type, chain.from_iterable(rows))):
            out = np.empty((len(rows), width), dtype=object)   # floats pass unchanged (from_outside)
            out[...] = rows
            return out[0, 0] if out.size == 1 else out
        out = filled((len(rows), width), ERRORS["#N/A"])
        for i, rw in enumerate(rows):
            for j, v in enumerate(rw):
                # an empty period of a multi-cell result shows blank in Excel ("", see excel.wire)
                out[i, j] = "" if v is None and out.size > 1 else _from_excel_scalar(v, book)
        return out[0, 0] if out.size == 1 else out
    return normalise(_from_excel_scalar(res, book))
