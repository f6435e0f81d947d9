"""Plain models shared by the engine and the report (templates never see DataFrames)."""

from __future__ import annotations

import re
from enum import Enum

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["State", "Severity", "Verdict", "Finding", "Answer", "InputInfo", "HostSummary",
           "ArtifactStatus", "AssessmentReport", "STATE_LABELS", "SEVERITY_LABELS",
           "VERDICT_LABELS", "ComparisonItem", "Comparison", "ActionStep", "ActionRoleGroup", "ActionPlan",
           "COMPARISON_LABELS", "natural_key", "ordered_findings"]


class State(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    MANUAL = "manual"
    UNKNOWN = "unknown"
    NA = "n/a"
    WAIVED = "waived"


class Severity(str, Enum):
    BLOQUANT = "bloquant"
    MAJEUR = "majeur"
    MINEUR = "mineur"
    INFO = "info"


class Verdict(str, Enum):
    PRET = "pret"
    PRET_SOUS_RESERVE = "pret_sous_reserve"
    NON_PRET = "non_pret"


STATE_LABELS = {
    State.PASS: "Conforme",
    State.FAIL: "Non conforme",
    State.WARN: "À améliorer",
    State.MANUAL: "À vérifier",
    State.UNKNOWN: "Non évaluable",
    State.NA: "Non applicable",
    State.WAIVED: "Dérogation",
}
SEVERITY_LABELS = {
    Severity.BLOQUANT: "Bloquant",
    Severity.MAJEUR: "Majeur",
    Severity.MINEUR: "Mineur",
    Severity.INFO: "Info",
}
VERDICT_LABELS = {
    Verdict.PRET: "Prêt",
    Verdict.PRET_SOUS_RESERVE: "Prêt sous réserve",
    Verdict.NON_PRET: "Non prêt",
}


# What the report keeps of a value read from a customer's machine: nobody reads a 40 000-character
# OS caption or a one-megabyte error text, and a PDF engine lays such a word out very slowly. The
# cut is said where it is made.
TEXT_LIMIT = 4000  # characters of one text
LIST_LIMIT = 300  # lines of one list (warnings, details, reasons)


def bounded_text(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text``, cut to ``limit`` characters with a French note saying so.

    >>> bounded_text("abc"), bounded_text("x" * 12, 5)
    ('abc', 'xxxxx … [texte tronqué : 12 caractères au total]')
    """
    if len(text) <= limit:
        return text
    total = f"{len(text):,}".replace(",", "\u202f")
    return f"{text[:limit]} … [texte tronqué : {total} caractères au total]"


def _bounded(value: Any) -> Any:
    if isinstance(value, str):
        return bounded_text(value)
    if isinstance(value, tuple):
        return tuple(_bounded(v) for v in value)
    if isinstance(value, dict):
        return {k: _bounded(v) for k, v in value.items()}
    if isinstance(value, list) and value and isinstance(value[0], (str, tuple)):
        items = [_bounded(v) for v in value[:LIST_LIMIT]]
        if len(value) > LIST_LIMIT and isinstance(value[0], str):
            items.append(f"… et {len(value) - LIST_LIMIT} autres lignes non affichées")
        elif len(value) > LIST_LIMIT:
            items.append(("…", f"{len(value) - LIST_LIMIT} autres lignes non affichées"))
        return items
    return value


class _Plain(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _bound_texts(cls, value: Any) -> Any:
        return _bounded(value)


class Reference(_Plain):
    kind: str  # "kb", "seed", "doc", "url"
    id: str
    title: str = ""
    url: str = ""


class Answer(_Plain):
    """The customer's answer that decided a « À vérifier » finding (``analyze --answers``)."""

    text: str  # the answer as given: "oui", "non", "350"
    comment: str = ""  # what the customer added ("RAID 1, deux alimentations")
    by: str = ""  # who answered ("M. Durand, DSI")
    on: str = ""  # when, dd/mm/yyyy ("" if not said)


class Finding(_Plain):
    """One evaluated check on one subject (a host, a server, the organisation)."""

    rule_id: str
    catalogue: str  # A1 … H2
    section: str  # A … H
    title: str
    state: State
    severity: Severity
    host: str  # the host or object the finding is about ("" = organisation-wide)
    subject: str = ""  # e.g. the Exchange server name for per-server checks
    message: str  # one sentence about the concrete object
    observed: str = ""
    expected: str = ""
    why: str = ""
    remediation: str = ""  # ready to paste; may hold several lines
    manual_check: str = ""  # how to verify by hand (for unknown / manual)
    question: str = ""  # the question to ask the customer (manual / unknown)
    evidence: list[str] = Field(default_factory=list)  # artifact names the evidence came from
    details: list[str] = Field(default_factory=list)  # extra lines (e.g. users listed)
    references: list[Reference] = Field(default_factory=list)
    waiver: str = ""  # justification when waived
    answer: Answer | None = None  # the customer's answer, when it decided this finding
    asks: str = ""  # the pack parameter a « À vérifier » finding asks the customer for ("users"), else ""
    # the machine the remediation addresses when it is not ``host``: « la machine qui hébergera VMES »
    # when ``host`` is rejected as the VMES machine (a DC, an Exchange server: D2, D3, D4)
    addressed_to: str = ""


class InputInfo(_Plain):
    path: str  # as given by the user (file name only in the report)
    sha256: str
    size: int
    kind: str  # "zip", "dossier", "fichiers isolés", or "illisible" (could not be read at all: see error)
    error: str = ""  # why an input could not be read ("" when it was)


class ArtifactStatus(_Plain):
    host: str
    name: str
    file: str
    source: str
    status: str  # ok / error / skipped / missing / unreadable
    encoding: str = ""
    duration_ms: int | None = None
    error: str = ""


class HostSummary(_Plain):
    """A host of the assessment, for the cover and the inventory annex."""

    hostname: str
    mode: str  # vmes / exchange / ems / loose
    collector_version: str = ""
    format_version: str = ""
    run_as: str = ""
    run_as_sid: str = ""
    started: str = ""
    ended: str = ""
    inventory: list[tuple[str, str]] = Field(default_factory=list)  # (label FR, value)
    warnings: list[str] = Field(default_factory=list)


# Status of a finding between two audits (vmes_audit.assessment.compare). The first four
# are the ones presales read; the last three say what a pack upgrade or a
# change in what was collected did, so that nothing is silently counted.
COMPARISON_LABELS = {
    "corrige": "Corrigé",
    "nouveau": "Nouveau",
    "regresse": "Régressé",
    "inchange": "Inchangé",
    "nouvelle_regle": "Nouvelle règle",
    "disparu": "Absent de la nouvelle analyse",
    "regle_retiree": "Règle retirée du référentiel",
}


class ComparisonItem(_Plain):
    """One fingerprint (rule id, host, subject) seen in either audit."""

    status: str  # a key of COMPARISON_LABELS
    fingerprint: str  # "rule_id|host|subject" (case-folded host and subject)
    rule_id: str
    catalogue: str
    title: str
    host: str
    subject: str
    severity: Severity
    old_state: State | None = None
    new_state: State | None = None
    open: bool  # the finding still needs action after the new audit
    message: str  # the new finding's message (the old one when it disappeared)


class Comparison(_Plain):
    """The evolution since an earlier audit (``--previous`` / ``compare``)."""

    previous_date: str  # dd/mm/yyyy: the earlier report's date
    previous_verdict: Verdict
    previous_client: str
    previous_pack_id: str
    previous_pack_version: str
    previous_pack_date: str
    previous_analyzer_version: str
    pack_changed: bool
    pack_note: str = ""  # French sentence when the rule pack changed between the audits
    new_rules: list[str] = Field(default_factory=list)
    removed_rules: list[str] = Field(default_factory=list)
    items: list[ComparisonItem] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class ActionStep(_Plain):
    """One thing to do, by one role, after the steps it depends on."""

    number: int  # global order, 1-based: dependencies come first
    role: str  # role id of the pack's action plan
    rule_id: str
    catalogue: str
    title: str
    host: str
    subject: str
    state: State
    severity: Severity
    message: str
    remediation: str  # the rule's rendered remediation (real names)
    addressed_to: str = ""  # the finding's addressed_to: the remediation goes to that machine, not ``host``
    verification: str = ""  # the manual check, for unknown / manual findings
    after: list[int] = Field(default_factory=list)  # numbers of the steps to finish first


class ActionRoleGroup(_Plain):
    role: str
    title: str  # French, e.g. "Administrateur Exchange"
    steps: list[ActionStep] = Field(default_factory=list)


class ActionPlan(_Plain):
    groups: list[ActionRoleGroup] = Field(default_factory=list)
    note: str = ""  # French, when the pack declares no action plan


class AssessmentReport(_Plain):
    """Everything the report templates and the JSON/CSV writers receive."""

    client: str
    generated_on: str  # date shown on the cover, dd/mm/yyyy
    pack_id: str
    pack_version: str
    pack_date: str
    vmes_release: str
    analyzer_version: str
    parameters: dict[str, str | int]
    verdict: Verdict
    verdict_reasons: list[str]
    sections: list[tuple[str, str]]  # (letter, French title), in the vendor document's order
    findings: list[Finding]
    hosts: list[HostSummary]
    inputs: list[InputInfo]
    artifacts: list[ArtifactStatus]
    warnings: list[str] = Field(default_factory=list)
    # Beyond one report (issue 11): filled by assessment.py / compare.py / pseudonymise.py.
    rule_ids: list[str] = Field(default_factory=list)  # every rule of the pack, for later comparisons
    comparison: Comparison | None = None
    action_plan: ActionPlan | None = None
    pseudonymised: bool = False


def natural_key(text: str) -> tuple:
    """Sort key that orders embedded numbers by value.

    >>> sorted(["A10", "A2", "B1", "A1"], key=natural_key)
    ['A1', 'A2', 'A10', 'B1']
    """
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"(\d+)", text) if part)


def ordered_findings(report: AssessmentReport) -> list[Finding]:
    """All findings in the report's reading order: section, catalogue id (A2 before A10), host, subject."""
    section_rank = {letter: i for i, (letter, _) in enumerate(report.sections)}
    return sorted(report.findings, key=lambda f: (
        section_rank.get(f.section, len(section_rank)), natural_key(f.catalogue),
        f.host.casefold(), f.subject.casefold(), f.rule_id))
