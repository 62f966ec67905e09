"""The VBA wrappers are generated from the registry, in xlwings' own shape."""

from __future__ import annotations

from sp_xl.addin import vba_wrappers
from sp_xl.excel.registry import spec_from_function
from sp_xl.udfs import functions


def SP_DEMO(actual, target, yellow_from=0.8):
    """Demo til test.

    Argumenter:
        actual: Faktisk værdi.
        target: Målet ≥ 0.
        yellow_from: Grænse for "gul".

    English:
    Demo for tests.

    Arguments:
        actual: Actual value.
        target: The target.
        yellow_from: Yellow threshold.
    """


def SP_DAYS(start, end):
    """Dage mellem to datoer.

    Argumenter:
        start: Fra.
        end: Til.

    English:
    Days between two dates.

    Arguments:
        start: From.
        end: To.
    """


DEMO = spec_from_function(SP_DEMO)   # not registered: the real registry stays untouched
DAYS = spec_from_function(SP_DAYS)


def test_a_wrapper_calls_python_like_xlwings_does_in_an_add_in():
    text = "\n".join(vba_wrappers.wrapper_function(DEMO))
    assert text.startswith("Function SP_DEMO(faktisk, maal, Optional gul_fra)")
    assert ('SP_DEMO = SpFromWire(XLPy.CallUDF("sp_xl.udfs", "SP_DEMO", Array(faktisk, maal, gul_fra), '
            "ActiveWorkbook, Application.Caller))") in text
    assert "If TypeOf Application.Caller Is Range Then On Error GoTo failed" in text
    assert text.endswith("failed:\n    SP_DEMO = SpFailed(Err.Description)\nEnd Function")


def test_the_error_path_never_writes_the_error_text_into_the_cell():
    text = "\n".join(vba_wrappers.wrapper_function(DEMO))
    assert "= Err.Description" not in text  # what classic xlwings does


def test_parameters_carry_the_danish_ascii_names_of_the_registry():
    text = "\n".join(vba_wrappers.wrapper_function(DAYS))
    assert "Function SP_DAYS(start, slut)" in text
    assert "Array(start, slut)" in text


def test_a_danish_name_that_is_a_vba_keyword_is_renamed_consistently():
    from dataclasses import replace

    spec = replace(DAYS, args=(replace(DAYS.args[0], name_da="end"), DAYS.args[1]))
    text = "\n".join(vba_wrappers.wrapper_function(spec))
    assert "Function SP_DAYS(end_, slut)" in text
    assert "Array(end_, slut)" in text


def test_the_module_declares_the_app_constant_the_wrappers_test():
    module = vba_wrappers.wrapper_module([DEMO, DAYS])
    assert module.startswith('Attribute VB_Name = "SpUdfs"\r\n')
    assert '#Const App = "Microsoft Excel"' in module
    assert vba_wrappers.parse_wrappers(module) == {
        "SP_DEMO": [("faktisk", False), ("maal", False), ("gul_fra", True)],
        "SP_DAYS": [("start", False), ("slut", False)],
    }


def test_registration_carries_danish_help_and_the_category():
    module = vba_wrappers.register_module([DEMO], extra=())
    assert 'Public Const SP_CATEGORY As String = "SP Rapport"' in module
    assert 'd = "Demo til test."' in module
    assert 'a1 = "Målet " & ChrW(8805) & " 0."' in module
    assert 'a2 = "Grænse for ""gul""."' in module
    assert ('Application.MacroOptions Macro:="SP_DEMO", Description:=d, Category:=SP_CATEGORY, '
            "ArgumentDescriptions:=Array(a0, a1, a2)") in module
    assert vba_wrappers.parse_registered(module) == ["SP_DEMO"]


def test_every_registered_function_gets_exactly_one_wrapper_and_registration():
    specs = functions()
    module = vba_wrappers.wrapper_module(specs)
    assert vba_wrappers.parse_wrappers(module) == vba_wrappers.expected_wrappers(specs)
    registered = vba_wrappers.parse_registered(vba_wrappers.register_module(specs))
    assert registered == [s.name for s in specs] + ["SP_FEJLTEKST"]


def test_no_generated_line_reaches_vbas_limit():
    specs = functions()
    for text in (vba_wrappers.wrapper_module(specs), vba_wrappers.register_module(specs)):
        assert max(len(line) for line in text.split("\r\n")) < 1023
        text.encode("cp1252")  # the VBA project's code page can hold every character


def test_catalogue_functions_are_all_there():
    names = {s.name for s in functions()}
    for expected in ("SP_ATTAINMENT", "SP_STATUS", "SP_TOPN", "SP_WORKDAYS", "SP_TEXT_ATTAINMENT"):
        assert expected in names
    wrappers = vba_wrappers.parse_wrappers(vba_wrappers.wrapper_module(functions()))
    assert wrappers["SP_WORKDAYS"] == [("start", False), ("slut", False)]
    assert wrappers["SP_TOPN"] == [("etiketter", False), ("vaerdier", False), ("antal", False), ("stigende", True)]
    assert wrappers["SP_ATTAINMENT"] == [("faktisk", False), ("maal", False), ("lavere_er_bedre", True)]


def test_every_wrapper_parameter_is_a_danish_ascii_name_not_the_python_one():
    for spec in functions():
        params = [p for p, _ in vba_wrappers.parse_wrappers(vba_wrappers.wrapper_function_text(spec))[spec.name]]
        assert all(p.isascii() for p in params)
        assert params == [vba_wrappers.vba_identifier(a.name_da) for a in spec.args]
    english = {"actual", "target", "lower_is_better", "base", "end", "series"}
    module = vba_wrappers.wrapper_module(functions())
    assert not {p for ps in vba_wrappers.parse_wrappers(module).values() for p, _ in ps} & english
