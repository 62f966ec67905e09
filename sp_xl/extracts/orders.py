"""Order-level extract: order-set usage per hospital and month, and the top departments (Tabel 3).

One row per order: department, hospital, month (or the order date), from an order set
(ja/nej), initiating user, approving user. As the report's footnote says, only orders where
the same user initiated and approved count (user ids compared exactly, after trimming
spaces); the others are left out and their number is given in a warning.

Tables:
- ``usage``: hospital, month, orders, from_order_set, usage_rate.
- ``usage_rates``: hospital rows (file order), one column per month, the usage rate.
- ``departments``: hospital, department, label ("department, hospital"), orders,
  from_order_set, usage_rate, for every department over the whole extract.
- ``top_departments``: the ``top_n`` departments with at least ``min_orders`` orders,
  highest usage rate first (ties: more orders first).

Built for size: every column is integer codes into its distinct values, and the counts are
``numpy.bincount`` over combined codes (see benchmarks/bench_import.py).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sp_xl.extracts.fields import Columns
from sp_xl.extracts.problems import Message


def parse(cols: Columns, extraction_date: dt.date, top_n: int = 5, min_orders: int = 1) -> dict[str, pd.DataFrame]:
    h_codes, hospitals = cols.text("hospital")
    cols.require(cols.heading("hospital"), h_codes, "hospitalet", "the hospital")
    d_codes, departments = cols.text("department")
    cols.require(cols.heading("department"), d_codes, "afdelingen", "the department")
    m_codes, months = _months(cols, extraction_date)
    f_codes, flags = cols.flags("order_set")
    cols.require(cols.heading("order_set"), f_codes, "'fra ordinationssæt' (ja/nej)", "'from order set' (yes/no)")
    same = _same_user(cols)

    left_out = int((~same).sum())
    if left_out:
        cols.warnings.append(Message(
            f"{left_out} ordinationer er udeladt, fordi de er igangsat og godkendt af forskellige brugere.",
            f"{left_out} orders were left out because different users initiated and approved them."))
    from_set = flags[f_codes] & same
    # Months can repeat among distinct values (2018-01 and januar 2018): count by parsed month.
    month_index, month_values = pd.factorize(pd.Series(months), sort=True)
    m_rows = month_index[m_codes]
    n_h, n_m, n_d = len(hospitals), len(month_values), len(departments)

    key = h_codes.astype(np.int64) * n_m + m_rows
    orders = np.bincount(key, weights=same, minlength=n_h * n_m)
    used = np.bincount(key, weights=from_set, minlength=n_h * n_m)
    usage = pd.DataFrame({
        "hospital": np.repeat(hospitals, n_m), "month": np.tile(np.asarray(month_values, dtype="datetime64[s]"), n_h),
        "orders": orders.astype(np.int64), "from_order_set": used.astype(np.int64)})
    usage = _rate(usage[usage.orders > 0])
    h_order = list(hospitals[_file_order(h_codes)])
    usage["_o"] = usage.hospital.map({h: i for i, h in enumerate(h_order)})
    usage = usage.sort_values(["_o", "month"]).drop(columns="_o").reset_index(drop=True)

    dkey = h_codes.astype(np.int64) * n_d + d_codes
    d_orders = np.bincount(dkey, weights=same, minlength=n_h * n_d)
    d_used = np.bincount(dkey, weights=from_set, minlength=n_h * n_d)
    depts = pd.DataFrame({
        "hospital": np.repeat(hospitals, n_d), "department": np.tile(departments, n_h),
        "orders": d_orders.astype(np.int64), "from_order_set": d_used.astype(np.int64)})
    depts = _rate(depts[depts.orders > 0])
    depts.insert(2, "label", depts.department + ", " + depts.hospital)
    depts = depts.sort_values(["usage_rate", "orders"], ascending=[False, False]).reset_index(drop=True)

    wide = usage.pivot(index="hospital", columns="month", values="usage_rate").reindex(
        [h for h in h_order if h in set(usage.hospital)])
    wide.columns = pd.DatetimeIndex(wide.columns)
    wide.columns.name = None
    return {"usage": usage, "usage_rates": wide.reset_index(), "departments": depts,
            "top_departments": top_departments(depts, top_n, min_orders)}


def top_departments(departments: pd.DataFrame, n: int = 5, min_orders: int = 1) -> pd.DataFrame:
    """The ``n`` departments with the highest usage rate among those with ``min_orders`` orders."""
    ranked = departments[departments.orders >= min_orders]
    ranked = ranked.sort_values(["usage_rate", "orders"], ascending=[False, False], kind="stable")
    return ranked.head(n).reset_index(drop=True)


def _file_order(codes: np.ndarray) -> np.ndarray:
    """Distinct codes in order of first appearance (hash-based, one pass)."""
    order = pd.unique(codes)
    return order[order >= 0]


def _rate(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["usage_rate"] = frame.from_order_set / frame.orders
    return frame


def _months(cols: Columns, extraction_date: dt.date) -> tuple[np.ndarray, np.ndarray]:
    if cols.has("month"):
        codes, months = cols.months("month", extraction_date)
        cols.require(cols.heading("month"), codes, "måneden", "the month")
        return codes, months
    field = "order_date" if cols.has("order_date") else "date"
    codes, dates = cols.dates(field)
    cols.require(cols.heading(field), codes, "ordinationsdatoen", "the order date")
    return codes, dates.astype("datetime64[M]").astype("datetime64[s]")


def _same_user(cols: Columns) -> np.ndarray:
    i_codes, initiators = cols.text("initiated_by")
    a_codes, approvers = cols.text("approved_by")
    # Both columns are coded separately; map approver codes onto initiator codes to compare ints.
    onto = pd.Index(initiators).get_indexer(approvers) if len(approvers) else np.array([], dtype=np.int64)
    onto = np.append(onto, -1)  # empty approver (code -1) matches nobody
    a_as_i = onto[a_codes]
    return (i_codes >= 0) & (a_as_i == i_codes)
