"""``sp-xl share``: the copy of the master that managers without Python or the add-in get.

What the copy is (see issue 5):
* an .xlsx without VBA, SP_ functions, external links, connections or personal metadata;
* each SP_ formula becomes the native formula (``share.translate``); where none exists the
  cached value is frozen, and the sheet "Om tallene" lists those cells with the reason;
* NETWORKDAYS reads the Danish holidays from the new sheet "Helligdage";
* everything else is the master's own bytes (formats, charts, widths, panes, tables).

Rules chosen here:
* Fresh (``share.check``): the master must carry a refresh stamp (``sp_SidstOpdateret`` not
  "Endnu ikke opdateret"), every SP_ cell a cached value, and the engine's recomputation of
  the SP_ cells must equal their cached values (to 1e-9) - otherwise data changed after the
  last refresh and the copy would show old numbers, so it is refused.
* Internal sheets (``sp_InterneArk``) stay home, with the defined names that point into them.
  A formula that reads one of their cells gets that value written in (``share.inline``) and
  stays live for everything else; one that reads a range there is frozen as its value and
  listed on "Om tallene". Only what cannot be rewritten - a chart, a pivot cache, a
  conditional format or data validation reading an internal sheet - makes it travel, hidden.
* Internal comments: a note whose text starts with "Intern" (any case, e.g. "Intern: ...",
  "[Intern]") is removed from the copy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from sp_xl.actions.outcome import EXIT_DONE, EXIT_PROBLEMS, EXIT_REFUSED, refusal_line, refusal_text
from sp_xl.i18n import pick
from sp_xl.ooxml import safety
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.safety import WorkbookRefused
from sp_xl.share.check import Finding, check_for_sharing, refuse_if_stale
from sp_xl.share.copy import FrozenCell, ShareResult, build_copy, error_cells
from sp_xl.share.pdf import export_pdf, libreoffice


def _default_out(path: Path) -> Path:
    return path.with_name(f"{path.stem} (delt kopi).xlsx")



def _refuse_if_open_and_unsaved(path: Path, allow_open: bool) -> None:
    """An open master is shared only when it was saved after it was opened.

    The copy is made from the saved file. The ribbon saves just before it shares, so its file
    is newer than Excel's lock file '~$<name>'; a master opened and not saved since may hold
    edits the file does not have, so it is refused (``allow_open`` skips the check).
    """
    lock = safety.lock_file_for(path)
    if lock is None or allow_open:
        return
    try:
        saved_after_open = path.stat().st_mtime >= lock.stat().st_mtime
    except OSError:
        saved_after_open = False
    if not saved_after_open:
        raise WorkbookRefused(
            f"{path.name} er åben i Excel og er ikke gemt, siden den blev åbnet (låsefilen {lock.name} findes). "
            "Gem den (Ctrl+S) eller luk den, og prøv igen - kopien laves af den gemte fil.",
            f"{path.name} is open in Excel and has not been saved since it was opened (the lock file {lock.name} "
            "exists). Save it (Ctrl+S) or close it and try again - the copy is made from the saved file.")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def share_copy(path, out=None, *, pdf: bool = False, overwrite: bool = False, allow_open: bool = False,
               now: dt.datetime | None = None) -> ShareResult:
    """Write the e-mail copy of the master at ``path`` (default: '<name> (delt kopi).xlsx' beside it).

    An existing copy is only replaced with ``overwrite`` (the ribbon's button asks for that:
    clicking it again means "a fresh copy"); the summary then says it was replaced.
    """
    path = Path(path)
    safety.check_path(path)
    _refuse_if_open_and_unsaved(path, allow_open)
    target = Path(os.path.abspath(out)) if out else _default_out(path)     # 'x/../a.xlsx' is 'a.xlsx
    if target.suffix.lower() != ".xlsx":
        raise WorkbookRefused(f"Kopien skal have endelsen .xlsx (fik '{target.name}').",
                              f"The copy must have the extension .xlsx (got '{target.name}').")
    if target.resolve() == path.resolve() or (target.exists() and _same_file(target, path)):
        raise WorkbookRefused("Kopien må ikke erstatte arbejdsbogen selv; vælg et andet filnavn.",
                              "The copy must not replace the workbook itself; choose another file name.")
    if target.is_dir():
        raise WorkbookRefused(f"{target} er en mappe; angiv et filnavn, fx {target / _default_out(path).name}.",
                              f"{target} is a folder; give a file name, e.g. {target / _default_out(path).name}.")
    if not target.parent.is_dir():
        raise WorkbookRefused(f"Mappen findes ikke: {target.parent}", f"The folder does not exist: {target.parent}")
    if target.exists() and not overwrite:
        raise WorkbookRefused(f"{target} findes allerede og overskrives ikke; vælg et andet navn eller brug --overwrite.",
                              f"{target} already exists and is not overwritten; choose another name or use --overwrite.")
    if pdf and libreoffice() is None:            # said before anything is written
        raise WorkbookRefused("PDF kræver LibreOffice, som ikke er installeret på denne pc. Kør uden --pdf, og lav "
                              "PDF'en fra Excel med Filer > Eksportér.",
                              "PDF needs LibreOffice, which is not installed on this PC. Run without --pdf and make "
                              "the PDF from Excel with File > Export.")
    replaced = target.exists()
    if safety.lock_file_for(target) is not None:
        raise WorkbookRefused(f"{target.name} er åben i Excel. Luk den og prøv igen.",
                              f"{target.name} is open in Excel. Close it and try again.")
    pkg = XlsxPackage.open(path)
    pkg.validate()
    findings = check_for_sharing(path)
    refuse_if_stale(pkg)
    data, result = build_copy(pkg, now=now, source_name=path.name)
    safety.write_atomically(target, data, mode_from=path)
    result.path, result.source, result.findings, result.replaced = target, path, findings, replaced
    result.error_cells = error_cells(data)
    if pdf:
        try:
            result.pdf = export_pdf(target)
        except WorkbookRefused as exc:           # the copy is written; only the PDF is missing
            result.pdf_problem = exc.message
    return result


# ------------------------------------------------------------------ command line

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar=pick("PROJEKTMAPPE", "WORKBOOK"), help=pick("arbejdsbogen (master), der skal deles", "the master workbook to share"))
    parser.add_argument("-o", "--output", metavar=pick("KOPI", "COPY"), help=pick("filnavn for kopien (standard: '<navn> (delt kopi).xlsx')",
                                                    "file name of the copy (default: '<name> (delt kopi).xlsx')"))
    parser.add_argument("--check", action="store_true",
                        help=pick("vis kun, hvad der ville gå galt hos en modtager uden tilføjelsesprogrammet",
                                  "only list what would go wrong for a reader without the add-in"))
    parser.add_argument("--pdf", action="store_true", help=pick("lav også en PDF (kræver LibreOffice)",
                                                               "also make a PDF (needs LibreOffice)"))
    parser.add_argument("--overwrite", action="store_true", help=pick("erstat en eksisterende kopi",
                                                                     "replace an existing copy"))


def run_cli(args: argparse.Namespace, *, stdout=None, stderr=None) -> int:
    """Run `sp-xl share`: exit 0 done (with --check: listed what to note), 1 written but with
    problems (no PDF, or error values a reader would see), 2 refused (one line on stderr,
    nothing written)."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        if args.check:
            findings = check_for_sharing(args.path)
            if not findings:
                print(pick("Intet at bemærke: filen kan sendes som den er.", "Nothing to note: the file can be sent as it is."),
                      file=stdout)
            for f in findings:
                print("- " + f.text, file=stdout)
            return EXIT_DONE
        result = share_copy(args.path, args.output, pdf=args.pdf, overwrite=getattr(args, "overwrite", False))
    except Exception as exc:  # noqa: BLE001 - one readable line, never a traceback (except with --debug)
        if getattr(args, "debug", False) and not isinstance(exc, WorkbookRefused):
            raise
        print(refusal_line(refusal_text("share", exc, Path(args.path).name)), file=stderr)
        return EXIT_REFUSED
    print(result.describe(), file=stdout)
    problem = getattr(result, "pdf_problem", None)
    if problem:
        print(pick("PDF'en er ikke lavet: ", "The PDF was not made: ") + problem, file=stdout)
    return EXIT_PROBLEMS if problem or result.error_cells else EXIT_DONE


__all__ = ["ShareResult", "Finding", "FrozenCell", "share_copy", "check_for_sharing", "build_copy", "export_pdf",
           "add_arguments", "run_cli"]
