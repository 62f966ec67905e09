"""Micro-benchmark of the formula engine (sp_xl.engine.evaluate).

Prints formula cells per second and peak memory for:
  * 10k and 100k data rows with a few hundred aggregate formulas (SUMIFS/COUNTIFS per
    department and month, SUM, AVERAGE, MAX, INDEX/MATCH), and 10 SUMPRODUCTs over 100k rows,
  * 10k and 100k row-wise formulas (one computed column per data row),
  * optionally (--master) a generated master: 5 years of weekly and monthly data for 50
    departments, refreshed end to end (read .xlsx, evaluate, write) against LibreOffice's
    headless recalculation + save of the same file.

  * optionally (--refresh100k) `refresh()` of a 100k-row .xlsx end to end, in a new process.

Run:  python benchmarks/bench_engine.py [--refresh100k] [--master]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sp_xl.engine.evaluate import evaluate  # noqa: E402
from sp_xl.ooxml.model import FormulaCell  # noqa: E402

DEPARTMENTS = [f"Afdeling {i:02d}" for i in range(50)]


Formula = FormulaCell  # the package layer's formula cell, built by hand here


class Package:
    def __init__(self, sheets, formulas, names=None):
        self.sheet_names = list(sheets)
        self._sheets = sheets
        self._formulas = formulas
        self.defined_names = names or {}
        self.date1904 = False

    def cells(self, sheet):
        return self._sheets[sheet]

    def formulas(self):
        return self._formulas

    def tables(self):
        return {}


def data_sheet(rows: int) -> dict[str, object]:
    cells: dict[str, object] = {"A1": "Afdeling", "B1": "Måned", "C1": "Oprettede", "D1": "Lukkede"}
    for r in range(2, rows + 2):
        i = r - 2
        cells[f"A{r}"] = DEPARTMENTS[i % 50]
        cells[f"B{r}"] = float(1 + (i // 50) % 12)
        cells[f"C{r}"] = float((i * 7919) % 600)
        cells[f"D{r}"] = float((i * 104729) % 590)
    return cells


def aggregate_case(rows: int) -> Package:
    last = rows + 1
    fs = []
    r = 1
    for dep in range(50):                          # 50 departments x 4 months of SUMIFS
        for month in range(1, 5):
            fs.append(Formula("Rapport", f"B{r}", f'SUMIFS(Data!$C$2:$C${last},Data!$A$2:$A${last},'
                                                 f'"{DEPARTMENTS[dep]}",Data!$B$2:$B${last},{month})'))
            r += 1
    for dep in range(50):
        fs.append(Formula("Rapport", f"B{r}", f'COUNTIF(Data!$A$2:$A${last},"{DEPARTMENTS[dep]}")'))
        r += 1
    fs += [Formula("Rapport", f"B{r}", f"SUM(Data!C2:C{last})"),
           Formula("Rapport", f"B{r + 1}", f"AVERAGE(Data!D2:D{last})"),
           Formula("Rapport", f"B{r + 2}", f"MAX(Data!C2:C{last})-MIN(Data!C2:C{last})"),
           Formula("Rapport", f"B{r + 3}", f"SUM(Data!C2:C{last})-SUM(Data!D2:D{last})"),
           Formula("Rapport", f"B{r + 4}", f'INDEX(Data!A2:A{last},MATCH(MAX(Data!C2:C{last}),Data!C2:C{last},0))')]
    return Package({"Data": data_sheet(rows), "Rapport": {}}, fs)


def sumproduct_case(rows: int, formulas: int = 10) -> Package:
    last = rows + 1
    fs = [Formula("Rapport", f"A{i}", f'SUMPRODUCT((Data!$A$2:$A${last}="{DEPARTMENTS[i]}")*'
                                       f'(Data!$B$2:$B${last}=3)*Data!$C$2:$C${last})') for i in range(formulas)]
    return Package({"Data": data_sheet(rows), "Rapport": {}}, fs)


def rowwise_case(rows: int) -> Package:
    fs = []
    for r in range(2, rows + 2):
        fs.append(Formula("Data", f"E{r}", f"C{r}-D{r}"))
        fs.append(Formula("Data", f"F{r}", f'IF(C{r}>0,ROUND(D{r}/C{r}*100,1),"")'))
    fs.append(Formula("Data", "H1", f"SUM(E2:E{rows + 1})"))
    return Package({"Data": data_sheet(rows)}, fs)


def measure(name: str, pkg: Package) -> float:
    n = len(pkg.formulas())
    t = time.perf_counter()
    ev = evaluate(pkg)
    dt = time.perf_counter() - t
    assert not ev.problems, ev.problems[:3]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name:<48} {n:>8} formulas {dt:8.3f} s {n / dt:>12,.0f} cells/s   peak RSS {peak:,.0f} MB", flush=True)
    return dt


def build_master(path: Path) -> None:
    """5 years of weekly (260 weeks) and monthly (60 months) data for 50 departments, with the
    report's computations as formulas (backlog, net flow, growth, shares, totals)."""
    import openpyxl
    wb = openpyxl.Workbook()
    weekly = wb.active
    weekly.title = "Uger"
    weekly.append(["Afdeling", "Uge", "Oprettede", "Lukkede", "Netto", "Backlog", "Andel lukket"])
    r = 2
    for d, dep in enumerate(DEPARTMENTS):
        first = r
        for w in range(260):
            weekly.append([dep, w + 1, (d * 31 + w * 17) % 90 + 10, (d * 29 + w * 13) % 85 + 10])
            weekly[f"E{r}"] = f"=C{r}-D{r}"
            weekly[f"F{r}"] = f"=E{r}" if r == first else f"=F{r - 1}+E{r}"
            weekly[f"G{r}"] = f'=IFERROR(D{r}/C{r},"")'
            r += 1
    monthly = wb.create_sheet("Måneder")
    monthly.append(["Afdeling", "Måned", "Aktive", "Mål", "Målopfyldelse", "Vækst"])
    r = 2
    for d, dep in enumerate(DEPARTMENTS):
        for m in range(60):
            monthly.append([dep, m + 1, 1000 + d * 10 + m * 7, 1500])
            monthly[f"E{r}"] = f"=ROUND(C{r}/D{r},3)"
            monthly[f"F{r}"] = "" if m == 0 else f"=IFERROR((C{r}-C{r - 1})/C{r - 1},0)"
            r += 1
    summary = wb.create_sheet("Oversigt")
    summary.append(["Afdeling", "Oprettede i alt", "Lukkede i alt", "Gns. aktive", "Maks backlog", "Status"])
    last_w, last_m = 260 * 50 + 1, 60 * 50 + 1
    for d, dep in enumerate(DEPARTMENTS, 2):
        summary[f"A{d}"] = dep
        summary[f"B{d}"] = f"=SUMIF(Uger!$A$2:$A${last_w},A{d},Uger!$C$2:$C${last_w})"
        summary[f"C{d}"] = f"=SUMIF(Uger!$A$2:$A${last_w},A{d},Uger!$D$2:$D${last_w})"
        summary[f"D{d}"] = f"=AVERAGEIF('Måneder'!$A$2:$A${last_m},A{d},'Måneder'!$C$2:$C${last_m})"
        summary[f"E{d}"] = f"=INDEX(Uger!$F$2:$F${last_w},MATCH(A{d},Uger!$A$2:$A${last_w},0)+259)"
        summary[f"F{d}"] = f'=IF(B{d}>C{d},"Rød",IF(B{d}=C{d},"Gul","Grøn"))'
    summary["H1"] = "=SUM(B2:B51)"
    summary["H2"] = "=SUMPRODUCT(B2:B51,C2:C51)/SUM(C2:C51)"
    wb.save(path)


def master_comparison(repeat: int = 3) -> None:
    """End to end, each in a fresh process: `refresh()` (read, evaluate, write atomically)
    versus LibreOffice headless recalc + save (lo_oracle roundtrip). Best of ``repeat``."""
    from sp_xl.ooxml.package import XlsxPackage
    lo_oracle = ROOT.parent / "shared" / "tools" / "lo_oracle.py"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build_master(tmp / "master.xlsx")
        lo_times = []
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run([sys.executable, str(lo_oracle), "roundtrip", str(tmp / "master.xlsx"), str(tmp / "lo.xlsx")],
                           check=True, capture_output=True)
            lo_times.append(time.perf_counter() - t)
        # LibreOffice's output carries cached values, like a master that Excel saved.
        pkg = XlsxPackage.open(tmp / "lo.xlsx")
        t = time.perf_counter()
        ev = evaluate(pkg)
        t_eval = time.perf_counter() - t
        ours = []
        script = "import sys; from sp_xl.actions.refresh import refresh; refresh(sys.argv[1], backup=False)"
        for _ in range(repeat):
            shutil.copy(tmp / "lo.xlsx", tmp / "ours.xlsx")
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", script, str(tmp / "ours.xlsx")], check=True, capture_output=True,
                           cwd=ROOT)
            ours.append(time.perf_counter() - t)
        print(f"master, 5 years weekly+monthly x 50 departments: {len(pkg.formulas())} formulas, "
              f"{len(ev.problems)} problems; engine alone {t_eval:.2f} s")
        print(f"  sp-xl refresh (new process: import, read, evaluate, write): best {min(ours):.2f} s")
        print(f"  LibreOffice headless recalc+save (new soffice each time):   best {min(lo_times):.2f} s"
              f"  -> sp-xl is {min(lo_times) / min(ours):.1f}x faster")


def build_100k(path: Path, rows: int = 100_000) -> int:
    """100,000 data rows (department, month, created, closed) plus a row-wise net column and
    a report sheet of 255 aggregates, written with openpyxl (no cached values)."""
    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    data = wb.create_sheet("Data")
    data.append(["Afdeling", "Måned", "Oprettede", "Lukkede", "Netto"])
    for i in range(rows):
        r = i + 2
        data.append([DEPARTMENTS[i % 50], 1 + (i // 50) % 12, (i * 7919) % 600, (i * 104729) % 590, f"=C{r}-D{r}"])
    report = wb.create_sheet("Rapport")
    for f in aggregate_case(rows).formulas():
        report.append(["=" + f.formula])
    wb.save(path)
    return rows + 255


def refresh_100k(repeat: int = 2) -> None:
    """End to end in a fresh process, as `sp-xl refresh` runs it: wall time and peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "data100k.xlsx"
        n = build_100k(src)
        script = ("import resource, sys, time; t = time.perf_counter(); "
                  "from sp_xl.actions.refresh import refresh; refresh(sys.argv[1], backup=False); "
                  "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
        for _ in range(repeat):
            target = Path(tmp) / "run.xlsx"
            shutil.copy(src, target)
            out = subprocess.run([sys.executable, "-c", script, str(target)], check=True, capture_output=True,
                                 text=True, cwd=ROOT).stdout.split()
            print(f"refresh of 100k data rows ({n} formulas, {src.stat().st_size / 1e6:.1f} MB): "
                  f"{float(out[-2]):.2f} s, peak RSS {float(out[-1]):.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--master", action="store_true", help="also compare a generated master with LibreOffice")
    ap.add_argument("--refresh100k", action="store_true", help="also refresh a 100k-row .xlsx end to end")
    args = ap.parse_args()
    measure("aggregates (255 formulas) over 10k rows", aggregate_case(10_000))
    measure("aggregates (255 formulas) over 100k rows", aggregate_case(100_000))
    measure("SUMPRODUCT((A=x)*(B=3)*C) over 100k rows", sumproduct_case(100_000))
    measure("10k row-wise formulas (5k rows x 2)", rowwise_case(5_000))
    measure("100k row-wise formulas (50k rows x 2)", rowwise_case(50_000))
    if args.refresh100k:
        refresh_100k()
    if args.master and shutil.which("soffice"):
        master_comparison()


if __name__ == "__main__":
    main()
