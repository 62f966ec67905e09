"""Differential fuzzing of the engine against LibreOffice (prints disagreements; not a test).

Builds seeded workbooks with openpyxl: a data sheet ``D`` of mixed cells (numbers incl.
negative, zero, large and half-way .5 values, text incl. numeric text and Danish letters,
booleans, blanks, error values) and a formula sheet ``F`` with one formula per cell, calling
~150 Excel functions with random but Excel-valid argument mixes. The same file is recomputed
by LibreOffice headless (/work/shared/tools/lo_oracle.py recalc) and by our engine, and every
formula cell is compared: numbers to 1e-9 relative, text exactly, errors by code. A cell the
engine refuses (a Problem) counts as refused, not as a disagreement; a cell LibreOffice
answers with #NAME? (a function LibreOffice 7.4 lacks) is skipped, and so is one where both
give an error and LibreOffice's is one of its own (Err:502, ...). A cell that differs and
reads a logical value is counted apart and listed only with --all: LibreOffice stores TRUE
and FALSE as 1 and 0, so it sums them in ranges and writes them as "1"/"0" in text.

Known LibreOffice-versus-Excel differences seen in the output (do not "fix" these): dates
before 1 March 1900 (LibreOffice has no 29 February 1900), numbers typed as text in
COUNT/MAX/... arguments, #VALUE! where Excel gives #NUM! for LARGE/SMALL/PERCENTILE without
numbers, DOLLAR of a negative number (Excel: ($1.00)), DEC2HEX of a negative fraction
(Excel truncates), FACT over 170 (Excel #NUM!), "*" criteria matching numbers, PERCENTRANK
rounding (Excel truncates to the significance), CODE/CHAR of non-ASCII (LibreOffice: UTF-8
bytes; Excel for Windows: code page 1252), TIME with fractions (Excel truncates each part),
CONVERT's pound (Excel: 0.45359237 kg), error precedence (Excel: the first error in
argument order).

LibreOffice is not Excel: every disagreement must be judged against Excel's documentation
and the Excel-computed corpus before the engine is changed.

    python benchmarks/fuzz_vs_libreoffice.py [--seed N] [--cells N] [--only NAME,NAME]
                                             [--show K] [--keep DIR]
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import math
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ORACLE = Path("/work/shared/tools/lo_oracle.py")
ROWS = 12  # data rows on sheet D

# --- argument kinds ----------------------------------------------------------------------
NUMS = [0, 1, -1, 2, -2, 0.5, -0.5, 1.5, 2.5, -2.5, 3.5, 0.125, 1.005, 2.675, 0.285, 1234.5678,
        -1234.5678, 123456789, 1e-10, 3.14159265358979, 10, 100, 0.1, 0.2, 0.3, 7, 12, 45.5, 1e15]
POS = [0.5, 1, 1.5, 2, 2.5, 3, 4.5, 5, 7, 10, 12.5, 100, 1000, 0.01, 0.1, 36]
INTS = [0, 1, 2, 3, -1, -2, 4, 5, 10]
TEXTS = ["abc", "Æble", "ørred", "Åse", "12", " 3.5 ", "1e3", "", "TRUE", "a b  c", "Hello World", "x*y?",
         "straße", "ABC", "aBc", "-7", "50%", "1/2/2020", "3:15 PM"]
DATES = [1, 59, 60, 61, 366, 36526, 43831, 43890, 43921, 44196, 44255.75, 45000, 45351, 2958465]
FORMATS = ["0", "0.00", "#,##0.00", "0%", "0.0%", "00000", "#,##0", "0.000E+00", "yyyy-mm-dd", "dd/mm/yyyy",
           "d mmm yyyy", "mmmm", "dddd", "hh:mm:ss", "h:mm AM/PM", "[h]:mm", "mm:ss.0", "# ?/?", "0.0;(0.0)",
           "@", "General", "\"kr \"#,##0.00", "0.00;-0.00;\"nul\"", "#.##", "0,0", "$#,##0.00", "[>100]0;0.0"]
CRITERIA = ['">2"', '"<0"', '"<>"', '""', '"=abc"', '"a*"', '"?bc"', '2', '"2"', '">=1.5"', '"<>abc"',
            'TRUE', '"=*"', '"*"', '"<=0"', 'D!A3', '"="']
WILD = ['"3"', '"abc"', 'TRUE', 'FALSE', 'D!Z1', 'NA()', '""', '" 2 "', '1/0']
IMS = ['"3+4i"', '"-2.5j"', '"i"', '"1"', '"0"', '"-1-i"', '"1.5e2+3i"', '"abc"', '3', '"4i"', '"+i"']
BASES = ["2", "8", "10", "16", "36"]
UNITS = ['"m"', '"ft"', '"in"', '"km"', '"C"', '"F"', '"K"', '"kg"', '"lbm"', '"hr"', '"mn"', '"sec"', '"day"']


def fmt_num(x: float) -> str:
    return repr(float(x)).replace("e+", "E").replace("e-", "E-") if isinstance(x, float) else str(x)


class Gen:
    def __init__(self, rnd: random.Random) -> None:
        self.r = rnd

    def num(self) -> str:
        r = self.r
        k = r.random()
        if k < 0.55:
            return fmt_num(r.choice(NUMS))
        if k < 0.75:
            return fmt_num(round(r.uniform(-1000, 1000), r.choice([0, 1, 2, 3, 6])))
        return f"D!A{r.randint(1, ROWS)}"

    def pos(self) -> str:
        return fmt_num(self.r.choice(POS)) if self.r.random() < 0.8 else f"D!E{self.r.randint(1, ROWS)}"

    def int(self) -> str:
        return str(self.r.choice(INTS))

    def text(self) -> str:
        r = self.r
        return json.dumps(r.choice(TEXTS)) if r.random() < 0.75 else f"D!C{r.randint(1, ROWS)}"

    def date(self) -> str:
        r = self.r
        return fmt_num(r.choice(DATES)) if r.random() < 0.6 else fmt_num(r.randint(30000, 50000) + r.choice([0, 0, 0.5, 0.25]))

    def range(self, col: str = "A") -> str:
        a = self.r.randint(1, ROWS - 2)
        b = self.r.randint(a + 1, ROWS)
        return f"D!{col}{a}:{col}{b}"

    def wild(self) -> str:
        r = self.r
        return r.choice(WILD) if r.random() < 0.7 else f"D!B{r.randint(1, ROWS)}"

    def kind(self, k: str) -> str:
        r = self.r
        if k == "n":
            return self.num()
        if k == "p":
            return self.pos()
        if k == "i":
            return self.int()
        if k == "t":
            return self.text()
        if k == "d":
            return self.date()
        if k == "b":
            return r.choice(["TRUE", "FALSE", "0", "1"])
        if k == "r":   # a range of numbers
            return self.range("A")
        if k == "R":   # a range of mixed content
            return self.range(r.choice("ABC"))
        if k == "P":   # a range of positive numbers
            return self.range("E")
        if k == "D":   # a range of dates
            return self.range("D")
        if k == "f":
            return json.dumps(r.choice(FORMATS))
        if k == "c":
            return r.choice(CRITERIA)
        if k == "m":
            return r.choice(IMS)
        if k == "B":
            return r.choice(BASES)
        if k == "u":
            return r.choice(UNITS)
        if k == "v":   # any value
            return r.choice([self.num, self.text, self.wild])()
        if k == "x":   # a rate
            return fmt_num(r.choice([0.05, 0.1, 0.08 / 12, 0, -0.02, 0.5, 0.035]))
        if k == "y":   # a search key for lookups
            return r.choice([self.num, self.text, lambda: f"D!A{r.randint(1, ROWS)}", lambda: f"D!C{r.randint(1, ROWS)}"])()
        if k.startswith("'"):
            return r.choice(k[1:].split("|"))
        raise ValueError(k)


# name: (argument kinds, how many of them are optional at the end); prefix _xlfn. when needed
SPECS: dict[str, tuple[str, int]] = {
    # math
    "ABS": ("n", 0), "ROUND": ("n i", 0), "ROUNDUP": ("n i", 0), "ROUNDDOWN": ("n i", 0), "MROUND": ("n n", 0),
    "CEILING": ("n n", 0), "_xlfn.CEILING.MATH": ("n n i", 2), "FLOOR": ("n n", 0), "_xlfn.FLOOR.MATH": ("n n i", 2),
    "INT": ("n", 0), "TRUNC": ("n i", 1), "MOD": ("n n", 0), "QUOTIENT": ("n n", 0), "POWER": ("n n", 0),
    "SQRT": ("n", 0), "EXP": ("n", 0), "LN": ("n", 0), "LOG": ("p p", 1), "LOG10": ("n", 0), "SIGN": ("n", 0),
    "EVEN": ("n", 0), "ODD": ("n", 0), "FACT": ("n", 0), "COMBIN": ("p p", 0), "PERMUT": ("p p", 0),
    "GCD": ("p p p", 1), "LCM": ("p p", 0), "SUM": ("R n v", 2), "PRODUCT": ("R n", 1), "SUMSQ": ("R n", 1),
    "SUMPRODUCT": ("'D!A1:A5|D!B1:B5|D!E1:E5 'D!A6:A10|D!E6:E10|D!C6:C10", 0),
    "SUMIF": ("R c r", 1), "SUMIFS": ("r R c", 0), "COUNTIF": ("R c", 0), "COUNTIFS": ("R c R c", 2),
    "AVERAGEIF": ("R c r", 1), "_xlfn.ARABIC": ("'\"XIV\"|\"mcmxc\"|\"\"|\"IIII\"|\"-X\"|\"abc\"", 0),
    "ROMAN": ("p 'i", 1), "_xlfn.BASE": ("p B i", 1), "_xlfn.DECIMAL": ("'\"FF\"|\"ff\"|\"101\"|\"zz\"|\"0\"|\"1g\" B", 0),
    "RADIANS": ("n", 0), "DEGREES": ("n", 0), "ATAN2": ("n n", 0), "SIN": ("n", 0), "COS": ("n", 0), "TAN": ("n", 0),
    "SUMX2MY2": ("'D!A1:A4|D!A5:A8 'D!E1:E4|D!B1:B4", 0), "MMULT": ("'D!A1:B2 'D!E1:E2", 0),
    "MDETERM": ("'D!A1:B2|D!E1:F2|D!A1:A2", 0), "_xlfn.COMBINA": ("p p", 0), "SERIESSUM": ("n p p r", 0),
    # text
    "LEN": ("v", 0), "LEFT": ("v i", 1), "RIGHT": ("v i", 1), "MID": ("v p p", 0), "UPPER": ("t", 0), "LOWER": ("t", 0),
    "PROPER": ("t", 0), "TRIM": ("t", 0), "REPT": ("t i", 0), "FIND": ("t t p", 1), "SEARCH": ("t t p", 1),
    "SUBSTITUTE": ("t t t i", 1), "REPLACE": ("t p i t", 0), "EXACT": ("v v", 0), "_xlfn.CONCAT": ("v R v", 1),
    "CONCATENATE": ("v v v", 1), "_xlfn.TEXTJOIN": ("'\",\"|\"\"|\"-\" b R v", 1), "TEXT": ("n f", 0),
    "VALUE": ("t", 0), "FIXED": ("n i b", 2), "CHAR": ("p", 0), "CODE": ("t", 0), "CLEAN": ("t", 0), "T": ("v", 0),
    "N": ("v", 0), "DOLLAR": ("n i", 1), "_xlfn.NUMBERVALUE": ("t", 0), "UNICHAR": ("p", 0),
    # date
    "DATE": ("'2020|1900|2024|99|-1 '13|0|2|-3 '31|0|29|-1", 0), "YEAR": ("d", 0), "MONTH": ("d", 0),
    "DAY": ("d", 0), "WEEKDAY": ("d '1|2|3|11|17", 1), "WEEKNUM": ("d '1|2|21|11", 1), "_xlfn.ISOWEEKNUM": ("d", 0),
    "EDATE": ("d i", 0), "EOMONTH": ("d i", 0), "DATEDIF": ("'D!D1|43831 d '\"Y\"|\"M\"|\"D\"|\"MD\"|\"YM\"|\"YD\"", 0),
    "_xlfn.DAYS": ("d d", 0), "DAYS360": ("d d b", 1), "YEARFRAC": ("d d '0|1|2|3|4", 1),
    "NETWORKDAYS": ("d d D", 1), "WORKDAY": ("d i D", 1), "TIME": ("i n n", 0), "HOUR": ("n", 0),
    "MINUTE": ("n", 0), "SECOND": ("n", 0), "DATEVALUE": ("'\"2020-01-31\"|\"1/2/2020\"|\"31-jan-2020\"|\"abc\"", 0),
    "TIMEVALUE": ("'\"3:15 PM\"|\"15:15:30\"|\"25:00\"|\"x\"", 0),
    # financial
    "PMT": ("x p n n i", 2), "IPMT": ("x '1|2|3 p n n i", 2), "PPMT": ("x '1|2|3 p n n i", 2),
    "FV": ("x p n n i", 2), "PV": ("x p n n i", 2), "NPER": ("x n n n i", 2), "RATE": ("p n n n i", 2),
    "NPV": ("x R n", 1), "IRR": ("'D!F1:F6|D!A1:A6", 0), "SLN": ("n n p", 0), "SYD": ("p n p p", 0),
    "DB": ("p p p p p", 1), "DDB": ("p p p p p", 1), "VDB": ("p p p p p p b", 2), "EFFECT": ("x p", 0),
    "NOMINAL": ("x p", 0), "CUMIPMT": ("x p p p p '0|1", 0), "CUMPRINC": ("x p p p p '0|1", 0),
    "FVSCHEDULE": ("n R", 0), "ISPMT": ("x p p n", 0), "MIRR": ("'D!F1:F6 x x", 0), "PDURATION": ("x p p", 0),
    "_xlfn.RRI": ("p n n", 0), "DOLLARDE": ("n p", 0), "DOLLARFR": ("n p", 0),
    # engineering
    "DEC2BIN": ("n i", 1), "DEC2HEX": ("n i", 1), "DEC2OCT": ("n i", 1),
    "BIN2DEC": ("'\"101\"|\"1111111111\"|\"2\"|101|\"\"", 0), "HEX2DEC": ("'\"FF\"|\"fffffffff\"|\"G\"|\"1e\"", 0),
    "OCT2DEC": ("'\"17\"|\"7777777777\"|\"8\"", 0), "HEX2BIN": ("'\"F\"|\"1FF\"|\"FFFFFFFFFF\" i", 1),
    "_xlfn.BITAND": ("p p", 0), "_xlfn.BITOR": ("p p", 0), "_xlfn.BITXOR": ("p p", 0), "_xlfn.BITLSHIFT": ("p i", 0),
    "DELTA": ("n n", 1), "GESTEP": ("n n", 1), "IMREAL": ("m", 0), "IMAGINARY": ("m", 0), "IMABS": ("m", 0),
    "CONVERT": ("n u u", 0), "ERF": ("n n", 1), "ERFC": ("n", 0),
    # statistics
    "AVERAGE": ("R n v", 2), "AVERAGEA": ("R v", 1), "MEDIAN": ("R n", 1), "MODE": ("R", 0), "_xlfn.MODE.SNGL": ("R", 0),
    "STDEV": ("R n", 1), "_xlfn.STDEV.P": ("R", 0), "VAR": ("R n", 1), "_xlfn.VAR.P": ("R", 0), "MAX": ("R n v", 2),
    "MIN": ("R n v", 2), "MAXA": ("R v", 1), "MINA": ("R v", 1), "COUNT": ("R v v", 2), "COUNTA": ("R v v", 2),
    "COUNTBLANK": ("R", 0), "LARGE": ("R '1|2|3|0|20", 0), "SMALL": ("R '1|2|3|0|20", 0),
    "RANK": ("y r '0|1", 1), "_xlfn.RANK.EQ": ("y r '0|1", 1), "_xlfn.RANK.AVG": ("y r '0|1", 1),
    "PERCENTILE": ("R '0|0.25|0.5|0.9|1|1.5", 0), "_xlfn.PERCENTILE.EXC": ("r '0.1|0.25|0.5|0.9", 0),
    "QUARTILE": ("R '0|1|2|3|4|5", 0), "PERCENTRANK": ("r n '3|1|2", 1),
    "_xlfn.NORM.DIST": ("n n p b", 0), "_xlfn.NORM.S.DIST": ("n b", 0), "_xlfn.NORM.INV": ("'0.1|0.5|0.975|0|1 n p", 0),
    "NORMSINV": ("'0.1|0.5|0.975|0.001", 0), "_xlfn.BINOM.DIST": ("'0|1|3|5 '5|10 '0.5|0.2 b", 0),
    "_xlfn.POISSON.DIST": ("'0|1|3|5 p b", 0), "_xlfn.EXPON.DIST": ("p p b", 0), "CORREL": ("'D!A1:A6 'D!F1:F6", 0),
    "SLOPE": ("'D!A1:A6 'D!F1:F6", 0), "INTERCEPT": ("'D!A1:A6 'D!F1:F6", 0), "FORECAST": ("n 'D!A1:A6 'D!F1:F6", 0),
    "GEOMEAN": ("P", 0), "HARMEAN": ("P", 0), "AVEDEV": ("R", 0), "DEVSQ": ("R", 0), "KURT": ("r", 0),
    "SKEW": ("r", 0), "STANDARDIZE": ("n n p", 0), "TRIMMEAN": ("r '0|0.2|0.5", 0),
    "TREND": ("'D!F1:F6 'D!A1:A6 n", 0), "GROWTH": ("'D!E1:E6 'D!A1:A6 n", 0), "FISHER": ("'0.5|-0.9|0|1", 0),
    "GAMMALN": ("p", 0), "_xlfn.GAMMA": ("n", 0), "_xlfn.T.DIST": ("n p b", 0), "CHIDIST": ("p p", 0),
    # lookup
    "VLOOKUP": ("y 'D!A1:C12|D!C1:E12 '1|2|3 b", 1), "HLOOKUP": ("y 'D!A1:F3 '1|2 b", 1),
    "MATCH": ("y 'D!A1:A12|D!C1:C12|D!B1:B12 '0|1|-1", 1), "INDEX": ("'D!A1:C12 '1|3|12 '1|2", 1),
    "LOOKUP": ("y 'D!A1:A12|D!C1:C12|D!B1:B12 'D!F1:F12", 1), "CHOOSE": ("'1|2|3|0|1.5 v v v", 1),
    "OFFSET": ("'D!A3 '1|-1 '1 '1|2 '1", 2), "INDIRECT": ("'\"D!A3\"|\"D!B5\"|\"D!Q99\"|\"x!!\"", 0),
    "ROWS": ("R", 0), "COLUMNS": ("'D!A1:C3", 0), "SUBTOTAL": ("'1|2|3|4|5|6|7|9|101|109|10|11 R", 0),
    "_xlfn.AGGREGATE": ("'1|4|5|9|14|15|16 '6|4|0 R '1|2", 1),
    "_xlfn.XLOOKUP": ("y 'D!A1:A12|D!C1:C12 'D!F1:F12 '\"nf\" '0|-1|1|2 '1|-1|2", 3),
    "_xlfn.XMATCH": ("y 'D!A1:A12|D!C1:C12 '0|-1|1|2 '1|-1", 2),
    # logical / information
    "IF": ("v v v", 1), "IFERROR": ("v v", 0), "_xlfn.IFNA": ("v v", 0), "AND": ("v v R", 1), "OR": ("v v R", 1),
    "_xlfn.XOR": ("v v", 0), "NOT": ("v", 0), "_xlfn.SWITCH": ("v '1|\"abc\"|TRUE v '2|\"Æble\" v v", 2),
    "ISNUMBER": ("v", 0), "ISTEXT": ("v", 0), "ISBLANK": ("v", 0), "ISERROR": ("v", 0), "ISNA": ("v", 0),
    "ISEVEN": ("n", 0), "ISODD": ("n", 0), "ISLOGICAL": ("v", 0), "TYPE": ("v", 0), "ERROR.TYPE": ("v", 0),
    "_xlfn.IFS": ("v v 'TRUE v", 2), "ISREF": ("'D!A1|1|D!A1:B2", 0),
}


def formula(g: Gen, name: str) -> str:
    kinds, optional = SPECS[name]
    ks = re.findall(r'(?:"[^"]*"|[^ "])+', kinds)
    n = len(ks) - g.r.randint(0, optional)
    args = []
    for k in ks[:n]:
        a = g.kind(k)
        if k in "npitdbx" and g.r.random() < 0.15:
            a = g.wild()
        args.append(a)
    return f"={name}({','.join(args)})"


def data_sheet(ws, rnd: random.Random) -> None:
    mixed = [lambda: rnd.choice(NUMS), lambda: rnd.choice(TEXTS), lambda: rnd.choice([True, False]),
             lambda: None, lambda: rnd.choice(["#N/A", "#DIV/0!", "#VALUE!"]), lambda: rnd.choice(["1", "2.5", "-3"])]
    for i in range(1, ROWS + 1):
        ws[f"A{i}"] = rnd.choice(NUMS[:-1]) if rnd.random() < 0.7 else round(rnd.uniform(-50, 50), 2)
        v = rnd.choice(mixed)()
        if v is not None:
            ws[f"B{i}"] = v
        ws[f"C{i}"] = rnd.choice(TEXTS + ["abc", "xyz", "Æble", "1"])
        ws[f"D{i}"] = rnd.choice(DATES[:-1])
        ws[f"E{i}"] = rnd.choice(POS)
        ws[f"F{i}"] = round(rnd.uniform(-100, 100), rnd.choice([0, 2]))


def build(path: Path, seed: int, cells: int, only: list[str]) -> dict[str, str]:
    import openpyxl
    rnd = random.Random(seed)
    g = Gen(rnd)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "F"
    data_sheet(wb.create_sheet("D"), rnd)
    names = only or sorted(SPECS)
    where: dict[str, str] = {}
    per = max(1, cells // len(names))
    i = 0
    for name in names:
        for _ in range(per):
            i += 1
            ref = f"A{i}"
            ws[ref] = formula(g, name)
            where[ref] = name
    wb.save(path)
    return where


# --- comparing ---------------------------------------------------------------------------

def lo_value(cell: dict) -> object:
    if cell["type"] == "error":
        return ("err", cell["error"])
    return cell["value"]


def ours_value(v: object) -> object:
    from sp_xl.engine.values import EMPTY, is_error
    if is_error(v):
        return ("err", str(v))
    if hasattr(v, "code") and hasattr(v, "reason_en"):   # an sp_xl.errors.ExcelError
        return ("err", v.code)
    if v is EMPTY:
        return 0.0
    return v


def same(a: object, b: object) -> bool:
    if isinstance(a, tuple) or isinstance(b, tuple):
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            return True
        return False
    return a == b


_REF = re.compile(r"D!([A-Z])(\d+)(?::([A-Z])(\d+))?")


def touches_logical(formula: str, data: dict) -> bool:
    """Whether a formula reads a logical value: LibreOffice stores TRUE/FALSE as the numbers
    1/0 (SUM over a TRUE cell adds 1, CONCATENATE(TRUE) gives "1"), Excel does not."""
    if "TRUE" in formula.upper() or "FALSE" in formula.upper():
        return True
    for m in _REF.finditer(formula):
        c1, r1 = m.group(1), int(m.group(2))
        c2, r2 = (m.group(3), int(m.group(4))) if m.group(3) else (c1, r1)
        for col in range(ord(c1), ord(c2) + 1):
            for row in range(r1, r2 + 1):
                if (data.get(f"{chr(col)}{row}") or {}).get("type") == "bool":
                    return True
    return False


def run(seed: int, cells: int, only: list[str], show: int, keep: Path | None, everything: bool = False) -> int:
    from sp_xl.engine.evaluate import evaluate
    from sp_xl.ooxml.package import XlsxPackage
    tmp = Path(tempfile.mkdtemp(prefix="fuzz_lo_")) if keep is None else keep
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / f"fuzz_{seed}.xlsx"
    where = build(path, seed, cells, only)
    t0 = time.perf_counter()
    out = tmp / f"fuzz_{seed}.json"
    subprocess.run(["/usr/bin/python3", str(ORACLE), "--timeout", "300", "recalc", str(path), str(out)],
                   check=True, capture_output=True)
    t1 = time.perf_counter()
    book = json.loads(out.read_text(encoding="utf-8"))
    lo, data = book["F"], book.get("D", {})
    faulthandler.dump_traceback_later(240, exit=True)   # a hang in the engine is a finding too
    ev = evaluate(XlsxPackage(path.read_bytes(), path.name))
    faulthandler.cancel_dump_traceback_later()
    t2 = time.perf_counter()
    refused = {p.ref: p.reason_en for p in ev.problems if p.sheet == "F"}
    stats: dict[str, Counter] = defaultdict(Counter)
    diffs: dict[str, list[str]] = defaultdict(list)
    for ref, name in where.items():
        cell = lo.get(ref)
        theirs = lo_value(cell) if cell else None
        f = cell["formula"] if cell else "?"
        if theirs == ("err", "#NAME?"):
            stats[name]["LO lacks"] += 1
            continue
        if ref in refused:
            stats[name]["refused"] += 1
            continue
        ours = ours_value(ev.values.get(("F", ref)))
        if isinstance(theirs, tuple) and theirs[1].startswith("Err:") and isinstance(ours, tuple):
            stats[name]["LO Err:nnn"] += 1   # LibreOffice's own error kinds have no Excel code
            continue
        if same(ours, theirs):
            stats[name]["agree"] += 1
        elif not everything and touches_logical(f, data):
            stats[name]["logical"] += 1    # LibreOffice's TRUE is the number 1; see touches_logical
        else:
            stats[name]["differ"] += 1
            diffs[name].append(f"{ref} {f}  LO={theirs!r} ours={ours!r}")
    total = Counter()
    for name in sorted(stats):
        total.update(stats[name])
        if stats[name]["differ"]:
            s = stats[name]
            print(f"{name:24} differ {s['differ']:3}  agree {s['agree']:3}  refused {s['refused']:3}")
            for line in diffs[name][:show]:
                print("    " + line)
    print(f"\nseed {seed}: {sum(total.values())} cells, agree {total['agree']}, differ {total['differ']}, "
          f"refused {total['refused']}, LibreOffice lacks {total['LO lacks']}, LibreOffice error kinds "
          f"{total['LO Err:nnn']}, differ but reading a logical {total['logical']} (--all lists them)   "
          f"[LibreOffice {t1 - t0:.1f} s, engine {t2 - t1:.1f} s; {path}]")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cells", type=int, default=3000)
    ap.add_argument("--only", default="", help="comma-separated function names as in SPECS")
    ap.add_argument("--show", type=int, default=4, help="disagreements listed per function")
    ap.add_argument("--keep", type=Path, default=None, help="directory for the workbook and LibreOffice's JSON")
    ap.add_argument("--all", action="store_true", help="also list cells that read a logical value")
    a = ap.parse_args(argv)
    only = [n for n in a.only.split(",") if n]
    return run(a.seed, a.cells, only, a.show, a.keep, a.all)


if __name__ == "__main__":
    raise SystemExit(main())
