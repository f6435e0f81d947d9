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
