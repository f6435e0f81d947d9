' ----------------------------------------------------------------------------
' manifest.json (ASCII, \uXXXX au-dela de U+007E ; section 2 du contrat)
' ----------------------------------------------------------------------------

Function JStr(v)
  Dim s, i, c, n, out
  If IsNull(v) Or IsEmpty(v) Then
    JStr = "null"
    Exit Function
  End If
  s = CStr(v)
  out = """"
  For i = 1 To Len(s)
    c = Mid(s, i, 1)
    n = UAsc(c)
    If c = """" Then
      out = out & "\"""
    ElseIf c = "\" Then
      out = out & "\\"
    ElseIf n < 32 Or n > 126 Then
      out = out & "\u" & HexN(n, 4)
    Else
      out = out & c
    End If
  Next
  JStr = out & """"
End Function

Function JStrOrNull(v)
  ' champ facultatif du contrat : null quand il n'est pas donne
  If v & "" = "" Then JStrOrNull = "null" Else JStrOrNull = JStr(v)
End Function

Function JNum(v)
  If IsNull(v) Or IsEmpty(v) Then
    JNum = "null"
  Else
    JNum = FormatIntD(CDbl(v))
  End If
End Function

Sub WriteManifest(ended)
  Dim f, s, i, r, dns, nl
  nl = vbCrLf
  dns = ""
  dns = RegReadOr("HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Domain", "")
  s = "{" & nl
  s = s & "  ""format_version"": " & JStr(FORMAT_VERSION) & "," & nl
  s = s & "  ""collector"": {""name"": " & JStr(COLLECTOR_NAME) & ", ""version"": " & JStr(COLLECTOR_VERSION) & "}," & nl
  s = s & "  ""mode"": " & JStr(gMode) & "," & nl
  s = s & "  ""host"": {""name"": " & JStr(gHost)
  If dns <> "" Then s = s & ", ""dns_domain"": " & JStr(dns) Else s = s & ", ""dns_domain"": null"
  s = s & "}," & nl
  s = s & "  ""started"": " & JStr(NowIso(gStarted)) & "," & nl
  s = s & "  ""ended"": " & JStr(NowIso(ended)) & "," & nl
  s = s & "  ""run_as"": {""name"": " & JStr(RunAsName()) & ", ""sid"": " & JStr(RunAsSid() & "") & "}," & nl
  s = s & "  ""parameters"": {""service_account"": " & JStr(gAccount) & ", ""noc_host"": " & JStr(gNocHost) & _
      ", ""noc_port"": " & JNum(gNocPort) & ", ""noc_address"": " & JStr(gNocAddr) & ", ""dry_run"": false" & _
      ", ""client"": " & JStrOrNull(gClient) & ", ""pack"": " & JStrOrNull(gPack) & _
      ", ""params_file"": " & JStr(gParamsFile) & "}," & nl
  s = s & "  ""artifacts"": ["
  For i = 0 To gResultCount - 1
    Set r = gResults(i)
    If i > 0 Then s = s & ","
    s = s & nl & "    {""name"": " & JStr(r("name")) & ", ""file"": " & JStr(r("file")) & _
      ", ""source"": " & JStr(r("source")) & ", ""status"": " & JStr(r("status")) & _
      ", ""exit_code"": " & JNum(r("exit_code")) & ", ""duration_ms"": " & JNum(r("duration_ms")) & _
      ", ""encoding"": " & JStr(r("encoding")) & ", ""sha256"": " & JStr(r("sha256")) & _
      ", ""size"": " & JNum(r("size")) & ", ""error"": " & JStr(r("error")) & "}"
  Next
  s = s & nl & "  ]" & nl & "}" & nl
  Set f = fso.CreateTextFile(gCol & "\manifest.json", True, False)
  f.Write s
  f.Close
End Sub
