Attribute VB_Name = "SpFejltekst"
' The one worksheet function written in VBA. This module is public (no Option Private
' Module) so that Excel lists SP_FEJLTEKST under Insert Function; every helper module is
' private.
Option Explicit

Public Function SP_FEJLTEKST(celle As Range) As Variant
    SP_FEJLTEKST = SpErrorText(celle)
End Function
