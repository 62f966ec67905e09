"""What an import did, per file and period, in Danish (English via i18n) and as JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sp_xl import i18n
from sp_xl.extracts import Message

# Period outcomes
WRITTEN = "written"        # first import of this period
REPLACED = "replaced"      # an earlier import of the period was replaced by this extract
UNCHANGED = "unchanged"    # already imported from this extract (or the same values): nothing to do
CONFLICT = "conflict"      # hand-entered values in the way; not written (use --force)
OLDER = "older"            # a newer extract of the period was imported before; not written
BLOCKED = "blocked"        # the table cannot grow by the rows the period needs; not written

_STATUS_DA = {WRITTEN: "skrevet", REPLACED: "erstattet", UNCHANGED: "uændret",
              CONFLICT: "IKKE skrevet – håndindtastede værdier", OLDER: "IKKE skrevet – ældre udtræk",
              BLOCKED: "IKKE skrevet – tabellen kan ikke udvides"}
_STATUS_EN = {WRITTEN: "written", REPLACED: "replaced", UNCHANGED: "unchanged",
              CONFLICT: "NOT written – values entered by hand", OLDER: "NOT written – older extract",
              BLOCKED: "NOT written – the table cannot grow"}


def da_date(d: dt.date) -> str:
    from sp_xl.importing.layout import MONTHS_DA
    return f"{d.day}. {MONTHS_DA[d.month - 1]} {d.year}"


@dataclass(frozen=True)
class Conflict:
    sheet: str
    ref: str
    current: object
    new: object
    recorded: object = None          # what the last import wrote there (None: never imported)
    imported: bool = False

    @property
    def address(self) -> str:
        return f"{self.sheet}!{self.ref}"


@dataclass
class PeriodOutcome:
    table: str
    period: str
    label: Message
    status: str
    cells: int
    changed_cells: int = 0
    previous: tuple[str, dt.date] | None = None     # (file, extraction date) replaced or newer
    conflicts: list[Conflict] = field(default_factory=list)
    kept_cells: int = 0          # cells of the replaced import that the new extract has no value for
    new_rows: int = 0            # rows added under the table for this period
    blocked: str = ""            # why the table could not grow (status BLOCKED)

    def describe(self) -> str:
        pick = i18n.pick
        text = f"  {self.table} {pick(self.label.da, self.label.en)}: " + pick(_STATUS_DA[self.status],
                                                                             _STATUS_EN[self.status])
        if self.status in (WRITTEN, REPLACED):
            text += pick(f" ({self.changed_cells} af {self.cells} celler ændret",
                         f" ({self.changed_cells} of {self.cells} cells changed")
            text += pick(f", {self.new_rows} nye rækker)", f", {self.new_rows} new rows)") if self.new_rows else ")"
        if self.status == BLOCKED:
            text += f": {self.blocked}. " + pick("Flyt det, der står under tabellen, og importér igen.",
                                                 "Move what is below the table and import again.")
        if self.status == REPLACED and self.previous:
            f, d = self.previous
            text += pick(f"; før fra {f}, trukket d. {da_date(d)}", f"; previously from {f}, extracted {d.isoformat()}")
            if self.kept_cells:
                text += pick(f"; {self.kept_cells} celler er ikke med i det nye udtræk og beholder værdien derfra",
                             f"; {self.kept_cells} cells are not in the new extract and keep their value from it")
        if self.status == OLDER and self.previous:
            f, d = self.previous
            text += pick(f"; {f}, trukket d. {da_date(d)}, er nyere og beholdes (brug --force for at erstatte)",
                         f"; {f}, extracted {d.isoformat()}, is newer and is kept (use --force to replace it)")
        lines = [text]
        for c in self.conflicts[:20]:
            was = (pick(f"sidst importeret {_show(c.recorded)}", f"last imported {_show(c.recorded)}") if c.imported
                   else pick("aldrig importeret", "never imported"))
            lines.append(pick(f"    {c.address}: står {_show(c.current)} ({was}), udtrækket har {_show(c.new)}",
                              f"    {c.address}: holds {_show(c.current)} ({was}), the extract has {_show(c.new)}"))
        if len(self.conflicts) > 20:
            rest = len(self.conflicts) - 20
            lines.append(pick(f"    … og {rest} celler mere", f"    … and {rest} more cells"))
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"table": self.table, "period": self.period, "label": str(self.label), "status": self.status,
                "cells": self.cells, "changed_cells": self.changed_cells, "kept_cells": self.kept_cells,
                "new_rows": self.new_rows, "blocked": self.blocked or None,
                "previous": {"file": self.previous[0], "extracted": self.previous[1].isoformat()} if self.previous else None,
                "conflicts": [{"cell": c.address, "current": _json(c.current), "new": _json(c.new),
                               "last_imported": _json(c.recorded) if c.imported else None} for c in self.conflicts]}


def _show(v: object) -> str:
    if v is None:
        return i18n.pick("(tom)", "(empty)")
    if isinstance(v, float):
        return repr(int(v)) if v.is_integer() else repr(v)
    return f"'{v}'"


def _json(v: object) -> object:
    return v if v is None or isinstance(v, (str, float, int)) else str(v)


@dataclass
class FileOutcome:
    file: str
    kind: str | None = None
    kind_name: Message | None = None
    extraction_date: dt.date | None = None
    periods: list[PeriodOutcome] = field(default_factory=list)
    unplaced: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    error: Message | None = None      # why the file could not be read

    def count(self, status: str) -> int:
        return sum(1 for p in self.periods if p.status == status)

    @property
    def not_written(self) -> int:
        return self.count(CONFLICT) + self.count(OLDER) + self.count(BLOCKED)

    @property
    def conflicts(self) -> list[Conflict]:
        return [c for p in self.periods for c in p.conflicts]


def _period_lines(periods: list[PeriodOutcome], run: int = 4) -> list[str]:
    """One line per period, but a run of periods of one table with the same outcome (100 LPR
    days) becomes one line with the first and last label and the summed cell counts."""
    lines, i = [], 0
    while i < len(periods):
        p = periods[i]
        j = i
        while (j + 1 < len(periods) and not p.conflicts and not periods[j + 1].conflicts
               and (periods[j + 1].table, periods[j + 1].status, periods[j + 1].previous)
               == (p.table, p.status, p.previous)):
            j += 1
        if j - i + 1 >= run:
            group = periods[i:j + 1]
            last = group[-1]
            merged = PeriodOutcome(
                p.table, p.period, Message(f"{p.label.da} … {last.label.da} ({len(group)} perioder)",
                                           f"{p.label.en} … {last.label.en} ({len(group)} periods)"),
                p.status, sum(g.cells for g in group), sum(g.changed_cells for g in group), p.previous)
            lines.append(merged.describe())
        else:
            lines += [g.describe() for g in periods[i:j + 1]]
        i = j + 1
    return lines


@dataclass
class ImportSummary:
    path: Path
    files: list[FileOutcome] = field(default_factory=list)
    backup: Path | None = None
    changed: bool = False
    dry_run: bool = False
    force: bool = False
    source_lines: dict[str, str] = field(default_factory=dict)     # table -> new "Kilde: …" text
    seconds: float = 0.0
    refreshed: int | None = None      # formulas recomputed after the import (None: not refreshed)
    refresh_problems: list = field(default_factory=list)   # formulas the engine could not compute
    refresh_skipped: Message | None = None                  # why the workbook was not recomputed

    @property
    def conflicts(self) -> list[Conflict]:
        return [c for f in self.files for c in f.conflicts]

    @property
    def complete(self) -> bool:
        """Every file read and all of it written: no conflicts, no older extracts, nothing without a slot."""
        return all(f.error is None and not f.not_written and not f.unplaced for f in self.files)

    def describe(self) -> str:
        pick = i18n.pick
        name = self.path.name
        if self.dry_run:
            head = pick(f"Prøvekørsel – {name} er ikke ændret. Sådan ville importen gå:",
                        f"Dry run – {name} was not changed. This is what the import would do:")
        elif self.changed:
            head = pick(f"Importeret i {name} ({self.seconds:.1f} s)", f"Imported into {name} ({self.seconds:.1f} s)")
        else:
            head = pick(f"Uændret: {name} – intet nyt at importere ({self.seconds:.1f} s)",
                        f"Unchanged: {name} – nothing new to import ({self.seconds:.1f} s)")
        lines = [head]
        for f in self.files:
            if f.error:
                lines.append(pick(f"{f.file}: IKKE importeret – {f.error}", f"{f.file}: NOT imported – {f.error}"))
                continue
            lines.append(pick(
                f"{f.file}: {f.kind_name.da}, trukket d. {da_date(f.extraction_date)} – "
                f"{f.count(WRITTEN)} perioder skrevet, {f.count(REPLACED)} erstattet, {f.count(UNCHANGED)} uændret"
                + (f", {f.not_written} ikke skrevet" if f.not_written else ""),
                f"{f.file}: {f.kind_name.en}, extracted {f.extraction_date.isoformat()} – "
                f"{f.count(WRITTEN)} periods written, {f.count(REPLACED)} replaced, {f.count(UNCHANGED)} unchanged"
                + (f", {f.not_written} not written" if f.not_written else "")))
            lines += _period_lines([p for p in f.periods if p.status != UNCHANGED])
            lines += ["  " + str(m) for m in f.unplaced]
            lines += [pick("  Advarsel: ", "  Warning: ") + str(w) for w in f.warnings]
        if self.conflicts:
            lines.append(pick(
                f"{len(self.conflicts)} celle(r) er rettet i hånden siden sidste import (eller aldrig importeret) "
                "og ville blive overskrevet; de perioder er ikke importeret. Kontrollér cellerne, og kør importen "
                "igen med --force for at erstatte dem.",
                f"{len(self.conflicts)} cell(s) were changed by hand since the last import (or never imported) and "
                "would be overwritten; those periods were not imported. Check the cells and run the import again "
                "with --force to replace them."))
        for table, text in self.source_lines.items():
            lines.append(pick(f"Kildelinje {table}: {text}", f"Source line {table}: {text}"))
        if self.backup:
            lines.append(pick(f"Forrige version gemt som {self.backup}", f"Previous version saved as {self.backup}"))
        if self.refreshed is not None:
            lines.append(pick(f"Rapportarkene er beregnet igen med de nye tal ({self.refreshed} formler).",
                              f"The report sheets were recomputed with the new numbers ({self.refreshed} formulas)."))
            for p in self.refresh_problems[:10]:
                lines.append(pick("  Kunne ikke beregnes: ", "  Could not be computed: ") + p.describe())
        elif self.refresh_skipped is not None:
            lines.append(str(self.refresh_skipped))
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {
            "ok": True, "path": str(self.path), "changed": self.changed, "dry_run": self.dry_run,
            "force": self.force, "complete": self.complete,
            "backup": str(self.backup) if self.backup else None,
            "files": [{
                "file": f.file, "kind": f.kind, "error": str(f.error) if f.error else None,
                "extraction_date": f.extraction_date.isoformat() if f.extraction_date else None,
                "written": f.count(WRITTEN), "replaced": f.count(REPLACED), "unchanged": f.count(UNCHANGED),
                "not_written": f.not_written,
                "periods": [p.to_json() for p in f.periods],
                "unplaced": [str(m) for m in f.unplaced],
                "warnings": [str(w) for w in f.warnings],
            } for f in self.files],
            "conflicts": [c.address for c in self.conflicts],
            "source_lines": self.source_lines,
            "refreshed_formulas": self.refreshed,
            "refresh_problems": [p.describe() for p in self.refresh_problems],
            "refresh_skipped": str(self.refresh_skipped) if self.refresh_skipped else None,
            "seconds": round(self.seconds, 3),
        }
