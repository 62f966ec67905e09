"""The workbook's cells as the engine reads them: one numpy object grid per sheet.

Constants and cached values of every sheet go into a grid sized to hold every formula cell
too; dates and times from the package become serial numbers of the workbook's date system.
"""

from __future__ import annotations

import datetime as _dt
from itertools import repeat

import numpy as np

from sp_xl.engine.views import ColumnCache
from sp_xl.engine import tables as engine_tables
from sp_xl.engine.book import Book
from sp_xl.engine.refs import parse_area, parse_cell
from sp_xl.engine.values import EMPTY, filled, from_outside

_EPOCH_1900 = _dt.datetime(1899, 12, 30)
_EPOCH_1904 = _dt.datetime(1904, 1, 1)


def _outside_value(v: object, date1904: bool) -> object:
    if isinstance(v, _dt.date):  # datetime is a date too
        if not isinstance(v, _dt.datetime):
            v = _dt.datetime(v.year, v.month, v.day)
        delta = v - (_EPOCH_1904 if date1904 else _EPOCH_1900)
        return delta.days + delta.seconds / 86400.0 + delta.microseconds / 86400e6
    if isinstance(v, _dt.time):
        return (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400.0
    return from_outside(v)


_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGIT = "0123456789"


def cell_positions(refs: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of many 'B5'-style references (the package's keys), fast.

    Built from C-level ``map`` calls over str methods (no Python frame per reference):
    a 100,000-row sheet has 600,000 keys.
    """
    try:
        rows = np.fromiter(map(int, map(str.lstrip, refs, repeat(_UPPER))), dtype=np.int64, count=len(refs))
        letters = list(map(str.rstrip, refs, repeat(_DIGIT)))
        number = {k: parse_cell(k + "1")[1] for k in set(letters)}
        cols = np.fromiter(map(number.__getitem__, letters), dtype=np.int64, count=len(refs))
    except (ValueError, TypeError):  # not plain 'B5' keys: parse one by one
        pairs = [parse_cell(r) for r in refs]
        rows = np.array([p[0] for p in pairs], dtype=np.int64)
        cols = np.array([p[1] for p in pairs], dtype=np.int64)
    return rows, cols


def load_book(pkg, formula_cells, positions, sp_functions) -> Book:
    sheet_names = list(pkg.sheet_names)
    sizes = {name: [1, 1] for name in sheet_names}
    loaded: dict[str, tuple[np.ndarray, np.ndarray, list]] = {}
    date1904 = bool(pkg.date1904)
    for name in sheet_names:
        cells = pkg.cells(name)
        rows, cols = cell_positions(list(cells))
        values = [v if type(v) is float else _outside_value(v, date1904) for v in cells.values()]
        loaded[name] = (rows, cols, values)
        if len(values):
            sizes[name] = [int(rows.max()), int(cols.max())]
    for fc, r, c in zip(formula_cells, *positions):
        size = sizes.setdefault(fc.sheet, [1, 1])
        area = parse_area(fc.array_ref) if fc.array_ref else None
        if area is not None:
            r, c = area.r2, area.c2
        if r > size[0]:
            size[0] = int(r)
        if c > size[1]:
            size[1] = int(c)
    grids = []
    for name in sheet_names:
        mr, mc = sizes[name]
        grid = filled((mr, mc), EMPTY)
        rows, cols, values = loaded[name]
        if values:
            arr = np.empty(len(values), dtype=object)
            arr[:] = values
            grid[rows - 1, cols - 1] = arr
        grids.append(grid)
    book = Book(sheet_names, grids, date1904, dict(pkg.defined_names),
                max_row=max(s[0] for s in sizes.values()) if sizes else 1,
                max_col=max(s[1] for s in sizes.values()) if sizes else 1,
                sp_functions=sp_functions)
    book.fast = ColumnCache(book)
    book.tables = engine_tables.load_tables(pkg)
    book.local_names = {(sheet.upper(), name.upper()): text
                        for (sheet, name), text in (getattr(pkg, "local_names", None) or {}).items()}
    return book
