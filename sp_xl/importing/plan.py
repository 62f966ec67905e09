"""What an extract writes: one ``Placement`` per table and period, plus what it cannot place.

Extract type -> master table (see ``sp_xl.master.data``); every table is long, one row per
period (and hospital), so a placement is a list of keyed rows (``Row``) that the workbook
state finds or appends (``importing.apply``):
- indicators: Tabel 1/2/4/6 -> tBestOrdSet, tSmartSet, tMinSPBrugere, tMinSPAktive
  (key: month and hospital; period = month);
- messages: the share answered in time (Tabel 5) -> tMinSPBesvaret (period = month);
- orders: the usage rate per hospital and month -> tBestOrdSet (Tabel 1, period = month) and
  the departments -> tAfdelinger (one snapshot, the whole table, best-ranked first as many as
  there are, sorted by name as the master keeps them);
- lpr_errors: errors per day and hospital -> tLPRFejl (period = day; within the extract's
  first to last day a hospital of the extract without a row that day had 0);
- cases: created/closed per ISO week, levels 1-2 and 3 -> tSupport (key: the week's Monday);
- key_persons: the count per hospital -> tNøglepersoner (period = the month of the extraction; the
  list is complete, so a hospital it does not name had none).
Hospital names go through the workbook's name table (``units``); a name it does not know is
refused with a message that says how to map it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from sp_xl.extracts import Extract, Kind, Message
from sp_xl.importing.layout import TableSlots, date_to_serial, month_label, norm
from sp_xl.importing.units import Units, names_text

INDICATOR_TABLES = {"tabel_1": "tBestOrdSet", "tabel_2": "tSmartSet", "tabel_4": "tMinSPBrugere",
                    "tabel_6": "tMinSPAktive"}
TOTAL_ROWS = {"i alt", "total", "i alt (region)", "region hovedstaden"}
WHOLE_TABLE = "*"
MONTH, HOSPITAL = "Måned", "Hospital"


@dataclass
class Row:
    """One row of a long table: its key (column -> value) and its figures (column -> value)."""

    key: dict[str, object]
    values: dict[str, object]


@dataclass
class Placement:
    table: str
    sheet: str
    period: str                       # key: '2018-03', '2018-01-02', '2018-W05', '*'
    label: Message                    # 'marts 2018' / 'March 2018'
    rows: list[Row] = field(default_factory=list)          # found by key, or appended
    cells: dict[str, object] = field(default_factory=dict)  # ref -> value (a whole-table snapshot)
    snapshot_rows: int = 0            # rows a snapshot needs (the table grows to hold them)


@dataclass
class Plan:
    placements: list[Placement] = field(default_factory=list)
    unplaced: list[Message] = field(default_factory=list)


def plan(extract: Extract, slots: dict[str, TableSlots], units: Units) -> Plan:
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
            _monthly(out, slots, units, table, frame)
    elif kind == Kind.MESSAGES:
        _monthly(out, slots, units, "tMinSPBesvaret", extract.tables["tabel_5"])
    elif kind == Kind.ORDERS:
        _monthly(out, slots, units, "tBestOrdSet", extract.tables["usage_rates"])
        _departments(out, slots, extract)
    elif kind == Kind.LPR_ERRORS:
        _lpr(out, slots, units, extract)
    elif kind == Kind.CASES:
        _support(out, slots, extract)
    elif kind == Kind.KEY_PERSONS:
        _key_persons(out, slots, units, extract)
    return out


def _table(out: Plan, slots: dict[str, TableSlots], name: str, keys: tuple[str, ...]) -> TableSlots | None:
    table = slots.get(name)
    if table is None:
        out.unplaced.append(Message(f"Arbejdsbogen har ingen tabel med navnet {name}; intet skrevet til den.",
                                    f"The workbook has no table named {name}; nothing written to it."))
        return None
    missing = [k for k in keys if table.column(k) is None]
    if missing:
        out.unplaced.append(Message(
            f"{name} har ikke kolonnerne {', '.join(missing)} (én række pr. periode); arbejdsbogen er lavet med en "
            "ældre version af sp_xl. Lav en ny med sp-xl new og importér udtrækkene i den.",
            f"{name} has no columns {', '.join(missing)} (one row per period); the workbook was made by an older "
            "version of sp_xl. Make a new one with sp-xl new and import the extracts into it."))
        return None
    return table


def _number(v: object) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return float(v)


def _hospitals(out: Plan, units: Units, name: str, hospitals: list[object]) -> dict[str, str]:
    """The extract's hospital names -> the report's; the unknown ones are refused, and said so."""
    known, unknown, elsewhere = {}, [], []
    for h in dict.fromkeys(str(h) for h in hospitals):
        if norm(h) in TOTAL_ROWS:
            continue
        canonical = units.canonical(h)
        if canonical is None:
            unknown.append(h)
        elif units.not_shown(canonical):
            elsewhere.append(h)
        else:
            known[h] = canonical
    if unknown:
        out.unplaced.append(units.unknown_message(name, unknown))
    if elsewhere:
        out.unplaced.append(units.not_shown_message(name, elsewhere))
    return known


def _one_name_each(out: Plan, name: str, hospitals: dict[str, str]) -> dict[str, str]:
    """Two names of one extract that mean the same hospital: a share cannot be added up, so
    neither is imported, and the summary says which."""
    by_hospital: dict[str, list[str]] = {}
    for source, canonical in hospitals.items():
        by_hospital.setdefault(canonical, []).append(source)
    clashes = {c: names for c, names in by_hospital.items() if len(names) > 1}
    for canonical, names in clashes.items():
        out.unplaced.append(Message(
            f"{name}: {names_text(names)} er i arbejdsbogen det samme hospital ({canonical}); deres tal er ikke "
            "importeret. Ret tabellen på arket D_Enheder, eller læg tallene sammen i udtrækket.",
            f"{name}: {names_text(names)} are the same hospital in the workbook ({canonical}); their numbers were "
            "not imported. Correct the table on the sheet D_Enheder, or add the numbers up in the extract."))
    return {s: c for s, c in hospitals.items() if c not in clashes}


def _monthly(out: Plan, slots: dict[str, TableSlots], units: Units, name: str, frame: pd.DataFrame) -> None:
    table = _table(out, slots, name, (MONTH, HOSPITAL))
    if table is None:
        return
    value_column = table.headers[-1]
    hospitals = _one_name_each(out, name, _hospitals(out, units, name, frame["hospital"].tolist()))
    for col in frame.columns[1:]:
        ts = pd.Timestamp(col)
        month = date_to_serial(dt.date(ts.year, ts.month, 1), table.date1904)
        rows = []
        for hospital, value in zip(frame["hospital"].tolist(), frame[col].tolist()):
            canonical, v = hospitals.get(str(hospital)), _number(value)
            if canonical is not None and v is not None:
                rows.append(Row({MONTH: month, HOSPITAL: canonical}, {value_column: v}))
        if rows:
            out.placements.append(Placement(name, table.sheet, f"{ts.year:04d}-{ts.month:02d}",
                                            Message(*month_label(ts.year, ts.month)), rows))


def _lpr(out: Plan, slots: dict[str, TableSlots], units: Units, extract: Extract) -> None:
    table = _table(out, slots, "tLPRFejl", ("Dato", HOSPITAL))
    if table is None:
        return
    value_column = table.headers[-1]
    daily = extract.tables["daily"]
    hospitals = _hospitals(out, units, "tLPRFejl", daily["hospital"].tolist())
    counts: dict[tuple[dt.date, str], int] = {}
    for d, h, e in zip(daily["date"].tolist(), daily["hospital"].tolist(), daily["errors"].tolist()):
        if str(h) in hospitals:
            key = (pd.Timestamp(d).date(), hospitals[str(h)])
            counts[key] = counts.get(key, 0) + int(e)
    if not counts:
        return
    first, last = min(k[0] for k in counts), max(k[0] for k in counts)
    names = list(dict.fromkeys(hospitals.values()))
    day = first
    while day <= last:
        serial = date_to_serial(day, table.date1904)
        rows = [Row({"Dato": serial, HOSPITAL: h}, {value_column: float(counts.get((day, h), 0))}) for h in names]
        out.placements.append(Placement("tLPRFejl", table.sheet, day.isoformat(),
                                        Message(f"{day:%d-%m-%Y}", day.isoformat()), rows))
        day += dt.timedelta(days=1)


def _support(out: Plan, slots: dict[str, TableSlots], extract: Extract) -> None:
    table = _table(out, slots, "tSupport", ("Uge",))
    if table is None:
        return
    cols = {}
    for h in table.headers[1:]:
        key = norm(h).replace("1-2", "12")
        level = "12" if "12" in key else "3" if "3" in key else None
        what = "created" if "oprett" in key or "created" in key else "closed" if "lukke" in key or "closed" in key else None
        if level and what:
            cols[(level, what)] = h
    if len(cols) != 4:
        out.unplaced.append(Message("tSupport: kolonnerne for niveau 1–2 og 3 (oprettede/lukkede) blev ikke fundet.",
                                    "tSupport: the columns for levels 1–2 and 3 (created/closed) were not found."))
        return
    data: dict[tuple[int, int], dict[tuple[str, str], int]] = {}
    for level, key in (("12", "weekly_levels_1_2"), ("3", "weekly_level_3")):
        f = extract.tables[key]
        for y, w, c, k in zip(f["iso_year"].tolist(), f["iso_week"].tolist(), f["created"].tolist(), f["closed"].tolist()):
            entry = data.setdefault((int(y), int(w)), {})
            entry[(level, "created")], entry[(level, "closed")] = int(c), int(k)
    for (y, w), values in sorted(data.items()):
        monday = date_to_serial(dt.date.fromisocalendar(y, w, 1), table.date1904)
        row = Row({"Uge": monday}, {cols[k]: float(values.get(k, 0)) for k in cols})
        out.placements.append(Placement("tSupport", table.sheet, f"{y}-W{w:02d}",
                                        Message(f"uge {w} {y}", f"week {w} {y}"), [row]))


def _key_persons(out: Plan, slots: dict[str, TableSlots], units: Units, extract: Extract) -> None:
    table = _table(out, slots, "tNøglepersoner", (MONTH, HOSPITAL))
    if table is None:
        return
    counts = extract.tables["counts"]
    hospitals = _hospitals(out, units, "tNøglepersoner", counts["hospital"].tolist())
    d = extract.extraction_date
    month = date_to_serial(dt.date(d.year, d.month, 1), table.date1904)
    per_hospital: dict[str, float] = {}
    for h, n in zip(counts["hospital"].tolist(), counts["key_persons"].tolist()):
        if str(h) in hospitals:
            canonical = hospitals[str(h)]
            per_hospital[canonical] = per_hospital.get(canonical, 0.0) + float(n)
    if per_hospital:        # a hospital the list does not name has no key persons (the list is complete)
        per_hospital.update({h: 0.0 for h in units.hospitals() if h not in per_hospital and not units.not_shown(h)})
    rows = [Row({MONTH: month, HOSPITAL: h}, {table.headers[-1]: n}) for h, n in per_hospital.items()]
    if rows:
        out.placements.append(Placement("tNøglepersoner", table.sheet, f"{d.year:04d}-{d.month:02d}",
                                        Message(*month_label(d.year, d.month)), rows))


def _departments(out: Plan, slots: dict[str, TableSlots], extract: Extract) -> None:
    table = slots.get("tAfdelinger")
    if table is None or table.last_col - table.first_col < 2:
        out.unplaced.append(Message("Arbejdsbogen har ingen tabel tAfdelinger; afdelingerne er ikke importeret.",
                                    "The workbook has no table tAfdelinger; the departments were not imported."))
        return
    depts = extract.tables["departments"]          # ranked: highest usage rate first
    kept = depts.sort_values("label", key=lambda s: s.map(str), kind="stable")
    n_rows = max(len(kept), table.last_row - table.first_row + 1)
    cells: dict[str, object] = {}
    note = f"Udtræk ({extract.source_file})"
    for i in range(n_rows):
        r, c = table.first_row + i, table.first_col
        if i < len(kept):
            rec = kept.iloc[i]
            values = [str(rec["label"]), float(rec["from_order_set"]), float(rec["usage_rate"]), note]
        else:
            values = [None, None, None, None]
        for j, v in enumerate(values[: table.last_col - c + 1]):
            cells[table.ref(r, c + j)] = v
    out.placements.append(Placement("tAfdelinger", table.sheet, WHOLE_TABLE, Message("hele tabellen", "the whole table"),
                                    cells=cells, snapshot_rows=len(kept)))
