' ----------------------------------------------------------------------------
' Empreintes : CRC-32 (archive ZIP) et SHA-256 (manifeste), en VBScript
'
' Une seule lecture de chaque fichier, octet par octet : TextStream.Read(1)
' en mode ASCII (page ANSI mono-octet : un caractere par octet) et un
' dictionnaire caractere -> octet ; le CRC-32 avance de deux octets par
' consultation d'une table de 65536 entrees. Les boucles
' n'appellent aucune fonction du langage (Asc, Mid, CLng, Int...) et n'ont que
' des variables locales : sous Wine, chaque appel de fonction du langage ou
' variable globale parcourt tous les noms du script (des dizaines de
' microsecondes).
'
' SHA-256 n'est calcule que pour les fichiers d'au plus SHA256_MAX_BYTES
' octets (contrat, section 2) : au-dela, le champ sha256 du manifeste est
' vide et l'integrite repose sur le CRC-32 de l'entree ZIP et sur la taille.
' ----------------------------------------------------------------------------
Const SHA256_MAX_BYTES = 131072
Dim CRCT, CRC16, SHAK, gByteOf

Sub InitHashTables()
  Dim i, j, k, c, kk, t1, t2, a16
  ReDim CRCT(255), SHAK(63), t2(255), a16(65535)
  kk = Array( _
    &H428A2F98, &H71374491, &HB5C0FBCF, &HE9B5DBA5, &H3956C25B, &H59F111F1, &H923F82A4, &HAB1C5ED5, _
    &HD807AA98, &H12835B01, &H243185BE, &H550C7DC3, &H72BE5D74, &H80DEB1FE, &H9BDC06A7, &HC19BF174, _
    &HE49B69C1, &HEFBE4786, &H0FC19DC6, &H240CA1CC, &H2DE92C6F, &H4A7484AA, &H5CB0A9DC, &H76F988DA, _
    &H983E5152, &HA831C66D, &HB00327C8, &HBF597FC7, &HC6E00BF3, &HD5A79147, &H06CA6351, &H14292967, _
    &H27B70A85, &H2E1B2138, &H4D2C6DFC, &H53380D13, &H650A7354, &H766A0ABB, &H81C2C92E, &H92722C85, _
    &HA2BFE8A1, &HA81A664B, &HC24B8B70, &HC76C51A3, &HD192E819, &HD6990624, &HF40E3585, &H106AA070, _
    &H19A4C116, &H1E376C08, &H2748774C, &H34B0BCB5, &H391C0CB3, &H4ED8AA4A, &H5B9CCA4F, &H682E6FF3, _
    &H748F82EE, &H78A5636F, &H84C87814, &H8CC70208, &H90BEFFFA, &HA4506CEB, &HBEF9A3F7, &HC67178F2)
  For i = 0 To 63
    SHAK(i) = kk(i)
  Next
  ' CRC-32, polynome 0xEDB88320 (forme reflechie) : table d'un octet T...
  For i = 0 To 255
    c = i
    For k = 0 To 7
      If (c And 1) <> 0 Then
        c = &HEDB88320 Xor Shr1(c)
      Else
        c = Shr1(c)
      End If
    Next
    CRCT(i) = c
  Next
  ' ... et de deux octets (T lineaire : T[a Xor b] = T[a] Xor T[b]) :
  ' CRC16[x0 + 256*x1] = T[T[x0] And 255] Xor (T[x0] >>> 8) Xor T[x1]
  ' (construite dans des variables locales : voir l'en-tete)
  t1 = CRCT
  For i = 0 To 255
    t2(i) = t1(t1(i) And 255) Xor Shr8(t1(i))
  Next
  For j = 0 To 255
    c = t1(j)
    For i = 0 To 255
      a16(i + j * 256) = t2(i) Xor c
    Next
  Next
  CRC16 = a16
  ' caractere lu en mode ASCII -> valeur de l'octet
  Set gByteOf = CreateObject("Scripting.Dictionary")
  For i = 0 To 255
    gByteOf(Chr(i)) = i
  Next
End Sub

Function Shr1(x)
  ' decalage logique d'un bit a droite d'un mot de 32 bits (Long signe)
  If x < 0 Then
    Shr1 = ((x And &H7FFFFFFF) \ 2) Or &H40000000
  Else
    Shr1 = x \ 2
  End If
End Function

Function Shr8(x)
  If x < 0 Then
    Shr8 = ((x And &H7FFFFFFF) \ 256) Or &H800000
  Else
    Shr8 = x \ 256
  End If
End Function

Sub DigestFile(path, wantSha, ByRef crc, ByRef sha)
  ' crc : CRC-32 du fichier (0..4294967295) ; sha : SHA-256 en hexadecimal
  ' minuscule si wantSha, sinon "". Erreur si un octet n'a pas pu etre lu
  ' comme un caractere (page de code ANSI multi-octets).
  ' (VBScript ignore la casse : un seul nom par variable)
  Dim ts, bd, tb, t16, kc, n, full, blk, t, b, c, v, x, hw, i, r, z, W(63), H(7), tail(127), total, bits
  z = 0.0
  Set bd = gByteOf
  tb = CRCT
  t16 = CRC16
  kc = SHAK
  n = fso.GetFile(path).Size
  H(0) = &H6A09E667
  H(1) = &HBB67AE85
  H(2) = &H3C6EF372
  H(3) = &HA54FF53A
  H(4) = &H510E527F
  H(5) = &H9B05688C
  H(6) = &H1F83D9AB
  H(7) = &H5BE0CD19
  c = -1
  If n > 0 Then Set ts = fso.OpenTextFile(path, 1, False, 0)
  If wantSha Then full = n \ 64 Else full = 0
  ' blocs de 64 octets : CRC-32 et mots SHA-256 (gros-boutistes)
  For blk = 1 To full
    For t = 0 To 15
      ' octets b0 b1 : CRC-32 de la paire (v = b0 + 256 * b1), mot gros-boutiste
      b = bd(ts.Read(1))
      v = b + bd(ts.Read(1)) * 256
      x = (c Xor v) And 65535
      If c < 0 Then c = t16(x) Xor (((c And &H7FFFFFFF) \ 65536) Or 32768) Else c = t16(x) Xor (c \ 65536)
      hw = b * 256 + (v \ 256)
      b = bd(ts.Read(1))
      v = b + bd(ts.Read(1)) * 256
      x = (c Xor v) And 65535
      If c < 0 Then c = t16(x) Xor (((c And &H7FFFFFFF) \ 65536) Or 32768) Else c = t16(x) Xor (c \ 65536)
      x = z + hw * 65536 + b * 256 + (v \ 256)
      If x > 2147483647 Then x = x - 4294967296
      W(t) = x
    Next
    ShaBlock W, H, kc
  Next
  ' le reste : CRC-32 seul deux octets a la fois ; les moins de 64 derniers
  ' octets gardes pour le remplissage SHA-256
  r = n - full * 64
  If Not wantSha Then
    For i = 1 To r \ 2
      b = bd(ts.Read(1))
      x = (c Xor (b + bd(ts.Read(1)) * 256)) And 65535
      If c < 0 Then c = t16(x) Xor (((c And &H7FFFFFFF) \ 65536) Or 32768) Else c = t16(x) Xor (c \ 65536)
    Next
    If (r And 1) = 1 Then
      b = bd(ts.Read(1))
      If c < 0 Then c = tb((c Xor b) And 255) Xor (((c And &H7FFFFFFF) \ 256) Or &H800000) Else c = tb((c Xor b) And 255) Xor (c \ 256)
    End If
  Else
    For i = 0 To r - 1
      b = bd(ts.Read(1))
      If c < 0 Then c = tb((c Xor b) And 255) Xor (((c And &H7FFFFFFF) \ 256) Or &H800000) Else c = tb((c Xor b) And 255) Xor (c \ 256)
      tail(i) = b
    Next
  End If
  If n > 0 Then ts.Close
  If bd.Count <> 256 Then Err.Raise 5, "DigestFile", Fr("lecture octet par octet impossible (page de code ANSI multi-octets ?)")
  c = Not c
  If c < 0 Then crc = z + c + 4294967296 Else crc = z + c
  sha = ""
  If Not wantSha Then Exit Sub
  ' remplissage : 0x80, des zeros, la longueur en bits sur 8 octets
  If r < 56 Then total = 64 Else total = 128
  tail(r) = 128
  For i = r + 1 To total - 1
    tail(i) = 0
  Next
  bits = z + n * 8
  For i = total - 1 To total - 5 Step -1
    tail(i) = bits - (bits \ 256) * 256
    bits = bits \ 256
  Next
  For blk = 0 To total - 64 Step 64
    For t = 0 To 15
      x = z + tail(blk + t * 4) * 16777216 + tail(blk + t * 4 + 1) * 65536 + tail(blk + t * 4 + 2) * 256 + tail(blk + t * 4 + 3)
      If x > 2147483647 Then x = x - 4294967296
      W(t) = x
    Next
    ShaBlock W, H, kc
  Next
  For i = 0 To 7
    sha = sha & HexN(H(i), 8)
  Next
End Sub

Sub ShaBlock(W, H, K)
  ' Compression SHA-256 d'un bloc de 16 mots (FIPS 180-4, 6.2.2) ; mots de
  ' 32 bits en Long signes, sommes en Double ramenees dans [-2^31, 2^31) par
  ' comparaison (sans Int ni CLng), rotations en ligne.
  Dim t, x, s0, s1, va, vb, vc, vd, ve, vf, vg, vh, t1, t2, z
  z = 0.0
  For t = 16 To 63
    x = W(t - 15)
    s0 = (((((x) And &H7FFFFFFF) \ 128) Or ((x < 0) And 16777216)) Or ((x And 63) * 33554432) Or (((x And 64) <> 0) And &H80000000)) Xor (((((x) And &H7FFFFFFF) \ 262144) Or ((x < 0) And 8192)) Or ((x And 131071) * 16384) Or (((x And 131072) <> 0) And &H80000000)) Xor ((((x) And &H7FFFFFFF) \ 8) Or ((x < 0) And 268435456))
    x = W(t - 2)
    s1 = (((((x) And &H7FFFFFFF) \ 131072) Or ((x < 0) And 16384)) Or ((x And 65535) * 32768) Or (((x And 65536) <> 0) And &H80000000)) Xor (((((x) And &H7FFFFFFF) \ 524288) Or ((x < 0) And 4096)) Or ((x And 262143) * 8192) Or (((x And 262144) <> 0) And &H80000000)) Xor ((((x) And &H7FFFFFFF) \ 1024) Or ((x < 0) And 2097152))
    x = z + W(t - 16) + s0 + W(t - 7) + s1
    Do While x > 2147483647
      x = x - 4294967296
    Loop
    Do While x < -2147483648
      x = x + 4294967296
    Loop
    W(t) = x
  Next
  va = H(0)
  vb = H(1)
  vc = H(2)
  vd = H(3)
  ve = H(4)
  vf = H(5)
  vg = H(6)
  vh = H(7)
  For t = 0 To 63
    s1 = (((((ve) And &H7FFFFFFF) \ 64) Or ((ve < 0) And 33554432)) Or ((ve And 31) * 67108864) Or (((ve And 32) <> 0) And &H80000000)) Xor (((((ve) And &H7FFFFFFF) \ 2048) Or ((ve < 0) And 1048576)) Or ((ve And 1023) * 2097152) Or (((ve And 1024) <> 0) And &H80000000)) Xor (((((ve) And &H7FFFFFFF) \ 33554432) Or ((ve < 0) And 64)) Or ((ve And 16777215) * 128) Or (((ve And 16777216) <> 0) And &H80000000))
    t1 = z + vh + s1 + ((ve And vf) Xor ((Not ve) And vg)) + K(t) + W(t)
    s0 = (((((va) And &H7FFFFFFF) \ 4) Or ((va < 0) And 536870912)) Or ((va And 1) * 1073741824) Or (((va And 2) <> 0) And &H80000000)) Xor (((((va) And &H7FFFFFFF) \ 8192) Or ((va < 0) And 262144)) Or ((va And 4095) * 524288) Or (((va And 4096) <> 0) And &H80000000)) Xor (((((va) And &H7FFFFFFF) \ 4194304) Or ((va < 0) And 512)) Or ((va And 2097151) * 1024) Or (((va And 2097152) <> 0) And &H80000000))
    t2 = z + s0 + ((va And vb) Xor (va And vc) Xor (vb And vc))
    vh = vg
    vg = vf
    vf = ve
    x = z + vd + t1
    Do While x > 2147483647
      x = x - 4294967296
    Loop
    Do While x < -2147483648
      x = x + 4294967296
    Loop
    ve = x
    vd = vc
    vc = vb
    vb = va
    x = t1 + t2
    Do While x > 2147483647
      x = x - 4294967296
    Loop
    Do While x < -2147483648
      x = x + 4294967296
    Loop
    va = x
  Next
  H(0) = AddWords(H(0), va)
  H(1) = AddWords(H(1), vb)
  H(2) = AddWords(H(2), vc)
  H(3) = AddWords(H(3), vd)
  H(4) = AddWords(H(4), ve)
  H(5) = AddWords(H(5), vf)
  H(6) = AddWords(H(6), vg)
  H(7) = AddWords(H(7), vh)
End Sub

Function AddWords(a, b)
  ' somme modulo 2^32 de deux mots en Long signes
  Dim x
  x = 0.0 + a + b
  If x > 2147483647 Then x = x - 4294967296
  If x < -2147483648 Then x = x + 4294967296
  AddWords = x
End Function
