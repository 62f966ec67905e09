"""Benchmark: aggregating a 5-million-row order-level extract.

Target (issue "Import of source extracts"): under 30 s and under 2 GB on a 2-core machine.
The file is generated into a temporary folder; each reader then runs in its own fresh
Python process so that its peak memory (ru_maxrss, including the interpreter and imports)
is its own. Readers compared:
- ``pandas_plain``: pandas.read_csv (C engine, default dtypes) + groupby, the baseline;
- ``pandas_pyarrow``: pandas.read_csv(engine="pyarrow") + groupby;
- ``polars``: polars.scan_csv + group_by (if polars is installed);
- ``sp_xl``: sp_xl.extracts.read_extract (pyarrow CSV reader into dictionary-encoded
  columns, numpy.bincount on codes), the full parse with validation.
All must agree on the usage counts. Run:  python benchmarks/bench_import.py [--rows N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOSPITALS = ["Amager og Hvidovre Hospital", "Bispebjerg og Frederiksberg Hospitaler", "Bornholms Hospital",
             "Herlev og Gentofte Hospital", "Hospitalerne i Nordsjælland", "Rigshospitalet",
             "Region Hovedstadens Psykiatri"]
HEADER = ["Afdeling", "Hospital", "Måned", "Fra ordinationssæt", "Igangsat af", "Godkendt af"]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    departments = np.array([f"Afdeling {i:03d}, afsnit {i % 7}" for i in range(400)], dtype=object)
    users = np.array([f"U{i:06d}" for i in range(40_000)], dtype=object)
    months = np.array([f"2018-{m:02d}" for m in range(1, 6)], dtype=object)
    chunk = 1_000_000
    with pacsv.CSVWriter(str(path), pa.schema([(h, pa.string()) for h in HEADER]),
                         write_options=pacsv.WriteOptions(delimiter=";", quoting_style="needed")) as w:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            dept = rng.integers(0, len(departments), n)
            init = rng.integers(0, len(users), n)
            approve = np.where(rng.random(n) < 0.8, init, rng.integers(0, len(users), n))
            cols = [departments[dept], np.array(HOSPITALS, dtype=object)[dept % len(HOSPITALS)],
                    months[rng.integers(0, len(months), n)],
                    np.where(rng.random(n) < 0.1 + (dept % 10) / 20, "ja", "nej").astype(object),
                    users[init], users[approve]]
            w.write_table(pa.table({h: pa.array(c, pa.string()) for h, c in zip(HEADER, cols)}))


def run_pandas(path: Path, engine: str | None) -> dict[str, int]:
    import pandas as pd

    df = pd.read_csv(path, sep=";", **({"engine": engine} if engine else {}))
    same = df[df["Igangsat af"] == df["Godkendt af"]]
    g = same.assign(s=same["Fra ordinationssæt"].eq("ja")).groupby(["Hospital", "Måned"])["s"].agg(["size", "sum"])
    return {"orders": int(g["size"].sum()), "from_order_set": int(g["sum"].sum()), "groups": len(g)}


def run_polars(path: Path) -> dict[str, int]:
    import polars as pl

    g = (pl.scan_csv(path, separator=";")
         .filter(pl.col("Igangsat af") == pl.col("Godkendt af"))
         .group_by(["Hospital", "Måned"])
         .agg(pl.len().alias("n"), (pl.col("Fra ordinationssæt") == "ja").sum().alias("s"))
         .collect())
    return {"orders": int(g["n"].sum()), "from_order_set": int(g["s"].sum()), "groups": g.height}


def run_sp_xl(path: Path) -> dict[str, int]:
    from sp_xl.extracts import read_extract

    usage = read_extract(path).tables["usage"]
    return {"orders": int(usage.orders.sum()), "from_order_set": int(usage.from_order_set.sum()),
            "groups": len(usage)}


RUNNERS = {
    "pandas_plain": lambda p: run_pandas(p, None),
    "pandas_pyarrow": lambda p: run_pandas(p, "pyarrow"),
    "polars": run_polars,
    "sp_xl": run_sp_xl,
}


def child(method: str, path: Path) -> None:
    start = time.perf_counter()
    result = RUNNERS[method](path)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(json.dumps({"method": method, "seconds": seconds, "peak_mb": peak_mb, **result}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--methods", default=",".join(RUNNERS))
    ap.add_argument("--child", nargs=2, metavar=("METHOD", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ordinationer_2018-05-30.csv"
        t = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB in "
              f"{time.perf_counter() - t:.1f} s; cores: {os.cpu_count()}")
        with path.open("rb") as f:  # warm the page cache so no reader pays for the first disk read
            while f.read(1 << 24):
                pass
        print(f"{'method':<16}{'seconds':>9}{'peak MB':>10}{'orders':>12}{'from set':>11}{'groups':>8}")
        results = []
        for method in args.methods.split(","):
            if method == "polars":
                try:
                    import polars  # noqa: F401
                except ImportError:
                    print(f"{method:<16}  (not installed)")
                    continue
            proc = subprocess.run([sys.executable, __file__, "--child", method, str(path)],
                                  capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": str(
                                      Path(__file__).resolve().parents[1])})
            if proc.returncode:
                print(f"{method:<16}  failed: {proc.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            results.append(r)
            print(f"{method:<16}{r['seconds']:>9.1f}{r['peak_mb']:>10.0f}{r['orders']:>12,}"
                  f"{r['from_order_set']:>11,}{r['groups']:>8}")
        agree = len({(r["orders"], r["from_order_set"], r["groups"]) for r in results}) == 1
        print("all readers agree on the counts" if agree else "READERS DISAGREE")
        ours = next((r for r in results if r["method"] == "sp_xl"), None)
        if ours:
            ok = ours["seconds"] < 30 and ours["peak_mb"] < 2048
            print(f"target (< 30 s, < 2048 MB): {'met' if ok else 'NOT met'} by sp_xl")


if __name__ == "__main__":
    main()
