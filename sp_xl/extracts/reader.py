"""``read_extract(path)``: recognise, parse and aggregate one source extract."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sp_xl.extracts import cases, indicators, key_persons, lpr, messages, orders, provenance
from sp_xl.extracts.detect import Detection, Kind, detect, header_score
from sp_xl.extracts.fields import Columns
from sp_xl.extracts.model import Extract
from sp_xl.extracts.problems import ExtractError
from sp_xl.extracts.tables import read_table


def read_extract(path: str | os.PathLike[str], *, within_days: int = 3, top_n: int = 5,
                 min_orders: int = 1, group_levels: Mapping[str, int] | None = None) -> Extract:
    """Read one export file. Raises ``ExtractError`` (Danish/English, file, row, column) if refused.

    ``within_days``: working days for the Min SP answer share (Tabel 5).
    ``top_n``, ``min_orders``: the department ranking of order-level extracts (Tabel 3).
    ``group_levels``: support level per assignment group name, for groups whose name has none.
    """
    path = Path(path)
    detected: list[Detection] = []

    def needed(headings: list[str], header_row: int) -> list[str]:
        d = detect(path.name, header_row, headings)
        detected.append(d)
        return d.needed()

    try:
        table = read_table(path, header_score, needed)
        detection = detected[-1]
        if table.n_rows == 0:
            raise ExtractError(path.name, table.header_row, None,
                               "Filen har en overskriftsrække, men ingen datarækker under den.",
                               "The file has a header row but no data rows below it.")
        date, rule, date_warnings = provenance.extraction_date(path, table.preamble)
        cols = Columns(table, detection)
        cols.warnings.extend(date_warnings)
        tables = _parse(detection.kind, cols, date, within_days=within_days, top_n=top_n,
                        min_orders=min_orders, group_levels=group_levels)
    except ExtractError:
        raise
    except (MemoryError, KeyboardInterrupt, OSError):
        raise                            # the caller says these in plain words
    except Exception as exc:  # a bug must not reach the analyst as a traceback
        raise ExtractError(path.name, None, None,
                           f"Filen kunne ikke læses på grund af en intern fejl i sp_xl ({type(exc).__name__}). "
                           "Send filen til sp_xl-teamet.",
                           f"The file could not be read because of an internal error in sp_xl ({type(exc).__name__}). "
                           "Send the file to the sp_xl team.") from exc
    return Extract(detection.kind, path.name, path, date, rule, tables, cols.warnings, cols.flagged,
                   table.n_rows)


def _parse(kind: Kind, cols: Columns, date, **options):
    if kind == Kind.CASES:
        return cases.parse(cols, date, options["group_levels"])
    if kind == Kind.INDICATORS:
        return indicators.parse(cols, date)
    if kind == Kind.MESSAGES:
        return messages.parse(cols, date, options["within_days"])
    if kind == Kind.LPR_ERRORS:
        return lpr.parse(cols, date)
    if kind == Kind.KEY_PERSONS:
        return key_persons.parse(cols, date)
    return orders.parse(cols, date, options["top_n"], options["min_orders"])
