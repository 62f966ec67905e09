"""The VBA module SpErrors, run in pyOpenVBA's in-memory Excel: tagged strings from Python
become real error values, their reasons are kept per cell, and SP_FEJLTEKST reads them back.

Two stand-ins, because that model lacks them: ``Application.Caller`` (a UDF's calling cell)
is replaced by ``TestCaller()``, which the test points at a cell, and xlwings' Dictionary
class (which reaches for Scripting.Dictionary) by a small Collection-based one with the
same four members SpErrors uses. Everything else is SpErrors exactly as built into the add-in.
"""

from __future__ import annotations

import pytest

pytest.importorskip("pyopenvba.apps.excel", reason="pyOpenVBA's Excel model is not installed")
pytest.importorskip("oletools", reason="oletools (reads the add-in back) is not installed")

from pyopenvba.apps.excel import ExcelApplication

from sp_xl.addin.build import default_output
from sp_xl.addin.check import read_vba_modules

DICTIONARY_DOUBLE = '''
Private mItems As Collection
Private Sub Class_Initialize()
    Set mItems = New Collection
End Sub
Public Function Exists(ByVal key As String) As Boolean
    Dim v As Variant
    On Error GoTo missing
    v = mItems(key)
    Exists = True
    Exit Function
missing:
    Exists = False
End Function
Public Sub Add(ByVal key As String, ByVal value As Variant)
    mItems.Add value, key
End Sub
Public Sub Remove(ByVal key As String)
    mItems.Remove key
End Sub
Public Property Get Item(ByVal key As String) As Variant
    Item = mItems(key)
End Property
'''

HARNESS = '''
Private mCaller As Object
Public Function TestCaller() As Object
    Set TestCaller = mCaller
End Function
Public Sub SetHarnessCaller(ByVal addr As String)
    Set mCaller = ActiveSheet.Range(addr)
End Sub
Public Function GetLast() As String
    GetLast = LastModule & "|" & LastName & "|" & LastArgCount
End Function
Public Sub PutScalar(ByVal addr As String, ByVal wire As Variant)
    Set mCaller = ActiveSheet.Range(addr)
    ActiveSheet.Range(addr).Value = SpFromWire(wire)
End Sub
Public Sub PutColumn(ByVal addr As String, ByVal a As Variant, ByVal b As Variant, ByVal c As Variant)
    Dim wire(1 To 3, 1 To 1) As Variant, result As Variant, i As Long
    wire(1, 1) = a: wire(2, 1) = b: wire(3, 1) = c
    Set mCaller = ActiveSheet.Range(addr)
    result = SpFromWire(wire)
    For i = 1 To 3
        ActiveSheet.Range(addr).Offset(i - 1, 0).Value = result(i, 1)
    Next i
End Sub
Public Sub PutFailure(ByVal addr As String, ByVal description As String)
    Set mCaller = ActiveSheet.Range(addr)
    ActiveSheet.Range(addr).Value = SpFailed(description)
End Sub
Public Function KeptReason(ByVal addr As String) As String
    KeptReason = SpErrorReason(ActiveSheet.Range(addr).Address(External:=True))
End Function
Public Function Bridge() As String
    Bridge = SpBridgeProblem()
End Function
Public Function Reason(ByVal addr As String) As Variant
    Reason = SP_FEJLTEKST(ActiveSheet.Range(addr))
End Function
'''


@pytest.fixture
def excel():
    modules = read_vba_modules(default_output())
    app = ExcelApplication()
    app.add_workbook()
    app.add_module(DICTIONARY_DOUBLE, name="Dictionary", kind="class")
    app.add_module(modules["SpErrors"].replace("Application.Caller", "TestCaller()"), name="SpErrors")
    app.add_module(modules["SpFejltekst"], name="SpFejltekst")
    app.add_module(HARNESS, name="Harness")
    return app


def test_a_tagged_error_becomes_the_excel_error_and_keeps_its_reason(excel):
    excel.run("PutScalar", "B7", "#SPERR:2007:Målet er 0, og der kan ikke divideres med 0.")
    assert str(excel.sheet(1).value("B7")) == "Error 2007"           # #DIV/0!, a real error value
    assert excel.run("Reason", "B7") == "Målet er 0, og der kan ikke divideres med 0."


def test_a_value_passes_unchanged_and_clears_an_old_reason(excel):
    excel.run("PutScalar", "B7", "#SPERR:2042:Mangler data")
    excel.run("PutScalar", "B7", 0.82)
    assert excel.sheet(1).value("B7") == 0.82
    assert excel.run("Reason", "B7") == ""


def test_errors_inside_an_array_are_converted_cell_by_cell(excel):
    excel.run("PutColumn", "C1", 5, "#SPERR:2042:Ingen data for marts", 7)
    sheet = excel.sheet(1)
    assert sheet.value("C1") == 5 and sheet.value("C3") == 7
    assert str(sheet.value("C2")) == "Error 2042"                    # #N/A
    assert excel.run("Reason", "C2") == "Ingen data for marts"
    assert excel.run("Reason", "C1") == ""


def test_a_failed_python_call_gives_value_error_and_the_last_line_of_the_traceback(excel):
    traceback = "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: ugyldigt input\n"
    excel.run("PutFailure", "D1", traceback)
    assert str(excel.sheet(1).value("D1")) == "Error 2015"           # #VALUE!
    reason = excel.run("Reason", "D1")
    assert reason.startswith("Python-forbindelsen fejlede: ValueError: ugyldigt input")
    assert "Traceback" not in reason


def test_when_python_cannot_start_a_cell_keeps_its_last_value_and_the_reason_is_kept(excel):
    excel.sheet(1).set_value("D2", 0.44)
    excel.run("PutFailure", "D2", "Could not load xlwings64-0.37.8.dll from either of the following folders")
    assert excel.sheet(1).value("D2") == 0.44                         # the cached value, not #VALUE!
    kept = excel.run("KeptReason", "D2")
    assert kept.startswith("Python-forbindelsen fejlede: Could not load xlwings64-0.37.8.dll")
    assert kept.endswith("Cellen viser den sidst beregnede værdi.")
    assert excel.run("Bridge").startswith("Python-forbindelsen fejlede: Could not load")
    assert excel.run("Reason", "D2") == ""                            # not an error value


def test_a_cell_without_a_value_gets_value_error_with_the_reason(excel):
    excel.run("PutFailure", "D3", "Python process exited")
    assert str(excel.sheet(1).value("D3")) == "Error 2015"
    assert "Klik SP Rapport > Diagnose" in excel.run("Reason", "D3")


@pytest.mark.parametrize(("formula", "start"), [
    ("=1/0", "#DIV/0! betyder division med nul"),
    ("=NA()", "#I/T (#N/A) betyder, at en værdi mangler."),
    ('=1+"x"', "#VÆRDI! (#VALUE!) betyder"),
])
def test_an_error_without_a_kept_reason_is_explained_generally(excel, formula, start):
    excel.sheet(1).set_value("E1", formula)
    assert excel.run("Reason", "E1").startswith(start)


# The generated wrappers, with xlwings' Python bridge replaced by a VBA fake that answers
# the way xlwings does: a scalar, a 2-D array, or a COM error raised from Python.
FAKE_BRIDGE = '''
Public Mode As String
Public LastModule As String, LastName As String, LastArgCount As Long
Public Function FakeCallUDF(ByVal module As String, ByVal name As String, ByVal args As Variant, _
                            Optional ByVal wb As Variant, Optional ByVal caller As Variant) As Variant
    Dim a(1 To 2, 1 To 1) As Variant
    LastModule = module: LastName = name: LastArgCount = UBound(args) - LBound(args) + 1
    Select Case Mode
        Case "value": FakeCallUDF = 0.44
        Case "error": FakeCallUDF = "#SPERR:2007:Målet er 0."
        Case "array"
            a(1, 1) = 126446: a(2, 1) = "#SPERR:2042:Tom celle i rækken."
            FakeCallUDF = a
        Case "raise": Err.Raise 1000, , "Traceback (most recent call last):" & vbLf & "KeyError: 'x'"
    End Select
End Function
Public Sub Calc(ByVal addr As String, ByVal mode_ As String)
    Mode = mode_
    SetCaller addr
    ActiveSheet.Range(addr).Value = SP_ATTAINMENT(1, 2)
End Sub
Public Sub CalcColumn(ByVal addr As String)
    Dim r As Variant
    Mode = "array"
    SetCaller addr
    r = SP_CUMULATIVE(1)
    ActiveSheet.Range(addr).Value = r(1, 1)
    ActiveSheet.Range(addr).Offset(1, 0).Value = r(2, 1)
End Sub
'''


@pytest.fixture
def wrapped(excel):
    modules = read_vba_modules(default_output())
    udfs = (modules["SpUdfs"].replace("XLPy.CallUDF(", "FakeCallUDF(")
            .replace("TypeOf Application.Caller Is Range", "TypeOf TestCaller() Is Range")
            .replace("Application.Caller", "TestCaller()"))
    excel.add_module(udfs, name="SpUdfs")
    excel.add_module(FAKE_BRIDGE, name="Bridge")
    excel.add_module("Public Sub SetCaller(ByVal addr As String)\n    SetHarnessCaller addr\nEnd Sub\n", name="Glue")
    return excel


def test_a_wrapper_calls_the_python_function_by_module_and_name(wrapped):
    wrapped.run("Calc", "A1", "value")
    assert wrapped.sheet(1).value("A1") == 0.44
    assert wrapped.run("GetLast") == "sp_xl.udfs|SP_ATTAINMENT|3"  # the optional third argument is passed too


def test_a_wrapper_turns_pythons_error_into_an_excel_error(wrapped):
    wrapped.run("Calc", "A2", "error")
    assert str(wrapped.sheet(1).value("A2")) == "Error 2007"
    assert wrapped.run("Reason", "A2") == "Målet er 0."


def test_a_wrapper_converts_errors_inside_a_spilled_array(wrapped):
    wrapped.run("CalcColumn", "B1")
    assert wrapped.sheet(1).value("B1") == 126446
    assert str(wrapped.sheet(1).value("B2")) == "Error 2042"
    assert wrapped.run("Reason", "B2") == "Tom celle i rækken."


def test_when_python_itself_fails_the_cell_gets_value_error_not_the_traceback(wrapped):
    wrapped.run("Calc", "A3", "raise")
    assert str(wrapped.sheet(1).value("A3")) == "Error 2015"
    assert wrapped.run("Reason", "A3").startswith("Python-forbindelsen fejlede: KeyError: 'x'")
