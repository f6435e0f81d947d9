' ----------------------------------------------------------------------------
' Registre : StdRegProv (root\default, vue 64 bits si possible), repli RegRead ; exports regedit
' ----------------------------------------------------------------------------
Dim gReg, gRegCtx, gRegMode, gRegErr, gExchServices

Function RegValueList()
  Dim L, nt, ies, tsk
  nt = "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion"
  ies = "HKLM\SOFTWARE\Microsoft\Active Setup\Installed Components\"
  tsk = "HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server"
  L = Array( _
    Array(nt, "ProductName"), Array(nt, "CurrentVersion"), Array(nt, "CurrentBuildNumber"), Array(nt, "CSDVersion"), Array(nt, "EditionID"), _
    Array("HKLM\SOFTWARE\Microsoft\Internet Explorer", "Version"), _
    Array(ies & "{A509B1A7-37EF-4b3f-8CFC-4F3A74704073}", "IsInstalled"), _
    Array(ies & "{A509B1A8-37EF-4b3f-8CFC-4F3A74704073}", "IsInstalled"), _
    Array("HKLM\SYSTEM\CurrentControlSet\Control", "RegistrySizeLimit"), Array("HKLM\SYSTEM\CurrentControlSet\Control", "SystemStartOptions"), _
    Array(tsk, "TSAppCompat"), Array(tsk, "TSEnabled"), Array(tsk, "fDenyTSConnections"), _
    Array("HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage", "OEMCP"), Array("HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage", "ACP"), _
    Array("HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Environment", "PROCESSOR_ARCHITECTURE"), _
    Array("HKCR\MAPI.Session\CLSID", ""), _
    Array("HKCR\CLSID\{3FA7DEB3-6438-101B-ACC1-00AA00423326}\InprocServer32", ""), _
    Array("HKLM\SOFTWARE\Microsoft\Exchange\Setup", "ServicePackBuild"), Array("HKLM\SOFTWARE\Microsoft\Exchange\Setup", "MsiProductMajor"), _
    Array("HKLM\SOFTWARE\Microsoft\Exchange\Setup", "MsiProductMinor"), Array("HKLM\SOFTWARE\Microsoft\Exchange\Setup", "Services"))
  RegValueList = L
End Function

Function HiveOf(key, ByRef subkey)
  Dim p, h
  p = InStr(key, "\")
  h = UCase(Left(key, p - 1))
  subkey = Mid(key, p + 1)
  Select Case h
    Case "HKLM", "HKEY_LOCAL_MACHINE": HiveOf = HKLM
    Case "HKCU", "HKEY_CURRENT_USER": HiveOf = HKCU
    Case "HKCR", "HKEY_CLASSES_ROOT": HiveOf = HKCR
  End Select
End Function

Sub ConnectReg()
  ' StdRegProv (root\default). Sur Windows 64 bits, le contexte
  ' __ProviderArchitecture=64 fait lire la vue 64 bits meme depuis le cscript
  ' 32 bits (SysWOW64) ; il doit accompagner CHAQUE appel de methode
  ' (ExecMethod_), pas seulement ConnectServer (Microsoft, "Requesting WMI
  ' Data on a 64-bit Platform").
  Dim loc, svc, rc, outp, names, ub
  If gRegMode <> "" Then Exit Sub
  On Error Resume Next
  gRegMode = "regread"
  Set loc = CreateObject("WbemScripting.SWbemLocator")
  If gIs64 Then
    Set gRegCtx = CreateObject("WbemScripting.SWbemNamedValueSet")
    gRegCtx.Add "__ProviderArchitecture", 64
    gRegCtx.Add "__RequiredArchitecture", True
    Set svc = loc.ConnectServer(".", "root\default", "", "", "", "", 0, gRegCtx)
  Else
    Set svc = loc.ConnectServer(".", "root\default")
  End If
  Set gReg = svc.Get("StdRegProv")
  If Err.Number = 0 Then
    ' Essai reel sur une cle toujours presente : sous Wine 8, les noms rendus
    ' par EnumValues (tableau COM de BSTR) sont illisibles : repli RegRead.
    ' (Chaque valeur est lue dans sa propre instruction : une erreur dans la
    ' condition d'un If ferait entrer dans le Then.)
    rc = -1
    ub = -1
    rc = RegCall("EnumValues", HKLM, "SYSTEM\CurrentControlSet\Control\Nls\CodePage", Null, outp)
    If Err.Number = 0 Then names = outp.sNames
    If Err.Number = 0 Then ub = UBound(names)
    If Err.Number = 0 And rc = 0 And ub >= 0 Then gRegMode = "stdregprov"
  End If
  If gRegMode <> "stdregprov" Then
    If Err.Number <> 0 Then
      gRegErr = ErrText(Err.Number, Err.Description)
    Else
      gRegErr = Fr("r{e9}ponse de StdRegProv.EnumValues illisible (code " & rc & ")")
    End If
  End If
  Err.Clear
End Sub

Function RegCall(method, hive, subkey, valName, ByRef outp)
  ' Une methode de StdRegProv par ExecMethod_ (parametres d'entree remplis
  ' comme dans l'exemple de Microsoft) ; renvoie son ReturnValue (0 = succes).
  Dim inp
  Set inp = gReg.Methods_(method).InParameters
  inp.hDefKey = hive
  inp.sSubKeyName = subkey
  If Not IsNull(valName) Then inp.sValueName = valName
  If IsObject(gRegCtx) Then
    Set outp = gReg.ExecMethod_(method, inp, 0, gRegCtx)
  Else
    Set outp = gReg.ExecMethod_(method, inp)
  End If
  RegCall = outp.ReturnValue
End Function

Function RegTypeName(t)
  Select Case t
    Case 1: RegTypeName = "REG_SZ"
    Case 2: RegTypeName = "REG_EXPAND_SZ"
    Case 3: RegTypeName = "REG_BINARY"
    Case 4: RegTypeName = "REG_DWORD"
    Case 7: RegTypeName = "REG_MULTI_SZ"
    Case 11: RegTypeName = "REG_QWORD"
    Case Else: RegTypeName = "REG_" & t
  End Select
End Function

Function ReadRegValue(key, valName, ByRef typ, ByRef data)
  ' Renvoie True si la valeur existe ; typ = "REG_SZ"..., data = valeur
  Dim hive, subkey, rc, names, types, i, t, v, outp
  ReadRegValue = False
  typ = ""
  data = Null
  ConnectReg
  hive = HiveOf(key, subkey)
  If gRegMode = "stdregprov" Then
    rc = RegCall("EnumValues", hive, subkey, Null, outp)
    If rc <> 0 Then Exit Function
    names = outp.sNames
    types = outp.Types
    t = 0
    If IsArray(names) Then
      For i = 0 To UBound(names)
        If LCase(names(i)) = LCase(valName) Then t = types(i)
      Next
    End If
    ' valeur par defaut sans type enumere : lue comme chaine
    If t = 0 And valName = "" Then t = 1
    If t = 0 Then Exit Function
    Select Case t
      Case 1: rc = RegCall("GetStringValue", hive, subkey, valName, outp)
      Case 2: rc = RegCall("GetExpandedStringValue", hive, subkey, valName, outp)
      Case 3: rc = RegCall("GetBinaryValue", hive, subkey, valName, outp)
      Case 4: rc = RegCall("GetDWORDValue", hive, subkey, valName, outp)
      Case 7: rc = RegCall("GetMultiStringValue", hive, subkey, valName, outp)
      Case Else: rc = 1
    End Select
    If rc <> 0 Then Exit Function
    If t = 3 Or t = 4 Then v = outp.uValue Else v = outp.sValue
    If IsNull(v) Then Exit Function
    typ = RegTypeName(t)
    If t = 3 Then
      data = ByteArrHex(v)
    Else
      data = v
    End If
    ReadRegValue = True
  Else
    ' Repli WScript.Shell.RegRead : type deduit du type VBScript.
    On Error Resume Next
    v = sh.RegRead(key & "\" & valName)
    If Err.Number <> 0 Then
      Err.Clear
      Exit Function
    End If
    On Error GoTo 0
    If IsArray(v) Then
      If UBound(v) >= LBound(v) Then
        If VarType(v(LBound(v))) = vbString Then
          typ = "REG_MULTI_SZ"
          data = v
        Else
          typ = "REG_BINARY"
          data = ByteArrHex(v)
        End If
      Else
        typ = "REG_BINARY"
        data = ""
      End If
    ElseIf VarType(v) = vbString Then
      typ = "REG_SZ"
      data = v
    Else
      typ = "REG_DWORD"
      If v < 0 Then data = FormatIntD(CDbl(v) + 4294967296) Else data = v
    End If
    ReadRegValue = True
  End If
End Function

Sub StepRegValues()
  Dim L, i, typ, data, src
  ConnectReg
  If gRegMode = "stdregprov" Then
    src = "StdRegProv (root\default)"
    If gIs64 Then src = src & ", __ProviderArchitecture=64"
  Else
    src = "WScript.Shell.RegRead (StdRegProv indisponible : " & gRegErr & ")"
  End If
  OpenRecords "reg_values", src
  If gIsWow Then RecComment "cscript 32 bits (SysWOW64) sur Windows 64 bits"
  L = RegValueList()
  For i = 0 To UBound(L)
    RecKind "value"
    RecProp "Key", L(i)(0)
    RecProp "Name", L(i)(1)
    If ReadRegValue(L(i)(0), L(i)(1), typ, data) Then
      RecProp "Type", typ
      If typ = "REG_MULTI_SZ" Then RecArr "Data", data Else RecProp "Data", data
      If L(i)(1) = "Services" Then gExchServices = data
    Else
      RecProp "Missing", True
    End If
  Next
End Sub

Function RegKeyExists(fullKey)
  ' Evite regedit /e sur une cle absente (boite de dialogue sur certains Windows).
  ' Regarde la meme vue que l'export (RegExportRoute) : sur Windows 64 bits,
  ' StdRegProv avec __ProviderArchitecture=64 (contexte donne a chaque appel).
  ' EnumKey ne sert que par son code retour (0 = la cle existe) : lisible meme
  ' quand les noms rendus par EnumValues ne le sont pas (Wine 8).
  Dim hive, subkey, rc, outp, v, en, ed
  ConnectReg
  hive = HiveOf(fullKey, subkey)
  If IsObject(gReg) Then
    rc = -1
    On Error Resume Next
    rc = RegCall("EnumKey", hive, subkey, Null, outp)
    en = Err.Number
    Err.Clear
    On Error GoTo 0
    If en = 0 Then
      RegKeyExists = KeyExistsFromRc(rc, fullKey)
      Exit Function
    End If
  End If
  If gIsWow Then
    ' RegRead et reg.exe (SysWOW64) ne voient ici que la vue 32 bits.
    Err.Raise 5, "RegKeyExists", Fr("existence de la cl{e9} inv{e9}rifiable dans la vue 64 bits du registre : ") & _
      Fr("StdRegProv indisponible (" & gRegErr & ") et script lanc{e9} par le cscript 32 bits ; ") & _
      Fr("relancez avec %SystemRoot%\system32\cscript.exe")
  End If
  On Error Resume Next
  v = sh.RegRead(fullKey & "\")
  en = Err.Number
  ed = Err.Description
  Err.Clear
  On Error GoTo 0
  ' RegRead sur "cle\" lit la valeur par defaut : une cle sans valeur par
  ' defaut donne aussi une erreur, on la distingue par "reg query" ci-dessous.
  If en = 0 Then
    RegKeyExists = True
  Else
    RegKeyExists = RegQueryExists(fullKey)
  End If
End Function

Function RegQueryExists(fullKey)
  Dim rc, et
  RegQueryExists = True
  If Not fso.FileExists(Env("%SystemRoot%\system32\reg.exe")) Then Exit Function
  If RunCommand("reg query """ & fullKey & """", "", 60, rc, et) Then
    If Not IsNull(rc) Then RegQueryExists = (rc = 0)
  End If
End Function

Sub StepRegExport(name, key)
  Dim path, tmpPath, rc, et, cmdline, enc, removed
  gCur("source") = "regedit /e " & name & ".reg """ & key & """"
  If name = "reg_uninstall_wow64" And Not gIs64 Then
    Skip Fr("Windows 32 bits : pas de vue Wow6432Node")
    Exit Sub
  End If
  path = gCol & "\" & name & ".reg"
  If Not RegKeyExists(key) Then
    ' An absent key is evidence (e.g. no Exchange tools): status ok, a .reg file
    ' holding only the header, as regedit would write for an empty export.
    WriteRegHeaderOnly path
    gCur("encoding") = "utf-16le"
    gCur("error") = Fr("cl{e9} absente : " & key)
    Exit Sub
  End If
  tmpPath = gTmp & "\" & name & ".reg"
  cmdline = CommandLine("regedit /e """ & tmpPath & """ """ & key & """")
  If RegExportRoute(key) = "wmi64" Then
    ' cscript 32 bits sur Windows 64 bits : %SystemRoot%\regedit.exe serait
    ' redirige vers SysWOW64\regedit.exe (vue 32 bits). Win32_Process.Create
    ' cree le processus depuis le fournisseur WMI 64 bits : regedit 64 bits.
    gCur("source") = gCur("source") & Fr(" ; regedit 64 bits lanc{e9} par Win32_Process.Create")
    If Not RunViaWmi64(cmdline, gTimeout, rc, et) Then
      Fail Fr("export de la vue 64 bits du registre impossible depuis le cscript 32 bits (") & et & _
           Fr(") ; relancez avec %SystemRoot%\system32\cscript.exe")
      Exit Sub
    End If
  ElseIf Not RunCommand(cmdline, "", gTimeout, rc, et) Then
    Fail et
    Exit Sub
  End If
  gCur("exit_code") = rc
  If Not fso.FileExists(tmpPath) Then
    Fail Fr("regedit n'a pas cr{e9}{e9} de fichier. ") & et
    Exit Sub
  End If
  fso.MoveFile tmpPath, path
  enc = DetectRegEncoding(path)
  gCur("encoding") = enc
  If name = "reg_mapi_profiles" Then
    removed = StripMapiPasswords(path, enc)
    If removed > 0 Then gCur("error") = removed & Fr(" valeurs de mot de passe retir{e9}es")
  End If
End Sub

Function KeyExistsFromRc(rc, fullKey)
  ' Code retour de StdRegProv.EnumKey -> la cle existe ? 0 : oui (259,
  ' ERROR_NO_MORE_ITEMS : rendu par Wine 8 pour une cle sans sous-cle) ;
  ' 2 (ERROR_FILE_NOT_FOUND) : non. Tout autre code (5, acces refuse) est une
  ' erreur de l'etape : ni "cle absente", ni un regedit /e qui ouvrirait une
  ' boite de dialogue.
  If rc = 0 Or rc = 259 Then
    KeyExistsFromRc = True
  ElseIf rc = 2 Then
    KeyExistsFromRc = False
  Else
    Err.Raise 5, "RegKeyExists", Fr("lecture de la cl{e9} impossible (StdRegProv.EnumKey, code " & rc & _
      RegRcText(rc) & ") : " & fullKey)
  End If
End Function

Function RegRcText(rc)
  Select Case rc
    Case 5: RegRcText = Fr(", acc{e8}s refus{e9}")
    Case Else: RegRcText = ""
  End Select
End Function

Function RegExportRoute(key)
  ' "wmi64" : cscript 32 bits (SysWOW64) sur Windows 64 bits et cle HKLM
  ' (redirigee par WOW64) ; "direct" sinon (Windows 32 bits, cscript 64 bits,
  ' HKCU). Le Redirecteur de systeme de fichiers redirige %windir%\regedit.exe
  ' vers %windir%\SysWOW64\regedit.exe pour un processus 32 bits, et
  ' Sysnative n'existe qu'a partir de Vista : voir docs/collection-format.md.
  Dim subkey
  RegExportRoute = "direct"
  If gIsWow Then
    If HiveOf(key, subkey) = HKLM Then RegExportRoute = "wmi64"
  End If
End Function

Function RunViaWmi64(cmdline, timeoutS, ByRef exitCode, ByRef errOut)
  ' Lance cmdline par Win32_Process.Create (fournisseur CIMWin32 : une seule
  ' version, 64 bits, sur Windows 64 bits ; contexte __ProviderArchitecture=64
  ' en plus) et attend la fin du processus. Renvoie True s'il s'est termine.
  ' (errOut, et non errText : le nom cacherait la fonction ErrText.)
  ' Chaque etape est verifiee a part (une erreur dans la condition d'un If
  ' ferait entrer dans le Then).
  Dim loc, ctx, svc, cls, inp, outp, pid, t0, n, p, rv, where
  RunViaWmi64 = False
  exitCode = Null
  errOut = ""
  On Error Resume Next
  where = "SWbemNamedValueSet"
  Set ctx = CreateObject("WbemScripting.SWbemNamedValueSet")
  If Err.Number = 0 Then ctx.Add "__ProviderArchitecture", 64
  If Err.Number = 0 Then where = "ConnectServer"
  If Err.Number = 0 Then Set loc = CreateObject("WbemScripting.SWbemLocator")
  If Err.Number = 0 Then Set svc = loc.ConnectServer(".", "root\cimv2", "", "", "", "", 0, ctx)
  If Err.Number = 0 Then where = "Win32_Process"
  If Err.Number = 0 Then Set cls = svc.Get("Win32_Process")
  ' InParameters rempli directement, comme l'exemple de Microsoft "Requesting
  ' WMI Data on a 64-bit Platform" (SpawnInstance_ manque sous Wine 8).
  If Err.Number = 0 Then Set inp = cls.Methods_("Create").InParameters
  If Err.Number = 0 Then inp.CommandLine = cmdline
  If Err.Number = 0 Then where = "Win32_Process.Create"
  If Err.Number = 0 Then Set outp = cls.ExecMethod_("Create", inp, 0, ctx)
  rv = -1
  If Err.Number = 0 Then rv = outp.ReturnValue
  If Err.Number = 0 Then pid = outp.ProcessId
  If Err.Number <> 0 Then
    errOut = where & " : " & ErrText(Err.Number, Err.Description)
    Err.Clear
    Exit Function
  End If
  If rv <> 0 Then
    errOut = Fr("Win32_Process.Create a rendu le code " & rv)
    Err.Clear
    Exit Function
  End If
  t0 = Timer
  Do
    n = 0
    For Each p In svc.ExecQuery("SELECT ProcessId FROM Win32_Process WHERE ProcessId=" & pid)
      n = n + 1
    Next
    If Err.Number <> 0 Then
      errOut = ErrText(Err.Number, Err.Description)
      Err.Clear
      Exit Function
    End If
    If n = 0 Then Exit Do
    If ElapsedMs(t0) > timeoutS * 1000 Then
      errOut = Fr("d{e9}lai d{e9}pass{e9} (" & timeoutS & " s)")
      TerminatePid pid
      Err.Clear
      Exit Function
    End If
    Nap 200
  Loop
  Err.Clear
  RunViaWmi64 = True
End Function

Sub WriteRegHeaderOnly(path)
  Dim f
  Set f = fso.CreateTextFile(path, True, True)
  f.Write "Windows Registry Editor Version 5.00" & vbCrLf & vbCrLf
  f.Close
End Sub

Function DetectRegEncoding(path)
  Dim f, s
  DetectRegEncoding = "cp" & gAnsiCp
  If fso.GetFile(path).Size < 2 Then Exit Function
  Set f = fso.OpenTextFile(path, 1, False, 0)
  s = f.Read(2)
  f.Close
  If Asc(Mid(s, 1, 1)) = 255 And Asc(Mid(s, 2, 1)) = 254 Then DetectRegEncoding = "utf-16le"
End Function

Function IsPasswordValue(valName)
  ' Nom de valeur MAPI = etiquette de propriete en 8 chiffres hexa, type d'abord
  ' (001e6602 = PT_STRING8 + 0x6602). Retirees : identifiant 0x6619 (famille
  ' mot de passe du contrat), 0x6700/0x6701 (PR_PST_PW_SZ_OLD/NEW), et toute
  ' valeur dont le nom evoque un mot de passe.
  Dim n, id1, id2
  n = LCase(valName)
  IsPasswordValue = False
  If InStr(n, "pass") > 0 Or InStr(n, "pwd") > 0 Or InStr(n, "password") > 0 Then IsPasswordValue = True
  If Len(n) = 8 And IsHex(n) Then
    id1 = Right(n, 4)
    id2 = Left(n, 4)
    If id1 = "6619" Or id2 = "6619" Or id1 = "6700" Or id1 = "6701" Then IsPasswordValue = True
  End If
End Function

Function StripMapiPasswords(path, enc)
  ' Reecrit le .reg sans les lignes de valeurs de mot de passe (et leurs
  ' lignes de continuation "  xx,xx,\").
  Dim f, text, lines, i, out, dropping, removed, ln, q, valName, cont
  StripMapiPasswords = 0
  If enc = "utf-16le" Then
    Set f = fso.OpenTextFile(path, 1, False, -1)
  Else
    Set f = fso.OpenTextFile(path, 1, False, 0)
  End If
  If f.AtEndOfStream Then
    f.Close
    Exit Function
  End If
  text = f.ReadAll
  f.Close
  lines = Split(Replace(text, vbCrLf, vbLf), vbLf)
  out = ""
  removed = 0
  dropping = False
  cont = False
  For i = 0 To UBound(lines)
    ln = lines(i)
    If cont Then
      ' ligne de continuation d'une valeur hex
      cont = (Right(ln, 1) = "\")
      If Not dropping Then out = out & ln & vbCrLf
    Else
      dropping = False
      If Left(ln, 1) = """" Then
        q = InStr(2, ln, """=")
        If q > 0 Then
          valName = Mid(ln, 2, q - 2)
          If IsPasswordValue(valName) Then
            dropping = True
            removed = removed + 1
          End If
        End If
      End If
      cont = (Right(ln, 1) = "\")
      If Not dropping Then
        If i < UBound(lines) Then
          out = out & ln & vbCrLf
        ElseIf ln <> "" Then
          out = out & ln
        End If
      End If
    End If
  Next
  If removed > 0 Then
    If enc = "utf-16le" Then
      Set f = fso.CreateTextFile(path, True, True)
    Else
      Set f = fso.CreateTextFile(path, True, False)
    End If
    f.Write out
    f.Close
  End If
  StripMapiPasswords = removed
End Function
