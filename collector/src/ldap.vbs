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
