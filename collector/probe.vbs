' ============================================================================
' probe.vbs - sonde de terrain vmes-audit (issue 17)
'
' A lancer UNE fois sur un serveur membre Windows 2000 SP4 et un Windows
' Server 2003, en simple utilisateur du domaine puis en administrateur local :
'
'   cscript //nologo probe.vbs [/out:DOSSIER]
'
' Elle pose a Windows les questions dont dependent le collecteur et son double
' de test (ADSI/ADO, registre 64 bits, noms courts 8.3) et ecrit les reponses
' dans probe-<HOTE>-<aaaammjj-hhmmss>.txt, au format d'enregistrements de la
' collecte (#VMES-RECORDS 1). Cles et sens : docs/field-test.md.
'
' LECTURE SEULE : aucune ecriture dans l'annuaire, le registre ou un fichier
' systeme ; regedit /e et reg query ecrivent dans un dossier temporaire qui est
' supprime a la fin. Aucun mot de passe n'est demande ni ecrit.
'
' Chaque question est posee sous "On Error Resume Next" : une erreur est
' ecrite dans la cle Error de son enregistrement, la sonde continue. Le
' dernier enregistrement, [probe_end], n'est ecrit qu'a la toute fin : un
' fichier qui ne le porte pas vient d'une sonde interrompue, pendant l'etape de
' son dernier [probe_step].
'
' Fichier en ASCII pur : les lettres accentuees sont ecrites {e9} et converties
' par Fr().
' ============================================================================
Option Explicit

Const PROBE_VERSION = 1
Const ADS_OPTION_SECURITY_MASK = 3
Const ADS_SECURITY_INFO_OWNER_GROUP_DACL = 7
Const ADS_SD_FORMAT_IID = 1
Const ADS_SD_FORMAT_RAW = 2
Const ADS_SD_FORMAT_HEXSTRING = 3
Const HKLM = &H80000002
Const CV_KEY = "SOFTWARE\Microsoft\Windows\CurrentVersion"

Dim fso, sh, gF, gPath, gTmp, gSteps, gHexEl, gEscRe
Dim gConn, gDefaultNC, gUserDn, gOsBits, gAdoSd, gHost

Set fso = CreateObject("Scripting.FileSystemObject")
Set sh = CreateObject("WScript.Shell")
Set gAdoSd = CreateObject("Scripting.Dictionary")
gSteps = 0

Main
WScript.Quit 0

Sub Main()
  Dim outDir, i, a, stamp, t
  If InStr(LCase(WScript.FullName), "wscript.exe") > 0 Then
    ' Double-clic : relancer sous cscript, dans une console qui reste ouverte.
    sh.Run Q(ComSpec()) & " /k " & Q(Q(Env("%SystemRoot%\system32\cscript.exe")) & " //nologo " & _
           Q(WScript.ScriptFullName)), 1, False
    WScript.Quit 0
  End If
  outDir = fso.GetParentFolderName(WScript.ScriptFullName)
  For i = 0 To WScript.Arguments.Count - 1
    a = WScript.Arguments(i)
    If LCase(Left(a, 5)) = "/out:" Then outDir = Mid(a, 6)
  Next
  gHost = UCase(EnvOr("COMPUTERNAME", "INCONNU"))
  t = Now
  stamp = Year(t) & Pad2(Month(t)) & Pad2(Day(t)) & "-" & Pad2(Hour(t)) & Pad2(Minute(t)) & Pad2(Second(t))
  gPath = outDir & "\probe-" & gHost & "-" & stamp & ".txt"
  On Error Resume Next
  Set gF = fso.CreateTextFile(gPath, True, True)
  If Err.Number <> 0 Then
    Say "ERREUR : impossible de cr{e9}er " & gPath & " (" & ErrText(Err.Number, Err.Description) & ")."
    Say "Relancez avec /out:C:\un\dossier\inscriptible"
    WScript.Quit 2
  End If
  gTmp = EnvOr("TEMP", outDir) & "\vmes-probe-" & stamp
  fso.CreateFolder gTmp
  Err.Clear
  On Error GoTo 0
  gF.Write "#VMES-RECORDS 1" & vbCrLf
  gF.Write "#source: probe.vbs " & PROBE_VERSION & " (docs/field-test.md)" & vbCrLf

  Say "vmes-audit : sonde de terrain (version " & PROBE_VERSION & "), lecture seule."
  Say "Machine " & gHost & ", compte " & EnvOr("USERDOMAIN", "") & "\" & EnvOr("USERNAME", "")
  RunStep "contexte", "Contexte : syst{e8}me, compte, annuaire"
  RunStep "ado_sd", "nTSecurityDescriptor rendu par ADO"
  RunStep "sd_compare", "ADsSecurityUtility.ConvertSecurityDescriptor compar{e9} {e0} ADO"
  RunStep "token_groups", "tokenGroups du compte"
  RunStep "second_execute", "Deuxi{e8}me Execute sur une connexion ADO dont un jeu d'enregistrements est ouvert"
  RunStep "winnt_group", "Membres du groupe Administrateurs local par WinNT://"
  RunStep "registry_view", "Vue du registre (32 ou 64 bits) de chaque m{e9}thode de lecture"
  RunStep "short_names", "Noms courts 8.3 et chemins de commande cit{e9}s"

  On Error Resume Next
  fso.DeleteFolder gTmp, True
  Err.Clear
  On Error GoTo 0
  gF.Write vbCrLf & "[probe_end]" & vbCrLf
  PutProp "Completed", True
  PutProp "Steps", gSteps
  gF.Close
  Say ""
  Say "Sonde termin{e9}e : " & gPath
  Say "Envoyez ce fichier, sans le modifier, {e0} votre contact vmes-audit, en pr{e9}cisant le compte utilis{e9}"
  Say "(simple utilisateur du domaine ou administrateur local) et, sur Windows 64 bits, le cscript.exe lanc{e9}."
End Sub

Sub RunStep(name, label)
  ' Une etape : [probe_step] d'abord, puis la question ; une erreur non
  ' traitee dans la question devient un enregistrement [probe_error].
  Dim en, ed
  gSteps = gSteps + 1
  gF.Write vbCrLf & "[probe_step]" & vbCrLf
  PutProp "Step", name
  Say "[" & gSteps & "/8] " & label
  On Error Resume Next
  Select Case name
    Case "contexte": AskContext
    Case "ado_sd": AskAdoSd
    Case "sd_compare": AskSdCompare
    Case "token_groups": AskTokenGroups
    Case "second_execute": AskSecondExecute
    Case "winnt_group": AskWinNtGroup
    Case "registry_view": AskRegistryView
    Case "short_names": AskShortNames
  End Select
  en = Err.Number
  ed = Err.Description
  Err.Clear
  On Error GoTo 0
  If en <> 0 Then
    gF.Write vbCrLf & "[probe_error]" & vbCrLf
    PutProp "Step", name
    PutProp "Error", ErrText(en, ed)
    Say "      erreur : " & ErrText(en, ed)
  End If
End Sub

' ----------------------------------------------------------------------------
' [probe] : contexte
' ----------------------------------------------------------------------------
Sub AskContext()
  Dim wmi, os, caption, ver, csd, arch, archW, procBits, errs, root, dnc, dcName, mode, admin
  errs = ""
  On Error Resume Next
  caption = Null
  ver = Null
  csd = Null
  Set wmi = GetObject("winmgmts:{impersonationLevel=impersonate}!\\.\root\cimv2")
  For Each os In wmi.ExecQuery("SELECT Caption, Version, CSDVersion FROM Win32_OperatingSystem")
    caption = os.Caption
    ver = os.Version
    csd = os.CSDVersion
  Next
  errs = NoteErr(errs, "Win32_OperatingSystem")
  arch = UCase(EnvOr("PROCESSOR_ARCHITECTURE", ""))
  archW = UCase(EnvOr("PROCESSOR_ARCHITEW6432", ""))
  If arch = "AMD64" Or arch = "IA64" Or archW = "AMD64" Or archW = "IA64" Then gOsBits = 64 Else gOsBits = 32
  If archW <> "" Or arch = "X86" Then procBits = 32 Else procBits = 64
  dnc = Null
  dcName = Null
  mode = Null
  Set root = GetObject("LDAP://RootDSE")
  errs = NoteErr(errs, "LDAP://RootDSE")
  If IsObject(root) Then
    dnc = root.Get("defaultNamingContext")
    errs = NoteErr(errs, "defaultNamingContext")
    dcName = root.Get("dnsHostName")
    errs = NoteErr(errs, "dnsHostName")
    mode = root.Get("domainFunctionality")
    If Err.Number <> 0 Then
      mode = Null
      Err.Clear
    End If
  End If
  If Not IsNull(dnc) And Not IsEmpty(dnc) Then gDefaultNC = CStr(dnc)
  admin = IsLocalAdmin(errs)
  On Error GoTo 0
  gF.Write vbCrLf & "[probe]" & vbCrLf
  PutProp "ProbeVersion", PROBE_VERSION
  PutProp "Host", gHost
  PutProp "OsVersion", ver
  PutProp "OsCaption", caption
  PutProp "CSDVersion", csd
  PutProp "OsBits", gOsBits
  PutProp "ProcessBits", procBits
  PutProp "RunAs", EnvOr("USERDOMAIN", "") & "\" & EnvOr("USERNAME", "")
  PutProp "IsLocalAdmin", admin
  PutProp "DnsDomain", dnc
  PutProp "DcName", dcName
  PutProp "DomainMode", mode
  PutProp "Error", errs
End Sub

Function IsLocalAdmin(ByRef errs)
  ' Membre direct du groupe, ou d'un groupe de domaine qui y est nomme.
  Dim name, grp, m, who, found, r
  IsLocalAdmin = Null
  On Error Resume Next
  name = AdminGroupName(errs)
  If name = "" Then Exit Function
  Set grp = GetObject("WinNT://" & gHost & "/" & name & ",group")
  If Err.Number <> 0 Then
    errs = NoteErr(errs, "WinNT://" & gHost & "/" & name)
    Exit Function
  End If
  who = "WinNT://" & EnvOr("USERDOMAIN", "") & "/" & EnvOr("USERNAME", "")
  ' (une erreur dans la condition d'un If ferait entrer dans le Then : chaque
  ' reponse est lue dans sa propre instruction)
  found = False
  r = False
  r = grp.IsMember(who)
  If Err.Number = 0 Then found = (r = True)
  errs = NoteErr(errs, "IsMember")
  If Not found Then
    For Each m In grp.Members
      r = ""
      r = LCase(m.Class)
      If r = "group" Then
        r = False
        r = m.IsMember(who)
        If Err.Number = 0 And r = True Then found = True
      End If
      Err.Clear
    Next
    errs = NoteErr(errs, "Members")
  End If
  IsLocalAdmin = found
End Function

Function AdminGroupName(ByRef errs)
  ' Nom local du groupe S-1-5-32-544 (Administrateurs, Administrators...)
  Dim wmi, g
  AdminGroupName = ""
  On Error Resume Next
  Set wmi = GetObject("winmgmts:{impersonationLevel=impersonate}!\\.\root\cimv2")
  For Each g In wmi.ExecQuery("SELECT Name FROM Win32_Group WHERE SID='S-1-5-32-544' AND LocalAccount=True")
    AdminGroupName = g.Name
  Next
  errs = NoteErr(errs, "Win32_Group S-1-5-32-544")
  If AdminGroupName = "" Then
    If errs <> "" Then errs = errs & " ; "
    errs = errs & Fr("Win32_Group : aucun groupe de SID S-1-5-32-544")
  End If
End Function

' ----------------------------------------------------------------------------
' [ado_sd] et [sd_compare]
' ----------------------------------------------------------------------------
Function ProbeObjects()
  ' Array(Array(nom, dn), ...) : soi-meme, tete du domaine, AdminSDHolder
  Dim L
  L = Array()
  If gUserDn = "" Then gUserDn = OwnDn()
  If gUserDn <> "" Then L = PushArr(L, Array("self", gUserDn))
  If gDefaultNC <> "" Then
    L = PushArr(L, Array("domain", gDefaultNC))
    L = PushArr(L, Array("adminsdholder", "CN=AdminSDHolder,CN=System," & gDefaultNC))
  End If
  ProbeObjects = L
End Function

Sub AskAdoSd()
  Dim L, i, name, dn, rs, v, hex, errs, q, vt
  L = ProbeObjects()
  If UBound(L) < 0 Then
    gF.Write vbCrLf & "[ado_sd]" & vbCrLf
    PutProp "Object", "self"
    PutProp "Error", Fr("annuaire injoignable : ni RootDSE ni ADSystemInfo ne r{e9}pondent")
    Exit Sub
  End If
  For i = 0 To UBound(L)
    name = L(i)(0)
    dn = L(i)(1)
    errs = ""
    v = Null
    vt = Null
    q = "<LDAP://" & AdsEsc(dn) & ">;(objectClass=*);nTSecurityDescriptor;base"
    On Error Resume Next
    Set rs = AdoExecute(q, False)
    errs = NoteErr(errs, "Execute")
    If errs = "" Then
      If rs.EOF Then
        errs = Fr("aucune ligne rendue")
      Else
        v = rs.Fields("nTSecurityDescriptor").Value
        errs = NoteErr(errs, "Fields")
        vt = VarType(v)
      End If
      rs.Close
      Err.Clear
    End If
    hex = Null
    If Not IsNull(v) And Not IsEmpty(v) Then
      hex = BinHex(v)
      errs = NoteErr(errs, "bin.hex")
    End If
    On Error GoTo 0
    gAdoSd(name) = hex
    gF.Write vbCrLf & "[ado_sd]" & vbCrLf
    PutProp "Object", name
    PutProp "Dn", dn
    PutProp "Query", q
    PutProp "Error", errs
    PutProp "Present", Not (IsNull(v) Or IsEmpty(v))
    PutProp "VarType", vt
    WriteSdShape "", hex
    PutProp "Sd", hex
  Next
End Sub

Sub WriteSdShape(prefix, hex)
  ' Length, Control, HasOwner/HasGroup/HasDacl/HasSacl d'un descripteur
  ' auto-relatif (MS-DTYP 2.4.6) ; Null quand hex n'en est pas un.
  Dim ctl, ok
  ok = False
  If Not IsNull(hex) And Not IsEmpty(hex) Then ok = (Len(hex) >= 40 And IsHex(hex))
  If prefix = "" Then
    If ok Then PutProp "Length", Len(hex) \ 2 Else PutProp "Length", Null
  End If
  If Not ok Then
    PutProp prefix & "Control", Null
    If prefix = "" Then
      PutProp "HasOwner", Null
      PutProp "HasGroup", Null
      PutProp "HasDacl", Null
    End If
    PutProp prefix & "HasSacl", Null
    Exit Sub
  End If
  ctl = HexByte(hex, 2) + HexByte(hex, 3) * 256
  PutProp prefix & "Control", ctl
  If prefix = "" Then
    PutProp "HasOwner", (Le32At(hex, 4) <> 0)
    PutProp "HasGroup", (Le32At(hex, 8) <> 0)
    PutProp "HasDacl", ((ctl And 4) <> 0 And Le32At(hex, 16) <> 0)
  End If
  PutProp prefix & "HasSacl", ((ctl And 16) <> 0 And Le32At(hex, 12) <> 0)
End Sub

Sub AskSdCompare()
  Dim L, i, name, dn, su, suState, o, sd, getErr, hexs, convErr, raw, rawHex, ado, eq, diff, rawEq
  L = ProbeObjects()
  If UBound(L) < 0 Then
    gF.Write vbCrLf & "[sd_compare]" & vbCrLf
    PutProp "Object", "self"
    PutProp "GetError", Fr("annuaire injoignable : ni RootDSE ni ADSystemInfo ne r{e9}pondent")
    Exit Sub
  End If
  On Error Resume Next
  Set su = CreateObject("ADsSecurityUtility")
  If Err.Number = 0 Then suState = "ok" Else suState = ErrText(Err.Number, Err.Description)
  Err.Clear
  On Error GoTo 0
  For i = 0 To UBound(L)
    name = L(i)(0)
    dn = L(i)(1)
    getErr = ""
    convErr = ""
    hexs = Null
    rawHex = Null
    On Error Resume Next
    Set o = GetObject("LDAP://" & AdsEsc(dn))
    getErr = NoteErr(getErr, "GetObject")
    If getErr = "" Then
      o.SetOption ADS_OPTION_SECURITY_MASK, ADS_SECURITY_INFO_OWNER_GROUP_DACL
      getErr = NoteErr(getErr, "SetOption")
      o.GetInfoEx Array("nTSecurityDescriptor"), 0
      getErr = NoteErr(getErr, "GetInfoEx")
      Set sd = o.Get("nTSecurityDescriptor")
      getErr = NoteErr(getErr, "Get")
    End If
    If getErr = "" And suState = "ok" Then
      hexs = su.ConvertSecurityDescriptor(sd, ADS_SD_FORMAT_IID, ADS_SD_FORMAT_HEXSTRING)
      convErr = NoteErr(convErr, "HEXSTRING")
      If convErr = "" Then hexs = LCase(CStr(hexs)) Else hexs = Null
      raw = su.ConvertSecurityDescriptor(sd, ADS_SD_FORMAT_IID, ADS_SD_FORMAT_RAW)
      If Err.Number = 0 Then rawHex = BinHex(raw)
      convErr = NoteErr(convErr, "RAW")
    End If
    On Error GoTo 0
    ado = Null
    If gAdoSd.Exists(name) Then ado = gAdoSd(name)
    eq = Null
    diff = Null
    If Not IsNull(hexs) And Not IsNull(ado) Then
      eq = (hexs = ado)
      If Not eq Then diff = FirstDiff(hexs, ado)
    End If
    rawEq = Null
    If Not IsNull(rawHex) And Not IsNull(ado) Then rawEq = (rawHex = ado)
    gF.Write vbCrLf & "[sd_compare]" & vbCrLf
    PutProp "Object", name
    PutProp "Dn", dn
    PutProp "SecUtil", suState
    PutProp "GetError", getErr
    PutProp "HexString", hexs
    PutProp "ConvertError", convErr
    If IsNull(hexs) Then PutProp "HexLength", Null Else PutProp "HexLength", Len(hexs) \ 2
    WriteSdShape "Hex", hexs
    PutProp "EqualsAdo", eq
    PutProp "FirstDifference", diff
    PutProp "RawEqualsAdo", rawEq
  Next
End Sub

Function FirstDiff(a, b)
  Dim i, n
  n = Len(a)
  If Len(b) < n Then n = Len(b)
  For i = 1 To n - 1 Step 2
    If Mid(a, i, 2) <> Mid(b, i, 2) Then
      FirstDiff = (i - 1) \ 2
      Exit Function
    End If
  Next
  FirstDiff = n \ 2
End Function

' ----------------------------------------------------------------------------
' [token_groups]
' ----------------------------------------------------------------------------
Sub AskTokenGroups()
  Dim dn, o, v, errs, rs, m
  If gUserDn = "" Then gUserDn = OwnDn()
  dn = gUserDn
  For Each m In Array("iads", "ado")
    errs = ""
    v = Null
    On Error Resume Next
    If dn = "" Then
      errs = Fr("nom distinctif du compte introuvable (ADSystemInfo et recherche sAMAccountName)")
    ElseIf m = "iads" Then
      Set o = GetObject("LDAP://" & AdsEsc(dn))
      errs = NoteErr(errs, "GetObject")
      If errs = "" Then
        o.GetInfoEx Array("tokenGroups"), 0
        errs = NoteErr(errs, "GetInfoEx")
        v = o.GetEx("tokenGroups")
        errs = NoteErr(errs, "GetEx")
      End If
    Else
      Set rs = AdoExecute("<LDAP://" & AdsEsc(dn) & ">;(objectClass=*);tokenGroups;base", False)
      errs = NoteErr(errs, "Execute")
      If errs = "" Then
        If Not rs.EOF Then v = rs.Fields("tokenGroups").Value
        errs = NoteErr(errs, "Fields")
        rs.Close
        Err.Clear
      End If
    End If
    On Error GoTo 0
    gF.Write vbCrLf & "[token_groups]" & vbCrLf
    PutProp "Method", m
    PutProp "Dn", dn
    WriteSidList v, errs
  Next
End Sub

Sub WriteSidList(v, errs)
  ' Count, VarType, ElementVarType, SidHex[] ; sans comparaison a Null (une
  ' erreur dans une condition ferait entrer dans le Then)
  Dim i, n, h, vt, ev, isArr, lb, ub
  vt = Null
  ev = Null
  n = Null
  isArr = False
  If Not (IsNull(v) Or IsEmpty(v)) Then
    vt = VarType(v)
    If vt <> 8209 Then isArr = IsArray(v)
  End If
  If isArr Then
    lb = LBound(v)
    ub = UBound(v)
    n = ub - lb + 1
    If n > 0 Then ev = VarType(v(lb))
  ElseIf vt = 8209 Then
    ' une seule valeur rendue comme octets (un seul groupe)
    n = 1
    ev = vt
  End If
  PutProp "Error", errs
  PutProp "VarType", vt
  PutProp "ElementVarType", ev
  PutProp "Count", n
  If isArr Then
    If n = 0 Then gF.Write "SidHex[]!" & vbCrLf
    For i = lb To ub
      h = Null
      On Error Resume Next
      h = BinHex(v(i))
      Err.Clear
      On Error GoTo 0
      If IsNull(h) Then h = ""
      gF.Write "SidHex[]=" & RecEscape(h) & vbCrLf
    Next
  ElseIf n = 1 Then
    gF.Write "SidHex[]=" & RecEscape(BinHex(v)) & vbCrLf
  End If
End Sub

' ----------------------------------------------------------------------------
' [second_execute]
' ----------------------------------------------------------------------------
Sub AskSecondExecute()
  Dim rs1, rs2, firstErr, firstOpen, secondErr, rows, after, afterErr, x
  firstErr = ""
  secondErr = ""
  afterErr = ""
  firstOpen = Null
  rows = Null
  after = Null
  If gDefaultNC = "" Then
    firstErr = Fr("annuaire injoignable (RootDSE)")
  Else
    On Error Resume Next
    Set rs1 = AdoExecute("<LDAP://" & AdsEsc(gDefaultNC) & ">;(objectCategory=person);distinguishedName;subtree", True)
    firstErr = NoteErr(firstErr, "Execute")
    If firstErr = "" Then
      firstOpen = False
      x = rs1.Fields(0).Value
      rs1.MoveNext
      If Err.Number = 0 Then firstOpen = (rs1.State = 1 And Not rs1.EOF)
      firstErr = NoteErr(firstErr, "MoveNext")
      Set rs2 = AdoExecute("<LDAP://" & AdsEsc(gDefaultNC) & ">;(objectClass=*);distinguishedName;base", False)
      secondErr = NoteErr(secondErr, "Execute")
      If secondErr = "" Then
        rows = 0
        Do While Not rs2.EOF
          rows = rows + 1
          rs2.MoveNext
        Loop
        secondErr = NoteErr(secondErr, "MoveNext")
        rs2.Close
        Err.Clear
      End If
      after = False
      If Not rs1.EOF Then
        x = Empty
        x = rs1.Fields(0).Value
        rs1.MoveNext
        If Err.Number = 0 Then after = True
      Else
        afterErr = Fr("premier jeu d'enregistrements d{e9}j{e0} {e0} la fin (une seule personne ?)")
      End If
      afterErr = NoteErr(afterErr, "MoveNext")
      rs1.Close
      Err.Clear
    End If
    On Error GoTo 0
  End If
  gF.Write vbCrLf & "[second_execute]" & vbCrLf
  PutProp "FirstError", firstErr
  PutProp "FirstOpen", firstOpen
  PutProp "SecondError", secondErr
  PutProp "SecondRows", rows
  PutProp "FirstAfter", after
  PutProp "FirstAfterError", afterErr
End Sub

' ----------------------------------------------------------------------------
' [winnt_group], [winnt_member]
' ----------------------------------------------------------------------------
Sub AskWinNtGroup()
  Dim errs, name, grp, m, n, buf, sidv, sidErr, sidHex, sidVt, path
  errs = ""
  buf = ""
  n = Null
  name = AdminGroupName(errs)
  path = ""
  If name <> "" Then
    path = "WinNT://" & gHost & "/" & name & ",group"
    On Error Resume Next
    Set grp = GetObject(path)
    errs = NoteErr(errs, "GetObject")
    If IsObject(grp) And errs = "" Then
      n = 0
      For Each m In grp.Members
        n = n + 1
        sidErr = ""
        sidVt = Null
        sidHex = Null
        sidv = Null
        sidv = m.Get("objectSid")
        sidErr = NoteErr(sidErr, "Get(objectSid)")
        If sidErr = "" Then
          sidVt = VarType(sidv)
          sidHex = BinHex(sidv)
          sidErr = NoteErr(sidErr, "bin.hex")
        End If
        buf = buf & vbCrLf & "[winnt_member]" & vbCrLf & PropText("Name", m.Name) & PropText("Class", m.Class) & _
              PropText("AdsPath", m.ADsPath) & PropText("SidVarType", sidVt) & PropText("MemberSidHex", sidHex) & _
              PropText("SidError", sidErr)
        Err.Clear
      Next
      errs = NoteErr(errs, "Members")
    End If
    On Error GoTo 0
  End If
  gF.Write vbCrLf & "[winnt_group]" & vbCrLf
  PutProp "Name", name
  PutProp "AdsPath", path
  PutProp "Error", errs
  PutProp "MemberCount", n
  gF.Write buf
End Sub

' ----------------------------------------------------------------------------
' [registry_view]
' ----------------------------------------------------------------------------
Sub AskRegistryView()
  Dim regedit, out, cmdline, rc, v, errs
  regedit = Env("%SystemRoot%") & "\regedit.exe"
  ' 1. regedit /e lance par ce processus (collecteur 1.1.0)
  out = gTmp & "\vue-regedit.reg"
  cmdline = Q(regedit) & " /e " & Q(out) & " " & Q("HKEY_LOCAL_MACHINE\" & CV_KEY)
  errs = ""
  v = Null
  On Error Resume Next
  rc = sh.Run(Q(ComSpec()) & " /c " & Q(cmdline), 0, True)
  errs = NoteErr(errs, "Run")
  v = RegFileValue(out, "ProgramFilesDir", errs)
  On Error GoTo 0
  WriteView "regedit", cmdline, errs, v
  ' 2. regedit lance par Win32_Process.Create (fournisseur WMI 64 bits)
  out = gTmp & "\vue-wmi.reg"
  cmdline = Q(regedit) & " /e " & Q(out) & " " & Q("HKEY_LOCAL_MACHINE\" & CV_KEY)
  errs = ""
  v = Null
  On Error Resume Next
  errs = WmiRun(cmdline)
  If errs = "" Then v = RegFileValue(out, "ProgramFilesDir", errs)
  On Error GoTo 0
  WriteView "regedit-wmi", "Win32_Process.Create " & cmdline, errs, v
  ' 3. reg query lance par ce processus
  out = gTmp & "\vue-reg.txt"
  cmdline = Q(Env("%SystemRoot%\system32\reg.exe")) & " query " & Q("HKLM\" & CV_KEY) & " /v ProgramFilesDir"
  errs = ""
  v = Null
  On Error Resume Next
  If Not fso.FileExists(Env("%SystemRoot%\system32\reg.exe")) Then
    errs = Fr("reg.exe absent")
  Else
    rc = sh.Run(Q(ComSpec()) & " /c " & Q(cmdline & " >" & Q(out)), 0, True)
    errs = NoteErr(errs, "Run")
    v = RegQueryValue(out, errs)
  End If
  On Error GoTo 0
  WriteView "reg", cmdline, errs, v
  ' 4. StdRegProv avec et sans contexte d'architecture
  AskStdRegProv 64
  AskStdRegProv 32
  AskStdRegProv 0
End Sub

Sub AskStdRegProv(bits)
  Dim loc, ctx, svc, reg, inp, outp, errs, v, name
  errs = ""
  v = Null
  If bits = 0 Then name = "stdregprov" Else name = "stdregprov-" & bits
  On Error Resume Next
  Set loc = CreateObject("WbemScripting.SWbemLocator")
  If bits <> 0 Then
    Set ctx = CreateObject("WbemScripting.SWbemNamedValueSet")
    ctx.Add "__ProviderArchitecture", bits
    ctx.Add "__RequiredArchitecture", True
    Set svc = loc.ConnectServer(".", "root\default", "", "", "", "", 0, ctx)
  Else
    Set svc = loc.ConnectServer(".", "root\default")
  End If
  errs = NoteErr(errs, "ConnectServer")
  If errs = "" Then
    Set reg = svc.Get("StdRegProv")
    Set inp = reg.Methods_("GetStringValue").InParameters
    inp.hDefKey = HKLM
    inp.sSubKeyName = CV_KEY
    inp.sValueName = "ProgramFilesDir"
    If bits <> 0 Then
      Set outp = reg.ExecMethod_("GetStringValue", inp, 0, ctx)
    Else
      Set outp = reg.ExecMethod_("GetStringValue", inp)
    End If
    errs = NoteErr(errs, "GetStringValue")
    If errs = "" Then
      If outp.ReturnValue = 0 Then v = outp.sValue Else errs = "ReturnValue " & outp.ReturnValue
      errs = NoteErr(errs, "sValue")
    End If
  End If
  On Error GoTo 0
  WriteView name, "StdRegProv.GetStringValue HKLM\" & CV_KEY & " ProgramFilesDir", errs, v
End Sub

Sub WriteView(method, command, errs, v)
  Dim view
  view = Null
  If Not IsNull(v) And Not IsEmpty(v) And gOsBits = 64 Then
    If InStr(LCase(v), "(x86)") > 0 Then view = 32 Else view = 64
  End If
  gF.Write vbCrLf & "[registry_view]" & vbCrLf
  PutProp "Method", method
  PutProp "Command", command
  PutProp "Error", errs
  PutProp "ProgramFilesDir", v
  PutProp "View", view
End Sub

Function WmiRun(cmdline)
  ' "" si le processus cree par Win32_Process.Create s'est termine, sinon l'erreur
  Dim loc, ctx, svc, cls, inp, outp, pid, t0, n, p, errs
  errs = ""
  On Error Resume Next
  Set ctx = CreateObject("WbemScripting.SWbemNamedValueSet")
  ctx.Add "__ProviderArchitecture", 64
  Set loc = CreateObject("WbemScripting.SWbemLocator")
  Set svc = loc.ConnectServer(".", "root\cimv2", "", "", "", "", 0, ctx)
  errs = NoteErr(errs, "ConnectServer")
  If errs = "" Then
    Set cls = svc.Get("Win32_Process")
    Set inp = cls.Methods_("Create").InParameters
    inp.CommandLine = cmdline
    Set outp = cls.ExecMethod_("Create", inp, 0, ctx)
    errs = NoteErr(errs, "Win32_Process.Create")
  End If
  If errs = "" Then
    If outp.ReturnValue <> 0 Then errs = "Win32_Process.Create ReturnValue " & outp.ReturnValue
    pid = outp.ProcessId
    errs = NoteErr(errs, "ProcessId")
  End If
  If errs = "" Then
    t0 = Timer
    Do
      n = 0
      For Each p In svc.ExecQuery("SELECT ProcessId FROM Win32_Process WHERE ProcessId=" & pid)
        n = n + 1
      Next
      errs = NoteErr(errs, "Win32_Process")
      If n = 0 Or errs <> "" Then Exit Do
      If Abs(Timer - t0) > 120 Then
        errs = Fr("d{e9}lai d{e9}pass{e9} (120 s)")
        Exit Do
      End If
      Nap
    Loop
  End If
  Err.Clear
  WmiRun = errs
End Function

Function RegFileValue(path, valName, ByRef errs)
  ' Valeur "valName"="..." de la premiere cle d'un export regedit
  Dim f, text, p, q, fmt
  RegFileValue = Null
  If Not fso.FileExists(path) Then
    errs = Trim(errs & Fr(" regedit n'a pas {e9}crit de fichier"))
    Exit Function
  End If
  fmt = 0
  If fso.GetFile(path).Size >= 2 Then
    Set f = fso.OpenTextFile(path, 1, False, 0)
    text = f.Read(2)
    f.Close
    If Asc(Mid(text, 1, 1)) = 255 And Asc(Mid(text, 2, 1)) = 254 Then fmt = -1
  End If
  Set f = fso.OpenTextFile(path, 1, False, fmt)
  text = f.ReadAll
  f.Close
  p = InStr(1, text, """" & valName & """=""", vbTextCompare)
  If p = 0 Then
    errs = Trim(errs & " " & valName & Fr(" absent de l'export"))
    Exit Function
  End If
  p = p + Len(valName) + 4
  q = InStr(p, text, """")
  RegFileValue = Replace(Mid(text, p, q - p), "\\", "\")
End Function

Function RegQueryValue(path, ByRef errs)
  ' Sortie de reg query : "    ProgramFilesDir    REG_SZ    C:\Program Files"
  Dim f, text, p, line, lines, i
  RegQueryValue = Null
  If Not fso.FileExists(path) Then
    errs = Trim(errs & Fr(" reg query n'a rien {e9}crit"))
    Exit Function
  End If
  Set f = fso.OpenTextFile(path, 1, False, 0)
  If Not f.AtEndOfStream Then text = f.ReadAll Else text = ""
  f.Close
  lines = Split(Replace(text, vbCr, ""), vbLf)
  For i = 0 To UBound(lines)
    line = lines(i)
    p = InStr(1, line, "REG_SZ", vbTextCompare)
    If p > 0 And InStr(1, line, "ProgramFilesDir", vbTextCompare) > 0 Then
      RegQueryValue = Trim(Replace(Mid(line, p + 6), vbTab, " "))
      Exit Function
    End If
  Next
  errs = Trim(errs & " ProgramFilesDir" & Fr(" absent de la sortie de reg query"))
End Function

' ----------------------------------------------------------------------------
' [short_names]
' ----------------------------------------------------------------------------
Sub AskShortNames()
  Dim d83, sys, sysShort, pf, pfShort, rc, errs
  errs = ""
  On Error Resume Next
  d83 = Null
  d83 = sh.RegRead("HKLM\SYSTEM\CurrentControlSet\Control\FileSystem\NtfsDisable8dot3NameCreation")
  If Err.Number <> 0 Then
    d83 = Null
    Err.Clear
  End If
  sys = Env("%SystemRoot%\system32")
  sysShort = Null
  sysShort = fso.GetFolder(sys).ShortPath
  errs = NoteErr(errs, "ShortPath system32")
  pf = EnvOr("ProgramFiles", "")
  pfShort = Null
  If pf <> "" Then pfShort = fso.GetFolder(pf).ShortPath
  errs = NoteErr(errs, "ShortPath ProgramFiles")
  rc = Null
  rc = sh.Run(Q(ComSpec()) & " /c " & Q(Q(sys & "\ipconfig.exe") & " /all >nul"), 0, True)
  errs = NoteErr(errs, "Run")
  On Error GoTo 0
  gF.Write vbCrLf & "[short_names]" & vbCrLf
  PutProp "Disable8dot3", d83
  PutProp "SystemFolder", sys
  PutProp "SystemFolderShort", sysShort
  PutProp "ProgramFilesShort", pfShort
  PutProp "QuotedExit", rc
  PutProp "Error", errs
End Sub

' ----------------------------------------------------------------------------
' ADSI / ADO
' ----------------------------------------------------------------------------
Function AdoExecute(text, paged)
  Dim cmd
  If IsEmpty(gConn) Then
    Set gConn = CreateObject("ADODB.Connection")
    gConn.Provider = "ADsDSOObject"
    gConn.Open "Active Directory Provider"
  End If
  Set cmd = CreateObject("ADODB.Command")
  Set cmd.ActiveConnection = gConn
  If paged Then cmd.Properties("Page Size") = 500
  cmd.CommandText = text
  Set AdoExecute = cmd.Execute
End Function

Function OwnDn()
  ' Nom distinctif du compte : ADSystemInfo, sinon recherche sur sAMAccountName
  Dim info, rs, dn
  OwnDn = ""
  On Error Resume Next
  Set info = CreateObject("ADSystemInfo")
  dn = ""
  dn = info.UserName
  Err.Clear
  If dn = "" And gDefaultNC <> "" Then
    Set rs = AdoExecute("<LDAP://" & AdsEsc(gDefaultNC) & ">;(&(objectCategory=person)(sAMAccountName=" & _
                        LdapEsc(EnvOr("USERNAME", "")) & "));distinguishedName;subtree", False)
    If Err.Number = 0 Then
      If Not rs.EOF Then dn = rs.Fields("distinguishedName").Value
      rs.Close
    End If
    Err.Clear
  End If
  If IsNull(dn) Or IsEmpty(dn) Then dn = ""
  OwnDn = CStr(dn)
End Function

Function AdsEsc(dn)
  AdsEsc = Replace(dn, "/", "\/")
End Function

Function LdapEsc(s)
  LdapEsc = Replace(Replace(Replace(Replace(Replace(s, "\", "\5c"), "*", "\2a"), "(", "\28"), ")", "\29"), Chr(0), "\00")
End Function

' ----------------------------------------------------------------------------
' Enregistrements (docs/collection-format.md, section 3)
' ----------------------------------------------------------------------------
Sub PutProp(name, v)
  gF.Write PropText(name, v)
End Sub

Function PropText(name, v)
  ' "Name=valeur" ou "Name!" (Null) ; booleens True/False quelle que soit la
  ' langue de Windows (CStr(True) vaut "Vrai" sur un Windows francais).
  Dim t
  If IsObject(v) Then
    PropText = name & "=" & RecEscape(TypeName(v)) & vbCrLf
  ElseIf IsNull(v) Or IsEmpty(v) Then
    PropText = name & "!" & vbCrLf
  ElseIf VarType(v) = vbBoolean Then
    If v Then t = "True" Else t = "False"
    PropText = name & "=" & t & vbCrLf
  Else
    PropText = name & "=" & RecEscape(CStr(v)) & vbCrLf
  End If
End Function

Function RecEscape(s)
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

Function BinHex(v)
  ' Octets (VT_ARRAY|VT_UI1) -> hexadecimal minuscule, par MSXML "bin.hex"
  Dim doc
  If IsNull(v) Or IsEmpty(v) Then
    BinHex = Null
    Exit Function
  End If
  If VarType(v) <> 8209 Then Err.Raise 13, "BinHex", "octets attendus (VarType " & VarType(v) & ")"
  If IsEmpty(gHexEl) Then
    On Error Resume Next
    Set doc = WScript.CreateObject("MSXML2.DOMDocument")
    If Err.Number <> 0 Then
      Err.Clear
      Set doc = WScript.CreateObject("Microsoft.XMLDOM")
    End If
    On Error GoTo 0
    Set gHexEl = doc.createElement("b")
    gHexEl.dataType = "bin.hex"
  End If
  gHexEl.nodeTypedValue = ByValue(v)
  BinHex = LCase(gHexEl.text)
End Function

Function ByValue(x)
  ByValue = x
End Function

Function HexByte(h, i)
  ' octet i (0 = premier) d'une chaine hexadecimale
  HexByte = CLng("&H" & Mid(h, i * 2 + 1, 2))
End Function

Function Le32At(h, i)
  Le32At = HexByte(h, i) + HexByte(h, i + 1) * 256 + HexByte(h, i + 2) * 65536 + HexByte(h, i + 3) * 16777216
End Function

' ----------------------------------------------------------------------------
' Outils
' ----------------------------------------------------------------------------
Function NoteErr(errs, what)
  ' Ajoute l'erreur en cours (s'il y en a une) a errs et l'efface.
  NoteErr = errs
  If Err.Number <> 0 Then
    If errs <> "" Then NoteErr = errs & " ; "
    NoteErr = NoteErr & what & " : " & ErrText(Err.Number, Err.Description)
    Err.Clear
  End If
End Function

Function ErrText(num, desc)
  Dim t
  t = Trim(Replace(Replace(CStr(desc), vbCr, " "), vbLf, " "))
  If t = "" Then t = Fr("erreur sans description")
  ErrText = "0x" & UCase(HexN(num, 8)) & " " & t
End Function

Function Q(s)
  Q = """" & s & """"
End Function

Function ComSpec()
  ComSpec = Env("%SystemRoot%\system32\cmd.exe")
End Function

Function Env(s)
  ' (Wine 8 rend la chaine avec son NUL final)
  Env = Replace(sh.ExpandEnvironmentStrings(s), Chr(0), "")
End Function

Function EnvOr(name, dflt)
  Dim v
  v = Env("%" & name & "%")
  If v = "%" & name & "%" Or v = "" Then EnvOr = dflt Else EnvOr = v
End Function

Sub Nap()
  ' WScript.Sleep manque sous Wine 8 : attente active en repli
  Dim t0
  On Error Resume Next
  WScript.Sleep 200
  If Err.Number <> 0 Then
    Err.Clear
    t0 = Timer
    Do While Abs(Timer - t0) < 0.2
    Loop
  End If
End Sub

Function PushArr(a, v)
  Dim n
  If UBound(a) < LBound(a) Then
    a = Array(v)
  Else
    n = UBound(a) + 1
    ReDim Preserve a(n)
    If IsObject(v) Then Set a(n) = v Else a(n) = v
  End If
  PushArr = a
End Function

Function Pad2(n)
  Pad2 = Right("0" & CStr(n), 2)
End Function

Function HexN(n, width)
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

Function IsHex(s)
  Dim i
  IsHex = (Len(s) > 0)
  For i = 1 To Len(s)
    If InStr("0123456789abcdef", LCase(Mid(s, i, 1))) = 0 Then
      IsHex = False
      Exit Function
    End If
  Next
End Function

Function UChr(code)
  Dim s
  On Error Resume Next
  s = ChrW(code)
  If Err.Number <> 0 Then
    Err.Clear
    If code < 256 Then s = Chr(code) Else s = "?"
  End If
  UChr = s
End Function

Function Fr(s)
  ' "R{e9}seau" -> "Reseau" avec e accent aigu
  Dim p, q, out
  out = ""
  p = 1
  Do
    q = InStr(p, s, "{")
    If q = 0 Then Exit Do
    If Mid(s, q + 3, 1) = "}" And IsHex(Mid(s, q + 1, 2)) Then
      out = out & Mid(s, p, q - p) & UChr(CLng("&H" & Mid(s, q + 1, 2)))
      p = q + 4
    Else
      out = out & Mid(s, p, q - p + 1)
      p = q + 1
    End If
  Loop
  Fr = out & Mid(s, p)
End Function

Sub Say(s)
  WScript.Echo Fr(s)
End Sub
