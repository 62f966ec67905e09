"""The two sheets the copy gains: "Om tallene" (provenance) and "Helligdage" (for NETWORKDAYS)."""

from __future__ import annotations

import datetime as dt
import re

from sp_xl import __version__
from sp_xl.i18n import pick
from sp_xl.ooxml.cellrefs import split_ref
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.share.check import name_target, serial_to_datetime
from sp_xl.share.translate import Native

_SOURCE_LINE = re.compile(r"^\s*(Kilde|Source)\s*:", re.I)


def _sources(pkg: XlsxPackage, sheets: list[str]) -> list[tuple[str, str]]:
    """Each distinct source line ('Kilde: ..., trukket d. ...') once, with the sheets that carry it."""
    where: dict[str, list[str]] = {}
    for s in sheets:
        for ref, v in sorted(pkg.cells(s).items(), key=lambda kv: split_ref(kv[0])):
            if isinstance(v, str) and _SOURCE_LINE.match(v):
                found = where.setdefault(v.strip(), [])
                if s not in found:
                    found.append(s)
    return [(text, ", ".join(s)) for text, s in where.items()]


def _holiday_names(first: int, last: int) -> dict[dt.date, str]:
    """Names for the holiday list (the dates themselves come from sp_xl.calc.workdays)."""
    import holidays as holidays_package
    try:
        return dict(holidays_package.country_holidays("DK", years=range(first, last + 1), language="da"))
    except Exception:  # noqa: BLE001 - names are a courtesy; the dates are what NETWORKDAYS uses
        return {}


def holiday_years(pkg: XlsxPackage, plan: dict, stamp_year: int) -> tuple[int, int]:
    """Years the NETWORKDAYS dates fall in (their cached values), one year of margin each side;
    the refresh year when no date is known."""
    years: set[int] = set()
    for (sheet, _), (f, native) in plan.items():
        if not isinstance(native, Native) or "NETWORKDAYS" not in (native.formula or ""):
            continue
        for ref in re.findall(r"(?:(?:'((?:[^']|'')+)'|([\w.]+))!)?\$?([A-Z]{1,3})\$?(\d+)", f.formula):
            s = (ref[0].replace("''", "'") or ref[1]) or sheet
            if s in pkg.sheet_names:
                v = pkg.cells(s).get(f"{ref[2]}{ref[3]}")
                if isinstance(v, float) and 1 <= v < 2958466:
                    years.add(serial_to_datetime(v, pkg.date1904).year)
        for name, target in pkg.defined_names.items():
            if name in f.formula:
                t = name_target(pkg, name)
                if t and t[0] in pkg.sheet_names:
                    v = pkg.cells(t[0]).get(t[1])
                    if isinstance(v, float) and 1 <= v < 2958466:
                        years.add(serial_to_datetime(v, pkg.date1904).year)
    years = years or {stamp_year}
    return min(years) - 1, max(years) + 1


def holiday_rows(days: list[dt.date], first: int, last: int) -> list[list[object]]:
    names = _holiday_names(first, last)
    rows: list[list[object]] = [[pick("Helligdag", "Holiday"),
                                 pick(f"Danske helligdage {first}–{last}, som optællingen af hverdage springer over",
                                      f"Danish public holidays {first}–{last}, which the count of working days skips")]]
    return rows + [[d, names.get(d, "")] for d in days]


def cell_ranges(refs: list[str]) -> list[str]:
    """Cells as few A1 ranges: runs down each column, then equal runs side by side merged."""
    from sp_xl.ooxml.cellrefs import col_letters
    by_col: dict[int, list[int]] = {}
    for ref in refs:
        r, c = split_ref(ref)
        by_col.setdefault(c, []).append(r)
    runs: list[tuple[int, int, int, int]] = []          # (r1, r2, c1, c2)
    for c in sorted(by_col):
        rows = sorted(set(by_col[c]))
        start = prev = rows[0]
        for r in rows[1:] + [None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            merged = next((i for i, (a, b, c1, c2) in enumerate(runs) if (a, b) == (start, prev) and c2 == c - 1), None)
            if merged is None:
                runs.append((start, prev, c, c))
            else:
                a, b, c1, _ = runs[merged]
                runs[merged] = (a, b, c1, c)
            if r is not None:
                start = prev = r
    out = []
    for r1, r2, c1, c2 in sorted(runs, key=lambda x: (x[0], x[2])):
        a, b = f"{col_letters(c1)}{r1}", f"{col_letters(c2)}{r2}"
        out.append(a if a == b else f"{a}:{b}")
    return out


def frozen_rows(frozen: list) -> list[list[object]]:
    """The frozen cells, grouped by sheet and reason into ranges. No formula text: readers of
    the copy see values and reasons; the analyst gets the formulas from the command's output."""
    groups: dict[tuple[str, str], list] = {}
    for c in frozen:
        groups.setdefault((c.sheet, c.reason), []).append(c)
    rows = []
    for (sheet, reason), cells in groups.items():
        ranges = cell_ranges([c.ref for c in cells])
        shown = ", ".join(ranges[:8]) + (pick(f" og {len(ranges) - 8} områder mere", f" and {len(ranges) - 8} more ranges")
                                         if len(ranges) > 8 else "")
        rows.append([sheet, shown, len(cells), reason])
    return rows


def about_rows(pkg, result, stamp, now, source_name) -> list[list[object]]:
    computed = (serial_to_datetime(stamp, pkg.date1904).strftime("%d-%m-%Y %H:%M")
                if isinstance(stamp, (int, float)) else str(stamp))
    visible = [s for s in pkg.sheet_names if s not in result.dropped_sheets]
    rows: list[list[object]] = [
        [pick("Om tallene i denne kopi", "About the numbers in this copy")],
        [pick("Oprettet af", "Created by"), f"sp_xl {__version__} (sp-xl share)"],
        [pick("Tallene er beregnet", "Numbers computed"), computed],
        [pick("Kopien er oprettet", "Copy created"), now.strftime("%d-%m-%Y %H:%M")],
        [pick("Fra arbejdsbogen", "From the workbook"), source_name],
        [pick("Levende formler", "Live formulas"),
         pick(f"{result.translated} beregninger fra arbejdsbogens tilføjelsesprogram er skrevet som almindelige "
              "Excel-formler og regner selv videre.",
              f"{result.translated} calculations of the workbook's add-in are written as native Excel formulas "
              "and stay live.")],
        [pick("Datagrundlag", "Data"),
         pick("Udtrækkene bag tabellerne følger ikke med kopien. "
              f"{result.inlined} formler har tallene derfra skrevet ind, og {len(result.frozen)} celler står som "
              "værdier (se nedenfor).",
              "The extracts behind the tables do not travel with the copy. "
              f"{result.inlined} formulas have those numbers written in, and {len(result.frozen)} cells are "
              "values (see below).")],
        [],
        [pick("Udtræk (kilde og udtræksdato)", "Extracts (source and extraction date)")],
        [pick("Kilde", "Source"), pick("Ark", "Sheets")],
    ]
    rows += [[text, sheets] for text, sheets in _sources(pkg, visible)]
    rows += [[], [pick("Fastfrosne celler (værdi i stedet for formel)", "Frozen cells (value instead of formula)")],
             [pick("Ark", "Sheet"), pick("Celler", "Cells"), pick("Antal", "Count"), pick("Hvorfor", "Why")]]
    rows += frozen_rows(result.frozen)
    if not result.frozen:
        rows.append([pick("Ingen", "None")])
    if result.hidden_sheets:      # counted, not named: sheet names of the master are not for readers
        rows += [[], [pick(f"{len(result.hidden_sheets)} interne ark følger med som skjulte ark, fordi "
                           "diagrammer eller formater bruger dem.",
                           f"{len(result.hidden_sheets)} internal sheets travel hidden because charts or "
                           "formats use them.")]]
    return rows
