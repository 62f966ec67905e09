"""How long the add-in build, its check and the link scan take. Prints numbers; asserts nothing.

    python benchmarks/bench_addin.py   (from the repository root)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.*

from sp_xl.addin.build import addin_bytes, build_addin, check_addin
from sp_xl.checks.links import scan_formulas, scan_package
from sp_xl.udfs import functions
from tests.checks.test_links import OTHER_PC, _with_external_links


def timed(fn, runs: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    functions()  # import the registry once, outside the timings
    seconds, data = timed(addin_bytes)
    print(f"build (bytes in memory): {seconds * 1000:.0f} ms median of 5, {len(data) / 1024:.0f} KiB")
    with tempfile.TemporaryDirectory() as tmp:
        path = build_addin(Path(tmp) / "sp_xl.xlam")
        seconds, report = timed(lambda: check_addin(path))
        print(f"check (olevba + XML): {seconds * 1000:.0f} ms median of 5, ok={report.ok}")
        wb = openpyxl.Workbook()
        ws = wb.active
        for r in range(1, 50_001):
            ws.cell(r, 1, r)
            ws.cell(r, 2, f"=SP_GROWTH(A{max(1, r - 3)}:A{r})")
        big = Path(tmp) / "big.xlsx"
        wb.save(big)
        seconds, found = timed(lambda: scan_package(big), runs=3)
        print(f"link scan, 50,000 SP_ formulas, no external links: {seconds * 1000:.0f} ms median of 3 "
              f"(nothing found: {not found})")
        _with_external_links(big, ["file:///" + OTHER_PC])
        seconds, found = timed(lambda: scan_package(big), runs=3)
        print(f"link scan, 50,000 SP_ formulas, a link to another add-in copy: {seconds * 1000:.0f} ms "
              f"median of 3 ({len(found.formulas)} formulas use it)")
    live = [("Ark1", f"B{r}", f"=SP_GROWTH(A{r}:A{r + 3})") for r in range(50_000)]
    live[123] = ("Ark1", "B124", f"='{OTHER_PC}'!SP_GROWTH(A1:A4)")
    seconds, found = timed(lambda: scan_formulas(live))
    print(f"live formula check (Tjek data), 50,000 formulas: {seconds * 1000:.0f} ms median of 5 "
          f"({len(found.formulas)} found)")


if __name__ == "__main__":
    main()
