' ----------------------------------------------------------------------------
' Grammaires strictes : ce qui peut atteindre une ligne de commande ou une
' requete WQL. Un nom d'hote vient de collect-params.txt, de la ligne de
' commande, ou de l'annuaire (nom ou networkAddress d'un serveur Exchange,
' modifiable par tout administrateur Exchange) : il n'est utilise que s'il
' respecte la grammaire, sinon il est refuse avec un message en francais.
' ----------------------------------------------------------------------------

Function IsIPv4(s)
  ' "192.168.10.5" : quatre nombres de 0 a 255, rien d'autre.
  Dim re, parts, i
  IsIPv4 = False
  If VarType(s) <> vbString Then Exit Function
  Set re = New RegExp
  re.Pattern = "^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$"
  If Not re.Test(s) Then Exit Function
  parts = Split(s, ".")
  For i = 0 To 3
    If CLng(parts(i)) > 255 Then Exit Function
  Next
  IsIPv4 = True
End Function

Function IsDnsName(s)
  ' RFC 1123 : etiquettes de 1 a 63 lettres ASCII, chiffres et tirets, sans
  ' tiret au debut ni a la fin, separees par des points ; 253 caracteres au
  ' plus ; un point final accepte ("exch01.corp.local.").
  Dim re, t
  IsDnsName = False
  If VarType(s) <> vbString Then Exit Function
  t = s
  If Right(t, 1) = "." Then t = Left(t, Len(t) - 1)
  If Len(t) < 1 Or Len(t) > 253 Then Exit Function
  Set re = New RegExp
  ' que des chiffres et des points : une adresse IPv4 mal formee, pas un nom
  re.Pattern = "^[0-9.]+$"
  If re.Test(t) Then Exit Function
  re.Pattern = "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
  IsDnsName = re.Test(t)
End Function

Function IsHostArg(s)
  IsHostArg = IsIPv4(s) Or IsDnsName(s)
End Function

Function HostRefusal(s)
  ' Message (francais) pour un nom d'hote refuse ; le nom est cite echappe.
  HostRefusal = Fr("nom d'h{f4}te refus{e9} (ni nom DNS ni adresse IPv4 : lettres, chiffres, tirets et points seulement) : ") & Quoted(s)
End Function

Function IsAccountArg(s)
  ' Nom du compte de service (sAMAccountName, sans domaine) : 1 a 20
  ' caracteres parmi les lettres (accentuees comprises : Windows-1252 de C0 a
  ' FF, sauf x et division), les chiffres, l'espace, le point, le tiret et le
  ' souligne ; ni espace ni point au debut ou a la fin. 20 caracteres : la
  ' limite du SAM pour un compte utilisateur (MS-SAMR 2.2.7.1, "UserName").
  ' Plus strict qu'Active Directory, qui accepte aussi & % ! ^ ( ) : ces
  ' caracteres changent le sens d'une ligne cmd ; un tel compte est refuse
  ' (meme grammaire que vmes-audit kit).
  Dim i, c, n
  IsAccountArg = False
  If VarType(s) <> vbString Then Exit Function
  If Len(s) < 1 Or Len(s) > 20 Then Exit Function
  If Left(s, 1) = " " Or Left(s, 1) = "." Or Right(s, 1) = " " Or Right(s, 1) = "." Then Exit Function
  For i = 1 To Len(s)
    c = Mid(s, i, 1)
    n = UAsc(c)
    If Not ((c >= "A" And c <= "Z") Or (c >= "a" And c <= "z") Or (c >= "0" And c <= "9") Or _
            c = " " Or c = "." Or c = "-" Or c = "_" Or (n >= 192 And n <= 255 And n <> 215 And n <> 247)) Then Exit Function
  Next
  IsAccountArg = True
End Function

Function AccountRefusal(s)
  AccountRefusal = Fr("nom de compte refus{e9} (lettres, chiffres, espace, point, tiret et soulign{e9} seulement, 20 caract{e8}res au plus, sans domaine) : ") & Quoted(s)
End Function

Function Quoted(s)
  ' Valeur citee dans un message : 60 caracteres au plus, controles en "?".
  Dim t, i, c, out
  t = s & ""
  If Len(t) > 60 Then t = Left(t, 60) & "..."
  out = ""
  For i = 1 To Len(t)
    c = Mid(t, i, 1)
    If UAsc(c) < 32 Or UAsc(c) = 127 Then c = "?"
    out = out & c
  Next
  Quoted = Fr("{ab}{a0}") & out & Fr("{a0}{bb}")
End Function
