' ----------------------------------------------------------------------------
' Heure locale ISO 8601, durees, attente
' ----------------------------------------------------------------------------

Function NowIso(d)
  NowIso = Year(d) & "-" & Pad2(Month(d)) & "-" & Pad2(Day(d)) & "T" & _
    Pad2(Hour(d)) & ":" & Pad2(Minute(d)) & ":" & Pad2(Second(d)) & TzSuffix(gTzOffset)
End Function

Function TzSuffix(mins)
  Dim a, s
  If mins < 0 Then s = "-" Else s = "+"
  a = Abs(mins)
  TzSuffix = s & Pad2(a \ 60) & ":" & Pad2(a Mod 60)
End Function

Function ElapsedMs(t0)
  Dim t
  t = Timer - t0
  If t < 0 Then t = t + 86400
  ElapsedMs = CLng(t * 1000)
End Function

Function FmtSec(ms)
  ' 1234 -> "1,2 s" (virgule decimale francaise)
  FmtSec = (ms \ 1000) & "," & ((ms Mod 1000) \ 100) & " s"
End Function

Sub Nap(ms)
  ' WScript.Sleep n'est pas implemente sous Wine 8 : attente active en repli.
  Dim t0
  If gSleepOk Then
    On Error Resume Next
    WScript.Sleep ms
    If Err.Number = 0 Then Exit Sub
    Err.Clear
    gSleepOk = False
    On Error GoTo 0
  End If
  t0 = Timer
  Do While ElapsedMs(t0) < ms
  Loop
End Sub
