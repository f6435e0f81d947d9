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
