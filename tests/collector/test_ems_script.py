"""collect-ems.ps1 stays runnable by the Exchange Management Shell of Exchange 2007 (PowerShell 1.0).

PowerShell is not available here (nor an EMS): these static checks stand in
for running the script. They look at code only (comments and string literals
removed) for constructs that PowerShell 1.0 does not have or that fail there,
and at the CRC-32, computed in 16-bit halves held in [int] (issue 17), which the tests translate
into Python line by line and check against the standard CRC-32 test vectors.
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
    r"-(?:join|split)\b": "-join/-split (PowerShell 2.0): use [string]::Join / .Split()",
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


CRC_START = "$script:CrcHi = [Array]::CreateInstance([int], 256)"
CRC_END = "# --- fin du CRC-32 ---"

# PowerShell 1.0 line -> Python line, for the one subset the CRC code is written in.
_PS_TO_PY = [
    (r"^\$script:(\w+) = \[Array\]::CreateInstance\(\[int\], 256\)$", r"\1 = [0] * 256"),
    (r"^for \(\$(\w+) = 0; \$\1 -lt (\d+); \$\1\+\+\) \{$", r"for \1 in range(0, \2):"),
    (r"^foreach \(\$(\w+) in \$(\w+)\) \{$", r"for \1 in \2:"),
    (r"^function Get-Crc32\(\[byte\[\]\]\$(\w+)\) \{$", r"def get_crc32(\1):"),
    (r"^if \((.*)\) \{ (.*) \}$", r"if \1: \2"),
]
_PS_TOKENS = [
    (r"\[int\]\[Math\]::Floor\(\$(\w+) / (\d+)\)", r"(\1 // \2)"),
    (r"\[double\]\(", "float("),
    (r"\[int\]\$(\w+)(?= =)", r"\1"),   # a typed assignment
    (r"\[int\]\$(\w+)", r"int(\1)"),     # a cast
    (r"\$script:(\w+)", r"\1"),
    (r"\$(\w+)", r"\1"),
    (r" -bxor ", " ^ "), (r" -band ", " & "), (r" -ne ", " != "), (r" -lt ", " < "),
]


def crc_code_as_python() -> str:
    """collect-ems.ps1's CRC-32 code translated line by line into Python (fails on any line outside
    the subset: the translation mirrors the script's text, not a second implementation)."""
    text = EMS.read_text(encoding="ascii")
    ps = text[text.index(CRC_START):text.index(CRC_END)]
    out = []
    for raw in ps.splitlines():
        indent = len(raw) - len(raw.lstrip(" "))
        line = raw.strip()
        if not line or line == "}":
            continue
        for pattern, repl in _PS_TO_PY:
            if re.match(pattern, line):
                line = re.sub(pattern, repl, line)
                break
        for pattern, repl in _PS_TOKENS:
            line = re.sub(pattern, repl, line)
        assert not re.search(r"[${}\[]|-\w", line.replace("[0] * 256", "").replace("[idx]", "")
                             .replace("[n]", "")), f"not translated: {raw!r} -> {line!r}"
        out.append(" " * indent + line)
    return "\n".join(out) + "\n"


def _script_crc32():
    namespace: dict = {}
    exec(compile(crc_code_as_python(), "collect-ems.ps1 (CRC-32)", "exec"), namespace)  # noqa: S102
    return namespace["get_crc32"]


def test_crc32_matches_the_standard_test_vectors():
    crc = _script_crc32()
    assert crc(b"123456789") == 0xCBF43926
    assert crc(b"") == 0
    assert crc(b"a") == 0xE8B7BE43


def test_crc32_matches_zlib_on_every_byte_value():
    import os
    import zlib

    crc = _script_crc32()
    for data in (bytes(range(256)), b"\xff" * 1000, os.urandom(4096), "Société".encode("utf-16le")):
        assert crc(data) == zlib.crc32(data)


def test_crc32_operands_stay_within_16_bits():
    """-band/-bxor only ever see Int32 values in 0..65535, whose semantics every PowerShell documents."""
    import ast

    tree = ast.parse(crc_code_as_python())
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            assert 0 <= node.value <= 65536, node.value
    text = code_only(EMS.read_text(encoding="ascii"))
    body = text[text.index("$script:CrcHi"):text.index("function Write-Le16")]
    assert "[long]" not in body and "[UInt32]" not in body


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


PROBE_PS1 = EMS.parent / "probe.ps1"


def test_probe_ps1_carries_the_same_crc_code():
    ems = EMS.read_text(encoding="ascii")
    probe = PROBE_PS1.read_text(encoding="ascii")
    block = ems[ems.index(CRC_START):ems.index(CRC_END)]
    assert block in probe


@pytest.mark.parametrize("pattern,why", sorted(FORBIDDEN.items()))
def test_probe_ps1_has_no_construct_beyond_powershell_1(pattern, why):
    data = PROBE_PS1.read_bytes()
    data.decode("ascii")
    assert b"\n" not in data.replace(b"\r\n", b"")
    code = code_only(data.decode("ascii"))
    hits = [line.strip() for line in code.splitlines() if re.search(pattern, line)]
    assert not hits, f"{why}: {hits}"


def test_the_documented_probe_command_is_powershell_1():
    doc = (EMS.parents[1] / "docs" / "field-test.md").read_text(encoding="utf-8")
    commands = re.findall(r"^powershell .*$", doc, re.M)
    assert commands
    for command in commands:
        hits = [why for pattern, why in FORBIDDEN.items() if re.search(pattern, command)]
        assert not hits, (command, hits)
    assert commands[0] in PROBE_PS1.read_text(encoding="ascii")


def test_probe_ps1_answers_the_keys_of_field_test_md():
    doc = (EMS.parents[1] / "docs" / "field-test.md").read_text(encoding="utf-8")
    section = doc[doc.index("### `probe.ps1`"):]
    keys = set(re.findall(r"^\| `(\w+)` \|", section, re.M))
    probe = PROBE_PS1.read_text(encoding="ascii")
    written = set(re.findall(r'@\("(\w+)", \(Ask', probe)) | {"Error"}
    assert keys == written
