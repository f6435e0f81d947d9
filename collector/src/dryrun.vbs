' ----------------------------------------------------------------------------
' Mode simulation (/dryrun)
' ----------------------------------------------------------------------------

Sub DryRun()
  Dim i, d, n
  Say "MODE SIMULATION (/dryrun) : rien n'est collect{e9}, aucun fichier n'est {e9}crit."
  Say "Voici ce que la collecte ex{e9}cuterait, dans l'ordre :"
  Say ""
  n = 0
  For i = 0 To gDeclCount - 1
    Set d = gDecl(i)
    If Selected(d) Then
      n = n + 1
      Say "[" & n & "/" & gStepTotal & "] " & d("label") & "  ->  " & d("name") & "." & d("ext")
      DescribeStep d
    End If
  Next
  Say ""
  Say "Puis : {e9}criture de manifest.json et de l'archive " & gBase & ".zip."
  Say "Fin de la simulation : aucune donn{e9}e collect{e9}e."
End Sub

Sub DescribeStep(d)
  Dim k, i
  Select Case d("proc")
    Case "cmd", "whoami"
      Say "      commande : cmd /c " & d("param") & " > fichier (sortie en page de code OEM, d{e9}lai max. " & gTimeout & " s)"
    Case "wmi"
      Say "      requ{ea}te WMI (root\cimv2) : " & d("param")
    Case "regvalues"
      Say "      registre (WMI StdRegProv, root\default) : lecture des valeurs :"
      k = RegValueList()
      For i = 0 To UBound(k)
        Say "        " & k(i)(0) & " : " & k(i)(1)
      Next
    Case "regexport"
      Say "      commande : regedit /e fichier """ & d("param") & """"
      If d("name") = "reg_mapi_profiles" Then Say "      puis suppression des valeurs de mot de passe du fichier export{e9}"
    Case "fileversions"
      Say "      FileSystemObject.GetFileVersion : mapi32.dll, emsmdb32.dll, exmapi32.dll, store.exe, cdo.dll"
    Case "tokengroups"
      Say "      ADSI : ADSystemInfo.UserName ({runAsDN}, le compte courant), puis :"
      PrintLdapLines "token_groups"
    Case "wmiaccounts"
      Say "      requ{ea}tes WMI (root\cimv2) : " & d("param")
    Case "localadmins"
      Say "      requ{ea}te WMI : SELECT * FROM Win32_Group WHERE SID='S-1-5-32-544' AND LocalAccount=True"
      Say "      puis ADSI : WinNT://" & gHost & "/<groupe>,group (membres)"
    Case "ad"
      ' exchange_version lit d'abord le RootDSE ({exchangeBase})
      If d("name") = "exchange_version" Then PrintLdapLines "ad_rootdse"
      PrintLdapLines d("name")
      Select Case d("name")
        Case "ad_rootdse"
          Say "      (format : LDAP | artefact | base | port{e9}e | filtre | attributs ; SD = descripteur de s{e9}curit{e9} : propri{e9}taire, groupe et DACL, jamais la SACL)"
        Case "ad_mail_containers"
          Say "      seul le conteneur de chaque utilisateur dot{e9} d'une bo{ee}te aux lettres est gard{e9}, avec un compteur, " & MAILCONTAINERS_LIMIT & " conteneurs au plus : aucun nom d'utilisateur n'est collect{e9}"
        Case "ad_mail_users_protected"
          Say "      m{ea}me recherche que ad_mail_containers (ex{e9}cut{e9}e une fois) : seuls les utilisateurs dont l'h{e9}ritage est d{e9}sactiv{e9} sont nomm{e9}s, " & PROTECTED_USERS_LIMIT & " au plus, avec le nombre total"
        Case "ad_acl"
          Say "      (recherches du titulaire : seulement quand Windows ne rend pas le descripteur binaire, pour un titulaire donn{e9} par son nom)"
        Case "ad_admincount_users"
          Say "      " & ADMINCOUNT_LIMIT & " comptes au plus, avec leur nombre total"
      End Select
    Case "netproxy"
      Say "      registre : HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings (ProxyEnable, ProxyServer, ProxyOverride, AutoConfigURL)"
      Say "      registre : HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections\WinHttpSettings"
    Case "netnoc"
      Say "      WinHTTP : GET " & NocUrl(gNocHost) & " puis GET " & NocUrl(gNocAddr) & " (r{e9}solution DNS par ping -n 1)"
    Case "netexch"
      Say "      pour chaque serveur Exchange de l'annuaire : r{e9}solution DNS, m{ea}me sous-r{e9}seau, port TCP 135"
  End Select
End Sub
