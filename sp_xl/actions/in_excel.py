"""Import and refresh on the workbook open in Excel: nothing is saved, closed or reopened.

The ribbon's actions used to save the user's workbook, close it, run the file engines and
reopen it, which lost the window and selection, and refused a workbook on OneDrive or
SharePoint (an https address, no file to rewrite). Here the workbook stays open:

- Import reads the workbook as the headless engine always does, from OOXML (same reader,
  same decisions as `sp-xl import`), and writes the result back through ``OpenWorkbook``
  (``importing.open_book``). Which OOXML: the file on disk when the workbook is a local file
  with no unsaved changes; otherwise (unsaved edits, an https address, never saved) a copy
  Excel writes of what is open (``SaveCopyAs`` into a temporary folder; the open workbook
  keeps its name, address and unsaved state). A copy rather than reading cells through
  xlwings: the import needs the tables' definitions, their header and totals rows, the
  defined names, the date system and the import record (a custom XML part), and a second
  reader of all that would be a second place to get them wrong.
- Refresh lets Excel compute every formula (``CalculateFull``; the SP_ cells through the
  add-in) after writing the refresh time into the cell named ``sp_SidstOpdateret``, then
  shows the report views' period slots that have data and hides the empty ones.

The workbook is then changed but not saved: the user saves to keep it, or closes without
saving to undo it all (Excel clears its undo list after any macro).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from sp_xl import i18n
from sp_xl.actions.importing import plan_import
from sp_xl.importing.open_book import BookWriter, apply_to_open_book
from sp_xl.importing.summary import ImportSummary
from sp_xl.ooxml import names
from sp_xl.ooxml.cellrefs import col_letters
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.safety import WorkbookRefused
from sp_xl.ooxml.sheetscan import gc_paused
from sp_xl.ooxml.visibility import slot_areas, slot_visibility


class OpenWorkbook(BookWriter, Protocol):
    """A workbook open in Excel, as the actions see it (``sp_xl.addin.xlbook`` in Excel)."""

    name: str          # "sp_status.xlsx"
    fullname: str      # a path, an https address, or just the name of a never-saved workbook
    saved: bool        # no unsaved changes

    def save_copy(self, path: Path) -> None:
        """``SaveCopyAs``: what is open, written to ``path``; the workbook itself is unchanged."""

    def is_formula(self, sheet: str, ref: str) -> bool: ...

    def calculate_full(self) -> None:
        """``Application.CalculateFull``: every formula of every open workbook."""

    def read(self, sheet: str, area: str) -> list[list[object]]:
        """``Range.Value`` of ``area`` as rows (always 2-D)."""

    def set_hidden(self, sheet: str, rows: Mapping[int, bool], columns: Mapping[int, bool]) -> None:
        """Hide (True) or show (False) whole rows and columns."""


def import_into_open(book: OpenWorkbook, files: Sequence[Path], *, force: bool = False, calculate: bool = True,
                     now: dt.datetime | None = None) -> ImportSummary:
    """Import ``files`` into the open ``book``, then let Excel recalculate (unless ``calculate``
    is off: a refresh follows at once). Raises WorkbookRefused (Danish/English) before anything
    is written, as `sp-xl import` does."""
    started = time.perf_counter()
    now = (now or dt.datetime.now()).replace(microsecond=0)
    summary = ImportSummary(Path(book.name), force=force)
    with gc_paused():
        state = plan_import(contents(book), [Path(f) for f in files], summary, now=now, force=force)
    if state.changed:
        try:
            apply_to_open_book(book, state)
        except Exception as exc:  # noqa: BLE001 - Excel refused a call halfway: say what state the book is in
            raise WorkbookRefused(
                f"Importen i {book.name} stoppede halvvejs, fordi Excel afviste en ændring ({type(exc).__name__}). "
                "Projektmappen er delvist ændret og ikke gemt: luk den uden at gemme, og importér igen.",
                f"The import into {book.name} stopped halfway because Excel refused a change "
                f"({type(exc).__name__}). The workbook is partly changed and not saved: close it without saving "
                "and import again.") from exc
        if calculate:
            book.calculate_full()
            show_filled_slots(book)
    summary.seconds = time.perf_counter() - started
    return summary


def contents(book: OpenWorkbook) -> XlsxPackage:
    """The open workbook as OOXML: its file when that is what Excel shows, else Excel's copy."""
    path = Path(book.fullname)
    if book.saved and "://" not in book.fullname and path.is_file():
        return XlsxPackage(path.read_bytes(), book.name)
    suffix = Path(book.name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="sp_xl_") as folder:
        copy = Path(folder) / ("kopi" + (suffix if suffix in (".xlsx", ".xlsm") else ".xlsx"))
        try:
            book.save_copy(copy)
            data = copy.read_bytes()
        except Exception as exc:  # noqa: BLE001 - Excel's own refusal (a protected file, a full disk)
            raise WorkbookRefused(
                f"Excel kunne ikke gemme en kopi af {book.name} til importen ({type(exc).__name__}); intet er "
                "ændret. Gem projektmappen, og prøv igen.",
                f"Excel could not save a copy of {book.name} for the import ({type(exc).__name__}); nothing was "
                "changed. Save the workbook and try again.") from exc
        return XlsxPackage(data, book.name)


def refresh_open(book: OpenWorkbook, now: dt.datetime | None = None) -> list[str]:
    """Stamp the refresh time (when the workbook names a constant cell for it) and let Excel
    recalculate every formula. Returns the lines for the user."""
    now = (now or dt.datetime.now()).replace(microsecond=0)
    lines = []
    where = names.name_cell(book.names(), names.LAST_REFRESHED)
    if where is not None and not book.is_formula(*where):      # a formula stamp is the workbook's own business
        book.write(where[0], where[1], [[now]])
    book.calculate_full()
    show_filled_slots(book)
    lines.append(i18n.pick(
        f"Alle formler i {book.name} er beregnet igen i Excel, kl. {now:%H.%M}.",
        f"Every formula in {book.name} was recalculated in Excel at {now:%H:%M}."))
    return lines


def show_filled_slots(book: OpenWorkbook) -> None:
    """Show the report views' period slots that have data and hide the empty ones, from the
    values Excel computed (the ``sp_Vis_`` names; ``sp-xl refresh`` does the same in the file)."""
    areas = slot_areas({n: text.removeprefix("=") for n, text in book.names().items()}, names.VISIBILITY_PREFIX)
    values: dict[str, dict[str, object]] = {}
    for sheet, rects in areas.items():
        cells = values.setdefault(sheet, {})
        for r1, c1, r2, c2 in rects:
            for i, row in enumerate(book.read(sheet, f"{col_letters(c1)}{r1}:{col_letters(c2)}{r2}")):
                cells.update((f"{col_letters(c1 + j)}{r1 + i}", v) for j, v in enumerate(row))
    for sheet, (rows, columns) in slot_visibility(areas, lambda s, ref: values[s].get(ref)).items():
        if rows or columns:
            book.set_hidden(sheet, rows, columns)


def not_saved_note(name: str) -> str:
    """What the user must know after a change to the open workbook."""
    return i18n.pick(
        f"{name} er ændret, men ikke gemt: gem den for at beholde ændringerne, eller luk den uden at gemme for "
        "at fortryde dem.",
        f"{name} was changed but not saved: save it to keep the changes, or close it without saving to undo them.")
