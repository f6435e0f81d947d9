"""Rule-pack models: ``pack.yaml``, one YAML file per rule, and its cases.

Validated strictly (``extra="forbid"``): a typo in a rule file is an error
naming the file and the field, never a silently ignored key.

A condition is one of (Sigma-like: named selections plus a closed operator set)::

    {field: domain_role, op: in, value: [backup_dc, primary_dc]}   # leaf on the subject row
    {all: [cond, ...]}  {any: [cond, ...]}  {not: cond}             # three-valued logic
    {exists: selection}  {none: selection}                          # quantifiers over a table
    {count: selection, op: ge, value: 2}
    {every: selection, check: cond}                                 # per-row check

A value may be a literal, ``{param: name}`` (pack parameter), ``{field: name}``
(another column of the same row) or ``{subject: name}`` (a column of the rule's
subject, inside a selection). A field named ``params.X`` reads a parameter and
``subject.X`` the subject's column.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from vmes_audit.base.findings import Severity, State

__all__ = ["Op", "Leaf", "AllOf", "AnyOf", "Not", "Exists", "NoneOf", "Count", "Every", "Condition",
           "Selection", "Outcome", "Rule", "Pack", "Section", "Requires", "ForEach", "RuleCase",
           "Reference", "ParamRef", "FieldRef", "SubjectRef", "Requirement", "AssessmentSpec"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Op(str, Enum):
    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    VERSION_LT = "version_lt"
    VERSION_LE = "version_le"
    VERSION_GT = "version_gt"
    VERSION_GE = "version_ge"
    VERSION_EQ = "version_eq"
    MATCHES = "matches"
    NOT_MATCHES = "not_matches"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    IS_NULL = "is_null"
    NOT_NULL = "not_null"
    IS_TRUE = "is_true"
    IS_FALSE = "is_false"


UNARY_OPS = {Op.IS_NULL, Op.NOT_NULL, Op.IS_TRUE, Op.IS_FALSE}


class ParamRef(_Strict):
    param: str


class FieldRef(_Strict):
    field: str


class SubjectRef(_Strict):
    """In a selection's ``where``: a column of the rule's subject (e.g. the server being checked)."""

    subject: str


Value = Union[ParamRef, FieldRef, SubjectRef, str, int, float, bool, list[Union[str, int, float]], None]


class Leaf(_Strict):
    field: str
    op: Op
    value: Value = None

    @model_validator(mode="after")
    def _check_value(self) -> "Leaf":
        if self.op in UNARY_OPS and self.value is not None:
            raise ValueError(f"l'opérateur {self.op.value} ne prend pas de valeur")
        if self.op not in UNARY_OPS and self.value is None:
            raise ValueError(f"l'opérateur {self.op.value} demande une valeur")
        if self.op in (Op.IN, Op.NOT_IN) and not isinstance(self.value, (list, ParamRef)):
            raise ValueError(f"l'opérateur {self.op.value} demande une liste")
        return self


class AllOf(_Strict):
    all: list["Condition"] = Field(min_length=1)


class AnyOf(_Strict):
    any: list["Condition"] = Field(min_length=1)


class Not(_Strict):
    not_: "Condition" = Field(alias="not")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Exists(_Strict):
    exists: str


class NoneOf(_Strict):
    none: str


class Count(_Strict):
    count: str
    op: Literal["eq", "ne", "lt", "le", "gt", "ge"]
    value: Union[int, ParamRef]


class Every(_Strict):
    every: str
    check: "Condition"


Condition = Union[Leaf, AllOf, AnyOf, Not, Exists, NoneOf, Count, Every]
for _model in (AllOf, AnyOf, Not, Every):
    _model.model_rebuild()


class Selection(_Strict):
    """Rows of a fact table, for a quantifier or a template (``sel.NAME``)."""

    table: str
    where: Condition | None = None
    artifacts: list[str] = Field(default_factory=list)  # restrict rows (and availability) to these artifacts
    same_host: bool = True  # only rows of the subject's host
    description: str = ""


class Outcome(_Strict):
    state: State
    when: Condition | None = None  # absent = otherwise
    message: str = Field(min_length=1)

    @field_validator("state")
    @classmethod
    def _no_engine_states(cls, value: State) -> State:
        if value == State.WAIVED:
            raise ValueError("l'état « waived » est réservé aux dérogations")
        return value


class Requires(_Strict):
    all: list[str] = Field(default_factory=list)
    any: list[str] = Field(default_factory=list)


class ForEach(_Strict):
    """One finding per row of a table (e.g. one per Exchange server)."""

    table: str
    where: Condition | None = None
    subject: str  # template naming the row, e.g. "{{ name }}"
    when_empty: Outcome | None = None  # without it: one "unknown" finding


class Reference(_Strict):
    kind: Literal["kb", "seed", "doc", "url"]
    id: str
    title: str = ""
    url: str = ""


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-h][0-9]{1,2}-[a-z0-9-]+$")
    title: str = Field(min_length=5)
    section: Literal["A", "B", "C", "D", "E", "F", "G", "H"]
    catalogue: str = Field(pattern=r"^[A-H][0-9]{1,2}$")
    seed_section: str
    severity: Severity
    scope: Literal["vmes", "exchange", "organisation"] = "vmes"
    requires: Requires = Requires()
    applies_when: Condition | None = None
    not_applicable: str = ""  # message when applies_when is false
    for_each: ForEach | None = None
    selections: dict[str, Selection] = Field(default_factory=dict)
    outcomes: list[Outcome] = Field(min_length=1)
    observed: str = ""
    expected: str = ""
    why: str = Field(min_length=10)
    remediation: str = ""
    manual_check: str = Field(min_length=10)
    question: str = ""
    references: list[Reference] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)  # former ids, kept working
    # The state the rule gives on each bundled sample (``samples/<name>.zip``, or a folder) or
    # organisation (``samples/organisations.yaml``), as Sigma keeps expected results beside each rule; a
    # list holds one state per subject (each DC, each server), sorted. tests/e2e/test_samples.py checks them.
    samples: dict[Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")], State | list[State]] = Field(
        default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> "Rule":
        if not self.id.upper().startswith(self.catalogue.upper() + "-") and not self.id.startswith(
                self.catalogue.lower() + "-"):
            raise ValueError(f"l'identifiant {self.id} doit commencer par le prérequis {self.catalogue.lower()}-")
        if self.catalogue[0] != self.section:
            raise ValueError(f"le prérequis {self.catalogue} n'est pas de la section {self.section}")
        if self.outcomes[-1].when is not None:
            raise ValueError("le dernier résultat doit être sans condition (« sinon »)")
        if any(o.when is None for o in self.outcomes[:-1]):
            raise ValueError("seul le dernier résultat peut être sans condition")
        if self.applies_when is not None and not self.not_applicable:
            raise ValueError("applies_when demande un message not_applicable")
        return self


class Section(_Strict):
    id: Literal["A", "B", "C", "D", "E", "F", "G", "H"]
    title: str


class Parameter(_Strict):
    default: Union[str, int, float, bool]
    description: str


class Requirement(_Strict):
    """One thing an assessment must contain to be judged (``pack.yaml``, ``assessment.requires``)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")
    label: str = Field(min_length=3)  # French: what it is ("collecte de la machine VMES")
    role: Literal["vmes", "exchange"]  # host role of the judged collections counted
    min: int = Field(default=1, ge=1)
    missing: str = Field(min_length=10)  # French sentence shown when it is not met


class AssessmentSpec(_Strict):
    """What an assessment must contain: each requirement not met is a bloquant "Non évaluable"
    finding of ``rule`` (an organisation-wide rule of section H), so the verdict can never be
    "Prêt" by omission."""

    rule: str
    requires: list[Requirement] = Field(min_length=1)


class Pack(_Strict):
    id: str
    vmes_release: str
    version: str
    date: date
    title: str
    seed: str
    format_versions: list[str] = Field(min_length=1)  # collection format versions this pack reads
    parameters: dict[str, Parameter]
    sections: list[Section] = Field(min_length=1)
    assessment: AssessmentSpec | None = None


class RuleCase(_Strict):
    """A pass or fail example kept next to its rule (``<id>.cases.yaml``)."""

    name: str
    expect: State
    host: dict[str, Any] = Field(default_factory=dict)  # the subject host row
    tables: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    unavailable: dict[str, str] = Field(default_factory=dict)  # artifact -> error text
    params: dict[str, Any] = Field(default_factory=dict)
    role: Literal["vmes", "exchange"] = "vmes"
    expect_message: str = ""  # substring the message must contain
    expect_remediation: str = ""  # substring the rendered remediation must contain
    expect_not_message: str = ""  # substring the message must not contain (a cause the evidence does not show)
    expect_not_remediation: str = ""  # substring the remediation must not contain (a step another check forbids)
    expect_count: int | None = None  # number of findings (for_each rules)
