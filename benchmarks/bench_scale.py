"""How `sp-xl refresh` scales with plain formula cells, against LibreOffice in the same run.

Workload: a data sheet of N rows, each with five filled-down formulas of the kinds staff
type (ROUND, VLOOKUP, INDEX/MATCH, IF, DATE/WEEKDAY) reading the row and a 50-row lookup
sheet: 5N formula cells. For 10k, 100k and 500k formula cells it prints the wall time of a
whole `sp-xl refresh` process (start, imports, read, evaluate, write, verify), its peak
memory and bytes per formula cell, and LibreOffice's headless recalculation + save of the
same file (`lo_oracle.py roundtrip`), with the ratio; and, where the `ironcalc` package is
installed (it is not a dependency: `pip install ironcalc`), IronCalc's load + evaluate +
save of the file in a fresh process. Issue 15's aims: sp-xl <= 0.5x LibreOffice's time at
500k cells, <= 1 KB per formula cell, cost linear in cells.

With --shared the five columns are stored as Excel saves a filled-down column: one shared
formula per column (``<f t="shared" ref=.. si=..>``, the other cells ``<f t="shared"
si=../>``), each cell with a cached value, as in a workbook last saved by Excel.

    python benchmarks/bench_scale.py [--cells 10000 100000 500000] [--repeat 1] [--no-lo] [--shared]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import random
import re
import zipfile
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.bench_refresh import lo_roundtrip, sp_refresh, use_bytecode_cache  # noqa: E402

FORMULAS = ("=ROUND(C{r}*1.25,2)",
            "=VLOOKUP(B{r},Opslag!$A$2:$B$51,2,FALSE)",
            "=INDEX(Opslag!$C$2:$C$51,MATCH(B{r},Opslag!$A$2:$A$51,0))",
            '=IF(C{r}>100,"Stor","Lille")',
            "=WEEKDAY(DATE(YEAR(A{r}),MONTH(A{r}),1),2)")


def plain_rows(path: Path, rows: int) -> Path:
    rnd = random.Random(rows)
    wb = openpyxl.Workbook(write_only=True)
    data = wb.create_sheet("Data")
    data.append(["Dato", "Afdeling", "Beløb", "", "", "Afrundet", "Region", "Leder", "Størrelse", "Ugedag"])
    start = dt.date(2018, 1, 1)
    for i in range(rows):
        r = i + 2
        data.append([start + dt.timedelta(days=i % 1800), f"A{rnd.randint(1, 50):02d}",
                     round(rnd.uniform(0, 200), 3), None, None, *(f.format(r=r) for f in FORMULAS)])
    look = wb.create_sheet("Opslag")
    look.append(["Kode", "Region", "Leder"])
    for k in range(1, 51):
        look.append([f"A{k:02d}", f"Region {k % 5 + 1}", f"Leder {k}"])
    wb.save(path)
    return path


_IRONCALC = """
import sys, time, resource
import ironcalc
t0 = time.perf_counter()
model = ironcalc.load_from_xlsx(sys.argv[1], "en", "UTC")
model.evaluate()
model.save_to_xlsx(sys.argv[2])
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def ironcalc_run(src: Path, out: Path) -> float | None:
    """Wall seconds of IronCalc's load + evaluate + save in a fresh process (None: failed)."""
    out.unlink(missing_ok=True)             # IronCalc will not write over a file
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _IRONCALC, str(src), str(out)], capture_output=True, text=True)
    return time.perf_counter() - t0 if proc.returncode == 0 else None


def as_shared(path: Path) -> Path:
    """The data sheet's formula columns rewritten as Excel stores them: shared formulas with
    a cached value (0) in every cell."""
    data = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            data[info.filename] = z.read(info.filename)
    xml = data["xl/worksheets/sheet1.xml"].decode()
    first: dict[str, tuple[int, str]] = {}
    last_row = max(int(r) for r in re.findall(r'<row r="(\d+)"', xml))

    def shared(m: re.Match) -> str:
        col, row, text = m.group(1), int(m.group(2)), m.group(3)
        if col not in first:
            first[col] = (len(first), text)
            return (f'<c r="{col}{row}"><f t="shared" ref="{col}{row}:{col}{last_row}" si="{first[col][0]}">'
                    f'{text}</f><v>0</v></c>')
        return f'<c r="{col}{row}"><f t="shared" si="{first[col][0]}"/><v>0</v></c>'
    xml = re.sub(r'<c r="([F-J])(\d+)"><f>(.*?)</f><v></v></c>', shared, xml)
    data["xl/worksheets/sheet1.xml"] = xml.encode()
    out = path.with_name(path.stem + "_shared.xlsx")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in data.items():
            z.writestr(name, blob)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cells", type=int, nargs="+", default=[10_000, 100_000, 500_000])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-lo", action="store_true", help="skip LibreOffice")
    ap.add_argument("--keep", type=Path, help="keep the generated workbooks in this folder")
    ap.add_argument("--shared", action="store_true", help="filled-down columns as shared formulas, as Excel saves")
    args = ap.parse_args()
    lo = not args.no_lo and shutil.which("soffice") is not None
    ironcalc = importlib.util.find_spec("ironcalc") is not None
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = args.keep or Path(tmp_name)
        tmp.mkdir(parents=True, exist_ok=True)
        use_bytecode_cache(tmp / "pycache")
        print(f"{'cells':>8} {'sp-xl s':>8} {'MB':>6} {'B/cell':>7} {'LO s':>7} {'sp/LO':>6} {'IronCalc s':>10}  phases")
        first = None
        for cells in args.cells:
            src = plain_rows(tmp / f"plain_{cells}.xlsx", cells // len(FORMULAS))
            if args.shared:
                src = as_shared(src)
            best = None
            for i in range(args.repeat):
                work = tmp / f"work_{cells}_{i}.xlsx"
                shutil.copy(src, work)
                result = sp_refresh(work)
                best = result if best is None or result[0] < best[0] else best
            wall, peak, detail = best
            lo_s = min(lo_roundtrip(src, tmp / f"lo_{cells}_{i}.xlsx") for i in range(args.repeat)) if lo else None
            per_cell = peak * 1024 * 1024 / cells
            ratio = f"{wall / lo_s:6.2f}" if lo_s else "     -"
            lo_txt = f"{lo_s:7.2f}" if lo_s else "      -"
            ic_s = ironcalc_run(src, tmp / f"ic_{cells}.xlsx") if ironcalc else None
            ic_txt = f"{ic_s:10.2f}" if ic_s else "         -"
            print(f"{cells:>8,} {wall:8.2f} {peak:6.0f} {per_cell:7.0f} {lo_txt} {ratio} {ic_txt}  {detail}", flush=True)
            first = first or (cells, wall)
        if len(args.cells) > 1:
            print(f"linearity: time per cell at the largest size is "
                  f"{(wall / cells) / (first[1] / first[0]):.2f}x the smallest's (includes fixed start-up)")


if __name__ == "__main__":
    main()
