' ----------------------------------------------------------------------------
' TEST BUILD ONLY (tests/collector_ad/double): the ADSI/ADO test double.
' Appended to a test build of collect.vbs, never to the released file. The
' user functions CreateObject and GetObject below shadow VBScript's own in the
' whole script: ADODB.Connection/Command come from the classes here (a method
' named Execute, properties set with an argument), LDAP:// and GC:// binds,
' ADsSecurityUtility and ADSystemInfo from adsi_double.js hosted by
' MSScriptControl (JScript objects may have a method named Get); every other
' ProgID goes to WScript.CreateObject, and winmgmts: to SWbemLocator (Wine 8
' has no WScript.GetObject). Environment: VMES_DOUBLE_JS (the JScript file),
' VMES_DOUBLE_URL (the Python bridge), VMES_DOUBLE_COV (line counters out).
' (Wine 8's VBScript refuses "Public a, b" in a class: one member a line.)
' ----------------------------------------------------------------------------
Dim gDblJs, gDblApi, gDblCov, gDblCovN

Sub DblInit()
  Dim path
  If Not IsEmpty(gDblApi) Then Exit Sub
  Set gDblJs = WScript.CreateObject("MSScriptControl.ScriptControl")
  gDblJs.Language = "JScript"
  gDblJs.Timeout = -1
  gDblJs.AddObject "vb", New DblFactory
  path = Replace(WScript.CreateObject("WScript.Shell").ExpandEnvironmentStrings("%VMES_DOUBLE_JS%"), Chr(0), "")
  gDblJs.AddCode WScript.CreateObject("Scripting.FileSystemObject").OpenTextFile(path, 1).ReadAll
  Set gDblApi = gDblJs.Eval("api")
  gDblApi.init Replace(WScript.CreateObject("WScript.Shell").ExpandEnvironmentStrings("%VMES_DOUBLE_URL%"), Chr(0), "")
End Sub

Function CreateObject(progId)
  Select Case LCase(progId)
    Case "adodb.connection"
      Set CreateObject = New DblConnection
    Case "adodb.command"
      Set CreateObject = New DblCommand
    Case "adssecurityutility", "adsysteminfo"
      DblInit
      Set CreateObject = gDblApi.create(LCase(progId))
    Case Else
      Set CreateObject = WScript.CreateObject(progId)
  End Select
End Function

Function GetObject(path)
  Dim p
  p = LCase(path)
  If Left(p, 7) = "ldap://" Or Left(p, 5) = "gc://" Then
    DblInit
    Set GetObject = gDblApi.bind(path)
  ElseIf Left(p, 9) = "winmgmts:" Then
    Set GetObject = DblWmi(path)
  Else
    ' MK_E_SYNTAX: no other moniker is modelled (WinNT:// is not used by the AD steps)
    Err.Raise &H800401E4, "GetObject", "moniker non pris en charge par la doublure : " & path
  End If
End Function

Function DblWmi(path)
  ' winmgmts:{...}!\\.\root\cimv2[:Classe.Cle=...] -> SWbemLocator
  Dim rest, i, ns, objPath, svc
  i = InStr(path, "!")
  If i > 0 Then rest = Mid(path, i + 1) Else rest = Mid(path, 10)
  If Left(rest, 2) = "\\" Then rest = Mid(rest, InStr(3, rest, "\") + 1)
  i = InStr(rest, ":")
  If i > 0 Then
    ns = Left(rest, i - 1)
    objPath = Mid(rest, i + 1)
  Else
    ns = rest
    objPath = ""
  End If
  If ns = "" Then ns = "root\cimv2"
  Set svc = WScript.CreateObject("WbemScripting.SWbemLocator").ConnectServer(".", ns)
  If objPath = "" Then Set DblWmi = svc Else Set DblWmi = svc.Get(objPath)
End Function

Class DblConnection
  ' ADODB.Connection with the ADsDSOObject provider
  Public Provider
  Public ConnectionString
  Public State
  Public OpenRecordsets
  Private Sub Class_Initialize()
    State = 0
    OpenRecordsets = 0
  End Sub
  Public Sub Open(s)
    DblInit
    State = 1
  End Sub
  Public Sub Close()
    State = 0
  End Sub
End Class

Class DblCommand
  Public CommandText
  Private mConn
  Private mProps
  Private Sub Class_Initialize()
    Set mProps = WScript.CreateObject("Scripting.Dictionary")
  End Sub
  Public Property Set ActiveConnection(c)
    Set mConn = c
  End Property
  Public Property Get ActiveConnection()
    Set ActiveConnection = mConn
  End Property
  Public Property Let Properties(n, v)
    mProps(LCase(n)) = v
  End Property
  Public Function Execute()
    Dim rs
    If Not IsObject(mConn) Then Err.Raise 3709, "ADODB.Command", "connexion absente"
    If mConn.State <> 1 Then Err.Raise 3709, "ADODB.Command", "connexion fermee"
    If mConn.OpenRecordsets > 0 And Not gDblApi.secondExecuteOk() Then
      ' the probe said a second Execute fails while a recordset is open
      Err.Raise &H80004005, "ADODB.Command", "recordset ouvert sur la connexion"
    End If
    Set rs = New DblRecordset
    rs.Init gDblApi.search(CommandText), mConn
    Set Execute = rs
  End Function
End Class

Class DblRecordset
  Public EOF
  Public BOF
  Private mRows
  Private mI
  Private mN
  Private mConn
  Private mOpen
  Public Sub Init(rows, conn)
    Set mRows = rows
    Set mConn = conn
    mN = rows.count()
    mI = 0
    EOF = (mN = 0)
    BOF = EOF
    mOpen = Not EOF
    If mOpen Then mConn.OpenRecordsets = mConn.OpenRecordsets + 1
  End Sub
  Private Sub Done()
    If mOpen Then mConn.OpenRecordsets = mConn.OpenRecordsets - 1
    mOpen = False
  End Sub
  Public Sub MoveNext()
    If EOF Then Err.Raise 3021, "ADODB.Recordset", "BOF ou EOF"
    mI = mI + 1
    EOF = (mI >= mN)
    If EOF Then Done
  End Sub
  Public Function Fields(name)
    If EOF Then Err.Raise 3021, "ADODB.Recordset", "BOF ou EOF"
    Dim f
    Set f = New DblField
    f.Name = name
    f.Value = mRows.value(mI, name)
    Set Fields = f
  End Function
  Public Property Get RecordCount()
    RecordCount = mN
  End Property
  Public Sub Close()
    Done
  End Sub
  Private Sub Class_Terminate()
    Done
  End Sub
End Class

Class DblField
  Public Name
  Public Value
End Class

Class DblFactory
  ' Called by adsi_double.js: the objects whose properties the collector reads
  Public Function MkSd(owner, group, control, hex, rawhex)
    Dim o
    Set o = New DblSecurityDescriptor
    o.Owner = owner
    o.Group = group
    o.Control = control
    o.SetHex hex, rawhex
    Set MkSd = o
  End Function
  Public Function MkAce(aceType, aceFlags, mask, flags, objType, inhType, trustee)
    Dim o
    Set o = New DblAce
    o.AceType = aceType
    o.AceFlags = aceFlags
    o.AccessMask = mask
    o.Flags = flags
    o.ObjectType = objType
    o.InheritedObjectType = inhType
    o.Trustee = trustee
    Set MkAce = o
  End Function
  Public Function MkLargeInt(hi, lo)
    Dim o
    Set o = New DblLargeInteger
    o.HighPart = hi
    o.LowPart = lo
    Set MkLargeInt = o
  End Function
  Public Function MkSysInfo(userDn, computer)
    Dim o
    Set o = New DblSystemInfo
    o.UserName = userDn
    o.ComputerName = computer
    Set MkSysInfo = o
  End Function
End Class

Class DblSecurityDescriptor
  ' IADsSecurityDescriptor; DiscretionaryAcl is an array of ACEs (For Each as on an IADsAccessControlList)
  Public Owner
  Public Group
  Public Control
  Public Revision
  Public DiscretionaryAcl
  Private mHex
  Private mRawHex
  Public Sub AddAce(ace)
    Dim n
    If IsArray(DiscretionaryAcl) Then n = UBound(DiscretionaryAcl) + 1 Else n = 0
    If n = 0 Then
      DiscretionaryAcl = Array(ace)
    Else
      ReDim Preserve DiscretionaryAcl(n)
      Set DiscretionaryAcl(n) = ace
    End If
  End Sub
  Public Sub SetHex(hex, rawHex)
    DiscretionaryAcl = Array()
    Revision = 1
    mHex = hex
    mRawHex = rawHex
  End Sub
  Public Function DblHex(raw)
    If raw Then DblHex = mRawHex Else DblHex = mHex
  End Function
End Class

Class DblAce
  Public AceType
  Public AceFlags
  Public AccessMask
  Public Flags
  Public ObjectType
  Public InheritedObjectType
  Public Trustee
End Class

Class DblLargeInteger
  Public HighPart
  Public LowPart
End Class

Class DblSystemInfo
  Public UserName
  Public ComputerName
End Class

' ---- line counters of the instrumented AD modules ----
Sub DblCovStart(n)
  gDblCovN = n
  ReDim gDblCov(n)
End Sub

Sub CovHit(k)
  gDblCov(k) = gDblCov(k) + 1
End Sub

Sub DblCovEnd()
  Dim path, f, i, s
  path = Replace(WScript.CreateObject("WScript.Shell").ExpandEnvironmentStrings("%VMES_DOUBLE_COV%"), Chr(0), "")
  If path = "" Or Left(path, 1) = "%" Then Exit Sub
  s = ""
  For i = 0 To gDblCovN - 1
    s = s & (gDblCov(i) + 0) & vbLf
  Next
  If Not IsEmpty(gDblApi) Then s = s & "requests " & gDblApi.requests() & vbLf
  Set f = WScript.CreateObject("Scripting.FileSystemObject").CreateTextFile(path, True)
  f.Write s
  f.Close
End Sub
