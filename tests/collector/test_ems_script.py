"""collect-ems.ps1 stays runnable by the Exchange Management Shell of Exchange 2007 (PowerShell 1.0).

PowerShell is not available here (nor an EMS): these static checks stand in
for running the script. They look at code only (comments and string literals
removed) for constructs that PowerShell 1.0 does not have or that fail there,
and at the CRC-32, whose arithmetic must stay in [long] (issue 9, item 11).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

EMS = Path(__file__).resolve().parents[2] / "collector" / "collect-ems.ps1"

# construct -> why it is refused
FORBIDDEN = {
    r"\btry\s*\{": "try/catch (PowerShell 2.0): use trap",
    r"\bcatch\b": "try/catch (PowerShell 2.0): use trap",
    r"\bfinally\b": "try/finally (PowerShell 2.0)",
    r"(?<![\w$])@[A-Za-z_]\w*": "splatting (PowerShell 2.0)",
    r"-ErrorAction\s+Ignore\b": "-ErrorAction Ignore (PowerShell 3.0)",
    r"\[ordered\]": "[ordered] (PowerShell 3.0)",
    r"\bConvertTo-Json\b(?!String)": "ConvertTo-Json (PowerShell 3.0)",
    r"\bAdd-Type\b": "Add-Type (PowerShell 2.0)",
    r"-sh[rl]\b": "-shr/-shl (PowerShell 3.0)",
    r"\$PSScriptRoot\b": "$PSScriptRoot (PowerShell 3.0)",
    r"\[CmdletBinding": "advanced functions (PowerShell 2.0)",
    r"-(?:not)?in\b": "-in/-notin (PowerShell 3.0)",
    r"\[UInt32\]": "[UInt32] arithmetic fails above 2^31 on PowerShell 1.0/2.0: use [long]",
    r"0x[Ff]{8}\b": "0xFFFFFFFF is -1 in PowerShell: write [long]4294967295",
}


def code_only(text: str) -> str:
    """The script without comments and string literals (kept as empty quotes)."""
    out = []
    for line in text.splitlines():
        line = re.sub(r"'[^']*'", "''", line)
        line = re.sub(r'"(?:[^"`]|`.)*"', '""', line)
        out.append(line.split("#", 1)[0])
    return "\n".join(out)


def test_ems_script_is_ascii_crlf():
    data = EMS.read_bytes()
    data.decode("ascii")
    assert b"\n" not in data.replace(b"\r\n", b"")


@pytest.mark.parametrize("pattern,why", sorted(FORBIDDEN.items()))
def test_no_construct_beyond_powershell_1(pattern, why):
    code = code_only(EMS.read_text(encoding="ascii"))
    hits = [line.strip() for line in code.splitlines() if re.search(pattern, line)]
    assert not hits, f"{why}: {hits}"


def test_the_checks_see_what_they_look_for():
    sample = 'try { Get-Item @args } catch { }\n$x = [UInt32]0xFFFFFFFF -shr 1 # try { in a comment\n' \
             'Write-Host "try { in a string"\n'
    code = code_only(sample)
    found = {why for pattern, why in FORBIDDEN.items() if re.search(pattern, code)}
    assert {"try/catch (PowerShell 2.0): use trap", "splatting (PowerShell 2.0)", "-shr/-shl (PowerShell 3.0)",
            FORBIDDEN[r"\[UInt32\]"], FORBIDDEN[r"0x[Ff]{8}\b"]} <= found
    assert "try" not in code.splitlines()[1] and "try" not in code.splitlines()[2]


def test_crc32_arithmetic_is_long_masked():
    text = EMS.read_text(encoding="ascii")
    body = text.split("function Get-Crc32")[1].split("\nfunction ")[0]
    assert "$script:Mask32 = [long]4294967295" in text
    assert "[long]$crc = $script:Mask32" in body
    assert "-band $script:Mask32" in body
    assert "[Array]::CreateInstance([long], 256)" in text


def test_ems_manifest_is_format_1_1():
    text = EMS.read_text(encoding="ascii")
    assert '$FormatVersion = "1.1"' in text and '$CollectorVersion = "1.1.0"' in text


def test_the_account_never_becomes_code():
    """The account is a value the commands read ($Account), never text spliced into a script block.

    Before: ``[string]::Format('... -User "{0}" ...', $Account)`` then NewScriptBlock: an account
    ``x$(Remove-Item C:\\x)`` ran its subexpression inside the double quotes.
    """
    text = EMS.read_text(encoding="ascii")
    assert "[string]::Format($a.Command" not in text
    commands = re.findall(r"Command = '([^']*)'", text)
    assert commands and all("{0}" not in c for c in commands)
    assert {c for c in commands if "$Account" in c} == {
        "Get-MailboxServer | Get-ADPermission -User $Account | Format-List",
        "Get-Mailbox -Identity $Account | Format-List"}
    assert "NewScriptBlock($a.Command + " in text
    # the grammar is collector/src/grammar.vbs's and the kit's
    from vmes_audit.workflows.kit import _ACCOUNT

    pattern = re.search(r"\$AccountOk = \(\$Account -cmatch '\^(.*)\$'\)", text).group(1)
    for value in ("VistoAdmin", "svc.vmès", "svc&calc", "x$(calc)", "a" * 21, " x", "CORP\\svc"):
        assert (re.fullmatch(pattern, value) is not None) == (_ACCOUNT.fullmatch(value) is not None), value
