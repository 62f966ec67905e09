"""Case system export (ServiceNow): weekly created, closed and open cases per support level.

One row per case: number, opened, closed (empty while open), and the support level or the
assignment group. A group's level is read from its name ("SP Niveau 2 Herlev", "L3 - Epic",
"Level 1"); groups that do not name a level can be mapped with ``group_levels`` and are
otherwise counted under level 0 ("ukendt") with a warning.

Tables:
- ``cases``: number, opened, closed, level (one row per case, duplicates removed).
- ``weekly``: level, week_start (Monday), iso_year, iso_week, created, closed, open_at_end.
- ``weekly_levels_1_2`` (Figur 3) and ``weekly_level_3`` (Figur 4): the same without level.
Open at the end of a week = cases opened before the following Monday and not closed by then.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from sp_xl.extracts.fields import Columns
from sp_xl.extracts.problems import Message

_LEVEL_IN_TEXT = re.compile(
    r"(?:niveau|level|tier|\bl|\bn)\s*[-.:]?\s*([123])(?!\d)|(?<!\d)([123])\.?\s*niveau", re.IGNORECASE)
_LEVEL_ONLY = re.compile(r"^\s*([123])(?:\.0*)?\s*$")


def level_of(text: str) -> int | None:
    m = _LEVEL_ONLY.match(text) or _LEVEL_IN_TEXT.search(text)
    if not m:
        return None
    return int(next(g for g in m.groups() if g))


def parse(cols: Columns, extraction_date: dt.date, group_levels: Mapping[str, int] | None = None) -> dict[str, pd.DataFrame]:
    n_codes, numbers = cols.text("number")
    cols.require(cols.heading("number"), n_codes, "sagsnummeret", "the case number")
    opened, closed = cols.span("opened", "closed", "oprettelsesdatoen", "the opening date")
    levels = _levels(cols, group_levels)

    cols.refuse_before("closed", closed, opened,
                       "Sagen er lukket før den blev oprettet.", "The case was closed before it was opened.")
    if (closed > np.datetime64(extraction_date + dt.timedelta(days=1))).any():  # NaT compares False
        cols.warnings.append(Message("Nogle sager er lukket efter udtræksdatoen.",
                                     "Some cases are closed after the extraction date."))

    cases = pd.DataFrame({"number": numbers[n_codes], "opened": opened, "closed": closed, "level": levels})
    cases = _drop_duplicates(cols, cases)
    weekly = _weekly(cases)
    return {
        "cases": cases,
        "weekly": weekly,
        "weekly_levels_1_2": _combine(weekly[weekly.level.isin([1, 2])]),
        "weekly_level_3": _combine(weekly[weekly.level == 3]),
    }


def _levels(cols: Columns, group_levels: Mapping[str, int] | None) -> np.ndarray:
    table = cols.table
    if cols.has("level"):
        heading = cols.heading("level")
        codes, texts = cols.text("level")
        cols.require(heading, codes, "supportniveauet", "the support level")
        parsed = np.zeros(len(texts), dtype=np.int8)
        for k, t in enumerate(texts):
            lv = level_of(t)
            if lv is None:
                raise table.error(heading, table.row_of(int(np.flatnonzero(codes == k)[0])),
                                  f"'{t}' er ikke et supportniveau (1, 2 eller 3).",
                                  f"'{t}' is not a support level (1, 2 or 3).")
            parsed[k] = lv
        return parsed[codes]
    heading = cols.heading("group")
    codes, texts = cols.text("group")
    mapping = {str(k).strip().casefold(): v for k, v in (group_levels or {}).items()}
    parsed = np.zeros(len(texts) + 1, dtype=np.int8)  # last slot: empty group
    unknown: list[str] = []
    for k, t in enumerate(texts):
        lv = mapping.get(t.casefold()) or level_of(t)
        if lv is None:
            unknown.append(t)
            lv = 0
        parsed[k] = lv
    if unknown or (codes < 0).any():
        shown = ", ".join(f"'{u}'" for u in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        cols.warnings.append(Message(
            f"{len(unknown)} tildelingsgrupper angiver intet niveau ({shown or 'tom'}); deres sager tælles "
            "som niveau 0 (ukendt).",
            f"{len(unknown)} assignment groups name no level ({shown or 'empty'}); their cases count as "
            "level 0 (unknown)."))
    return parsed[codes]


def _drop_duplicates(cols: Columns, cases: pd.DataFrame) -> pd.DataFrame:
    """Identical rows for one case are counted once; differing rows for one case are refused."""
    same_number = cases.duplicated("number", keep=False).to_numpy()
    if not same_number.any():
        return cases
    conflict = same_number & ~cases.duplicated(keep=False).to_numpy()
    if conflict.any():
        number = cases["number"].to_numpy()[conflict][0]
        i = int(np.flatnonzero(cases["number"].to_numpy() == number)[1])
        raise cols.table.error(cols.heading("number"), cols.table.row_of(i),
                               f"Sagen '{number}' står flere gange med forskellige oplysninger.",
                               f"The case '{number}' appears more than once with different details.")
    extra = cases.duplicated(keep="first").to_numpy()
    cols.warnings.append(Message(f"{int(extra.sum())} dublerede rækker (samme sag) er talt én gang.",
                                 f"{int(extra.sum())} duplicate rows (same case) were counted once."))
    return cases[~extra].reset_index(drop=True)


def _monday(values: np.ndarray) -> np.ndarray:
    days = values.astype("datetime64[D]")
    # 1970-01-01 was a Thursday: shift so weeks start on Monday.
    return ((days - np.datetime64("1969-12-29")) // 7 * 7 + np.datetime64("1969-12-29")).astype("datetime64[D]")


def _weekly(cases: pd.DataFrame) -> pd.DataFrame:
    cols = ["level", "week_start", "iso_year", "iso_week", "created", "closed", "open_at_end"]
    if cases.empty:
        return pd.DataFrame(columns=cols)
    opened_w = _monday(cases.opened.to_numpy())
    closed_v = cases.closed.to_numpy()
    has_closed = ~np.isnat(closed_v)
    closed_w = _monday(closed_v[has_closed])
    first = opened_w.min()
    last = max(opened_w.max(), closed_w.max() if closed_w.size else opened_w.max())
    weeks = np.arange(first, last + np.timedelta64(7, "D"), np.timedelta64(7, "D"))
    iso = pd.DatetimeIndex(weeks).isocalendar()
    parts = []
    levels = cases.level.to_numpy()
    for lv in sorted(set(levels.tolist())):
        sel = levels == lv
        created = np.bincount(((opened_w[sel] - first) // 7).astype(np.int64), minlength=len(weeks))
        closed = np.bincount(((closed_w[sel[has_closed]] - first) // 7).astype(np.int64), minlength=len(weeks))
        parts.append(pd.DataFrame({
            "level": lv, "week_start": weeks.astype("datetime64[s]"),
            "iso_year": iso.year.to_numpy(), "iso_week": iso.week.to_numpy(),
            "created": created, "closed": closed, "open_at_end": np.cumsum(created) - np.cumsum(closed)}))
    return pd.concat(parts, ignore_index=True)[cols]


def _combine(weekly: pd.DataFrame) -> pd.DataFrame:
    out = weekly.groupby(["week_start", "iso_year", "iso_week"], as_index=False)[
        ["created", "closed", "open_at_end"]].sum()
    return out.sort_values("week_start").reset_index(drop=True)
