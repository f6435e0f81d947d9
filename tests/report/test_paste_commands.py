"""Every command of every sample's PDF pastes as it is: read back with pdftotext, it is the JSON's.

A remediation's command lines (``engine.command_arguments.is_command_line``) are
to be pasted at the customer's site. The report draws each on one unwrapped
line (``report/commands.py``); a PowerShell command too long for a card
continues on the next lines after a backtick, which PowerShell joins back. So
for each command of ``resultats.json``, the PDF's text must hold a line that
*is* that command, or lines ending with " `" (or "|") that PowerShell joins
into it. Before issue 20, 5 of the 31 commands of the samples broke inside an
argument (``… /d 0x03200000 /`` then ``f``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from vmes_audit.assessment.run import run_assessment
from vmes_audit.base.findings import Finding, Severity, State
from vmes_audit.engine.command_arguments import is_command_line
from vmes_audit.report import write_outputs
from vmes_audit.report.commands import CARD_SMALL, is_powershell

pytestmark = pytest.mark.slow

# Each sample organisation of the README: the zips analysed together.
ORGANISATIONS = {
    "conforme-2003": ["vmes01-2003-conforme.zip", "exch01-2003sp2.zip"],
    "conforme-2007": ["vmes03-2007.zip", "ems-exch07.zip"],
    "mixte": ["vmes04-mixte.zip", "ems-sante-exs07.zip"],
    "demo": ["srvdc01-2000-non-conforme.zip"],
    "echecs-2003": ["vmes05-echecs-2003.zip"],
    "echecs-2007": ["vmes06-echecs-2007.zip", "ems-exlog07.zip"],
    "proxy": ["vmes02-2003-proxy.zip"],
    "tse": ["vmes07-2003sp2-tse.zip"],
    "fichiers-isoles": ["loose-workgroup"],
}


def _pdftotext(path: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) est requis pour ce test")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return [line.strip() for line in text.splitlines()]


def json_commands(document: dict) -> list[str]:
    """The command lines of every remediation of a ``resultats.json``, as they are to be pasted."""
    return [line.strip() for finding in document["findings"] for line in finding["remediation"].split("\n")
            if is_command_line(line)]


def pasted_commands(lines: list[str]) -> set[str]:
    """What a reader gets by copying each line of the PDF, PowerShell continuations joined."""
    out: set[str] = set()
    for i, line in enumerate(lines):
        out.add(line)
        joined, j = line, i
        while (joined.endswith(" `") or joined.endswith(" |")) and j + 1 < len(lines):
            j += 1
            joined = (joined[:-2] if joined.endswith(" `") else joined) + " " + lines[j]
            out.add(joined)
    return out


def _commands_of_pdf_match_json(report, tmp_path: Path) -> tuple[list[str], set[str]]:
    written = write_outputs(report, tmp_path, {"json", "pdf"})
    commands = json_commands(json.loads(written["json"].read_text(encoding="utf-8")))
    return commands, pasted_commands(_pdftotext(written["pdf"]))


@pytest.mark.parametrize("name", list(ORGANISATIONS))
def test_every_command_of_the_sample_pastes_as_in_the_json(name: str, samples_dir: Path, tmp_path: Path) -> None:
    report = run_assessment([samples_dir / s for s in ORGANISATIONS[name]]).report
    commands, pasted = _commands_of_pdf_match_json(report, tmp_path)
    broken = [c for c in commands if c not in pasted]
    assert not broken, f"{name} : commandes coupées dans le PDF : {broken}"


def test_the_samples_have_commands_of_every_kind(samples_dir: Path) -> None:
    """The parametrised test above is not vacuous: the samples hold cmd and PowerShell commands,
    and one too long for a card line."""
    commands = [c for files in ORGANISATIONS.values()
                for c in json_commands(json.loads(_json(run_assessment([samples_dir / s for s in files]).report)))]
    assert len(commands) >= 25
    assert any(is_powershell(c) for c in commands) and any(not is_powershell(c) for c in commands)
    assert any(len(c) > CARD_SMALL for c in commands)


def _json(report) -> str:
    from vmes_audit.report.export import json_text

    return json_text(report)


def test_long_commands_paste_whole_from_the_card_or_the_annex(report, tmp_path: Path) -> None:
    """Commands of every length: one line in the card, PowerShell continued after a backtick,
    cmd at full width in the landscape annex (even one of 400 characters)."""
    dn = "OU=" + ",OU=".join(f"Service informatique numéro {i}" for i in range(9)) + ",DC=exemple,DC=fr"
    remediation = "\n".join([
        "Sur le contrôleur de domaine :",
        f'  dsacls "{dn}" /I:S /G "CORP\\VistoAdmin:CA;Send As;user"',
        "Dans l'Exchange Management Shell :",
        '  Get-MailboxServer EXCH01 | Add-ADPermission -User "CORP\\VistoAdmin" -AccessRights GenericRead, '
        "GenericWrite -ExtendedRights Send-As, Receive-As, ms-Exch-Store-Admin -InheritanceType All",
        "  net user VistoAdmin /active:yes /domain",
        "  " + "x" * 400,
    ])
    finding = Finding(rule_id="f10-send-as-domain", catalogue="F10", section="F", title="Envoyer comme",
                      state=State.FAIL, severity=Severity.MAJEUR, host="", message="Manque « Envoyer comme ».",
                      remediation=remediation)
    commands, pasted = _commands_of_pdf_match_json(report.model_copy(update={"findings": [finding]}), tmp_path)
    assert len(commands) == 4 and len(commands[0]) > 250
    assert [c for c in commands if c not in pasted] == []
