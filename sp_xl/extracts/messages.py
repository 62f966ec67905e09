"""Message-level Min SP extract: share answered within n Danish working days (Tabel 5).

One row per message: sent, answered (empty while unanswered), hospital. A message counts
in the month it was sent. It is *within* if answered no later than the n-th working day
after the day it was sent: answered_date <= WORKDAY(sent_date; n) with Danish public holidays,
the calendar of SP_WITHIN_WORKDAYS (``sp_xl.calc.workdays``). An unanswered message whose deadline has passed by
the extraction date counts as not within; one whose deadline has not yet passed is
*pending* and left out of the share (its count is shown).

Tables:
- ``by_month``: hospital, month, messages (counted in the share), answered_within,
  pending, share.
- ``tabel_5``: hospital rows (file order), one column per month, the share.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sp_xl.calc.workdays import nth_workday_after
from sp_xl.extracts.fields import Columns


def parse(cols: Columns, extraction_date: dt.date, within_days: int = 3) -> dict[str, pd.DataFrame]:
    h_codes, hospitals = cols.text("hospital")
    cols.require(cols.heading("hospital"), h_codes, "hospitalet", "the hospital")
    sent, answered = cols.span("sent", "answered", "afsendelsestidspunktet", "the time sent")
    cols.refuse_before("answered", answered, sent,
                       "Beskeden er besvaret før den blev sendt.", "The message was answered before it was sent.")

    due = deadline(sent, within_days)
    answered_day = answered.astype("datetime64[D]")
    within = ~np.isnat(answered_day) & (answered_day <= due)
    pending = np.isnat(answered) & (due >= np.datetime64(extraction_date, "D"))
    month = sent.astype("datetime64[M]").astype("datetime64[s]")
    frame = pd.DataFrame({"hospital_code": h_codes, "month": month, "within": within,
                          "pending": pending, "counted": ~pending})
    g = frame.groupby(["hospital_code", "month"], sort=True)
    by_month = pd.DataFrame({
        "messages": g.counted.sum(), "answered_within": g.within.sum(), "pending": g.pending.sum(),
    }).reset_index()
    by_month["share"] = np.where(by_month.messages > 0,
                                 by_month.answered_within / by_month.messages.where(by_month.messages > 0, 1),
                                 np.nan)
    order = {code: i for i, code in enumerate(dict.fromkeys(h_codes.tolist()))}  # file order
    by_month["_order"] = by_month.hospital_code.map(order)
    by_month = by_month.sort_values(["_order", "month"])
    by_month.insert(0, "hospital", hospitals[by_month.hospital_code.to_numpy()])
    by_month = by_month.drop(columns=["hospital_code", "_order"]).reset_index(drop=True)
    for c in ("messages", "answered_within", "pending"):
        by_month[c] = by_month[c].astype(np.int64)
    wide = by_month.pivot(index="hospital", columns="month", values="share")
    wide = wide.loc[list(dict.fromkeys(by_month.hospital))]
    wide.columns = pd.DatetimeIndex(wide.columns)
    wide.columns.name = None
    return {"by_month": by_month, "tabel_5": wide.reset_index()}


def deadline(sent: np.ndarray, n: int) -> np.ndarray:
    """The n-th working day after each sent day (the shared calendar of SP_WITHIN_WORKDAYS)."""
    days = sent.astype("datetime64[D]")
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    known = ~np.isnat(days)
    if known.any():
        out[known] = nth_workday_after(days[known], n)
    return out
