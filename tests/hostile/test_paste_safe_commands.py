"""Issue 18, customer-site safety: a value read in the collection never reaches a paste-ready command
unchecked. A server's cn or an OU's name can be set by any Exchange or domain administrator; the
report's commands are pasted at the customer's site (``engine/command_arguments.py``)."""

from __future__ import annotations

from pathlib import Path

from tests.hostile.conftest import analyse
from tests.hostile.kit import SampleZip, clone_server
from vmes_audit.engine.command_arguments import REFUSED, is_command_line


def _command_lines(report) -> list[tuple[str, str]]:
    return [(f.rule_id, line) for f in report.findings for line in (f.remediation or "").splitlines()
            if is_command_line(line)]


def test_a_hostile_exchange_server_name_never_reaches_a_command(tmp_path: Path) -> None:
    hostile = "EXLOG08;Remove-Item"
    sample = clone_server(SampleZip.open("vmes06-echecs-2007"), "EXLOG07", [hostile])
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    f9 = [f for f in report.findings if f.rule_id == "f9-server-permissions" and f.subject == hostile.upper()]
    assert f9 and f9[0].state.value == "fail", [(f.subject, f.state) for f in report.findings
                                                if f.rule_id == "f9-server-permissions"]
    assert f"Get-MailboxServer {REFUSED} |" in f9[0].remediation
    assert "saisissez-la à la main" in f9[0].remediation
    assert not [line for _, line in _command_lines(report) if "Remove-Item" in line]
    # the intact server's commands still carry its real name
    assert any("Get-MailboxServer EXLOG07 |" in line for _, line in _command_lines(report))


def test_an_ou_name_with_shell_characters_is_not_pasted(tmp_path: Path) -> None:
    sample = SampleZip.open("vmes05-echecs-2003")
    changed = []
    for artifact in [e["name"] for e in sample.manifest["artifacts"] if e["name"].startswith("ad_")]:
        if sample.entry(artifact).get("status") == "ok" and "OU=Chantiers" in sample.text(artifact):
            sample.set_text(artifact, sample.text(artifact).replace("OU=Chantiers", "OU=R&D (calc)"))
            changed.append(artifact)
    assert changed
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    lines = [line for rule, line in _command_lines(report) if rule == "f10-send-as-domain"]
    assert any(line.strip().startswith(f'dsacls "{REFUSED}"') for line in lines), lines
    assert not [line for line in lines if "calc" in line]
    assert any('dsacls "OU=Informatique,DC=exemple-btp,DC=fr"' in line for line in lines)
