"""Benchmark of the SP_ functions through the entry point Excel uses (not a test; prints numbers).

For each function: the cost of one single-cell call (arguments shaped as xlwings delivers them
with ndim=2: [[value]]), and for per-item functions one call over a 10,000-row column against
10,000 single calls, with the ratio (aim: at least 50x). Series functions print the cost of one
call on a 12-period and on a 10,000-period series. Last line: the estimated Python time for a
sheet of 5,000 SP_ cells.

Run: python benchmarks/bench_udfs.py
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

from sp_xl.excel.registry import REGISTRY
from sp_xl.udfs import functions

ROWS = 10_000
rng = random.Random(7)


def col(values):
    return [[v] for v in values]


def per_item_cases():
    a = [rng.uniform(0, 1) for _ in range(ROWS)]
    t = [rng.uniform(0.2, 0.4) for _ in range(ROWS)]
    d1 = [dt.datetime(2018, 1, 1) + dt.timedelta(days=rng.randint(0, 700)) for _ in range(ROWS)]
    d2 = [d + dt.timedelta(days=rng.randint(0, 30)) for d in d1]
    return {
        "SP_ATTAINMENT": (a, t), "SP_GAP": (a, t), "SP_STATUS": (a, t), "SP_SHARE": (a, t),
        "SP_REQUIRED": ([x * 30000 for x in a], [15.0] * ROWS), "SP_ROUND_CA": (a,),
        "SP_WORKDAYS": (d1, d2),
    }


def series_cases(n):
    created = [float(rng.randint(550, 650)) for _ in range(n)]
    closed = [float(rng.randint(560, 660)) for _ in range(n)]
    dates = [dt.datetime(2018, 1, 1) + dt.timedelta(days=i % 700) for i in range(n)]
    answered = [d + dt.timedelta(days=rng.randint(0, 9)) for d in dates]
    s = col([1000.0 + i + rng.uniform(-5, 5) for i in range(n)])
    return {
        "SP_GROWTH": (s,), "SP_GROWTH_PCT": (s,), "SP_AVG_GROWTH_PCT": (s,), "SP_CHANGES": (s,),
        "SP_CUMULATIVE": (s,), "SP_BACKLOG": (col(created), col(closed), [[500.0]]),
        "SP_NETFLOW": (col(created), col(closed)), "SP_TREND": (s,), "SP_FORECAST": (s, [[2.0]]),
        "SP_WEEKS_TO_CLEAR": (col(created), col(closed), [[50000.0]]), "SP_PEAK": (s,),
        "SP_TOPN": (col([f"afd {i}" for i in range(n)]), s, [[5.0]]),
        "SP_WITHIN_WORKDAYS": (col(dates), col(answered), [[3.0]]),
        "SP_TEXT_GROWTH": (s, [["brugere"]]), "SP_TEXT_ATTAINMENT": ([[1807.0]], [[2200.0]]),
    }


def timed(fn, *args, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    functions()
    single_costs = []
    print(f"{'function':22} {'single call':>12} {'range call':>12} {'10k singles':>12} {'ratio':>8}")
    for name, args in per_item_cases().items():
        f = REGISTRY[name].func
        singles = [[[[x[i]]] for x in args] for i in range(ROWS)]
        t_single_all = timed(lambda: [f(*s) for s in singles], repeat=2)
        t_range = timed(f, *[col(x) for x in args])
        single = t_single_all / ROWS
        single_costs.append(single)
        print(f"{name:22} {single * 1e6:10.1f}µs {t_range * 1e3:10.2f}ms {t_single_all * 1e3:10.1f}ms "
              f"{t_single_all / t_range:7.0f}x")
    short, long_ = series_cases(12), series_cases(ROWS)
    print(f"\n{'function':22} {'12 periods':>12} {'10k periods':>12}")
    for name in short:
        f = REGISTRY[name].func
        t_short, t_long = timed(f, *short[name], repeat=50), timed(f, *long_[name])
        single_costs.append(t_short)
        print(f"{name:22} {t_short * 1e6:10.1f}µs {t_long * 1e3:10.2f}ms")
    mean = statistics.mean(single_costs)
    print(f"\nmean single-cell call {mean * 1e6:.1f} µs -> a sheet of 5,000 SP_ cells ≈ {5000 * mean:.3f} s of Python time")


if __name__ == "__main__":
    main()
