"""Property-based: every SP_ function, fed random Excel-shaped input, answers deliberately.

The registry turns any exception into a #VALUE! "Uventet fejl" (unexpected error) so that a
cell never shows a traceback. That safety net must never be needed: here it counts as a bug.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sp_xl.errors import CODES, ExcelError
from sp_xl.excel import wire
from sp_xl.udfs import functions

numbers = st.one_of(st.integers(-10**6, 10**6).map(float), st.floats(allow_nan=True, allow_infinity=True),
                    st.floats(-1e6, 1e6))
scalars = st.one_of(
    numbers,
    st.none(),
    st.text(max_size=8),
    st.booleans(),
    st.sampled_from(CODES),
    st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)),
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2060, 12, 31)),
)


@st.composite
def excel_values(draw):
    """A single cell, a flat list, a rectangular range, a ragged range or an empty range."""
    kind = draw(st.sampled_from(["cell", "flat", "rows", "column", "ragged", "empty"]))
    if kind == "cell":
        return draw(scalars)
    if kind == "flat":
        return draw(st.lists(scalars, max_size=8))
    if kind == "empty":
        return draw(st.sampled_from([[], [[]]]))
    if kind == "ragged":
        return draw(st.lists(st.lists(scalars, max_size=4), min_size=2, max_size=4))
    cols = 1 if kind == "column" else draw(st.integers(1, 4))
    rows = draw(st.integers(1, 8))
    return draw(st.lists(st.lists(scalars, min_size=cols, max_size=cols), min_size=rows, max_size=rows))


def _check_value(v):
    if isinstance(v, list):
        for x in v:
            _check_value(x)
        return
    if isinstance(v, ExcelError):
        assert "Uventet fejl" not in v.reason_da, v.reason_da
        return
    assert v is None or type(v) in (str, bool, int, float, dt.date, dt.datetime), type(v)  # no numpy scalars
    if isinstance(v, float):
        assert math.isfinite(v), v


@pytest.mark.parametrize("spec", functions(), ids=lambda s: s.name)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_function_needs_the_safety_net(spec, data):
    n_args = data.draw(st.integers(sum(not a.optional for a in spec.args), len(spec.args)), label="n")
    args = [data.draw(excel_values(), label=a.name) for a in spec.args[:n_args]]
    result = spec.func(*args)
    _check_value(result)
    # And whatever comes out can be sent to Excel.
    _check_value(wire.encode(result))
