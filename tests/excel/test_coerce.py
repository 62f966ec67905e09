"""Arguments as xlwings delivers them become arrays, and results go back in the same form."""

import datetime as dt

import numpy as np
import pytest

from sp_xl.errors import SpError
from sp_xl.excel import coerce


def test_scalar_flat_and_range_keep_their_form():
    assert coerce.arg(5.0, "x").ndim == 0
    assert coerce.arg([1, 2], "x").grid.shape == (1, 2)
    a = coerce.arg([[1], [2], [3]], "x")
    assert a.ndim == 2 and a.grid.shape == (3, 1)


def test_pandas_and_numpy_are_accepted():
    pd = pytest.importorskip("pandas")
    assert coerce.series(coerce.arg(pd.Series([1.0, 2.0]), "s")).values.tolist() == [1.0, 2.0]
    assert coerce.numbers(coerce.arg(np.array([[1.0], [np.nan]]), "s")).errors[1, 0] is not None


def test_ragged_ranges_are_refused():
    with pytest.raises(SpError, match="rektangulært"):
        coerce.arg([[1, 2], [3]], "x")


def test_excel_serial_numbers_are_dates_including_the_1900_quirk():
    days, cells = coerce.dates(coerce.arg([[43200.0], [59.0], [61.0], [dt.datetime(2018, 4, 10, 9)]], "d"))
    assert days.ravel().astype(str).tolist() == ["2018-04-10", "1900-02-28", "1900-03-01", "2018-04-10"]
    assert cells.ok.all()


def test_integer_bounds_and_flags():
    with pytest.raises(SpError):
        coerce.integer(coerce.arg(0, "n"), minimum=1)
    assert coerce.integer(coerce.arg(4.9, "n")) == 4
    assert coerce.flag(coerce.arg(None, "f"), default=True) is True
    assert coerce.flag(coerce.arg("Ja", "f")) is True
