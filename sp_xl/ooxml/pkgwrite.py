"""Writing an opened package: results, constants, hidden rows and calcPr into new package bytes.

The writing half of ``XlsxPackage`` (``package``), kept apart so that each stays small.
Formula results go in through ``valuesplice`` (one pass over a sheet for the cells of the
usual form) and ``patch.patch_sheet`` for the rest; a ``WriteReport`` keeps what was
written, so the new package can be checked without reading it all again (see
``sp_xl.engine.recalc``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter, itemgetter

from sp_xl.ooxml.calcpr import patch_calc_pr
from sp_xl.ooxml.cellrefs import range_cells
from sp_xl.ooxml.patch import patch_sheet, write_cells
from sp_xl.ooxml.sheetfind import cell_offsets
from sp_xl.ooxml.sheetscan import SheetScan, index_sheet
from sp_xl.ooxml.valuesplice import Written, splice_values
from sp_xl.ooxml.visibility import set_columns_hidden, set_rows_hidden

def writable_cells(formulas) -> dict[str, set[str]]:
    """Sheet -> the cells a refresh may write: formula cells and the cells of array ranges."""
    out: dict[str, set[str]] = {}
    for sheet, cells in groupby(formulas, attrgetter("sheet")):
        cells = list(cells)
        refs = out.setdefault(sheet, set())
        refs.update(map(attrgetter("ref"), cells))
        for f in filter(attrgetter("array_ref"), cells):
            refs.update(range_cells(f.array_ref))
    return out


@dataclass
class WriteReport:
    """What ``with_values`` wrote: per sheet the results (``Written``), and the new bytes of
    every zip member it replaced (by its name in the zip)."""
    written: dict[str, Written] = field(default_factory=dict)
    replaced: dict[str, bytes] = field(default_factory=dict)
    # Members changed by the one-pass splice alone: all they gained is the written texts,
    # checked as XML text (``check_written``), so they need no parse of the whole part.
    spliced_only: set[str] = field(default_factory=set)


def with_values(pkg, values: Mapping[tuple[str, str], object], *, stop_recalc_on_open: bool,
                constants: Mapping[tuple[str, str], float | str] | None,
                hidden: Mapping[str, tuple[Mapping[int, bool], Mapping[int, bool]]] | None,
                report: WriteReport | None) -> bytes | None:
    """See ``XlsxPackage.with_values``."""
    report = report if report is not None else WriteReport()
    allowed = pkg.writable_cells()
    # What the one-pass splice leaves is for the general patcher; a reference written unusually
    # ('$B$5', 'b5') is never matched by the splice, so it is normalised only there.
    pending = dict(values)
    order = {name: i for i, name in enumerate(pkg.sheet_names)}
    sheets = sorted(set(map(itemgetter(0), values)), key=lambda s: order.get(s, -1))
    spliced: dict[str, bytes] = {}
    for sheet in sheets:
        scan = pkg.scan_with_data(sheet)
        if scan is None:
            raise ValueError(f"sheet {sheet!r} has no cells to write")
        written = report.written[sheet] = Written()
        spliced[sheet] = scan.data
        if not scan.positional and scan.span[1]:
            spliced[sheet] = splice_values(scan.data, scan.prefix, scan.span, sheet, values, pending,
                                           allowed.get(sheet, set()), pkg.date1904, written)
    left: dict[str, dict[str, object]] = {}
    for (sheet, ref), v in pending.items():
        left.setdefault(sheet, {})[ref.replace("$", "").upper()] = v
    replaced: dict[str, bytes] = {}
    spliced_only: set[str] = set()
    for sheet, new in spliced.items():
        scan = pkg._scan(sheet)
        vals = left.get(sheet)
        if new != scan.data and not vals:
            spliced_only.add(pkg._sheet(sheet).part)
        if vals:
            bad = [r for r in vals if r not in allowed.get(sheet, ())]
            if bad:
                raise ValueError(f"not formula cells in {sheet!r}: {', '.join(sorted(bad)[:5])}")
            report.written[sheet].reread.update(vals)
            new = _patch_rest(scan, new, sheet, vals, pkg.date1904)
        if new != scan.data:
            replaced[pkg._sheet(sheet).part] = new
    if constants:
        by_const: dict[str, dict[str, float | str]] = {}
        for (sheet, ref), v in constants.items():
            ref = ref.replace("$", "").upper()
            if ref in allowed.get(sheet, ()):
                raise ValueError(f"{sheet}!{ref} holds a formula, not a constant")
            by_const.setdefault(sheet, {})[ref] = v
        for sheet, vals in by_const.items():
            part = pkg._sheet(sheet).part
            before = replaced.get(part, pkg.read(part))
            after = write_cells(before, vals)
            if after != before:
                replaced[part] = after
                spliced_only.discard(part)
    for sheet, (rows, cols) in (hidden or {}).items():
        part = pkg._part(sheet)
        if part is None:
            continue
        before = replaced.get(part, pkg.read(part))
        after = set_columns_hidden(set_rows_hidden(before, rows), cols)
        if after != before:
            replaced[part] = after
            spliced_only.discard(part)
    if stop_recalc_on_open and replaced:      # only stored values justify telling Excel to keep them
        wb = pkg.read(pkg.workbook_part)
        new_wb = patch_calc_pr(wb)
        if new_wb != wb:
            replaced[pkg.workbook_part] = new_wb
    if not replaced:
        return None
    report.replaced.update((pkg.zip_name(k), v) for k, v in replaced.items())
    report.spliced_only.update(map(pkg.zip_name, spliced_only))
    return pkg._rezip(replaced)


def _patch_rest(scan: SheetScan, data: bytes, sheet: str, vals: dict[str, object], date1904: bool) -> bytes:
    """``data`` (the sheet after the one-pass splice) with the cells the splice left: cells
    with unusual markup, array-range cells without a formula, cells to create."""
    if scan.positional:                       # cells without r="": only the full index places them
        idx = index_sheet(data, sheet)
        spans = {c.ref: (c.start, c.end, c.attrs, c.inner) for c in idx.cells}
        return patch_sheet(data, scan.prefix, spans, vals, date1904, idx)
    grown = len(data) - len(scan.data)            # the splice changed only the cells
    spans = cell_offsets(SheetScan(data, scan.prefix, span=(scan.span[0], scan.span[1] + grown)), vals)
    if len(spans) == len(vals):
        return patch_sheet(data, scan.prefix, spans, vals, date1904)
    idx = index_sheet(data, sheet)                # cells to create: needs rows and columns
    spans = {c.ref: (c.start, c.end, c.attrs, c.inner) for c in idx.cells}
    return patch_sheet(data, scan.prefix, spans, vals, date1904, idx)
