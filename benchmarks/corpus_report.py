"""How close the engine comes to Excel on the workbooks Excel computed (prints a table; not a test).

Recomputes every workbook in ``../shared/corpus/excel-computed/`` the way ``sp-xl refresh`` does
(in memory) and compares each formula cell with the value Excel cached. Prints, per function,
how many cells matched Excel, were refused (kept Excel's value, with a reason) or were wrong
(a different value, no refusal); a cell counts under every function its formula calls, and
"(none)" holds formulas that call no function. Then the totals over cells.

    python benchmarks/corpus_report.py [--wrong] [--refused] [--file PATTERN] [--function NAME]

--wrong / --refused list those cells (with Excel's and the engine's value / the reason).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.engine.excel_corpus import compare_workbook, known_differences, workbooks  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wrong", action="store_true", help="list the wrong cells")
    ap.add_argument("--refused", action="store_true", help="list the refused cells with their reason")
    ap.add_argument("--file", default="", help="only workbooks whose name contains this")
    ap.add_argument("--function", default="", help="only list cells calling this function")
    args = ap.parse_args(argv)
    known = known_differences()
    per_fn: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    listed: list[str] = []
    t0 = time.perf_counter()
    for path in workbooks():
        if args.file and args.file not in path.name:
            continue
        wb = compare_workbook(path)
        totals["constants changed"] += len(wb.constants_changed)
        for c in wb.cells:
            status = c.status
            if status == "wrong" and (c.file, c.where) in known:
                status = "known"
            totals[status] += 1
            for fn in c.functions or ("(none)",):
                per_fn[fn][status] += 1
            if args.function and args.function.upper() not in c.functions:
                continue
            if args.wrong and status in ("wrong", "known"):
                listed.append(f"{status:6} {c.file} {c.where}: ={c.formula}  Excel {c.excel!r}  engine {c.engine!r}")
            if args.refused and status == "refused":
                listed.append(f"refused {c.file} {c.where}: ={c.formula}  -- {c.reason}")
    elapsed = time.perf_counter() - t0
    print(f"{'function':<16}{'matched':>9}{'refused':>9}{'wrong':>7}{'known':>7}{'excluded':>10}")
    for fn in sorted(per_fn, key=lambda f: (-(per_fn[f]['wrong'] + per_fn[f]['refused']), f)):
        c = per_fn[fn]
        print(f"{fn:<16}{c['matched']:>9}{c['refused']:>9}{c['wrong']:>7}{c['known']:>7}{c['excluded']:>10}")
    compared = totals["matched"] + totals["refused"] + totals["wrong"] + totals["known"]
    pct = 100.0 * totals["matched"] / compared if compared else 0.0
    print()
    print(f"cells compared {compared} (excluded {totals['excluded']}): matched {totals['matched']} "
          f"({pct:.1f} %), refused {totals['refused']}, wrong {totals['wrong']}, "
          f"known differences {totals['known']}; constants changed by the refresh: "
          f"{totals['constants changed']}   [{elapsed:.1f} s]")
    for line in listed:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
