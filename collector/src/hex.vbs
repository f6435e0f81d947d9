' ----------------------------------------------------------------------------
' Valeurs binaires -> hexadecimal minuscule, sans les decoder
'
' ADSI et ADO rendent objectSid, tokenGroups, nTSecurityDescriptor... comme
' des tableaux d'octets (VT_ARRAY|VT_UI1, VarType 8209). Le collecteur ne lit
' pas ces octets en VBScript : MSXML les convertit en texte par le type de
' donnees "bin.hex" (MSXML 2.0 et suivants, presents sur Windows 2000 et
' 2003), et l'analyseur les interprete. Exemple : le SID S-1-5-32-544 s'ecrit
' 01020000000000052000000020020000.
' ----------------------------------------------------------------------------
Dim gHexDoc, gHexEl

Function BinHex(v)
  ' Null/Empty -> Null ; octets -> "0102ab..." ; tableau de nombres 0..255
  ' (WScript.Shell.RegRead d'une valeur REG_BINARY) -> idem.
  If IsNull(v) Or IsEmpty(v) Then
    BinHex = Null
  ElseIf VarType(v) = 8209 Then
    If IsEmpty(gHexEl) Then
      ' WScript.CreateObject : le CreateObject de VBScript sous Wine 8 refuse
      ' les objets MSXML (IObjectWithSite) ; identique sous Windows.
      On Error Resume Next
      Set gHexDoc = WScript.CreateObject("MSXML2.DOMDocument")
      If Err.Number <> 0 Then
        Err.Clear
        Set gHexDoc = WScript.CreateObject("Microsoft.XMLDOM")
      End If
      On Error GoTo 0
      Set gHexEl = gHexDoc.createElement("b")
      gHexEl.dataType = "bin.hex"
    End If
    ' La valeur passe par une fonction : MSXML de Wine 8 refuse une variable
    ' passee par reference (VT_BYREF) ; sans effet sous Windows.
    gHexEl.nodeTypedValue = ByValue(v)
    BinHex = LCase(gHexEl.text)
  ElseIf IsArray(v) Then
    BinHex = ByteArrHex(v)
  Else
    Err.Raise 13, "BinHex", "valeur binaire attendue (VarType " & VarType(v) & ")"
  End If
End Function

Function ByValue(x)
  ByValue = x
End Function

Function SafeBinHex(v)
  ' BinHex sans erreur : Null si la conversion echoue.
  On Error Resume Next
  SafeBinHex = Null
  SafeBinHex = BinHex(v)
  Err.Clear
End Function

Function ByteArrHex(a)
  ' Tableau de nombres 0..255 (StdRegProv, RegRead) -> hexadecimal minuscule
  Dim i, s
  s = ""
  If IsArray(a) Then
    For i = LBound(a) To UBound(a)
      s = s & HexN(a(i), 2)
    Next
  End If
  ByteArrHex = s
End Function

Function SdControlFromHex(h)
  ' Mot de controle d'un descripteur de securite auto-relatif (MS-DTYP 2.4.6) :
  ' octets 2 et 3, petit-boutiste. "01001494..." -> &H9414 = 37908
  ' (SE_SELF_RELATIVE 0x8000, SE_DACL_PROTECTED 0x1000...). Seule valeur que le
  ' collecteur lit dans un binaire (ad_mail_users_protected). Null si h n'est
  ' pas un descripteur en hexadecimal.
  SdControlFromHex = Null
  If IsNull(h) Or IsEmpty(h) Then Exit Function
  If Len(h) < 40 Then Exit Function
  If Not IsHex(Left(h, 8)) Then Exit Function
  ' &Hxx est lu sur deux chiffres (0..255) : pas de depassement de signe
  SdControlFromHex = CLng("&H" & Mid(h, 7, 2)) * 256 + CLng("&H" & Mid(h, 5, 2))
End Function
