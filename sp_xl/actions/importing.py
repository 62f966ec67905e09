"""`sp-xl import PATH SOURCE...`: write source extracts into the master's data sheets.

Flow: refuse early (lock file, encryption, not a workbook) -> read the workbook once with a
fingerprint -> read each extract (``sp_xl.extracts``) -> plan its cells per table and period
(``import_plan``) -> per period: skip it if a newer extract of it was imported, list hand
entries in its cells as conflicts (not written without ``force``) -> write the constants
into the sheet XML (``import_cells``), the tables' "Kilde: …" lines and the import record
(``import_record``) -> check that the new package reads back with exactly those values ->
replace the file atomically after a backup, only if it is still the file we read.

Idempotent: a period imported from the same extract with the same values is "unchanged",
and when nothing changes the file is not written at all (same bytes, same timestamp).

"Entered by hand" = a cell whose value differs from what the last import wrote there, or a
value that no import wrote and that is not the master's own starting value (the numbers
``sp-xl new`` puts in a fresh master are meant to be replaced by extracts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import io
import json
import math
import re
import sys
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from sp_xl import i18n
from sp_xl.extracts import Extract, ExtractError, Message, read_extract
from sp_xl.ooxml import safety
from sp_xl.ooxml.patch import SheetLayoutError, write_cells
from sp_xl.importing.layout import MONTHS_DA, TableSlots, read_slots
from sp_xl.importing.plan import WHOLE_TABLE, Placement, plan
from sp_xl.importing.record import ImportRecord, PeriodRecord, TableRecord, read_record, record_parts
from sp_xl.importing.summary import (
    CONFLICT,
    OLDER,
    REPLACED,
    UNCHANGED,
    WRITTEN,
    Conflict,
    FileOutcome,
    ImportSummary,
    PeriodOutcome,
    da_date,
)
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.sheetscan import gc_paused
from sp_xl.ooxml.safety import WorkbookRefused

NAME_ANSWER_DAYS = "Mål_SvarHverdage"


def import_extracts(path, files: Iterable, *, backup: bool = True, force: bool = False, dry_run: bool = False,
                    now: dt.datetime | None = None,
                    before_replace: Callable[[], None] | None = None) -> ImportSummary:
    """Import the extract ``files`` into the workbook at ``path``; see the module docstring.

    Raises WorkbookRefused (Danish, English via i18n) and leaves the file untouched when it
    cannot or may not be written. An extract that cannot be read is listed in the summary
    with its reason; the others are still imported. ``now`` fixes the import time (tests).
    """
    with gc_paused():
        return _import(Path(path), [Path(f) for f in files], backup=backup, force=force, dry_run=dry_run,
                       now=now, before_replace=before_replace)


def _import(path: Path, files: list[Path], *, backup, force, dry_run, now, before_replace) -> ImportSummary:
    started = time.perf_counter()
    now = (now or dt.datetime.now()).replace(microsecond=0)
    safety.check_path(path)
    safety.check_not_open(path)
    if not dry_run:
        safety.check_writable(path)
    data, fp = safety.read_with_fingerprint(path)
    pkg = XlsxPackage(data, path.name)
    slots = read_slots(pkg)
    try:
        record = read_record(pkg)
    except Exception as exc:  # noqa: BLE001 - a damaged record must not be overwritten blindly
        raise WorkbookRefused(
            f"Importregistret i {path.name} kan ikke læses ({exc}). Filen er ikke ændret.",
            f"The import record in {path.name} cannot be read ({exc}). The file was not changed.") from None
    _years_from_record(slots, record)
    summary = ImportSummary(path, dry_run=dry_run, force=force)
    state = _State(pkg, record, slots, now, force)

    read: list[tuple[FileOutcome, Extract]] = []
    for f in files:
        outcome = FileOutcome(f.name)
        summary.files.append(outcome)
        extract = _read(f, outcome, _answer_days(pkg))
        if extract is not None:
            read.append((outcome, extract))
    # Oldest extraction first, so that of two extracts of one period the newer one is kept.
    for outcome, extract in sorted(read, key=lambda oe: oe[1].extraction_date):
        result = plan(extract, slots)
        outcome.unplaced = result.unplaced
        for placement in result.placements:
            outcome.periods.append(state.place(placement, extract))

    summary.source_lines = state.source_lines()
    summary.changed = state.changed
    if state.changed:
        new_data = _new_package(pkg, data, state, path.name)
        if not dry_run:
            summary.backup = safety.replace_workbook(path, new_data, expected=fp, original=data, backup=backup,
                                                     before_replace=before_replace)
    summary.seconds = time.perf_counter() - started
    return summary


def _years_from_record(slots: dict[str, TableSlots], record: ImportRecord) -> None:
    """The year of headings without one ('januar'): once a table has imports, the year of its
    imported periods; before, the year in its original source line (``read_slots``). The
    current source line is no guide then: it also names the import time."""
    for name, table_rec in record.tables.items():
        years = [int(k[:4]) for k in table_rec.periods if re.match(r"\d{4}-(?:\d{2}|W\d{2})$", k)]
        if name in slots and years:
            slots[name].year = max(set(years), key=years.count)
        elif name in slots and (found := re.findall(r"\b(?:19|20)\d{2}\b", table_rec.original_source)):
            slots[name].year = int(found[-1])


def _read(f: Path, outcome: FileOutcome, within_days: int) -> Extract | None:
    try:
        extract = read_extract(f, within_days=within_days)
    except ExtractError as exc:
        with i18n.use_language("da"):
            da = exc.message
        with i18n.use_language("en"):
            en = exc.message
        outcome.error = Message(da, en)
        return None
    except OSError as exc:
        outcome.error = Message(f"Filen kan ikke læses ({exc.strerror or exc}).",
                                f"The file cannot be read ({exc.strerror or exc}).")
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

def same(a: object, b: object) -> bool:
    """Equal as cell contents: empty text is empty; numbers exactly (they round-trip via repr)."""
    a = None if a == "" else a
    b = None if b == "" else b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b) or (math.isnan(float(a)) and math.isnan(float(b)))
    return type(a) is type(b) and a == b


class _State:
    """The workbook as the import changes it: current cell values, pending writes, record."""

    def __init__(self, pkg: XlsxPackage, record: ImportRecord, slots: dict[str, TableSlots],
                 now: dt.datetime, force: bool):
        self.pkg, self.record, self.slots, self.now, self.force = pkg, record, slots, now, force
        self._values: dict[str, dict[str, object]] = {}
        self.writes: dict[str, dict[str, object]] = {}
        self.touched: list[str] = []            # tables whose record changed, in order
        self._sources: dict[str, str] = {}

    @property
    def changed(self) -> bool:
        return bool(self.touched)

    def values(self, sheet: str) -> dict[str, object]:
        if sheet not in self._values:
            self._values[sheet] = dict(self.pkg.cells(sheet))
        return self._values[sheet]

    def set(self, sheet: str, ref: str, value: object) -> None:
        self.values(sheet)[ref] = value
        self.writes.setdefault(sheet, {})[ref] = value

    def place(self, pl: Placement, extract: Extract) -> PeriodOutcome:
        table_rec = self.record.tables.get(pl.table)
        prev = table_rec.periods.get(pl.period) if table_rec else None
        out = PeriodOutcome(pl.table, pl.period, pl.label, WRITTEN, len(pl.cells))
        if prev is not None:
            out.previous = (prev.file, prev.extracted)
        if prev is not None and prev.extracted > extract.extraction_date and not self.force:
            out.status = OLDER
            return out
        current = self.values(pl.sheet)
        changes = {}
        for ref, new in pl.cells.items():
            old = current.get(ref)
            if same(old, new):
                continue
            changes[ref] = new
            if old is None or old == "":
                continue                         # an empty cell holds nothing to lose
            imported, recorded = table_rec.recorded_value(ref) if table_rec else (False, None)
            if imported and same(old, recorded):
                continue
            if not imported and same(old, _template_value(pl.sheet, ref)):
                continue
            out.conflicts.append(Conflict(pl.sheet, ref, old, new, recorded, imported))
        out.changed_cells = len(changes)
        if out.conflicts and not self.force:
            out.status = CONFLICT
            return out
        if prev is not None:
            same_source = prev.file == extract.source_file and prev.extracted == extract.extraction_date
            recorded_same = all(ref in prev.cells and same(prev.cells[ref], v) for ref, v in pl.cells.items())
            out.status = UNCHANGED if same_source and recorded_same and not changes else REPLACED
        if out.status == UNCHANGED:
            return out
        for ref, new in changes.items():
            self.set(pl.sheet, ref, new)
        if table_rec is None:
            table = self.slots.get(pl.table)
            table_rec = self.record.tables[pl.table] = TableRecord(pl.sheet, (table.source_text or "") if table else "")
        cells = dict(prev.cells) if prev else {}
        out.kept_cells = sum(1 for ref in cells if ref not in pl.cells)   # not in the newer extract: kept
        cells.update(pl.cells)
        table_rec.periods[pl.period] = PeriodRecord(extract.source_file, extract.extraction_date, self.now, cells)
        if pl.table not in self.touched:
            self.touched.append(pl.table)
        return out

    def source_lines(self) -> dict[str, str]:
        """New "Kilde: …" lines of the tables whose record changed (written into the sheets)."""
        out = {}
        for name in self.touched:
            table = self.slots.get(name)
            if table is None or table.source_ref is None:
                continue
            text = source_line(self.record.tables[name], _period_count(table, name))
            if text != self.values(table.sheet).get(table.source_ref):
                self.set(table.sheet, table.source_ref, text)
            out[name] = text
        return out


@functools.lru_cache(maxsize=1)
def _template_cells() -> dict[str, dict[str, object]]:
    """The data sheets of a freshly built master (its example and report numbers)."""
    from sp_xl.master import build as master
    from sp_xl.master import data as master_data
    pkg = XlsxPackage(master.workbook_bytes(), "sp_status.xlsx")
    return {s: pkg.cells(s) for s in master_data.DATA_SHEETS}


def _template_value(sheet: str, ref: str) -> object:
    try:
        return _template_cells().get(sheet, {}).get(ref, "\0no template")
    except Exception:  # noqa: BLE001 - without a template every unrecorded value counts as a hand entry
        return "\0no template"


def _period_count(table: TableSlots, name: str) -> int:
    if name == "tAfdelinger":
        return 1
    if name in ("tLPRFejl", "tSupport"):
        return table.last_row - table.first_row + 1
    return table.last_col - table.first_col


# ---------------------------------------------------------------- source line

def period_text(keys: list[str]) -> str:
    """'januar–april 2018', 'uge 1–19 2018', '02-01-2018–11-04-2018' (Danish, as the sheets are)."""
    def one(key: str) -> str:
        if key == WHOLE_TABLE:
            return ""
        if m := re.fullmatch(r"(\d{4})-(\d{2})", key):
            return f"{MONTHS_DA[int(m.group(2)) - 1]} {m.group(1)}"
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", key):
            return f"uge {int(m.group(2))} {m.group(1)}"
        return dt.date.fromisoformat(key).strftime("%d-%m-%Y")
    keys = sorted(keys)
    if len(keys) == 1:
        return one(keys[0])
    first, last = one(keys[0]), one(keys[-1])
    if first.startswith("uge ") and first.split()[-1] == last.split()[-1]:     # 'uge 1–19 2018'
        return f"{first.rsplit(' ', 1)[0]}–{last.removeprefix('uge ')}"
    if first.split()[-1] == last.split()[-1] and not first[:1].isdigit():   # 'januar–april 2018'
        return f"{first.rsplit(' ', 1)[0]}–{last}"
    return f"{first}–{last}"


def source_line(table: TableRecord, total_periods: int) -> str:
    groups: dict[tuple[str, dt.date], list[str]] = {}
    for key, p in table.periods.items():
        groups.setdefault((p.file, p.extracted), []).append(key)
    parts = []
    for (file, extracted), keys in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        span = period_text(keys)
        parts.append(f"{file}{f' ({span})' if span else ''}, trukket d. {da_date(extracted)}")
    imported = max(p.imported for p in table.periods.values())
    text = "Kilde: " + "; ".join(parts) + f" – importeret {imported:%d-%m-%Y kl. %H.%M}"
    if len(table.periods) < total_periods and table.original_source:
        rest = table.original_source.removeprefix("Kilde:").strip()
        text += f"; øvrige tal: {rest}"
    return text


# ---------------------------------------------------------------- the new package

def _new_package(pkg: XlsxPackage, data: bytes, state: _State, name: str) -> bytes:
    replaced: dict[str, bytes] = {}
    try:
        for sheet, values in state.writes.items():
            part = next(s.part for s in pkg.sheets if s.name == sheet)
            replaced[pkg.zip_name(part)] = write_cells(pkg.read(part), values)
    except SheetLayoutError as exc:
        raise WorkbookRefused(f"Et dataark i {name} har en uventet opbygning ({exc}). Filen er ikke ændret.",
                              f"A data sheet in {name} has an unexpected layout ({exc}). The file was not changed.") from None
    rec_replaced, added = record_parts(pkg, state.record)
    replaced.update({pkg.zip_name(k): v for k, v in rec_replaced.items()})
    new_data = _rezip(data, replaced, added, state.now)
    _verify(new_data, state, name)
    return new_data


def _rezip(data: bytes, replaced: dict[str, bytes], added: dict[str, bytes], now: dt.datetime) -> bytes:
    """The package with some members replaced and some added; every other member's bytes kept."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", allowZip64=True) as out:
        out.comment = src.comment
        for info in src.infolist():
            body = replaced.get(info.filename)
            if body is None:
                body = src.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, date_time=max(info.date_time, (1980, 1, 1, 0, 0, 0)))
            known = info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
            zi.compress_type = info.compress_type if known else zipfile.ZIP_DEFLATED
            zi.external_attr, zi.create_system, zi.comment = info.external_attr, info.create_system, info.comment
            out.writestr(zi, body, compresslevel=6 if zi.compress_type == zipfile.ZIP_DEFLATED else None)
        stamp = max(now.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
        for member, body in added.items():
            zi = zipfile.ZipInfo(member, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            out.writestr(zi, body)
    return buf.getvalue()


def _verify(new_data: bytes, state: _State, name: str) -> None:
    """Read the new package back: every written cell holds its value, the record reads back."""
    try:
        check = XlsxPackage(new_data, name)
        for sheet, values in state.writes.items():
            cells = check.cells(sheet)
            for ref, value in values.items():
                if not same(cells.get(ref), value):
                    raise AssertionError(f"{sheet}!{ref}: wrote {value!r}, read back {cells.get(ref)!r}")
        if read_record(check).to_xml() != state.record.to_xml():
            raise AssertionError("the import record does not read back")
        if check.tables() != state.pkg.tables():
            raise AssertionError("the tables changed")
    except (WorkbookRefused, AssertionError, KeyError, ValueError) as exc:
        raise WorkbookRefused(
            f"Den importerede udgave af {name} kunne ikke kontrolleres ({exc}). Filen er ikke ændret.",
            f"The imported version of {name} failed its check ({exc}). The file was not changed.") from None


# ---------------------------------------------------------------- command line

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `sp-xl import` (for the CLI's subparser)."""
    pick = i18n.pick
    parser.add_argument("path", help=pick("arbejdsbogen, der skal have udtrækkene (.xlsx/.xlsm)",
                                          "the workbook to import the extracts into (.xlsx/.xlsm)"))
    parser.add_argument("sources", nargs="+", metavar="SOURCE",
                        help=pick("udtræk (CSV eller regneark) – et eller flere", "extracts (CSV or workbook) – one or more"))
    parser.add_argument("--force", action="store_true",
                        help=pick("erstat også værdier, der er rettet i hånden, og nyere udtræk",
                                  "also replace values changed by hand, and newer extracts"))
    parser.add_argument("--dry-run", action="store_true",
                        help=pick("vis hvad importen ville gøre, uden at ændre filen",
                                  "show what the import would do without changing the file"))
    parser.add_argument("--json", action="store_true",
                        help=pick("skriv en maskinlæsbar JSON-opsummering", "print a machine-readable JSON summary"))
    parser.add_argument("--no-backup", action="store_true",
                        help=pick("gem ikke den forrige version i sp-xl-backup/",
                                  "do not keep the previous version in sp-xl-backup/"))


def run_cli(args: argparse.Namespace, *, stdout=None, stderr=None) -> int:
    """Run `sp-xl import`. Exit code 0: all imported; 2: done, but something was not imported
    (conflicts, older extracts, unreadable files - see the summary); 1: refused or failed."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        summary = import_extracts(args.path, args.sources, backup=not args.no_backup,
                                  force=args.force, dry_run=args.dry_run)
    except WorkbookRefused as exc:
        return _fail(args, stdout, stderr, i18n.pick("Afvist: ", "Refused: ") + exc.message)
    except Exception as exc:  # noqa: BLE001 - one readable line, never a traceback
        return _fail(args, stdout, stderr, i18n.pick(
            f"Importen mislykkedes ({type(exc).__name__}: {exc}). Filen er ikke ændret.",
            f"The import failed ({type(exc).__name__}: {exc}). The file was not changed."))
    try:
        if args.json:
            json.dump(summary.to_json(), stdout, ensure_ascii=False, indent=2)
            stdout.write("\n")
        else:
            print(summary.describe(), file=stdout)
        stdout.flush()
    except BrokenPipeError:
        pass
    if all(f.error for f in summary.files):
        return 1
    return 0 if summary.complete else 2


def _fail(args, stdout, stderr, message: str) -> int:
    if args.json:
        json.dump({"ok": False, "path": str(args.path), "error": message}, stdout, ensure_ascii=False)
        stdout.write("\n")
    print(message, file=stderr)
    return 1
