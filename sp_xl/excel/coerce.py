"""Arguments as Excel hands them over, turned into arrays the calculation layer can use.

Excel (through xlwings, with ``ndim=2`` and ``err_to_str``) gives a scalar for a typed-in
constant and a list of lists for a range: floats for numbers, ``None`` for an empty cell,
``datetime`` for a date, ``str`` for text and "#N/A"-style strings for error cells. Python
callers may also pass a flat list, a numpy array or a pandas Series. Everything becomes a
2-D array here, and the original form is remembered so the result can take the same form.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sp_xl.calc.cells import Cells
from sp_xl.errors import NA, NUM, VALUE, ExcelError, SpError, err, fail, from_literal

_TRUE = {"sand", "true", "ja", "yes", "1"}
_FALSE = {"falsk", "false", "nej", "no", "0"}
# Excel's day 0 in the 1900 date system (serial 1 = 1900-01-01, skipping Excel's 29 Feb 1900).
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_MAX_SERIAL = 2958465  # 31 December 9999, Excel's last date
_PLAIN = {float, int, type(None)}
_DATES = {dt.datetime, dt.date, type(None)}
_UNIX_ORDINAL = dt.date(1970, 1, 1).toordinal()
_NAT = -(2**62)


@dataclass(frozen=True, slots=True)
class Arg:
    """One argument as a 2-D object array, and how it arrived (0 scalar, 1 flat list, 2 rows)."""

    name: str
    grid: np.ndarray
    ndim: int

    @property
    def size(self) -> int:
        return self.grid.size

    def where(self, i: int) -> str:
        """Where a cell sits, for messages: the argument, and its position in a range."""
        return f"'{self.name}'" if self.size == 1 else f"'{self.name}', celle nr. {i + 1}"

    def where_en(self, i: int) -> str:
        return f"'{self.name}'" if self.size == 1 else f"'{self.name}', cell no. {i + 1}"


def arg(value: Any, name: str) -> Arg:
    if hasattr(value, "to_numpy"):  # pandas
        value = value.to_numpy()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list):
        g = np.empty((1, 1), dtype=object)
        g[0, 0] = value
        return Arg(name, g, 0)
    nested = [isinstance(r, (list, tuple)) for r in value]
    if value and all(nested):
        widths = {len(r) for r in value}
        if len(widths) != 1:
            raise fail(VALUE, f"'{name}' er ikke et rektangulært område (rækkerne har forskellig længde).",
                       f"'{name}' is not a rectangular range (rows differ in length).")
        rows, cols = len(value), widths.pop()
        flat = np.empty(rows * cols, dtype=object)
        flat[:] = list(itertools.chain.from_iterable(value))  # 1-D fill: far faster than nested
        return Arg(name, flat.reshape(rows, cols), 2)
    if any(nested):
        raise fail(VALUE, f"'{name}' blander enkeltværdier og rækker.", f"'{name}' mixes single values and rows.")
    g = np.empty((1, len(value)), dtype=object)
    g[0, :] = value
    return Arg(name, g, 1)


def _cell_error(a: Arg, i: int, v: Any) -> ExcelError:
    """Why cell i of a numeric argument is not a number."""
    e = from_literal(v)
    if e is not None:
        return err(e.code, f"{a.where(i)}: {e.reason_da}", f"{a.where_en(i)}: {e.reason_en}")
    if isinstance(v, bool):
        return err(VALUE, f"{a.where(i)} indeholder en sandhedsværdi (SAND/FALSK), ikke et tal.",
                   f"{a.where_en(i)} holds a logical value (TRUE/FALSE), not a number.")
    if isinstance(v, (dt.date, dt.datetime)):
        return err(VALUE, f"{a.where(i)} indeholder en dato, ikke et tal.", f"{a.where_en(i)} holds a date, not a number.")
    if isinstance(v, float):
        return err(NUM, f"{a.where(i)} er ikke et endeligt tal.", f"{a.where_en(i)} is not a finite number.")
    shown = str(v) if len(str(v)) <= 30 else str(v)[:27] + "..."
    return err(VALUE, f"{a.where(i)} indeholder tekst ('{shown}'), ikke et tal.",
               f"{a.where_en(i)} holds text ('{shown}'), not a number.")


def numbers(a: Arg) -> Cells:
    """The argument as numbers: NaN for an empty cell, an error value for anything else."""
    flat = a.grid.ravel()
    errors = np.full(flat.shape, None, dtype=object)
    if set(map(type, flat)) <= _PLAIN:
        # The common case, numbers and empty cells only: convert in one go (None -> NaN).
        values = flat.astype(float)
        for i in np.flatnonzero(~np.isfinite(values)):
            if flat[i] is not None:
                errors[i] = _cell_error(a, int(i), flat[i])
        return Cells(values.reshape(a.grid.shape), errors.reshape(a.grid.shape))
    values = np.full(flat.shape, np.nan)
    for i, v in enumerate(flat):
        t = type(v)
        if (t is float and math.isfinite(v)) or t is int:
            values[i] = v
        elif v is None or (t is str and v == ""):
            continue
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and math.isfinite(v):
            values[i] = float(v)
        else:
            errors[i] = _cell_error(a, i, v)
    return Cells(values.reshape(a.grid.shape), errors.reshape(a.grid.shape))


def series(a: Arg) -> Cells:
    """A row or a column read in order, as a 1-D array."""
    rows, cols = a.grid.shape
    if rows > 1 and cols > 1:
        raise fail(VALUE, f"'{a.name}' skal være én række eller én kolonne, ikke et område på {rows}×{cols}.",
                   f"'{a.name}' must be one row or one column, not a {rows}×{cols} range.")
    c = numbers(a)
    return Cells(c.values.ravel(), c.errors.ravel())


def _one(a: Arg) -> Any:
    if a.size != 1:
        raise fail(VALUE, f"'{a.name}' skal være én værdi (én celle).", f"'{a.name}' must be a single value (one cell).")
    return a.grid[0, 0]


def number(a: Arg, default: float | None = None) -> float:
    """A single number; an empty optional argument takes its default."""
    v = _one(a)
    if (v is None or v == "") and default is not None:
        return float(default)
    c = numbers(a)
    if not c.ok[0, 0]:
        raise SpError(c.errors[0, 0])
    if np.isnan(c.values[0, 0]):
        raise fail(NA, f"'{a.name}' mangler (tom celle).", f"'{a.name}' is missing (empty cell).")
    return float(c.values[0, 0])


def integer(a: Arg, default: int | None = None, minimum: int = 0, maximum: int = 1_000_000) -> int:
    """A whole number (decimals cut off, as Excel does) from ``minimum`` to ``maximum``."""
    x = number(a, default)
    if not minimum <= x < maximum + 1:
        raise fail(NUM, f"'{a.name}' skal være et helt tal fra {minimum} til {maximum}, ikke {x:g}.",
                   f"'{a.name}' must be a whole number from {minimum} to {maximum}, not {x:g}.")
    return int(x)


def flag(a: Arg, default: bool = False) -> bool:
    """SAND/FALSK: a logical value, a number (0 is FALSK) or the words in Danish or English."""
    v = _one(a)
    if v is None or v == "":
        return default
    e = from_literal(v)
    if e is not None:
        raise SpError(e)
    if isinstance(v, (bool, int, float)):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in _TRUE | _FALSE:
        return v.strip().lower() in _TRUE
    raise fail(VALUE, f"'{a.name}' skal være SAND eller FALSK, ikke '{v}'.", f"'{a.name}' must be TRUE or FALSE, not '{v}'.")


def text(a: Arg) -> str | None:
    v = _one(a)
    if v is None or v == "":
        return None
    e = from_literal(v)
    if e is not None:
        raise SpError(e)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def _to_day(v: Any) -> np.datetime64 | None:
    if isinstance(v, dt.datetime):
        return np.datetime64(v.date(), "D")
    if isinstance(v, dt.date):
        return np.datetime64(v, "D")
    if isinstance(v, np.datetime64):
        return v.astype("datetime64[D]")
    if isinstance(v, (int, float)) and not isinstance(v, bool) and 1 <= v <= _MAX_SERIAL:
        # An Excel serial number (what a date is underneath, and what the headless engine passes).
        serial = int(v) + (1 if v < 61 else 0)  # Excel counts a 29 Feb 1900 that never was
        return np.datetime64((_EXCEL_EPOCH + dt.timedelta(days=serial)).date(), "D")
    return None


def dates(a: Arg) -> tuple[np.ndarray, Cells]:
    """The argument as days (datetime64[D]); errors for cells that are not dates."""
    flat = a.grid.ravel()
    shape = a.grid.shape
    errors = np.full(flat.shape, None, dtype=object)
    if set(map(type, flat)) <= _DATES:
        # The common case, dates and empty cells only: convert in one go (None -> NaT).
        ordinals = np.fromiter((_NAT if v is None else v.toordinal() for v in flat), dtype=np.int64, count=flat.size)
        blank = np.where(ordinals == _NAT, np.nan, 0.0)
        days = np.where(ordinals == _NAT, np.datetime64("NaT", "D"), (ordinals - _UNIX_ORDINAL).astype("datetime64[D]"))
        return days.reshape(shape), Cells(blank.reshape(shape), errors.reshape(shape))
    days = np.full(flat.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    blank = np.zeros(flat.shape)
    for i, v in enumerate(flat):
        if v is None or v == "":
            blank[i] = np.nan
            continue
        d = _to_day(v)
        if d is not None:
            days[i] = d
            continue
        e = from_literal(v)
        if e is not None or isinstance(v, (bool, str)):
            errors[i] = _cell_error(a, i, v) if e is not None or isinstance(v, bool) else err(
                VALUE, f"{a.where(i)} indeholder tekst ('{v}'), ikke en dato.", f"{a.where_en(i)} holds text ('{v}'), not a date.")
        else:
            errors[i] = err(NUM, f"{a.where(i)} er ikke en gyldig dato.", f"{a.where_en(i)} is not a valid date.")
    return days.reshape(shape), Cells(blank.reshape(shape), errors.reshape(shape))


def result(c: Cells, ndim: int) -> Any:
    """Cells back in the form the arguments came in: a scalar, a flat list or rows.

    An empty value without an error stays empty (None): it marks an empty input, by design.
    """
    vals = c.values
    ok = c.ok
    if vals.dtype == object:
        out = vals.copy()
    else:
        finite = np.isfinite(vals)
        if ok.all() and finite.all():  # the common case: plain numbers
            out = vals
        else:
            out = vals.astype(object)
            out[ok & ~finite & ~np.isnan(vals)] = ExcelError(NUM, "Resultatet er uendeligt.", "The result is infinite.")
            out[ok & np.isnan(vals)] = None
    if not ok.all():
        out[~ok] = c.errors[~ok]
    if ndim == 0:
        return out.ravel().tolist()[0]  # tolist: Python floats, not numpy scalars
    if ndim == 1:
        return out.ravel().tolist()
    return out.tolist()


def result_ndim(*args: Arg) -> int:
    """A result is as many-dimensional as its most-dimensional per-item argument."""
    return max(a.ndim for a in args)
