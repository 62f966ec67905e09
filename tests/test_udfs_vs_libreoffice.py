"""Where Excel has a built-in equivalent, LibreOffice computing that built-in on the same data
must agree with our function (to 1e-9): SLOPE, FORECAST.LINEAR, RRI, NETWORKDAYS, WORKDAY."""

from __future__ import annotations

import datetime as dt
import random

import openpyxl
import pytest

from sp_xl.calc.workdays import holidays_between
from sp_xl.udfs import SP_AVG_GROWTH_PCT, SP_FORECAST, SP_TREND, SP_WITHIN_WORKDAYS, SP_WORKDAYS
from tests.conftest import lo_recalc, needs_libreoffice

pytestmark = needs_libreoffice

N_SERIES = 25
LENGTH = 12


def _series(rng: random.Random) -> list[float | None]:
    values: list[float | None] = [round(rng.uniform(50, 5000), 2) for _ in range(LENGTH)]
    for _ in range(rng.randint(0, 3)):  # interior empty cells
        values[rng.randint(1, LENGTH - 2)] = None
    return values


def _dates(rng: random.Random, n: int) -> list[tuple[dt.date, dt.date | None]]:
    pairs = []
    for _ in range(n):
        sent = dt.date(2017, 12, 1) + dt.timedelta(days=rng.randint(0, 560))
        answered = None if rng.random() < 0.1 else sent + dt.timedelta(days=rng.randint(0, 12))
        pairs.append((sent, answered))
    return pairs


@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    """One workbook with every case, recalculated once by LibreOffice."""
    rng = random.Random(20180410)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Serier"
    for c in range(LENGTH):
        ws.cell(1, 2 + c, c + 1)  # x = 1..n in row 1
    series = [_series(rng) for _ in range(N_SERIES)]
    for r, s in enumerate(series, start=2):
        for c, v in enumerate(s):
            ws.cell(r, 2 + c, v)
        last = openpyxl.utils.get_column_letter(1 + LENGTH)
        rng_y = f"B{r}:{last}{r}"
        ws[f"O{r}"] = f"=SLOPE({rng_y},$B$1:${last}$1)"
        ws[f"P{r}"] = f"=_xlfn.FORECAST.LINEAR({LENGTH}+3,{rng_y},$B$1:${last}$1)"
        ws[f"Q{r}"] = f"=_xlfn.RRI({LENGTH - 1},B{r},{last}{r})"

    days = wb.create_sheet("Dage")
    hol = holidays_between(dt.date(2017, 1, 1), dt.date(2019, 12, 31))
    for i, h in enumerate(hol, start=1):
        days.cell(i, 8, h)
    hol_ref = f"$H$1:$H${len(hol)}"
    pairs = _dates(rng, 120)
    for i, (sent, answered) in enumerate(pairs, start=1):
        days.cell(i, 1, sent)
        days.cell(i, 2, answered)
        if answered is not None:
            days[f"C{i}"] = f"=NETWORKDAYS(A{i},B{i},{hol_ref})"
        days[f"D{i}"] = f"=WORKDAY(A{i},3,{hol_ref})"  # the deadline, per row
    n = len(pairs)
    days["E1"] = f"=SUMPRODUCT((B1:B{n}<>\"\")*(B1:B{n}<=D1:D{n}))/COUNT(A1:A{n})"
    path = tmp_path_factory.mktemp("lo") / "oracle.xlsx"
    wb.save(path)
    cells = lo_recalc(path, path.with_suffix(".json"))
    return series, pairs, cells


def _value(cells, sheet, ref):
    cell = cells[sheet][ref]
    assert cell.get("error") is None, f"{sheet}!{ref}: LibreOffice error {cell.get('error')}"
    return cell["value"]


def test_trend_equals_slope(oracle):
    series, _, cells = oracle
    for r, s in enumerate(series, start=2):
        assert SP_TREND(s) == pytest.approx(_value(cells, "Serier", f"O{r}"), abs=1e-9, rel=1e-12)


def test_forecast_equals_forecast_linear(oracle):
    series, _, cells = oracle
    for r, s in enumerate(series, start=2):
        assert SP_FORECAST(s, 3) == pytest.approx(_value(cells, "Serier", f"P{r}"), abs=1e-9, rel=1e-12)


def test_avg_growth_equals_rri(oracle):
    series, _, cells = oracle
    for r, s in enumerate(series, start=2):
        if s[0] is None or s[-1] is None:
            continue
        assert SP_AVG_GROWTH_PCT(s) == pytest.approx(_value(cells, "Serier", f"Q{r}"), abs=1e-9)


def test_workdays_equals_networkdays(oracle):
    _, pairs, cells = oracle
    checked = 0
    for i, (sent, answered) in enumerate(pairs, start=1):
        if answered is not None:
            assert SP_WORKDAYS(sent, answered) == _value(cells, "Dage", f"C{i}"), (sent, answered)
            checked += 1
    assert checked > 80


def test_within_workdays_equals_workday_count(oracle):
    _, pairs, cells = oracle
    ours = SP_WITHIN_WORKDAYS([p[0] for p in pairs], [p[1] for p in pairs], 3)
    assert ours == pytest.approx(_value(cells, "Dage", "E1"), abs=1e-9)
