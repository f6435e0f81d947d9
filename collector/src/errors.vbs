' ----------------------------------------------------------------------------
' Textes d'erreur : numero HRESULT en hexadecimal + description de Windows
' ----------------------------------------------------------------------------

Function ErrText(num, desc)
  ' "0x80072EE7 Le nom ne peut pas etre resolu" (description de Windows si presente)
  Dim t
  t = Trim(Replace(Replace(CStr(desc), vbCr, " "), vbLf, " "))
  If t = "" Then t = KnownError(num)
  ErrText = "0x" & UCase(HexN(num, 8)) & " " & t
End Function

Function KnownError(num)
  Dim code
  code = CDbl(num)
  If code < 0 Then code = code + 4294967296
  Select Case code
    Case 2147942402: KnownError = Fr("fichier ou cl{e9} introuvable")
    Case 2147942405: KnownError = Fr("acc{e8}s refus{e9}")
    Case 2147943755: KnownError = Fr("le domaine sp{e9}cifi{e9} n'existe pas ou n'est pas joignable")
    Case 2147745792: KnownError = Fr("ADSI : erreur non sp{e9}cifi{e9}e (chemin ADsPath invalide)")
    Case 2147749890: KnownError = Fr("WMI : introuvable")
    Case 2147749904: KnownError = Fr("WMI : classe non valide")
    Case 2147749911: KnownError = Fr("WMI : requ{ea}te non valide")
    Case 2147746276: KnownError = Fr("syntaxe de moniker non valide (fournisseur ADSI LDAP absent ?)")
    Case 2147614749: KnownError = Fr("biblioth{e8}que de types non enregistr{e9}e")
    Case 2148270077, 2148270078: KnownError = Fr("l'objet ne g{e8}re pas cette action")
    Case Else
      If Int(code / 65536) = 32775 Then
        KnownError = WinHttpText(code - 2147942400)
      Else
        KnownError = Fr("erreur sans description")
      End If
  End Select
End Function

Function WinHttpText(n)
  Select Case n
    Case 12002: WinHttpText = Fr("d{e9}lai d'attente d{e9}pass{e9}")
    Case 12005: WinHttpText = Fr("URL non valide")
    Case 12007: WinHttpText = Fr("le nom du serveur n'a pas pu {ea}tre r{e9}solu")
    Case 12029: WinHttpText = Fr("impossible d'{e9}tablir la connexion avec le serveur")
    Case 12030: WinHttpText = Fr("la connexion avec le serveur a {e9}t{e9} interrompue")
    Case 12038: WinHttpText = Fr("le nom du certificat ne correspond pas au serveur")
    Case 12044: WinHttpText = Fr("le serveur demande un certificat client")
    Case 12045: WinHttpText = Fr("autorit{e9} de certification inconnue")
    Case 12152: WinHttpText = Fr("r{e9}ponse du serveur non valide")
    Case 12157: WinHttpText = Fr("erreur du canal s{e9}curis{e9} (TLS)")
    Case 12175: WinHttpText = Fr("erreur de s{e9}curit{e9} (certificat ou TLS)")
    Case 12180: WinHttpText = Fr("d{e9}tection automatique du proxy en {e9}chec")
    Case Else: WinHttpText = Fr("erreur WinHTTP ") & n
  End Select
End Function
