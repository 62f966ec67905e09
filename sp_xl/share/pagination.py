"""Page breaks of the copy, placed for the rows it shows.

The master's breaks were planned with every period slot visible; the copy shows only the
periods with data (a refresh hid the rest), so each sheet printed one page wide gets its breaks
planned again (``sp_xl.master.printing.page_breaks``). A sheet with any other print setup keeps
the breaks its author chose.
"""

from __future__ import annotations

import io
import warnings

from sp_xl.master.printing import page_breaks
from sp_xl.ooxml.pagebreaks import set_row_breaks
from sp_xl.share.edits import Members

MAX_SHEET_BYTES = 30_000_000      # about 300,000 cells of sheet XML: openpyxl reads that in seconds


def repaginate(m: Members, parts: dict[str, str]) -> list[str]:
    """Re-plan the breaks of the sheets (name -> zip member) printed one page wide; returns the
    sheets whose breaks changed."""
    import openpyxl
    if sum(len(m.read(p)) for p in parts.values()) > MAX_SHEET_BYTES:
        return []                 # a very large copy keeps its breaks rather than a long wait
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(m.to_bytes()))
    except Exception:  # noqa: BLE001 - breaks are a courtesy of print; a workbook openpyxl cannot read keeps its own
        return []
    changed = []
    for ws in wb.worksheets:
        part = parts.get(ws.title)
        setup = ws.page_setup
        fit = ws.sheet_properties.pageSetUpPr
        if not part or not (fit and fit.fitToPage) or setup.fitToWidth not in (1, None) or setup.fitToHeight != 0:
            continue
        old = m.read(part)
        new = set_row_breaks(old, page_breaks(ws))
        if new != old:
            m.put(part, new)
            changed.append(ws.title)
    return changed
