"""The defined names through which a workbook talks to sp_xl (one place for all of them).

- ``sp_SidstOpdateret``: the cell where a refresh writes when it ran (the master's Forside).
- ``sp_InterneArk``: a text constant listing internal working sheets ("D_LPR;D_Support"),
  which the share copy does not pass on unless live formulas need them.
- ``sp_KunArbejdsbog``: cells only the master shows (e.g. the column naming each target's
  defined name); the share copy empties them, so readers never see a name or formula.
- ``sp_Rapportperiode``: the cell holding the report's period (a date shown as a month); the
  share copy prints it in every page header.
- ``sp_Kildemappe``: a text constant with the folder whose extracts "Opdater alle ark"
  imports before it refreshes.
- ``sp_Vis_<anything>``: cells that are the period slots of a report view (a row of month
  headings, a column of day or week keys). After computing, a refresh hides each column
  (for a one-row range) or row (one-column range) whose slot cells are all empty or "",
  and shows it again when a slot fills.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

LAST_REFRESHED = "sp_SidstOpdateret"
INTERNAL_SHEETS = "sp_InterneArk"
SOURCE_FOLDER = "sp_Kildemappe"
WORKBOOK_ONLY = "sp_KunArbejdsbog"
REPORT_PERIOD = "sp_Rapportperiode"
VISIBILITY_PREFIX = "sp_Vis_"


_CELL_NAME = re.compile(r"=?(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Za-z]{1,3})\$?(\d+)")


def name_cell(defined_names: Mapping[str, str], name: str) -> tuple[str, str] | None:
    """(sheet, 'B12') of a defined name that points at one cell; None for anything else."""
    m = _CELL_NAME.fullmatch((defined_names.get(name) or "").strip())
    if not m:
        return None
    return (m.group(1) or "").replace("''", "'") or m.group(2).strip(), f"{m.group(3).upper()}{m.group(4)}"
