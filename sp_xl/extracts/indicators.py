"""SP reporting module extracts: monthly indicators per hospital (Tabel 1, 2, 4, 6).

Two layouts are read:
- long: Hospital; Indikator; Måned; Værdi (or Tæller and Nævner, giving the share);
- wide, as the report prints it: Hospital; [Indikator;] januar 2018; februar 2018; ...
  Without an Indikator column the indicator is taken from a title line above the table.

Indicators are recognised by their name (Danish or English):
- ``orderset_inpatient`` (Tabel 1): "Best./Ord.-set", "ordresæt", "order set"; a share.
- ``smartset_outpatient`` (Tabel 2): "SmartSet"; a share.
- ``minsp_users`` (Tabel 4): "brugere oprettet", "oprettede brugere", "registered users"; a count.
- ``minsp_active_patients`` (Tabel 6): "aktive patienter", "active patients"; a count.
Other indicators are kept under their own name with a warning.

Shares are fractions (0.11 = 11 %): a value written with a % sign, or in a column whose
heading says %, pct. or procent, is divided by 100; a share above 100 % is refused.
A month heading or value without a year ("januar") takes the year of the extraction date.

Tables: ``values`` (indicator_key, indicator, hospital, month, value, numerator,
denominator) and one wide table per indicator (``tabel_1``, ``tabel_2``, ``tabel_4``,
``tabel_6``, or ``indicator_<n>`` for others): hospital rows in file order, one column per
month (Timestamp, first day). Count tables get an "I alt" row (kept and checked if the file
has one).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sp_xl.extracts import parsing
from sp_xl.extracts.fields import Columns, gather
from sp_xl.extracts.problems import Message


@dataclass(frozen=True)
class Indicator:
    key: str
    table: str
    label_da: str
    label_en: str
    is_share: bool
    pattern: re.Pattern[str]


KNOWN = (
    Indicator("orderset_inpatient", "tabel_1", "Best./Ord.-set anvendt ved bestilling/ordination for indlagte",
              "Order sets used for inpatient orders", True,
              re.compile(r"best\.?\s*/\s*ord|ordresæt|ordinationssæt|order ?set", re.IGNORECASE)),
    Indicator("smartset_outpatient", "tabel_2", "SmartSet indtastet af ordinerende kliniker (ambulante)",
              "SmartSets entered by the ordering clinician (outpatients)", True,
              re.compile(r"smart ?set", re.IGNORECASE)),
    Indicator("minsp_users", "tabel_4", "Brugere oprettet på Min Sundhedsplatform",
              "Users registered on Min Sundhedsplatform", False,
              re.compile(r"brugere oprettet|oprettede brugere|registered users|users registered", re.IGNORECASE)),
    Indicator("minsp_active_patients", "tabel_6", "Patienter aktive på Min Sundhedsplatform",
              "Patients active on Min Sundhedsplatform", False,
              re.compile(r"aktive patienter|patienter aktive|active patients|patients active", re.IGNORECASE)),
)
_TOTAL_NAMES = {"i alt", "total", "region hovedstaden i alt", "samlet", "all"}
_PERCENT_HEADING = re.compile(r"%|\bpct\b|procent|percent", re.IGNORECASE)


def recognise(name: str) -> Indicator | None:
    return next((k for k in KNOWN if k.pattern.search(name)), None)


def parse(cols: Columns, extraction_date: dt.date) -> dict[str, pd.DataFrame]:
    long = _wide_to_long(cols, extraction_date) if cols.detection.month_columns else _long(cols, extraction_date)
    return _tables(cols, long)


def _indicator_names(cols: Columns) -> tuple[np.ndarray, np.ndarray] | str:
    if cols.has("indicator"):
        codes, names = cols.text("indicator")
        cols.require(cols.heading("indicator"), codes, "indikatoren", "the indicator")
        return codes, names
    for line in cols.table.preamble:
        if recognise(line):
            return re.sub(r"^tabel\s*\d+\s*[:.]\s*", "", line.strip(" ;,\t"), flags=re.IGNORECASE)
    raise cols.table.error("Indikator", cols.table.header_row,
                           "Tabellen har ingen kolonne 'Indikator', og titlen over den nævner ingen kendt "
                           "indikator; tilføj kolonnen eller en titellinje.",
                           "The table has no 'Indikator' column and the title above it names no known "
                           "indicator; add the column or a title line.")


def _indicators_and_hospitals(cols: Columns) -> tuple[np.ndarray | str, np.ndarray]:
    """Per row: the indicator (one name for the whole table when its title gives it) and the hospital."""
    h_codes, hospitals = cols.text("hospital")
    cols.require(cols.heading("hospital"), h_codes, "hospitalet", "the hospital")
    names = _indicator_names(cols)
    return (names[1][names[0]] if isinstance(names, tuple) else names), hospitals[h_codes]


def _long(cols: Columns, extraction_date: dt.date) -> pd.DataFrame:
    table = cols.table
    indicators, hospitals = _indicators_and_hospitals(cols)
    m_codes, months = cols.months("month", extraction_date)
    cols.require(cols.heading("month"), m_codes, "måneden", "the month")
    numerator = denominator = None
    if cols.has("value"):
        v_codes, v = cols.numbers("value")
        cols.require(cols.heading("value"), v_codes, "værdien", "the value")
        value = gather(v_codes, _scaled(cols.heading("value"), v), np.nan)
    if cols.has("numerator"):
        if not cols.has("denominator"):
            raise table.error("Nævner", table.header_row, "Der er en kolonne 'Tæller', men ingen 'Nævner'.",
                              "There is a 'Tæller' (numerator) column but no 'Nævner' (denominator).")
        n_codes, n = cols.numbers("numerator")
        d_codes, d = cols.numbers("denominator")
        numerator, denominator = gather(n_codes, n.values, np.nan), gather(d_codes, d.values, np.nan)
        zero = np.flatnonzero(denominator == 0)
        if zero.size:
            raise table.error(cols.heading("denominator"), table.row_of(int(zero[0])),
                              "Nævneren er 0, så andelen kan ikke beregnes.",
                              "The denominator is 0, so the share cannot be computed.")
        if not cols.has("value"):
            value = numerator / denominator
    frame = pd.DataFrame({
        "indicator": indicators,
        "hospital": hospitals,
        "month": gather(m_codes, months, np.datetime64("NaT")),
        "value": value,
        "numerator": numerator if numerator is not None else np.nan,
        "denominator": denominator if denominator is not None else np.nan,
        "_row": np.arange(table.n_rows),
    })
    return frame


def _scaled(heading: str, numbers: parsing.NumberColumn) -> np.ndarray:
    values = numbers.values.copy()
    if _PERCENT_HEADING.search(heading):
        values[~numbers.percent] /= 100.0
    return values


def _wide_to_long(cols: Columns, extraction_date: dt.date) -> pd.DataFrame:
    table = cols.table
    indicators, hospitals = _indicators_and_hospitals(cols)
    month_values, warnings = parsing.parse_months(list(cols.detection.month_columns), extraction_date)
    cols.warnings.extend(warnings)
    parts = []
    for heading, month in zip(cols.detection.month_columns, month_values):
        v_codes, v = cols.numbers("value", heading)
        parts.append(pd.DataFrame({
            "indicator": indicators,
            "hospital": hospitals,
            "month": month,
            "value": gather(v_codes, _scaled(heading, v), np.nan),
            "numerator": np.nan, "denominator": np.nan,
            "_row": np.arange(table.n_rows), "_column": heading,
        }))
    long = pd.concat(parts, ignore_index=True)
    return long[~long.value.isna()].reset_index(drop=True)  # an empty cell is a month not reported


def _tables(cols: Columns, long: pd.DataFrame) -> dict[str, pd.DataFrame]:
    table = cols.table
    known = {name: recognise(name) for name in long.indicator.unique()}
    long["indicator_key"] = long.indicator.map(lambda n: known[n].key if known[n] else None)
    unknown = [n for n, k in known.items() if k is None]
    if unknown:
        cols.warnings.append(Message(
            "Ukendte indikatorer (gemt under deres eget navn): " + ", ".join(f"'{u}'" for u in unknown),
            "Unknown indicators (kept under their own name): " + ", ".join(f"'{u}'" for u in unknown)))
    # shares must be fractions
    for name, ind in known.items():
        if ind is None or not ind.is_share:
            continue
        bad = long[(long.indicator == name) & ((long.value > 1) | (long.value < 0))]
        if len(bad):
            r = bad.iloc[0]
            raise table.error(r.get("_column", cols.heading("value")), table.row_of(int(r["_row"])),
                              f"Andelen {r['value']:g} ligger ikke mellem 0 og 100 %; skriv procenter med %-tegn "
                              "eller i en kolonne med 'pct.' i navnet.",
                              f"The share {r['value']:g} is not between 0 and 100 %; write percentages with a % "
                              "sign or in a column with 'pct.' in its name.")
    dup = long.duplicated(["indicator", "hospital", "month"], keep="first")
    if dup.any():
        r = long[dup].iloc[0]
        raise table.error(r.get("_column", cols.heading("hospital")), table.row_of(int(r["_row"])),
                          f"'{r['hospital']}' har to værdier for samme indikator og måned.",
                          f"'{r['hospital']}' has two values for the same indicator and month.")
    out: dict[str, pd.DataFrame] = {}
    values = long[["indicator_key", "indicator", "hospital", "month", "value", "numerator", "denominator"]]
    out["values"] = values.reset_index(drop=True)
    for n, (name, ind) in enumerate(known.items(), start=1):
        part = long[long.indicator == name]
        wide = part.pivot(index="hospital", columns="month", values="value")
        wide = wide.loc[list(dict.fromkeys(part.hospital))]  # file order
        wide.columns = pd.DatetimeIndex(wide.columns)
        wide = wide[sorted(wide.columns)]
        if ind is not None and not ind.is_share:
            wide = _with_total(cols, wide, name)
        wide.index.name = "hospital"
        wide.columns.name = None
        out[ind.table if ind else f"indicator_{n}"] = wide.reset_index()
    return out


def _with_total(cols: Columns, wide: pd.DataFrame, name: str) -> pd.DataFrame:
    is_total = np.array([h.strip().casefold() in _TOTAL_NAMES for h in wide.index])
    parts = wide[~is_total]
    total = parts.sum(axis=0, min_count=1)
    if is_total.any():
        given = wide[is_total].iloc[0]
        off = [(m, given[m], total[m]) for m in wide.columns if not np.isclose(given[m], total[m])]
        if off:
            m, g, t = off[0]
            cols.warnings.append(Message(
                f"'{name}': rækken '{wide.index[is_total][0]}' for {m:%m-%Y} er {g:g}, men hospitalerne "
                f"summer til {t:g}.",
                f"'{name}': the row '{wide.index[is_total][0]}' for {m:%Y-%m} is {g:g}, but the hospitals "
                f"add up to {t:g}."))
        return wide
    return pd.concat([parts, pd.DataFrame([total.to_numpy()], index=["I alt"], columns=wide.columns)])
