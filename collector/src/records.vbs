' ----------------------------------------------------------------------------
' Fichiers d'enregistrements (#VMES-RECORDS 1, section 3 du contrat)
' ----------------------------------------------------------------------------
Dim gEscRe, gRecValues

Sub OpenRecords(name, source)
  Set gRS = fso.CreateTextFile(gCol & "\" & name & ".txt", True, True)
  gRS.Write "#VMES-RECORDS 1" & vbCrLf
  gRS.Write "#source: " & CommentText(source) & vbCrLf
  gCur("source") = source
  gCur("encoding") = "utf-16le"
End Sub

Sub CloseRecords()
  On Error Resume Next
  If IsObject(gRS) Then
    If Not gRS Is Nothing Then gRS.Close
  End If
  Set gRS = Nothing
  Err.Clear
End Sub

Sub RecComment(s)
  gRS.Write "#" & CommentText(s) & vbCrLf
End Sub

Function CommentText(s)
  ' Un commentaire reste brut (non echappe) mais tient sur une ligne
  CommentText = Replace(Replace(CStr(s), vbCr, " "), vbLf, " ")
End Function

Sub RecKind(kind)
  gRS.Write vbCrLf & "[" & kind & "]" & vbCrLf
End Sub

Function RecEscape(s)
  ' \\ \n \r \t et \u00XX (contrat, section 3). La plupart des valeurs n'ont
  ' rien a echapper : une expression reguliere le verifie d'un coup (un
  ' descripteur de securite en hexadecimal fait des milliers de caracteres).
  Dim i, c, n, out, t
  t = CStr(s)
  If IsEmpty(gEscRe) Then
    Set gEscRe = New RegExp
    gEscRe.Pattern = "[\x00-\x1F\\]"
  End If
  If Not gEscRe.Test(t) Then
    RecEscape = t
    Exit Function
  End If
  out = ""
  For i = 1 To Len(t)
    c = Mid(t, i, 1)
    n = Asc(c)
    If c = "\" Then
      out = out & "\\"
    ElseIf c = vbLf Then
      out = out & "\n"
    ElseIf c = vbCr Then
      out = out & "\r"
    ElseIf c = vbTab Then
      out = out & "\t"
    ElseIf n >= 0 And n < 32 Then
      out = out & "\u00" & HexN(n, 2)
    Else
      out = out & c
    End If
  Next
  RecEscape = out
End Function

Function FmtScalar(v)
  ' Formats du contrat : booleens True/False, entiers en decimal, dates ISO
  Dim vt
  vt = VarType(v)
  If vt = vbBoolean Then
    If v Then FmtScalar = "True" Else FmtScalar = "False"
  ElseIf vt = vbDate Then
    FmtScalar = Year(v) & "-" & Pad2(Month(v)) & "-" & Pad2(Day(v)) & "T" & Pad2(Hour(v)) & ":" & Pad2(Minute(v)) & ":" & Pad2(Second(v)) & "Z"
  ElseIf vt = vbSingle Or vt = vbDouble Or vt = vbCurrency Or vt = 14 Then
    If v = Int(v) And Abs(v) < 1E+15 Then
      FmtScalar = FormatIntD(v)
    Else
      FmtScalar = Replace(CStr(v), ",", ".")
    End If
  ElseIf vt = vbObject Then
    FmtScalar = LargeIntText(v)
  ElseIf vt = 8209 Then
    ' octets bruts (SID, descripteur...) : hexadecimal, sans decodage (hex.vbs)
    FmtScalar = BinHex(v)
  Else
    FmtScalar = CStr(v)
  End If
End Function

Function LargeIntText(o)
  ' IADsLargeInteger (AD) -> decimal
  On Error Resume Next
  Dim hi, lo
  hi = o.HighPart
  lo = o.LowPart
  If Err.Number <> 0 Then
    Err.Clear
    LargeIntText = ""
    Exit Function
  End If
  If lo < 0 Then lo = lo + 4294967296
  LargeIntText = FormatIntD(hi * 4294967296 + lo)
End Function

Sub RecProp(name, v)
  ' Ecrit la propriete ; si la valeur est illisible par le moteur VBScript
  ' (tableau COM de BSTR sous Wine 8), ecrit un commentaire a la place.
  Dim txt, en
  On Error Resume Next
  txt = PropLines(name, v, False)
  en = Err.Number
  Err.Clear
  On Error GoTo 0
  If en <> 0 Then txt = "#illisible: " & name & " (erreur 0x" & UCase(HexN(en, 8)) & ")" & vbCrLf
  gRS.Write txt
End Sub

Sub RecArr(name, a)
  ' Toujours multi-valeur, meme avec un seul element
  Dim txt, en
  On Error Resume Next
  txt = PropLines(name, a, True)
  en = Err.Number
  Err.Clear
  On Error GoTo 0
  If en <> 0 Then txt = "#illisible: " & name & " (erreur 0x" & UCase(HexN(en, 8)) & ")" & vbCrLf
  gRS.Write txt
End Sub

Function PropLines(name, v, forceMulti)
  ' Lignes d'une propriete ; gRecValues compte les valeurs non nulles de
  ' l'etape (une etape de l'annuaire sans aucune valeur est en erreur).
  Dim i, n, out
  out = ""
  If IsObject(v) Then
    out = name & "=" & RecEscape(FmtScalar(v)) & vbCrLf
    n = 1
  ElseIf IsArray(v) And VarType(v) <> 8209 Then
    n = 0
    For i = LBound(v) To UBound(v)
      If Not IsNull(v(i)) Then
        out = out & name & "[]=" & RecEscape(FmtScalar(v(i))) & vbCrLf
        n = n + 1
      End If
    Next
    If n = 0 Then out = name & "[]!" & vbCrLf
  ElseIf IsNull(v) Or IsEmpty(v) Then
    If forceMulti Then out = name & "[]!" & vbCrLf Else out = name & "!" & vbCrLf
    n = 0
  ElseIf forceMulti Then
    out = name & "[]=" & RecEscape(FmtScalar(v)) & vbCrLf
    n = 1
  Else
    out = name & "=" & RecEscape(FmtScalar(v)) & vbCrLf
    n = 1
  End If
  If n > 0 Then gRecValues = gRecValues + 1
  PropLines = out
End Function
