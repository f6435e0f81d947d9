' ============================================================================
' vmes-audit-collector : collecte des prerequis VMES 5.5 (Visto / SFR)
'
' Windows 2000 SP4 / Windows Server 2003, WSH 5.6, aucune installation.
' Contrat de sortie : docs/collection-format.md (format_version 1.0).
'
'   cscript //nologo collect.vbs [/account:NOM] [/out:DOSSIER] [/exchange]
'            [/dryrun] [/noc:HOTE:PORT] [/nocaddr:IP] [/only:LISTE]
'            [/exchserver:HOTE[,HOTE...]] [/timeout:SECONDES]
'
' Options de support (documentees dans LISEZMOI.txt) :
'   /only:net              ne lance que les etapes reseau (net_*), ou une liste
'                          de noms d'artefacts / de prefixes (wmi,reg,ad,net)
'   /exchserver:H1,H2      serveurs Exchange a tester quand l'annuaire est
'                          illisible (H peut porter un port : hote:port)
'   /nocscheme:http        TESTS UNIQUEMENT : sonde le NOC en HTTP clair
'
' Ce fichier est en ASCII pur : les lettres accentuees des messages sont
' ecrites {e9} (code Unicode en hexadecimal) et converties par Fr().
'
' Notes de portabilite (verifiees sous Wine 8, voir LISEZMOI et le rapport) :
' - WScript.Sleep, WshExec.ExitCode/Terminate, ChrW/AscW, GetRef, Eval,
'   Join, DateDiff et ADODB.Stream ne sont pas disponibles sous Wine 8 :
'   le script n'en depend pas, ou les essaie puis se replie.
' - Les octets des fichiers sont lus et ecrits par FileSystemObject en mode
'   ASCII (page de code ANSI mono-octet : Chr/Asc font l'aller-retour).
' ============================================================================
Option Explicit

Const COLLECTOR_NAME = "vmes-audit-collector"
Const COLLECTOR_VERSION = "1.0.0"
Const FORMAT_VERSION = "1.0"
Const DEFAULT_ACCOUNT = "VistoAdmin"
Const DEFAULT_NOC_HOST = "push.sfr.fr"
Const DEFAULT_NOC_PORT = 443
Const DEFAULT_NOC_ADDR = "206.124.113.45"
Const ADMINCOUNT_LIMIT = 500
Const MAILCONTAINERS_LIMIT = 200
Const HKCR = &H80000000
Const HKCU = &H80000001
Const HKLM = &H80000002

Dim fso, sh, gArgs
Dim gMode, gDry, gAccount, gNocHost, gNocPort, gNocAddr, gNocScheme, gOnly
Dim gExchServerOpt, gTimeout, gOutParent, gCol, gTmp, gBase, gHost, gStamp
Dim gStarted, gTzOffset, gOemCp, gAnsiCp, gIs64, gIsWow, gSleepOk
Dim gDecl, gDeclCount, gResults, gResultCount, gCur, gRS, gStepNo, gStepTotal
Dim gWmi, gReg, gRegMode, gRegErr, gExchServices, gExchServers, gExchServersKnown
Dim gRootDse, gRootDseErr, gDomainNetbios, gRunAsSid, gOsVersion, gLocalIps
Dim P2(31), M(31), SHAK(63), CRCT(255)

Set fso = CreateObject("Scripting.FileSystemObject")
Set sh = CreateObject("WScript.Shell")
gSleepOk = True
gExchServersKnown = False
gExchServers = Array()
gLocalIps = Array()
gRunAsSid = ""
gRootDseErr = ""

Main
WScript.Quit 0

' ----------------------------------------------------------------------------
' Textes francais (ASCII + codes {xx})
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

' ----------------------------------------------------------------------------
' Petits outils
' ----------------------------------------------------------------------------
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
    a(n) = v
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

Function ErrText(num, desc)
  ' "0x80072EE7 Le nom ne peut pas etre resolu" (description de Windows si presente)
  Dim t
  t = Trim(Replace(Replace(CStr(desc), vbCr, " "), vbLf, " "))
  If t = "" Then t = KnownError(num)
  ErrText = "0x" & UCase(HexN(num, 8)) & " " & t
End Function

Function KnownError(num)
  Dim code
  code = CDbl(num)
  If code < 0 Then code = code + 4294967296
  Select Case code
    Case 2147942402: KnownError = Fr("fichier ou cl{e9} introuvable")
    Case 2147942405: KnownError = Fr("acc{e8}s refus{e9}")
    Case 2147943755: KnownError = Fr("le domaine sp{e9}cifi{e9} n'existe pas ou n'est pas joignable")
    Case 2147745792: KnownError = Fr("ADSI : erreur non sp{e9}cifi{e9}e (chemin ADsPath invalide)")
    Case 2147749890: KnownError = Fr("WMI : introuvable")
    Case 2147749904: KnownError = Fr("WMI : classe non valide")
    Case 2147749911: KnownError = Fr("WMI : requ{ea}te non valide")
    Case 2147746276: KnownError = Fr("syntaxe de moniker non valide (fournisseur ADSI LDAP absent ?)")
    Case 2147614749: KnownError = Fr("biblioth{e8}que de types non enregistr{e9}e")
    Case 2148270077, 2148270078: KnownError = Fr("l'objet ne g{e8}re pas cette action")
    Case Else
      If Int(code / 65536) = 32775 Then
        KnownError = WinHttpText(code - 2147942400)
      Else
        KnownError = Fr("erreur sans description")
      End If
  End Select
End Function

Function WinHttpText(n)
  Select Case n
    Case 12002: WinHttpText = Fr("d{e9}lai d'attente d{e9}pass{e9}")
    Case 12005: WinHttpText = Fr("URL non valide")
    Case 12007: WinHttpText = Fr("le nom du serveur n'a pas pu {ea}tre r{e9}solu")
    Case 12029: WinHttpText = Fr("impossible d'{e9}tablir la connexion avec le serveur")
    Case 12030: WinHttpText = Fr("la connexion avec le serveur a {e9}t{e9} interrompue")
    Case 12038: WinHttpText = Fr("le nom du certificat ne correspond pas au serveur")
    Case 12044: WinHttpText = Fr("le serveur demande un certificat client")
    Case 12045: WinHttpText = Fr("autorit{e9} de certification inconnue")
    Case 12152: WinHttpText = Fr("r{e9}ponse du serveur non valide")
    Case 12157: WinHttpText = Fr("erreur du canal s{e9}curis{e9} (TLS)")
    Case 12175: WinHttpText = Fr("erreur de s{e9}curit{e9} (certificat ou TLS)")
    Case 12180: WinHttpText = Fr("d{e9}tection automatique du proxy en {e9}chec")
    Case Else: WinHttpText = Fr("erreur WinHTTP ") & n
  End Select
End Function

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

Function Env(s)
  ' Wine 8 laisse un caractere NUL final : on le retire.
  Env = Replace(sh.ExpandEnvironmentStrings(s), Chr(0), "")
End Function

Function EnvOrEmpty(name)
  Dim v
  v = Env("%" & name & "%")
  If v = "%" & name & "%" Then v = ""
  EnvOrEmpty = v
End Function

' ----------------------------------------------------------------------------
' Arguments
' ----------------------------------------------------------------------------
Function NamedArgs()
  ' /nom:valeur ou /drapeau -> dictionnaire (WScript.Arguments.Named manque
  ' sous Wine 8 : analyse manuelle, identique sous Windows).
  Dim d, i, a, p, k
  Set d = CreateObject("Scripting.Dictionary")
  d.CompareMode = 1
  For i = 0 To WScript.Arguments.Count - 1
    a = WScript.Arguments(i)
    If Left(a, 1) = "/" Or Left(a, 1) = "-" Then
      a = Mid(a, 2)
      p = InStr(a, ":")
      If p > 0 Then
        k = LCase(Left(a, p - 1))
        d(k) = Mid(a, p + 1)
      Else
        d(LCase(a)) = ""
      End If
    Else
      Say "Argument ignor{e9} : " & a
    End If
  Next
  Set NamedArgs = d
End Function

Sub ParseArgs()
  Dim named, v, p
  Set named = NamedArgs()
  gAccount = DEFAULT_ACCOUNT
  If named.Exists("account") Then
    If Trim(named("account")) <> "" Then gAccount = Trim(named("account"))
  End If
  gMode = "vmes"
  If named.Exists("exchange") Then gMode = "exchange"
  gDry = named.Exists("dryrun")
  gNocHost = DEFAULT_NOC_HOST
  gNocPort = DEFAULT_NOC_PORT
  gNocAddr = DEFAULT_NOC_ADDR
  If named.Exists("noc") Then
    v = Trim(named("noc"))
    p = InStrRev(v, ":")
    If p > 0 Then
      gNocHost = Left(v, p - 1)
      gNocPort = CLng(Mid(v, p + 1))
    ElseIf v <> "" Then
      gNocHost = v
    End If
    If Not named.Exists("nocaddr") Then gNocAddr = gNocHost
  End If
  If named.Exists("nocaddr") Then gNocAddr = Trim(named("nocaddr"))
  gNocScheme = "https"
  If named.Exists("nocscheme") Then gNocScheme = LCase(Trim(named("nocscheme")))
  gOnly = ""
  If named.Exists("only") Then gOnly = LCase(Trim(named("only")))
  gExchServerOpt = ""
  If named.Exists("exchserver") Then gExchServerOpt = Trim(named("exchserver"))
  gTimeout = 300
  If named.Exists("timeout") Then gTimeout = CLng(named("timeout"))
  gOutParent = ""
  If named.Exists("out") Then gOutParent = Trim(named("out"))
  If gOutParent = "" Then gOutParent = fso.GetParentFolderName(WScript.ScriptFullName)
End Sub

' ----------------------------------------------------------------------------
' Declaration des artefacts : un nom, utilise partout (fichier, manifeste)
' Decl nom, extension, libelle, procedure, parametre, modes
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
  Decl "wmi_accounts", "txt", "WMI : comptes bien connus", "wmi", "SELECT Name, Domain, SID FROM Win32_SystemAccount", "vmes"
  Decl "ad_rootdse", "txt", "Annuaire : RootDSE", "ad", "LDAP://RootDSE", "vmes"
  Decl "ad_domain", "txt", "Annuaire : domaine", "ad", "", "vmes"
  Decl "ad_partitions", "txt", "Annuaire : partitions", "ad", "", "vmes"
  Decl "ad_domain_controllers", "txt", "Annuaire : contr{f4}leurs de domaine", "ad", "", "vmes"
  Decl "ad_service_account", "txt", "Annuaire : compte de service", "ad", "", "vmes"
  Decl "ad_service_account_groups", "txt", "Annuaire : groupes du compte de service", "ad", "", "vmes"
  Decl "ad_exchange_org", "txt", "Annuaire : organisation Exchange", "ad", "", "vmes"
  Decl "ad_exchange_servers", "txt", "Annuaire : serveurs Exchange", "ad", "", "vmes"
  Decl "ad_mail_containers", "txt", "Annuaire : conteneurs des utilisateurs de messagerie", "ad", "", "vmes"
  Decl "ad_acl", "txt", "Annuaire : autorisations (ACL)", "ad", "", "vmes"
  Decl "ad_admincount_users", "txt", "Annuaire : comptes prot{e9}g{e9}s (adminCount)", "ad", "", "vmes"
  Decl "ad_exchange_stores", "txt", "Annuaire : banques Exchange", "ad", "", "vmes"
  Decl "ad_mail_users_protected", "txt", "Annuaire : utilisateurs de messagerie prot{e9}g{e9}s", "ad", "", "vmes"
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

' ----------------------------------------------------------------------------
' Programme principal
' ----------------------------------------------------------------------------
Sub Main()
  Dim i, d, zipPath, zipErr, ended, nOk, nErr, nSkip, r
  If InStr(LCase(WScript.FullName), "wscript.exe") > 0 Then
    ' Double-clic sur le .vbs : relancer sous cscript pour avoir une console.
    sh.Run "cmd /k cscript.exe //nologo """ & WScript.ScriptFullName & """", 1, False
    WScript.Quit 0
  End If
  InitBits
  ParseArgs
  DeclareArtifacts
  gHost = UCase(EnvOrEmpty("COMPUTERNAME"))
  If gHost = "" Then gHost = "INCONNU"
  gStarted = Now
  gStamp = Year(gStarted) & Pad2(Month(gStarted)) & Pad2(Day(gStarted)) & "-" & _
           Pad2(Hour(gStarted)) & Pad2(Minute(gStarted)) & Pad2(Second(gStarted))
  If gMode = "exchange" Then gBase = "EXCH-" & gHost & "-" & gStamp Else gBase = "VMES-" & gHost & "-" & gStamp
  gStepTotal = 0
  For i = 0 To gDeclCount - 1
    If Selected(gDecl(i)) Then gStepTotal = gStepTotal + 1
  Next

  Say "vmes-audit : collecte des pr{e9}requis VMES 5.5 (version " & COLLECTOR_VERSION & ")"
  Say "Machine " & gHost & ", mode " & gMode & ", compte de service " & gAccount
  If gDry Then
    DryRun
    Exit Sub
  End If

  DetectPlatform
  If Not PrepareFolders() Then
    Say "ERREUR : impossible de cr{e9}er le dossier de collecte dans " & gOutParent
    Say "Relancez avec /out:C:\un\dossier\inscriptible"
    WScript.Quit 2
  End If
  Say "Dossier de collecte : " & gCol
  If gIsWow Then Say "Note : script lanc{e9} par le cscript 32 bits (SysWOW64) sur Windows 64 bits ; le registre est lu en vue 64 bits quand c'est possible."
  Say ""

  gResultCount = 0
  ReDim gResults(0)
  gStepNo = 0
  For i = 0 To gDeclCount - 1
    Set d = gDecl(i)
    If Selected(d) Then RunArtifact d
  Next

  ended = Now
  WriteManifest ended
  nOk = 0
  nErr = 0
  nSkip = 0
  For i = 0 To gResultCount - 1
    Select Case gResults(i)("status")
      Case "ok": nOk = nOk + 1
      Case "error": nErr = nErr + 1
      Case Else: nSkip = nSkip + 1
    End Select
  Next
  Say ""
  Say "Bilan : " & nOk & " r{e9}ussi(s), " & nErr & " en erreur, " & nSkip & " sans objet."
  zipPath = gOutParent & "\" & gBase & ".zip"
  zipErr = WriteZip(zipPath)
  CleanupTmp
  If zipErr = "" Then
    Say "Archive cr{e9}{e9}e : " & zipPath & " (" & fso.GetFile(zipPath).Size & " octets)"
    Say "Envoyez ce fichier .zip {e0} votre contact avant-vente."
  Else
    Say "ATTENTION : l'archive n'a pas pu {ea}tre cr{e9}{e9}e (" & zipErr & ")."
    Say "Compressez vous-m{ea}me le dossier " & gCol
    Say "(clic droit > Envoyer vers > Dossier compress{e9}, ou tout outil ZIP) et envoyez-le,"
    Say "ou envoyez tous les fichiers du dossier tels quels, manifest.json compris."
    WScript.Quit 1
  End If
End Sub

Sub DetectPlatform()
  On Error Resume Next
  Dim arch, archW, full
  arch = UCase(EnvOrEmpty("PROCESSOR_ARCHITECTURE"))
  archW = UCase(EnvOrEmpty("PROCESSOR_ARCHITEW6432"))
  full = LCase(WScript.FullName)
  gIsWow = (archW <> "") Or (InStr(full, "\syswow64\") > 0)
  gIs64 = gIsWow Or arch = "AMD64" Or arch = "IA64"
  gOemCp = ""
  gAnsiCp = ""
  gOemCp = sh.RegRead("HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage\OEMCP")
  gAnsiCp = sh.RegRead("HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage\ACP")
  Err.Clear
  If gOemCp = "" Then gOemCp = "850"
  If gAnsiCp = "" Then gAnsiCp = "1252"
  gTzOffset = 0
  Dim os, tz, found
  found = False
  Set gWmi = GetObject("winmgmts:{impersonationLevel=impersonate}!\\.\root\cimv2")
  found = ReadTimeZone()
  Err.Clear
  If Not found Then
    tz = sh.RegRead("HKLM\SYSTEM\CurrentControlSet\Control\TimeZoneInformation\ActiveTimeBias")
    If Err.Number = 0 Then gTzOffset = -CLng(tz)
    Err.Clear
  End If
End Sub

Function ReadTimeZone()
  ' Decalage UTC en minutes (heure d'ete comprise) : Win32_OperatingSystem
  Dim os, tz
  ReadTimeZone = False
  For Each os In gWmi.ExecQuery("SELECT CurrentTimeZone, Version FROM Win32_OperatingSystem")
    gOsVersion = os.Version
    tz = os.CurrentTimeZone
    If Not IsNull(tz) Then
      gTzOffset = CLng(tz)
      ReadTimeZone = True
    End If
  Next
End Function

Function PrepareFolders()
  On Error Resume Next
  Dim tmpBase, i
  PrepareFolders = False
  If Not fso.FolderExists(gOutParent) Then fso.CreateFolder gOutParent
  Err.Clear
  gCol = gOutParent & "\" & gBase
  If Not fso.FolderExists(gCol) Then fso.CreateFolder gCol
  If Err.Number <> 0 Or Not fso.FolderExists(gCol) Then
    ' Dossier du script en lecture seule (CD, partage) : repli sur %TEMP%.
    Err.Clear
    gOutParent = Env("%TEMP%")
    gCol = gOutParent & "\" & gBase
    fso.CreateFolder gCol
    If Not fso.FolderExists(gCol) Then Exit Function
  End If
  gOutParent = fso.GetFolder(gOutParent).Path
  gCol = fso.GetFolder(gCol).Path
  tmpBase = Env("%TEMP%")
  If Not fso.FolderExists(tmpBase) Then tmpBase = gOutParent
  gTmp = tmpBase & "\vmes-audit-tmp-" & gStamp
  If Not fso.FolderExists(gTmp) Then fso.CreateFolder gTmp
  If Not fso.FolderExists(gTmp) Then Exit Function
  ' Chemin court (8.3) : le fichier .cmd de lancement reste en ASCII.
  gTmp = fso.GetFolder(gTmp).ShortPath
  Err.Clear
  PrepareFolders = True
End Function

Sub CleanupTmp()
  On Error Resume Next
  If gTmp <> "" Then fso.DeleteFolder gTmp, True
  Err.Clear
End Sub

' ----------------------------------------------------------------------------
' Execution d'une etape : isolee, chronometree, consignee
' ----------------------------------------------------------------------------
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
  r("size") = Null
  r("error") = ""
  r("ext") = d("ext")
  Set NewResult = r
End Function

Sub RunArtifact(d)
  Dim t0, ms, path, label, st, en, ed, sz
  gStepNo = gStepNo + 1
  Set gCur = NewResult(d)
  Set gRS = Nothing
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
    gCur("sha256") = Sha256File(path)
    Err.Clear
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
  Select Case d("proc")
    Case "cmd": StepCommand d("name"), d("param")
    Case "whoami": StepWhoami d("name"), d("param")
    Case "wmi": StepWmi d("name"), d("param")
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
' Mode simulation (/dryrun)
' ----------------------------------------------------------------------------
Sub DryRun()
  Dim i, d, n
  Say "MODE SIMULATION (/dryrun) : rien n'est collect{e9}, aucun fichier n'est {e9}crit."
  Say "Voici ce que la collecte ex{e9}cuterait, dans l'ordre :"
  Say ""
  n = 0
  For i = 0 To gDeclCount - 1
    Set d = gDecl(i)
    If Selected(d) Then
      n = n + 1
      Say "[" & n & "/" & gStepTotal & "] " & d("label") & "  ->  " & d("name") & "." & d("ext")
      DescribeStep d
    End If
  Next
  Say ""
  Say "Puis : {e9}criture de manifest.json et de l'archive " & gBase & ".zip."
  Say "Fin de la simulation : aucune donn{e9}e collect{e9}e."
End Sub

Sub DescribeStep(d)
  Dim k, i
  Select Case d("proc")
    Case "cmd", "whoami"
      Say "      commande : cmd /c " & d("param") & " > fichier (sortie en page de code OEM, d{e9}lai max. " & gTimeout & " s)"
    Case "wmi"
      Say "      requ{ea}te WMI (root\cimv2) : " & d("param")
    Case "regvalues"
      Say "      registre (WMI StdRegProv, root\default) : lecture des valeurs :"
      k = RegValueList()
      For i = 0 To UBound(k)
        Say "        " & k(i)(0) & " : " & k(i)(1)
      Next
    Case "regexport"
      Say "      commande : regedit /e fichier """ & d("param") & """"
      If d("name") = "reg_mapi_profiles" Then Say "      puis suppression des valeurs de mot de passe du fichier export{e9}"
    Case "fileversions"
      Say "      FileSystemObject.GetFileVersion : mapi32.dll, emsmdb32.dll, exmapi32.dll, store.exe, cdo.dll"
    Case "tokengroups"
      Say "      ADSI : LDAP://<DN du compte courant> attribut tokenGroups"
    Case "localadmins"
      Say "      requ{ea}te WMI : SELECT * FROM Win32_Group WHERE SID='S-1-5-32-544' AND LocalAccount=True"
      Say "      puis ADSI : WinNT://" & gHost & "/<groupe>,group (membres)"
    Case "ad"
      Say "      LDAP : " & AdSourceText(d("name"))
      If d("name") = "ad_mail_containers" Then Say "      seul le conteneur de chaque utilisateur dot{e9} d'une bo{ee}te aux lettres est gard{e9}, avec un compteur : aucun nom d'utilisateur n'est collect{e9}"
      If d("name") = "ad_acl" Then Say "      (avec le descripteur de s{e9}curit{e9} de chaque conteneur d'utilisateurs de messagerie, " & MAILCONTAINERS_LIMIT & " au plus)"
    Case "netproxy"
      Say "      registre : HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings (ProxyEnable, ProxyServer, ProxyOverride, AutoConfigURL)"
      Say "      registre : HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections\WinHttpSettings"
    Case "netnoc"
      Say "      WinHTTP : GET " & NocUrl(gNocHost) & " puis GET " & NocUrl(gNocAddr) & " (r{e9}solution DNS par ping -n 1)"
    Case "netexch"
      Say "      pour chaque serveur Exchange de l'annuaire : r{e9}solution DNS, m{ea}me sous-r{e9}seau, port TCP 135"
  End Select
End Sub

Function AdSourceText(name)
  Select Case name
    Case "ad_rootdse": AdSourceText = "LDAP://RootDSE"
    Case "ad_domain": AdSourceText = "<defaultNamingContext>, base ; nETBIOSName du crossRef"
    Case "ad_partitions": AdSourceText = "CN=Partitions,<configNC> ; (&(objectClass=crossRef)(systemFlags:1.2.840.113556.1.4.803:=2))"
    Case "ad_domain_controllers": AdSourceText = "<defaultNC> ; (&(objectCategory=computer)(userAccountControl:1.2.840.113556.1.4.803:=8192))"
    Case "ad_service_account": AdSourceText = "<defaultNC> ; (&(objectCategory=person)(objectClass=user)(sAMAccountName=" & LdapEscape(gAccount) & "))"
    Case "ad_service_account_groups": AdSourceText = "tokenGroups du compte " & gAccount & " (base)"
    Case "ad_exchange_org": AdSourceText = "CN=Microsoft Exchange,CN=Services,<configNC> ; (objectClass=msExchOrganizationContainer) puis (objectClass=msExchAdminGroup)"
    Case "ad_exchange_servers": AdSourceText = "CN=Microsoft Exchange,CN=Services,<configNC> ; (objectClass=msExchExchangeServer)"
    Case "ad_mail_containers": AdSourceText = "<defaultNC> ; (&(objectCategory=person)(objectClass=user)(homeMDB=*)), pages de 500 ; conteneur parent de chaque utilisateur (aucun nom d'utilisateur), " & MAILCONTAINERS_LIMIT & " conteneurs au plus"
    Case "ad_acl": AdSourceText = "nTSecurityDescriptor : domaine, AdminSDHolder, organisation Exchange, groupes d'administration, conteneurs Servers, serveurs, conteneurs des utilisateurs de messagerie"
    Case "ad_admincount_users": AdSourceText = "<defaultNC> ; (&(objectCategory=person)(objectClass=user)(adminCount=1)(homeMDB=*)), " & ADMINCOUNT_LIMIT & " au plus"
    Case "exchange_version": AdSourceText = "CN=Microsoft Exchange,CN=Services,<configNC> ; (&(objectClass=msExchExchangeServer)(cn=" & gHost & "))"
  End Select
End Function

' ----------------------------------------------------------------------------
' Fichiers d'enregistrements (#VMES-RECORDS 1)
' ----------------------------------------------------------------------------
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
  Dim i, c, n, out, t
  t = CStr(s)
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
    FmtScalar = BytesHex(v)
  Else
    FmtScalar = CStr(v)
  End If
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
  Dim i, n, out
  out = ""
  If IsObject(v) Then
    out = name & "=" & RecEscape(FmtScalar(v)) & vbCrLf
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
  ElseIf forceMulti Then
    out = name & "[]=" & RecEscape(FmtScalar(v)) & vbCrLf
  Else
    out = name & "=" & RecEscape(FmtScalar(v)) & vbCrLf
  End If
  PropLines = out
End Function

' ----------------------------------------------------------------------------
' Commandes externes : cmd /c fichier.cmd, sortie redirigee, delai borne
' ----------------------------------------------------------------------------
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
  f.Write cmdline & " >""" & outTmp & """ 2>""" & errTmp & """" & vbCrLf
  f.Write ">""" & rcPath & """ echo %ERRORLEVEL%" & vbCrLf
  f.Close
  Set ex = sh.Exec("cmd /c " & bat)
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
    sh.Run "taskkill /F /PID " & pid, 0, True
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
      sh.Run "taskkill /F /PID " & kids(i), 0, True
    End If
    Err.Clear
  Next
End Sub

Function ChildPids(pid)
  Dim p, kids
  kids = Array()
  For Each p In gWmi.ExecQuery("SELECT ProcessId FROM Win32_Process WHERE ParentProcessId=" & pid)
    kids = PushArr(kids, p.ProcessId)
  Next
  ChildPids = kids
End Function

Function TerminatePid(pid)
  ' Win32_Process.Terminate (les appels de methode WMI echouent sous Wine 8)
  Dim p
  TerminatePid = -1
  For Each p In gWmi.ExecQuery("SELECT * FROM Win32_Process WHERE ProcessId=" & pid)
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

' ----------------------------------------------------------------------------
' WMI
' ----------------------------------------------------------------------------
Function WmiProps(name)
  Select Case name
    Case "wmi_os": WmiProps = Array("Caption", "Version", "BuildNumber", "CSDVersion", "ServicePackMajorVersion", "ServicePackMinorVersion", "ProductType", "OtherTypeDescription", "EncryptionLevel", "OSLanguage", "Locale", "CodeSet", "TotalVisibleMemorySize", "WindowsDirectory", "SystemDrive", "CSName", "OSArchitecture", "CurrentTimeZone", "LocalDateTime", "LastBootUpTime", "InstallDate", "MUILanguages")
    Case "wmi_computersystem": WmiProps = Array("Name", "Domain", "DomainRole", "PartOfDomain", "Manufacturer", "Model", "TotalPhysicalMemory", "NumberOfProcessors", "SystemType", "UserName")
    Case "wmi_processor": WmiProps = Array("DeviceID", "Name", "MaxClockSpeed", "CurrentClockSpeed", "NumberOfCores", "NumberOfLogicalProcessors", "AddressWidth", "Manufacturer")
    Case "wmi_logicaldisk": WmiProps = Array("DeviceID", "FileSystem", "Size", "FreeSpace", "VolumeName")
    Case "wmi_networkadapter": WmiProps = Array("Index", "Name", "Speed", "MACAddress", "NetConnectionID", "AdapterType")
    Case "wmi_networkadapterconfig": WmiProps = Array("Index", "Description", "IPAddress", "IPSubnet", "DefaultIPGateway", "DNSServerSearchOrder", "DNSDomain", "DHCPEnabled", "MACAddress")
    Case "wmi_registry": WmiProps = Array("CurrentSize", "MaximumSize", "ProposedSize")
    Case "wmi_service": WmiProps = Array("Name", "DisplayName", "State", "StartMode", "StartName", "PathName")
    Case "wmi_terminalservice": WmiProps = Array("TerminalServerMode", "LicensingType", "AllowTSConnections")
    Case "wmi_qfe": WmiProps = Array("HotFixID", "Description", "InstalledOn", "ServicePackInEffect")
  End Select
End Function

Function MultiValued(name)
  ' Proprietes toujours ecrites en Name[]= (contrat, section 4)
  MultiValued = (InStr(" IPAddress IPSubnet DefaultIPGateway DNSServerSearchOrder MUILanguages ", " " & name & " ") > 0)
End Function

Sub StepWmi(name, query)
  Dim rs, obj, props, i, p, v, n, en, cls, q
  If IsEmpty(gWmi) Then Set gWmi = GetObject("winmgmts:{impersonationLevel=impersonate}!\\.\root\cimv2")
  q = query
  If name = "wmi_networkadapter" Then
    ' Windows 2000 : pas de NetConnectionStatus (contrat : AdapterTypeId=0)
    If Left(gOsVersion, 3) = "5.0" Then q = "SELECT * FROM Win32_NetworkAdapter WHERE AdapterTypeId=0"
  End If
  OpenRecords name, q
  props = WmiProps(name)
  cls = Mid(q, InStr(q, " FROM ") + 6)
  If InStr(cls, " ") > 0 Then cls = Left(cls, InStr(cls, " ") - 1)
  n = 0
  Set rs = gWmi.ExecQuery(q, "WQL", 48)
  For Each obj In rs
    n = n + 1
    RecKind cls
    For i = 0 To UBound(props)
      p = props(i)
      On Error Resume Next
      v = obj.Properties_(p).Value
      en = Err.Number
      Err.Clear
      On Error GoTo 0
      If en = 0 Then
        If MultiValued(p) Then RecArr p, v Else RecProp p, v
      End If
      ' propriete absente de cette version de Windows : non ecrite (contrat)
    Next
    If name = "wmi_networkadapterconfig" Then TryRememberIps obj
  Next
  RecComment "count: " & n
End Sub

Sub RememberIps(obj)
  ' Pas de "On Error Resume Next" autour d'une boucle For : une erreur dans
  ' ses bornes ferait entrer dans la boucle. Les erreurs remontent a
  ' TryRememberIps.
  Dim ips, masks, i
  ips = obj.IPAddress
  masks = obj.IPSubnet
  If IsArray(ips) And IsArray(masks) Then
    For i = LBound(ips) To UBound(ips)
      If i <= UBound(masks) Then
        If InStr(ips(i), ".") > 0 Then gLocalIps = PushArr(gLocalIps, Array(ips(i), masks(i)))
      End If
    Next
  End If
End Sub

Sub TryRememberIps(obj)
  On Error Resume Next
  RememberIps obj
  Err.Clear
End Sub

' ----------------------------------------------------------------------------
' Registre : StdRegProv (root\default, vue 64 bits si possible), repli RegRead
' ----------------------------------------------------------------------------
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
  ' StdRegProv ; sur Windows 64 bits, contexte __ProviderArchitecture=64 pour
  ' lire la vue 64 bits meme depuis le cscript 32 bits (SysWOW64).
  Dim loc, ctx, svc, rc, names, types
  If gRegMode <> "" Then Exit Sub
  On Error Resume Next
  gRegMode = "regread"
  Set loc = CreateObject("WbemScripting.SWbemLocator")
  If gIs64 Then
    Set ctx = CreateObject("WbemScripting.SWbemNamedValueSet")
    ctx.Add "__ProviderArchitecture", 64
    ctx.Add "__RequiredArchitecture", True
    Set svc = loc.ConnectServer(".", "root\default", "", "", "", "", 0, ctx)
    Set gReg = svc.Get("StdRegProv")
  Else
    Set svc = loc.ConnectServer(".", "root\default")
    Set gReg = svc.Get("StdRegProv")
  End If
  If Err.Number = 0 Then
    ' Essai reel : sous Wine 8 l'appel de methode echoue (repli RegRead).
    rc = gReg.EnumValues(HKLM, "SYSTEM\CurrentControlSet\Control\Nls\CodePage", names, types)
    If Err.Number = 0 And Not IsEmpty(rc) Then gRegMode = "stdregprov"
  End If
  If gRegMode <> "stdregprov" Then gRegErr = ErrText(Err.Number, Err.Description)
  Err.Clear
End Sub

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
  Dim hive, subkey, rc, names, types, i, t, v
  ReadRegValue = False
  typ = ""
  data = Null
  ConnectReg
  hive = HiveOf(key, subkey)
  If gRegMode = "stdregprov" Then
    rc = gReg.EnumValues(hive, subkey, names, types)
    If rc <> 0 Then Exit Function
    t = 0
    If IsArray(names) Then
      For i = 0 To UBound(names)
        If LCase(names(i)) = LCase(valName) Then t = types(i)
      Next
    End If
    If t = 0 And valName = "" Then t = 1
    If t = 0 Then Exit Function
    Select Case t
      Case 1: rc = gReg.GetStringValue(hive, subkey, valName, v)
      Case 2: rc = gReg.GetExpandedStringValue(hive, subkey, valName, v)
      Case 3: rc = gReg.GetBinaryValue(hive, subkey, valName, v)
      Case 4: rc = gReg.GetDWORDValue(hive, subkey, valName, v)
      Case 7: rc = gReg.GetMultiStringValue(hive, subkey, valName, v)
      Case Else: rc = 1
    End Select
    If rc <> 0 Or IsNull(v) Then Exit Function
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

Function ByteArrHex(a)
  ' Tableau d'entiers 0..255 (StdRegProv / RegRead) -> hexadecimal minuscule
  Dim i, s
  s = ""
  If IsArray(a) Then
    For i = LBound(a) To UBound(a)
      s = s & HexN(a(i), 2)
    Next
  End If
  ByteArrHex = s
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
  ' Evite regedit /e sur une cle absente (boite de dialogue sur certains Windows)
  Dim hive, subkey, rc, names, v, en, ed
  ConnectReg
  hive = HiveOf(fullKey, subkey)
  If gRegMode = "stdregprov" Then
    rc = gReg.EnumKey(hive, subkey, names)
    RegKeyExists = (rc = 0)
    Exit Function
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
  ' %SystemRoot%\regedit.exe (et non celui de SysWOW64) : vue 64 bits.
  cmdline = """" & Env("%SystemRoot%\regedit.exe") & """ /e """ & tmpPath & """ """ & key & """"
  If Not RunCommand(cmdline, "", gTimeout, rc, et) Then
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

' ----------------------------------------------------------------------------
' Versions de fichiers
' ----------------------------------------------------------------------------
Sub StepFileVersions()
  Dim paths, i, bin, pf, pf86, typ, data
  OpenRecords "file_versions", "Scripting.FileSystemObject.GetFileVersion"
  pf = Env("%ProgramFiles%")
  pf86 = EnvOrEmpty("ProgramFiles(x86)")
  paths = Array(Env("%SystemRoot%\system32\mapi32.dll"), Env("%SystemRoot%\system32\emsmdb32.dll"), _
                pf & "\ExchangeMAPI\exmapi32.dll", pf & "\ExchangeMAPI\emsmdb32.dll")
  If pf86 <> "" And LCase(pf86) <> LCase(pf) Then
    paths = PushArr(paths, pf86 & "\ExchangeMAPI\exmapi32.dll")
    paths = PushArr(paths, pf86 & "\ExchangeMAPI\emsmdb32.dll")
  End If
  If IsEmpty(gExchServices) Then
    If ReadRegValue("HKLM\SOFTWARE\Microsoft\Exchange\Setup", "Services", typ, data) Then gExchServices = data
  End If
  If Not IsEmpty(gExchServices) And Not IsNull(gExchServices) Then
    bin = CStr(gExchServices)
    If Right(bin, 1) = "\" Then bin = Left(bin, Len(bin) - 1)
    If bin <> "" Then
      RecComment "Exchange Setup Services = " & bin
      bin = bin & "\bin"
      paths = PushArr(paths, bin & "\emsmdb32.dll")
      paths = PushArr(paths, bin & "\mapi32.dll")
      paths = PushArr(paths, bin & "\store.exe")
      paths = PushArr(paths, bin & "\cdo.dll")
    End If
  Else
    RecComment "Exchange Setup Services absent : dossier bin d'Exchange inconnu"
  End If
  For i = 0 To UBound(paths)
    WriteFileRecord paths(i)
  Next
End Sub

Sub WriteFileRecord(p)
  Dim v, sz
  RecKind "file"
  RecProp "Path", p
  If fso.FileExists(p) Then
    RecProp "Exists", True
    On Error Resume Next
    v = fso.GetFileVersion(p)
    If Err.Number <> 0 Then v = ""
    sz = fso.GetFile(p).Size
    Err.Clear
    On Error GoTo 0
    RecProp "Version", v
    RecProp "Size", sz
  Else
    RecProp "Exists", False
    RecProp "Version", Null
    RecProp "Size", Null
  End If
End Sub

' ----------------------------------------------------------------------------
' Comptes : groupes du jeton, administrateurs locaux
' ----------------------------------------------------------------------------
Sub StepTokenGroups()
  Dim info, dn
  OpenRecords "token_groups", "ADSI tokenGroups (ADSystemInfo.UserName)"
  Set info = CreateObject("ADSystemInfo")
  dn = info.UserName
  RecComment "user: " & dn
  WriteTokenGroups dn, False
End Sub

Sub WriteTokenGroups(dn, withDn)
  ' tokenGroups : appartenances transitives (groupes imbriques compris)
  Dim u, tg, i, sidBytes, sid, g, gname, gdn, items
  Set u = GetObject("LDAP://" & AdsEsc(dn))
  u.GetInfoEx Array("tokenGroups"), 0
  tg = u.Get("tokenGroups")
  If VarType(tg) = 8209 Then
    items = Array(tg)
  Else
    items = tg
  End If
  For i = LBound(items) To UBound(items)
    sidBytes = items(i)
    sid = SidToStr(sidBytes)
    gname = ""
    gdn = ""
    On Error Resume Next
    Set g = GetObject("LDAP://<SID=" & BytesHex(sidBytes) & ">")
    If Err.Number = 0 Then
      gname = g.Get("name")
      gdn = g.Get("distinguishedName")
    End If
    Err.Clear
    On Error GoTo 0
    RecKind "group"
    RecProp "Sid", sid
    If withDn Then RecProp "distinguishedName", gdn
    RecProp "Name", gname
  Next
  RecComment "count: " & (UBound(items) - LBound(items) + 1)
End Sub

Sub StepLocalAdmins()
  ' Le groupe est trouve par son SID (S-1-5-32-544), jamais par son nom
  ' ("Administrateurs" sur un Windows francais).
  Dim q, g, gname, found, grp, m, path, parts, dom, sid
  q = "SELECT * FROM Win32_Group WHERE SID='S-1-5-32-544' AND LocalAccount=True"
  OpenRecords "local_admins", q
  If IsEmpty(gWmi) Then Set gWmi = GetObject("winmgmts:{impersonationLevel=impersonate}!\\.\root\cimv2")
  found = False
  For Each g In gWmi.ExecQuery(q)
    If Not found Then
      found = True
      gname = g.Name
      RecKind "group"
      RecProp "Name", g.Name
      RecProp "Sid", g.SID
      RecProp "Domain", g.Domain
    End If
  Next
  If Not found Then
    Fail Fr("WMI n'a renvoy{e9} aucun groupe de SID S-1-5-32-544")
    Exit Sub
  End If
  gCur("source") = q & " ; WinNT://" & gHost & "/" & gname & ",group"
  Set grp = GetObject("WinNT://" & gHost & "/" & gname & ",group")
  For Each m In grp.Members
    path = m.ADsPath
    parts = Split(Mid(path, Len("WinNT://") + 1), "/")
    dom = ""
    If UBound(parts) >= 1 Then dom = parts(UBound(parts) - 1)
    sid = ""
    On Error Resume Next
    sid = SidToStr(m.Get("objectSid"))
    Err.Clear
    On Error GoTo 0
    RecKind "member"
    RecProp "Name", m.Name
    RecProp "Domain", dom
    RecProp "Sid", sid
    RecProp "Class", m.Class
    RecProp "AdsPath", path
  Next
End Sub

' ----------------------------------------------------------------------------
' Annuaire Active Directory (ADSI LDAP, compte courant)
' ----------------------------------------------------------------------------
Dim gAdo, gSvcDn, gOrgDns, gAgDns, gSrvDns, gTrusteeCache
Dim gMailCont, gMailContState, gMailContErr, gMailContUsers

Function RootDse()
  If IsObject(gRootDse) Then
    Set RootDse = gRootDse
    Exit Function
  End If
  Set gRootDse = GetObject("LDAP://RootDSE")
  Set RootDse = gRootDse
End Function

Function DefaultNC()
  DefaultNC = RootDse().Get("defaultNamingContext")
End Function

Function ConfigNC()
  ConfigNC = RootDse().Get("configurationNamingContext")
End Function

Function ExchangeBase()
  ExchangeBase = "CN=Microsoft Exchange,CN=Services," & ConfigNC()
End Function

Function AdsEsc(dn)
  ' "/" est un separateur dans un ADsPath
  AdsEsc = Replace(dn, "/", "\/")
End Function

Function LdapEscape(s)
  Dim t
  t = Replace(s, "\", "\5c")
  t = Replace(t, "*", "\2a")
  t = Replace(t, "(", "\28")
  t = Replace(t, ")", "\29")
  LdapEscape = t
End Function

Function AdSearch(base, filter, attrs, scope, limit)
  Dim cmd
  If IsEmpty(gAdo) Then
    Set gAdo = CreateObject("ADODB.Connection")
    gAdo.Provider = "ADsDSOObject"
    gAdo.Open "Active Directory Provider"
  End If
  Set cmd = CreateObject("ADODB.Command")
  Set cmd.ActiveConnection = gAdo
  cmd.Properties("Page Size") = 500
  cmd.Properties("Timeout") = 120
  cmd.Properties("Cache Results") = False
  If limit > 0 Then cmd.Properties("Size Limit") = limit
  cmd.CommandText = "<LDAP://" & AdsEsc(base) & ">;" & filter & ";" & attrs & ";" & scope
  Set AdSearch = cmd.Execute
End Function

Function FieldVal(rs, name)
  On Error Resume Next
  FieldVal = Null
  FieldVal = rs.Fields(name).Value
  Err.Clear
End Function

Sub AdProp(name, v)
  ' Conversion des binaires : objectSid -> S-1-..., objectGUID -> guid
  If IsNull(v) Or IsEmpty(v) Then
    RecProp name, Null
  ElseIf LCase(name) = "objectsid" Then
    RecProp name, SidToStr(v)
  ElseIf LCase(name) = "objectguid" Then
    RecProp name, GuidToStr(v)
  Else
    RecProp name, v
  End If
End Sub

Sub RecRow(rs, attrs, multi)
  Dim i, a, v
  a = Split(attrs, ",")
  For i = 0 To UBound(a)
    v = FieldVal(rs, a(i))
    If InStr(" " & multi & " ", " " & a(i) & " ") > 0 Then RecArr a(i), v Else AdProp a(i), v
  Next
End Sub

Function SdControl(dn)
  On Error Resume Next
  Dim o
  SdControl = Null
  Set o = GetObject("LDAP://" & AdsEsc(dn))
  SdControl = o.Get("nTSecurityDescriptor").Control
  Err.Clear
End Function

Sub StepAd(name)
  Dim src
  src = AdSourceText(name)
  OpenRecords name, src
  Select Case name
    Case "ad_rootdse": AdRootDse
    Case "ad_domain": AdDomain
    Case "ad_partitions": AdPartitions
    Case "ad_domain_controllers": AdDcs
    Case "ad_service_account": AdServiceAccount
    Case "ad_service_account_groups": AdServiceAccountGroups
    Case "ad_exchange_org": AdExchangeOrg
    Case "ad_exchange_servers": AdExchangeServers "(objectClass=msExchExchangeServer)", "server"
    Case "ad_mail_containers": AdMailContainers
    Case "ad_acl": AdAcl
    Case "ad_admincount_users": AdAdminCount
    Case "ad_exchange_stores", "ad_mail_users_protected": Fail "format 1.1 : etape pas encore ecrite dans ce collecteur"
    Case "exchange_version": AdExchangeServers "(&(objectClass=msExchExchangeServer)(cn=" & LdapEscape(gHost) & "))", "server"
  End Select
End Sub

Sub AdRootDse()
  Dim r, a, i, v
  Set r = RootDse()
  a = Array("defaultNamingContext", "configurationNamingContext", "schemaNamingContext", "rootDomainNamingContext", "dnsHostName", "domainFunctionality", "forestFunctionality")
  RecKind "rootdse"
  For i = 0 To UBound(a)
    On Error Resume Next
    v = Null
    v = r.Get(a(i))
    Err.Clear
    On Error GoTo 0
    RecProp a(i), v
  Next
End Sub

Sub AdDomain()
  Dim dnc, o, rs
  dnc = DefaultNC()
  Set o = GetObject("LDAP://" & AdsEsc(dnc))
  RecKind "domain"
  RecProp "distinguishedName", o.Get("distinguishedName")
  RecProp "name", o.Get("name")
  AdProp "objectSid", o.Get("objectSid")
  Set rs = AdSearch("CN=Partitions," & ConfigNC(), "(&(objectClass=crossRef)(nCName=" & dnc & "))", "nETBIOSName", "onelevel", 0)
  If Not rs.EOF Then
    gDomainNetbios = FieldVal(rs, "nETBIOSName")
    RecProp "nETBIOSName", gDomainNetbios
  Else
    RecProp "nETBIOSName", Null
  End If
End Sub

Sub AdPartitions()
  Dim rs, n, attrs
  attrs = "distinguishedName,nCName,dnsRoot,nETBIOSName"
  Set rs = AdSearch("CN=Partitions," & ConfigNC(), "(&(objectClass=crossRef)(systemFlags:1.2.840.113556.1.4.803:=2))", attrs, "onelevel", 0)
  n = 0
  Do Until rs.EOF
    RecKind "crossref"
    RecRow rs, attrs, "dnsRoot"
    n = n + 1
    rs.MoveNext
  Loop
  RecComment "count: " & n
End Sub

Sub AdDcs()
  Dim rs, n, attrs
  attrs = "name,dNSHostName,operatingSystem,operatingSystemVersion,operatingSystemServicePack"
  Set rs = AdSearch(DefaultNC(), "(&(objectCategory=computer)(userAccountControl:1.2.840.113556.1.4.803:=8192))", attrs, "subtree", 0)
  n = 0
  Do Until rs.EOF
    RecKind "dc"
    RecRow rs, attrs, ""
    n = n + 1
    rs.MoveNext
  Loop
  RecComment "count: " & n
End Sub

Function FindServiceAccount()
  Dim rs
  FindServiceAccount = ""
  Set rs = AdSearch(DefaultNC(), "(&(objectCategory=person)(objectClass=user)(sAMAccountName=" & LdapEscape(gAccount) & "))", "distinguishedName", "subtree", 0)
  If Not rs.EOF Then FindServiceAccount = FieldVal(rs, "distinguishedName")
End Function

Sub AdServiceAccount()
  Dim rs, n, attrs, dn
  attrs = "distinguishedName,sAMAccountName,objectSid,userAccountControl,primaryGroupID,adminCount,memberOf,homeMDB,msExchHomeServerName,legacyExchangeDN,mail,showInAddressBook,msExchHideFromAddressLists"
  Set rs = AdSearch(DefaultNC(), "(&(objectCategory=person)(objectClass=user)(sAMAccountName=" & LdapEscape(gAccount) & "))", attrs, "subtree", 0)
  n = 0
  Do Until rs.EOF
    dn = FieldVal(rs, "distinguishedName")
    If n = 0 Then gSvcDn = dn
    RecKind "user"
    RecRow rs, attrs, "memberOf showInAddressBook"
    RecProp "sdControl", SdControl(dn)
    n = n + 1
    rs.MoveNext
  Loop
  RecComment "count: " & n
  If n = 0 Then RecComment "aucun compte sAMAccountName=" & gAccount
End Sub

Sub AdServiceAccountGroups()
  If IsEmpty(gSvcDn) Or gSvcDn = "" Then gSvcDn = FindServiceAccount()
  If gSvcDn = "" Then
    RecComment "aucun compte sAMAccountName=" & gAccount
    Exit Sub
  End If
  RecComment "user: " & gSvcDn
  WriteTokenGroups gSvcDn, True
End Sub

Sub FindExchangeObjects()
  ' Organisation(s), groupes d'administration, serveurs (pour ad_acl)
  Dim rs, base
  base = ExchangeBase()
  gOrgDns = Array()
  gAgDns = Array()
  gSrvDns = Array()
  Set rs = AdSearch(base, "(objectClass=msExchOrganizationContainer)", "distinguishedName,name", "onelevel", 0)
  Do Until rs.EOF
    gOrgDns = PushArr(gOrgDns, FieldVal(rs, "distinguishedName"))
    rs.MoveNext
  Loop
  Set rs = AdSearch(base, "(objectClass=msExchAdminGroup)", "distinguishedName", "subtree", 0)
  Do Until rs.EOF
    gAgDns = PushArr(gAgDns, FieldVal(rs, "distinguishedName"))
    rs.MoveNext
  Loop
  Set rs = AdSearch(base, "(objectClass=msExchExchangeServer)", "distinguishedName", "subtree", 0)
  Do Until rs.EOF
    gSrvDns = PushArr(gSrvDns, FieldVal(rs, "distinguishedName"))
    rs.MoveNext
  Loop
End Sub

Sub AdExchangeOrg()
  Dim rs, base, n
  base = ExchangeBase()
  n = 0
  Set rs = AdSearch(base, "(objectClass=msExchOrganizationContainer)", "distinguishedName,name", "onelevel", 0)
  Do Until rs.EOF
    RecKind "organization"
    RecRow rs, "distinguishedName,name", ""
    n = n + 1
    rs.MoveNext
  Loop
  Set rs = AdSearch(base, "(objectClass=msExchAdminGroup)", "distinguishedName,name,legacyExchangeDN", "subtree", 0)
  Do Until rs.EOF
    RecKind "admingroup"
    RecRow rs, "distinguishedName,name,legacyExchangeDN", ""
    rs.MoveNext
  Loop
  RecComment "organizations: " & n
End Sub

Sub AdExchangeServers(filter, kind)
  Dim rs, n, attrs, na, i, fqdn, nm
  attrs = "distinguishedName,name,serialNumber,legacyExchangeDN,networkAddress,msExchCurrentServerRoles,adminDisplayName"
  Set rs = AdSearch(ExchangeBase(), filter, attrs, "subtree", 0)
  n = 0
  If kind = "server" And gCur("name") = "ad_exchange_servers" Then
    gExchServers = Array()
    gExchServersKnown = True
  End If
  Do Until rs.EOF
    RecKind kind
    RecRow rs, attrs, "serialNumber networkAddress"
    If gCur("name") = "ad_exchange_servers" Then
      nm = FieldVal(rs, "name")
      fqdn = ""
      na = FieldVal(rs, "networkAddress")
      If IsArray(na) Then
        For i = LBound(na) To UBound(na)
          If LCase(Left(na(i), 13)) = "ncacn_ip_tcp:" Then fqdn = Mid(na(i), 14)
        Next
      End If
      If fqdn = "" Then fqdn = nm
      gExchServers = PushArr(gExchServers, Array(nm, fqdn, 135))
    End If
    n = n + 1
    rs.MoveNext
  Loop
  RecComment "count: " & n
End Sub

Sub AdAcl()
  Dim objs, i, dnc, keys, n
  dnc = DefaultNC()
  If Not IsArray(gOrgDns) Then FindExchangeObjects
  objs = Array(dnc, "CN=AdminSDHolder,CN=System," & dnc)
  For i = 0 To UBound(gOrgDns)
    objs = PushArr(objs, gOrgDns(i))
  Next
  For i = 0 To UBound(gAgDns)
    objs = PushArr(objs, gAgDns(i))
    objs = PushArr(objs, "CN=Servers," & gAgDns(i))
  Next
  For i = 0 To UBound(gSrvDns)
    objs = PushArr(objs, gSrvDns(i))
  Next
  ' Conteneurs des utilisateurs de messagerie (F10) : leur DACL stockee porte
  ' les ACE heritees par AD. Un echec de la recherche n'empeche pas le reste.
  If MailContainersReady() Then
    keys = gMailCont.Keys
    n = 0
    For i = 0 To UBound(keys)
      If n >= MAILCONTAINERS_LIMIT Then Exit For
      If LCase(keys(i)) <> LCase(dnc) Then objs = PushArr(objs, keys(i))
      n = n + 1
    Next
  Else
    RecComment "conteneurs des utilisateurs de messagerie non lus : " & gMailContErr
  End If
  For i = 0 To UBound(objs)
    WriteAcl objs(i)
  Next
End Sub

Function ParentDn(dn)
  ' "CN=Dupont\, Jean,OU=Ventes,DC=x" -> "OU=Ventes,DC=x" (virgule echappee ignoree)
  Dim i, c
  ParentDn = ""
  i = 1
  Do While i <= Len(dn)
    c = Mid(dn, i, 1)
    If c = "\" Then
      i = i + 2
    ElseIf c = "," Then
      ParentDn = Mid(dn, i + 1)
      Exit Function
    Else
      i = i + 1
    End If
  Loop
End Function

Sub FindMailContainers()
  ' Utilisateurs dotes d'une boite aux lettres (recherche paginee, 500 par
  ' page) : seul le DN du conteneur parent est garde, avec un compteur ;
  ' aucun nom d'utilisateur n'est conserve ni ecrit.
  Dim rs, dn, p
  Set gMailCont = CreateObject("Scripting.Dictionary")
  gMailCont.CompareMode = 1
  gMailContUsers = 0
  Set rs = AdSearch(DefaultNC(), "(&(objectCategory=person)(objectClass=user)(homeMDB=*))", "distinguishedName", "subtree", 0)
  Do Until rs.EOF
    dn = FieldVal(rs, "distinguishedName")
    If Not IsNull(dn) Then
      p = ParentDn(CStr(dn))
      If p <> "" Then
        gMailContUsers = gMailContUsers + 1
        If gMailCont.Exists(p) Then gMailCont(p) = gMailCont(p) + 1 Else gMailCont.Add p, 1
      End If
    End If
    rs.MoveNext
  Loop
End Sub

Function MailContainersReady()
  ' Une seule recherche par collecte (ad_mail_containers puis ad_acl)
  Dim en, ed
  If IsEmpty(gMailContState) Then
    On Error Resume Next
    FindMailContainers
    en = Err.Number
    ed = Err.Description
    Err.Clear
    On Error GoTo 0
    If en <> 0 Then
      gMailContState = "error"
      gMailContErr = ErrText(en, ed)
    Else
      gMailContState = "ok"
    End If
  End If
  MailContainersReady = (gMailContState = "ok")
End Function

Sub AdMailContainers()
  Dim keys, i, written
  If Not MailContainersReady() Then
    Fail gMailContErr
    Exit Sub
  End If
  keys = gMailCont.Keys
  written = 0
  For i = 0 To UBound(keys)
    If written >= MAILCONTAINERS_LIMIT Then Exit For
    RecKind "container"
    RecProp "distinguishedName", keys(i)
    RecProp "MailUsers", gMailCont(keys(i))
    RecProp "sdControl", SdControl(keys(i))
    written = written + 1
  Next
  RecKind "summary"
  RecProp "Containers", gMailCont.Count
  RecProp "MailUsers", gMailContUsers
  RecProp "Truncated", (gMailCont.Count > written)
End Sub

Sub WriteAcl(dn)
  Dim o, sd, dacl, ace, idx, mask, tr, en, ed
  On Error Resume Next
  Set o = GetObject("LDAP://" & AdsEsc(dn))
  Set sd = o.Get("nTSecurityDescriptor")
  en = Err.Number
  ed = Err.Description
  Err.Clear
  On Error GoTo 0
  If en <> 0 Then
    ' objet absent (ex. pas de conteneur Servers) : note, pas d'echec global
    RecComment "illisible: " & dn & " : " & ErrText(en, ed)
    Exit Sub
  End If
  RecKind "sd"
  RecProp "ObjectDN", dn
  RecProp "Owner", sd.Owner
  RecProp "Control", sd.Control
  Set dacl = sd.DiscretionaryAcl
  idx = 0
  For Each ace In dacl
    RecKind "ace"
    RecProp "ObjectDN", dn
    RecProp "Index", idx
    RecProp "AceType", ace.AceType
    RecProp "AceFlags", ace.AceFlags
    mask = CDbl(ace.AccessMask)
    If mask < 0 Then mask = mask + 4294967296
    RecProp "AccessMask", FormatIntD(mask)
    RecProp "Flags", ace.Flags
    RecProp "ObjectType", NormGuid(ace.ObjectType)
    RecProp "InheritedObjectType", NormGuid(ace.InheritedObjectType)
    tr = ace.Trustee
    RecProp "Trustee", tr
    RecProp "TrusteeSid", TrusteeSid(tr)
    idx = idx + 1
  Next
End Sub

Function NormGuid(g)
  Dim s
  If IsNull(g) Or IsEmpty(g) Then
    NormGuid = ""
    Exit Function
  End If
  s = LCase(CStr(g))
  s = Replace(Replace(s, "{", ""), "}", "")
  NormGuid = s
End Function

Function TrusteeSid(tr)
  ' "DOMAINE\nom" -> SID ; table des comptes bien connus (noms anglais et
  ' francais), sinon recherche sAMAccountName dans le domaine ; vide sinon.
  Dim p, dom, nm, key, rs, sid
  TrusteeSid = ""
  If Left(tr, 4) = "S-1-" Then
    TrusteeSid = tr
    Exit Function
  End If
  If IsEmpty(gTrusteeCache) Then Set gTrusteeCache = CreateObject("Scripting.Dictionary")
  key = LCase(tr)
  If gTrusteeCache.Exists(key) Then
    TrusteeSid = gTrusteeCache(key)
    Exit Function
  End If
  sid = WellKnownSid(key)
  If sid = "" Then
    p = InStr(tr, "\")
    If p > 0 Then
      dom = Left(tr, p - 1)
      nm = Mid(tr, p + 1)
    Else
      dom = ""
      nm = tr
    End If
    If dom = "" Or LCase(dom) = LCase(gDomainNetbios & "") Or IsEmpty(gDomainNetbios) Then
      On Error Resume Next
      Set rs = AdSearch(DefaultNC(), "(sAMAccountName=" & LdapEscape(nm) & ")", "objectSid", "subtree", 1)
      If Err.Number = 0 Then
        If Not rs.EOF Then sid = SidToStr(FieldVal(rs, "objectSid"))
      End If
      Err.Clear
      On Error GoTo 0
    End If
  End If
  gTrusteeCache(key) = sid
  TrusteeSid = sid
End Function

Function WellKnownSid(key)
  Dim n
  n = key
  If InStr(n, "\") > 0 Then n = Mid(n, InStr(n, "\") + 1)
  Select Case n
    Case "everyone", "tout le monde": WellKnownSid = "S-1-1-0"
    Case "creator owner", Fr("cr{e9}ateur propri{e9}taire"), "createur proprietaire": WellKnownSid = "S-1-3-0"
    Case "self": WellKnownSid = "S-1-5-10"
    Case "authenticated users", Fr("utilisateurs authentifi{e9}s"): WellKnownSid = "S-1-5-11"
    Case "system", Fr("syst{e8}me"): WellKnownSid = "S-1-5-18"
    Case "enterprise domain controllers", Fr("contr{f4}leurs de domaine d'entreprise"): WellKnownSid = "S-1-5-9"
    Case "administrators", "administrateurs": WellKnownSid = "S-1-5-32-544"
    Case "account operators", Fr("op{e9}rateurs de compte"): WellKnownSid = "S-1-5-32-548"
    Case "pre-windows 2000 compatible access", Fr("acc{e8}s compatible pr{e9}-windows 2000"): WellKnownSid = "S-1-5-32-554"
    Case Else: WellKnownSid = ""
  End Select
End Function

Sub AdAdminCount()
  Dim rs, n, written, dn
  Set rs = AdSearch(DefaultNC(), "(&(objectCategory=person)(objectClass=user)(adminCount=1)(homeMDB=*))", "distinguishedName,sAMAccountName", "subtree", 0)
  n = 0
  written = 0
  Do Until rs.EOF
    n = n + 1
    If written < ADMINCOUNT_LIMIT Then
      dn = FieldVal(rs, "distinguishedName")
      RecKind "user"
      RecProp "distinguishedName", dn
      RecProp "sAMAccountName", FieldVal(rs, "sAMAccountName")
      RecProp "sdControl", SdControl(dn)
      written = written + 1
    End If
    rs.MoveNext
  Loop
  RecKind "summary"
  RecProp "Count", n
  RecProp "Truncated", (n > written)
End Sub

' Binaires ADSI (tableaux d'octets) : AscB/MidB (absents sous Wine 8, mais
' l'annuaire n'y est jamais joignable).
Function ByteAt(b, i)
  ByteAt = AscB(MidB(b, i + 1, 1))
End Function

Function BytesHex(b)
  Dim i, s
  s = ""
  For i = 0 To LenB(b) - 1
    s = s & HexN(ByteAt(b, i), 2)
  Next
  BytesHex = s
End Function

Function SidToStr(b)
  Dim cnt, auth, i, k, v, s
  SidToStr = ""
  If IsNull(b) Or IsEmpty(b) Then Exit Function
  If VarType(b) = vbString Then
    SidToStr = b
    Exit Function
  End If
  cnt = ByteAt(b, 1)
  auth = 0
  For i = 2 To 7
    auth = auth * 256 + ByteAt(b, i)
  Next
  s = "S-" & ByteAt(b, 0) & "-" & FormatIntD(auth)
  For k = 0 To cnt - 1
    i = 8 + k * 4
    v = ByteAt(b, i) + ByteAt(b, i + 1) * 256 + ByteAt(b, i + 2) * 65536 + ByteAt(b, i + 3) * 16777216
    s = s & "-" & FormatIntD(v)
  Next
  SidToStr = s
End Function

Function GuidToStr(b)
  Dim h
  h = BytesHex(b)
  If Len(h) <> 32 Then
    GuidToStr = h
    Exit Function
  End If
  GuidToStr = Mid(h, 7, 2) & Mid(h, 5, 2) & Mid(h, 3, 2) & Mid(h, 1, 2) & "-" & _
    Mid(h, 11, 2) & Mid(h, 9, 2) & "-" & Mid(h, 15, 2) & Mid(h, 13, 2) & "-" & _
    Mid(h, 17, 4) & "-" & Mid(h, 21, 12)
End Function

' ----------------------------------------------------------------------------
' Reseau : proxy, sonde du NOC, chemin vers Exchange
' ----------------------------------------------------------------------------
Dim gProxyDone, gIeEnable, gIeServer, gIeOverride, gIeAutoConfig, gIeAutoDetect
Dim gWhEnable, gWhServer, gWhBypass, gWhPresent

Function RegReadOr(key, dflt)
  On Error Resume Next
  Dim v
  v = sh.RegRead(key)
  If Err.Number <> 0 Then v = dflt
  Err.Clear
  RegReadOr = v
End Function

Function StripCredentials(s)
  ' "http=user:pass@proxy:8080;https=..." -> jamais d'identifiants
  Dim parts, i, p, q, item, prefix
  If IsNull(s) Then
    StripCredentials = Null
    Exit Function
  End If
  parts = Split(s, ";")
  For i = 0 To UBound(parts)
    item = parts(i)
    prefix = ""
    q = InStr(item, "=")
    If q > 0 Then
      prefix = Left(item, q)
      item = Mid(item, q + 1)
    End If
    p = InStrRev(item, "@")
    If p > 0 Then
      q = InStr(item, "://")
      If q > 0 And q < p Then item = Left(item, q + 2) & Mid(item, p + 1) Else item = Mid(item, p + 1)
    End If
    parts(i) = prefix & item
  Next
  StripCredentials = JoinArr(parts, ";")
End Function

Sub LoadProxySettings()
  Dim base, v, b, n, plen, blen, i, s, flags
  If gProxyDone Then Exit Sub
  gProxyDone = True
  base = "HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings\"
  gIeEnable = RegReadOr(base & "ProxyEnable", Null)
  gIeServer = StripCredentials(RegReadOr(base & "ProxyServer", Null))
  gIeOverride = RegReadOr(base & "ProxyOverride", Null)
  gIeAutoConfig = RegReadOr(base & "AutoConfigURL", Null)
  gIeAutoDetect = Null
  v = RegReadOr(base & "Connections\DefaultConnectionSettings", Null)
  If IsArray(v) Then
    ' octet 8 : drapeaux (0x02 proxy, 0x04 script, 0x08 detection auto)
    If UBound(v) >= 8 Then gIeAutoDetect = ((v(8) And 8) <> 0)
  End If
  ' WinHttpSettings (proxycfg) : DWORD taille, DWORD compteur, DWORD drapeaux
  ' (1 direct, 3 proxy), DWORD longueur + proxy ANSI, DWORD longueur + liste
  ' d'exclusions.
  gWhPresent = False
  gWhEnable = False
  gWhServer = ""
  gWhBypass = ""
  b = RegReadOr("HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections\WinHttpSettings", Null)
  If IsArray(b) Then
    If UBound(b) >= 15 Then
      gWhPresent = True
      flags = b(8) + b(9) * 256
      gWhEnable = ((flags And 2) <> 0)
      plen = b(12) + b(13) * 256
      s = ""
      For i = 16 To 15 + plen
        If i <= UBound(b) Then s = s & Chr(b(i))
      Next
      gWhServer = StripCredentials(s)
      n = 16 + plen
      If n + 3 <= UBound(b) Then
        blen = b(n) + b(n + 1) * 256
        s = ""
        For i = n + 4 To n + 3 + blen
          If i <= UBound(b) Then s = s & Chr(b(i))
        Next
        gWhBypass = s
      End If
    End If
  End If
End Sub

Function ProxyForHttps(server)
  ' "proxy:8080" ou "http=p1:80;https=p2:8443" -> proxy utilise pour https
  Dim parts, i, res, item
  res = ""
  If IsNull(server) Then
    ProxyForHttps = ""
    Exit Function
  End If
  If InStr(server, "=") = 0 Then
    ProxyForHttps = Trim(server)
    Exit Function
  End If
  parts = Split(server, ";")
  For i = 0 To UBound(parts)
    item = Trim(parts(i))
    If LCase(Left(item, 6)) = "https=" Then res = Mid(item, 7)
  Next
  If res = "" Then
    For i = 0 To UBound(parts)
      item = Trim(parts(i))
      If LCase(Left(item, 5)) = "http=" Then res = Mid(item, 6)
    Next
  End If
  ProxyForHttps = res
End Function

Sub StepNetProxy()
  LoadProxySettings
  OpenRecords "net_proxy", "HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings ; HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections\WinHttpSettings"
  RecComment "aucun identifiant ni mot de passe n'est collecte"
  RecKind "proxy"
  RecProp "Source", "ie"
  If IsNull(gIeEnable) Then RecProp "ProxyEnable", Null Else RecProp "ProxyEnable", (gIeEnable <> 0)
  RecProp "ProxyServer", gIeServer
  RecProp "ProxyOverride", gIeOverride
  RecProp "AutoConfigURL", gIeAutoConfig
  RecProp "AutoDetect", gIeAutoDetect
  RecKind "proxy"
  RecProp "Source", "winhttp"
  If Not gWhPresent Then RecComment "WinHttpSettings absent : WinHTTP en acces direct (valeur par defaut)"
  RecProp "ProxyEnable", gWhEnable
  RecProp "ProxyServer", gWhServer
  RecProp "ProxyOverride", gWhBypass
  RecProp "AutoConfigURL", Null
  RecProp "AutoDetect", Null
End Sub

Function NocUrl(host)
  NocUrl = gNocScheme & "://" & host & ":" & gNocPort & "/"
End Function

Function IsIPv4(s)
  Dim re
  Set re = New RegExp
  re.Pattern = "^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$"
  IsIPv4 = re.Test(s)
End Function

Function Resolve(host, ByRef addrs)
  ' Renvoie "True"/"False" ; Win32_PingStatus (2003) sinon "ping -n 1".
  Dim p, found, rc, et, outPath, text, re, m, ok
  addrs = Array()
  If IsIPv4(host) Then
    addrs = Array(host)
    Resolve = "True"
    Exit Function
  End If
  found = ""
  On Error Resume Next
  found = PingStatusResolve(host, addrs)
  Err.Clear
  On Error GoTo 0
  If found <> "" Then
    Resolve = found
    Exit Function
  End If
  outPath = gTmp & "\ping.txt"
  Resolve = "False"
  If RunCommand("ping -n 1 -w 1000 " & host, outPath, 30, rc, et) Then
    text = ReadAllAscii(outPath)
    Set re = New RegExp
    re.Pattern = "\[(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\]"
    For Each m In re.Execute(text)
      addrs = Array(m.SubMatches(0))
      Resolve = "True"
      Exit For
    Next
  End If
End Function

Function PingStatusResolve(host, ByRef addrs)
  ' Win32_PingStatus (XP/2003 ; absent sous Windows 2000, vide sous Wine) :
  ' "" si la classe ne repond pas, sinon "True"/"False".
  Dim p, ok
  PingStatusResolve = ""
  For Each p In gWmi.ExecQuery("SELECT * FROM Win32_PingStatus WHERE Address='" & Replace(host, "'", "") & "' AND Timeout=1000")
    If IsNull(p.PrimaryAddressResolutionStatus) Then
      ok = Not IsNull(p.ProtocolAddress)
    Else
      ok = (p.PrimaryAddressResolutionStatus = 0)
    End If
    If ok And Not IsNull(p.ProtocolAddress) Then
      If p.ProtocolAddress <> "" Then
        addrs = Array(p.ProtocolAddress)
        PingStatusResolve = "True"
      Else
        PingStatusResolve = "False"
      End If
    Else
      PingStatusResolve = "False"
    End If
  Next
End Function

Sub HttpProbe(url, proxyMode, proxy, bypass, ignoreCert, tConnect, tReceive, ByRef status, ByRef statusText, ByRef errNum, ByRef errTxt, ByRef ms)
  Dim h, t0, en, ed
  status = ""
  statusText = ""
  errNum = ""
  errTxt = ""
  Set h = CreateObject("WinHttp.WinHttpRequest.5.1")
  h.SetTimeouts tConnect, tConnect, tReceive, tReceive
  If proxyMode = "direct" Then
    h.SetProxy 1
  ElseIf proxy <> "" And bypass <> "-" Then
    h.SetProxy 2, proxy, bypass
  Else
    h.SetProxy 0
  End If
  On Error Resume Next
  If ignoreCert Then h.Option(4) = 13056
  Err.Clear
  t0 = Timer
  h.Open "GET", url, False
  If Err.Number = 0 Then h.Send
  en = Err.Number
  ed = Err.Description
  ms = ElapsedMs(t0)
  Err.Clear
  If en = 0 Then
    status = h.Status
    statusText = h.StatusText
  Else
    If Int((CDbl(en) + 4294967296) / 65536) = 32775 Then
      errNum = CDbl(en) + 4294967296 - 2147942400
      errTxt = Trim(ed)
      If errTxt = "" Then errTxt = WinHttpText(errNum)
    Else
      errNum = ""
      errTxt = ErrText(en, ed)
    End If
  End If
  Err.Clear
  On Error GoTo 0
End Sub

Sub WriteNocProbe(target, host, proxyMode, proxy, bypass)
  Dim url, resolved, addrs, status, stext, en, et, ms, ignoreCert
  url = NocUrl(host)
  If target = "name" And Not IsIPv4(host) Then
    resolved = Resolve(host, addrs)
  Else
    resolved = ""
    addrs = Array(host)
  End If
  ' L'adresse IP ne peut pas correspondre au nom du certificat : le
  ' certificat n'est verifie que pour la cible "name".
  ignoreCert = (target = "address" And gNocScheme = "https")
  HttpProbe url, proxyMode, proxy, bypass, ignoreCert, 5000, 10000, status, stext, en, et, ms
  If en = 12007 And proxyMode = "direct" Then resolved = "False"
  RecKind "probe"
  RecProp "Target", target
  RecProp "Url", url
  RecProp "ProxyMode", proxyMode
  RecProp "Proxy", proxy
  RecProp "Resolved", resolved
  RecArr "Addresses", addrs
  RecProp "Status", status
  RecProp "StatusText", stext
  RecProp "ErrorNumber", en
  RecProp "ErrorText", et
  RecProp "ElapsedMs", ms
  RecProp "CertCheck", Not ignoreCert
End Sub

Sub StepNetNoc()
  Dim proxy, bypass, targets, i, src
  If IsEmpty(gWmi) Then Set gWmi = GetObject("winmgmts:{impersonationLevel=impersonate}!\\.\root\cimv2")
  LoadProxySettings
  ' Proxy "systeme" : celui d'Internet Explorer du compte courant s'il est
  ' actif, sinon celui de WinHTTP (proxycfg) ; sinon acces direct.
  proxy = ""
  bypass = ""
  If Not IsNull(gIeEnable) Then
    If gIeEnable <> 0 Then
      proxy = ProxyForHttps(gIeServer)
      bypass = gIeOverride & ""
    End If
  End If
  If proxy = "" And gWhEnable Then
    proxy = ProxyForHttps(gWhServer)
    bypass = "-"
  End If
  src = "WinHttp.WinHttpRequest.5.1 GET " & NocUrl(gNocHost) & " puis " & NocUrl(gNocAddr)
  OpenRecords "net_noc_probe", src
  If gNocScheme <> "https" Then RecComment "schema " & gNocScheme & " (option de test /nocscheme)"
  If Not IsNull(gIeAutoConfig) Then RecComment "script de configuration automatique non evalue : " & gIeAutoConfig
  targets = Array(Array("name", gNocHost), Array("address", gNocAddr))
  For i = 0 To 1
    If proxy <> "" Then
      WriteNocProbe targets(i)(0), targets(i)(1), "system", proxy, bypass
      WriteNocProbe targets(i)(0), targets(i)(1), "direct", "", ""
    Else
      WriteNocProbe targets(i)(0), targets(i)(1), "direct", "", ""
    End If
  Next
End Sub

Function Ip2Oct(ip)
  Dim p, i, r(3)
  p = Split(ip, ".")
  For i = 0 To 3
    r(i) = 0
    If i <= UBound(p) Then
      If IsNumeric(p(i)) Then r(i) = CLng(p(i))
    End If
  Next
  Ip2Oct = r
End Function

Function SameSubnet(addr)
  ' Compare l'adresse a chaque couple (IP, masque) de la machine, octet par octet
  Dim i, k, a, ip, mk, same
  SameSubnet = False
  a = Ip2Oct(addr)
  For i = 0 To UBound(gLocalIps)
    ip = Ip2Oct(gLocalIps(i)(0))
    mk = Ip2Oct(gLocalIps(i)(1))
    same = True
    For k = 0 To 3
      If (a(k) And mk(k)) <> (ip(k) And mk(k)) Then same = False
    Next
    If same Then SameSubnet = True
  Next
End Function

Sub StepNetExchangePath()
  Dim servers, items, i, it, p, nm, fqdn, port, resolved, addrs, j, same, status, stext, en, et, ms, openP, obj, why
  servers = Array()
  If gExchServerOpt <> "" Then
    items = Split(gExchServerOpt, ",")
    For i = 0 To UBound(items)
      it = Trim(items(i))
      port = 135
      p = InStr(it, ":")
      If p > 0 Then
        port = CLng(Mid(it, p + 1))
        it = Left(it, p - 1)
      End If
      If it <> "" Then servers = PushArr(servers, Array(it, it, port))
    Next
  ElseIf gExchServersKnown Then
    servers = gExchServers
  End If
  gCur("source") = "DNS + TCP 135 (WinHTTP) vers les serveurs de ad_exchange_servers"
  If UBound(servers) < 0 Then
    If gExchServerOpt = "" And Not gExchServersKnown Then
      why = Fr("aucun serveur Exchange connu : l'annuaire n'a pas pu {ea}tre lu (voir ad_exchange_servers) ; option /exchserver:NOM pour tester un serveur donn{e9}")
    Else
      why = Fr("aucun serveur Exchange dans l'annuaire")
    End If
    Skip why
    Exit Sub
  End If
  If IsEmpty(gWmi) Then Set gWmi = GetObject("winmgmts:{impersonationLevel=impersonate}!\\.\root\cimv2")
  If UBound(gLocalIps) < 0 Then
    For Each obj In gWmi.ExecQuery("SELECT IPAddress, IPSubnet FROM Win32_NetworkAdapterConfiguration WHERE IPEnabled=True")
      TryRememberIps obj
    Next
  End If
  OpenRecords "net_exchange_path", gCur("source")
  For i = 0 To UBound(gLocalIps)
    RecComment "local: " & gLocalIps(i)(0) & "/" & gLocalIps(i)(1)
  Next
  For i = 0 To UBound(servers)
    nm = servers(i)(0)
    fqdn = servers(i)(1)
    port = servers(i)(2)
    resolved = Resolve(fqdn, addrs)
    same = False
    For j = 0 To UBound(addrs)
      If SameSubnet(addrs(j)) Then same = True
    Next
    openP = False
    status = ""
    en = ""
    et = ""
    ms = 0
    If resolved = "True" Then
      ' Connexion TCP bornee : 3 s pour se connecter, 1 s pour une reponse.
      ' 12029 = refus ou injoignable ; 12002 apres plus de 2,5 s = delai de
      ' connexion ; toute autre issue prouve que la connexion a ete etablie.
      HttpProbe "http://" & addrs(0) & ":" & port & "/", "direct", "", "", False, 3000, 1000, status, stext, en, et, ms
      If en = "" And status <> "" Then
        openP = True
      ElseIf en = 12029 Or en = 12007 Then
        openP = False
      ElseIf en = 12002 Then
        openP = (ms < 2500)
      ElseIf en <> "" Then
        openP = True
      End If
      If openP And en <> "" Then et = Fr("port ouvert (connexion {e9}tablie, puis : ") & et & ")"
    Else
      et = Fr("nom non r{e9}solu")
    End If
    RecKind "path"
    RecProp "Server", nm
    RecProp "Fqdn", fqdn
    RecArr "Addresses", addrs
    RecProp "SameSubnet", same
    RecProp "Port", port
    RecProp "PortOpen", openP
    RecProp "ElapsedMs", ms
    RecProp "ErrorText", et
  Next
End Sub

' ----------------------------------------------------------------------------
' manifest.json (ASCII, \uXXXX au-dela de U+007E)
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

Function JNum(v)
  If IsNull(v) Or IsEmpty(v) Then
    JNum = "null"
  Else
    JNum = FormatIntD(CDbl(v))
  End If
End Function

Function RunAsName()
  Dim d, u
  d = EnvOrEmpty("USERDOMAIN")
  u = EnvOrEmpty("USERNAME")
  If d <> "" Then RunAsName = d & "\" & u Else RunAsName = u
End Function

Function RunAsSid()
  Dim o, d, u
  RunAsSid = gRunAsSid
  If gRunAsSid <> "" Then Exit Function
  On Error Resume Next
  d = EnvOrEmpty("USERDOMAIN")
  u = EnvOrEmpty("USERNAME")
  Set o = GetObject("winmgmts:{impersonationLevel=impersonate}!\\.\root\cimv2:Win32_UserAccount.Domain='" & d & "',Name='" & u & "'")
  If Err.Number = 0 Then RunAsSid = o.SID & ""
  Err.Clear
  If RunAsSid = "" Then
    Set o = GetObject("LDAP://" & AdsEsc(CreateObject("ADSystemInfo").UserName))
    If Err.Number = 0 Then RunAsSid = SidToStr(o.Get("objectSid"))
    Err.Clear
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
      ", ""noc_port"": " & JNum(gNocPort) & ", ""noc_address"": " & JStr(gNocAddr) & ", ""dry_run"": false}," & nl
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

' ----------------------------------------------------------------------------
' SHA-256 et CRC-32 en VBScript (mots de 32 bits en Long signes)
' ----------------------------------------------------------------------------
Sub InitBits()
  Dim i, k, c, kk
  For i = 0 To 31
    P2(i) = 2 ^ i
    If i < 31 Then M(i) = CLng(2 ^ i - 1) Else M(i) = &H7FFFFFFF
  Next
  kk = Array( _
    &H428A2F98, &H71374491, &HB5C0FBCF, &HE9B5DBA5, &H3956C25B, &H59F111F1, &H923F82A4, &HAB1C5ED5, _
    &HD807AA98, &H12835B01, &H243185BE, &H550C7DC3, &H72BE5D74, &H80DEB1FE, &H9BDC06A7, &HC19BF174, _
    &HE49B69C1, &HEFBE4786, &H0FC19DC6, &H240CA1CC, &H2DE92C6F, &H4A7484AA, &H5CB0A9DC, &H76F988DA, _
    &H983E5152, &HA831C66D, &HB00327C8, &HBF597FC7, &HC6E00BF3, &HD5A79147, &H06CA6351, &H14292967, _
    &H27B70A85, &H2E1B2138, &H4D2C6DFC, &H53380D13, &H650A7354, &H766A0ABB, &H81C2C92E, &H92722C85, _
    &HA2BFE8A1, &HA81A664B, &HC24B8B70, &HC76C51A3, &HD192E819, &HD6990624, &HF40E3585, &H106AA070, _
    &H19A4C116, &H1E376C08, &H2748774C, &H34B0BCB5, &H391C0CB3, &H4ED8AA4A, &H5B9CCA4F, &H682E6FF3, _
    &H748F82EE, &H78A5636F, &H84C87814, &H8CC70208, &H90BEFFFA, &HA4506CEB, &HBEF9A3F7, &HC67178F2)
  For i = 0 To 63
    SHAK(i) = kk(i)
  Next
  For i = 0 To 255
    c = i
    For k = 0 To 7
      If (c And 1) <> 0 Then
        c = &HEDB88320 Xor ShrU(c, 1)
      Else
        c = ShrU(c, 1)
      End If
    Next
    CRCT(i) = c
  Next
End Sub

Function ShrU(x, n)
  If x < 0 Then
    ShrU = ((x And &H7FFFFFFF) \ P2(n)) Or CLng(P2(31 - n))
  Else
    ShrU = x \ P2(n)
  End If
End Function

Function Rotr(x, n)
  ' rotation droite de n (1..31) : (x >>> n) | (x << (32 - n))
  Dim r, l
  If x < 0 Then
    r = ((x And &H7FFFFFFF) \ P2(n)) Or CLng(P2(31 - n))
  Else
    r = x \ P2(n)
  End If
  l = CLng((x And M(n - 1)) * P2(32 - n))
  If (x And CLng(P2(n - 1))) <> 0 Then
    Rotr = r Or l Or &H80000000
  Else
    Rotr = r Or l
  End If
End Function

Function FileBytes(path, ByRef ok)
  ' Octets du fichier dans un tableau de 0..255 (lecture ASCII : Asc rend
  ' l'octet d'origine en page ANSI mono-octet).
  Dim s, n, i, a, c
  ok = False
  n = fso.GetFile(path).Size
  s = ReadAllAscii(path)
  If Len(s) <> n Then
    FileBytes = Array()
    Exit Function
  End If
  If n = 0 Then
    FileBytes = Array()
    ok = True
    Exit Function
  End If
  ReDim a(n - 1)
  For i = 1 To n
    c = Asc(Mid(s, i, 1))
    If c < 0 Or c > 255 Then
      FileBytes = Array()
      Exit Function
    End If
    a(i - 1) = c
  Next
  ok = True
  FileBytes = a
End Function

Function Sha256File(path)
  On Error Resume Next
  Dim b, ok
  Sha256File = ""
  b = FileBytes(path, ok)
  If Err.Number <> 0 Or Not ok Then
    Err.Clear
    Exit Function
  End If
  Sha256File = Sha256(b)
  If Err.Number <> 0 Then Sha256File = ""
  Err.Clear
End Function

Function Sha256(bytes)
  Dim n, total, pad, i, j, blk, W(63), H(7), t, x, s0, s1
  Dim va, vb, vc, vd, ve, vf, vg, vh, t1, t2, bits, out, base
  n = UBound(bytes) + 1
  total = ((n + 8) \ 64 + 1) * 64
  ' Queue de remplissage : derniers octets + 0x80 + zeros + longueur en bits
  base = (n \ 64) * 64
  ReDim pad(total - base - 1)
  For i = 0 To total - base - 1
    pad(i) = 0
  Next
  For i = base To n - 1
    pad(i - base) = bytes(i)
  Next
  pad(n - base) = 128
  bits = CDbl(n) * 8
  For i = 0 To 7
    pad(total - base - 1 - i) = bits - Int(bits / 256) * 256
    bits = Int(bits / 256)
  Next
  H(0) = &H6A09E667
  H(1) = &HBB67AE85
  H(2) = &H3C6EF372
  H(3) = &HA54FF53A
  H(4) = &H510E527F
  H(5) = &H9B05688C
  H(6) = &H1F83D9AB
  H(7) = &H5BE0CD19
  For blk = 0 To total - 64 Step 64
    If blk < base Then
      For t = 0 To 15
        j = blk + t * 4
        x = bytes(j) * 16777216 + bytes(j + 1) * 65536 + bytes(j + 2) * 256 + bytes(j + 3)
        If x >= 2147483648 Then x = x - 4294967296
        W(t) = CLng(x)
      Next
    Else
      For t = 0 To 15
        j = blk - base + t * 4
        x = pad(j) * 16777216 + pad(j + 1) * 65536 + pad(j + 2) * 256 + pad(j + 3)
        If x >= 2147483648 Then x = x - 4294967296
        W(t) = CLng(x)
      Next
    End If
    For t = 16 To 63
      ' rotations en ligne (sans appel de fonction) : 3 a 5 fois plus rapide
      x = W(t - 15)
      s0 = (((((x) And &H7FFFFFFF) \ 128) Or ((x < 0) And 16777216)) Or ((x And 63) * 33554432) Or (((x And 64) <> 0) And &H80000000)) Xor (((((x) And &H7FFFFFFF) \ 262144) Or ((x < 0) And 8192)) Or ((x And 131071) * 16384) Or (((x And 131072) <> 0) And &H80000000)) Xor ((((x) And &H7FFFFFFF) \ 8) Or ((x < 0) And 268435456))
      x = W(t - 2)
      s1 = (((((x) And &H7FFFFFFF) \ 131072) Or ((x < 0) And 16384)) Or ((x And 65535) * 32768) Or (((x And 65536) <> 0) And &H80000000)) Xor (((((x) And &H7FFFFFFF) \ 524288) Or ((x < 0) And 4096)) Or ((x And 262143) * 8192) Or (((x And 262144) <> 0) And &H80000000)) Xor ((((x) And &H7FFFFFFF) \ 1024) Or ((x < 0) And 2097152))
      x = CDbl(W(t - 16)) + s0 + W(t - 7) + s1
      x = x - Int((x + 2147483648) / 4294967296) * 4294967296
      W(t) = CLng(x)
    Next
    va = H(0)
    vb = H(1)
    vc = H(2)
    vd = H(3)
    ve = H(4)
    vf = H(5)
    vg = H(6)
    vh = H(7)
    For t = 0 To 63
      s1 = (((((ve) And &H7FFFFFFF) \ 64) Or ((ve < 0) And 33554432)) Or ((ve And 31) * 67108864) Or (((ve And 32) <> 0) And &H80000000)) Xor (((((ve) And &H7FFFFFFF) \ 2048) Or ((ve < 0) And 1048576)) Or ((ve And 1023) * 2097152) Or (((ve And 1024) <> 0) And &H80000000)) Xor (((((ve) And &H7FFFFFFF) \ 33554432) Or ((ve < 0) And 64)) Or ((ve And 16777215) * 128) Or (((ve And 16777216) <> 0) And &H80000000))
      t1 = CDbl(vh) + s1 + ((ve And vf) Xor ((Not ve) And vg)) + SHAK(t) + W(t)
      s0 = (((((va) And &H7FFFFFFF) \ 4) Or ((va < 0) And 536870912)) Or ((va And 1) * 1073741824) Or (((va And 2) <> 0) And &H80000000)) Xor (((((va) And &H7FFFFFFF) \ 8192) Or ((va < 0) And 262144)) Or ((va And 4095) * 524288) Or (((va And 4096) <> 0) And &H80000000)) Xor (((((va) And &H7FFFFFFF) \ 4194304) Or ((va < 0) And 512)) Or ((va And 2097151) * 1024) Or (((va And 2097152) <> 0) And &H80000000))
      t2 = CDbl(s0) + ((va And vb) Xor (va And vc) Xor (vb And vc))
      vh = vg
      vg = vf
      vf = ve
      x = vd + t1
      ve = CLng(x - Int((x + 2147483648) / 4294967296) * 4294967296)
      vd = vc
      vc = vb
      vb = va
      x = t1 + t2
      va = CLng(x - Int((x + 2147483648) / 4294967296) * 4294967296)
    Next
    x = CDbl(H(0)) + va
    H(0) = CLng(x - Int((x + 2147483648) / 4294967296) * 4294967296)
    x = CDbl(H(1)) + vb
    H(1) = CLng(x - Int((x + 2147483648) / 4294967296) * 4294967296)
    x = CDbl(H(2)) + vc
    H(2) = CLng(x - Int((x + 2147483648) / 4294967296) * 4294967296)
    x = CDbl(H(3)) + vd
    H(3) = CLng(x - Int((x + 2147483648) / 4294967296) * 4294967296)
    x = CDbl(H(4)) + ve
    H(4) = CLng(x - Int((x + 2147483648) / 4294967296) * 4294967296)
    x = CDbl(H(5)) + vf
    H(5) = CLng(x - Int((x + 2147483648) / 4294967296) * 4294967296)
    x = CDbl(H(6)) + vg
    H(6) = CLng(x - Int((x + 2147483648) / 4294967296) * 4294967296)
    x = CDbl(H(7)) + vh
    H(7) = CLng(x - Int((x + 2147483648) / 4294967296) * 4294967296)
  Next
  out = ""
  For i = 0 To 7
    out = out & HexN(H(i), 8)
  Next
  Sha256 = out
End Function

Function Crc32Str(s)
  ' CRC-32 (polynome 0xEDB88320) sur une chaine d'octets
  Dim c, i, b, idx, sh8
  c = -1
  For i = 1 To Len(s)
    b = Asc(Mid(s, i, 1))
    idx = (c Xor b) And 255
    If c < 0 Then
      sh8 = ((c And &H7FFFFFFF) \ 256) Or &H800000
    Else
      sh8 = c \ 256
    End If
    c = CRCT(idx) Xor sh8
  Next
  c = Not c
  If c < 0 Then Crc32Str = CDbl(c) + 4294967296 Else Crc32Str = CDbl(c)
End Function

' ----------------------------------------------------------------------------
' Archive ZIP (entrees "stored", methode 0), ecrite par le script
' ----------------------------------------------------------------------------
Function Le16(n)
  Le16 = Chr(n And 255) & Chr((n \ 256) And 255)
End Function

Function Le32(v)
  Dim d, i, s, k
  d = CDbl(v)
  If d < 0 Then d = d + 4294967296
  s = ""
  For i = 0 To 3
    k = d - Int(d / 256) * 256
    s = s & Chr(k)
    d = Int(d / 256)
  Next
  Le32 = s
End Function

Function WriteZip(zipPath)
  ' Renvoie "" si l'archive est ecrite, sinon le texte de l'erreur.
  Dim names, n, i, r, f, data, crc, hdr, cd, offset, dosTime, dosDate, nm, tmpZip, zf, en, ed, sz
  On Error Resume Next
  WriteZip = ""
  n = 0
  ReDim names(gResultCount)
  For i = 0 To gResultCount - 1
    Set r = gResults(i)
    If r("file") <> "" Then
      names(n) = r("file")
      n = n + 1
    End If
  Next
  names(n) = "manifest.json"
  n = n + 1
  dosTime = Hour(gStarted) * 2048 + Minute(gStarted) * 32 + (Second(gStarted) \ 2)
  dosDate = (Year(gStarted) - 1980) * 512 + Month(gStarted) * 32 + Day(gStarted)
  tmpZip = zipPath & ".partiel"
  Set zf = fso.CreateTextFile(tmpZip, True, False)
  If Err.Number <> 0 Then
    WriteZip = ErrText(Err.Number, Err.Description)
    Err.Clear
    Exit Function
  End If
  cd = ""
  offset = 0
  For i = 0 To n - 1
    nm = names(i)
    sz = fso.GetFile(gCol & "\" & nm).Size
    data = ReadAllAscii(gCol & "\" & nm)
    If Len(data) <> sz Then
      Err.Raise 5, "WriteZip", "lecture octet par octet impossible (page de code ANSI multi-octets ?) : " & nm
    End If
    crc = Crc32Str(data)
    hdr = Le32(&H04034B50) & Le16(10) & Le16(0) & Le16(0) & Le16(dosTime) & Le16(dosDate) & _
          Le32(crc) & Le32(sz) & Le32(sz) & Le16(Len(nm)) & Le16(0) & nm
    zf.Write hdr
    zf.Write data
    cd = cd & Le32(&H02014B50) & Le16(20) & Le16(10) & Le16(0) & Le16(0) & Le16(dosTime) & Le16(dosDate) & _
          Le32(crc) & Le32(sz) & Le32(sz) & Le16(Len(nm)) & Le16(0) & Le16(0) & Le16(0) & Le16(0) & _
          Le32(32) & Le32(offset) & nm
    offset = offset + Len(hdr) + sz
    If Err.Number <> 0 Then Exit For
  Next
  If Err.Number = 0 Then
    zf.Write cd
    zf.Write Le32(&H06054B50) & Le16(0) & Le16(0) & Le16(n) & Le16(n) & Le32(Len(cd)) & Le32(offset) & Le16(0)
  End If
  en = Err.Number
  ed = Err.Description
  Err.Clear
  zf.Close
  If en <> 0 Then
    fso.DeleteFile tmpZip, True
    Err.Clear
    WriteZip = ErrText(en, ed)
    Exit Function
  End If
  If fso.FileExists(zipPath) Then fso.DeleteFile zipPath, True
  fso.MoveFile tmpZip, zipPath
  If Err.Number <> 0 Then WriteZip = ErrText(Err.Number, Err.Description)
  Err.Clear
End Function
