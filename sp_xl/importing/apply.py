"""Applying an import's placements to the workbook: the cells, the record, the new package.

``WorkbookState`` holds the workbook as the import changes it: per period it decides
written / replaced / unchanged / older / conflict (a hand entry is never overwritten
without ``force``) and records what was written. ``new_package`` writes the constants into
the sheet XML (``ooxml.patch``), the tables' "Kilde: …" lines and the import record, and
reads the result back before anyone may replace a file with it.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
import zipfile

from sp_xl.extracts import Extract
from sp_xl.importing.layout import MONTHS_DA, TableSlots
from sp_xl.importing.plan import WHOLE_TABLE, Placement
from sp_xl.importing.record import ImportRecord, PeriodRecord, TableRecord, read_record, record_parts
from sp_xl.importing.summary import (
    BLOCKED,
    CONFLICT,
    OLDER,
    REPLACED,
    UNCHANGED,
    WRITTEN,
    Conflict,
    PeriodOutcome,
    da_date,
)
from sp_xl.importing.units import name_key
from sp_xl.ooxml.cellrefs import split_ref
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.patch import SheetLayoutError, write_cells
from sp_xl.ooxml.safety import WorkbookRefused
from sp_xl.ooxml.tables import grow, row_styles, table_infos
from sp_xl.ooxml.zipwrite import rezip_with_zipfile


def _key(value: object) -> object:
    """A key cell as compared: numbers (dates) exactly, names as the name table compares them."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return name_key(value)


def same(a: object, b: object) -> bool:
    """Equal as cell contents: empty text is empty; numbers exactly (they round-trip via repr)."""
    a = None if a == "" else a
    b = None if b == "" else b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b) or (math.isnan(float(a)) and math.isnan(float(b)))
    return type(a) is type(b) and a == b


class WorkbookState:
    """The workbook as the import changes it: current cell values, pending writes, record, and
    where each long table ends now (a new period's rows go under it)."""

    def __init__(self, pkg: XlsxPackage, record: ImportRecord, slots: dict[str, TableSlots],
                 now: dt.datetime, force: bool):
        self.pkg, self.record, self.slots, self.now, self.force = pkg, record, slots, now, force
        self._values: dict[str, dict[str, object]] = {}
        self.writes: dict[str, dict[str, object]] = {}
        self.touched: list[str] = []            # tables whose record changed, in order
        self.last_row = {name: t.last_row for name, t in slots.items()}
        self._keys: dict[str, dict[tuple, int]] = {}

    @property
    def changed(self) -> bool:
        return bool(self.touched)

    @property
    def growth(self) -> dict[str, int]:
        """Tables that got rows, and their new last row."""
        return {name: last for name, last in self.last_row.items() if last > self.slots[name].last_row}

    def values(self, sheet: str) -> dict[str, object]:
        if sheet not in self._values:
            self._values[sheet] = dict(self.pkg.cells(sheet))
        return self._values[sheet]

    def set(self, sheet: str, ref: str, value: object) -> None:
        self.values(sheet)[ref] = value
        self.writes.setdefault(sheet, {})[ref] = value

    def _index(self, table: TableSlots, columns: list[int]) -> dict[tuple, int]:
        if table.name not in self._keys:
            cells = self.values(table.sheet)
            index = {}
            for r in range(table.first_row, self.last_row[table.name] + 1):
                key = tuple(_key(cells.get(table.ref(r, c))) for c in columns)
                if all(k is not None for k in key):
                    index.setdefault(key, r)
            self._keys[table.name] = index
        return self._keys[table.name]

    def _cells(self, pl: Placement) -> tuple[dict[str, object], dict[tuple, int], set[str], str | None]:
        """The cells a placement writes: its rows found by key, or given new rows under the table.
        Returns (cells, new keys -> row, the key cells among them, why the table cannot grow or None)."""
        if not pl.rows:
            table = self.slots[pl.table]
            need = table.first_row + pl.snapshot_rows - 1
            blocked = self._blocked(table, need) if need > self.last_row[pl.table] else None
            return dict(pl.cells), {}, set(), blocked
        table = self.slots[pl.table]
        key_names = list(pl.rows[0].key)
        key_cols = [table.column(k) for k in key_names]
        index = self._index(table, key_cols)
        cells: dict[str, object] = {}
        keys: set[str] = set()
        new_rows: dict[tuple, int] = {}
        next_row = self.last_row[pl.table] + 1
        for row in pl.rows:
            key = tuple(_key(row.key[k]) for k in key_names)
            r = index.get(key) or new_rows.get(key)
            if r is None:
                r = new_rows[key] = next_row
                next_row += 1
                for name, col in zip(key_names, key_cols):
                    cells[table.ref(r, col)] = row.key[name]
                    keys.add(table.ref(r, col))
            for name, value in row.values.items():
                cells[table.ref(r, table.column(name))] = value
        blocked = self._blocked(table, next_row - 1) if new_rows else None
        return cells, new_rows, keys, blocked

    def _blocked(self, table: TableSlots, new_last: int) -> str | None:
        """Why ``table`` cannot grow to ``new_last``, in Danish/English, or None."""
        if table.totals_rows:
            return "tabellen har en totalrække"
        if table.source_below:
            return "kildelinjen står under tabellen (arbejdsbogen er fra en ældre version)"
        cells = self.values(table.sheet)
        for r in range(self.last_row[table.name] + 1, new_last + 1):
            for c in range(table.first_col, table.last_col + 1):
                if cells.get(table.ref(r, c)) not in (None, ""):
                    return f"cellen {table.ref(r, c)} under tabellen er ikke tom"
        return None

    def place(self, pl: Placement, extract: Extract) -> PeriodOutcome:
        table_rec = self.record.tables.get(pl.table)
        prev = table_rec.periods.get(pl.period) if table_rec else None
        wanted, new_rows, key_cells, blocked = self._cells(pl)
        out = PeriodOutcome(pl.table, pl.period, pl.label, WRITTEN, len(wanted))
        if prev is not None:
            out.previous = (prev.file, prev.extracted)
        if prev is not None and prev.extracted > extract.extraction_date and not self.force:
            out.status = OLDER
            return out
        if blocked:
            out.status, out.blocked = BLOCKED, blocked
            return out
        current = self.values(pl.sheet)
        changes = {}
        for ref, new in wanted.items():
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
        out.new_rows = len(new_rows)
        if out.conflicts and not self.force:
            out.status = CONFLICT
            return out
        if prev is not None:
            same_source = prev.file == extract.source_file and prev.extracted == extract.extraction_date
            recorded_same = all(ref in prev.cells and same(prev.cells[ref], v) for ref, v in wanted.items()
                                if ref not in key_cells)
            out.status = UNCHANGED if same_source and recorded_same and not changes else REPLACED
        if out.status == UNCHANGED:
            return out
        for ref, new in changes.items():
            self.set(pl.sheet, ref, new)
        if new_rows:
            self._keys.get(pl.table, {}).update(new_rows)
            self.last_row[pl.table] = max(new_rows.values())
        elif pl.snapshot_rows:
            need = self.slots[pl.table].first_row + pl.snapshot_rows - 1
            out.new_rows = max(0, need - self.last_row[pl.table])
            self.last_row[pl.table] = max(self.last_row[pl.table], need)
        if table_rec is None:
            table = self.slots.get(pl.table)
            table_rec = self.record.tables[pl.table] = TableRecord(pl.sheet, (table.source_text or "") if table else "")
        cells = dict(prev.cells) if prev else {}
        out.kept_cells = sum(1 for ref in cells if ref not in wanted)   # not in the newer extract: kept
        # The record keeps the figures; a row's key cells say which period it is and are looked up, not kept.
        cells.update((ref, v) for ref, v in wanted.items() if ref not in key_cells)
        table_rec.periods[pl.period] = PeriodRecord(extract.source_file, extract.extraction_date, self.now, cells)
        if pl.table not in self.touched:
            self.touched.append(pl.table)
        return out

    def _period_count(self, table: TableSlots) -> int:
        """How many periods the table holds (distinct values of its first column)."""
        if table.name == "tAfdelinger":
            return 1
        cells = self.values(table.sheet)
        return len({_key(cells.get(table.ref(r, table.first_col))) for r in range(table.first_row, self.last_row[table.name] + 1)}
                   - {None})

    def source_lines(self) -> dict[str, str]:
        """New "Kilde: …" lines of the tables whose record changed (written into the sheets)."""
        out = {}
        for name in self.touched:
            table = self.slots.get(name)
            if table is None or table.source_ref is None:
                continue
            text = source_line(self.record.tables[name], self._period_count(table))
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


_ORIGIN = re.compile(r"^\s*Kilde:\s*(.+?),\s*trukket\b")


def source_line(table: TableRecord, total_periods: int) -> str:
    """The table's "Kilde: …" line after an import, written for the report's readers (the
    line also stands under the report's tables): where the numbers come from, as the
    table's own line named it, which periods, and when they were extracted. The extract
    files and the time of the import are in the import record and the import's summary.
    A table whose line names no origin gets the file names instead."""
    groups: dict[tuple[str, dt.date], list[str]] = {}
    for key, p in table.periods.items():
        groups.setdefault((p.file, p.extracted), []).append(key)
    origin = _ORIGIN.match(table.original_source or "")
    if origin:
        by_date: dict[dt.date, list[str]] = {}
        for (_, extracted), keys in groups.items():
            by_date.setdefault(extracted, []).extend(keys)
        parts = [f"{period_text(keys)} trukket d. {da_date(extracted)}" if len(by_date) > 1
                 else f"{period_text(keys)}, trukket d. {da_date(extracted)}"
                 for extracted, keys in sorted(by_date.items())]
        text = f"Kilde: {origin.group(1)}, " + ", ".join(parts)
    else:
        parts = []
        for (file, extracted), keys in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            span = period_text(keys)
            parts.append(f"{file}{f' ({span})' if span else ''}, trukket d. {da_date(extracted)}")
        text = "Kilde: " + "; ".join(parts)
    if len(table.periods) < total_periods and table.original_source:
        rest = table.original_source.removeprefix("Kilde:").strip()
        if origin and rest.startswith(origin.group(1)):      # the same origin: say only when
            text += f"; øvrige tal {rest[len(origin.group(1)):].lstrip(' ,')}"
        else:
            text += f"; øvrige tal: {rest}"
    return text


# ---------------------------------------------------------------- the new package

def new_package(pkg: XlsxPackage, data: bytes, state: WorkbookState, name: str) -> bytes:
    replaced: dict[str, bytes] = {}           # by part name; zip names only when writing
    growth = state.growth
    tables = table_infos(pkg) if growth else {}
    try:
        for sheet, values in state.writes.items():
            part = next(s.part for s in pkg.sheets if s.name == sheet)
            xml = pkg.read(part)
            replaced[part] = write_cells(xml, values, _new_row_styles(xml, sheet, values, tables, growth))
    except SheetLayoutError as exc:
        raise WorkbookRefused(f"Et dataark i {name} har en uventet opbygning ({exc}). Filen er ikke ændret.",
                              f"A data sheet in {name} has an unexpected layout ({exc}). The file was not changed.") from None
    grow(pkg, replaced, growth)
    rec_replaced, added = record_parts(pkg, state.record)
    replaced.update(rec_replaced)
    new_data = _rezip(data, {pkg.zip_name(k): v for k, v in replaced.items()}, added, state.now)
    _verify(new_data, state, name, {**rec_replaced, **added})
    return new_data


def _new_row_styles(xml: bytes, sheet: str, values: dict, tables: dict, growth: dict[str, int]) -> dict[str, bytes]:
    """New rows of a growing table get the styles (formats) of its last row as it was."""
    out: dict[str, bytes] = {}
    for table_name, last in growth.items():
        t = tables[table_name]
        if t.sheet != sheet:
            continue
        styles = row_styles(xml, t.last_body_row, t.c1, t.c2)
        for ref in values:
            r, c = split_ref(ref)
            if t.last_body_row < r <= last and c in styles:
                out[ref] = styles[c]
    return out


def _rezip(data: bytes, replaced: dict[str, bytes], added: dict[str, bytes], now: dt.datetime) -> bytes:
    """The package with some members replaced and some added; every other member's bytes kept."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return rezip_with_zipfile(src, replaced, added, now.timetuple()[:6])


def _verify(new_data: bytes, state: WorkbookState, name: str, written: dict[str, bytes]) -> None:
    """Read the new package back: every written cell holds its value, the record reads back."""
    try:
        check = XlsxPackage(new_data, name)
        for sheet, values in state.writes.items():
            cells = check.cells(sheet)
            for ref, value in values.items():
                if not same(cells.get(ref), value):
                    raise AssertionError(f"{sheet}!{ref}: wrote {value!r}, read back {cells.get(ref)!r}")
        record = read_record(check)                       # it parses, and holds exactly what was written
        if record.part is None or check.read(record.part) != written.get(record.part, written.get(check.zip_name(record.part))):
            raise AssertionError("the import record does not read back")
        expected = dict(state.pkg.tables())
        for table, last in state.growth.items():
            sheet, ref, cols = expected[table]
            start, end = ref.split(":")
            expected[table] = (sheet, f"{start}:{end.rstrip('0123456789')}{last}", cols)
        if check.tables() != expected:
            raise AssertionError("the tables changed")
    except (WorkbookRefused, AssertionError, KeyError, ValueError) as exc:
        raise WorkbookRefused(
            f"Den importerede udgave af {name} kunne ikke kontrolleres ({exc}). Filen er ikke ændret.",
            f"The imported version of {name} failed its check ({exc}). The file was not changed.") from None
