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
