"""The defined names through which a workbook talks to sp_xl (one place for all of them).

- ``sp_SidstOpdateret``: the cell where a refresh writes when it ran (the master's Forside).
- ``sp_InterneArk``: a text constant listing internal working sheets ("D_LPR;D_Support"),
  which the share copy does not pass on unless live formulas need them.
- ``sp_Kildemappe``: a text constant with the folder whose extracts "Opdater alle ark"
  imports before it refreshes.
- ``sp_Vis_<anything>``: cells that are the period slots of a report view (a row of month
  headings, a column of day or week keys). After computing, a refresh hides each column
  (for a one-row range) or row (one-column range) whose slot cells are all empty or "",
  and shows it again when a slot fills.
"""

LAST_REFRESHED = "sp_SidstOpdateret"
INTERNAL_SHEETS = "sp_InterneArk"
SOURCE_FOLDER = "sp_Kildemappe"
VISIBILITY_PREFIX = "sp_Vis_"
