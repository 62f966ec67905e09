Attribute VB_Name = "SpLinks"
' Repairs formulas that point at another PC's copy of this add-in.
'
' When a workbook that uses SP_ functions is saved, Excel records the add-in's full path
' as an external link. Opened on a PC where sp_xl.xlam sits in another folder, the formulas
' show as 'C:\Users\<other>\...\sp_xl.xlam'!SP_GROWTH(...) and calculate nothing. Pointing
' each such link at this add-in (ChangeLink) turns them back into plain SP_ calls. Where
' ChangeLink fails (protected sheets, odd link states) we replace the path prefix in the
' formulas; what still remains is returned so the caller can report it.
Option Explicit
Option Private Module

Public Function SpRepairAddinLinks(ByVal wb As Workbook) As String
    Dim links As Variant, i As Long, link As String, failed As String
    If wb Is Nothing Then Exit Function
    If wb Is ThisWorkbook Then Exit Function
    links = AddinLinks(wb)
    If Not IsArray(links) Then Exit Function
    For i = LBound(links) To UBound(links)
        link = CStr(links(i))
        On Error Resume Next
        Err.Clear
        wb.ChangeLink Name:=link, NewName:=ThisWorkbook.FullName, Type:=xlExcelLinks
        If Err.Number <> 0 Then
            Err.Clear
            ReplaceInFormulas wb, link
        End If
        On Error GoTo 0
    Next i
    ' Whatever is still linked to another copy could not be repaired.
    links = AddinLinks(wb)
    If IsArray(links) Then
        For i = LBound(links) To UBound(links)
            failed = failed & CStr(links(i)) & vbLf
        Next i
    End If
    SpRepairAddinLinks = failed
End Function

Private Function AddinLinks(ByVal wb As Workbook) As Variant
    ' The external links whose file is called like this add-in but is not this add-in.
    Dim all As Variant, i As Long, found() As String, n As Long
    On Error Resume Next
    all = wb.LinkSources(xlExcelLinks)
    On Error GoTo 0
    If Not IsArray(all) Then Exit Function
    For i = LBound(all) To UBound(all)
        If IsOtherCopy(CStr(all(i))) Then
            ReDim Preserve found(0 To n)
            found(n) = CStr(all(i))
            n = n + 1
        End If
    Next i
    If n > 0 Then AddinLinks = found
End Function

Private Function IsOtherCopy(ByVal path As String) As Boolean
    Dim p As Long, fileName As String
    p = InStrRev(Replace(path, "/", "\"), "\")
    fileName = Mid$(path, p + 1)
    IsOtherCopy = StrComp(fileName, ThisWorkbook.Name, vbTextCompare) = 0 And _
                  StrComp(path, ThisWorkbook.FullName, vbTextCompare) <> 0
End Function

Private Sub ReplaceInFormulas(ByVal wb As Workbook, ByVal link As String)
    Dim ws As Worksheet
    On Error Resume Next
    For Each ws In wb.Worksheets
        ws.UsedRange.Replace What:="'" & link & "'!", Replacement:="", LookAt:=xlPart, MatchCase:=False
        ws.UsedRange.Replace What:=link & "!", Replacement:="", LookAt:=xlPart, MatchCase:=False
    Next ws
End Sub
