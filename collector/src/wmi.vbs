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
