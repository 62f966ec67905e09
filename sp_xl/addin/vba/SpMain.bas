Attribute VB_Name = "SpMain"
' Start-up of the add-in: register the functions' help and listen for opened workbooks.
Option Explicit
Option Private Module

Private mEvents As SpAppEvents

Public Sub SpStartup()
    Dim wb As Workbook
    On Error Resume Next
    SpRegisterFunctions
    Set mEvents = New SpAppEvents
    Set mEvents.App = Application
    ' Workbooks opened before the add-in was loaded (double-click start, manual loading).
    For Each wb In Application.Workbooks
        SpRepairAddinLinks wb
    Next wb
End Sub

Public Sub SpShutdown()
    Set mEvents = Nothing
End Sub
