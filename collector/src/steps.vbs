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

Sub DeclareArtifacts()
  gDeclCount = 0
  ReDim gDecl(0)
  Decl "systeminfo", "txt", "Syst{e8}me : systeminfo", "cmd", "systeminfo /fo list", "vmes exchange"
  Decl "wmi_os", "txt", "WMI : syst{e8}me d'exploitation", "wmi", "SELECT * FROM Win32_OperatingSystem", "vmes exchange"
  Decl "wmi_computersystem", "txt", "WMI : ordinateur", "wmi", "SELECT * FROM Win32_ComputerSystem", "vmes exchange"
  Decl "wmi_processor", "txt", "WMI : processeurs", "wmi", "SELECT * FROM Win32_Processor", "vmes"
  Decl "wmi_logicaldisk", "txt", "WMI : disques", "wmi", "SELECT * FROM Win32_LogicalDisk WHERE DriveType=3", "vmes"
  Decl "wmi_networkadapter", "txt", "WMI : cartes r{e9}seau", "wmi", "SELECT * FROM Win32_NetworkAdapter WHERE NetConnectionStatus=2", "vmes"
  Decl "wmi_networkadapterconfig", "txt", "WMI : configuration IP", "wmi", "SELECT * FROM Win32_NetworkAdapterConfiguration WHERE IPEnabled=True", "vmes"
  Decl "wmi_registry", "txt", "WMI : taille du registre", "wmi", "SELECT * FROM Win32_Registry", "vmes"
  Decl "wmi_service", "txt", "WMI : services", "wmi", "SELECT Name, DisplayName, State, StartMode, StartName, PathName FROM Win32_Service", "vmes exchange"
  Decl "wmi_terminalservice", "txt", "WMI : services Terminal Server", "wmi", "SELECT * FROM Win32_TerminalServiceSetting", "vmes"
  Decl "wmi_qfe", "txt", "WMI : correctifs", "wmi", "SELECT HotFixID, Description, InstalledOn, ServicePackInEffect FROM Win32_QuickFixEngineering", "vmes exchange"
  Decl "reg_values", "txt", "Registre : valeurs", "regvalues", "", "vmes exchange"
  Decl "reg_exchange_setup", "reg", "Registre : Exchange Setup", "regexport", "HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Exchange\Setup", "vmes exchange"
  Decl "reg_updates", "reg", "Registre : mises {e0} jour", "regexport", "HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Updates", "vmes exchange"
  Decl "reg_uninstall", "reg", "Registre : programmes install{e9}s", "regexport", "HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall", "vmes exchange"
  Decl "reg_uninstall_wow64", "reg", "Registre : programmes 32 bits", "regexport", "HKEY_LOCAL_MACHINE\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall", "vmes"
  Decl "reg_hotfix", "reg", "Registre : correctifs", "regexport", "HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Hotfix", "vmes"
  Decl "reg_terminal_server", "reg", "Registre : Terminal Server", "regexport", "HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Terminal Server", "vmes"
  Decl "reg_internet_settings", "reg", "Registre : Internet Explorer", "regexport", "HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Internet Settings", "vmes"
  Decl "reg_winhttp", "reg", "Registre : proxy WinHTTP", "regexport", "HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections", "vmes"
  Decl "reg_mapi_profiles", "reg", "Registre : profils MAPI", "regexport", "HKEY_CURRENT_USER\Software\Microsoft\Windows NT\CurrentVersion\Windows Messaging Subsystem\Profiles", "vmes"
  Decl "file_versions", "txt", "Fichiers : versions MAPI/Exchange", "fileversions", "", "vmes exchange"
  Decl "whoami_user", "txt", "Compte : whoami /user", "whoami", "whoami /user /fo csv", "vmes"
  Decl "whoami_groups", "txt", "Compte : whoami /groups", "whoami", "whoami /groups /fo csv", "vmes"
  Decl "token_groups", "txt", "Compte : groupes du jeton (ADSI)", "tokengroups", "", "vmes"
  Decl "local_admins", "txt", "Compte : administrateurs locaux", "localadmins", "", "vmes"
  Decl "ipconfig", "txt", "R{e9}seau : ipconfig", "cmd", "ipconfig /all", "vmes"
  Decl "wmi_accounts", "txt", "WMI : comptes bien connus et groupes locaux", "wmiaccounts", "SELECT Name, Domain, SID FROM Win32_SystemAccount ; SELECT Name, Domain, SID FROM Win32_Group WHERE LocalAccount=True", "vmes"
  ' Annuaire : dans l'ordre du tableau 5.1 du contrat (requetes LDAP : ldap.vbs)
  Decl "ad_rootdse", "txt", "Annuaire : RootDSE", "ad", "", "vmes"
  Decl "ad_domain", "txt", "Annuaire : domaine", "ad", "", "vmes"
  Decl "ad_partitions", "txt", "Annuaire : partitions", "ad", "", "vmes"
  Decl "ad_domain_controllers", "txt", "Annuaire : contr{f4}leurs de domaine", "ad", "", "vmes"
  Decl "ad_service_account", "txt", "Annuaire : compte de service", "ad", "", "vmes"
  Decl "ad_service_account_groups", "txt", "Annuaire : groupes du compte de service", "ad", "", "vmes"
  Decl "ad_exchange_org", "txt", "Annuaire : organisation Exchange", "ad", "", "vmes"
  Decl "ad_exchange_servers", "txt", "Annuaire : serveurs Exchange", "ad", "", "vmes"
  Decl "ad_exchange_stores", "txt", "Annuaire : banques Exchange", "ad", "", "vmes"
  Decl "ad_mail_containers", "txt", "Annuaire : conteneurs des utilisateurs de messagerie", "ad", "", "vmes"
  Decl "ad_mail_users_protected", "txt", "Annuaire : utilisateurs de messagerie {e0} h{e9}ritage d{e9}sactiv{e9}", "ad", "", "vmes"
  Decl "ad_acl", "txt", "Annuaire : autorisations (ACL)", "ad", "", "vmes"
  Decl "ad_admincount_users", "txt", "Annuaire : comptes prot{e9}g{e9}s (adminCount)", "ad", "", "vmes"
  Decl "net_proxy", "txt", "R{e9}seau : param{e8}tres proxy", "netproxy", "", "vmes"
  Decl "net_noc_probe", "txt", "R{e9}seau : acc{e8}s au NOC", "netnoc", "", "vmes"
  Decl "net_exchange_path", "txt", "R{e9}seau : chemin vers Exchange", "netexch", "", "vmes"
  Decl "exchange_version", "txt", "Annuaire : ce serveur Exchange", "ad", "", "exchange"
End Sub

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
