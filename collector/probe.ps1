# probe.ps1 - sonde de terrain vmes-audit (issue 17) : ce que PowerShell 1.0
# (Exchange 2007, Windows Server 2003) fait de -bxor et -band sur des [long],
# et le CRC-32 de collect-ems.ps1 sur les valeurs de reference.
#
# PowerShell 1.0 n'a pas de parametre -ExecutionPolicy ; lancer le texte du
# script par -Command, que la strategie d'execution ne restreint pas :
#
#   powershell -NoProfile -Command "& { iex ([string]::Join([char]10, (Get-Content .\probe.ps1))) }"
#
# Ecrit probe-ps-<HOTE>-<aaaammjj-hhmmss>.txt dans le dossier courant (format
# d'enregistrements de la collecte, cles : docs/field-test.md). Lecture seule.
# Compatible PowerShell 1.0 (trap, pas de try/catch). Fichier en ASCII.

$script:AskErr = ""

function Ask([scriptblock]$sb) {
    $script:AskErr = ""
    trap { $script:AskErr = "erreur : " + $_.Exception.Message; continue }
    $r = & $sb
    if ($script:AskErr -ne "") { return $script:AskErr }
    return [string]$r
}

function Esc([string]$s) {
    return $s.Replace("\", "\\").Replace("`r", "\r").Replace("`n", "\n").Replace("`t", "\t")
}

function Hex8($v) {
    return "{0:x8}" -f [long]$v
}

# --- copie identique du CRC-32 de collect-ems.ps1 (verifiee par les tests) ---
$script:CrcHi = [Array]::CreateInstance([int], 256)
$script:CrcLo = [Array]::CreateInstance([int], 256)
for ($n = 0; $n -lt 256; $n++) {
    [int]$hi = 0
    [int]$lo = $n
    for ($k = 0; $k -lt 8; $k++) {
        [int]$bit = $lo -band 1
        $lo = [int][Math]::Floor($lo / 2) + ($hi -band 1) * 32768
        $hi = [int][Math]::Floor($hi / 2)
        if ($bit -ne 0) { $hi = $hi -bxor 60856; $lo = $lo -bxor 33568 }
    }
    $script:CrcHi[$n] = $hi
    $script:CrcLo[$n] = $lo
}

function Get-Crc32([byte[]]$bytes) {
    [int]$hi = 65535
    [int]$lo = 65535
    foreach ($b in $bytes) {
        [int]$idx = ($lo -bxor [int]$b) -band 255
        [int]$nlo = [int][Math]::Floor($lo / 256) + ($hi -band 255) * 256
        [int]$nhi = [int][Math]::Floor($hi / 256)
        $hi = $nhi -bxor $script:CrcHi[$idx]
        $lo = $nlo -bxor $script:CrcLo[$idx]
    }
    return [double]($hi -bxor 65535) * 65536 + [double]($lo -bxor 65535)
}
# --- fin du CRC-32 ---

function Get-GzipCrc([byte[]]$bytes) {
    # CRC-32 calcule par .NET : les 8 derniers octets d'un flux gzip (RFC 1952)
    # sont le CRC-32 puis la taille ; vide quand .NET n'ecrit rien (donnees vides).
    $ms = New-Object System.IO.MemoryStream
    $gz = New-Object System.IO.Compression.GZipStream($ms, [System.IO.Compression.CompressionMode]::Compress)
    $gz.Write($bytes, 0, $bytes.Length)
    $gz.Close()
    $a = $ms.ToArray()
    $n = $a.Length
    if ($n -lt 18) { return "" }
    return Hex8 ([double]$a[$n - 8] + [double]$a[$n - 7] * 256 + [double]$a[$n - 6] * 65536 + [double]$a[$n - 5] * 16777216)
}

$ascii = [System.Text.Encoding]::ASCII
$answers = @(
    @("PSVersion", (Ask { $Host.Version.ToString() })),
    @("ClrVersion", (Ask { [Environment]::Version.ToString() })),
    @("BxorLongHigh", (Ask { ([long]3988292384) -bxor ([long]4294967295) })),
    @("BandLongHigh", (Ask { ([long]4294967295) -band ([long]3988292384) })),
    @("BxorLongAbove32", (Ask { ([long]4294967296) -bxor ([long]1) })),
    @("BxorLongType", (Ask { (([long]3988292384) -bxor ([long]4294967295)).GetType().FullName })),
    @("CrcScript", (Ask { Hex8 (Get-Crc32 $ascii.GetBytes("123456789")) })),
    @("CrcEmpty", (Ask { Hex8 (Get-Crc32 ([byte[]]@())) })),
    @("CrcGzip", (Ask { Get-GzipCrc $ascii.GetBytes("123456789") }))
)

$lines = New-Object System.Text.StringBuilder
[void]$lines.Append("#VMES-RECORDS 1`r`n#source: probe.ps1 1 (docs/field-test.md)`r`n`r`n[powershell]`r`n")
foreach ($pair in $answers) {
    [void]$lines.Append($pair[0] + "=" + (Esc $pair[1]) + "`r`n")
}
[void]$lines.Append("Error=`r`n`r`n[probe_end]`r`nCompleted=True`r`nSteps=1`r`n")

$hostName = [Environment]::MachineName
$stamp = (Get-Date).ToString("yyyyMMdd-HHmmss")
$path = Join-Path (Get-Location).Path ("probe-ps-" + $hostName + "-" + $stamp + ".txt")
[System.IO.File]::WriteAllText($path, $lines.ToString(), [System.Text.Encoding]::Unicode)
Write-Host ("Sonde PowerShell termin" + [char]0xE9 + "e : " + $path)
Write-Host ("Envoyez ce fichier, sans le modifier, " + [char]0xE0 + " votre contact vmes-audit.")
