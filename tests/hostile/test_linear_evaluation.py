"""The engine's row cache and subject index change how fast a rule is evaluated, never its findings."""

from __future__ import annotations

from pathlib import Path

from tests.hostile.conftest import analyse
from tests.hostile.kit import SampleZip, clone_server
from vmes_audit.engine.evaluate import evaluate_rule
from vmes_audit.engine.evidence import FactsEvidence
from vmes_audit.engine.pack import load_pack


class _PlainEvidence:
    """The same evidence without the cached rows and indexes: every selection scans its table."""

    def __init__(self, facts) -> None:
        self._inner = FactsEvidence(facts)

    def table(self, name):
        return self._inner.table(name)

    def artifact_usable(self, host, name):
        return self._inner.artifact_usable(host, name)

    def subjects(self, role):
        return self._inner.subjects(role)


def test_indexed_and_plain_evaluation_give_the_same_findings(tmp_path: Path) -> None:
    sample = clone_server(SampleZip.open("vmes05-echecs-2003"), "EXBTP01", ["EXS0001", "EXS0002", "EXS0003"])
    facts = analyse([sample.write(tmp_path / "c.zip")]).facts
    assert len(facts.table("exchange_servers")) >= 4 and len(facts.table("server_rights")) >= 12
    pack = load_pack()
    params = pack.default_params()
    fast, plain = FactsEvidence(facts), _PlainEvidence(facts)
    for rule in pack.ordered_rules():
        a = [f.model_dump() for f in evaluate_rule(rule, fast, params)]
        b = [f.model_dump() for f in evaluate_rule(rule, plain, params)]
        assert a == b, rule.id
