"""Course portal list of key persons ("SP-nøglepersoner"): count per hospital.

A person is identified by the user id / e-mail column if there is one and it is filled,
otherwise by the name (case and spacing ignored). A person listed more than once counts
once, at the hospital of the first row listing them; a person listed under two hospitals
is named in a warning. So the hospitals add up to the total.

Tables:
- ``counts``: hospital (file order), key_persons, plus an "I alt" row.
- ``persons``: person, hospital, rows (one row per distinct person).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sp_xl.extracts.fields import Columns
from sp_xl.extracts.problems import Message


def parse(cols: Columns, extraction_date: dt.date) -> dict[str, pd.DataFrame]:
    table = cols.table
    h_codes, hospitals = cols.text("hospital")
    cols.require(cols.heading("hospital"), h_codes, "hospitalet", "the hospital")
    keys = np.full(table.n_rows, None, dtype=object)
    shown = np.full(table.n_rows, None, dtype=object)
    for field in ("person_name", "person_id"):  # the id, when filled, wins as the key
        if cols.has(field):
            codes, texts = cols.text(field)
            norm = np.array([" ".join(t.split()).casefold() for t in texts] + [None], dtype=object)
            filled = codes >= 0
            keys[filled] = [f"{field}:{k}" for k in norm[codes[filled]]]
            show = filled & (shown == None)
            shown[show] = np.append(texts, None)[codes[show]]
    missing = np.flatnonzero(keys == None)
    if missing.size:
        heading = cols.heading("person_id" if cols.has("person_id") else "person_name")
        raise table.error(heading, table.row_of(int(missing[0])),
                          "Rækken har hverken navn eller bruger-id.", "The row has neither a name nor a user id.")
    frame = pd.DataFrame({"key": keys, "person": shown, "hospital": hospitals[h_codes]})
    first = frame.drop_duplicates("key", keep="first")
    rows = frame.groupby("key", sort=False).size()
    multi = frame.groupby("key", sort=False).hospital.nunique()
    repeated = int((rows > 1).sum())
    if repeated:
        cols.warnings.append(Message(f"{repeated} person(er) står mere end én gang og er talt én gang.",
                                     f"{repeated} person(s) are listed more than once and were counted once."))
    if (multi > 1).any():
        names = first.set_index("key").loc[multi[multi > 1].index, "person"].tolist()
        listed = ", ".join(f"'{n}'" for n in names[:5]) + (" …" if len(names) > 5 else "")
        cols.warnings.append(Message(
            f"{len(names)} person(er) står under flere hospitaler ({listed}); de tælles ved det første.",
            f"{len(names)} person(s) are listed under several hospitals ({listed}); they count at the first."))
    counts = first.groupby("hospital", sort=False).size()
    order = list(dict.fromkeys(frame.hospital))
    counts = counts.reindex(order, fill_value=0)
    out = pd.DataFrame({"hospital": counts.index, "key_persons": counts.to_numpy().astype(np.int64)})
    out = pd.concat([out, pd.DataFrame({"hospital": ["I alt"], "key_persons": [int(counts.sum())]})],
                    ignore_index=True)
    persons = first[["person", "hospital"]].copy()
    persons["rows"] = rows.loc[first.key].to_numpy()
    return {"counts": out, "persons": persons.reset_index(drop=True)}
