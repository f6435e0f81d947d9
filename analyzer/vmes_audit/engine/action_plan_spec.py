"""The pack's action plan (``rules/<pack>/action-plan.yaml``): who fixes each
check, and which fixes must come first. Loaded with the pack, checked by
``vmes-audit rules lint``.

It is data of the pack, kept out of the rule files so that the order of the
work can be read (and reviewed) in one place::

    roles:
      - {id: domaine, title: Administrateur du domaine}
      - {id: exchange, title: Administrateur Exchange}
    steps:
      f3-not-domain-admin: {role: domaine}
      f9-server-permissions:
        role: exchange
        after: [f3-not-domain-admin]     # F3's fix first: a Domain Admin is denied Send As
      a1-domain-controllers-os:
        role: domaine
        by_state: {warn: avant-vente}    # "à confirmer avec l'éditeur": not the admin's job

Problems found by :func:`lint_action_plan`: a rule of the pack without a step,
a step or an ``after`` naming no rule of the pack, an unknown role, a
dependency cycle (named rule by rule), a ``by_state`` on a state that needs
no action.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vmes_audit.base.findings import State

__all__ = ["ACTION_PLAN_FILE", "MACHINE_ACTION", "RoleSpec", "StepSpec", "MachineSpec", "ForbidSpec",
           "ActionPlanSpec", "read_action_plan",
           "lint_action_plan", "resolved_steps", "ACTION_STATES"]

ACTION_PLAN_FILE = "action-plan.yaml"
# The action of a step done on the VMES machine itself (re-addressed when that machine is rejected).
MACHINE_ACTION = "change-vmes-machine"


class PackRules(Protocol):
    """What the action plan needs of a loaded pack (``engine.pack.LoadedPack``)."""

    rules: Sequence[Any]
    action_plan: "ActionPlanSpec | None"

    def rule(self, rule_id: str) -> Any: ...

# States of a finding that put a step in the plan (a waiver is an accepted gap).
ACTION_STATES = frozenset({State.FAIL, State.WARN, State.UNKNOWN, State.MANUAL})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoleSpec(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str = Field(min_length=3)  # French, shown as the group's heading


class StepSpec(_Strict):
    role: str
    after: list[str] = Field(default_factory=list)  # rule ids whose fixes come first
    by_state: dict[State, str] = Field(default_factory=dict)  # another role for some states
    # What the remediation makes the customer do, as action names the plan's `forbids` can name
    # (`change-vmes-machine`: anything done on the VMES machine itself; `add-local-administrator`).
    actions: list[str] = Field(default_factory=list)


class MachineSpec(_Strict):
    """When one of ``rejected_by`` fails on a VMES machine, that machine is not the one VMES will run
    on: the remediations of the steps whose ``actions`` hold ``change-vmes-machine`` are rendered
    again for ``replacement`` (« la machine qui hébergera VMES »), with the rejected machine's own
    columns (``forget``: table -> columns, its IP addresses…) unknown."""

    rejected_by: list[str] = Field(min_length=1)
    replacement: str = Field(min_length=3)  # French: « la machine qui hébergera VMES »
    forget: dict[str, list[str]] = Field(default_factory=dict)


class ForbidSpec(_Strict):
    """A finding of ``rule`` in one of ``states`` forbids every step doing one of ``actions`` —
    on the finding's host only (``scope: host``: D2 on a DC forbids changing that DC into the VMES
    machine) or anywhere (``scope: any``). ``why``: French, names the finding's reason."""

    rule: str
    states: list[State] = Field(min_length=1)
    actions: list[str] = Field(min_length=1)
    scope: str = Field(default="host", pattern=r"^(host|any)$")
    why: str = Field(min_length=10)


class ActionPlanSpec(_Strict):
    roles: list[RoleSpec] = Field(min_length=1)
    steps: dict[str, StepSpec]
    machine: MachineSpec | None = None
    forbids: list[ForbidSpec] = Field(default_factory=list)

    def role_title(self, role_id: str) -> str:
        return next((r.title for r in self.roles if r.id == role_id), role_id)


def read_action_plan(folder: Path, problems: list[str]) -> ActionPlanSpec | None:
    """The folder's action plan, or ``None`` when the pack has none (or it is invalid:
    then ``problems`` says why)."""
    path = Path(folder) / ACTION_PLAN_FILE
    if not path.is_file():
        return None
    try:
        with path.open(encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(f"{ACTION_PLAN_FILE} : YAML illisible ({exc})")
        return None
    try:
        return ActionPlanSpec.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            problems.append(f"{ACTION_PLAN_FILE} : {loc or 'racine'} : {err['msg']}")
        return None


def _canonical(loaded: PackRules, rule_id: str) -> str | None:
    rule = loaded.rule(rule_id)
    return rule.id if rule is not None else None


def resolved_steps(loaded: PackRules) -> dict[str, StepSpec]:
    """The steps keyed by the rules' current ids (a step may name a rule by a former id),
    with ``after`` resolved the same way; unknown names are dropped (the lint reports them)."""
    spec: ActionPlanSpec | None = getattr(loaded, "action_plan", None)
    if spec is None:
        return {}
    out: dict[str, StepSpec] = {}
    for name, step in spec.steps.items():
        rule_id = _canonical(loaded, name)
        if rule_id is None:
            continue
        after = [a for a in (_canonical(loaded, n) for n in step.after) if a is not None and a != rule_id]
        out[rule_id] = StepSpec(role=step.role, after=list(dict.fromkeys(after)), by_state=step.by_state,
                                actions=step.actions)
    return out


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Every elementary cycle found by a depth-first walk (each reported once).

    >>> _cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": []})
    [['a', 'b', 'c', 'a']]
    """
    found: list[list[str]] = []
    seen_sets: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                key = frozenset(cycle)
                if key not in seen_sets:
                    seen_sets.add(key)
                    found.append(cycle)
            elif state.get(nxt) is None:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if state.get(node) is None:
            visit(node)
    return found


def lint_action_plan(loaded: PackRules) -> list[str]:
    """Every problem of the pack's action plan (none when the pack has no plan)."""
    spec: ActionPlanSpec | None = getattr(loaded, "action_plan", None)
    if spec is None:
        return []
    where = ACTION_PLAN_FILE
    problems: list[str] = []
    roles = [r.id for r in spec.roles]
    for role in sorted({r for r in roles if roles.count(r) > 1}):
        problems.append(f"{where} : rôle « {role} » déclaré plusieurs fois")
    known_roles = set(roles)
    covered: set[str] = set()
    for name, step in spec.steps.items():
        rule_id = _canonical(loaded, name)
        if rule_id is None:
            problems.append(f"{where} : étape « {name} » : aucune règle de ce nom dans le pack")
        else:
            if rule_id in covered:
                problems.append(f"{where} : la règle {rule_id} a plusieurs étapes")
            covered.add(rule_id)
        if step.role not in known_roles:
            problems.append(f"{where} : étape « {name} » : rôle inconnu « {step.role} »")
        for state, role in step.by_state.items():
            if role not in known_roles:
                problems.append(f"{where} : étape « {name} » : by_state.{state.value} : rôle inconnu « {role} »")
            if state not in ACTION_STATES:
                problems.append(f"{where} : étape « {name} » : by_state.{state.value} : cet état ne demande "
                                "aucune action")
        for other in step.after:
            target = _canonical(loaded, other)
            if target is None:
                problems.append(f"{where} : étape « {name} » : after : aucune règle « {other} » dans le pack")
            elif target == rule_id:
                problems.append(f"{where} : étape « {name} » : after : une étape ne peut pas dépendre d'elle-même")
    declared_actions = {a for step in spec.steps.values() for a in step.actions}
    if spec.machine is not None:
        for name in spec.machine.rejected_by:
            if _canonical(loaded, name) is None:
                problems.append(f"{where} : machine.rejected_by : aucune règle « {name} » dans le pack")
        from vmes_audit.facts.model import TABLES
        for table, columns in spec.machine.forget.items():
            known = TABLES.get(table)
            if known is None:
                problems.append(f"{where} : machine.forget : table inconnue « {table} »")
                continue
            for column in columns:
                if column not in known.columns:
                    problems.append(f"{where} : machine.forget : colonne inconnue « {table}.{column} »")
        if MACHINE_ACTION not in declared_actions:
            problems.append(f"{where} : machine : aucune étape ne déclare l'action « {MACHINE_ACTION} »")
    for forbid in spec.forbids:
        if _canonical(loaded, forbid.rule) is None:
            problems.append(f"{where} : forbids : aucune règle « {forbid.rule} » dans le pack")
        for action in forbid.actions:
            if action not in declared_actions:
                problems.append(f"{where} : forbids ({forbid.rule}) : aucune étape ne déclare l'action « {action} »")
    for rule in loaded.rules:
        if rule.id not in covered:
            problems.append(f"{where} : la règle {rule.id} n'a pas d'étape (rôle de la personne qui corrige)")
    graph = {rule_id: list(step.after) for rule_id, step in resolved_steps(loaded).items()}
    for cycle in _cycles(graph):
        problems.append(f"{where} : dépendances circulaires (chaque étape attend la suivante) : {' → '.join(cycle)}")
    return problems
