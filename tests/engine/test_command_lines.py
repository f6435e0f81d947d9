"""A remediation's command lines (indented, not list items) are pasted at the customer's site as they are
printed: each must start with a program or cmdlet, never with a label, a URL or a path through the Windows
UI, which no shell runs (issue 19, « a command that cannot be pasted as printed »)."""

from __future__ import annotations

from vmes_audit.engine.command_arguments import is_command_line
from vmes_audit.engine.evaluate import evaluate_rule
from vmes_audit.engine.evidence import CaseEvidence
from vmes_audit.engine.pack import load_pack

# Programs of Windows 2000/2003 and their Support Tools, and the Exchange Management Shell's cmdlets.
PROGRAMS = {"reg", "regsvr32", "nslookup", "dsquery", "dsmod", "dsacls", "net", "runas", "telnet", "portqry"}
CMDLET_VERBS = ("Get-", "Set-", "Add-", "Remove-", "Enable-")


def _command_lines() -> list[tuple[str, str, str]]:
    loaded = load_pack()
    defaults = loaded.default_params()
    found = []
    for rule in loaded.rules:
        for case in loaded.cases.get(rule.id, []):
            for finding in evaluate_rule(rule, CaseEvidence(case), {**defaults, **case.params}):
                found += [(rule.id, case.name, line.strip()) for line in (finding.remediation or "").split("\n")
                          if is_command_line(line)]
    return found


def test_every_command_line_starts_with_a_program_or_a_cmdlet() -> None:
    lines = _command_lines()
    assert lines, "no command line in any rule case"
    wrong = [(rule, case, line) for rule, case, line in lines
             if line.split()[0].lower() not in PROGRAMS and not line.startswith(CMDLET_VERBS)]
    assert not wrong, "\n".join(f"{rule} [{case}] : {line}" for rule, case, line in wrong)
