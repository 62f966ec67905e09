Attribute VB_Name = "SpRibbon"
' Ribbon callbacks of the "SP Rapport" tab. Each calls ONE Python handler on the active
' workbook through xlwings' RunPython; the handlers share their engines with `sp-xl`.
Option Explicit

Private Const HANDLERS As String = "import sp_xl.addin.handlers as h; h.run_from_excel('"

Public Sub SpOpdaterAlleArk(control As IRibbonControl)
    RunHandler "refresh"
End Sub

Public Sub SpImporterUdtraek(control As IRibbonControl)
    RunHandler "import"
End Sub

Public Sub SpTjekData(control As IRibbonControl)
    ' Repair links to other copies of the add-in first; the check reports what remains.
    If Not ActiveWorkbook Is Nothing Then SpRepairAddinLinks ActiveWorkbook
    RunHandler "check"
End Sub

Public Sub SpDelSomEmail(control As IRibbonControl)
    RunHandler "share"
End Sub

Public Sub SpFunktioner(control As IRibbonControl)
    If ActiveWorkbook Is Nothing Then Workbooks.Add
    RunHandler "functions"
End Sub

Public Function SpPickFiles(ByVal title As String) As String
    ' Called back from Python (Application.Run): the chosen files, one per line, or "".
    Dim chosen As Variant, i As Long, out As String
    chosen = Application.GetOpenFilename( _
        FileFilter:="Udtræk (*.xlsx;*.xlsm;*.csv;*.txt),*.xlsx;*.xlsm;*.csv;*.txt,Alle filer (*.*),*.*", _
        Title:=title, MultiSelect:=True)
    If IsArray(chosen) Then
        For i = LBound(chosen) To UBound(chosen)
            out = out & CStr(chosen(i)) & vbLf
        Next i
    End If
    SpPickFiles = out
End Function

Private Sub RunHandler(ByVal action As String)
    If ActiveWorkbook Is Nothing Then
        MsgBox "Åbn først den projektmappe, handlingen skal bruges på.", vbInformation, "SP Rapport"
        Exit Sub
    End If
    Application.StatusBar = "SP Rapport: arbejder ..."
    RunPython HANDLERS & action & "')"
    #If Not Mac Then
        ' On Windows RunPython waits for Python; on a Mac it returns at once.
        Application.StatusBar = False
    #End If
End Sub
