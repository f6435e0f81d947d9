' ----------------------------------------------------------------------------
' Versions de fichiers (MAPI, Exchange)
' ----------------------------------------------------------------------------

Sub StepFileVersions()
  Dim paths, i, bin, pf, pf86, typ, data
  OpenRecords "file_versions", "Scripting.FileSystemObject.GetFileVersion"
  pf = Env("%ProgramFiles%")
  pf86 = EnvOrEmpty("ProgramFiles(x86)")
  paths = Array(Env("%SystemRoot%\system32\mapi32.dll"), Env("%SystemRoot%\system32\emsmdb32.dll"), _
                pf & "\ExchangeMAPI\exmapi32.dll", pf & "\ExchangeMAPI\emsmdb32.dll")
  If pf86 <> "" And LCase(pf86) <> LCase(pf) Then
    paths = PushArr(paths, pf86 & "\ExchangeMAPI\exmapi32.dll")
    paths = PushArr(paths, pf86 & "\ExchangeMAPI\emsmdb32.dll")
  End If
  If IsEmpty(gExchServices) Then
    If ReadRegValue("HKLM\SOFTWARE\Microsoft\Exchange\Setup", "Services", typ, data) Then gExchServices = data
  End If
  If Not IsEmpty(gExchServices) And Not IsNull(gExchServices) Then
    bin = CStr(gExchServices)
    If Right(bin, 1) = "\" Then bin = Left(bin, Len(bin) - 1)
    If bin <> "" Then
      RecComment "Exchange Setup Services = " & bin
      bin = bin & "\bin"
      paths = PushArr(paths, bin & "\emsmdb32.dll")
      paths = PushArr(paths, bin & "\mapi32.dll")
      paths = PushArr(paths, bin & "\store.exe")
      paths = PushArr(paths, bin & "\cdo.dll")
    End If
  Else
    RecComment "Exchange Setup Services absent : dossier bin d'Exchange inconnu"
  End If
  For i = 0 To UBound(paths)
    WriteFileRecord paths(i)
  Next
End Sub

Sub WriteFileRecord(p)
  Dim v, sz
  RecKind "file"
  RecProp "Path", p
  If fso.FileExists(p) Then
    RecProp "Exists", True
    On Error Resume Next
    v = fso.GetFileVersion(p)
    If Err.Number <> 0 Then v = ""
    sz = fso.GetFile(p).Size
    Err.Clear
    On Error GoTo 0
    RecProp "Version", v
    RecProp "Size", sz
  Else
    RecProp "Exists", False
    RecProp "Version", Null
    RecProp "Size", Null
  End If
End Sub
