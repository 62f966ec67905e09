"""How long `sp-xl share` takes, and how big the copy is (prints numbers; not a test).

    python benchmarks/bench_share.py [--repeat N]

Builds the master, refreshes it, stamps it, then times the three phases of a share: the
pre-send check, the freshness proof (the engine recomputes the master), and building the copy.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sp_xl.actions import share  # noqa: E402
from sp_xl.ooxml.package import XlsxPackage  # noqa: E402
from tests.share.test_share_fixtures import refreshed_master  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        master = refreshed_master(Path(tmp))
        for i in range(args.repeat):
            t0 = time.perf_counter()
            share.check_for_sharing(master)
            t1 = time.perf_counter()
            pkg = XlsxPackage.open(master)
            share.refuse_if_stale(pkg)
            t2 = time.perf_counter()
            data, result = share.build_copy(XlsxPackage.open(master))
            t3 = time.perf_counter()
            print(f"run {i + 1}: check {t1 - t0:.2f} s, freshness {t2 - t1:.2f} s, copy {t3 - t2:.2f} s; "
                  f"{result.translated} SP_ cells translated, {len(result.frozen)} frozen; "
                  f"{result.inlined} formulas got internal values written in; "
                  f"master {master.stat().st_size} B, copy {len(data)} B ({len(data) / master.stat().st_size:.2f}x)")


if __name__ == "__main__":
    main()
