' ----------------------------------------------------------------------------
' Archive ZIP (entrees "stored", methode 0), ecrite par le script
' ----------------------------------------------------------------------------

Function Le16(n)
  Le16 = Chr(n And 255) & Chr((n \ 256) And 255)
End Function

Function Le32(v)
  Dim d, i, s, k
  d = CDbl(v)
  If d < 0 Then d = d + 4294967296
  s = ""
  For i = 0 To 3
    k = d - Int(d / 256) * 256
    s = s & Chr(k)
    d = Int(d / 256)
  Next
  Le32 = s
End Function

Function WriteZip(zipPath)
  ' Renvoie "" si l'archive est ecrite, sinon le texte de l'erreur.
  ' Le CRC-32 de chaque artefact a ete calcule a son etape (hash.vbs) ; celui
  ' de manifest.json l'est ici.
  Dim names, crcs, n, i, r, data, crc, sha, hdr, cd, offset, dosTime, dosDate, nm, tmpZip, zf, en, ed, sz
  On Error Resume Next
  WriteZip = ""
  n = 0
  ReDim names(gResultCount), crcs(gResultCount)
  For i = 0 To gResultCount - 1
    Set r = gResults(i)
    If r("file") <> "" Then
      names(n) = r("file")
      crcs(n) = r("crc32")
      n = n + 1
    End If
  Next
  names(n) = "manifest.json"
  crcs(n) = Null
  n = n + 1
  dosTime = Hour(gStarted) * 2048 + Minute(gStarted) * 32 + (Second(gStarted) \ 2)
  dosDate = (Year(gStarted) - 1980) * 512 + Month(gStarted) * 32 + Day(gStarted)
  tmpZip = zipPath & ".partiel"
  Set zf = fso.CreateTextFile(tmpZip, True, False)
  If Err.Number <> 0 Then
    WriteZip = ErrText(Err.Number, Err.Description)
    Err.Clear
    Exit Function
  End If
  cd = ""
  offset = 0
  For i = 0 To n - 1
    nm = names(i)
    sz = fso.GetFile(gCol & "\" & nm).Size
    data = ReadAllAscii(gCol & "\" & nm)
    If Len(data) <> sz Then
      Err.Raise 5, "WriteZip", "lecture octet par octet impossible (page de code ANSI multi-octets ?) : " & nm
    End If
    crc = crcs(i)
    If IsNull(crc) Then DigestFile gCol & "\" & nm, False, crc, sha
    hdr = Le32(&H04034B50) & Le16(10) & Le16(0) & Le16(0) & Le16(dosTime) & Le16(dosDate) & _
          Le32(crc) & Le32(sz) & Le32(sz) & Le16(Len(nm)) & Le16(0) & nm
    zf.Write hdr
    zf.Write data
    cd = cd & Le32(&H02014B50) & Le16(20) & Le16(10) & Le16(0) & Le16(0) & Le16(dosTime) & Le16(dosDate) & _
          Le32(crc) & Le32(sz) & Le32(sz) & Le16(Len(nm)) & Le16(0) & Le16(0) & Le16(0) & Le16(0) & _
          Le32(32) & Le32(offset) & nm
    offset = offset + Len(hdr) + sz
    If Err.Number <> 0 Then Exit For
  Next
  If Err.Number = 0 Then
    zf.Write cd
    zf.Write Le32(&H06054B50) & Le16(0) & Le16(0) & Le16(n) & Le16(n) & Le32(Len(cd)) & Le32(offset) & Le16(0)
  End If
  en = Err.Number
  ed = Err.Description
  Err.Clear
  zf.Close
  If en <> 0 Then
    fso.DeleteFile tmpZip, True
    Err.Clear
    WriteZip = ErrText(en, ed)
    Exit Function
  End If
  If fso.FileExists(zipPath) Then fso.DeleteFile zipPath, True
  fso.MoveFile tmpZip, zipPath
  If Err.Number <> 0 Then WriteZip = ErrText(Err.Number, Err.Description)
  Err.Clear
End Function
