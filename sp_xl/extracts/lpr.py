"""LPR error register extract: the data behind Figur 1 (errors accumulated over the year).

Either one row per date and hospital with an error count ("Antal fejl"; a negative count is
a net correction), or one row per error (a "Fejlkode"/"Fejltype" column and no count). A row
repeated exactly is counted once, with a warning (an extract pasted twice must not double); with
counts, the same day and hospital twice with different counts is not added up either: the last
row is used, with a warning that says how many.

Tables:
- ``daily``: date, hospital, errors (summed per day and hospital).
- ``cumulative``: one row per calendar day from the first to the last date, one column per
  hospital (file order): the running total since 1 January of that day's year.
- ``peaks``: hospital, peak_date, peak_value (highest running total), last_date,
  last_value, falls_after_peak (the curve "breaks": the last value is below the peak).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sp_xl.extracts.fields import Columns, gather
from sp_xl.extracts.problems import Message


def parse(cols: Columns, extraction_date: dt.date) -> dict[str, pd.DataFrame]:
    table = cols.table
    h_codes, hospitals = cols.text("hospital")
    cols.require(cols.heading("hospital"), h_codes, "hospitalet", "the hospital")
    d_codes, d_parsed = cols.dates("date")
    cols.require(cols.heading("date"), d_codes, "datoen", "the date")
    days = gather(d_codes, d_parsed, np.datetime64("NaT")).astype("datetime64[D]")
    if cols.has("errors"):
        e_codes, e = cols.numbers("errors")
        cols.require(cols.heading("errors"), e_codes, "antallet af fejl", "the error count")
        errors = gather(e_codes, e.values, np.nan)
        frac = np.flatnonzero(errors != np.round(errors))
        if frac.size:
            raise table.error(cols.heading("errors"), table.row_of(int(frac[0])),
                              "Antallet af fejl skal være et helt tal.", "The error count must be a whole number.")
        key = {"errors": errors}
    else:
        errors = np.ones(len(days))
        key = {"code": cols.text("error_code")[0]} if cols.has("error_code") else {}
    frame = pd.DataFrame({"date": days.astype("datetime64[s]"), "h": h_codes, "errors": errors.astype(np.int64)})
    # A row repeated exactly (a file exported twice into one, pasted twice) is counted once.
    repeated = pd.DataFrame({"date": days, "h": h_codes, **key}).duplicated(keep="first").to_numpy()
    if repeated.any():
        cols.warnings.append(Message(
            f"{int(repeated.sum())} række(r) står mere end én gang (samme dato, hospital og antal) og er talt én gang.",
            f"{int(repeated.sum())} row(s) appear more than once (same date, hospital and count) and were counted once."))
        frame = frame[~repeated]
    if cols.has("errors"):
        frame = _one_count_per_key(cols, frame, hospitals)
    daily = frame.groupby(["date", "h"], as_index=False, sort=True).errors.sum()
    order = list(dict.fromkeys(h_codes.tolist()))
    daily.insert(1, "hospital", hospitals[daily.h.to_numpy()])
    wide = daily.pivot(index="date", columns="h", values="errors").reindex(columns=order)
    all_days = pd.date_range(days.min(), days.max(), freq="D")
    wide = wide.reindex(all_days).fillna(0).astype(np.int64)
    cumulative = wide.groupby(wide.index.year).cumsum()
    cumulative.columns = list(hospitals[order])
    cumulative.index.name = "date"
    peaks = []
    for name in cumulative.columns:
        series = cumulative[name]
        peak_at = series.idxmax()
        peaks.append({"hospital": name, "peak_date": peak_at, "peak_value": int(series.max()),
                      "last_date": series.index[-1], "last_value": int(series.iloc[-1]),
                      "falls_after_peak": bool(series.iloc[-1] < series.max())})
    return {"daily": daily.drop(columns="h").reset_index(drop=True),
            "cumulative": cumulative.reset_index(),
            "peaks": pd.DataFrame(peaks)}


def _one_count_per_key(cols: Columns, frame: pd.DataFrame, hospitals: np.ndarray) -> pd.DataFrame:
    """The same day and hospital twice with different counts: not added up (an export pasted
    twice, or corrected, would double) - the last row in the file is used, with a warning."""
    again = frame.duplicated(["date", "h"], keep="last").to_numpy()
    if not again.any():
        return frame
    first = frame[frame.duplicated(["date", "h"], keep=False)].iloc[0]
    day = pd.Timestamp(first["date"]).date()
    counts = frame[(frame.date == first["date"]) & (frame.h == first["h"])].errors.tolist()
    keys = int(frame[again].drop_duplicates(["date", "h"]).shape[0])
    shown = " og ".join(str(c) for c in counts)
    cols.warnings.append(Message(
        f"{keys} gang(e) står samme dato og hospital flere gange med forskelligt antal fejl "
        f"(fx {day:%d-%m-%Y}, {hospitals[first['h']]}: {shown}); {int(again.sum())} række(r) er ikke talt med – "
        "den sidste række for dagen og hospitalet er brugt, intet er lagt sammen. Kontrollér udtrækket.",
        f"{keys} time(s) the same date and hospital appear more than once with different error counts "
        f"(e.g. {day.isoformat()}, {hospitals[first['h']]}: {' and '.join(str(c) for c in counts)}); "
        f"{int(again.sum())} row(s) were not counted – the last row for the day and hospital is used, nothing is "
        "added up. Check the extract."))
    return frame[~again]
