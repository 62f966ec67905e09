Attribute VB_Name = "SpRibbon"
' Ribbon callbacks of the "SP Rapport" tab. Each calls ONE Python handler on the active
' workbook through xlwings' RunPython; the handlers share their engines with `sp-xl`.
' Everything the user is asked (the file picker) is asked here, and what VBA knows (the
' links its repair left) is passed on, before Python starts: no dialog and no repair runs
' from Python through Application.Run while RunPython waits. (The check still looks up the
' kept reason of an error value, SpErrors.SpErrorReason: it only reads a dictionary.)
Option Explicit
Option Private Module

Private Const HANDLERS As String = "import sp_xl.addin.handlers as h; h.run_from_excel('"
' The chosen files go to Python in a file in %TEMP%, one path per line, each written as the
' hex digits of its UTF-16 code units: ASCII only, so that no code page can garble a
' name with æøå, and no command line gets too long. Python reads and deletes it.
Private Const PICKED_FILE As String = "sp_xl_valgte_filer.txt"

Public Sub SpOpdaterAlleArk(control As IRibbonControl)
    ' Links to another PC's copy of the add-in compute nothing: repair them before Excel
    ' recalculates; the check at the end reports what remains (passed on, not asked back).
    RunHandler "refresh", SpHex(RepairedLinks())
End Sub

Public Sub SpImporterUdtraek(control As IRibbonControl)
    Dim chosen As Variant, handover As String
    If ActiveWorkbook Is Nothing Then
        MsgBox "Åbn først den projektmappe, udtrækkene skal importeres i.", vbInformation, "SP Rapport"
        Exit Sub
    End If
    chosen = Application.GetOpenFilename( _
        FileFilter:="Udtræk (*.xlsx;*.xlsm;*.csv;*.txt),*.xlsx;*.xlsm;*.csv;*.txt,Alle filer (*.*),*.*", _
        Title:="Vælg udtræk, der skal importeres", MultiSelect:=True)
    If Not IsArray(chosen) Then Exit Sub            ' cancelled: nothing to do, no message
    handover = WritePicked(chosen)
    If handover = "" Then
        MsgBox "De valgte filer kunne ikke gives videre til Python (ingen skriveadgang til " & _
               Environ$("TEMP") & ").", vbCritical, "SP Rapport"
        Exit Sub
    End If
    RunHandler "import", SpHex(handover)
End Sub

Public Sub SpTjekData(control As IRibbonControl)
    ' Repair links to other copies of the add-in first; the check reports what remains.
    RunHandler "check", SpHex(RepairedLinks())
End Sub

Private Function RepairedLinks() As String
    ' The links to other copies of the add-in that the repair left behind, one per line.
    If Not ActiveWorkbook Is Nothing Then RepairedLinks = SpRepairAddinLinks(ActiveWorkbook)
End Function

Public Sub SpDelSomEmail(control As IRibbonControl)
    RunHandler "share"
End Sub

Public Sub SpFunktioner(control As IRibbonControl)
    ' The reference goes into a new workbook of its own (the user's file stays untouched);
    ' Python writes into this workbook, the active one, and opens no other.
    Dim problem As String
    problem = SpPythonProblem()
    If problem <> "" Then
        MsgBox problem & vbLf & vbLf & "Klik SP Rapport > Diagnose for hele diagnosen.", vbCritical, "SP Rapport"
        Exit Sub
    End If
    Workbooks.Add
    RunHandler "functions"
End Sub

Public Sub SpDiagnose(control As IRibbonControl)
    ' What can be told without Python first: if Python cannot start, RunPython cannot say why.
    Dim problem As String
    problem = SpPythonProblem()
    If problem <> "" Then
        MsgBox problem & vbLf & vbLf & "Kør sp-xl doctor i en kommandoprompt for hele diagnosen, " & _
               "eller send denne besked til IT.", vbCritical, "SP Rapport - Diagnose"
        Exit Sub
    End If
    If ActiveWorkbook Is Nothing Then Workbooks.Add
    RunHandler "doctor"
End Sub

Public Function SpPythonProblem() As String
    ' "" when the interpreter and xlwings' DLL are where sp_xl.conf says; else a Danish reason.
    Dim interpreter As String, scripts As String, venv As String, dll As String
    #If Mac Then
        Exit Function
    #Else
        interpreter = GetConfig("INTERPRETER_WIN", "")
        If interpreter = "" Then
            SpPythonProblem = "sp_xl er ikke installeret for denne bruger: INTERPRETER_WIN mangler i " & _
                              GetConfigFilePath() & ". Kør install.ps1 (se README, afsnittet om installation)."
            Exit Function
        End If
        If Dir$(interpreter) = "" Then
            SpPythonProblem = "Python-miljøet findes ikke: " & interpreter & ". Kør install.ps1 igen."
            Exit Function
        End If
        ' Where xlwings' runtime looks (XLPyLoadDLL): beside the interpreter, then one folder up.
        scripts = Left$(interpreter, InStrRev(interpreter, "\") - 1)
        venv = Left$(scripts, InStrRev(scripts, "\") - 1)
        #If Win64 Then
            dll = "xlwings64-" & XLWINGS_VERSION & ".dll"
        #Else
            dll = "xlwings32-" & XLWINGS_VERSION & ".dll"
        #End If
        If Dir$(scripts & "\" & dll) = "" And Dir$(venv & "\" & dll) = "" Then
            SpPythonProblem = "xlwings' DLL i præcis den version, tilføjelsesprogrammet kræver (" & dll & _
                              "), mangler i " & venv & ". Kør install.ps1 igen (32-bit Office kræver 32-bit Python)."
        End If
    #End If
End Function

Public Function SpHex(ByVal text As String) As String
    ' Each UTF-16 code unit as four hex digits: an ASCII form of any path.
    Dim i As Long, code As Long, out As String
    For i = 1 To Len(text)
        code = AscW(Mid$(text, i, 1))
        If code < 0 Then code = code + 65536         ' AscW is an Integer: negative above &H7FFF
        out = out & Right$("000" & Hex$(code), 4)
    Next i
    SpHex = out
End Function

Private Function WritePicked(ByVal chosen As Variant) As String
    ' The hand-over file with the chosen paths (see PICKED_FILE); its path, or "" on failure.
    Dim path As String, f As Integer, i As Long
    On Error GoTo failed
    path = Environ$("TEMP") & "\" & PICKED_FILE
    f = FreeFile
    Open path For Output As #f
    For i = LBound(chosen) To UBound(chosen)
        Print #f, SpHex(CStr(chosen(i)))
    Next i
    Close #f
    WritePicked = path
    Exit Function
failed:
    WritePicked = ""
End Function

Private Sub RunHandler(ByVal action As String, Optional ByVal argument As String = "")
    Dim problem As String
    If ActiveWorkbook Is Nothing Then
        MsgBox "Åbn først den projektmappe, handlingen skal bruges på.", vbInformation, "SP Rapport"
        Exit Sub
    End If
    ' Say why before RunPython fails with xlwings' own English message.
    problem = SpPythonProblem()
    If problem <> "" Then
        MsgBox problem & vbLf & vbLf & "Klik SP Rapport > Diagnose for hele diagnosen.", vbCritical, "SP Rapport"
        Exit Sub
    End If
    Application.StatusBar = "SP Rapport: arbejder ..."
    RunPython HANDLERS & action & "', '" & argument & "')"
    #If Not Mac Then
        ' On Windows RunPython waits for Python; on a Mac it returns at once.
        Application.StatusBar = False
    #End If
End Sub
