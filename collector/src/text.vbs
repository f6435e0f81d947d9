' ----------------------------------------------------------------------------
' Textes francais (ASCII + codes {xx}) et petits outils de chaines
' ----------------------------------------------------------------------------

Function UChr(code)
  ' ChrW n'existe pas sous Wine 8 : repli sur Chr (page ANSI) pour < 256.
  On Error Resume Next
  Dim s
  s = ChrW(code)
  If Err.Number <> 0 Then
    Err.Clear
    If code < 256 Then s = Chr(code) Else s = "?"
  End If
  UChr = s
End Function

Function UAsc(ch)
  On Error Resume Next
  Dim n
  n = AscW(ch)
  If Err.Number <> 0 Then
    Err.Clear
    n = Asc(ch)
  End If
  If n < 0 Then n = n + 65536
  UAsc = n
End Function

Function Fr(s)
  ' "R{e9}seau" -> "Reseau" avec e accent aigu
  Dim p, q, code, out
  out = ""
  p = 1
  Do
    q = InStr(p, s, "{")
    If q = 0 Then Exit Do
    If Mid(s, q + 3, 1) = "}" And IsHex(Mid(s, q + 1, 2)) Then
      out = out & Mid(s, p, q - p) & UChr(CLng("&H" & Mid(s, q + 1, 2)))
      p = q + 4
    ElseIf Mid(s, q + 5, 1) = "}" And IsHex(Mid(s, q + 1, 4)) Then
      out = out & Mid(s, p, q - p) & UChr(CLng("&H" & Mid(s, q + 1, 4)))
      p = q + 6
    Else
      out = out & Mid(s, p, q - p + 1)
      p = q + 1
    End If
  Loop
  Fr = out & Mid(s, p)
End Function

Function IsHex(s)
  Dim i, c
  IsHex = (Len(s) > 0)
  For i = 1 To Len(s)
    c = LCase(Mid(s, i, 1))
    If InStr("0123456789abcdef", c) = 0 Then IsHex = False
  Next
End Function

Sub Say(s)
  WScript.Echo Fr(s)
End Sub

Function JoinArr(a, sep)
  Dim i, s
  s = ""
  If IsArray(a) Then
    For i = LBound(a) To UBound(a)
      If i > LBound(a) Then s = s & sep
      s = s & CStr(a(i))
    Next
  End If
  JoinArr = s
End Function

Function PushArr(a, v)
  Dim n
  If UBound(a) < LBound(a) Then
    a = Array(v)
  Else
    n = UBound(a) + 1
    ReDim Preserve a(n)
    ' un objet (Dictionary d'une ACE...) demande Set : sans lui, VBScript
    ' affecterait sa propriete par defaut (erreur 450 des la deuxieme valeur)
    If IsObject(v) Then Set a(n) = v Else a(n) = v
  End If
  PushArr = a
End Function

Function Pad2(n)
  Pad2 = Right("0" & CStr(n), 2)
End Function

Function HexN(n, width)
  ' Hex() de Wine 8 est faux pour les Long negatifs : calcul explicite.
  Dim d, s, k
  d = CDbl(n)
  If d < 0 Then d = d + 4294967296
  s = ""
  Do
    k = d - Int(d / 16) * 16
    s = Mid("0123456789abcdef", k + 1, 1) & s
    d = Int(d / 16)
  Loop While d > 0
  Do While Len(s) < width
    s = "0" & s
  Loop
  HexN = s
End Function

Function FormatIntD(v)
  ' Entier (Double) sans exposant ni separateur de milliers
  Dim d, s, neg, k
  d = Abs(v)
  neg = (v < 0)
  s = ""
  Do
    k = d - Int(d / 10) * 10
    s = CStr(k) & s
    d = Int(d / 10)
  Loop While d > 0
  If neg Then s = "-" & s
  FormatIntD = s
End Function
