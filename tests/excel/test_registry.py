"""The registry is the one source of truth: names, Danish and English help, argument lists."""

import inspect

import pytest

from sp_xl import udfs
from sp_xl.excel.registry import CATEGORY, EXCEL_HELP_MAX, REGISTRY, declare_to_xlwings, spec_from_function
from sp_xl.udfs import functions

CATALOGUE = [
    "SP_ATTAINMENT", "SP_GAP", "SP_STATUS", "SP_SHARE", "SP_REQUIRED", "SP_GROWTH", "SP_GROWTH_PCT",
    "SP_AVG_GROWTH_PCT", "SP_CHANGES", "SP_CUMULATIVE", "SP_BACKLOG", "SP_NETFLOW", "SP_TREND",
    "SP_FORECAST", "SP_WEEKS_TO_CLEAR", "SP_PEAK", "SP_TOPN", "SP_WORKDAYS", "SP_WITHIN_WORKDAYS",
    "SP_ROUND_CA", "SP_TEXT_GROWTH", "SP_TEXT_ATTAINMENT",
]


def test_the_catalogue_is_exactly_the_issue_list_in_order():
    assert [f.name for f in functions()] == CATALOGUE


def test_every_function_is_importable_under_its_excel_name():
    for name in CATALOGUE:
        assert getattr(udfs, name) is REGISTRY[name].func


def test_arguments_match_the_python_signature_and_optional_means_default():
    for f in functions():
        params = inspect.signature(f.func).parameters
        assert [a.name for a in f.args] == list(params)
        for a in f.args:
            assert a.optional == (params[a.name].default is not inspect.Parameter.empty)


def test_help_is_danish_and_english_and_fits_excel():
    for f in functions():
        assert f.category == CATEGORY == "SP Rapport"
        assert f.summary_da and f.summary_en and f.summary_da != f.summary_en
        assert len(f.summary_da) <= EXCEL_HELP_MAX
        for a in f.args:
            assert a.help_da and a.help_en and a.help_da != a.help_en, (f.name, a.name)
            assert len(a.help_da) <= EXCEL_HELP_MAX


def test_signature_uses_danish_excel_separators():
    assert REGISTRY["SP_STATUS"].signature == "SP_STATUS(actual; target; [yellow_from]; [lower_is_better])"


def test_a_docstring_missing_an_argument_is_refused():
    def SP_BROKEN(a, b):
        """Dansk.

        Argumenter:
            a: et.

        English:
        English.

        Arguments:
            a: one.
            b: two.
        """

    with pytest.raises(ValueError, match="Danish argument help"):
        spec_from_function(SP_BROKEN)


def test_the_xlwings_declarations_apply_to_every_function():
    # On Windows these run at import for every function; on Linux xlwings' decorators are
    # no-ops, but the declaration code itself must still run and keep the function intact.
    for f in functions():
        declared = declare_to_xlwings(f.func, f)
        required = [[[1.0]]] * sum(not a.optional for a in f.args)
        assert declared(*required) == f.func(*required)


def test_every_argument_has_a_danish_ascii_name_for_excel_and_keeps_its_python_keyword():
    from sp_xl.excel.registry import DANISH_ARG_NAMES

    for f in functions():
        for a in f.args:
            assert a.name_da == DANISH_ARG_NAMES[a.name] == a.excel_name
            assert a.name_da.isascii() and a.name_da.isidentifier() and a.name_da.islower()
        assert list(inspect.signature(f.func).parameters) == [a.name for a in f.args]   # keywords unchanged
    attainment = next(f for f in functions() if f.name == "SP_ATTAINMENT")
    assert attainment.excel_signature == "SP_ATTAINMENT(faktisk; maal; [lavere_er_bedre])"
    assert attainment.signature == "SP_ATTAINMENT(actual; target; [lower_is_better])"


def test_an_argument_without_a_danish_name_is_refused():
    def SP_NEW(colour):
        """Ny.

        Argumenter:
            colour: Farve.

        English:
        New.

        Arguments:
            colour: Colour.
        """

    with pytest.raises(ValueError, match="'colour' has no Danish ASCII name"):
        spec_from_function(SP_NEW)
