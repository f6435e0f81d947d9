"""The verdict, exactly as ``shared/docs/prerequisites.md`` defines it.

- *Non prêt*: any failing bloquant or majeur check, or a bloquant check that is unknown;
- *Prêt*: no failing or unknown bloquant/majeur check, and nothing else left to do;
- *Prêt sous réserve*: otherwise (only mineur, warn, manual items or a majeur unknown left).

What was not seen cannot make the verdict better: a pack declares what an
assessment must contain (``pack.yaml``, ``assessment``; a missing part is a
bloquant "Non évaluable" finding, hence *Non prêt*), and an assessment in
which no prerequisite at all could be evaluated is *Non prêt* too, never an
empty "Prêt".

>>> from vmes_audit.base.findings import Finding
>>> def f(state, sev): return Finding(rule_id="d2-x", catalogue="D2", section="D", title="t", state=state,
...                                  severity=sev, host="H", message="m")
>>> verdict([f("pass", "bloquant"), f("manual", "majeur")])[0].value
'pret_sous_reserve'
>>> verdict([f("unknown", "bloquant")])[0].value
'non_pret'
>>> verdict([])[0].value, verdict([f("n/a", "bloquant")])[0].value
('non_pret', 'non_pret')
"""

from __future__ import annotations

from vmes_audit.base.findings import STATE_LABELS, Finding, Severity, State, Verdict

__all__ = ["verdict"]

_SERIOUS = (Severity.BLOQUANT, Severity.MAJEUR)
_EVALUATED = (State.PASS, State.FAIL, State.WARN, State.WAIVED)


def _label(f: Finding) -> str:
    where = f" ({f.subject or f.host})" if (f.subject or f.host) else ""
    return f"{f.catalogue} – {f.title}{where} : {STATE_LABELS[f.state].lower()}"


def verdict(findings: list[Finding]) -> tuple[Verdict, list[str]]:
    """The verdict and the French reasons behind it (blocking points first)."""
    blocking = [f for f in findings
                if (f.state == State.FAIL and f.severity in _SERIOUS)
                or (f.state == State.UNKNOWN and f.severity == Severity.BLOQUANT)]
    if blocking:
        return Verdict.NON_PRET, [_label(f) for f in blocking]
    reserves = [f for f in findings
                if f.state in (State.FAIL, State.WARN, State.MANUAL, State.UNKNOWN) and f.severity != Severity.INFO]
    if reserves:
        return Verdict.PRET_SOUS_RESERVE, [_label(f) for f in reserves]
    if not any(f.state in _EVALUATED for f in findings):
        return Verdict.NON_PRET, ["Aucun prérequis n'a pu être évalué à partir des collectes fournies."]
    return Verdict.PRET, ["Tous les prérequis vérifiables sont conformes."]
