"""`sp-xl import PATH SOURCE...`: write source extracts into the master's data sheets.

Flow: refuse early (lock file, encryption, not a workbook) -> read the workbook once with a
fingerprint -> read each extract (``sp_xl.extracts``) -> plan its rows per table and period
(``importing.plan``; hospital names through ``importing.units``) -> per period: find its rows
by key or add them under the table, skip it if a newer extract of it was imported, list hand
entries in its cells as conflicts (not written without ``force``) -> write the constants, grow
the tables, the "Kilde: …" lines and the import record (``importing.apply``) -> check that the
new package reads back -> recompute every formula (``engine.recalc``, unless ``refresh`` is
off) -> replace the file atomically after a backup, only if it is still the file we read.

Idempotent: a period imported from the same extract with the same values is "unchanged",
and when nothing changes the file is not written at all (same bytes, same timestamp).

"Entered by hand" = a cell whose value differs from what the last import wrote there, or a
value that no import wrote and that is not the master's own starting value (the numbers
``sp-xl new`` puts in a fresh master are meant to be replaced by extracts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import sys
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from sp_xl import i18n
from sp_xl.actions.outcome import EXIT_DONE, EXIT_PROBLEMS, EXIT_REFUSED, refusal_line, refusal_text
from sp_xl.engine.recalc import default_evaluate, recalculate
from sp_xl.extracts import Extract, ExtractError, Message, read_extract
from sp_xl.importing.apply import WorkbookState, new_package
from sp_xl.importing.layout import TableSlots, read_slots
from sp_xl.importing.plan import plan
from sp_xl.importing.record import read_record
from sp_xl.importing.summary import FileOutcome, ImportSummary
from sp_xl.importing.units import Units
from sp_xl.ooxml import oserrors, safety
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.safety import WorkbookRefused
from sp_xl.ooxml.sheetscan import gc_paused

NAME_ANSWER_DAYS = "Mål_SvarHverdage"


def import_extracts(path, files: Iterable, *, backup: bool = True, force: bool = False, dry_run: bool = False,
                    refresh: bool = True, now: dt.datetime | None = None,
                    before_replace: Callable[[], None] | None = None) -> ImportSummary:
    """Import the extract ``files`` into the workbook at ``path``; see the module docstring.

    Raises WorkbookRefused (Danish, English via i18n) and leaves the file untouched when it
    cannot or may not be written. An extract that cannot be read is listed in the summary
    with its reason; the others are still imported. With ``refresh`` (the default) every formula
    is computed again before the file is written, so the report shows the new periods at once
    (one write, one backup). ``now`` fixes the import time (tests).
    """
    with gc_paused():
        return _import(Path(path), [Path(f) for f in files], backup=backup, force=force, dry_run=dry_run,
                       refresh=refresh, now=now, before_replace=before_replace)


def _import(path: Path, files: list[Path], *, backup, force, dry_run, refresh, now, before_replace) -> ImportSummary:
    started = time.perf_counter()
    now = (now or dt.datetime.now()).replace(microsecond=0)
    safety.check_path(path)
    safety.check_not_open(path)
    if not dry_run:
        safety.check_writable(path)
    data, fp = safety.read_with_fingerprint(path)
    pkg = XlsxPackage(data, path.name)
    summary = ImportSummary(path, dry_run=dry_run, force=force)
    state = plan_import(pkg, files, summary, now=now, force=force)
    if state.changed:
        new_data = new_package(pkg, data, state, path.name)
        if refresh and not dry_run:
            new_data = _recalculated(new_data, path.name, summary)
        if not dry_run:
            summary.backup = safety.replace_workbook(path, new_data, expected=fp, original=data, backup=backup,
                                                     before_replace=before_replace)
    summary.seconds = time.perf_counter() - started
    return summary


def plan_import(pkg: XlsxPackage, files: list[Path], summary: ImportSummary, *, now: dt.datetime,
                force: bool = False) -> WorkbookState:
    """What importing ``files`` does to the workbook ``pkg``, in memory: the returned state
    holds the cells to write, the tables' growth and the new record (applied by
    ``importing.apply.new_package`` to a file, or ``importing.open_book`` to a workbook open
    in Excel); ``summary`` gets each file's outcome and the new source lines."""
    name = pkg.name
    pkg.validate()                       # a damaged part is refused before anything is written
    slots = read_slots(pkg)
    if not slots:
        raise WorkbookRefused(
            f"{name} er ikke en master-projektmappe til statusrapporten: den har ingen af de datatabeller, "
            "udtræk importeres i (fx tLPRFejl). Vælg master-projektmappen (sp_status.xlsx), eller byg en ny med "
            "sp-xl new.",
            f"{name} is not a status report master workbook: it has none of the data tables extracts are "
            "imported into (e.g. tLPRFejl). Choose the master workbook (sp_status.xlsx), or build a new one with "
            "sp-xl new.")
    try:
        record = read_record(pkg)
    except Exception:  # noqa: BLE001 - a damaged record must not be overwritten blindly
        raise WorkbookRefused(
            f"Importregistret i {name} (det skjulte ark med tidligere importer) kan ikke læses, så en ny "
            "import kunne overskrive rettede tal. Filen er ikke ændret; brug en tidligere version fra sp-xl-backup.",
            f"The import record in {name} (the hidden sheet of earlier imports) cannot be read, so a new import "
            "could overwrite corrected numbers. The file was not changed; use an earlier version from "
            "sp-xl-backup.") from None
    units = Units.of(slots, _names_in_data(slots))
    state = WorkbookState(pkg, record, slots, now, force)

    read: list[tuple[FileOutcome, Extract]] = []
    for f in files:
        outcome = FileOutcome(f.name)
        summary.files.append(outcome)
        extract = _read(f, outcome, _answer_days(pkg))
        if extract is not None:
            read.append((outcome, extract))
    # Oldest extraction first, so that of two extracts of one period the newer one is kept.
    for outcome, extract in sorted(read, key=lambda oe: oe[1].extraction_date):
        result = plan(extract, slots, units)
        outcome.unplaced = result.unplaced
        for placement in result.placements:
            outcome.periods.append(state.place(placement, extract))

    summary.source_lines = state.source_lines()
    summary.changed = state.changed
    return state


def _names_in_data(slots: dict[str, TableSlots]) -> list[str]:
    """Hospital names the data tables hold (what a workbook without a name table knows)."""
    out = []
    for table in slots.values():
        col = table.column("Hospital")
        if col is not None:
            out += [v for r in range(table.first_row, table.last_row + 1) if isinstance(v := table.value(r, col), str)]
    return list(dict.fromkeys(out))


def _recalculated(new_data: bytes, name: str, summary: ImportSummary) -> bytes:
    """The imported package with every formula computed again (as ``sp-xl refresh`` does)."""
    try:
        result = recalculate(XlsxPackage(new_data, name), default_evaluate())
    except WorkbookRefused as exc:
        summary.refresh_skipped = Message(
            f"Rapportarkene er ikke beregnet igen ({exc.reason_da}); kør »Opdater alle ark« (sp-xl refresh).",
            f"The report sheets were not recomputed ({exc.reason_en}); run \"Refresh all sheets\" (sp-xl refresh).")
        return new_data
    summary.refreshed = len(result.values)
    summary.refresh_problems = result.problems
    return result.new_data if result.new_data is not None else new_data


def _refused_package(f: Path) -> Message | None:
    """An extract saved as a workbook is held to the same package rules as the master (no DTD,
    no zip bomb, no names outside the package, not encrypted) before anything unpacks it."""
    try:
        with f.open("rb") as fh:
            head = fh.read(8)
        if not head.startswith((b"PK", b"\xd0\xcf\x11\xe0")):
            return None
        data = f.read_bytes()
    except OSError:
        return None                      # said by the reader, with the file's name
    try:
        if data.startswith(b"PK"):
            try:
                zf = zipfile.ZipFile(io.BytesIO(data))
            except (zipfile.BadZipFile, ValueError, OSError):
                raise safety.refuse(f"{f.name} er beskadiget (zip-pakken er ufuldstændig eller ødelagt). "
                                    "Hent udtrækket igen.",
                                    f"{f.name} is damaged (its zip package is incomplete or broken). "
                                    "Fetch the extract again.") from None
            with zf:
                safety.check_members(zf, f.name)
        elif safety.is_encrypted(data):
            safety.check_package_bytes(data, f.name)
    except WorkbookRefused as exc:
        return Message(exc.reason_da, exc.reason_en)
    return None


def _read(f: Path, outcome: FileOutcome, within_days: int) -> Extract | None:
    refused = _refused_package(f)
    if refused is not None:
        outcome.error = refused
        return None
    try:
        extract = read_extract(f, within_days=within_days)
    except ExtractError as exc:
        with i18n.use_language("da"):
            da = exc.message
        with i18n.use_language("en"):
            en = exc.message
        outcome.error = Message(da, en)
        return None
    except (OSError, MemoryError) as exc:
        da, en, do_da, do_en = oserrors.reason(exc)
        outcome.error = Message(f"Filen '{f.name}' kan ikke læses: {da}. {do_da}",
                                f"File '{f.name}' cannot be read: {en}. {do_en}")
        return None
    outcome.kind = extract.kind.value if hasattr(extract.kind, "value") else str(extract.kind)
    outcome.kind_name = extract.kind_name
    outcome.extraction_date = extract.extraction_date
    outcome.warnings = list(extract.warnings)
    return extract


def _answer_days(pkg: XlsxPackage) -> int:
    """The workbook's own 'answered within n working days' (Mål_SvarHverdage), else 3."""
    target = pkg.defined_names.get(NAME_ANSWER_DAYS, "")
    m = re.fullmatch(r"'?((?:[^']|'')+?)'?!\$?([A-Z]+)\$?(\d+)", target)
    if m:
        try:
            value = pkg.cells(m.group(1).replace("''", "'")).get(f"{m.group(2)}{m.group(3)}")
        except KeyError:
            value = None
        if isinstance(value, float) and value.is_integer() and 0 <= value <= 60:
            return int(value)
    return 3


# ---------------------------------------------------------------- per period

# ---------------------------------------------------------------- command line

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `sp-xl import` (for the CLI's subparser)."""
    pick = i18n.pick
    parser.add_argument("path", metavar=pick("PROJEKTMAPPE", "WORKBOOK"), help=pick("arbejdsbogen, der skal have udtrækkene (.xlsx/.xlsm)",
                                          "the workbook to import the extracts into (.xlsx/.xlsm)"))
    parser.add_argument("sources", nargs="+", metavar=pick("UDTRÆK", "EXTRACT"),
                        help=pick("udtræk (CSV eller regneark) – et eller flere", "extracts (CSV or workbook) – one or more"))
    parser.add_argument("--force", action="store_true",
                        help=pick("erstat også værdier, der er rettet i hånden, og nyere udtræk",
                                  "also replace values changed by hand, and newer extracts"))
    parser.add_argument("--dry-run", action="store_true",
                        help=pick("vis hvad importen ville gøre, uden at ændre filen",
                                  "show what the import would do without changing the file"))
    parser.add_argument("--no-refresh", action="store_true",
                        help=pick("beregn ikke formlerne igen efter importen (kør sp-xl refresh senere)",
                                  "do not recompute the formulas after the import (run sp-xl refresh later)"))
    parser.add_argument("--json", action="store_true",
                        help=pick("skriv en maskinlæsbar JSON-opsummering", "print a machine-readable JSON summary"))
    parser.add_argument("--no-backup", action="store_true",
                        help=pick("gem ikke den forrige version i sp-xl-backup/",
                                  "do not keep the previous version in sp-xl-backup/"))


def run_cli(args: argparse.Namespace, *, stdout=None, stderr=None) -> int:
    """Run `sp-xl import`. Exit code 0: all imported; 1: done, but something was not imported
    (conflicts, older extracts, unreadable files - listed in the summary); 2: refused (the
    workbook, or not one extract could be read): one line on stderr, the file unchanged."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        summary = import_extracts(args.path, args.sources, backup=not args.no_backup,
                                  force=args.force, dry_run=args.dry_run, refresh=not args.no_refresh)
    except Exception as exc:  # noqa: BLE001 - one readable line, never a traceback (except with --debug)
        if getattr(args, "debug", False) and not isinstance(exc, WorkbookRefused):
            raise
        return _fail(args, stdout, stderr, refusal_text("import", exc, Path(args.path).name))
    if summary.files and all(f.error for f in summary.files):
        reasons = " ".join(_sentence(str(f.error)) for f in summary.files)
        return _fail(args, stdout, stderr, i18n.pick(
            f"Intet importeret i {Path(args.path).name}, for ingen af udtrækkene kunne læses – {reasons} "
            "Filen er ikke ændret.",
            f"Nothing imported into {Path(args.path).name}: none of the extracts could be read – {reasons} "
            "The file was not changed."))
    try:
        if args.json:
            json.dump(summary.to_json(), stdout, ensure_ascii=False, indent=2)
            stdout.write("\n")
        else:
            print(summary.describe(), file=stdout)
        stdout.flush()
    except BrokenPipeError:
        pass
    return EXIT_DONE if summary.complete else EXIT_PROBLEMS


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _fail(args, stdout, stderr, message: str) -> int:
    if args.json:
        json.dump({"ok": False, "path": str(args.path), "error": message}, stdout, ensure_ascii=False)
        stdout.write("\n")
    print(refusal_line(message), file=stderr)
    return EXIT_REFUSED
