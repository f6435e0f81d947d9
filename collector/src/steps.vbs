' ----------------------------------------------------------------------------
' Declaration des artefacts et execution d'une etape
' ----------------------------------------------------------------------------

Sub Decl(name, ext, label, proc, param, modes)
  Dim d
  Set d = CreateObject("Scripting.Dictionary")
  d("name") = name
  d("ext") = ext
  d("label") = label
  d("proc") = proc
  d("param") = param
  d("modes") = modes
  ReDim Preserve gDecl(gDeclCount)
  Set gDecl(gDeclCount) = d
  gDeclCount = gDeclCount + 1
End Sub

' DeclareArtifacts : genere par collector/build.py a partir de collector/artifacts.toml
' (une ligne Decl par artefact du catalogue, dans son ordre).

Function Selected(d)
  Dim items, i, it, name
  Selected = False
  If InStr(" " & d("modes") & " ", " " & gMode & " ") = 0 Then Exit Function
  If gOnly = "" Then
    Selected = True
    Exit Function
  End If
  name = d("name")
  items = Split(gOnly, ",")
  For i = 0 To UBound(items)
    it = Trim(items(i))
    If it = name Or (it <> "" And Left(name, Len(it) + 1) = it & "_") Then Selected = True
  Next
End Function

Function NewResult(d)
  Dim r
  Set r = CreateObject("Scripting.Dictionary")
  r("name") = d("name")
  r("file") = ""
  r("source") = ""
  r("status") = "ok"
  r("exit_code") = Null
  r("duration_ms") = 0
  r("encoding") = ""
  r("sha256") = ""
  r("crc32") = Null
  r("size") = Null
  r("error") = ""
  r("ext") = d("ext")
  Set NewResult = r
End Function

Sub RunArtifact(d)
  Dim t0, ms, path, label, st, en, ed, sz, crc, sha
  gStepNo = gStepNo + 1
  Progress d("name"), d("label")
  Set gCur = NewResult(d)
  Set gRS = Nothing
  gRecValues = 0
  t0 = Timer
  On Error Resume Next
  Dispatch d
  en = Err.Number
  ed = Err.Description
  Err.Clear
  CloseRecords
  If en <> 0 Then
    gCur("status") = "error"
    If gCur("error") = "" Then gCur("error") = ErrText(en, ed) Else gCur("error") = gCur("error") & " ; " & ErrText(en, ed)
  End If
  ms = ElapsedMs(t0)
  gCur("duration_ms") = ms
  path = gCol & "\" & d("name") & "." & d("ext")
  If fso.FileExists(path) Then
    gCur("file") = d("name") & "." & d("ext")
    sz = fso.GetFile(path).Size
    gCur("size") = sz
    ' CRC-32 (repris par l'archive) et, jusqu'a SHA256_MAX_BYTES, SHA-256
    crc = Null
    sha = ""
    DigestFile path, (sz <= SHA256_MAX_BYTES), crc, sha
    If Err.Number <> 0 Then
      crc = Null
      sha = ""
    End If
    Err.Clear
    gCur("crc32") = crc
    gCur("sha256") = sha
  Else
    gCur("file") = ""
    gCur("size") = Null
  End If
  On Error GoTo 0
  ReDim Preserve gResults(gResultCount)
  Set gResults(gResultCount) = gCur
  gResultCount = gResultCount + 1
  Select Case gCur("status")
    Case "ok": st = "OK"
    Case "skipped": st = "sans objet"
    Case Else: st = "ERREUR"
  End Select
  label = "[" & gStepNo & "/" & gStepTotal & "] " & d("label") & " ... " & st & " (" & FmtSec(ms) & ")"
  If gCur("status") <> "ok" And gCur("error") <> "" Then label = label & " : " & Left(gCur("error"), 160)
  Say label
End Sub

Sub Dispatch(d)
  ' Windows 2000 n'a ni systeminfo.exe, ni whoami.exe, ni la classe
  ' Win32_TerminalServiceSetting : etapes "sans objet", sans les essayer
  ' (contrat, section 2).
  If IsWindows2000() And InStr(" systeminfo whoami_user whoami_groups wmi_terminalservice ", " " & d("name") & " ") > 0 Then
    gCur("source") = d("param")
    Skip "absent de Windows 2000"
    Exit Sub
  End If
  Select Case d("proc")
    Case "cmd": StepCommand d("name"), d("param")
    Case "whoami": StepWhoami d("name"), d("param")
    Case "wmi": StepWmi d("name"), d("param")
    Case "wmiaccounts": StepWmiAccounts
    Case "regvalues": StepRegValues
    Case "regexport": StepRegExport d("name"), d("param")
    Case "fileversions": StepFileVersions
    Case "tokengroups": StepTokenGroups
    Case "localadmins": StepLocalAdmins
    Case "ad": StepAd d("name")
    Case "netproxy": StepNetProxy
    Case "netnoc": StepNetNoc
    Case "netexch": StepNetExchangePath
  End Select
End Sub

Sub Fail(msg)
  gCur("status") = "error"
  If gCur("error") = "" Then gCur("error") = msg Else gCur("error") = gCur("error") & " ; " & msg
End Sub

Sub Skip(msg)
  gCur("status") = "skipped"
  gCur("error") = msg
End Sub

' ----------------------------------------------------------------------------
' Avancement : collecte-en-cours.txt nomme l'etape commencee (contrat, section
' 1.1). Sous Wine 8, cscript ne dit rien et rend 0 quand le script meurt
' (erreur de compilation ou d'execution non interceptee) : ce fichier, supprime
' seulement a la toute fin (Main), est la trace d'une collecte interrompue.
' ----------------------------------------------------------------------------

Sub Progress(stepName, label)
  Dim f
  If gCol = "" Then Exit Sub
  On Error Resume Next
  Set f = fso.CreateTextFile(gCol & "\" & PROGRESS_FILE, True, True)
  f.Write "#VMES-RECORDS 1" & vbCrLf
  f.Write "#" & Fr("Collecte vmes-audit en cours : ce fichier est supprim{e9} {e0} la fin de la collecte. ") & _
          Fr("S'il reste, le collecteur s'est arr{ea}t{e9} pendant l'{e9}tape ci-dessous.") & vbCrLf
  f.Write "[progress]" & vbCrLf
  f.Write "Step=" & RecEscape(stepName) & vbCrLf
  f.Write "Number=" & gStepNo & vbCrLf
  f.Write "Total=" & gStepTotal & vbCrLf
  f.Write "Label=" & RecEscape(label) & vbCrLf
  f.Write "Collector=" & COLLECTOR_NAME & " " & COLLECTOR_VERSION & vbCrLf
  f.Close
  Err.Clear
End Sub

Sub ProgressDone()
  ' Derniere instruction de la collecte : la collecte est complete.
  On Error Resume Next
  If gCol <> "" Then
    If fso.FileExists(gCol & "\" & PROGRESS_FILE) Then fso.DeleteFile gCol & "\" & PROGRESS_FILE, True
  End If
  Err.Clear
End Sub
