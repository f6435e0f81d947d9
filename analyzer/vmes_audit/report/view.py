"""What the templates and the writers read: the findings of an ``AssessmentReport``
put in reading order, grouped by section, counted, and the customer questions.

Nothing here formats text for display except the questions built for
« À vérifier avec le client », which are data (escaped by the templates).

Reading order, used by the HTML, the PDF, the JSON and the CSV alike:
sections in ``report.sections`` order (findings of an unlisted section last, in
a section « Autres contrôles »), then catalogue id in natural order
(A2 before A10), then host, subject and rule id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vmes_audit.base.findings import (
    SEVERITY_LABELS,
    ActionStep,
    Comparison,
    STATE_LABELS,
    VERDICT_LABELS,
    ArtifactStatus,
    AssessmentReport,
    Finding,
    Severity,
    State,
    natural_key,
    ordered_findings,
)
from vmes_audit.base.french import NNBSP, guillemets

# Order of the states in counts, tables and the chart: what needs action first.
STATE_ORDER: tuple[State, ...] = (
    State.FAIL, State.UNKNOWN, State.WARN, State.MANUAL, State.WAIVED, State.PASS, State.NA,
)
SEVERITY_RANK = {Severity.BLOQUANT: 0, Severity.MAJEUR: 1, Severity.MINEUR: 2, Severity.INFO: 3}
# A blocking point of the executive summary: the verdict "Non prêt" comes from these.
BLOCKING_STATES = frozenset({State.FAIL, State.UNKNOWN})
BLOCKING_SEVERITIES = frozenset({Severity.BLOQUANT, Severity.MAJEUR})
# Cards of these states show the remediation (a conforming check needs none).
REMEDIATION_STATES = frozenset({State.FAIL, State.WARN, State.UNKNOWN, State.MANUAL, State.WAIVED})
QUESTION_STATES = frozenset({State.MANUAL, State.UNKNOWN})
OTHER_SECTION = ("?", "Autres contrôles")

# CSS class of each state (reports/css/report.css: .state-<class>).
STATE_CSS = {
    State.PASS: "pass", State.FAIL: "fail", State.WARN: "warn", State.MANUAL: "manual",
    State.UNKNOWN: "unknown", State.NA: "na", State.WAIVED: "waived",
}


def is_blocking(finding: Finding) -> bool:
    """Failing or unknown bloquant/majeur finding (prerequisites.md, verdict)."""
    return finding.state in BLOCKING_STATES and finding.severity in BLOCKING_SEVERITIES


def customer_question(finding: Finding) -> str:
    """The question to put to the customer for a manual or unknown finding."""
    if finding.question:
        return finding.question
    where = f" sur {finding.host}" if finding.host else ""
    return f"Pouvez-vous confirmer le point {guillemets(finding.title)}{where}{NNBSP}?"


def count_states(findings: list[Finding]) -> dict[State, int]:
    counts = {state: 0 for state in STATE_ORDER}
    for finding in findings:
        counts[finding.state] += 1
    return counts


@dataclass(frozen=True)
class FindingView:
    finding: Finding
    anchor: str  # "f-12": position in reading order, safe as an HTML id
    section_title: str
    blocking: bool
    state_css: str
    state_label: str
    severity_label: str
    show_remediation: bool


@dataclass
class SectionView:
    letter: str
    title: str
    anchor: str
    findings: list[FindingView] = field(default_factory=list)

    @property
    def counts(self) -> dict[State, int]:
        return count_states([fv.finding for fv in self.findings])


@dataclass(frozen=True)
class QuestionView:
    number: int
    finding: FindingView
    text: str


@dataclass(frozen=True)
class ReportView:
    report: AssessmentReport
    verdict_label: str
    verdict_css: str
    sections: list[SectionView]
    findings: list[FindingView]
    blocking: list[FindingView]
    counts: dict[State, int]
    questions: list[QuestionView]
    warnings: list[tuple[str, str]]  # (host or "", text)
    artifact_groups: list[tuple[str, list[ArtifactStatus]]]  # per host, hosts' order first
    evolution: "EvolutionView | None" = None  # since an earlier audit (assessment/compare.py)
    action_plan: "list[ActionGroupView]" = field(default_factory=list)  # assessment/action_plan.py


def build_view(report: AssessmentReport) -> ReportView:
    titles = dict(report.sections)
    sections = [SectionView(letter, title, f"sec-{i + 1}")
                for i, (letter, title) in enumerate(report.sections)]
    by_letter = {s.letter: s for s in sections}
    views: list[FindingView] = []
    for number, finding in enumerate(ordered_findings(report), start=1):
        section = by_letter.get(finding.section)
        if section is None:
            section = by_letter.get(OTHER_SECTION[0])
            if section is None:
                section = SectionView(*OTHER_SECTION, f"sec-{len(sections) + 1}")
                sections.append(section)
                by_letter[section.letter] = section
        view = FindingView(
            finding=finding,
            anchor=f"f-{number}",
            section_title=titles.get(finding.section, OTHER_SECTION[1]),
            blocking=is_blocking(finding),
            state_css=STATE_CSS[finding.state],
            state_label=STATE_LABELS[finding.state],
            severity_label=SEVERITY_LABELS[finding.severity],
            show_remediation=finding.state in REMEDIATION_STATES and bool(finding.remediation),
        )
        section.findings.append(view)
        views.append(view)

    blocking = sorted((v for v in views if v.blocking), key=lambda v: (
        SEVERITY_RANK[v.finding.severity], v.finding.state != State.FAIL, int(v.anchor[2:])))
    questions = [QuestionView(i, v, customer_question(v.finding)) for i, v in enumerate(
        (v for v in views if v.finding.state in QUESTION_STATES), start=1)]
    warnings = [("", text) for text in report.warnings]
    warnings += [(host.hostname, text) for host in report.hosts for text in host.warnings]
    host_order = {h.hostname: i for i, h in enumerate(report.hosts)}
    groups: dict[str, list[ArtifactStatus]] = {}
    for artifact in report.artifacts:
        groups.setdefault(artifact.host, []).append(artifact)
    artifact_groups = sorted(groups.items(), key=lambda kv: (
        host_order.get(kv[0], len(host_order)), natural_key(kv[0])))
    return ReportView(
        report=report,
        verdict_label=VERDICT_LABELS[report.verdict],
        verdict_css=report.verdict.value.replace("_", "-"),
        sections=sections,
        findings=views,
        blocking=blocking,
        counts=count_states(report.findings),
        questions=questions,
        warnings=warnings,
        artifact_groups=artifact_groups,
        evolution=build_evolution(report),
        action_plan=build_action_plan_view(report, views),
    )


# ---- Beyond one report (issue 11): evolution since an earlier audit, action plan ----

# Order of the comparison lists in the report: what got worse, what is new, what was fixed
# (the short lists presales report on), then the long list of what is still open.
COMPARISON_ORDER: tuple[str, ...] = (
    "regresse", "nouveau", "corrige", "inchange", "nouvelle_regle", "disparu", "regle_retiree",
)
COMPARISON_TITLES = {
    "regresse": "Régressés",
    "nouveau": "Nouveaux",
    "inchange": "Inchangés, toujours à traiter",
    "corrige": "Corrigés",
    "nouvelle_regle": "Constats de règles nouvelles du référentiel",
    "disparu": "Absents de la nouvelle analyse",
    "regle_retiree": "Règles retirées du référentiel",
}
COMPARISON_INTROS = {
    "disparu": "Ces constats de l’audit précédent n’apparaissent plus : l’objet concerné (machine, serveur) "
               "ne figure plus dans les collectes analysées. Vérifiez qu’il a bien été retiré et qu’aucune "
               "collecte ne manque.",
    "nouvelle_regle": "Ces contrôles n’existaient pas lors de l’audit précédent : ils ne sont pas comptés comme "
                      "de nouveaux problèmes.",
}


@dataclass(frozen=True)
class ComparisonGroupView:
    status: str
    title: str
    intro: str
    items: list  # list[ComparisonItem], open ones first then reading order


@dataclass(frozen=True)
class EvolutionView:
    comparison: "Comparison"
    previous_verdict_label: str
    counts: dict[str, int]  # status -> number of fingerprints
    still_ok: int  # inchangé and closed: conforming in both audits
    still_open: int  # inchangé and open
    groups: list[ComparisonGroupView]  # non-empty lists only, in COMPARISON_ORDER


def build_evolution(report: AssessmentReport) -> EvolutionView | None:
    comparison = report.comparison
    if comparison is None:
        return None
    from vmes_audit.assessment.compare import status_counts, still_open_count

    counts = {**{status: 0 for status in COMPARISON_ORDER}, **status_counts(comparison)}
    groups = []
    for status in COMPARISON_ORDER:
        items = [i for i in comparison.items if i.status == status]
        if status == "inchange":
            items = [i for i in items if i.open]  # conforming twice: counted, not listed
        if status == "nouveau":
            items.sort(key=lambda i: not i.open)
        if items:
            groups.append(ComparisonGroupView(status, COMPARISON_TITLES[status], COMPARISON_INTROS.get(status, ""),
                                              items))
    still_open = still_open_count(comparison)
    return EvolutionView(comparison=comparison, previous_verdict_label=VERDICT_LABELS[comparison.previous_verdict],
                         counts=counts, still_open=still_open,
                         still_ok=counts["inchange"] - still_open, groups=groups)


@dataclass(frozen=True)
class ActionStepView:
    step: "ActionStep"
    anchor: str  # "etape-3"
    finding_anchor: str  # the finding's card, "f-12" ("" if not found)
    state_css: str
    after: list[tuple[int, str]]  # (step number, "F3 – Administrateur du domaine")


@dataclass(frozen=True)
class ActionGroupView:
    role: str
    title: str
    anchor: str
    steps: list[ActionStepView]


def build_action_plan_view(report: AssessmentReport, findings: list[FindingView]) -> list[ActionGroupView]:
    plan = report.action_plan
    if plan is None:
        return []
    anchors: dict[tuple[str, str, str], str] = {}
    for view in findings:
        f = view.finding
        anchors.setdefault((f.rule_id, f.host, f.subject), view.anchor)
    by_number = {s.number: (s, g.title) for g in plan.groups for s in g.steps}
    out = []
    for index, group in enumerate(plan.groups, start=1):
        steps = []
        for step in group.steps:
            after = [(n, f"{by_number[n][0].catalogue} – {by_number[n][1]}") for n in step.after if n in by_number]
            steps.append(ActionStepView(step=step, anchor=f"etape-{step.number}",
                                        finding_anchor=anchors.get((step.rule_id, step.host, step.subject), ""),
                                        state_css=STATE_CSS[step.state], after=after))
        out.append(ActionGroupView(role=group.role, title=group.title, anchor=f"plan-{index}", steps=steps))
    return out
