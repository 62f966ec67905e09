"""Results on their way to Excel: error values become tags the VBA wrapper turns into CVErr."""

from sp_xl.errors import ExcelError
from sp_xl.excel import wire
from sp_xl.udfs import SP_ATTAINMENT


def test_error_value_is_tagged_with_excel_number_and_danish_reason():
    tagged = wire.encode(SP_ATTAINMENT(1, 0))
    assert tagged == "#SPERR:2007:Målet er 0, og der kan ikke divideres med 0."


def test_arrays_are_encoded_element_by_element_and_decode_back():
    result = SP_ATTAINMENT([[0.1], [None]], 0.25)
    tagged = wire.encode(result)
    assert tagged[0] == [0.4] and tagged[1][0].startswith("#SPERR:2042:")
    back = wire.decode(tagged)
    assert isinstance(back[1][0], ExcelError) and str(back[1][0]) == "#N/A"


def test_nan_never_reaches_excel_as_a_blank():
    assert wire.encode(float("nan")).startswith("#SPERR:2036:")


def test_an_empty_period_of_a_multi_cell_result_shows_blank_not_zero():
    from sp_xl.excel.wire import encode
    from sp_xl.udfs import SP_CHANGES
    result = SP_CHANGES([[100.0], [120.0], [None], [130.0]])
    assert result == [[None], [20.0], [None], [None]]          # the library says "no value" with None
    assert encode(result) == [[""], [20.0], [""], [""]]        # Excel gets "": a blank cell, not 0
