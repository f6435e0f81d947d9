"""« Plan d'action »: every remediation of a report, grouped by who acts, in an
order that respects the dependencies the pack declares (``action-plan.yaml``,
read by ``engine/action_plan_spec.py``).

How the order is made:

1. a step is a finding that needs action (Non conforme, À améliorer,
   Non évaluable, À vérifier; a waiver is an accepted gap, not a step);
2. step *x* comes before step *y* when *x*'s rule is among the rules *y*'s rule
   waits for, directly or through rules that have no step in this report
   (F3 → F7 → F9: F3 still comes before F9 when F7 is conforming);
3. among the steps free to go, the first in the report's reading order goes
   first; steps are numbered 1…N in that order;
4. steps are then grouped by role (the role of the rule, or its ``by_state``
   role), each group in step order, the groups in the order of their first step.

Each step keeps the numbers of the steps it waits for (only the nearest ones:
a step waiting for 3, which waits for 1, lists 3).
"""

from __future__ import annotations

import heapq

from vmes_audit.engine.action_plan_spec import ACTION_STATES, ActionPlanSpec, resolved_steps
from vmes_audit.engine.pack import LoadedPack
from vmes_audit.base.findings import ActionPlan, ActionRoleGroup, ActionStep, AssessmentReport, Finding
from vmes_audit.base.findings import ordered_findings

__all__ = ["build_action_plan", "NO_PLAN_NOTE"]

NO_PLAN_NOTE = ("Le pack de règles ne déclare pas de plan d'action (fichier action-plan.yaml) : "
                "les corrections sont listées dans l'ordre du rapport, sans répartition par intervenant.")
NO_ROLE = ("", "Toutes les corrections")


def _ancestors(graph: dict[str, list[str]]) -> dict[str, set[str]]:
    """Every rule each rule waits for, transitively (the graph is acyclic after the lint;
    a cycle left by a non-strict load is cut where the walk meets it).

    >>> sorted(_ancestors({"f9": ["f7"], "f7": ["f3"], "f3": []})["f9"])
    ['f3', 'f7']
    """
    memo: dict[str, set[str]] = {}

    def walk(node: str, path: frozenset[str]) -> set[str]:
        if node in memo:
            return memo[node]
        out: set[str] = set()
        for parent in graph.get(node, []):
            if parent in path:
                continue
            out.add(parent)
            out |= walk(parent, path | {parent})
        memo[node] = out
        return out

    return {node: walk(node, frozenset({node})) for node in graph}


def _order(findings: list[Finding], ancestors: dict[str, set[str]]) -> tuple[list[int], dict[int, set[int]]]:
    """Topological order of the findings (indices into ``findings``), reading order first;
    and, per finding, the indices of the findings it must wait for."""
    waits: dict[int, set[int]] = {i: set() for i in range(len(findings))}
    for i, later in enumerate(findings):
        before_rules = ancestors.get(later.rule_id, set())
        for j, earlier in enumerate(findings):
            if j != i and earlier.rule_id in before_rules:
                waits[i].add(j)
    remaining = {i: set(w) for i, w in waits.items()}
    ready = [i for i, w in remaining.items() if not w]
    heapq.heapify(ready)
    order: list[int] = []
    while len(order) < len(findings):
        if not ready:  # only after a cycle in a non-strict pack: take the first left, in reading order
            ready = [min(i for i in remaining if i not in order)]
            remaining[ready[0]] = set()
        current = heapq.heappop(ready)
        order.append(current)
        for i, w in remaining.items():
            if current in w:
                w.discard(current)
                if not w and i not in order and i not in ready:
                    heapq.heappush(ready, i)
    return order, waits


def _nearest(waits: set[int], all_waits: dict[int, set[int]]) -> set[int]:
    """Drop the steps already implied by another one of the set."""
    return {w for w in waits if not any(w in all_waits[other] for other in waits if other != w)}


def build_action_plan(report: AssessmentReport, pack: LoadedPack | None) -> ActionPlan:
    spec: ActionPlanSpec | None = pack.action_plan if pack is not None else None
    findings = [f for f in ordered_findings(report) if f.state in ACTION_STATES]
    steps_spec = resolved_steps(pack) if spec is not None and pack is not None else {}
    ancestors = _ancestors({rule_id: list(step.after) for rule_id, step in steps_spec.items()})
    order, waits = _order(findings, ancestors)
    number_of = {index: position + 1 for position, index in enumerate(order)}
    groups: dict[str, ActionRoleGroup] = {}
    for index in order:
        finding = findings[index]
        step_spec = steps_spec.get(finding.rule_id)
        if spec is None:
            role, title = NO_ROLE
        elif step_spec is None:  # a rule the plan forgot (the lint says so): the presales decide
            role = "avant-vente" if any(r.id == "avant-vente" for r in spec.roles) else spec.roles[-1].id
            title = spec.role_title(role)
        else:
            role = step_spec.by_state.get(finding.state, step_spec.role)
            title = spec.role_title(role)
        verification = ""
        if finding.state.value in ("unknown", "manual"):
            verification = finding.manual_check
        step = ActionStep(
            number=number_of[index], role=role, rule_id=finding.rule_id, catalogue=finding.catalogue,
            title=finding.title, host=finding.host, subject=finding.subject, state=finding.state,
            severity=finding.severity, message=finding.message, remediation=finding.remediation,
            addressed_to=finding.addressed_to, verification=verification,
            after=sorted(number_of[w] for w in _nearest(waits[index], waits)))
        groups.setdefault(role, ActionRoleGroup(role=role, title=title)).steps.append(step)
    return ActionPlan(groups=list(groups.values()), note="" if spec is not None else NO_PLAN_NOTE)
