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
