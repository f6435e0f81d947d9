"""Run every rule's cases (``<rule-id>.cases.yaml``) and report every mismatch."""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import TemplateError

from vmes_audit.engine.evaluate import evaluate_rule
from vmes_audit.engine.evidence import CaseEvidence
from vmes_audit.engine.model import Rule, RuleCase
from vmes_audit.engine.pack import LoadedPack

__all__ = ["CaseProblem", "run_case", "run_cases"]


@dataclass(frozen=True)
class CaseProblem:
    rule_id: str
    case: str
    problem: str


def run_case(rule: Rule, case: RuleCase, defaults: dict) -> str | None:
    """None when the case behaves as expected, else a French description of the mismatch."""
    params = {**defaults, **case.params}
    try:
        findings = evaluate_rule(rule, CaseEvidence(case), params)
    except (TemplateError, KeyError, TypeError, ValueError) as exc:
        return f"erreur d'évaluation ({type(exc).__name__} : {exc})"
    if not findings:
        return "aucun résultat produit"
    if case.expect_count is not None and len(findings) != case.expect_count:
        return f"{len(findings)} résultats au lieu de {case.expect_count}"
    states = {f.state for f in findings}
    if case.expect not in states or (case.expect_count is None and len(states) > 1):
        got = ", ".join(sorted(s.value for s in states))
        detail = "; ".join(f.message for f in findings)[:300]
        return f"état attendu « {case.expect.value} », obtenu « {got} » ({detail})"
    if case.expect_message and not any(case.expect_message.lower() in f.message.lower() for f in findings):
        return f"message sans « {case.expect_message} » : {findings[0].message[:200]}"
    if case.expect_remediation and not any(case.expect_remediation.lower() in (f.remediation or "").lower()
                                           for f in findings):
        return f"remédiation sans « {case.expect_remediation} » : {(findings[0].remediation or '')[:200]}"
    if case.expect_not_message and any(case.expect_not_message.lower() in f.message.lower() for f in findings):
        return f"message avec « {case.expect_not_message} », qu'il ne doit pas dire : {findings[0].message[:200]}"
    if case.expect_not_remediation and any(case.expect_not_remediation.lower() in (f.remediation or "").lower()
                                           for f in findings):
        return (f"remédiation avec « {case.expect_not_remediation} », qu'elle ne doit pas dire : "
                f"{(findings[0].remediation or '')[:200]}")
    return None


def run_cases(loaded: LoadedPack) -> list[CaseProblem]:
    problems = []
    defaults = loaded.default_params()
    for rule in loaded.rules:
        for case in loaded.cases.get(rule.id, []):
            problem = run_case(rule, case, defaults)
            if problem:
                problems.append(CaseProblem(rule.id, case.name, problem))
    return problems
