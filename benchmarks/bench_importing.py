"""Benchmark: `sp-xl import` of a full set of extracts into the master workbook.

Generates, in a temporary folder, extracts that fill every slot the master has: LPR errors for
all 138 days x 7 hospitals, support cases for weeks 1-19 (about 15,000 cases), a long indicator
table for Tabel 1/2/4/6 (7 hospitals x 5 months), Min SP messages (about 20,000) and an order
extract (--orders rows). Then times: reading the extracts alone, the first import (every table
written), a second import of the same files (must change nothing), and a dry run.
Target: the first import of a typical month's extracts in well under 10 s on a laptop; the
idempotent second import writes nothing. Run:  python benchmarks/bench_importing.py [--orders N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from sp_xl.extracts import read_extract
from sp_xl.master import report_data as rd
from sp_xl.actions.importing import import_extracts
from sp_xl.master.build import build_master


def write_extracts(folder: Path, orders: int) -> list[Path]:
    rng = random.Random(1)
    lpr = folder / "lpr_2018-05-19.csv"
    lines = ["Dato;Hospital;Antal fejl"]
    for day in rd.lpr_days():
        lines += [f"{day:%Y-%m-%d};{h};{rng.randint(-5, 60)}" for h in rd.HOSPITALS]
    lpr.write_text("\n".join(lines) + "\n", encoding="utf-8")

    cases = folder / "sager_2018-05-19.csv"
    lines = ["Sagsnummer;Oprettet;Lukket;Niveau"]
    start = dt.datetime(2018, 1, 1)
    for i in range(15_000):
        opened = start + dt.timedelta(minutes=rng.randrange(0, 19 * 7 * 24 * 60 - 60))
        closed = opened + dt.timedelta(hours=rng.randrange(1, 200))
        shut = f"{closed:%Y-%m-%d %H:%M}" if closed < dt.datetime(2018, 5, 13) else ""
        lines.append(f"INC{i:07d};{opened:%Y-%m-%d %H:%M};{shut};{rng.choice('1123')}")
    cases.write_text("\n".join(lines) + "\n", encoding="utf-8")

    indicators = folder / "indikatorer_2018-05-19.csv"
    lines = ["Hospital;Indikator;Måned;Værdi"]
    for name, share in (("Best./Ord.-set", True), ("SmartSet", True), ("Brugere oprettet", False),
                        ("Aktive patienter", False)):
        for h in rd.HOSPITALS:
            for m in range(1, 6 if share else 5):
                v = f"{rng.randint(1, 20)} %" if share else str(rng.randint(500, 60_000))
                lines.append(f"{h};{name};2018-{m:02d};{v}")
    indicators.write_text("\n".join(lines) + "\n", encoding="utf-8")

    messages = folder / "beskeder_2018-05-19.csv"
    lines = ["Hospital;Sendt;Besvaret"]
    for _ in range(20_000):
        sent = dt.datetime(2018, 1, 2) + dt.timedelta(minutes=rng.randrange(0, 115 * 24 * 60))
        answered = sent + dt.timedelta(hours=rng.randrange(1, 150))
        lines.append(f"{rng.choice(rd.HOSPITALS)};{sent:%Y-%m-%d %H:%M};{answered:%Y-%m-%d %H:%M}")
    messages.write_text("\n".join(lines) + "\n", encoding="utf-8")

    order_file = folder / "ordinationer_2018-05-30.csv"
    lines = ["Afdeling;Hospital;Måned;Fra ordinationssæt;Igangsat af;Godkendt af"]
    for _ in range(orders):
        user = f"u{rng.randrange(2000)}"
        lines.append(f"Afdeling {rng.randrange(60)};{rng.choice(rd.HOSPITALS)};2018-{rng.randint(1, 5):02d};"
                     f"{rng.choice(('ja', 'nej'))};{user};{user}")
    order_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [lpr, cases, indicators, messages, order_file]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_extracts(folder, args.orders)
        book = build_master(folder / "sp_status.xlsx")
        for f in files:                  # warm-up: imports and file cache, as in the timed runs below
            read_extract(f)
        t = time.perf_counter()
        for f in files:
            read_extract(f)
        read_s = time.perf_counter() - t

        t = time.perf_counter()
        first = import_extracts(book, files, backup=True)
        first_s = time.perf_counter() - t
        written = sum(p.changed_cells for f in first.files for p in f.periods)
        before = book.read_bytes()
        t = time.perf_counter()
        second = import_extracts(book, files)
        second_s = time.perf_counter() - t
        t = time.perf_counter()
        import_extracts(book, files, dry_run=True, force=True)
        dry_s = time.perf_counter() - t
        print(f"extracts: {len(files)} files, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB "
              f"({args.orders} order rows)")
        print(f"reading the extracts alone:       {read_s:6.2f} s")
        print(f"first import (all tables):        {first_s:6.2f} s  "
              f"({sum(len(f.periods) for f in first.files)} periods, {written} cells changed; "
              f"departments beyond the table's 15 rows reported: {not first.complete})")
        print(f"second import (same files):       {second_s:6.2f} s  "
              f"(changed={second.changed}, bytes identical={book.read_bytes() == before})")
        print(f"dry run with --force:             {dry_s:6.2f} s")
        print(f"write overhead of the first import: {first_s - read_s:6.2f} s")


if __name__ == "__main__":
    main()
