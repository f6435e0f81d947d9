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
