Attribute VB_Name = "SpErrors"
' Turns Python's tagged error strings into real Excel error values and keeps the reasons.
'
' Python (sp_xl.excel.wire) sends an error as "#SPERR:<xlErr number>:<reason>". The cell must
' get CVErr(<number>) so that IFERROR/ISERROR work; the reason must stay readable. A UDF may
' not write comments or other cells, so the reasons live in a dictionary keyed by the full
' address of the cell they belong to, and SP_FEJLTEKST(cell) reads them back. Because
' SP_FEJLTEKST takes the cell as an argument, Excel calculates the cell first, so the
' reason is always the one of the current value. After the workbook is reopened the
' dictionary is empty until the cell is calculated again; SP_FEJLTEKST then says so.
' Option Private Module: these helpers are for the add-in's own code (and Application.Run
' from the Python handlers), not functions a cell may call; SP_FEJLTEKST itself lives in
' the public module SpFejltekst.
Option Explicit
Option Private Module

Private Const WIRE_TAG As String = "#SPERR:"
Private mReasons As Object
Private mBridgeProblem As String

Private Function Reasons() As Object
    If mReasons Is Nothing Then Set mReasons = New Dictionary
    Set Reasons = mReasons
End Function

Private Function CellKey(ByVal caller As Variant, ByVal rowOffset As Long, ByVal colOffset As Long) As String
    ' The external address ([Book.xlsx]Ark1!$B$7) of one cell of a (possibly spilled) result.
    On Error GoTo none
    If TypeOf caller Is Range Then
        CellKey = caller.Cells(1, 1).Offset(rowOffset, colOffset).Address(External:=True)
    End If
    Exit Function
none:
    CellKey = ""
End Function

Private Sub Remember(ByVal key As String, ByVal reason As String)
    If key = "" Then Exit Sub
    If Reasons.Exists(key) Then Reasons.Remove key
    Reasons.Add key, reason
End Sub

Private Sub Forget(ByVal key As String)
    If key = "" Then Exit Sub
    If Reasons.Exists(key) Then Reasons.Remove key
End Sub

Private Function CurrentCaller() As Variant
    ' Application.Caller is the calling cell range during a worksheet calculation,
    ' something else (a string, an error) when called from VBA or a button.
    On Error GoTo none
    If TypeOf Application.Caller Is Range Then
        Set CurrentCaller = Application.Caller
        Exit Function
    End If
none:
    CurrentCaller = Empty
End Function

Private Function DecodeOne(ByVal value As Variant, ByVal caller As Variant, ByVal r As Long, ByVal c As Long) As Variant
    Dim rest As String, sep As Long, number As Long
    If VarType(value) = vbString Then
        If Left$(value, Len(WIRE_TAG)) = WIRE_TAG Then
            rest = Mid$(value, Len(WIRE_TAG) + 1)
            sep = InStr(rest, ":")
            If sep > 1 Then
                number = CLng(Val(Left$(rest, sep - 1)))
                Remember CellKey(caller, r, c), Mid$(rest, sep + 1)
                DecodeOne = CVErr(number)
                Exit Function
            End If
        End If
    End If
    Forget CellKey(caller, r, c)
    DecodeOne = value
End Function

Private Function ArrayRank(ByRef a As Variant) As Long
    Dim probe As Long
    On Error GoTo done
    ArrayRank = 1
    probe = UBound(a, 2)
    ArrayRank = 2
done:
End Function

Public Function SpFromWire(ByVal result As Variant) As Variant
    ' A scalar or a 1-D / 2-D array from Python, with every tagged error as CVErr.
    Dim caller As Variant, r As Long, c As Long
    caller = Empty
    On Error Resume Next
    Set caller = CurrentCaller()
    On Error GoTo 0
    If IsArray(result) Then
        If ArrayRank(result) = 2 Then
            For r = LBound(result, 1) To UBound(result, 1)
                For c = LBound(result, 2) To UBound(result, 2)
                    result(r, c) = DecodeOne(result(r, c), caller, r - LBound(result, 1), c - LBound(result, 2))
                Next c
            Next r
        Else
            ' xlwings returns a single row as a 1-D array: it fills the row of cells.
            For c = LBound(result) To UBound(result)
                result(c) = DecodeOne(result(c), caller, 0, c - LBound(result))
            Next c
        End If
        SpFromWire = result
    Else
        SpFromWire = DecodeOne(result, caller, 0, 0)
    End If
End Function

Public Function SpFailed(ByVal description As String) As Variant
    ' The wrapper's On Error path. Python's own errors never come here (sp_xl.excel.registry
    ' turns every exception into an error value on the wire), so this is the bridge itself:
    ' Python could not start, the DLL was blocked, the function server died. The cell keeps
    ' the value it last showed, where it has one (Excel gives a UDF its caller's old value),
    ' instead of an unexplained #VALUE!; the status bar and SP_FEJLTEKST say why.
    Dim reason As String, cached As Variant
    reason = "Python-forbindelsen fejlede: " & LastLine(description) & _
             " (Klik SP Rapport > Diagnose for årsagen, eller kontakt sp_xl-teamet.)"
    mBridgeProblem = reason
    On Error Resume Next
    Application.StatusBar = "SP Rapport: SP_-funktionerne kan ikke beregnes nu (" & LastLine(description) & _
                            "); cellerne viser de sidst beregnede værdier. Klik Diagnose."
    On Error GoTo 0
    cached = CachedValue()
    If Not IsEmpty(cached) Then
        Remember CellKey(CurrentCallerOrEmpty(), 0, 0), reason & " Cellen viser den sidst beregnede værdi."
        SpFailed = cached
        Exit Function
    End If
    Remember CellKey(CurrentCallerOrEmpty(), 0, 0), reason
    SpFailed = CVErr(xlErrValue)
End Function

Public Function SpBridgeProblem() As String
    ' The last reason the Python bridge failed in this Excel session, or "".
    SpBridgeProblem = mBridgeProblem
End Function

Private Function CachedValue() As Variant
    ' The calling cell's value from before this calculation, if it is a real value (not empty,
    ' not an error); Empty otherwise. For a multi-cell caller, its old values as they were.
    Dim caller As Variant, v As Variant
    CachedValue = Empty
    On Error GoTo none
    Set caller = CurrentCaller()
    If caller Is Nothing Then Exit Function
    v = caller.Value
    If IsArray(v) Then
        CachedValue = v
    ElseIf Not IsError(v) And Not IsEmpty(v) Then
        If VarType(v) <> vbString Then
            CachedValue = v
        ElseIf Len(v) > 0 Then
            CachedValue = v
        End If
    End If
none:
End Function

Public Function SpNotOnMac() As Variant
    Remember CellKey(CurrentCallerOrEmpty(), 0, 0), _
        "SP_-funktionerne kan kun beregnes i Excel til Windows. Åbn projektmappen på en Windows-pc, " & _
        "eller brug sp-xl på kommandolinjen."
    SpNotOnMac = CVErr(xlErrValue)
End Function

Private Function CurrentCallerOrEmpty() As Variant
    On Error Resume Next
    CurrentCallerOrEmpty = Empty
    Set CurrentCallerOrEmpty = CurrentCaller()
End Function

Private Function LastLine(ByVal text As String) As String
    ' A Python traceback ends with the line that says what went wrong.
    Dim lines As Variant, i As Long
    text = Replace(text, vbCrLf, vbLf)
    lines = Split(text, vbLf)
    For i = UBound(lines) To LBound(lines) Step -1
        If Trim$(lines(i)) <> "" Then
            LastLine = Trim$(lines(i))
            Exit Function
        End If
    Next i
    LastLine = "ukendt fejl"
End Function

Public Function SpErrorReason(ByVal fullAddress As String) As String
    ' For the ribbon handlers (Application.Run): the kept reason for one cell, or "".
    If Reasons.Exists(fullAddress) Then SpErrorReason = Reasons.Item(fullAddress)
End Function

Public Function SpErrorText(ByVal celle As Range) As Variant
    ' The body of SP_FEJLTEKST: the kept reason of the cell's error value, or a general one.
    Dim target As Range, v As Variant, key As String
    Set target = celle.Cells(1, 1)
    v = target.Value
    If Not IsError(v) Then
        SpErrorText = ""
        Exit Function
    End If
    key = target.Address(External:=True)
    If Reasons.Exists(key) Then
        SpErrorText = Reasons.Item(key)
    Else
        SpErrorText = GenericReason(v)
    End If
End Function

Private Function GenericReason(ByVal v As Variant) As String
    ' CStr of an error value is "Error 2007" ("Fejl 2007" in some languages): the number is
    ' its last four characters. (Comparing error values with = is a type mismatch in some hosts.)
    Dim msg As String
    Select Case Right$(CStr(v), 4)
        Case "2007": msg = "#DIV/0! betyder division med nul, fx et mål på 0."
        Case "2042": msg = "#I/T (#N/A) betyder, at en værdi mangler."
        Case "2015": msg = "#VÆRDI! (#VALUE!) betyder, at et argument har en forkert type, fx tekst i stedet for et tal."
        Case "2023": msg = "#REFERENCE! (#REF!) betyder, at en cellehenvisning ikke længere findes."
        Case "2029": msg = "#NAVN? (#NAME?) betyder, at Excel ikke kender funktionen. Er tilføjelsesprogrammet SP Rapport indlæst?"
        Case "2036": msg = "#NUM! betyder, at resultatet ikke er et gyldigt tal."
        Case "2000": msg = "#NUL! (#NULL!) betyder, at to områder ikke overlapper."
        Case Else: msg = "Cellen indeholder en fejlværdi."
    End Select
    GenericReason = msg & " Hvis cellen bruger en SP_-funktion: tryk F9 for at beregne igen og se den præcise årsag."
End Function
