"""`sp-xl refresh`: recompute every formula without Excel and store the results in the file.

Flow: refuse early (lock file, encryption, not a workbook) -> read the bytes once with a
fingerprint -> evaluate -> splice the results into the package -> check the new package
reads back with exactly those values -> replace the file atomically, after a backup, only
if it is still the file we read.

Recalculation on open (calcPr): when the workbook uses SP_ functions we remove
``fullCalcOnLoad`` and raise ``calcId`` to Excel 365's engine id, so Excel shows the stored
values instead of recalculating everything on open (which, without the add-in, would turn
every SP_ cell into #NAME?). Workbooks without SP_ functions keep their calcPr unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sp_xl import i18n
from sp_xl.actions.outcome import EXIT_DONE, EXIT_REFUSED, refusal_line, refusal_text
from sp_xl.engine.recalc import default_evaluate, recalculate
from sp_xl.errors import ExcelError
from sp_xl.ooxml import safety
from sp_xl.ooxml.cellrefs import split_ref
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.sheetscan import gc_paused
from sp_xl.ooxml.safety import WorkbookRefused

Progress = Callable[[int, int], None]


@dataclass
class RefreshSummary:
    path: Path
    backup: Path | None
    sheets: list[str]
    computed: dict[str, int]                      # sheet -> formula cells given a new value
    errors: list[tuple[str, str, str, str]]       # (sheet, ref, code, reason) of error results
    problems: list = field(default_factory=list)  # engine Problems: kept their old value
    seconds: float = 0.0
    changed: bool = False                         # False: nothing to write, file untouched
    recalc_on_open_disabled: bool = False
    timings: dict[str, float] = field(default_factory=dict)   # seconds per phase

    @property
    def formulas_computed(self) -> int:
        return sum(self.computed.values())

    def to_json(self) -> dict:
        return {
            "ok": True,
            "path": str(self.path),
            "backup": str(self.backup) if self.backup else None,
            "changed": self.changed,
            "sheets": self.sheets,
            "formulas_computed": self.formulas_computed,
            "computed_per_sheet": self.computed,
            "error_cells": [{"sheet": s, "cell": r, "code": c, "reason": why} for s, r, c, why in self.errors],
            "problems": [{"sheet": p.sheet, "cell": p.ref, "formula": p.formula,
                          "reason": i18n.pick(p.reason_da, p.reason_en)} for p in self.problems],
            "recalc_on_open_disabled": self.recalc_on_open_disabled,
            "seconds": round(self.seconds, 3),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }

    def describe(self) -> str:
        pick = i18n.pick
        lines = [pick(f"Opdateret: {self.path.name} ({self.seconds:.1f} s)",
                      f"Refreshed: {self.path.name} ({self.seconds:.1f} s)")]
        if not self.changed:
            lines[0] = pick(f"Uændret: {self.path.name} – de gemte værdier var allerede aktuelle ({self.seconds:.1f} s)",
                            f"Unchanged: {self.path.name} – the stored values were already current ({self.seconds:.1f} s)")
        lines.append(pick(f"Ark: {len(self.sheets)}", f"Sheets: {len(self.sheets)}"))
        for sheet in self.sheets:
            n = self.computed.get(sheet, 0)
            if n:
                lines.append(pick(f"  {sheet}: {n} formler beregnet", f"  {sheet}: {n} formulas computed"))
        lines.append(pick(f"Formler beregnet i alt: {self.formulas_computed}",
                          f"Formulas computed in total: {self.formulas_computed}"))
        if self.errors:
            lines.append(pick(f"Celler med fejlværdi ({len(self.errors)}):", f"Cells with an error value ({len(self.errors)}):"))
            lines += [f"  {_addr(s, r)}: {code} {why}".rstrip() for s, r, code, why in self.errors]
        if self.problems:
            lines.append(pick(f"Formler der ikke kunne beregnes – de beholder deres gamle værdi ({len(self.problems)}):",
                              f"Formulas that could not be computed – they keep their old value ({len(self.problems)}):"))
            lines += [f"  {_addr(p.sheet, p.ref)} ={p.formula}: {pick(p.reason_da, p.reason_en)}" for p in self.problems]
        if self.backup:
            lines.append(pick(f"Forrige version gemt som {self.backup}", f"Previous version saved as {self.backup}"))
        if self.recalc_on_open_disabled:
            lines.append(pick("Excel viser de gemte værdier ved åbning (ingen fuld genberegning, "
                              "så SP_-celler bliver ikke til #NAME?).",
                              "Excel shows the stored values on open (no full recalculation, "
                              "so SP_ cells do not turn into #NAME?)."))
        return "\n".join(lines)


def _addr(sheet: str, ref: str) -> str:
    quoted = sheet if re.fullmatch(r"[A-Za-z_][\w.]*", sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{quoted}!{ref}"


def refresh(path, *, backup: bool = True, progress: Progress | None = None,
            evaluate: Callable | None = None, out=None, overwrite: bool = False,
            before_replace: Callable[[], None] | None = None) -> RefreshSummary:
    """Recompute and store every formula's value in the workbook at ``path`` - or, with
    ``out``, in a new file there, leaving ``path`` as it is.

    Raises WorkbookRefused (a Danish message, English via i18n) and leaves every file
    untouched when it cannot or may not be refreshed: nothing is written to ``out`` before
    the result is complete, and an existing ``out`` is replaced only with ``overwrite``.
    ``evaluate`` defaults to the engine; ``before_replace`` is a hook that runs just before
    the final checks (tests use it).
    """
    with gc_paused():                    # see gc_paused: large scans run up to twice as fast
        return _refresh(path, backup=backup, progress=progress, evaluate=evaluate, before_replace=before_replace,
                        out=Path(os.path.abspath(out)) if out else None, overwrite=overwrite)


def _check_output(path: Path, out: Path, overwrite: bool) -> None:
    """Refuse an output that is the input, a folder, an open or existing file (without overwrite)."""
    if out.exists() and (out.resolve() == path.resolve() or _same_file(out, path)):
        raise WorkbookRefused("Kopien må ikke være selve filen; udelad -o for at opdatere filen.",
                              "The copy must not be the file itself; leave out -o to refresh the file.")
    if out.is_dir():
        raise WorkbookRefused(f"{out} er en mappe; angiv et filnavn, fx {out / path.name}.",
                              f"{out} is a folder; give a file name, e.g. {out / path.name}.")
    if out.suffix.lower() != path.suffix.lower():
        raise WorkbookRefused(f"Kopien skal have samme endelse som filen ({path.suffix}).",
                              f"The copy must have the same extension as the file ({path.suffix}).")
    if out.exists() and not overwrite:
        raise WorkbookRefused(f"{out} findes allerede (brug --overwrite for at erstatte den).",
                              f"{out} already exists (use --overwrite to replace it).")
    if out.exists():
        safety.check_not_open(out)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _refresh(path, *, backup, progress, evaluate, before_replace, out=None, overwrite=False) -> RefreshSummary:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    clock = [started]

    def lap(name: str) -> None:
        now = time.perf_counter()
        timings[name] = now - clock[0]
        clock[0] = now
    path = Path(path)
    safety.check_path(path)
    if out is None:
        safety.check_not_open(path)
        safety.check_writable(path)
    else:
        _check_output(path, out, overwrite)
    data, fp = safety.read_with_fingerprint(path)
    lap("read")
    pkg = XlsxPackage(data, path.name)
    pkg.validate()
    pkg.formulas()                       # read now, inside the parse lap
    lap("parse")
    recalc = recalculate(pkg, evaluate or default_evaluate(), progress, lap)
    values, problems, new_data, stop_recalc = recalc.values, recalc.problems, recalc.new_data, recalc.stop_recalc
    backup_path = None
    if out is not None:                  # the copy: complete in memory, then written atomically
        _write_copy(out, new_data if new_data is not None else data, path)
        path = out
        lap("write copy")
    elif new_data is not None:
        backup_path = safety.replace_workbook(path, new_data, expected=fp, original=data,
                                              backup=backup, before_replace=before_replace)
        lap("replace")

    computed = recalc.computed
    error_values = {k: v for k, v in values.items() if isinstance(v, ExcelError)}
    errors = [(s, r, v.code, v.reason) for (s, r), v in _in_sheet_order(pkg, error_values)]
    return RefreshSummary(path=path, backup=backup_path, sheets=list(pkg.sheet_names), computed=computed,
                          errors=errors, problems=problems, seconds=time.perf_counter() - started,
                          changed=new_data is not None,
                          recalc_on_open_disabled=stop_recalc and new_data is not None, timings=timings)


def _write_copy(out: Path, data: bytes, source: Path) -> None:
    """Write the refreshed copy atomically; folders made for it go again if it fails."""
    made = [p for p in (out.parent, *out.parent.parents) if not p.exists()]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _remove_folders(made)
        raise safety.write_refusal(out, exc) from None
    try:
        safety.write_atomically(out, data, mode_from=source)
    except BaseException:
        _remove_folders(made)
        raise


def _remove_folders(made: list[Path]) -> None:
    for folder in made:                  # deepest first; only the empty ones we made
        try:
            folder.rmdir()
        except OSError:
            pass


def _in_sheet_order(pkg: XlsxPackage, values: dict) -> list:
    order = {name: i for i, name in enumerate(pkg.sheet_names)}
    return sorted(values.items(), key=lambda kv: (order.get(kv[0][0], 1 << 30), split_ref(kv[0][1])))


# ---------------------------------------------------------------- command line

class ProgressBar:
    """A one-line progress bar on stderr, drawn only on a terminal and only for long work."""

    def __init__(self, stream=None, label: str | None = None, delay: float = 0.5, force: bool = False):
        self.stream = stream or sys.stderr
        self.label = label or i18n.pick("Beregner", "Computing")
        self.delay, self.started, self.last, self.drawn = delay, time.monotonic(), 0.0, False
        self.enabled = force or (hasattr(self.stream, "isatty") and self.stream.isatty())

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < self.delay or (now - self.last < 0.1 and done < total):
            return
        self.last, self.drawn = now, True
        frac = done / total if total else 1.0
        bar = "#" * int(30 * frac)
        self.stream.write(f"\r{self.label} [{bar:<30}] {done}/{total} ({frac:4.0%})")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `sp-xl refresh` (for the CLI's subparser)."""
    parser.add_argument("path", metavar=i18n.pick("PROJEKTMAPPE", "WORKBOOK"), help=i18n.pick("projektmappen der skal opdateres (.xlsx/.xlsm)",
                                               "the workbook to refresh (.xlsx/.xlsm)"))
    parser.add_argument("--quiet", action="store_true",
                        help=i18n.pick("ingen udskrift ved succes", "no output on success"))
    parser.add_argument("--json", action="store_true",
                        help=i18n.pick("skriv en maskinlæsbar JSON-opsummering", "print a machine-readable JSON summary"))
    parser.add_argument("--no-backup", action="store_true",
                        help=i18n.pick("gem ikke den forrige version i sp-xl-backup/",
                                       "do not keep the previous version in sp-xl-backup/"))
    parser.add_argument("-o", "--output", metavar=i18n.pick("KOPI", "COPY"), help=i18n.pick("opdatér en kopi her i stedet for selve filen",
                                                         "refresh a copy written here instead of the file itself"))
    parser.add_argument("--overwrite", action="store_true", help=i18n.pick("erstat en eksisterende kopi (med -o)",
                                                                           "replace an existing copy (with -o)"))


def run_cli(args: argparse.Namespace, *, stdout=None, stderr=None, evaluate: Callable | None = None) -> int:
    """Run `sp-xl refresh`; returns the exit code (0 done, 2 refused: one line on stderr)."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    bar = None if (args.quiet or args.json) else ProgressBar(stderr)
    try:
        output = getattr(args, "output", None)
        summary = refresh(args.path, backup=not args.no_backup and not output, progress=bar, evaluate=evaluate,
                          out=output, overwrite=getattr(args, "overwrite", False))
    except Exception as exc:  # noqa: BLE001 - one readable line, never a traceback (except with --debug)
        if bar:
            bar.close()
        if getattr(args, "debug", False) and not isinstance(exc, WorkbookRefused):
            raise
        message = refusal_text("refresh", exc, Path(args.path).name)
        if args.json:
            json.dump({"ok": False, "path": str(args.path), "error": message}, stdout, ensure_ascii=False)
            stdout.write("\n")
        print(refusal_line(message), file=stderr)
        return EXIT_REFUSED
    if bar:
        bar.close()
    try:
        if args.json:
            json.dump(summary.to_json(), stdout, ensure_ascii=False, indent=2)
            stdout.write("\n")
        elif not args.quiet:
            print(summary.describe(), file=stdout)
        stdout.flush()
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); the refresh itself is done and saved.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
    return EXIT_DONE
