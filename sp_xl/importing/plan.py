"""Which cells an extract fills: one ``Placement`` per table and period, plus what has no slot.

Extract type -> master table (see ``sp_xl.master.data``):
- indicators: Tabel 1/2/4/6 -> tBestOrdSet, tSmartSet, tMinSPBrugere, tMinSPAktive
  (rows per hospital, one column per month; period = month);
- messages: the share answered in time (Tabel 5) -> tMinSPBesvaret (period = month);
- orders: the usage rate per hospital and month -> tBestOrdSet (Tabel 1, period = month) and
  the departments -> tAfdelinger (one snapshot: the best-ranked departments that fit its rows,
  sorted by name as the master keeps them; period = the whole table);
- lpr_errors: errors per day and hospital -> tLPRFejl (period = day; within the extract's
  first to last day a hospital of the extract without a row that day had 0);
- cases: created/closed per ISO week, levels 1-2 and 3 -> tSupport (period = week);
- key_persons: the master keeps no table for them (the Uddannelse sheet holds the report's
  count as a constant), so nothing is written and the summary says so.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from sp_xl.extracts import Extract, Kind, Message
from sp_xl.importing.layout import TableSlots, month_label, month_of, norm, serial_to_date

INDICATOR_TABLES = {"tabel_1": "tBestOrdSet", "tabel_2": "tSmartSet", "tabel_4": "tMinSPBrugere",
                    "tabel_6": "tMinSPAktive"}
TOTAL_ROWS = {"i alt", "total", "i alt (region)", "region hovedstaden"}
WHOLE_TABLE = "*"


@dataclass
class Placement:
    table: str
    sheet: str
    period: str                       # key: '2018-03', '2018-01-02', '2018-W05', '*'
    label: Message                    # 'marts 2018' / 'March 2018'
    cells: dict[str, object]          # ref -> float | str | None


@dataclass
class Plan:
    placements: list[Placement] = field(default_factory=list)
    unplaced: list[Message] = field(default_factory=list)


def plan(extract: Extract, slots: dict[str, TableSlots]) -> Plan:
    out = Plan()
    kind = extract.kind
    if kind == Kind.INDICATORS:
        for key, frame in extract.tables.items():
            if key == "values":
                continue
            table = INDICATOR_TABLES.get(key)
            if table is None:
                out.unplaced.append(Message(
                    f"Indikatortabellen '{key}' har ingen datatabel i arbejdsbogen og er ikke importeret.",
                    f"The indicator table '{key}' has no data table in the workbook and was not imported."))
                continue
            _monthly(out, slots, table, frame, extract)
    elif kind == Kind.MESSAGES:
        _monthly(out, slots, "tMinSPBesvaret", extract.tables["tabel_5"], extract)
    elif kind == Kind.ORDERS:
        _monthly(out, slots, "tBestOrdSet", extract.tables["usage_rates"], extract)
        _departments(out, slots, extract)
    elif kind == Kind.LPR_ERRORS:
        _lpr(out, slots, extract)
    elif kind == Kind.CASES:
        _support(out, slots, extract)
    else:
        out.unplaced.append(Message(
            "Arbejdsbogen har ingen datatabel til nøglepersonlister (antallet står som tal på arket "
            "Uddannelse); intet er importeret fra filen.",
            "The workbook has no data table for key person lists (the count is a number on the "
            "Uddannelse sheet); nothing was imported from the file."))
    return out


def _table(out: Plan, slots: dict[str, TableSlots], name: str) -> TableSlots | None:
    table = slots.get(name)
    if table is None:
        out.unplaced.append(Message(f"Arbejdsbogen har ingen tabel med navnet {name}; intet skrevet til den.",
                                    f"The workbook has no table named {name}; nothing written to it."))
    return table


def _number(v: object) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return float(v)


# The same hospital under the names the source systems use (2018 renamings, singular/plural).
_HOSPITAL_ALIASES = {
    "hospitalerne i nordsjælland": "nordsjællands hospital",
    "region hovedstadens psykiatri": "psykiatrien region hovedstaden",
}


def hospital_key(name: object) -> str:
    key = norm(name).replace("hospitaler", "hospital")
    return _HOSPITAL_ALIASES.get(norm(name), _HOSPITAL_ALIASES.get(key, key))


def _hospital_rows(table: TableSlots) -> dict[str, int]:
    return {hospital_key(v): r for r, v in table.first_column.items() if isinstance(v, str)}


def _monthly(out: Plan, slots: dict[str, TableSlots], name: str, frame: pd.DataFrame, extract: Extract) -> None:
    table = _table(out, slots, name)
    if table is None:
        return
    year = table.year or extract.extraction_date.year
    columns = {}
    for i, h in enumerate(table.headers[1:], start=table.first_col + 1):
        ym = month_of(h, year)
        if ym:
            columns[ym] = i
    rows = _hospital_rows(table)
    hospitals = [h for h in frame["hospital"].tolist() if norm(h) not in TOTAL_ROWS]
    missing_h = [h for h in hospitals if hospital_key(h) not in rows]
    if missing_h:
        out.unplaced.append(Message(
            f"{name}: ingen række til {_names(missing_h)}; de tal er ikke importeret.",
            f"{name}: no row for {_names(missing_h)}; those numbers were not imported."))
    missing_m = []
    for col in frame.columns[1:]:
        ts = pd.Timestamp(col)
        target = columns.get((ts.year, ts.month))
        if target is None:
            missing_m.append(month_label(ts.year, ts.month))
            continue
        cells = {}
        for hospital, value in zip(frame["hospital"].tolist(), frame[col].tolist()):
            row = rows.get(hospital_key(hospital))
            v = _number(value)
            if row is not None and v is not None:
                cells[table.ref(row, target)] = v
        if cells:
            label = month_label(ts.year, ts.month)
            out.placements.append(Placement(name, table.sheet, f"{ts.year:04d}-{ts.month:02d}", Message(*label), cells))
    if missing_m:
        out.unplaced.append(Message(
            f"{name}: ingen kolonne til {', '.join(m[0] for m in missing_m)}; tabellen udvides ikke "
            "automatisk (det gør denne version ikke), så de måneder er ikke importeret.",
            f"{name}: no column for {', '.join(m[1] for m in missing_m)}; the table is not extended "
            "automatically (this version does not do that), so those months were not imported."))


def _names(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(f"'{h}'" for h in items[:limit])
    return shown + (f" (+{len(items) - limit})" if len(items) > limit else "")


def _lpr(out: Plan, slots: dict[str, TableSlots], extract: Extract) -> None:
    table = _table(out, slots, "tLPRFejl")
    if table is None:
        return
    columns = {hospital_key(h): table.first_col + i for i, h in enumerate(table.headers) if i > 0}
    days = {d: r for r, v in table.first_column.items() if (d := serial_to_date(v, table.date1904)) is not None}
    daily = extract.tables["daily"]
    hospitals = list(dict.fromkeys(daily["hospital"].tolist()))
    missing_h = [h for h in hospitals if hospital_key(h) not in columns]
    if missing_h:
        out.unplaced.append(Message(f"tLPRFejl: ingen kolonne til {_names(missing_h)}; de tal er ikke importeret.",
                                    f"tLPRFejl: no column for {_names(missing_h)}; those numbers were not imported."))
    counts = {(pd.Timestamp(d).date(), h): int(e) for d, h, e in
              zip(daily["date"].tolist(), daily["hospital"].tolist(), daily["errors"].tolist())}
    first, last = min(k[0] for k in counts), max(k[0] for k in counts)
    no_row = []
    day = first
    while day <= last:
        row = days.get(day)
        if row is None:
            no_row.append(day)
        else:
            cells = {table.ref(row, columns[hospital_key(h)]): float(counts.get((day, h), 0))
                     for h in hospitals if hospital_key(h) in columns}
            if cells:
                out.placements.append(Placement("tLPRFejl", table.sheet, day.isoformat(),
                                                Message(f"{day:%d-%m-%Y}", day.isoformat()), cells))
        day += dt.timedelta(days=1)
    if no_row:
        span_da = f"{no_row[0]:%d-%m-%Y}–{no_row[-1]:%d-%m-%Y}"
        _not_extended(out, f"tLPRFejl: {len(no_row)} dag(e) har ingen række i tabellen ({span_da})",
                      f"tLPRFejl: {len(no_row)} day(s) have no row in the table ({no_row[0]}–{no_row[-1]})",
                      "dage", "days")


def _support(out: Plan, slots: dict[str, TableSlots], extract: Extract) -> None:
    table = _table(out, slots, "tSupport")
    if table is None:
        return
    year = table.year or extract.extraction_date.year
    cols = {}
    for i, h in enumerate(table.headers[1:], start=table.first_col + 1):
        h = norm(h).replace("1-2", "12")
        level = "12" if "12" in h else "3" if "3" in h else None
        what = "created" if "oprett" in h or "created" in h else "closed" if "lukke" in h or "closed" in h else None
        if level and what:
            cols[(level, what)] = i
    if len(cols) != 4:
        out.unplaced.append(Message("tSupport: kolonnerne for niveau 1–2 og 3 (oprettede/lukkede) blev ikke fundet.",
                                    "tSupport: the columns for levels 1–2 and 3 (created/closed) were not found."))
        return
    weeks = {int(v): r for r, v in table.first_column.items() if isinstance(v, float) and v.is_integer()}
    data: dict[tuple[int, int], dict[tuple[str, str], int]] = {}
    for level, key in (("12", "weekly_levels_1_2"), ("3", "weekly_level_3")):
        f = extract.tables[key]
        for y, w, c, k in zip(f["iso_year"].tolist(), f["iso_week"].tolist(), f["created"].tolist(), f["closed"].tolist()):
            entry = data.setdefault((int(y), int(w)), {})
            entry[(level, "created")], entry[(level, "closed")] = int(c), int(k)
    no_row = []
    for (y, w), values in sorted(data.items()):
        row = weeks.get(w) if y == year else None
        if row is None:
            no_row.append(f"{y}-W{w:02d}")
            continue
        cells = {table.ref(row, col): float(values.get(k, 0)) for k, col in cols.items()}
        out.placements.append(Placement("tSupport", table.sheet, f"{y}-W{w:02d}",
                                        Message(f"uge {w} {y}", f"week {w} {y}"), cells))
    if no_row:
        _not_extended(out, f"tSupport: ingen række til {len(no_row)} uge(r) ({no_row[0]}–{no_row[-1]})",
                      f"tSupport: no row for {len(no_row)} week(s) ({no_row[0]}–{no_row[-1]})", "uger", "weeks")


def _not_extended(out: Plan, what_da: str, what_en: str, periods_da: str, periods_en: str) -> None:
    """Periods without a row: reported, since this version does not grow the table."""
    out.unplaced.append(Message(
        f"{what_da}; tabellen udvides ikke automatisk i denne version, så de {periods_da} er ikke importeret.",
        f"{what_en}; the table is not extended automatically in this version, so those {periods_en} were not "
        "imported."))


def _departments(out: Plan, slots: dict[str, TableSlots], extract: Extract) -> None:
    table = _table(out, slots, "tAfdelinger")
    if table is None or table.last_col - table.first_col < 2:
        return
    depts = extract.tables["departments"]          # ranked: highest usage rate first
    n_rows = table.last_row - table.first_row + 1
    kept = depts.head(n_rows).sort_values("label", key=lambda s: s.map(str), kind="stable")
    cells: dict[str, object] = {}
    note = f"Udtræk ({extract.source_file})"
    for i, r in enumerate(range(table.first_row, table.last_row + 1)):
        c = table.first_col
        if i < len(kept):
            rec = kept.iloc[i]
            values = [str(rec["label"]), float(rec["from_order_set"]), float(rec["usage_rate"]), note]
        else:
            values = [None, None, None, None]
        for j, v in enumerate(values[: table.last_col - c + 1]):
            cells[table.ref(r, c + j)] = v
    out.placements.append(Placement("tAfdelinger", table.sheet, WHOLE_TABLE,
                                    Message("hele tabellen", "the whole table"), cells))
    if len(depts) > n_rows:
        out.unplaced.append(Message(
            f"tAfdelinger har {n_rows} rækker: de {n_rows} afdelinger med højest anvendelsesgrad er skrevet, "
            f"{len(depts) - n_rows} andre er ikke (tabellen udvides ikke automatisk i denne version).",
            f"tAfdelinger has {n_rows} rows: the {n_rows} departments with the highest usage rate were written, "
            f"{len(depts) - n_rows} others were not (the table is not extended automatically in this version)."))
