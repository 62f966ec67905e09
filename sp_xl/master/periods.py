"""Report views keyed by period: the formulas that let a report sheet follow its data.

A report sheet never points at a data row. It lays out the periods it shows - the months of
the year so far, the days of the LPR year, a window of weeks - as *slots* whose key is
computed from the latest period in the data (``latest``: a cell on the Mål sheet), and looks
each value up by key in a long data table through structured references. A slot after the
latest period (or before the first) shows "", and ``sp-xl refresh`` hides its column or row
(``sp_Vis_*`` names, see ``sp_xl.ooxml.names``), so tables, charts (which plot visible cells)
and print show exactly the periods there are. When an import adds a month, the next slot
fills; in January a year-to-date view starts again by itself.
"""

from __future__ import annotations

from sp_xl.i18n import MONTH_NAMES_DA as MONTHS_DA

MONTHS_SHORT_DA = ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.")
WEEKS_SHOWN = 52       # the support charts: the latest 52 weeks, across New Year
MONTHS_SHOWN = 12      # the key person charts: the latest 12 months


def quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def month_name(date_ref: str, short: bool = False) -> str:
    """A formula expression for the Danish name of a date's month (no locale needed)."""
    names = MONTHS_SHORT_DA if short else MONTHS_DA
    return f"CHOOSE(MONTH({date_ref}),{','.join(quoted(n) for n in names)})"


def long_date(date_ref: str) -> str:
    """A formula expression for "10. april 2018", the Danish long date of a date cell or name."""
    return f'DAY({date_ref})&". "&{month_name(date_ref)}&" "&YEAR({date_ref})'


def month_key(k: int, latest: str) -> str:
    """The first day of month ``k`` of the latest period's year."""
    return f"DATE(YEAR({latest}),{k},1)"


def month_header(k: int, latest: str) -> str:
    """Slot ``k`` of a year-to-date view: the month's name, or "" after the latest month."""
    return f'=IF(MONTH({latest})<{k},"",{quoted(MONTHS_DA[k - 1])})'


def monthly_value(table: str, column: str, k: int, latest: str, hospital: str, head: str) -> str:
    """The figure of a hospital in month ``k``; "" when the slot is empty or the data has none."""
    return (f'=IF({head}="","",IFERROR(AVERAGEIFS({table}[{column}],{table}[Måned],{month_key(k, latest)},'
            f'{table}[Hospital],{hospital}),""))')


def in_latest(row_range: str, latest: str) -> str:
    """The value of a year-to-date row in the latest month."""
    return f"INDEX({row_range},MONTH({latest}))"


def period_text(latest: str) -> str:
    """ "januar–maj 2018": the months a year-to-date view covers."""
    return (f'=IF(MONTH({latest})=1,"januar "&YEAR({latest}),"januar–"&{month_name(latest)}&" "&YEAR({latest}))')


def day_key(k: int, latest: str) -> str:
    """Slot ``k`` (1 = 1 January) of the latest day's year, or "" after the latest day."""
    day = f"DATE(YEAR({latest}),1,{k})"
    return f'=IF({day}>{latest},"",{day})'


def week_key(k: int, latest: str, first: str) -> str:
    """Slot ``k`` of the window of weeks ending with the latest; "" before the first week."""
    back = WEEKS_SHOWN - k
    week = f"{latest}-{7 * back}" if back else latest
    return f'=IF({week}<{first},"",{week})'


def month_window_key(k: int, latest: str, first: str) -> str:
    """Slot ``k`` of the window of months ending with the latest; "" before the first month."""
    back = MONTHS_SHOWN - k
    month = f"EDATE({latest},{-back})" if back else latest
    return f'=IF({month}<{first},"",{month})'


def latest_formula(table_column: str, override: str | None = None) -> str:
    """The latest period in a table column; with ``override`` (a cell the analyst may fill, e.g.
    to make April's report when May is already imported) no later than that."""
    latest = f"MAX({table_column})"
    if override is None:
        return f"={latest}"
    return f"=IF(ISNUMBER({override}),MIN({override},{latest}),{latest})"
