"""Danish and English labels for the columns of the tables an ``Extract`` carries.

A writer puts ``heading(column)`` above each column on a data sheet; month columns
(Timestamps) get their Danish month name ("januar 2018").
"""

from __future__ import annotations

import pandas as pd

from sp_xl.extracts.fields import month_label
from sp_xl.extracts.problems import Message

LABELS: dict[str, Message] = {k: Message(*v) for k, v in {
    "number": ("Sagsnummer", "Case number"),
    "opened": ("Oprettet", "Opened"),
    "closed": ("Lukket", "Closed"),
    "level": ("Niveau", "Level"),
    "week_start": ("Uge (mandag)", "Week (Monday)"),
    "iso_year": ("År", "Year"),
    "iso_week": ("Uge", "Week"),
    "created": ("Oprettede sager", "Cases created"),
    "open_at_end": ("Aktive sager ved ugens udgang", "Open cases at the end of the week"),
    "indicator_key": ("Indikator (nøgle)", "Indicator (key)"),
    "indicator": ("Indikator", "Indicator"),
    "hospital": ("Hospital", "Hospital"),
    "month": ("Måned", "Month"),
    "value": ("Værdi", "Value"),
    "numerator": ("Tæller", "Numerator"),
    "denominator": ("Nævner", "Denominator"),
    "messages": ("Henvendelser", "Messages"),
    "answered_within": ("Besvaret inden for fristen", "Answered in time"),
    "pending": ("Frist ikke udløbet", "Deadline not yet passed"),
    "share": ("Andel", "Share"),
    "date": ("Dato", "Date"),
    "errors": ("Fejlregistreringer", "Error registrations"),
    "peak_date": ("Højeste punkt, dato", "Peak date"),
    "peak_value": ("Højeste punkt", "Peak"),
    "last_date": ("Seneste dato", "Last date"),
    "last_value": ("Seneste værdi", "Last value"),
    "falls_after_peak": ("Falder efter toppen", "Falls after the peak"),
    "key_persons": ("Nøglepersoner", "Key persons"),
    "person": ("Person", "Person"),
    "rows": ("Antal rækker", "Rows"),
    "department": ("Afdeling", "Department"),
    "label": ("Afdeling og hospital", "Department and hospital"),
    "orders": ("Ordinationer (samme bruger)", "Orders (same user)"),
    "from_order_set": ("Antal best./ord. fra ordinationssæt", "Orders from an order set"),
    "usage_rate": ("Anvendelsesgrad", "Usage rate"),
}.items()}
# "closed" is both a date (cases) and a weekly count; the weekly tables use this label.
WEEKLY_CLOSED = Message("Lukkede sager", "Cases closed")


def heading(column: object, table: str = "") -> str:
    """The label for a table column in the current language."""
    if isinstance(column, pd.Timestamp):
        return month_label(column)
    if column == "closed" and table.startswith("weekly"):
        return str(WEEKLY_CLOSED)
    label = LABELS.get(str(column))
    return str(label) if label else str(column)
