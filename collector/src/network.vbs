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
