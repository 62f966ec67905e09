"""The xlwings side of the open workbook: it offers every call the actions make (as does the
fake the tests use in its place), and groups rows and columns for as few COM calls as can be."""

from __future__ import annotations

import inspect

import pytest

from sp_xl.actions.in_excel import OpenWorkbook
from sp_xl.addin.xlbook import XlwingsBook, _runs
from tests.importing.fake_open_book import FakeOpenBook

# The calls declared by OpenWorkbook and the BookWriter it extends.
CALLS = sorted({n for cls in OpenWorkbook.__mro__ if cls.__module__.startswith("sp_xl.")
                for n, v in vars(cls).items() if callable(v) and not n.startswith("_")})


@pytest.mark.parametrize("cls", [XlwingsBook, FakeOpenBook])
def test_every_call_of_the_protocol_is_there_with_its_arguments(cls):
    assert {"write", "resize_table", "format_like", "names", "set_name", "replace_custom_xml", "save_copy",
            "is_formula", "calculate_full", "read", "set_hidden"} <= set(CALLS)
    for name in CALLS:
        wanted = [p for p in inspect.signature(getattr(OpenWorkbook, name)).parameters]
        assert [p for p in inspect.signature(getattr(cls, name)).parameters] == wanted, name


def test_rows_with_the_same_state_side_by_side_are_one_call():
    assert _runs({5: True, 3: True, 4: True, 7: False, 8: False, 10: True}) == [
        (3, 5, True), (7, 8, False), (10, 10, True)]
    assert _runs({}) == []
