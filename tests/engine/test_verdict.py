from __future__ import annotations

import pytest

from vmes_audit.engine.verdict import verdict
from vmes_audit.base.findings import Finding, Verdict


def f(state: str, severity: str) -> Finding:
    return Finding(rule_id="c2-x", catalogue="C2", section="C", title="Titre", state=state, severity=severity,
                   host="H", message="m")


@pytest.mark.parametrize("findings,expected", [
    ([f("pass", "bloquant"), f("n/a", "majeur")], Verdict.PRET),
    ([f("pass", "bloquant"), f("warn", "majeur")], Verdict.PRET_SOUS_RESERVE),
    ([f("manual", "mineur")], Verdict.PRET_SOUS_RESERVE),
    ([f("unknown", "majeur")], Verdict.PRET_SOUS_RESERVE),
    ([f("fail", "mineur")], Verdict.PRET_SOUS_RESERVE),
    ([f("fail", "majeur")], Verdict.NON_PRET),
    ([f("fail", "bloquant"), f("pass", "mineur")], Verdict.NON_PRET),
    ([f("unknown", "bloquant")], Verdict.NON_PRET),
    ([f("waived", "bloquant")], Verdict.PRET),
    ([f("fail", "info")], Verdict.PRET),
])
def test_verdict(findings, expected) -> None:
    assert verdict(findings)[0] is expected
