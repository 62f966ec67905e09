"""How long building the master workbook takes (``sp-xl new``), and how big it is.

Run: python benchmarks/bench_master.py
"""

from __future__ import annotations

import statistics
import time

from sp_xl.master import build as master


def main(repeats: int = 5) -> None:
    times, size = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        size = len(master.workbook_bytes())
        times.append(time.perf_counter() - start)
    print(f"build_master: median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms over {repeats} builds; file {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
