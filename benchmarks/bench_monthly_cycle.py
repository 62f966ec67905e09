"""Benchmark: the monthly cycle - what a month's import costs, and how that cost grows with history.

1. A fresh master takes 24 months in a row (June 2018 on): each month an indicator extract
   (Tabel 1, 2, 4, 6 for 7 hospitals), the month's LPR errors per day and its support cases.
   Printed: each import's time (import + the refresh it includes) and the tables' rows; the
   24th month against the 2nd must stay near 1x (the cost follows the imported data, not the
   history).
2. A master whose LPR table holds --history rows (about 100,000: decades of daily errors) takes
   one more month; printed against LibreOffice's full recalculation of the same workbook,
   timed in the same run (the baseline).

Run:  python benchmarks/bench_monthly_cycle.py [--months 24] [--history 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sp_xl.actions.importing import import_extracts  # noqa: E402
from sp_xl.master import report_data as rd  # noqa: E402
from sp_xl.master.build import build_master  # noqa: E402
from sp_xl.ooxml.package import XlsxPackage  # noqa: E402

LO_ORACLE = Path(__file__).resolve().parents[2] / "shared" / "tools" / "lo_oracle.py"
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")


def next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def month_extracts(folder: Path, month: dt.date) -> list[Path]:
    end = next_month(month) - dt.timedelta(days=1)
    stamp = end.isoformat()
    ind = folder / f"sp_{month:%Y_%m}.csv"
    rows = [f"Trukket: {stamp}", "Hospital;Indikator;Måned;Værdi"]
    label = f"{MONTHS[month.month - 1]} {month.year}"
    for i, h in enumerate(rd.HOSPITALS):
        rows += [f"{h};Best./Ord.-set indlagte;{label};{5 + i + month.month % 7} %",
                 f"{h};SmartSet ambulante;{label};{8 + i} %",
                 f"{h};Brugere oprettet på Min SP;{label};{20000 + 1000 * i + 50 * month.month}",
                 f"{h};Patienter aktive på Min SP;{label};{4000 + 200 * i}"]
    ind.write_text("\n".join(rows) + "\n", encoding="utf-8")
    lpr = folder / f"lpr_{month:%Y_%m}.csv"
    days = [month + dt.timedelta(days=k) for k in range((end - month).days + 1)]
    rows = [f"Udtræksdato: {stamp}", "Dato;Hospital;Antal fejl"]
    rows += [f"{d.isoformat()};{h};{(d.day + i) % 9 - 3}" for d in days for i, h in enumerate(rd.HOSPITALS)]
    lpr.write_text("\n".join(rows) + "\n", encoding="utf-8")
    cases = folder / f"sager_{month:%Y_%m}.csv"
    rows = [f"Trukket: {stamp}", "Sagsnummer;Oprettet;Lukket;Niveau"]
    n = 0
    for d in days:
        for k in range(80):
            n += 1
            opened = dt.datetime.combine(d, dt.time(8 + k % 9))
            closed = opened + dt.timedelta(hours=3) if k % 5 else None
            shut = f"{closed:%Y-%m-%d %H:%M}" if closed and closed.date() <= end else ""
            rows.append(f"S{month:%Y%m}{n:05d};{opened:%Y-%m-%d %H:%M};{shut};{'1123'[k % 4]}")
    cases.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return [ind, lpr, cases]


def table_rows(book: Path) -> dict[str, int]:
    out = {}
    for name, (_, ref, _) in XlsxPackage.open(book).tables().items():
        a, b = ref.split(":")
        out[name] = int("".join(c for c in b if c.isdigit())) - int("".join(c for c in a if c.isdigit()))
    return out


def lo_recalc_seconds(book: Path, folder: Path) -> float | None:
    if shutil.which("soffice") is None or not LO_ORACLE.exists():
        return None
    started = time.perf_counter()
    proc = subprocess.run(["python3", str(LO_ORACLE), "--timeout", "900", "recalc", str(book), str(folder / "lo.json")],
                          capture_output=True, text=True)
    return time.perf_counter() - started if proc.returncode in (0, 3) else None


def months_in_a_row(folder: Path, months: int) -> None:
    book = build_master(folder / "sp_status.xlsx")
    month = dt.date(2018, 6, 1)
    times = []
    print(f"{'måned':>12} {'sekunder':>9} {'rækker i tLPRFejl':>18} {'rækker i tSupport':>18}")
    for i in range(months):
        files = month_extracts(folder, month)
        started = time.perf_counter()
        summary = import_extracts(book, files, backup=False)
        seconds = time.perf_counter() - started
        assert summary.complete and summary.refreshed, summary.describe()
        times.append(seconds)
        rows = table_rows(book)
        print(f"{month:%Y-%m}".rjust(12), f"{seconds:9.2f}", f"{rows['tLPRFejl']:18d}", f"{rows['tSupport']:18d}")
        month = next_month(month)
    if months >= 24:
        print(f"måned 24 / måned 2: {times[23] / times[1]:.2f}x  (målet: nær 1x)")


def long_history(folder: Path, history: int) -> None:
    book = build_master(folder / "historik.xlsx")
    days = history // len(rd.HOSPITALS)
    first = dt.date(2019, 1, 1) - dt.timedelta(days=days)
    lpr = folder / "lpr_historik.csv"
    rows = ["Udtræksdato: 2018-12-31", "Dato;Hospital;Antal fejl"]
    rows += [f"{first + dt.timedelta(days=k)};{h};{k % 7 - 2}" for k in range(days) for h in rd.HOSPITALS]
    lpr.write_text("\n".join(rows) + "\n", encoding="utf-8")
    started = time.perf_counter()
    import_extracts(book, [lpr], backup=False)
    print(f"historik: {days * len(rd.HOSPITALS)} LPR-rækker importeret på {time.perf_counter() - started:.1f} s; "
          f"tLPRFejl har nu {table_rows(book)['tLPRFejl']} rækker")
    started = time.perf_counter()
    summary = import_extracts(book, month_extracts(folder, dt.date(2019, 1, 1)), backup=False)
    ours = time.perf_counter() - started
    assert summary.complete, summary.describe()
    lo = lo_recalc_seconds(book, folder)
    line = f"én måned oven i historikken: sp-xl import (med genberegning) {ours:.2f} s"
    if lo is not None:
        line += f"; LibreOffice genberegner samme projektmappe på {lo:.2f} s ({ours / lo:.2f}x)"
    print(line)
    print(json.dumps({"history_rows": days * len(rd.HOSPITALS), "month_import_s": round(ours, 3),
                      "libreoffice_recalc_s": round(lo, 3) if lo else None}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--history", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        months_in_a_row(folder, args.months)
        long_history(folder, args.history)


if __name__ == "__main__":
    main()
