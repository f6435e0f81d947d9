# =============================================================================
# vmes-audit-ems : collecte Exchange 2007 (Exchange Management Shell)
#
# A lancer dans l'Exchange Management Shell (PowerShell 1.0, .NET 2.0) :
#   .\collect-ems.ps1 [-Account VistoAdmin] [-Out C:\dossier]
#
# Ecrit EMS-<HOTE>-<aaaammjj-hhmmss>\ (fichiers Format-List en UTF-16LE,
# largeur 4096), manifest.json (contrat docs/collection-format.md, mode "ems")
# et EMS-<HOTE>-<aaaammjj-hhmmss>.zip (entrees "stored", CRC-32 calcule ici :
# System.IO.Packaging n'existe pas en .NET 2.0).
#
# Compatible PowerShell 1.0 : pas de ConvertTo-Json, pas de try/catch (trap),
# pas de Add-Type, pas de splatting, pas de [ordered], pas de -ErrorAction
# Ignore ; CRC-32 en moities de 16 bits dans des [int] (voir Get-Crc32).
# Ce script n'a pas pu etre execute pendant le developpement (pas d'EMS) :
# il est ecrit d'apres la documentation. Fichier en ASCII.
# =============================================================================
param(
    [string]$Account = "VistoAdmin",
    [string]$Out = ""
)

$CollectorName = "vmes-audit-ems"
$CollectorVersion = "1.1.0"
$FormatVersion = "1.1"

# Artefacts (noms du contrat, section 4). Le compte de service n'est jamais
# recopie dans le texte d'une commande : la commande lit la variable $Account
# (une valeur, pas du code), et le compte doit respecter la grammaire du
# collecteur (grammar.vbs) : 1 a 20 lettres, chiffres, espaces, points,
# tirets ou soulignes, sans espace ni point aux extremites.
$Artifacts = @(
    @{ Name = "ems_exchangeserver";        Command = 'Get-ExchangeServer | Format-List'; UsesAccount = $false },
    @{ Name = "ems_exchangeadministrator"; Command = 'Get-ExchangeAdministrator | Format-List'; UsesAccount = $false },
    @{ Name = "ems_adpermission";          Command = 'Get-MailboxServer | Get-ADPermission -User $Account | Format-List'; UsesAccount = $true },
    @{ Name = "ems_mailbox";               Command = 'Get-Mailbox -Identity $Account | Format-List'; UsesAccount = $true }
)
$AccountOk = ($Account -cmatch '^[A-Za-z0-9_\-\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF]([A-Za-z0-9 ._\-\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF]{0,18}[A-Za-z0-9_\-\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF])?$')

function Get-IsoNow([datetime]$d) {
    # 2026-11-20T14:02:11+01:00 (decalage UTC de l'heure locale, ete compris)
    $off = [System.TimeZone]::CurrentTimeZone.GetUtcOffset($d)
    $sign = "+"
    if ($off.Ticks -lt 0) { $sign = "-"; $off = $off.Negate() }
    return $d.ToString("yyyy-MM-dd'T'HH:mm:ss") + $sign + $off.Hours.ToString("00") + ":" + $off.Minutes.ToString("00")
}

function ConvertTo-JsonString($value) {
    # JSON ASCII : tout caractere hors U+0020..U+007E en \uXXXX
    if ($value -eq $null) { return "null" }
    $s = [string]$value
    $sb = New-Object System.Text.StringBuilder
    [void]$sb.Append('"')
    foreach ($ch in $s.ToCharArray()) {
        $code = [int]$ch
        if ($ch -eq '"') { [void]$sb.Append('\"') }
        elseif ($ch -eq '\') { [void]$sb.Append('\\') }
        elseif ($code -lt 32 -or $code -gt 126) { [void]$sb.Append('\u' + $code.ToString("x4")) }
        else { [void]$sb.Append($ch) }
    }
    [void]$sb.Append('"')
    return $sb.ToString()
}

function ConvertTo-JsonNumber($value) {
    if ($value -eq $null) { return "null" }
    return ([long]$value).ToString([System.Globalization.CultureInfo]::InvariantCulture)
}

function Get-Sha256Hex([string]$path) {
    $sha = New-Object System.Security.Cryptography.SHA256Managed
    $bytes = [System.IO.File]::ReadAllBytes($path)
    $hash = $sha.ComputeHash($bytes)
    $sb = New-Object System.Text.StringBuilder
    foreach ($b in $hash) { [void]$sb.Append($b.ToString("x2")) }
    return $sb.ToString()
}

# --- CRC-32 (polynome 0xEDB88320) en deux moities de 16 bits, en [int] -----
# Ce que PowerShell 1.0 fait de -band/-bxor sur un [long] ou un [UInt32] au-dela
# de 2^31 n'est pas documente (issue 17). Ici chaque valeur tient en 16 bits
# (0..65535) dans un [int] : -band/-bxor n'operent que sur des Int32 positifs.
# Pas de -shr (PowerShell 3.0) : division entiere par 2 ou 256 a la place.
# Verifie contre les valeurs de reference du CRC-32 ("123456789" -> cbf43926,
# vide -> 0) par tests/collector/test_ems_script.py, qui traduit ce code en
# Python ligne a ligne ; collector/probe.ps1 en porte une copie identique.
# Polynome : 0xEDB8 = 60856 (moitie haute), 0x8320 = 33568 (moitie basse).
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

function Write-Le16($stream, [int]$v) {
    $stream.WriteByte([byte]($v -band 255)); $stream.WriteByte([byte]([Math]::Floor($v / 256) -band 255))
}
function Write-Le32($stream, [double]$v) {
    for ($i = 0; $i -lt 4; $i++) {
        $b = [Math]::Floor($v % 256)
        $stream.WriteByte([byte]$b)
        $v = [Math]::Floor($v / 256)
    }
}

function Write-StoredZip([string]$zipPath, [string]$folder, [string[]]$names, [datetime]$stamp) {
    $dosTime = $stamp.Hour * 2048 + $stamp.Minute * 32 + [Math]::Floor($stamp.Second / 2)
    $dosDate = ($stamp.Year - 1980) * 512 + $stamp.Month * 32 + $stamp.Day
    $fs = [System.IO.File]::Create($zipPath)
    $central = New-Object System.IO.MemoryStream
    $entries = 0
    foreach ($name in $names) {
        $data = [System.IO.File]::ReadAllBytes((Join-Path $folder $name))
        $nameBytes = [System.Text.Encoding]::ASCII.GetBytes($name)
        $crc = Get-Crc32 $data
        $offset = $fs.Position
        Write-Le32 $fs 0x04034b50; Write-Le16 $fs 10; Write-Le16 $fs 0; Write-Le16 $fs 0
        Write-Le16 $fs $dosTime; Write-Le16 $fs $dosDate
        Write-Le32 $fs $crc; Write-Le32 $fs $data.Length; Write-Le32 $fs $data.Length
        Write-Le16 $fs $nameBytes.Length; Write-Le16 $fs 0
        $fs.Write($nameBytes, 0, $nameBytes.Length)
        $fs.Write($data, 0, $data.Length)
        Write-Le32 $central 0x02014b50; Write-Le16 $central 20; Write-Le16 $central 10
        Write-Le16 $central 0; Write-Le16 $central 0; Write-Le16 $central $dosTime; Write-Le16 $central $dosDate
        Write-Le32 $central $crc; Write-Le32 $central $data.Length; Write-Le32 $central $data.Length
        Write-Le16 $central $nameBytes.Length; Write-Le16 $central 0; Write-Le16 $central 0
        Write-Le16 $central 0; Write-Le16 $central 0; Write-Le32 $central 32; Write-Le32 $central $offset
        $central.Write($nameBytes, 0, $nameBytes.Length)
        $entries++
    }
    $cdOffset = $fs.Position
    $cd = $central.ToArray()
    $fs.Write($cd, 0, $cd.Length)
    Write-Le32 $fs 0x06054b50; Write-Le16 $fs 0; Write-Le16 $fs 0
    Write-Le16 $fs $entries; Write-Le16 $fs $entries
    Write-Le32 $fs $cd.Length; Write-Le32 $fs $cdOffset; Write-Le16 $fs 0
    $fs.Close()
}

# --- Collecte -----------------------------------------------------------------
$started = Get-Date
$hostName = $env:COMPUTERNAME
$stampText = $started.ToString("yyyyMMdd-HHmmss")
$base = "EMS-" + $hostName + "-" + $stampText
if ($Out -eq "") { $Out = Split-Path -Parent $MyInvocation.MyCommand.Path }
$folder = Join-Path $Out $base
[void](New-Item -ItemType Directory -Path $folder -Force)

Write-Host ("vmes-audit : collecte Exchange 2007 (EMS), compte de service " + $Account)
Write-Host ("Dossier de collecte : " + $folder)

$results = @()
$step = 0
foreach ($a in $Artifacts) {
    $step++
    $name = $a.Name
    $file = $name + ".txt"
    $path = Join-Path $folder $file
    # le texte montre (manifeste, console) nomme le compte ; le texte execute lit $Account
    $cmdText = $a.Command.Replace('$Account', "'" + $Account.Replace("'", "''") + "'")
    $status = "ok"
    $errText = ""
    $t0 = Get-Date
    $Error.Clear()
    $script:stepError = ""
    if ($a.UsesAccount -and -not $AccountOk) {
        $script:stepError = "nom de compte refuse (lettres, chiffres, espace, point, tiret et souligne seulement, 20 caracteres au plus, sans domaine)"
    } else {
        # PowerShell 1.0 : pas de try/catch ; les erreurs non bloquantes sont
        # relevees dans $Error, les erreurs bloquantes par le trap.
        & {
            trap { $script:stepError = $_.Exception.Message; continue }
            $sb = $ExecutionContext.InvokeCommand.NewScriptBlock($a.Command + ' | Out-File -FilePath $path -Encoding Unicode -Width 4096')
            & $sb
        }
    }
    if ($script:stepError -ne "") { $status = "error"; $errText = $script:stepError }
    elseif ($Error.Count -gt 0) { $status = "error"; $errText = [string]$Error[0] }
    $ms = [long]((Get-Date) - $t0).TotalMilliseconds
    $entry = @{ name = $name; file = ""; source = $cmdText; status = $status; exit_code = $null;
                duration_ms = $ms; encoding = ""; sha256 = ""; size = $null; error = $errText }
    if (Test-Path $path) {
        $entry.file = $file
        $entry.encoding = "utf-16le"
        $entry.size = (Get-Item $path).Length
        $entry.sha256 = Get-Sha256Hex $path
    }
    $results += $entry
    $label = "OK"
    if ($status -ne "ok") { $label = "ERREUR : " + $errText }
    Write-Host ("[" + $step + "/" + $Artifacts.Count + "] " + $cmdText + " ... " + $label)
}

# --- manifest.json --------------------------------------------------------------
$ended = Get-Date
$runAs = [System.Security.Principal.WindowsIdentity]::GetCurrent()
$script:dns = ""
& {
    trap { continue }
    $script:dns = [System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties().DomainName
}
$dns = $script:dns
$nl = "`r`n"
$json = "{" + $nl
$json += '  "format_version": ' + (ConvertTo-JsonString $FormatVersion) + "," + $nl
$json += '  "collector": {"name": ' + (ConvertTo-JsonString $CollectorName) + ', "version": ' + (ConvertTo-JsonString $CollectorVersion) + "}," + $nl
$json += '  "mode": "ems",' + $nl
$dnsJson = "null"
if ($dns -ne $null -and $dns -ne "") { $dnsJson = ConvertTo-JsonString $dns }
$json += '  "host": {"name": ' + (ConvertTo-JsonString $hostName) + ', "dns_domain": ' + $dnsJson + "}," + $nl
$json += '  "started": ' + (ConvertTo-JsonString (Get-IsoNow $started)) + "," + $nl
$json += '  "ended": ' + (ConvertTo-JsonString (Get-IsoNow $ended)) + "," + $nl
$json += '  "run_as": {"name": ' + (ConvertTo-JsonString $runAs.Name) + ', "sid": ' + (ConvertTo-JsonString $runAs.User.Value) + "}," + $nl
$json += '  "parameters": {"service_account": ' + (ConvertTo-JsonString $Account) + ', "noc_host": null, "noc_port": null, "noc_address": null, "dry_run": false},' + $nl
$json += '  "artifacts": ['
$first = $true
foreach ($r in $results) {
    if (-not $first) { $json += "," }
    $first = $false
    $json += $nl + '    {"name": ' + (ConvertTo-JsonString $r.name) + ', "file": ' + (ConvertTo-JsonString $r.file) +
        ', "source": ' + (ConvertTo-JsonString $r.source) + ', "status": ' + (ConvertTo-JsonString $r.status) +
        ', "exit_code": null, "duration_ms": ' + (ConvertTo-JsonNumber $r.duration_ms) +
        ', "encoding": ' + (ConvertTo-JsonString $r.encoding) + ', "sha256": ' + (ConvertTo-JsonString $r.sha256) +
        ', "size": ' + (ConvertTo-JsonNumber $r.size) + ', "error": ' + (ConvertTo-JsonString $r.error) + '}'
}
$json += $nl + "  ]" + $nl + "}" + $nl
[System.IO.File]::WriteAllText((Join-Path $folder "manifest.json"), $json, [System.Text.Encoding]::ASCII)

# --- Archive ------------------------------------------------------------------
$names = @()
foreach ($r in $results) { if ($r.file -ne "") { $names += $r.file } }
$names += "manifest.json"
$zipPath = Join-Path $Out ($base + ".zip")
$script:zipError = ""
& {
    trap { $script:zipError = $_.Exception.Message; continue }
    Write-StoredZip $zipPath $folder $names $started
}
if ($script:zipError -eq "") {
    Write-Host ("Archive creee : " + $zipPath)
    Write-Host "Envoyez ce fichier .zip a votre contact avant-vente."
} else {
    Write-Host ("ATTENTION : l'archive n'a pas pu etre creee (" + $script:zipError + ").")
    Write-Host ("Compressez vous-meme le dossier " + $folder + " et envoyez-le, manifest.json compris.")
}
