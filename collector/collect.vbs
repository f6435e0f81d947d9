' ============================================================================
' collect.vbs - vmes-audit-collector 1.1.0 (format de collecte 1.1)
'
' FICHIER GENERE par collector/build.py a partir des modules collector/src/*.vbs
' (un en-tete "module :" marque le debut de chacun) : ne pas le modifier a la
' main, modifier le module puis relancer  python3 collector/build.py
' ============================================================================

' ------------------------------ module : src/main.vbs --------------------------
' ============================================================================
' vmes-audit-collector : collecte des prerequis VMES 5.5 (Visto / SFR)
'
' Windows 2000 SP4 / Windows Server 2003, WSH 5.6, aucune installation.
' Contrat de sortie : docs/collection-format.md (format_version 1.1).
'
'   cscript //nologo collect.vbs [/account:NOM] [/out:DOSSIER] [/exchange]
'            [/dryrun] [/noc:HOTE:PORT] [/nocaddr:IP] [/only:LISTE]
'            [/exchserver:HOTE[,HOTE...]] [/timeout:SECONDES]
'
' Parametres prepares par l'avant-vente : collect-params.txt, a cote de ce
' fichier, s'il existe (compte, NOC, client ; voir args.vbs). Une option de
' la ligne de commande l'emporte sur le fichier.
'
' Options de support (documentees dans LISEZMOI.txt) :
'   /only:net              ne lance que les etapes reseau (net_*), ou une liste
'                          de noms d'artefacts / de prefixes (wmi,reg,ad,net)
'   /exchserver:H1,H2      serveurs Exchange a tester quand l'annuaire est
'                          illisible (H peut porter un port : hote:port)
'   /nocscheme:http        TESTS UNIQUEMENT : sonde le NOC en HTTP clair
'
' Le collecteur demande a Windows et ecrit ce que Windows a repondu : les
' valeurs binaires de l'annuaire (SID, descripteurs de securite) sont ecrites
' en hexadecimal, sans etre decodees ici ; l'analyseur les interprete.
'
' Ce fichier est en ASCII pur : les lettres accentuees des messages sont
' ecrites {e9} (code Unicode en hexadecimal) et converties par Fr().
'
' Notes de portabilite (verifiees sous Wine 8, voir LISEZMOI et le rapport) :
' - WScript.Sleep, WshExec.ExitCode/Terminate, ChrW/AscW, GetRef, Eval,
'   Join, DateDiff, AscB/MidB et ADODB.Stream ne sont pas disponibles sous
'   Wine 8 : le script n'en depend pas, ou les essaie puis se replie.
' - Les octets des fichiers sont lus et ecrits par FileSystemObject en mode
'   ASCII (page de code ANSI mono-octet : Chr/Asc font l'aller-retour).
' ============================================================================
Option Explicit

Const COLLECTOR_NAME = "vmes-audit-collector"
Const COLLECTOR_VERSION = "1.1.0"
Const FORMAT_VERSION = "1.1"
Const DEFAULT_ACCOUNT = "VistoAdmin"
Const DEFAULT_NOC_HOST = "push.sfr.fr"
Const DEFAULT_NOC_PORT = 443
Const DEFAULT_NOC_ADDR = "206.124.113.45"
Const PARAMS_FILE = "collect-params.txt"
Const PROGRESS_FILE = "collecte-en-cours.txt"
Const ADMINCOUNT_LIMIT = 500
Const MAILCONTAINERS_LIMIT = 200
Const PROTECTED_USERS_LIMIT = 500
Const HKCR = &H80000000
Const HKCU = &H80000001
Const HKLM = &H80000002

Dim fso, sh
Dim gMode, gDry, gAccount, gNocHost, gNocPort, gNocAddr, gNocScheme, gOnly
Dim gClient, gPack, gParamsFile
Dim gExchServerOpt, gTimeout, gOutParent, gCol, gTmp, gBase, gHost, gStamp
Dim gStarted, gTzOffset, gOemCp, gAnsiCp, gIs64, gIsWow, gSleepOk, gOsVersion
Dim gDecl, gDeclCount, gResults, gResultCount, gCur, gRS, gStepNo, gStepTotal

Set fso = CreateObject("Scripting.FileSystemObject")
Set sh = CreateObject("WScript.Shell")
gSleepOk = True
gOsVersion = ""
' etat partage entre modules (declare dans wmi, network, account, ad)
gLocalIps = Array()
gExchServers = Array()
gExchServersKnown = False
gRunAsSid = ""

' Point d'entree
Main
WScript.Quit 0

' ----------------------------------------------------------------------------
' Programme principal : options, plan des etapes, etapes une a une,
' manifest.json, archive ZIP.
' ----------------------------------------------------------------------------
Sub Main()
  Dim i, d, zipPath, zipErr, ended, nOk, nErr, nSkip
  If InStr(LCase(WScript.FullName), "wscript.exe") > 0 Then
    ' Double-clic sur le .vbs : relancer sous cscript pour avoir une console.
    sh.Run """" & ComSpecPath() & """ /k """ & CommandLine("cscript.exe //nologo """ & WScript.ScriptFullName & """") & """", 1, False
    WScript.Quit 0
  End If
  InitHashTables
  ParseArgs
  DeclareArtifacts
  DeclareLdapQueries
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
  If gParamsFile <> "" Then Say "Param{e8}tres lus dans " & gParamsFile & ParamsSummary()
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
  Progress "preparation", Fr("Pr{e9}paration")
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
  gStepNo = gStepTotal
  Progress "manifest", "manifest.json"
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
  Progress "archive", Fr("Archive ZIP")
  zipErr = WriteZip(zipPath)
  Progress "nettoyage", Fr("Suppression des fichiers temporaires")
  CleanupTmp
  If zipErr = "" Then
    Say "Archive cr{e9}{e9}e : " & zipPath & " (" & fso.GetFile(zipPath).Size & " octets)"
    Say "Envoyez ce fichier .zip {e0} votre contact avant-vente."
  Else
    Say "ATTENTION : l'archive n'a pas pu {ea}tre cr{e9}{e9}e (" & zipErr & ")."
    Say "Compressez vous-m{ea}me le dossier " & gCol
    Say "(clic droit > Envoyer vers > Dossier compress{e9}, ou tout outil ZIP) et envoyez-le,"
    Say "ou envoyez tous les fichiers du dossier tels quels, manifest.json compris."
    ProgressDone
    WScript.Quit 1
  End If
  ProgressDone
End Sub

' ------------------------------ module : src/args.vbs --------------------------
' ----------------------------------------------------------------------------
' Options de la ligne de commande et fichier de parametres
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
  ' Ordre de priorite : valeurs par defaut < collect-params.txt < ligne de
  ' commande (contrat, section 8).
  Dim named, params, k, v, p, cliNocOnly
  Set named = NamedArgs()
  Set params = ReadParamsFile(fso.GetParentFolderName(WScript.ScriptFullName) & "\" & PARAMS_FILE)
  cliNocOnly = named.Exists("noc") And Not named.Exists("nocaddr")
  For Each k In params.Keys
    ' /noc: sans /nocaddr: designe un autre NOC : l'adresse du fichier, qui
    ' est celle du NOC du fichier, ne s'applique pas.
    If k = "nocaddr" And cliNocOnly Then
      Say "Note : /noc: donn{e9} sans /nocaddr: ; l'adresse nocaddr de " & PARAMS_FILE & " est ignor{e9}e."
    ElseIf Not named.Exists(k) Then
      named(k) = params(k)
    End If
  Next
  gClient = ""
  If named.Exists("client") Then gClient = Trim(named("client"))
  gPack = ""
  If named.Exists("pack") Then gPack = Trim(named("pack"))
  gAccount = DEFAULT_ACCOUNT
  If named.Exists("account") Then
    If Trim(named("account")) <> "" Then gAccount = Trim(named("account"))
  End If
  If Not IsAccountArg(gAccount) Then Say "ATTENTION : " & AccountRefusal(gAccount) & Fr(" ; le compte ne sera pas recherch{e9} dans l'annuaire.")
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
      If IsNumeric(Mid(v, p + 1)) Then gNocPort = CLng(Mid(v, p + 1))
    ElseIf v <> "" Then
      gNocHost = v
    End If
    If Not named.Exists("nocaddr") Then gNocAddr = gNocHost
  End If
  If named.Exists("nocaddr") Then
    If Trim(named("nocaddr")) <> "" Then gNocAddr = Trim(named("nocaddr"))
  End If
  gNocScheme = "https"
  If named.Exists("nocscheme") Then gNocScheme = LCase(Trim(named("nocscheme")))
  gOnly = ""
  If named.Exists("only") Then gOnly = LCase(Trim(named("only")))
  gExchServerOpt = ""
  If named.Exists("exchserver") Then gExchServerOpt = Trim(named("exchserver"))
  gTimeout = 300
  If named.Exists("timeout") Then
    If IsNumeric(named("timeout")) Then gTimeout = CLng(named("timeout"))
  End If
  gOutParent = ""
  If named.Exists("out") Then gOutParent = Trim(named("out"))
  If gOutParent = "" Then gOutParent = fso.GetParentFolderName(WScript.ScriptFullName)
End Sub

Function ReadParamsFile(path)
  ' collect-params.txt (contrat, section 8) : une paire cle=valeur par ligne,
  ' "#" en tete de ligne pour un commentaire, cles sans casse. Exemple :
  '   # Parametres de collecte preparees par l'avant-vente (vmes-audit kit)
  '   account=VistoAdmin
  '   noc=push.sfr.fr:443
  '   client=Exemple Assurances
  ' Texte ASCII ou Windows-1252 (page ANSI), lu tel quel ; UTF-16 accepte.
  ' Le fichier ne contient aucun secret. Renvoie un dictionnaire cle -> valeur.
  Dim d, f, text, lines, i, ln, q, k, v, head
  Set d = CreateObject("Scripting.Dictionary")
  d.CompareMode = 1
  gParamsFile = ""
  Set ReadParamsFile = d
  If Not fso.FileExists(path) Then Exit Function
  gParamsFile = PARAMS_FILE
  If fso.GetFile(path).Size = 0 Then Exit Function
  Set f = fso.OpenTextFile(path, 1, False, 0)
  head = f.Read(2)
  f.Close
  If head = Chr(255) & Chr(254) Then
    Set f = fso.OpenTextFile(path, 1, False, -1)
  Else
    Set f = fso.OpenTextFile(path, 1, False, 0)
  End If
  text = f.ReadAll
  f.Close
  ' marque d'ordre UTF-8 (bloc-notes) : retiree
  If Left(text, 3) = Chr(239) & Chr(187) & Chr(191) Then text = Mid(text, 4)
  lines = Split(Replace(text, vbCr, ""), vbLf)
  For i = 0 To UBound(lines)
    ln = Trim(Replace(lines(i), vbTab, " "))
    If ln <> "" And Left(ln, 1) <> "#" Then
      q = InStr(ln, "=")
      If q = 0 Then
        Say "Ligne ignor{e9}e dans " & PARAMS_FILE & " (sans {ab}{a0}={a0}{bb}) : " & ln
      Else
        k = LCase(Trim(Left(ln, q - 1)))
        v = Trim(Mid(ln, q + 1))
        Select Case k
          Case "account", "noc", "nocaddr", "client", "pack"
            If v <> "" Then d(k) = v
          Case Else
            Say "Param{e8}tre inconnu ignor{e9} dans " & PARAMS_FILE & " : " & k
        End Select
      End If
    End If
  Next
End Function

Function ParamsSummary()
  ' " : client Exemple SA, dossier vmes-5.5 1.1.0" (pour la console)
  Dim s
  s = ""
  If gClient <> "" Then s = s & ", client " & gClient
  If gPack <> "" Then s = s & ", dossier " & gPack
  If s <> "" Then s = " (" & Mid(s, 3) & ")"
  ParamsSummary = s
End Function

' ------------------------------ module : src/platform.vbs ----------------------
' ----------------------------------------------------------------------------
' Plate-forme : variables d'environnement, version de Windows, dossiers
' ----------------------------------------------------------------------------

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
  Dim tz, found
  found = False
  WmiService
  found = ReadTimeZone()
  Err.Clear
  If Not found Then
    tz = sh.RegRead("HKLM\SYSTEM\CurrentControlSet\Control\TimeZoneInformation\ActiveTimeBias")
    If Err.Number = 0 Then gTzOffset = -CLng(tz)
    Err.Clear
  End If
End Sub

Function ReadTimeZone()
  ' Decalage UTC en minutes (heure d'ete comprise) et version de Windows
  ' ("5.0.2195" Windows 2000, "5.2.3790" Windows Server 2003) :
  ' Win32_OperatingSystem
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

Function IsWindows2000()
  ' Win32_OperatingSystem.Version 5.0 (contrat, section 2) ; version inconnue
  ' (WMI muet) : on ne saute rien, les etapes diront elles-memes leur echec.
  IsWindows2000 = (Left(gOsVersion, 4) = "5.0.")
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

' ------------------------------ module : src/steps.vbs -------------------------
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

' ------------------------------ genere : artifacts.toml -----------------------
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

' ------------------------------ module : src/dryrun.vbs ------------------------
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
      Say "      ADSI : ADSystemInfo.UserName ({runAsDN}, le compte courant), puis :"
      PrintLdapLines "token_groups"
    Case "wmiaccounts"
      Say "      requ{ea}tes WMI (root\cimv2) : " & d("param")
    Case "localadmins"
      Say "      requ{ea}te WMI : SELECT * FROM Win32_Group WHERE SID='S-1-5-32-544' AND LocalAccount=True"
      Say "      puis ADSI : WinNT://" & gHost & "/<groupe>,group (membres)"
    Case "ad"
      ' exchange_version lit d'abord le RootDSE ({exchangeBase})
      If d("name") = "exchange_version" Then PrintLdapLines "ad_rootdse"
      PrintLdapLines d("name")
      Select Case d("name")
        Case "ad_rootdse"
          Say "      (format : LDAP | artefact | base | port{e9}e | filtre | attributs ; SD = descripteur de s{e9}curit{e9} : propri{e9}taire, groupe et DACL, jamais la SACL)"
        Case "ad_mail_containers"
          Say "      seul le conteneur de chaque utilisateur dot{e9} d'une bo{ee}te aux lettres est gard{e9}, avec un compteur, " & MAILCONTAINERS_LIMIT & " conteneurs au plus : aucun nom d'utilisateur n'est collect{e9}"
        Case "ad_mail_users_protected"
          Say "      m{ea}me recherche que ad_mail_containers (ex{e9}cut{e9}e une fois) : seuls les utilisateurs dont l'h{e9}ritage est d{e9}sactiv{e9} sont nomm{e9}s, " & PROTECTED_USERS_LIMIT & " au plus, avec le nombre total"
        Case "ad_acl"
          Say "      (recherches du titulaire : seulement quand Windows ne rend pas le descripteur binaire, pour un titulaire donn{e9} par son nom)"
        Case "ad_admincount_users"
          Say "      " & ADMINCOUNT_LIMIT & " comptes au plus, avec leur nombre total"
      End Select
    Case "netproxy"
      Say "      registre : HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings (ProxyEnable, ProxyServer, ProxyOverride, AutoConfigURL)"
      Say "      registre : HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections\WinHttpSettings"
    Case "netnoc"
      Say "      WinHTTP : GET " & NocUrl(gNocHost) & " puis GET " & NocUrl(gNocAddr) & " (r{e9}solution DNS par ping -n 1)"
    Case "netexch"
      Say "      pour chaque serveur Exchange de l'annuaire : r{e9}solution DNS, m{ea}me sous-r{e9}seau, port TCP 135"
  End Select
End Sub

' ------------------------------ module : src/records.vbs -----------------------
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

' ------------------------------ module : src/hex.vbs ---------------------------
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

' ------------------------------ module : src/commands.vbs ----------------------
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

' ------------------------------ module : src/wmi.vbs ---------------------------
' ----------------------------------------------------------------------------
' WMI (root\cimv2)
' ----------------------------------------------------------------------------
Dim gWmi, gLocalIps

Function WmiService()
  If IsEmpty(gWmi) Then Set gWmi = GetObject("winmgmts:{impersonationLevel=impersonate}!\\.\root\cimv2")
  Set WmiService = gWmi
End Function

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
  WmiService
  q = query
  If name = "wmi_networkadapter" Then
    ' Windows 2000 : pas de NetConnectionStatus (contrat : AdapterTypeId=0)
    If IsWindows2000() Then q = "SELECT * FROM Win32_NetworkAdapter WHERE AdapterTypeId=0"
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

Sub StepWmiAccounts()
  ' Noms localises des comptes bien connus et des groupes BUILTIN avec leur
  ' SID ("AUTORITE NT\Utilisateurs authentifi{e9}s" = S-1-5-11) : l'analyseur
  ' s'en sert pour resoudre les titulaires d'ACE que l'annuaire lui donne par
  ' leur nom (contrat, section 5.4).
  Dim queries, kinds, i, obj, n, total, en, ed, failed
  queries = Array("SELECT Name, Domain, SID FROM Win32_SystemAccount", _
                  "SELECT Name, Domain, SID FROM Win32_Group WHERE LocalAccount=True")
  kinds = Array("systemaccount", "group")
  OpenRecords "wmi_accounts", queries(0) & " ; " & queries(1)
  WmiService
  total = 0
  failed = ""
  For i = 0 To 1
    n = 0
    On Error Resume Next
    WriteAccounts queries(i), kinds(i), n
    en = Err.Number
    ed = Err.Description
    Err.Clear
    On Error GoTo 0
    If en <> 0 Then
      RecComment "illisible: " & queries(i) & " : " & ErrText(en, ed)
      If failed = "" Then failed = queries(i) & " : " & ErrText(en, ed)
    Else
      RecComment "count: " & n & " (" & kinds(i) & ")"
    End If
    total = total + n
  Next
  If failed <> "" Then
    Fail failed
  ElseIf total = 0 Then
    ' Windows a toujours des comptes bien connus : une reponse vide n'est pas
    ' une preuve.
    Fail Fr("WMI n'a renvoy{e9} aucun compte (Win32_SystemAccount, Win32_Group)")
  End If
End Sub

Sub WriteAccounts(query, kind, ByRef n)
  Dim obj
  For Each obj In gWmi.ExecQuery(query, "WQL", 48)
    RecKind kind
    RecProp "Name", obj.Name
    RecProp "Domain", obj.Domain
    RecProp "SID", obj.SID
    n = n + 1
  Next
End Sub

' ------------------------------ module : src/registry.vbs ----------------------
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

' ------------------------------ module : src/files.vbs -------------------------
' ----------------------------------------------------------------------------
' Versions de fichiers (MAPI, Exchange)
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

' ------------------------------ module : src/account.vbs -----------------------
' ----------------------------------------------------------------------------
' Compte courant : groupes du jeton, administrateurs locaux, identite
' ----------------------------------------------------------------------------
Dim gRunAsSid

Sub StepTokenGroups()
  ' Groupes du jeton du compte qui lance la collecte (imbrications comprises),
  ' lus dans l'annuaire : tokenGroups de son objet (requetes token_groups du
  ' contrat, section 5.1).
  Dim info, dn
  OpenRecords "token_groups", LdapSourceText("token_groups")
  Set info = CreateObject("ADSystemInfo")
  dn = info.UserName
  RecComment "user: " & dn
  WriteTokenGroups "tg_user", "tg_group", Vars("runAsDN", dn), False
End Sub

Sub WriteTokenGroups(userOp, groupOp, v, withDn)
  ' Un enregistrement "group" par SID de tokenGroups : Sid en hexadecimal
  ' (octets bruts du SID), nom (et DN) lus par <SID=...> ; vides si la
  ' lecture echoue (groupe d'un autre domaine, droits).
  Dim vals, errs, items, i, sidHex, g, gerrs, n
  Set vals = LdapRead(userOp, v, errs)
  If errs.Exists("tokenGroups") Then
    Fail errs("tokenGroups")
    Exit Sub
  End If
  items = vals("tokenGroups")
  If Not IsArray(items) Then
    Fail Fr("tokenGroups non rendu par l'annuaire")
    Exit Sub
  End If
  n = 0
  If IsArray(items) Then
    For i = LBound(items) To UBound(items)
      sidHex = BinHex(items(i))
      Set g = SafeLdapRead(groupOp, Vars("sidHex", sidHex), gerrs)
      RecKind "group"
      RecProp "Sid", sidHex
      If withDn Then RecProp "distinguishedName", DictOr(g, "distinguishedName", "")
      RecProp "Name", DictOr(g, "name", "")
      n = n + 1
    Next
  End If
  RecComment "count: " & n
End Sub

Sub StepLocalAdmins()
  ' Le groupe est trouve par son SID (S-1-5-32-544), jamais par son nom
  ' ("Administrateurs" sur un Windows francais).
  Dim q, g, gname, found, grp, m, path, parts, dom, sid
  q = "SELECT * FROM Win32_Group WHERE SID='S-1-5-32-544' AND LocalAccount=True"
  OpenRecords "local_admins", q
  WmiService
  found = False
  For Each g In WmiService().ExecQuery(q)
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
    ' SID du membre : octets bruts en hexadecimal (hex.vbs)
    sid = ""
    On Error Resume Next
    sid = BinHex(m.Get("objectSid"))
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

Function RunAsName()
  Dim d, u
  d = EnvOrEmpty("USERDOMAIN")
  u = EnvOrEmpty("USERNAME")
  If d <> "" Then RunAsName = d & "\" & u Else RunAsName = u
End Function

Function RunAsSid()
  ' SID du compte courant en texte S-1-... tel que Windows le donne : whoami
  ' (Windows 2003, lu a l'etape whoami_user) sinon Win32_UserAccount ; vide
  ' si aucun des deux ne repond (contrat, section 2).
  Dim o, d, u
  RunAsSid = gRunAsSid
  If gRunAsSid <> "" Then Exit Function
  On Error Resume Next
  d = EnvOrEmpty("USERDOMAIN")
  u = EnvOrEmpty("USERNAME")
  Set o = GetObject("winmgmts:{impersonationLevel=impersonate}!\\.\root\cimv2:Win32_UserAccount.Domain='" & Replace(d, "'", "\'") & "',Name='" & Replace(u, "'", "\'") & "'")
  If Err.Number = 0 Then RunAsSid = o.SID & ""
  Err.Clear
End Function

' ------------------------------ module : src/ldap.vbs --------------------------
' ----------------------------------------------------------------------------
' Requetes LDAP : le catalogue du contrat (docs/collection-format.md, 5.1)
'
' Chaque operation LDAP du collecteur est declaree ici, une fois : base,
' portee, filtre et attributs, dans l'ordre. Les etapes l'executent par son
' identifiant et /dryrun l'affiche telle quelle ; ce que la simulation montre
' est donc exactement ce que la collecte demande a l'annuaire. Les valeurs
' entre accolades sont remplacees a l'execution : {defaultNC}, {configNC},
' {rootDomainNC} (RootDSE), {exchangeBase}, {account} (compte de service),
' {host} (ce serveur), {runAsDN}, {serviceAccountDN}, {sidHex}, {trustee}...
'   LDAP : recherche ADO (fournisseur ADsDSOObject, pages de 500) ou, en
'          portee "base", lecture de l'objet (GetObject puis Get) ;
'   SD   : lecture du descripteur de securite d'un objet (sd.vbs).
' ----------------------------------------------------------------------------
Const E_ADS_PROPERTY_NOT_FOUND = &H8000500D
Dim gLdapOps, gLdapCount, gLdapIndex, gAdo
Dim gRootState, gRootVals, gRootErrs, gRootErrText, gRootFirstErr, gRootDseVars
Dim gAdFirstErr

Sub DeclareLdapQueries()
  gLdapCount = 0
  ReDim gLdapOps(0)
  Set gLdapIndex = CreateObject("Scripting.Dictionary")
  '      id, artefact, genre, base, portee, filtre, attributs
  LdapOp "tg_user", "token_groups", "LDAP", "{runAsDN}", "base", "(objectClass=*)", "tokenGroups"
  LdapOp "tg_group", "token_groups", "LDAP", "<SID={sidHex}>", "base", "(objectClass=*)", "name"
  LdapOp "rootdse", "ad_rootdse", "LDAP", "RootDSE", "base", "(objectClass=*)", "defaultNamingContext,configurationNamingContext,schemaNamingContext,rootDomainNamingContext,dnsHostName,domainFunctionality,forestFunctionality"
  LdapOp "domain", "ad_domain", "LDAP", "{defaultNC}", "base", "(objectClass=*)", "distinguishedName,name,objectSid"
  LdapOp "domain_crossref", "ad_domain", "LDAP", "CN=Partitions,{configNC}", "onelevel", "(&(objectClass=crossRef)(nCName={defaultNC}))", "nETBIOSName"
  LdapOp "domain_ds", "ad_domain", "LDAP", "CN=Directory Service,CN=Windows NT,CN=Services,{configNC}", "base", "(objectClass=*)", "dSHeuristics"
  ' objectSid S-1-5-32-554 (Acces compatible pre-Windows 2000), octets echappes
  LdapOp "domain_554", "ad_domain", "LDAP", "{defaultNC}", "subtree", "(objectSid=\01\02\00\00\00\00\00\05\20\00\00\00\2a\02\00\00)", "distinguishedName,member"
  LdapOp "partitions", "ad_partitions", "LDAP", "CN=Partitions,{configNC}", "onelevel", "(&(objectClass=crossRef)(systemFlags:1.2.840.113556.1.4.803:=2))", "distinguishedName,nCName,dnsRoot,nETBIOSName"
  LdapOp "dcs", "ad_domain_controllers", "LDAP", "{defaultNC}", "subtree", "(&(objectCategory=computer)(userAccountControl:1.2.840.113556.1.4.803:=8192))", "name,dNSHostName,operatingSystem,operatingSystemVersion,operatingSystemServicePack"
  LdapOp "svc", "ad_service_account", "LDAP", "{defaultNC}", "subtree", "(&(objectCategory=person)(objectClass=user)(sAMAccountName={account}))", "distinguishedName,sAMAccountName,objectSid,userAccountControl,primaryGroupID,adminCount,memberOf,homeMDB,msExchHomeServerName,legacyExchangeDN,mail,showInAddressBook,msExchHideFromAddressLists"
  LdapOp "svc_sd", "ad_service_account", "SD", "{serviceAccountDN}", "", "", ""
  LdapOp "svc_tg", "ad_service_account_groups", "LDAP", "{serviceAccountDN}", "base", "(objectClass=*)", "tokenGroups"
  LdapOp "svc_group", "ad_service_account_groups", "LDAP", "<SID={sidHex}>", "base", "(objectClass=*)", "name,distinguishedName"
  LdapOp "org", "ad_exchange_org", "LDAP", "{exchangeBase}", "onelevel", "(objectClass=msExchOrganizationContainer)", "distinguishedName,name"
  LdapOp "admingroups", "ad_exchange_org", "LDAP", "{exchangeBase}", "subtree", "(objectClass=msExchAdminGroup)", "distinguishedName,name,legacyExchangeDN"
  LdapOp "servers", "ad_exchange_servers", "LDAP", "{exchangeBase}", "subtree", "(objectClass=msExchExchangeServer)", "distinguishedName,name,serialNumber,legacyExchangeDN,networkAddress,msExchCurrentServerRoles,adminDisplayName"
  LdapOp "stores", "ad_exchange_stores", "LDAP", "{exchangeBase}", "subtree", "(|(objectClass=msExchInformationStore)(objectClass=msExchStorageGroup)(objectClass=msExchPrivateMDB))", "distinguishedName,name,objectClass"
  LdapOp "mailusers", "ad_mail_containers", "LDAP", "{defaultNC}", "subtree", "(&(objectCategory=person)(objectClass=user)(homeMDB=*))", "distinguishedName,adminCount,nTSecurityDescriptor"
  LdapOp "container_sd", "ad_mail_containers", "SD", "{containerDN}", "", "", ""
  LdapOp "acl_domain", "ad_acl", "SD", "{defaultNC}", "", "", ""
  LdapOp "acl_adminsdholder", "ad_acl", "SD", "CN=AdminSDHolder,CN=System,{defaultNC}", "", "", ""
  LdapOp "acl_exchange", "ad_acl", "SD", "{exchangeBase}", "", "", ""
  LdapOp "acl_org", "ad_acl", "SD", "{orgDN}", "", "", ""
  LdapOp "acl_admingroup", "ad_acl", "SD", "{adminGroupDN}", "", "", ""
  LdapOp "acl_servers", "ad_acl", "SD", "CN=Servers,{adminGroupDN}", "", "", ""
  LdapOp "acl_server", "ad_acl", "SD", "{serverDN}", "", "", ""
  LdapOp "acl_store", "ad_acl", "SD", "{storeDN}", "", "", ""
  LdapOp "acl_container", "ad_acl", "SD", "{containerDN}", "", "", ""
  ' Repli IADs des descripteurs (sd.vbs) : titulaire d'ACE donne par son nom
  LdapOp "trustee_domain", "ad_acl", "LDAP", "{defaultNC}", "subtree", "(sAMAccountName={trustee})", "objectSid"
  LdapOp "trustee_gc", "ad_acl", "LDAP", "GC://{rootDomainNC}", "subtree", "(sAMAccountName={trustee})", "objectSid"
  LdapOp "admincount", "ad_admincount_users", "LDAP", "{defaultNC}", "subtree", "(&(objectCategory=person)(objectClass=user)(adminCount=1)(homeMDB=*))", "distinguishedName,sAMAccountName"
  LdapOp "admincount_sd", "ad_admincount_users", "SD", "{userDN}", "", "", ""
  LdapOp "exchange_version", "exchange_version", "LDAP", "{exchangeBase}", "subtree", "(&(objectClass=msExchExchangeServer)(cn={host}))", "distinguishedName,name,serialNumber,legacyExchangeDN,networkAddress,msExchCurrentServerRoles,adminDisplayName"
End Sub

Sub LdapOp(id, artifact, kind, base, scope, filter, attrs)
  Dim d
  Set d = CreateObject("Scripting.Dictionary")
  d("id") = id
  d("artifact") = artifact
  d("kind") = kind
  d("base") = base
  d("scope") = scope
  d("filter") = filter
  d("attrs") = attrs
  ReDim Preserve gLdapOps(gLdapCount)
  Set gLdapOps(gLdapCount) = d
  gLdapCount = gLdapCount + 1
  gLdapIndex.Add id, d
End Sub

Function LdapOpOf(id)
  Set LdapOpOf = gLdapIndex(id)
End Function

Function OpAttrs(id)
  Dim op
  Set op = gLdapIndex(id)
  OpAttrs = op("attrs")
End Function

Function LdapLine(op)
  ' Forme lisible par une machine (contrat, section 5.1) :
  '   LDAP | artefact | base | portee | filtre | attributs separes par ","
  '   SD   | artefact | modele du DN de l'objet
  If op("kind") = "SD" Then
    LdapLine = "SD   | " & op("artifact") & " | " & op("base")
  Else
    LdapLine = "LDAP | " & op("artifact") & " | " & op("base") & " | " & op("scope") & " | " & op("filter") & " | " & op("attrs")
  End If
End Function

Sub PrintLdapLines(artifact)
  ' Affichees sans Fr() : les accolades des modeles sont du texte.
  Dim i
  For i = 0 To gLdapCount - 1
    If gLdapOps(i)("artifact") = artifact Then WScript.Echo "      " & LdapLine(gLdapOps(i))
  Next
End Sub

Function LdapSourceText(artifact)
  ' Champ "source" du manifeste : les operations de l'artefact, dans l'ordre
  Dim i, s
  s = ""
  For i = 0 To gLdapCount - 1
    If gLdapOps(i)("artifact") = artifact Then
      If s <> "" Then s = s & " ; "
      s = s & LdapLine(gLdapOps(i))
    End If
  Next
  LdapSourceText = s
End Function

' ----------------------------------------------------------------------------
' Valeurs des accolades
' ----------------------------------------------------------------------------
Function Vars(key, value)
  ' Dictionnaire des valeurs connues (compte, hote, RootDSE une fois lu),
  ' plus key = value si key n'est pas vide.
  Dim d, k
  Set d = CreateObject("Scripting.Dictionary")
  d("account") = gAccount
  d("host") = gHost
  If IsObject(gRootDseVars) Then
    For Each k In gRootDseVars.Keys
      d(k) = gRootDseVars(k)
    Next
  End If
  If key <> "" Then d(key) = value
  Set Vars = d
End Function

Function NoVars()
  Set NoVars = Vars("", "")
End Function

Function Expand(t, v, forFilter)
  ' "CN=Partitions,{configNC}" -> "CN=Partitions,CN=Configuration,DC=..." ;
  ' dans un filtre, la valeur est echappee (RFC 4515 : \ * ( ) NUL, et ";"
  ' qui separe les parties de la commande ADO "<base>;filtre;attributs;portee").
  Dim s, p, q, e, k, val
  s = ""
  p = 1
  Do
    q = InStr(p, t, "{")
    If q = 0 Then Exit Do
    e = InStr(q, t, "}")
    k = Mid(t, q + 1, e - q - 1)
    If Not v.Exists(k) Then Err.Raise 5, "LDAP", "valeur inconnue pour {" & k & "}"
    val = CStr(v(k))
    If forFilter Then val = LdapEscape(val)
    s = s & Mid(t, p, q - p) & val
    p = e + 1
  Loop
  Expand = s & Mid(t, p)
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
  t = Replace(t, Chr(0), "\00")
  t = Replace(t, ";", "\3b")
  LdapEscape = t
End Function

Function IsMultiAttr(name)
  ' Attributs multivalues : ecrits Name[]= (contrat, section 5.2)
  IsMultiAttr = (InStr(" memberof showinaddressbook dnsroot serialnumber networkaddress objectclass member tokengroups ", " " & LCase(name) & " ") > 0)
End Function

' ----------------------------------------------------------------------------
' Execution
' ----------------------------------------------------------------------------
Function LdapSearch(id, v)
  ' Recherche ADO de l'operation id ; renvoie le Recordset (pages de 500 :
  ' toutes les reponses, au-dela de la limite de 1000 du serveur).
  Dim op, base, cmd
  Set op = LdapOpOf(id)
  base = Expand(op("base"), v, False)
  If Left(base, 5) = "GC://" Then
    base = "GC://" & AdsEsc(Mid(base, 6))
  Else
    base = "LDAP://" & AdsEsc(base)
  End If
  Set cmd = CreateObject("ADODB.Command")
  Set cmd.ActiveConnection = AdoConnection()
  cmd.Properties("Page Size") = 500
  cmd.Properties("Timeout") = 120
  cmd.Properties("Cache Results") = False
  cmd.CommandText = "<" & base & ">;" & Expand(op("filter"), v, True) & ";" & op("attrs") & ";" & op("scope")
  Set LdapSearch = cmd.Execute
End Function

Function AdoConnection()
  ' Une connexion ADO (fournisseur ADsDSOObject) pour toute la collecte ;
  ' gardee seulement une fois ouverte, pour qu'un echec se repete avec son
  ' propre texte a chaque etape.
  Dim conn
  If IsEmpty(gAdo) Then
    Set conn = CreateObject("ADODB.Connection")
    conn.Provider = "ADsDSOObject"
    conn.Open "Active Directory Provider"
    Set gAdo = conn
  End If
  Set AdoConnection = gAdo
End Function

Function LdapRead(id, v, ByRef errs)
  ' Lecture d'un objet (portee "base") : GetObject, puis ReadAttrs. Un echec
  ' de la liaison (objet absent, annuaire injoignable) remonte a l'appelant.
  Dim op, o
  Set op = LdapOpOf(id)
  Set o = GetObject("LDAP://" & AdsEsc(Expand(op("base"), v, False)))
  Set LdapRead = ReadAttrs(o, Split(op("attrs"), ","), errs)
End Function

Function ReadAttrs(o, attrs, ByRef errs)
  ' Get de chaque attribut (GetEx pour un multivalue) d'un objet ADSI lie.
  ' Renvoie attribut -> valeur ; Null quand l'attribut n'est pas renseigne
  ' (0x8000500D). errs recoit attribut -> texte d'erreur pour toute autre
  ' lecture en echec ; chaque echec est note (NoteAdFailure).
  Dim i, a, val, en, ed, vals
  Set vals = CreateObject("Scripting.Dictionary")
  Set errs = CreateObject("Scripting.Dictionary")
  On Error Resume Next
  ' Charge les attributs demandes (tokenGroups est un attribut construit :
  ' il n'existe qu'ainsi) ; un echec ici se retrouve dans chaque Get.
  o.GetInfoEx attrs, 0
  Err.Clear
  For i = 0 To UBound(attrs)
    a = attrs(i)
    val = Null
    If IsMultiAttr(a) Then
      val = o.GetEx(a)
    Else
      val = o.Get(a)
    End If
    en = Err.Number
    ed = Err.Description
    Err.Clear
    If en = 0 Then
      vals(a) = val
    Else
      NoteAdFailure a, en, ed
      If en = E_ADS_PROPERTY_NOT_FOUND Then vals(a) = Null Else errs(a) = ErrText(en, ed)
    End If
  Next
  On Error GoTo 0
  Set ReadAttrs = vals
End Function

Function SafeLdapRead(id, v, ByRef errs)
  ' LdapRead sans erreur : dictionnaire vide si la liaison echoue.
  On Error Resume Next
  Set SafeLdapRead = CreateObject("Scripting.Dictionary")
  Set errs = CreateObject("Scripting.Dictionary")
  Set SafeLdapRead = LdapRead(id, v, errs)
  Err.Clear
End Function

Sub NoteAdFailure(what, en, ed)
  ' Premiere lecture en echec de l'etape : son texte devient l'erreur de
  ' l'etape si aucune valeur n'a ete obtenue (contrat, section 5).
  If gAdFirstErr = "" Then gAdFirstErr = ErrText(en, ed) & " (" & what & ")"
End Sub

Function DictOr(d, k, dflt)
  If d.Exists(k) Then
    DictOr = d(k)
  Else
    DictOr = dflt
  End If
End Function

Function FieldVal(rs, name)
  On Error Resume Next
  FieldVal = Null
  FieldVal = rs.Fields(name).Value
  Err.Clear
End Function

Sub RecRow(rs, attrs)
  ' Une ligne ADO : chaque attribut demande, dans l'ordre, tel que rendu
  ' (binaires en hexadecimal par FmtScalar ; multivalues par MultiField)
  Dim i, a
  a = Split(attrs, ",")
  For i = 0 To UBound(a)
    If IsMultiAttr(a(i)) Then RecArr a(i), MultiField(rs, a(i)) Else RecProp a(i), FieldVal(rs, a(i))
  Next
End Sub

Function MultiField(rs, name)
  ' Valeurs d'un attribut multivalue d'une ligne ADO. Au-dela de MaxValRange
  ' valeurs (1000 sous Windows 2000, 1500 sous 2003), le controleur ne rend
  ' que name;range=0-N, que la colonne name ne reprend pas : une colonne vide
  ' est relue par tranches (RangedValues) sur l'objet de la ligne.
  Dim v, dn
  v = FieldVal(rs, name)
  If IsNull(v) Then
    dn = FieldVal(rs, "distinguishedName")
    If Not IsNull(dn) Then v = SafeRangedValues(CStr(dn), name)
  End If
  MultiField = v
End Function

Function RangedValues(dn, attr)
  ' Toutes les valeurs de attr par la lecture par tranches d'ADSI :
  ' GetInfoEx "attr;range=L-*" puis GetEx(attr), L avancant du nombre de
  ' valeurs recues, jusqu'a une tranche vide ou absente (0x8000500D).
  ' Tableau, vide si l'attribut n'est pas renseigne.
  Dim o, all, part, low, i, en, ed
  Set o = GetObject("LDAP://" & AdsEsc(dn))
  all = Array()
  low = 0
  Do
    On Error Resume Next
    part = Empty
    o.GetInfoEx Array(attr & ";range=" & low & "-*"), 0
    part = o.GetEx(attr)
    en = Err.Number
    ed = Err.Description
    Err.Clear
    On Error GoTo 0
    If en = E_ADS_PROPERTY_NOT_FOUND Then Exit Do
    If en <> 0 Then
      ' au-dela de la premiere tranche, un refus du controleur clot la lecture
      If low > 0 Then Exit Do
      Err.Raise en, "LDAP", ed
    End If
    If Not IsArray(part) Then Exit Do
    If UBound(part) < LBound(part) Then Exit Do
    For i = LBound(part) To UBound(part)
      all = PushArr(all, part(i))
    Next
    low = low + UBound(part) - LBound(part) + 1
  Loop
  RangedValues = all
End Function

Function SafeRangedValues(dn, attr)
  ' RangedValues, ou Null si l'objet ne peut pas etre lu
  On Error Resume Next
  SafeRangedValues = Null
  SafeRangedValues = RangedValues(dn, attr)
  Err.Clear
End Function

Sub WriteReadAttrs(vals, errs, attrs)
  ' Les attributs d'une lecture LdapRead : valeur, Name! (non renseigne) ou
  ' commentaire #illisible (lecture en echec : rien n'est suppose)
  Dim i, a
  a = Split(attrs, ",")
  For i = 0 To UBound(a)
    If errs.Exists(a(i)) Then
      RecComment "illisible: " & a(i) & " : " & errs(a(i))
    ElseIf IsMultiAttr(a(i)) Then
      RecArr a(i), vals(a(i))
    Else
      RecProp a(i), vals(a(i))
    End If
  Next
End Sub

' ----------------------------------------------------------------------------
' RootDSE : lu une fois, il fournit {defaultNC}, {configNC}, {rootDomainNC}
' et {exchangeBase} a toutes les autres operations
' ----------------------------------------------------------------------------
Function RootDseReady()
  Dim vals, errs, en, ed, keep
  If IsEmpty(gRootState) Then
    keep = gAdFirstErr
    gAdFirstErr = ""
    On Error Resume Next
    Set vals = LdapRead("rootdse", NoVars(), errs)
    en = Err.Number
    ed = Err.Description
    Err.Clear
    On Error GoTo 0
    gRootFirstErr = gAdFirstErr
    gAdFirstErr = keep
    If en <> 0 Then
      gRootState = "error"
      gRootErrText = ErrText(en, ed)
    Else
      Set gRootVals = vals
      Set gRootErrs = errs
      If IsNull(DictOr(vals, "defaultNamingContext", Null)) Or IsNull(DictOr(vals, "configurationNamingContext", Null)) Then
        gRootState = "error"
        gRootErrText = "RootDSE : defaultNamingContext ou configurationNamingContext non lu"
        If gRootFirstErr <> "" Then gRootErrText = gRootFirstErr & " ; " & gRootErrText
      Else
        gRootState = "ok"
        Set gRootDseVars = CreateObject("Scripting.Dictionary")
        gRootDseVars("defaultNC") = vals("defaultNamingContext")
        gRootDseVars("configNC") = vals("configurationNamingContext")
        gRootDseVars("exchangeBase") = "CN=Microsoft Exchange,CN=Services," & vals("configurationNamingContext")
        If Not IsNull(DictOr(vals, "rootDomainNamingContext", Null)) Then gRootDseVars("rootDomainNC") = vals("rootDomainNamingContext")
      End If
    End If
  End If
  RootDseReady = (gRootState = "ok")
End Function

' ------------------------------ module : src/ad.vbs ----------------------------
' ----------------------------------------------------------------------------
' Annuaire Active Directory (ADSI LDAP, compte courant) : une etape par
' artefact ad_* (contrat, section 5). Chaque etape execute les operations du
' catalogue (ldap.vbs) et ecrit ce que l'annuaire a rendu.
' ----------------------------------------------------------------------------
Dim gSvcDn, gOrgDns, gAgDns, gSrvDns, gStoreDns, gExchServers, gExchServersKnown
Dim gMailState, gMailErr, gMailCont, gMailUsers, gMailProtected, gMailUnknown, gMailProt

Sub StepAd(name)
  If name = "ad_mail_users_protected" Then
    ' la recherche paginee de ad_mail_containers, partagee
    OpenRecords name, LdapLine(LdapOpOf("mailusers"))
  Else
    OpenRecords name, LdapSourceText(name)
  End If
  gAdFirstErr = ""
  If name <> "ad_rootdse" Then
    ' toutes les autres operations partent du RootDSE ({defaultNC}...)
    If Not RootDseReady() Then
      Fail gRootErrText
      Exit Sub
    End If
  End If
  If (name = "ad_service_account" Or name = "ad_service_account_groups") And Not IsAccountArg(gAccount) Then
    Fail AccountRefusal(gAccount)
    Exit Sub
  End If
  Select Case name
    Case "ad_rootdse": AdRootDse
    Case "ad_domain": AdDomain
    Case "ad_partitions": AdPartitions
    Case "ad_domain_controllers": AdSimpleSearch "dcs", "dc"
    Case "ad_service_account": AdServiceAccount
    Case "ad_service_account_groups": AdServiceAccountGroups
    Case "ad_exchange_org": AdExchangeOrg
    Case "ad_exchange_servers": AdExchangeServers "servers"
    Case "ad_exchange_stores": AdExchangeStores
    Case "ad_mail_containers": AdMailContainers
    Case "ad_mail_users_protected": AdMailUsersProtected
    Case "ad_acl": AdAcl
    Case "ad_admincount_users": AdAdminCount
    Case "exchange_version": AdExchangeServers "exchange_version"
  End Select
  FailIfNothingRead
End Sub

Sub FailIfNothingRead()
  ' Aucune valeur obtenue et au moins une lecture en echec : l'etape est en
  ' erreur avec le texte du premier echec, jamais "ok" avec des
  ' enregistrements vides (contrat, section 5).
  If gCur("status") = "ok" And gRecValues = 0 And gAdFirstErr <> "" Then Fail gAdFirstErr
End Sub

Sub AdRootDse()
  RootDseReady
  If IsEmpty(gRootVals) Then
    ' liaison impossible (pas de domaine, ou pas de fournisseur LDAP)
    Fail gRootErrText
    Exit Sub
  End If
  gAdFirstErr = gRootFirstErr
  RecKind "rootdse"
  WriteReadAttrs gRootVals, gRootErrs, OpAttrs("rootdse")
  If gRootState <> "ok" And gRecValues > 0 Then Fail gRootErrText
End Sub

Sub AdDomain()
  Dim vals, errs, rs
  Set vals = LdapRead("domain", NoVars(), errs)
  RecKind "domain"
  WriteReadAttrs vals, errs, "distinguishedName,name,objectSid"
  Set rs = LdapSearch("domain_crossref", NoVars())
  If Not rs.EOF Then
    gDomainNetbios = FieldVal(rs, "nETBIOSName")
    RecProp "nETBIOSName", gDomainNetbios
  Else
    RecProp "nETBIOSName", Null
  End If
  ' Ajouts 1.1 : un echec n'efface pas le reste ; un enregistrement absent
  ' (jamais un dSHeuristics nul invente) dit a l'analyseur qu'il ne sait pas.
  TryPart "directoryservice"
  TryPart "builtingroup"
End Sub

Sub TryPart(kind)
  Dim en, ed
  On Error Resume Next
  If kind = "directoryservice" Then AdDirectoryService Else AdPreWindows2000Group
  en = Err.Number
  ed = Err.Description
  Err.Clear
  On Error GoTo 0
  If en <> 0 Then
    RecComment "illisible: " & kind & " : " & ErrText(en, ed)
    NoteAdFailure kind, en, ed
  End If
End Sub

Sub AdDirectoryService()
  ' dSHeuristics (souvent non renseigne : Name!) ; son 16e caractere est
  ' dwAdminSDExMask (Windows 2003 SP1+), lu par l'analyseur
  Dim vals, errs
  Set vals = LdapRead("domain_ds", NoVars(), errs)
  If errs.Exists("dSHeuristics") Then
    RecComment "illisible: dSHeuristics : " & errs("dSHeuristics")
    Exit Sub
  End If
  RecKind "directoryservice"
  RecProp "dSHeuristics", vals("dSHeuristics")
End Sub

Sub AdPreWindows2000Group()
  ' Membres de S-1-5-32-554 (un SID bien connu membre apparait comme
  ' CN=S-1-5-11,CN=ForeignSecurityPrincipals,...)
  Dim rs
  Set rs = LdapSearch("domain_554", NoVars())
  If rs.EOF Then
    RecComment "illisible: builtingroup : groupe S-1-5-32-554 introuvable"
    Exit Sub
  End If
  RecKind "builtingroup"
  RecProp "distinguishedName", FieldVal(rs, "distinguishedName")
  RecProp "Sid", "S-1-5-32-554"
  ' plus de MaxValRange membres : relus par tranches (ldap.vbs, MultiField)
  RecArr "member", MultiField(rs, "member")
End Sub

Sub AdPartitions()
  Dim rs, n, nb
  Set gForestNetbios = CreateObject("Scripting.Dictionary")
  Set rs = LdapSearch("partitions", NoVars())
  n = 0
  Do Until rs.EOF
    RecKind "crossref"
    RecRow rs, OpAttrs("partitions")
    nb = FieldVal(rs, "nETBIOSName")
    If Not IsNull(nb) Then gForestNetbios(UCase(nb)) = True
    n = n + 1
    rs.MoveNext
  Loop
  RecComment "count: " & n
End Sub

Sub AdSimpleSearch(opId, kind)
  Dim rs, n
  Set rs = LdapSearch(opId, NoVars())
  n = 0
  Do Until rs.EOF
    RecKind kind
    RecRow rs, OpAttrs(opId)
    n = n + 1
    rs.MoveNext
  Loop
  RecComment "count: " & n
End Sub

Sub AdServiceAccount()
  Dim rs, n, dn
  Set rs = LdapSearch("svc", NoVars())
  n = 0
  Do Until rs.EOF
    dn = FieldVal(rs, "distinguishedName")
    If n = 0 Then gSvcDn = dn
    RecKind "user"
    RecRow rs, OpAttrs("svc")
    ' SD | ad_service_account | {serviceAccountDN}
    WriteSdProp ReadSd(dn)
    n = n + 1
    rs.MoveNext
  Loop
  RecComment "count: " & n
  If n = 0 Then RecComment "aucun compte sAMAccountName=" & gAccount
End Sub

Function FindServiceAccount()
  ' La meme recherche que ad_service_account (quand cette etape n'a pas tourne)
  Dim rs
  FindServiceAccount = ""
  Set rs = LdapSearch("svc", NoVars())
  If Not rs.EOF Then FindServiceAccount = FieldVal(rs, "distinguishedName") & ""
End Function

Sub AdServiceAccountGroups()
  If IsEmpty(gSvcDn) Then gSvcDn = FindServiceAccount()
  If gSvcDn & "" = "" Then
    RecComment "aucun compte sAMAccountName=" & gAccount
    Exit Sub
  End If
  RecComment "user: " & gSvcDn
  WriteTokenGroups "svc_tg", "svc_group", Vars("serviceAccountDN", gSvcDn), True
End Sub

Sub AdExchangeOrg()
  ' gOrgDns et gAgDns ne sont remplis qu'une fois les deux recherches faites :
  ' apres un echec, ad_acl refait la recherche et dit pourquoi elle manque
  Dim rs, n, orgs, ags
  orgs = Array()
  ags = Array()
  n = 0
  Set rs = LdapSearch("org", NoVars())
  Do Until rs.EOF
    RecKind "organization"
    RecRow rs, OpAttrs("org")
    orgs = PushArr(orgs, FieldVal(rs, "distinguishedName"))
    n = n + 1
    rs.MoveNext
  Loop
  Set rs = LdapSearch("admingroups", NoVars())
  Do Until rs.EOF
    RecKind "admingroup"
    RecRow rs, OpAttrs("admingroups")
    ags = PushArr(ags, FieldVal(rs, "distinguishedName"))
    rs.MoveNext
  Loop
  gOrgDns = orgs
  gAgDns = ags
  RecComment "organizations: " & n
End Sub

Sub AdExchangeServers(opId)
  ' ad_exchange_servers (tous les serveurs) ou exchange_version (ce serveur)
  Dim rs, n, na, i, fqdn, nm, listing
  listing = (opId = "servers")
  Set rs = LdapSearch(opId, NoVars())
  n = 0
  If listing Then
    gExchServers = Array()
    gSrvDns = Array()
    gExchServersKnown = True
  End If
  Do Until rs.EOF
    RecKind "server"
    RecRow rs, OpAttrs(opId)
    If listing Then
      gSrvDns = PushArr(gSrvDns, FieldVal(rs, "distinguishedName"))
      ' pour net_exchange_path : nom DNS de ncacn_ip_tcp:<fqdn>, sinon le nom
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

Sub AdExchangeStores()
  ' CN=InformationStore, groupes de stockage et banques de boites aux lettres
  ' de chaque serveur (leurs descripteurs sont lus par ad_acl) ; gStoreDns
  ' n'est rempli qu'apres la recherche entiere (voir AdExchangeOrg)
  Dim rs, n, stores
  stores = Array()
  Set rs = LdapSearch("stores", NoVars())
  n = 0
  Do Until rs.EOF
    RecKind "store"
    RecRow rs, OpAttrs("stores")
    stores = PushArr(stores, FieldVal(rs, "distinguishedName"))
    n = n + 1
    rs.MoveNext
  Loop
  gStoreDns = stores
  RecComment "count: " & n
End Sub

' ----------------------------------------------------------------------------
' Utilisateurs dotes d'une boite aux lettres : une recherche paginee par
' collecte, partagee par ad_mail_containers et ad_mail_users_protected. Seuls
' sont gardes le conteneur parent de chaque utilisateur (avec un compteur) et
' les utilisateurs dont la DACL est protegee (heritage desactive) : aucun
' autre nom d'utilisateur n'est conserve ni ecrit.
' ----------------------------------------------------------------------------
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

Sub FindMailUsers()
  Dim rs, dn, p, ctl
  Set gMailCont = CreateObject("Scripting.Dictionary")
  gMailCont.CompareMode = 1
  gMailUsers = 0
  gMailProtected = 0
  gMailUnknown = 0
  gMailProt = Array()
  Set rs = LdapSearch("mailusers", NoVars())
  Do Until rs.EOF
    dn = FieldVal(rs, "distinguishedName")
    If Not IsNull(dn) Then
      gMailUsers = gMailUsers + 1
      p = ParentDn(CStr(dn))
      If p <> "" Then
        If gMailCont.Exists(p) Then gMailCont(p) = gMailCont(p) + 1 Else gMailCont.Add p, 1
      End If
      ' Mot de controle du descripteur rendu par la recherche : SE_DACL_PROTECTED
      ' (0x1000) = heritage desactive (AdminSDHolder ou a la main)
      ctl = SdControlFromHex(SafeBinHex(FieldVal(rs, "nTSecurityDescriptor")))
      ' Descripteur absent de la ligne ADO (Windows 2000 : pas de controle
      ' SD-flags) : lu par ADSI, objet par objet (sd.vbs)
      If IsNull(ctl) Then ctl = SdControlByAdsi(CStr(dn))
      If IsNull(ctl) Then
        gMailUnknown = gMailUnknown + 1
      ElseIf (ctl And &H1000) <> 0 Then
        gMailProtected = gMailProtected + 1
        If gMailProtected <= PROTECTED_USERS_LIMIT Then
          gMailProt = PushArr(gMailProt, Array(CStr(dn), FieldVal(rs, "adminCount"), ctl))
        End If
      End If
    End If
    rs.MoveNext
  Loop
End Sub

Function MailUsersReady()
  Dim en, ed
  If IsEmpty(gMailState) Then
    On Error Resume Next
    FindMailUsers
    en = Err.Number
    ed = Err.Description
    Err.Clear
    On Error GoTo 0
    If en <> 0 Then
      gMailState = "error"
      gMailErr = ErrText(en, ed)
    Else
      gMailState = "ok"
    End If
  End If
  MailUsersReady = (gMailState = "ok")
End Function

Sub AdMailContainers()
  Dim keys, i, written
  If Not MailUsersReady() Then
    Fail gMailErr
    Exit Sub
  End If
  keys = gMailCont.Keys
  written = 0
  For i = 0 To UBound(keys)
    If written >= MAILCONTAINERS_LIMIT Then Exit For
    RecKind "container"
    RecProp "distinguishedName", keys(i)
    RecProp "MailUsers", gMailCont(keys(i))
    ' SD | ad_mail_containers | {containerDN}
    WriteSdProp ReadSd(keys(i))
    written = written + 1
  Next
  RecKind "summary"
  RecProp "Containers", gMailCont.Count
  RecProp "MailUsers", gMailUsers
  RecProp "Truncated", (gMailCont.Count > written)
End Sub

Sub AdMailUsersProtected()
  Dim i, u
  If Not MailUsersReady() Then
    Fail gMailErr
    Exit Sub
  End If
  RecComment "recherche de ad_mail_containers ; seuls les utilisateurs dont la DACL est prot{e9}g{e9}e (0x1000) sont nomm{e9}s"
  For i = 0 To UBound(gMailProt)
    u = gMailProt(i)
    RecKind "user"
    RecProp "distinguishedName", u(0)
    RecProp "adminCount", u(1)
    RecProp "Control", u(2)
  Next
  RecKind "summary"
  RecProp "MailUsers", gMailUsers
  RecProp "Protected", gMailProtected
  RecProp "Unknown", gMailUnknown
  RecProp "Truncated", (gMailProtected > UBound(gMailProt) + 1)
End Sub

' ----------------------------------------------------------------------------
' ad_acl : descripteurs du domaine, d'AdminSDHolder, de l'organisation
' Exchange, des groupes d'administration, des conteneurs Servers, des
' serveurs, des banques et des conteneurs des utilisateurs de messagerie
' ----------------------------------------------------------------------------
Function SearchDns(opId)
  ' Les DN d'une recherche du catalogue (ad_acl, quand l'etape qui la fait
  ' n'a pas tourne)
  Dim rs, a
  a = Array()
  Set rs = LdapSearch(opId, NoVars())
  Do Until rs.EOF
    a = PushArr(a, FieldVal(rs, "distinguishedName"))
    rs.MoveNext
  Loop
  SearchDns = a
End Function

Function KnownDns(current, opId)
  ' current si l'etape l'a rempli, sinon la meme recherche ; un echec devient
  ' un commentaire et une liste vide
  Dim en, ed, a
  If IsArray(current) Then
    KnownDns = current
    Exit Function
  End If
  a = Array()
  On Error Resume Next
  a = SearchDns(opId)
  en = Err.Number
  ed = Err.Description
  Err.Clear
  On Error GoTo 0
  If en <> 0 Then
    RecComment "illisible: recherche " & opId & " : " & ErrText(en, ed)
    NoteAdFailure opId, en, ed
  End If
  KnownDns = a
End Function

Sub AdAcl()
  Dim objs, i, dnc, keys, n, orgs, ags, srvs, stores
  dnc = gRootDseVars("defaultNC")
  orgs = KnownDns(gOrgDns, "org")
  ags = KnownDns(gAgDns, "admingroups")
  srvs = KnownDns(gSrvDns, "servers")
  stores = KnownDns(gStoreDns, "stores")
  objs = Array(dnc, "CN=AdminSDHolder,CN=System," & dnc)
  ' SD | ad_acl | {exchangeBase} : le conteneur Microsoft Exchange, ou l'assistant
  ' de delegation ecrit les entrees heritables des roles de l'organisation (F7)
  If UBound(orgs) >= 0 Then objs = PushArr(objs, gRootDseVars("exchangeBase"))
  For i = 0 To UBound(orgs)
    objs = PushArr(objs, orgs(i))
  Next
  For i = 0 To UBound(ags)
    objs = PushArr(objs, ags(i))
    objs = PushArr(objs, "CN=Servers," & ags(i))
  Next
  For i = 0 To UBound(srvs)
    objs = PushArr(objs, srvs(i))
  Next
  For i = 0 To UBound(stores)
    objs = PushArr(objs, stores(i))
  Next
  ' Conteneurs des utilisateurs de messagerie (leur DACL stockee porte les ACE
  ' heritees) : les memes que ad_mail_containers, 200 au plus.
  If MailUsersReady() Then
    keys = gMailCont.Keys
    n = 0
    For i = 0 To UBound(keys)
      If n >= MAILCONTAINERS_LIMIT Then Exit For
      If LCase(keys(i)) <> LCase(dnc) Then objs = PushArr(objs, keys(i))
      n = n + 1
    Next
  Else
    RecComment "conteneurs des utilisateurs de messagerie non lus : " & gMailErr
  End If
  For i = 0 To UBound(objs)
    If Not IsNull(objs(i)) Then WriteSdRecord ReadSd(objs(i))
  Next
End Sub

Sub AdAdminCount()
  Dim rs, n, written, dn
  Set rs = LdapSearch("admincount", NoVars())
  n = 0
  written = 0
  Do Until rs.EOF
    n = n + 1
    If written < ADMINCOUNT_LIMIT Then
      dn = FieldVal(rs, "distinguishedName")
      RecKind "user"
      RecProp "distinguishedName", dn
      RecProp "sAMAccountName", FieldVal(rs, "sAMAccountName")
      ' SD | ad_admincount_users | {userDN}
      WriteSdProp ReadSd(dn)
      written = written + 1
    End If
    rs.MoveNext
  Loop
  RecKind "summary"
  RecProp "Count", n
  RecProp "Truncated", (n > written)
End Sub

' ------------------------------ module : src/sd.vbs ----------------------------
' ----------------------------------------------------------------------------
' Descripteurs de securite (contrat, section 5.3)
'
' Proprietaire, groupe et DACL d'un objet, jamais la SACL (qui exige un
' privilege). Trois facons, dans l'ordre :
'   1. hexstring : ADsSecurityUtility.ConvertSecurityDescriptor(sd, 1, 3)
'      (ADS_SD_FORMAT_IID -> ADS_SD_FORMAT_HEXSTRING), Windows Server 2003 ;
'   2. ado       : recherche ADO de l'objet (portee base) avec l'attribut
'      nTSecurityDescriptor, dont ADO rend les octets bruts -> hexadecimal ;
'   3. iads      : la forme 1.0, Owner, Control et une ACE par entree de la
'      DACL telle qu'ADSI la decrit (titulaire par son nom).
' Le descripteur binaire (1, 2) est celui que Windows stocke : l'analyseur le
' decode lui-meme (MS-DTYP 2.4.6).
' ----------------------------------------------------------------------------
Const ADS_OPTION_SECURITY_MASK = 3
Const ADS_SECURITY_INFO_OWNER_GROUP_DACL = 7
Dim gSdCache, gSecUtil, gSecUtilState, gTrusteeCache, gDomainNetbios, gForestNetbios

Function ReadSd(dn)
  ' Dictionnaire : dn, objectClass (tableau ou Empty), source ("hexstring",
  ' "ado", "iads" ou "" si illisible), sd (hexadecimal), owner, control,
  ' aces (tableau de dictionnaires), error (premier echec). Un objet lu pour
  ' deux artefacts (conteneur des utilisateurs de messagerie et ad_acl) ne
  ' l'est qu'une fois.
  Dim r, key
  If IsEmpty(gSdCache) Then
    Set gSdCache = CreateObject("Scripting.Dictionary")
    gSdCache.CompareMode = 1
  End If
  key = CStr(dn)
  If gSdCache.Exists(key) Then
    Set ReadSd = gSdCache(key)
    Exit Function
  End If
  Set r = CreateObject("Scripting.Dictionary")
  r("dn") = key
  r("objectClass") = Empty
  r("source") = ""
  r("sd") = ""
  r("error") = ""
  r("errnum") = 0
  r("aces") = Array()
  ReadSdInto r
  If r("source") = "" Then NoteAdFailureText r("error")
  gSdCache.Add key, r
  Set ReadSd = r
End Function

Sub NoteAdFailureText(t)
  If gAdFirstErr = "" Then gAdFirstErr = t
End Sub

Sub ReadSdInto(r)
  Dim o, sdObj, hasSd, hex, en, ed, firstErr
  On Error Resume Next
  Set o = GetObject("LDAP://" & AdsEsc(r("dn")))
  If Err.Number <> 0 Then
    r("error") = ErrText(Err.Number, Err.Description)
    r("errnum") = Err.Number
    Err.Clear
    Exit Sub
  End If
  ' proprietaire, groupe et DACL seulement (IADsObjectOptions)
  o.SetOption ADS_OPTION_SECURITY_MASK, ADS_SECURITY_INFO_OWNER_GROUP_DACL
  Err.Clear
  o.GetInfoEx Array("objectClass", "nTSecurityDescriptor"), 0
  Err.Clear
  r("objectClass") = o.GetEx("objectClass")
  Err.Clear
  firstErr = ""
  hasSd = False
  Set sdObj = o.Get("nTSecurityDescriptor")
  If Err.Number = 0 Then
    hasSd = IsObject(sdObj)
  Else
    ' 0x8000500D (E_ADS_PROPERTY_NOT_FOUND) : l'annuaire n'a pas renvoye le
    ' descripteur, le compte n'a pas le droit de lire les autorisations
    firstErr = ErrText(Err.Number, Err.Description)
    r("errnum") = Err.Number
    Err.Clear
  End If
  On Error GoTo 0

  ' 1. chaine hexadecimale par ADsSecurityUtility (Windows Server 2003)
  If hasSd Then
    hex = SdHexString(sdObj, firstErr)
    If hex <> "" Then
      r("sd") = hex
      r("source") = "hexstring"
      Exit Sub
    End If
  End If
  ' 2. octets bruts par une recherche ADO de l'objet
  hex = SdByAdo(r("dn"), firstErr)
  If hex <> "" Then
    r("sd") = hex
    r("source") = "ado"
    Exit Sub
  End If
  ' 3. parcours IADs de la DACL (forme 1.0)
  If hasSd Then
    On Error Resume Next
    WalkDacl sdObj, r
    en = Err.Number
    ed = Err.Description
    Err.Clear
    On Error GoTo 0
    If en = 0 Then
      r("source") = "iads"
      Exit Sub
    End If
    If firstErr = "" Then firstErr = ErrText(en, ed)
    If r("errnum") = 0 Then r("errnum") = en
  End If
  r("error") = firstErr
End Sub

Function SdHexString(sdObj, ByRef firstErr)
  ' "" si ADsSecurityUtility est absent (Windows 2000) ou echoue
  Dim hex
  SdHexString = ""
  On Error Resume Next
  If IsEmpty(gSecUtilState) Then
    Set gSecUtil = CreateObject("ADsSecurityUtility")
    If Err.Number = 0 Then
      gSecUtilState = "ok"
    Else
      gSecUtilState = ErrText(Err.Number, Err.Description)
    End If
    Err.Clear
  End If
  If gSecUtilState <> "ok" Then Exit Function
  hex = ""
  hex = gSecUtil.ConvertSecurityDescriptor(sdObj, 1, 3)
  If Err.Number <> 0 Then
    If firstErr = "" Then firstErr = ErrText(Err.Number, Err.Description)
    Err.Clear
    Exit Function
  End If
  On Error GoTo 0
  hex = LCase(CStr(hex))
  If IsSdHex(hex) Then SdHexString = hex
End Function

Function SdByAdo(dn, ByRef firstErr)
  ' Recherche de l'objet lui-meme, attribut nTSecurityDescriptor : ADO rend
  ' ses octets (VT_ARRAY|VT_UI1), convertis par MSXML (hex.vbs).
  Dim cmd, rs, v, hex
  SdByAdo = ""
  On Error Resume Next
  Set cmd = CreateObject("ADODB.Command")
  Set cmd.ActiveConnection = AdoConnection()
  cmd.CommandText = "<LDAP://" & AdsEsc(dn) & ">;(objectClass=*);nTSecurityDescriptor;base"
  Set rs = cmd.Execute
  If Err.Number = 0 Then
    If Not rs.EOF Then v = rs.Fields("nTSecurityDescriptor").Value
  End If
  If Err.Number <> 0 Then
    If firstErr = "" Then firstErr = ErrText(Err.Number, Err.Description)
    Err.Clear
    Exit Function
  End If
  hex = ""
  hex = BinHex(v)
  If Err.Number <> 0 Then
    If firstErr = "" Then firstErr = ErrText(Err.Number, Err.Description)
    Err.Clear
    Exit Function
  End If
  On Error GoTo 0
  If IsNull(hex) Then
    If firstErr = "" Then firstErr = "nTSecurityDescriptor non rendu par la recherche ADO"
  ElseIf IsSdHex(hex) Then
    SdByAdo = hex
  End If
End Function

Function SdControlByAdsi(dn)
  ' Mot de controle du descripteur d'un objet lu par ADSI avec le masque
  ' proprietaire + groupe + DACL ; Null si illisible. Sert quand la recherche
  ' ADO n'a pas rendu le descripteur : sous Windows 2000, ADO n'envoie pas le
  ' controle SD-flags, et le controleur de domaine suppose alors les quatre
  ' parties, SACL comprise, et omet l'attribut pour un compte sans
  ' SeSecurityPrivilege (MS-ADTS 3.1.1.4.4 et 6.1.3.2).
  Dim o, sdObj
  SdControlByAdsi = Null
  On Error Resume Next
  Set o = GetObject("LDAP://" & AdsEsc(dn))
  If Err.Number <> 0 Then
    Err.Clear
    Exit Function
  End If
  o.SetOption ADS_OPTION_SECURITY_MASK, ADS_SECURITY_INFO_OWNER_GROUP_DACL
  o.GetInfoEx Array("nTSecurityDescriptor"), 0
  Err.Clear
  Set sdObj = o.Get("nTSecurityDescriptor")
  If Err.Number = 0 Then SdControlByAdsi = CLng(sdObj.Control) And &HFFFF&
  Err.Clear
End Function

Function IsSdHex(h)
  ' Un descripteur auto-relatif fait au moins 20 octets ; seuls des chiffres
  ' hexadecimaux (verification sans decodage)
  Dim re
  Set re = New RegExp
  re.Pattern = "^[0-9a-f]{40,}$"
  IsSdHex = False
  If (Len(h) Mod 2) = 0 Then IsSdHex = re.Test(h)
End Function

Sub WalkDacl(sdObj, r)
  ' Forme 1.0 : proprietaire et controle tels qu'ADSI les donne, puis une ACE
  ' par entree de DiscretionaryAcl, dans l'ordre.
  Dim aces, ace, a, mask, idx
  r("owner") = sdObj.Owner
  r("control") = sdObj.Control
  aces = Array()
  idx = 0
  For Each ace In sdObj.DiscretionaryAcl
    Set a = CreateObject("Scripting.Dictionary")
    a("Index") = idx
    a("AceType") = ace.AceType
    a("AceFlags") = ace.AceFlags
    mask = CDbl(ace.AccessMask)
    If mask < 0 Then mask = mask + 4294967296
    a("AccessMask") = FormatIntD(mask)
    a("Flags") = ace.Flags
    a("ObjectType") = NormGuid(ace.ObjectType)
    a("InheritedObjectType") = NormGuid(ace.InheritedObjectType)
    a("Trustee") = ace.Trustee
    a("TrusteeSid") = TrusteeSid(ace.Trustee)
    aces = PushArr(aces, a)
    idx = idx + 1
  Next
  r("aces") = aces
End Sub

Function NormGuid(g)
  ' "{BF967ABA-0DE6-11D0-A285-00AA003049E2}" -> "bf967aba-0de6-11d0-a285-00aa003049e2"
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
  ' "DOMAINE\nom" tel qu'ADSI l'affiche -> objectSid (hexadecimal) par les deux
  ' recherches ad_acl du contrat ; vide si le nom n'est pas resolu sans
  ' ambiguite. L'analyseur resout les noms bien connus et localises
  ' ("AUTORITE NT\...") avec wmi_accounts : rien n'est devine ici.
  '  - domaine absent, BUILTIN ou domaine de la machine : recherche dans
  '    {defaultNC} (sAMAccountName y est unique) ;
  '  - autre domaine de la foret (ad_partitions) : catalogue global, retenu
  '    seulement s'il rend exactement un compte ;
  '  - autre nom (AUTORITE NT, domaine approuve hors foret) : non resolu.
  Dim p, dom, nm, key, sid
  TrusteeSid = ""
  If IsNull(tr) Or IsEmpty(tr) Then Exit Function
  If Left(tr, 4) = "S-1-" Then Exit Function
  If IsEmpty(gTrusteeCache) Then
    Set gTrusteeCache = CreateObject("Scripting.Dictionary")
    gTrusteeCache.CompareMode = 1
  End If
  key = CStr(tr)
  If gTrusteeCache.Exists(key) Then
    TrusteeSid = gTrusteeCache(key)
    Exit Function
  End If
  p = InStr(key, "\")
  If p > 0 Then
    dom = Left(key, p - 1)
    nm = Mid(key, p + 1)
  Else
    dom = ""
    nm = key
  End If
  sid = ""
  If dom = "" Or UCase(dom) = "BUILTIN" Or UCase(dom) = UCase(gDomainNetbios & "") Then
    sid = UniqueSid("trustee_domain", nm)
  ElseIf IsObject(gForestNetbios) Then
    If gForestNetbios.Exists(UCase(dom)) Then sid = UniqueSid("trustee_gc", nm)
  End If
  gTrusteeCache(key) = sid
  TrusteeSid = sid
End Function

Function UniqueSid(opId, nm)
  ' objectSid (hexadecimal) du seul objet de sAMAccountName nm ; "" sinon
  Dim rs, n, v
  UniqueSid = ""
  On Error Resume Next
  Set rs = LdapSearch(opId, Vars("trustee", nm))
  If Err.Number <> 0 Then
    Err.Clear
    Exit Function
  End If
  n = 0
  Do Until rs.EOF
    n = n + 1
    v = FieldVal(rs, "objectSid")
    rs.MoveNext
    If Err.Number <> 0 Or n > 1 Then Exit Do
  Loop
  If Err.Number = 0 And n = 1 Then UniqueSid = SafeBinHex(v) & ""
  Err.Clear
End Function

Sub WriteSdRecord(r)
  ' ad_acl : [sd] (et, repli IADs, une [ace] par entree) ; un objet illisible
  ' donne un [sd] avec Error et ErrorCode (le numero d'erreur ADSI), les autres
  ' sont ecrits.
  Dim aces, i, a
  If r("source") = "" Then
    RecKind "sd"
    RecProp "ObjectDN", r("dn")
    RecProp "Error", r("error")
    RecProp "ErrorCode", UCase(HexN(r("errnum"), 8))
    Exit Sub
  End If
  RecKind "sd"
  RecProp "ObjectDN", r("dn")
  If IsArray(r("objectClass")) Then
    RecArr "objectClass", r("objectClass")
  Else
    RecComment "illisible: objectClass de " & r("dn")
  End If
  If r("source") = "iads" Then
    RecProp "Owner", r("owner")
    RecProp "Control", r("control")
  Else
    RecProp "Sd", r("sd")
  End If
  RecProp "SdSource", r("source")
  If r("source") <> "iads" Then Exit Sub
  aces = r("aces")
  For i = 0 To UBound(aces)
    Set a = aces(i)
    RecKind "ace"
    RecProp "ObjectDN", r("dn")
    RecProp "Index", a("Index")
    RecProp "AceType", a("AceType")
    RecProp "AceFlags", a("AceFlags")
    RecProp "AccessMask", a("AccessMask")
    RecProp "Flags", a("Flags")
    RecProp "ObjectType", a("ObjectType")
    RecProp "InheritedObjectType", a("InheritedObjectType")
    RecProp "Trustee", a("Trustee")
    RecProp "TrusteeSid", a("TrusteeSid")
  Next
End Sub

Sub WriteSdProp(r)
  ' Dans un enregistrement user ou container : nTSecurityDescriptor
  ' (hexadecimal) ou, repli IADs, sdControl (decimal) ; illisible : rien n'est
  ' suppose (nTSecurityDescriptor! et commentaire).
  If r("source") = "" Then
    RecProp "nTSecurityDescriptor", Null
    RecComment "illisible: nTSecurityDescriptor : " & r("error")
  ElseIf r("source") = "iads" Then
    RecProp "sdControl", r("control")
  Else
    RecProp "nTSecurityDescriptor", r("sd")
  End If
End Sub

' ------------------------------ module : src/network.vbs -----------------------
' ----------------------------------------------------------------------------
' Reseau : proxy, sonde du NOC, chemin vers Exchange
' ----------------------------------------------------------------------------
Dim gProxyDone, gIeEnable, gIeServer, gIeOverride, gIeAutoConfig, gIeAutoDetect
Dim gWhEnable, gWhServer, gWhBypass, gWhPresent, gResolveError

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

Function Resolve(host, ByRef addrs)
  ' Renvoie "True"/"False" ; Win32_PingStatus (2003) sinon "ping -n 1".
  ' Le nom n'atteint la requete WQL et la ligne de commande que s'il respecte
  ' la grammaire d'un nom DNS ou d'une adresse IPv4 (grammar.vbs) : sinon
  ' "False", et gResolveError dit pourquoi.
  Dim found, rc, et, outPath, text, re, m
  addrs = Array()
  gResolveError = ""
  If IsIPv4(host) Then
    addrs = Array(host)
    Resolve = "True"
    Exit Function
  End If
  Resolve = "False"
  If Not IsDnsName(host) Then
    gResolveError = HostRefusal(host)
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
  If RunCommand("ping -n 1 -w 1000 " & host, outPath, 30, rc, et) Then
    text = ReadAllAscii(outPath)
    Set re = New RegExp
    re.Pattern = "\[(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\]"
    For Each m In re.Execute(text)
      If IsIPv4(m.SubMatches(0)) Then
        addrs = Array(m.SubMatches(0))
        Resolve = "True"
      End If
      Exit For
    Next
  End If
End Function

Function PingStatusResolve(host, ByRef addrs)
  ' Win32_PingStatus (XP/2003 ; absent sous Windows 2000, vide sous Wine) :
  ' "" si la classe ne repond pas, sinon "True"/"False".
  Dim p, ok
  PingStatusResolve = ""
  If Not IsHostArg(host) Then Exit Function
  For Each p In WmiService().ExecQuery("SELECT * FROM Win32_PingStatus WHERE Address='" & host & "' AND Timeout=1000")
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
  WmiService
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
  ' Le NOC vient de collect-params.txt ou de la ligne de commande : un nom
  ' hors grammaire n'est ni resolu ni sonde, l'etape est en erreur.
  If Not IsHostArg(gNocHost) Or Not IsHostArg(gNocAddr) Then
    gCur("source") = "WinHttp.WinHttpRequest.5.1"
    If Not IsHostArg(gNocHost) Then Fail "NOC : " & HostRefusal(gNocHost)
    If Not IsHostArg(gNocAddr) Then Fail Fr("adresse du NOC : ") & HostRefusal(gNocAddr)
    Exit Sub
  End If
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
        If IsNumeric(Mid(it, p + 1)) And InStr(Mid(it, p + 1), ".") = 0 Then port = CLng(Mid(it, p + 1)) Else port = 0
        it = Left(it, p - 1)
      End If
      If port < 1 Or port > 65535 Then port = 135
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
  WmiService
  If UBound(gLocalIps) < 0 Then
    For Each obj In WmiService().ExecQuery("SELECT IPAddress, IPSubnet FROM Win32_NetworkAdapterConfiguration WHERE IPEnabled=True")
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
    If gResolveError <> "" Then
      ' nom refuse (grammar.vbs) : ni resolu, ni teste
      RecKind "path"
      RecProp "Server", nm
      RecProp "Fqdn", fqdn
      RecArr "Addresses", Array()
      RecProp "SameSubnet", Null
      RecProp "Port", port
      RecProp "PortOpen", Null
      RecProp "ElapsedMs", Null
      RecProp "ErrorText", gResolveError
    Else
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
    End If
  Next
End Sub

' ------------------------------ module : src/manifest.vbs ----------------------
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

' ------------------------------ module : src/hash.vbs --------------------------
' ----------------------------------------------------------------------------
' Empreintes : CRC-32 (archive ZIP) et SHA-256 (manifeste), en VBScript
'
' Une seule lecture de chaque fichier, octet par octet : TextStream.Read(1)
' en mode ASCII (page ANSI mono-octet : un caractere par octet) et un
' dictionnaire caractere -> octet ; le CRC-32 avance de deux octets par
' consultation d'une table de 65536 entrees. Les boucles
' n'appellent aucune fonction du langage (Asc, Mid, CLng, Int...) et n'ont que
' des variables locales : sous Wine, chaque appel de fonction du langage ou
' variable globale parcourt tous les noms du script (des dizaines de
' microsecondes).
'
' SHA-256 n'est calcule que pour les fichiers d'au plus SHA256_MAX_BYTES
' octets (contrat, section 2) : au-dela, le champ sha256 du manifeste est
' vide et l'integrite repose sur le CRC-32 de l'entree ZIP et sur la taille.
' ----------------------------------------------------------------------------
Const SHA256_MAX_BYTES = 131072
Dim CRCT, CRC16, SHAK, gByteOf

Sub InitHashTables()
  Dim i, j, k, c, kk, t1, t2, a16
  ReDim CRCT(255), SHAK(63), t2(255), a16(65535)
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
  ' CRC-32, polynome 0xEDB88320 (forme reflechie) : table d'un octet T...
  For i = 0 To 255
    c = i
    For k = 0 To 7
      If (c And 1) <> 0 Then
        c = &HEDB88320 Xor Shr1(c)
      Else
        c = Shr1(c)
      End If
    Next
    CRCT(i) = c
  Next
  ' ... et de deux octets (T lineaire : T[a Xor b] = T[a] Xor T[b]) :
  ' CRC16[x0 + 256*x1] = T[T[x0] And 255] Xor (T[x0] >>> 8) Xor T[x1]
  ' (construite dans des variables locales : voir l'en-tete)
  t1 = CRCT
  For i = 0 To 255
    t2(i) = t1(t1(i) And 255) Xor Shr8(t1(i))
  Next
  For j = 0 To 255
    c = t1(j)
    For i = 0 To 255
      a16(i + j * 256) = t2(i) Xor c
    Next
  Next
  CRC16 = a16
  ' caractere lu en mode ASCII -> valeur de l'octet
  Set gByteOf = CreateObject("Scripting.Dictionary")
  For i = 0 To 255
    gByteOf(Chr(i)) = i
  Next
End Sub

Function Shr1(x)
  ' decalage logique d'un bit a droite d'un mot de 32 bits (Long signe)
  If x < 0 Then
    Shr1 = ((x And &H7FFFFFFF) \ 2) Or &H40000000
  Else
    Shr1 = x \ 2
  End If
End Function

Function Shr8(x)
  If x < 0 Then
    Shr8 = ((x And &H7FFFFFFF) \ 256) Or &H800000
  Else
    Shr8 = x \ 256
  End If
End Function

Sub DigestFile(path, wantSha, ByRef crc, ByRef sha)
  ' crc : CRC-32 du fichier (0..4294967295) ; sha : SHA-256 en hexadecimal
  ' minuscule si wantSha, sinon "". Erreur si un octet n'a pas pu etre lu
  ' comme un caractere (page de code ANSI multi-octets).
  ' (VBScript ignore la casse : un seul nom par variable)
  Dim ts, bd, tb, t16, kc, n, full, blk, t, b, c, v, x, hw, i, r, z, W(63), H(7), tail(127), total, bits
  z = 0.0
  Set bd = gByteOf
  tb = CRCT
  t16 = CRC16
  kc = SHAK
  n = fso.GetFile(path).Size
  H(0) = &H6A09E667
  H(1) = &HBB67AE85
  H(2) = &H3C6EF372
  H(3) = &HA54FF53A
  H(4) = &H510E527F
  H(5) = &H9B05688C
  H(6) = &H1F83D9AB
  H(7) = &H5BE0CD19
  c = -1
  If n > 0 Then Set ts = fso.OpenTextFile(path, 1, False, 0)
  If wantSha Then full = n \ 64 Else full = 0
  ' blocs de 64 octets : CRC-32 et mots SHA-256 (gros-boutistes)
  For blk = 1 To full
    For t = 0 To 15
      ' octets b0 b1 : CRC-32 de la paire (v = b0 + 256 * b1), mot gros-boutiste
      b = bd(ts.Read(1))
      v = b + bd(ts.Read(1)) * 256
      x = (c Xor v) And 65535
      If c < 0 Then c = t16(x) Xor (((c And &H7FFFFFFF) \ 65536) Or 32768) Else c = t16(x) Xor (c \ 65536)
      hw = b * 256 + (v \ 256)
      b = bd(ts.Read(1))
      v = b + bd(ts.Read(1)) * 256
      x = (c Xor v) And 65535
      If c < 0 Then c = t16(x) Xor (((c And &H7FFFFFFF) \ 65536) Or 32768) Else c = t16(x) Xor (c \ 65536)
      x = z + hw * 65536 + b * 256 + (v \ 256)
      If x > 2147483647 Then x = x - 4294967296
      W(t) = x
    Next
    ShaBlock W, H, kc
  Next
  ' le reste : CRC-32 seul deux octets a la fois ; les moins de 64 derniers
  ' octets gardes pour le remplissage SHA-256
  r = n - full * 64
  If Not wantSha Then
    For i = 1 To r \ 2
      b = bd(ts.Read(1))
      x = (c Xor (b + bd(ts.Read(1)) * 256)) And 65535
      If c < 0 Then c = t16(x) Xor (((c And &H7FFFFFFF) \ 65536) Or 32768) Else c = t16(x) Xor (c \ 65536)
    Next
    If (r And 1) = 1 Then
      b = bd(ts.Read(1))
      If c < 0 Then c = tb((c Xor b) And 255) Xor (((c And &H7FFFFFFF) \ 256) Or &H800000) Else c = tb((c Xor b) And 255) Xor (c \ 256)
    End If
  Else
    For i = 0 To r - 1
      b = bd(ts.Read(1))
      If c < 0 Then c = tb((c Xor b) And 255) Xor (((c And &H7FFFFFFF) \ 256) Or &H800000) Else c = tb((c Xor b) And 255) Xor (c \ 256)
      tail(i) = b
    Next
  End If
  If n > 0 Then ts.Close
  If bd.Count <> 256 Then Err.Raise 5, "DigestFile", Fr("lecture octet par octet impossible (page de code ANSI multi-octets ?)")
  c = Not c
  If c < 0 Then crc = z + c + 4294967296 Else crc = z + c
  sha = ""
  If Not wantSha Then Exit Sub
  ' remplissage : 0x80, des zeros, la longueur en bits sur 8 octets
  If r < 56 Then total = 64 Else total = 128
  tail(r) = 128
  For i = r + 1 To total - 1
    tail(i) = 0
  Next
  bits = z + n * 8
  For i = total - 1 To total - 5 Step -1
    tail(i) = bits - (bits \ 256) * 256
    bits = bits \ 256
  Next
  For blk = 0 To total - 64 Step 64
    For t = 0 To 15
      x = z + tail(blk + t * 4) * 16777216 + tail(blk + t * 4 + 1) * 65536 + tail(blk + t * 4 + 2) * 256 + tail(blk + t * 4 + 3)
      If x > 2147483647 Then x = x - 4294967296
      W(t) = x
    Next
    ShaBlock W, H, kc
  Next
  For i = 0 To 7
    sha = sha & HexN(H(i), 8)
  Next
End Sub

Sub ShaBlock(W, H, K)
  ' Compression SHA-256 d'un bloc de 16 mots (FIPS 180-4, 6.2.2) ; mots de
  ' 32 bits en Long signes, sommes en Double ramenees dans [-2^31, 2^31) par
  ' comparaison (sans Int ni CLng), rotations en ligne.
  Dim t, x, s0, s1, va, vb, vc, vd, ve, vf, vg, vh, t1, t2, z
  z = 0.0
  For t = 16 To 63
    x = W(t - 15)
    s0 = (((((x) And &H7FFFFFFF) \ 128) Or ((x < 0) And 16777216)) Or ((x And 63) * 33554432) Or (((x And 64) <> 0) And &H80000000)) Xor (((((x) And &H7FFFFFFF) \ 262144) Or ((x < 0) And 8192)) Or ((x And 131071) * 16384) Or (((x And 131072) <> 0) And &H80000000)) Xor ((((x) And &H7FFFFFFF) \ 8) Or ((x < 0) And 268435456))
    x = W(t - 2)
    s1 = (((((x) And &H7FFFFFFF) \ 131072) Or ((x < 0) And 16384)) Or ((x And 65535) * 32768) Or (((x And 65536) <> 0) And &H80000000)) Xor (((((x) And &H7FFFFFFF) \ 524288) Or ((x < 0) And 4096)) Or ((x And 262143) * 8192) Or (((x And 262144) <> 0) And &H80000000)) Xor ((((x) And &H7FFFFFFF) \ 1024) Or ((x < 0) And 2097152))
    x = z + W(t - 16) + s0 + W(t - 7) + s1
    Do While x > 2147483647
      x = x - 4294967296
    Loop
    Do While x < -2147483648
      x = x + 4294967296
    Loop
    W(t) = x
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
    t1 = z + vh + s1 + ((ve And vf) Xor ((Not ve) And vg)) + K(t) + W(t)
    s0 = (((((va) And &H7FFFFFFF) \ 4) Or ((va < 0) And 536870912)) Or ((va And 1) * 1073741824) Or (((va And 2) <> 0) And &H80000000)) Xor (((((va) And &H7FFFFFFF) \ 8192) Or ((va < 0) And 262144)) Or ((va And 4095) * 524288) Or (((va And 4096) <> 0) And &H80000000)) Xor (((((va) And &H7FFFFFFF) \ 4194304) Or ((va < 0) And 512)) Or ((va And 2097151) * 1024) Or (((va And 2097152) <> 0) And &H80000000))
    t2 = z + s0 + ((va And vb) Xor (va And vc) Xor (vb And vc))
    vh = vg
    vg = vf
    vf = ve
    x = z + vd + t1
    Do While x > 2147483647
      x = x - 4294967296
    Loop
    Do While x < -2147483648
      x = x + 4294967296
    Loop
    ve = x
    vd = vc
    vc = vb
    vb = va
    x = t1 + t2
    Do While x > 2147483647
      x = x - 4294967296
    Loop
    Do While x < -2147483648
      x = x + 4294967296
    Loop
    va = x
  Next
  H(0) = AddWords(H(0), va)
  H(1) = AddWords(H(1), vb)
  H(2) = AddWords(H(2), vc)
  H(3) = AddWords(H(3), vd)
  H(4) = AddWords(H(4), ve)
  H(5) = AddWords(H(5), vf)
  H(6) = AddWords(H(6), vg)
  H(7) = AddWords(H(7), vh)
End Sub

Function AddWords(a, b)
  ' somme modulo 2^32 de deux mots en Long signes
  Dim x
  x = 0.0 + a + b
  If x > 2147483647 Then x = x - 4294967296
  If x < -2147483648 Then x = x + 4294967296
  AddWords = x
End Function

' ------------------------------ module : src/zip.vbs ---------------------------
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
  ' Le CRC-32 de chaque artefact a ete calcule a son etape (hash.vbs) ; celui
  ' de manifest.json l'est ici.
  Dim names, crcs, n, i, r, data, crc, sha, hdr, cd, offset, dosTime, dosDate, nm, tmpZip, zf, en, ed, sz
  On Error Resume Next
  WriteZip = ""
  n = 0
  ReDim names(gResultCount), crcs(gResultCount)
  For i = 0 To gResultCount - 1
    Set r = gResults(i)
    If r("file") <> "" Then
      names(n) = r("file")
      crcs(n) = r("crc32")
      n = n + 1
    End If
  Next
  names(n) = "manifest.json"
  crcs(n) = Null
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
    crc = crcs(i)
    If IsNull(crc) Then DigestFile gCol & "\" & nm, False, crc, sha
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

' ------------------------------ module : src/text.vbs --------------------------
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

' ------------------------------ module : src/grammar.vbs -----------------------
' ----------------------------------------------------------------------------
' Grammaires strictes : ce qui peut atteindre une ligne de commande ou une
' requete WQL. Un nom d'hote vient de collect-params.txt, de la ligne de
' commande, ou de l'annuaire (nom ou networkAddress d'un serveur Exchange,
' modifiable par tout administrateur Exchange) : il n'est utilise que s'il
' respecte la grammaire, sinon il est refuse avec un message en francais.
' ----------------------------------------------------------------------------

Function IsIPv4(s)
  ' "192.168.10.5" : quatre nombres de 0 a 255, rien d'autre.
  Dim re, parts, i
  IsIPv4 = False
  If VarType(s) <> vbString Then Exit Function
  Set re = New RegExp
  re.Pattern = "^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$"
  If Not re.Test(s) Then Exit Function
  parts = Split(s, ".")
  For i = 0 To 3
    If CLng(parts(i)) > 255 Then Exit Function
  Next
  IsIPv4 = True
End Function

Function IsDnsName(s)
  ' RFC 1123 : etiquettes de 1 a 63 lettres ASCII, chiffres et tirets, sans
  ' tiret au debut ni a la fin, separees par des points ; 253 caracteres au
  ' plus ; un point final accepte ("exch01.corp.local.").
  Dim re, t
  IsDnsName = False
  If VarType(s) <> vbString Then Exit Function
  t = s
  If Right(t, 1) = "." Then t = Left(t, Len(t) - 1)
  If Len(t) < 1 Or Len(t) > 253 Then Exit Function
  Set re = New RegExp
  ' que des chiffres et des points : une adresse IPv4 mal formee, pas un nom
  re.Pattern = "^[0-9.]+$"
  If re.Test(t) Then Exit Function
  re.Pattern = "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
  IsDnsName = re.Test(t)
End Function

Function IsHostArg(s)
  IsHostArg = IsIPv4(s) Or IsDnsName(s)
End Function

Function HostRefusal(s)
  ' Message (francais) pour un nom d'hote refuse ; le nom est cite echappe.
  HostRefusal = Fr("nom d'h{f4}te refus{e9} (ni nom DNS ni adresse IPv4 : lettres, chiffres, tirets et points seulement) : ") & Quoted(s)
End Function

Function IsAccountArg(s)
  ' Nom du compte de service (sAMAccountName, sans domaine) : 1 a 20
  ' caracteres parmi les lettres (accentuees comprises : Windows-1252 de C0 a
  ' FF, sauf x et division), les chiffres, l'espace, le point, le tiret et le
  ' souligne ; ni espace ni point au debut ou a la fin. 20 caracteres : la
  ' limite du SAM pour un compte utilisateur (MS-SAMR 2.2.7.1, "UserName").
  ' Plus strict qu'Active Directory, qui accepte aussi & % ! ^ ( ) : ces
  ' caracteres changent le sens d'une ligne cmd ; un tel compte est refuse
  ' (meme grammaire que vmes-audit kit).
  Dim i, c, n
  IsAccountArg = False
  If VarType(s) <> vbString Then Exit Function
  If Len(s) < 1 Or Len(s) > 20 Then Exit Function
  If Left(s, 1) = " " Or Left(s, 1) = "." Or Right(s, 1) = " " Or Right(s, 1) = "." Then Exit Function
  For i = 1 To Len(s)
    c = Mid(s, i, 1)
    n = UAsc(c)
    If Not ((c >= "A" And c <= "Z") Or (c >= "a" And c <= "z") Or (c >= "0" And c <= "9") Or _
            c = " " Or c = "." Or c = "-" Or c = "_" Or (n >= 192 And n <= 255 And n <> 215 And n <> 247)) Then Exit Function
  Next
  IsAccountArg = True
End Function

Function AccountRefusal(s)
  AccountRefusal = Fr("nom de compte refus{e9} (lettres, chiffres, espace, point, tiret et soulign{e9} seulement, 20 caract{e8}res au plus, sans domaine) : ") & Quoted(s)
End Function

Function Quoted(s)
  ' Valeur citee dans un message : 60 caracteres au plus, controles en "?".
  Dim t, i, c, out
  t = s & ""
  If Len(t) > 60 Then t = Left(t, 60) & "..."
  out = ""
  For i = 1 To Len(t)
    c = Mid(t, i, 1)
    If UAsc(c) < 32 Or UAsc(c) = 127 Then c = "?"
    out = out & c
  Next
  Quoted = Fr("{ab}{a0}") & out & Fr("{a0}{bb}")
End Function

' ------------------------------ module : src/errors.vbs ------------------------
' ----------------------------------------------------------------------------
' Textes d'erreur : numero HRESULT en hexadecimal + description de Windows
' ----------------------------------------------------------------------------

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

' ------------------------------ module : src/clock.vbs -------------------------
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
