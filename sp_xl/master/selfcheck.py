"""`sp-xl selfcheck`: the self-check workbook for the acceptance test on a Windows PC.

Opened in Excel with the add-in installed, it computes every SP_ function on known inputs
and shows one cell OK/FEJL per function and a total. The expected values are computed here
by the same Python functions Excel calls through the add-in (``sp_xl.udfs``), from the same
inputs the formulas read; what the workbook then tests is the whole path in Excel: the VBA
wrapper, xlwings, the function server and the conversions back into cells.

A numeric result is checked by its count of numbers and its sum (so a column, a row or a
single value all compare the same way, whatever Excel spills); a text result exactly.
SP_FEJLTEKST, written in VBA, is checked on a cell holding =1/0.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from sp_xl.udfs import functions

SHEET = "Selvtjek"
TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 4, 5
# Known inputs (sheet "Data"): a monthly series, cases created and closed, labels, dates.
SERIES = [126446, 140000, 160000, 174975]
CREATED = [10, 12, 8, 15]
CLOSED = [14, 15, 16, 17]
LABELS = ["jan", "feb", "mar", "apr"]
SENT = [45292, 45293]        # 2024-01-01, 2024-01-02 as Excel date serials
ANSWERED = [45293, 45300]


@dataclass(frozen=True)
class Case:
    function: str
    excel_args: tuple[str, ...]        # as the formula writes them
    python_args: tuple[object, ...]    # as xlwings passes them (2-D, ndim=2)


def _col(values: list) -> list[list]:
    return [[v] for v in values]


def _one(v: object) -> list[list]:
    return [[v]]


S, C, D, L = "Data!$B$2:$B$5", "Data!$C$2:$C$5", "Data!$D$2:$D$5", "Data!$E$2:$E$5"
SENT_REF, ANSWERED_REF = "Data!$F$2:$F$3", "Data!$G$2:$G$3"

CASES = (
    Case("SP_ATTAINMENT", ("0.11", "0.25"), (_one(0.11), _one(0.25))),
    Case("SP_GAP", ("0.11", "0.25"), (_one(0.11), _one(0.25))),
    Case("SP_STATUS", ("0.22", "0.25"), (_one(0.22), _one(0.25))),
    Case("SP_SHARE", ("30", "120"), (_one(30), _one(120))),
    Case("SP_REQUIRED", ("1000", "0.05"), (_one(1000), _one(0.05))),
    Case("SP_GROWTH", (S,), (_col(SERIES),)),
    Case("SP_GROWTH_PCT", (S,), (_col(SERIES),)),
    Case("SP_AVG_GROWTH_PCT", (S,), (_col(SERIES),)),
    Case("SP_CHANGES", (S,), (_col(SERIES),)),
    Case("SP_CUMULATIVE", (S,), (_col(SERIES),)),
    Case("SP_BACKLOG", (C, D, "20"), (_col(CREATED), _col(CLOSED), _one(20))),
    Case("SP_NETFLOW", (C, D), (_col(CREATED), _col(CLOSED))),
    Case("SP_TREND", (S,), (_col(SERIES),)),
    Case("SP_FORECAST", (S, "2"), (_col(SERIES), _one(2))),
    Case("SP_WEEKS_TO_CLEAR", (C, D, "20"), (_col(CREATED), _col(CLOSED), _one(20))),
    Case("SP_PEAK", (S, L), (_col(SERIES), _col(LABELS))),
    Case("SP_TOPN", (L, S, "2"), (_col(LABELS), _col(SERIES), _one(2))),
    Case("SP_WORKDAYS", ("45292", "45306"), (_one(45292), _one(45306))),
    Case("SP_WITHIN_WORKDAYS", (SENT_REF, ANSWERED_REF, "2"), (_col(SENT), _col(ANSWERED), _one(2))),
    Case("SP_ROUND_CA", ("126446", "2"), (_one(126446), _one(2))),
    Case("SP_TEXT_GROWTH", (S, '"besøg"'), (_col(SERIES), _one("besøg"))),
    Case("SP_TEXT_ATTAINMENT", ("0.11", "0.25", '"andel"'), (_one(0.11), _one(0.25), _one("andel"))),
)


def _flat(result: object) -> list:
    if isinstance(result, (list, tuple)):
        return [x for item in result for x in _flat(item)]
    return [result]


def expected(case: Case) -> tuple[str, object, int]:
    """("number", sum, count) or ("text", text, 1) for one case, from the Python function."""
    func = {f.name: f for f in functions()}[case.function]
    values = _flat(func(*case.python_args))
    errors = [v for v in values if hasattr(v, "code") or (isinstance(v, str) and v.startswith("#"))]
    if errors:
        raise ValueError(f"{case.function}: the known inputs give an error ({errors[0]!r})")
    numbers = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    texts = [v for v in values if isinstance(v, str)]
    if numbers:
        return "number", sum(numbers), len(numbers)
    if len(texts) == 1:
        return "text", texts[0], 1
    raise ValueError(f"{case.function}: no number and not one text in {values!r}")


def _text_literal(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def check_formula(case: Case) -> tuple[str, str]:
    """(the SP_ call, the formula that says OK or FEJL about it)."""
    call = f"{case.function}({','.join(case.excel_args)})"
    kind, value, count = expected(case)
    if kind == "text":
        test = f"EXACT({call},{_text_literal(value)})"
    else:
        test = f"AND(COUNT({call})={count},ABS(SUM({call})-({value!r}))<=1E-9*MAX(1,ABS({value!r})))"
    return call, f'=IFERROR(IF({test},"OK","FEJL"),"FEJL")'


def build_workbook() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    data = wb.create_sheet("Data")
    data.append(["", "Serie", "Oprettet", "Lukket", "Etiket", "Sendt", "Besvaret"])
    for i in range(4):
        data.append(["", SERIES[i], CREATED[i], CLOSED[i], LABELS[i],
                     SENT[i] if i < len(SENT) else None, ANSWERED[i] if i < len(ANSWERED) else None])
    data["H2"] = "=1/0"
    rows = len(CASES) + 1
    last = FIRST_ROW + rows - 1
    ws.cell(TITLE_ROW, 1, "SP Rapport – selvtjek af alle SP_-funktioner").font = Font(bold=True, size=14)
    ws.cell(2, 1, "I alt")
    ws.cell(2, 2, f'="OK: "&COUNTIF(E{FIRST_ROW}:E{last},"OK")&" af {rows}"')
    ws.cell(2, 5, f'=IF(COUNTIF(E{FIRST_ROW}:E{last},"OK")={rows},"OK","FEJL")').font = Font(bold=True)
    for col, head in enumerate(("Funktion", "Kald", "Forventet", "Antal tal", "Resultat"), start=1):
        ws.cell(HEADER_ROW, col, head).font = Font(bold=True)
    for i, case in enumerate(CASES):
        r = FIRST_ROW + i
        call, formula = check_formula(case)
        kind, value, count = expected(case)
        ws.cell(r, 1, case.function)
        ws.cell(r, 2, call)                                # as text: the call being tested
        ws.cell(r, 3, value)
        ws.cell(r, 4, count if kind == "number" else None)
        ws.cell(r, 5, formula)
    r = last
    ws.cell(r, 1, "SP_FEJLTEKST")
    ws.cell(r, 2, "SP_FEJLTEKST(Data!$H$2)")
    ws.cell(r, 3, "#DIV/0! …")
    ws.cell(r, 5, '=IFERROR(IF(LEFT(SP_FEJLTEKST(Data!$H$2),7)="#DIV/0!","OK","FEJL"),"FEJL")')
    for col, width in zip("ABCDE", (22, 48, 40, 10, 10)):
        ws.column_dimensions[col].width = width
    return wb


def build_selfcheck(path: str | os.PathLike) -> Path:
    """Write the self-check workbook to ``path`` (atomically)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".~{target.stem}-", suffix=".xlsx")
    os.close(fd)
    try:
        build_workbook().save(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
