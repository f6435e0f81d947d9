' ----------------------------------------------------------------------------
' Plate-forme : variables d'environnement, version de Windows, dossiers
' ----------------------------------------------------------------------------

Function Env(s)
  ' Wine 8 laisse un caractere NUL final : on le retire.
  Env = Replace(sh.ExpandEnvironmentStrings(s), Chr(0), "")
End Function

Function EnvOrEmpty(name)
  Dim v
  v = Env("%" & name & "%")
  If v = "%" & name & "%" Then v = ""
  EnvOrEmpty = v
End Function

Sub DetectPlatform()
  On Error Resume Next
  Dim arch, archW, full
  arch = UCase(EnvOrEmpty("PROCESSOR_ARCHITECTURE"))
  archW = UCase(EnvOrEmpty("PROCESSOR_ARCHITEW6432"))
  full = LCase(WScript.FullName)
  gIsWow = (archW <> "") Or (InStr(full, "\syswow64\") > 0)
  gIs64 = gIsWow Or arch = "AMD64" Or arch = "IA64"
  gOemCp = ""
  gAnsiCp = ""
  gOemCp = sh.RegRead("HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage\OEMCP")
  gAnsiCp = sh.RegRead("HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage\ACP")
  Err.Clear
  If gOemCp = "" Then gOemCp = "850"
  If gAnsiCp = "" Then gAnsiCp = "1252"
  gTzOffset = 0
  Dim tz, found
  found = False
  WmiService
  found = ReadTimeZone()
  Err.Clear
  If Not found Then
    tz = sh.RegRead("HKLM\SYSTEM\CurrentControlSet\Control\TimeZoneInformation\ActiveTimeBias")
    If Err.Number = 0 Then gTzOffset = -CLng(tz)
    Err.Clear
  End If
End Sub

Function ReadTimeZone()
  ' Decalage UTC en minutes (heure d'ete comprise) et version de Windows
  ' ("5.0.2195" Windows 2000, "5.2.3790" Windows Server 2003) :
  ' Win32_OperatingSystem
  Dim os, tz
  ReadTimeZone = False
  For Each os In gWmi.ExecQuery("SELECT CurrentTimeZone, Version FROM Win32_OperatingSystem")
    gOsVersion = os.Version
    tz = os.CurrentTimeZone
    If Not IsNull(tz) Then
      gTzOffset = CLng(tz)
      ReadTimeZone = True
    End If
  Next
End Function

Function IsWindows2000()
  ' Win32_OperatingSystem.Version 5.0 (contrat, section 2) ; version inconnue
  ' (WMI muet) : on ne saute rien, les etapes diront elles-memes leur echec.
  IsWindows2000 = (Left(gOsVersion, 4) = "5.0.")
End Function

Function PrepareFolders()
  On Error Resume Next
  Dim tmpBase, i
  PrepareFolders = False
  If Not fso.FolderExists(gOutParent) Then fso.CreateFolder gOutParent
  Err.Clear
  gCol = gOutParent & "\" & gBase
  If Not fso.FolderExists(gCol) Then fso.CreateFolder gCol
  If Err.Number <> 0 Or Not fso.FolderExists(gCol) Then
    ' Dossier du script en lecture seule (CD, partage) : repli sur %TEMP%.
    Err.Clear
    gOutParent = Env("%TEMP%")
    gCol = gOutParent & "\" & gBase
    fso.CreateFolder gCol
    If Not fso.FolderExists(gCol) Then Exit Function
  End If
  gOutParent = fso.GetFolder(gOutParent).Path
  gCol = fso.GetFolder(gCol).Path
  tmpBase = Env("%TEMP%")
  If Not fso.FolderExists(tmpBase) Then tmpBase = gOutParent
  gTmp = tmpBase & "\vmes-audit-tmp-" & gStamp
  If Not fso.FolderExists(gTmp) Then fso.CreateFolder gTmp
  If Not fso.FolderExists(gTmp) Then Exit Function
  ' Chemin court (8.3) : le fichier .cmd de lancement reste en ASCII.
  gTmp = fso.GetFolder(gTmp).ShortPath
  Err.Clear
  PrepareFolders = True
End Function

Sub CleanupTmp()
  On Error Resume Next
  If gTmp <> "" Then fso.DeleteFolder gTmp, True
  Err.Clear
End Sub
