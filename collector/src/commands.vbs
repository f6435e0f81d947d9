' ----------------------------------------------------------------------------
' Commandes externes : cmd /c fichier.cmd, sortie redirigee, delai borne
'
' Chaque commande est lancee par son chemin complet, entre guillemets :
' "C:\WINDOWS\system32\ipconfig.exe" /all. Ni les noms courts 8.3 (qui
' peuvent etre desactives : NtfsDisable8dot3NameCreation), ni le PATH, ni le
' dossier courant ne decident de l'executable lance.
' ----------------------------------------------------------------------------
Dim gSysDir

Function SysDir()
  ' Dossier systeme (%SystemRoot%\system32) ; gSysDir peut etre fixe avant
  ' (tests : un dossier systeme dont le chemin contient un espace).
  If gSysDir = "" Then gSysDir = Env("%SystemRoot%\system32")
  SysDir = gSysDir
End Function

Function ComSpecPath()
  ComSpecPath = SysDir() & "\cmd.exe"
End Function

Function CommandLine(cmdline)
  ' "chemin complet" arguments. Un nom nu (systeminfo, ipconfig, whoami,
  ' ping, reg...) devient l'executable du dossier systeme (regedit : celui de
  ' %SystemRoot%) ; un chemin deja cite reste tel quel.
  Dim t, p, exe, args, path
  t = Trim(cmdline)
  If Left(t, 1) = """" Then
    CommandLine = t
    Exit Function
  End If
  p = InStr(t, " ")
  If p = 0 Then
    exe = t
    args = ""
  Else
    exe = Left(t, p - 1)
    args = Mid(t, p)
  End If
  If InStr(exe, "\") > 0 Then
    path = exe
  Else
    If InStr(exe, ".") = 0 Then exe = exe & ".exe"
    If LCase(exe) = "regedit.exe" Then
      path = Env("%SystemRoot%") & "\regedit.exe"
    Else
      path = SysDir() & "\" & exe
    End If
  End If
  CommandLine = """" & path & """" & args
End Function

Function CmdC(inner)
  ' "cmd.exe" /c ""chemin" arguments" : cmd retire le premier et le dernier
  ' guillemet de ce qui suit /c (cmd /?), le chemin reste cite.
  CmdC = """" & ComSpecPath() & """ /c """ & inner & """"
End Function

Function RunCommand(cmdline, outPath, timeoutS, ByRef exitCode, ByRef errText)
  ' Renvoie True si la commande s'est terminee. Le code retour vient de
  ' %ERRORLEVEL% ecrit par le .cmd (WshExec.ExitCode manque sous Wine 8).
  Dim bat, f, ex, t0, rcPath, outTmp, errTmp, s, timedOut, n
  RunCommand = False
  exitCode = Null
  errText = ""
  n = Int(Rnd * 1000000)
  bat = gTmp & "\run" & n & ".cmd"
  outTmp = gTmp & "\out" & n & ".txt"
  errTmp = gTmp & "\err" & n & ".txt"
  rcPath = gTmp & "\rc" & n & ".txt"
  Set f = fso.CreateTextFile(bat, True, False)
  f.Write "@echo off" & vbCrLf
  f.Write CommandLine(cmdline) & " >""" & outTmp & """ 2>""" & errTmp & """" & vbCrLf
  f.Write ">""" & rcPath & """ echo %ERRORLEVEL%" & vbCrLf
  f.Close
  ' "cmd.exe" /c ""chemin"" : le chemin du .cmd reste cite (espaces du
  ' dossier temporaire, noms 8.3 desactives).
  Set ex = sh.Exec(CmdC("""" & bat & """"))
  t0 = Timer
  timedOut = False
  Do While ex.Status = 0
    If ElapsedMs(t0) > timeoutS * 1000 Then
      timedOut = True
      Exit Do
    End If
    Nap 100
  Loop
  If timedOut Then
    KillTree ex
    errText = Fr("d{e9}lai d{e9}pass{e9} (" & timeoutS & " s) : commande arr{ea}t{e9}e")
  Else
    RunCommand = True
    If fso.FileExists(rcPath) Then
      s = Trim(ReadAllAscii(rcPath))
      s = Replace(Replace(s, vbCr, ""), vbLf, "")
      If IsNumeric(s) Then exitCode = CLng(s)
    End If
    If IsNull(exitCode) Then exitCode = SafeExitCode(ex)
  End If
  If fso.FileExists(errTmp) Then
    If fso.GetFile(errTmp).Size > 0 Then
      s = Trim(ReadAllAscii(errTmp))
      If s <> "" Then errText = Trim(errText & " " & Left(Replace(Replace(s, vbCr, " "), vbLf, " "), 300))
    End If
  End If
  If outPath <> "" And fso.FileExists(outTmp) Then
    If fso.FileExists(outPath) Then fso.DeleteFile outPath, True
    fso.MoveFile outTmp, outPath
  End If
End Function

Function SafeExitCode(ex)
  On Error Resume Next
  SafeExitCode = Null
  SafeExitCode = ex.ExitCode
  Err.Clear
End Function

Sub KillTree(ex)
  ' Arrete la commande et ses descendants (enfants d'abord).
  On Error Resume Next
  Dim pid
  pid = ex.ProcessID
  KillChildren pid, 0
  ex.Terminate
  If Err.Number <> 0 Then
    Err.Clear
    sh.Run CmdC(CommandLine("taskkill /F /PID " & pid)), 0, True
  End If
  Err.Clear
End Sub

Sub KillChildren(pid, depth)
  On Error Resume Next
  Dim p, kids, k, i
  If depth > 5 Then Exit Sub
  kids = Array()
  kids = ChildPids(pid)
  Err.Clear
  For i = 0 To UBound(kids)
    KillChildren kids(i), depth + 1
    k = -1
    k = TerminatePid(kids(i))
    If Err.Number <> 0 Or k <> 0 Then
      Err.Clear
      sh.Run CmdC(CommandLine("taskkill /F /PID " & kids(i))), 0, True
    End If
    Err.Clear
  Next
End Sub

Function ChildPids(pid)
  Dim p, kids
  kids = Array()
  For Each p In WmiService().ExecQuery("SELECT ProcessId FROM Win32_Process WHERE ParentProcessId=" & pid)
    kids = PushArr(kids, p.ProcessId)
  Next
  ChildPids = kids
End Function

Function TerminatePid(pid)
  ' Win32_Process.Terminate (les appels de methode WMI echouent sous Wine 8)
  Dim p
  TerminatePid = -1
  For Each p In WmiService().ExecQuery("SELECT * FROM Win32_Process WHERE ProcessId=" & pid)
    TerminatePid = p.Terminate()
  Next
End Function

Function ReadAllAscii(path)
  ' Octets bruts en chaine (un caractere par octet, page ANSI)
  Dim f
  ReadAllAscii = ""
  If fso.GetFile(path).Size = 0 Then Exit Function
  Set f = fso.OpenTextFile(path, 1, False, 0)
  ReadAllAscii = f.ReadAll
  f.Close
End Function

Sub StepCommand(name, cmdline)
  Dim path, rc, et
  gCur("source") = cmdline
  gCur("encoding") = "cp" & gOemCp
  path = gCol & "\" & name & ".txt"
  If Not RunCommand(cmdline, path, gTimeout, rc, et) Then
    gCur("exit_code") = Null
    Fail et
    Exit Sub
  End If
  gCur("exit_code") = rc
  If Not IsNull(rc) Then
    If rc <> 0 Then Fail Fr("code retour " & rc & ". " & et)
  End If
  If Not fso.FileExists(path) Then
    Fail Fr("la commande n'a produit aucun fichier. ") & et
  ElseIf fso.GetFile(path).Size = 0 Then
    Fail Fr("la commande n'a rien {e9}crit. ") & et
  End If
End Sub

Sub StepWhoami(name, cmdline)
  ' whoami.exe n'existe qu'a partir de Windows Server 2003.
  If Not fso.FileExists(Env("%SystemRoot%\system32\whoami.exe")) Then
    gCur("source") = cmdline
    Skip Fr("whoami.exe absent (Windows 2000) : voir token_groups et local_admins")
    Exit Sub
  End If
  StepCommand name, cmdline
  If name = "whoami_user" And gCur("status") = "ok" Then gRunAsSid = FindSid(ReadAllAscii(gCol & "\" & name & ".txt"))
End Sub

Function FindSid(s)
  Dim re, m
  Set re = New RegExp
  re.Pattern = "S-1-5-[0-9-]+"
  re.IgnoreCase = False
  FindSid = ""
  For Each m In re.Execute(s)
    FindSid = m.Value
    Exit For
  Next
End Function
