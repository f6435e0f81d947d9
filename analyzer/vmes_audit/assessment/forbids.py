"""No step of the action plan may tell the customer to do what another finding forbids.

The relation is declared in the pack (``action-plan.yaml``): each step names the actions its
remediation makes the customer do (``actions: [change-vmes-machine, add-local-administrator]``),
and ``forbids:`` says which finding, in which states, forbids which actions — on the finding's own
host (``scope: host``: D2 on a domain controller forbids turning that DC into the VMES machine and
adding the service account to its Administrators) or anywhere (``scope: any``).

A step whose remediation was re-addressed to « la machine qui hébergera VMES » (``addressed_to``)
acts on that machine, not on the rejected one, so a host-scoped prohibition does not reach it.
"""

from __future__ import annotations

from dataclasses import dataclass

from vmes_audit.base.findings import ActionPlan, Finding
from vmes_audit.engine.action_plan_spec import resolved_steps
from vmes_audit.engine.pack import LoadedPack

__all__ = ["ForbiddenStep", "forbidden_steps"]


@dataclass(frozen=True)
class ForbiddenStep:
    number: int  # the step's number in the plan
    rule_id: str
    host: str
    action: str
    forbidden_by: str  # rule id of the forbidding finding
    forbidden_on: str  # its host ("" = organisation)
    why: str

    def __str__(self) -> str:
        where = f" sur {self.host}" if self.host else ""
        return (f"étape n° {self.number} ({self.rule_id}{where}) : action « {self.action} » interdite par "
                f"{self.forbidden_by}{' sur ' + self.forbidden_on if self.forbidden_on else ''} : {self.why}")


def forbidden_steps(plan: ActionPlan, findings: list[Finding], pack: LoadedPack) -> list[ForbiddenStep]:
    """Every (step, action) of ``plan`` that a finding of ``findings`` forbids."""
    spec = pack.action_plan
    if spec is None or not spec.forbids:
        return []
    steps = resolved_steps(pack)
    out: list[ForbiddenStep] = []
    for forbid in spec.forbids:
        rule = pack.rule(forbid.rule)
        if rule is None:
            continue
        for finding in findings:
            if finding.rule_id != rule.id or finding.state not in forbid.states:
                continue
            for group in plan.groups:
                for step in group.steps:
                    if step.rule_id == finding.rule_id and step.host == finding.host:
                        continue  # a finding does not forbid its own step
                    declared = steps.get(step.rule_id)
                    actions = set(declared.actions) if declared is not None else set()
                    target = "" if step.addressed_to else step.host  # "" : the replacement machine
                    if forbid.scope == "host" and (not target or target != finding.host):
                        continue
                    for action in sorted(actions & set(forbid.actions)):
                        out.append(ForbiddenStep(step.number, step.rule_id, step.host, action, finding.rule_id,
                                                 finding.host, " ".join(forbid.why.split())))
    return out
