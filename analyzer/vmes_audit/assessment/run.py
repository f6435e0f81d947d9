"""The main job: inputs → collections → facts → findings → report model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from vmes_audit import __version__
from vmes_audit.collection import Assessment, load_inputs
from vmes_audit.engine.action_plan_spec import MACHINE_ACTION, resolved_steps
from vmes_audit.engine.evaluate import READDRESS, evaluate_rule_safely
from vmes_audit.engine.evidence import FactsEvidence
from vmes_audit.engine.pack import LoadedPack, check_collection_formats, load_pack
from vmes_audit.engine.requirements import add_assessment_tables
from vmes_audit.engine.templates import ROLE_FR, fr_number
from vmes_audit.engine.verdict import verdict
from vmes_audit.engine.answers import AnswersFile, apply_answers, asked_parameter, resolve_answers
from vmes_audit.engine.waivers import Waiver, apply_waivers, resolve_waivers
from vmes_audit.facts.build import build_facts
from vmes_audit.facts.model import Facts
from vmes_audit.facts.model import records
from vmes_audit.base.findings import ArtifactStatus, AssessmentReport, Finding, HostSummary, State

__all__ = ["run_assessment", "AssessmentResult", "evaluate_pack"]


@dataclass
class AssessmentResult:
    report: AssessmentReport
    facts: Facts
    pack: LoadedPack


def evaluate_pack(pack: LoadedPack, facts: Facts, params: dict[str, Any]) -> list[Finding]:
    if pack.pack.assessment is not None:
        add_assessment_tables(pack.pack.assessment.requires, facts)
    evidence = FactsEvidence(facts)
    findings: list[Finding] = []
    for rule in pack.ordered_rules():
        findings += evaluate_rule_safely(rule, evidence, params)
    return _readdress_rejected_machines(pack, evidence, params, findings)


def _readdress_rejected_machines(pack: LoadedPack, evidence: FactsEvidence, params: dict[str, Any],
                                 findings: list[Finding]) -> list[Finding]:
    """A VMES machine one of the plan's ``machine.rejected_by`` rules fails (a DC, an Exchange server, a
    Terminal Server) is not where VMES will run: the rules whose step acts on the VMES machine
    (``change-vmes-machine``) are evaluated again with their remediation addressed to « la machine qui
    hébergera VMES », the rejected machine's own columns (``machine.forget``) unknown. States and
    messages stay those of the collected machine (issue 19: no RAM, IE6 or local administrator asked
    for on the DC that D2 rejects)."""
    spec = pack.action_plan
    if spec is None or spec.machine is None:
        return findings
    machine = spec.machine
    rejected_by = {r.id for r in (pack.rule(n) for n in machine.rejected_by) if r is not None}
    rejected: dict[str, list[str]] = {}
    for finding in findings:
        if finding.rule_id in rejected_by and finding.state == State.FAIL and finding.host:
            rejected.setdefault(finding.host, []).append(finding.catalogue)
    if not rejected:
        return findings
    steps = resolved_steps(pack)
    movable = {rule_id for rule_id, step in steps.items() if MACHINE_ACTION in step.actions}
    hosts: dict[str, dict[str, Any]] = {}
    for host in rejected:
        overrides: dict[str, Any] = {"hostname": machine.replacement}
        for columns in machine.forget.values():
            overrides.update({column: None for column in columns})
        hosts[host] = overrides
    why = ", ".join(sorted({c for cats in rejected.values() for c in cats}))
    again = {**params, READDRESS: {"label": machine.replacement, "hosts": hosts, "why": f"voir {why}",
                                   "forget": machine.forget}}
    touched = {f.rule_id for f in findings if f.rule_id in movable and f.host in rejected}
    out: list[Finding] = []
    done: set[str] = set()
    for finding in findings:
        if finding.rule_id not in touched:
            out.append(finding)
        elif finding.rule_id not in done:
            done.add(finding.rule_id)
            first = [f for f in findings if f.rule_id == finding.rule_id]
            second = evaluate_rule_safely(pack.rule(finding.rule_id), evidence, again)
            same = len(first) == len(second) and all(
                (a.host, a.subject, a.state, a.message) == (b.host, b.subject, b.state, b.message)
                for a, b in zip(first, second))
            if not same:  # a template the forgotten values break keeps its first text
                out += first
                continue
            for moved in second:
                if moved.host in rejected and moved.state == State.UNKNOWN and not moved.addressed_to:
                    # nothing to paste, but the check is to be made on the new machine, not on this one
                    moved = moved.model_copy(update={"addressed_to": machine.replacement, "details": [
                        *moved.details, f"{moved.host} n'est pas retenue comme machine VMES (voir {why}) : la "
                        f"vérification se fera sur {machine.replacement}."]})
                out.append(moved)
    return out


def _fmt(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def _inventory(row: dict[str, Any]) -> list[tuple[str, str]]:
    sp = row.get("service_pack")
    items = [
        ("Nom de la machine", row.get("hostname")),
        ("Rôle dans l'audit", "machine VMES" if row.get("role") == "vmes" else "serveur Exchange"),
        ("Système d'exploitation", row.get("os_caption")),
        ("Version", f"{row.get('os_version') or '?'} (build {row.get('os_build') or '?'})"),
        ("Service pack", "aucun" if sp == 0 else (f"SP{sp}" if sp is not None else None)),
        ("Architecture", row.get("architecture")),
        ("Rôle dans le domaine", ROLE_FR.get(str(row.get("domain_role")), row.get("domain_role"))),
        ("Domaine", row.get("domain")),
        ("Fabricant / modèle", " / ".join(str(v) for v in (row.get("manufacturer"), row.get("model")) if v)),
        ("Machine virtuelle", row.get("virtual_platform") if row.get("is_virtual") else row.get("is_virtual")),
        ("Processeur", row.get("processor_name")),
        ("Fréquence", f"{fr_number(row['processor_mhz'])} MHz" if row.get("processor_mhz") else None),
        ("Processeurs logiques", row.get("logical_processors")),
        ("Mémoire physique", f"{fr_number(row['total_memory_mb'])} Mo" if row.get("total_memory_mb") else None),
        ("Paramètres régionaux", row.get("system_locale")),
        ("Internet Explorer", row.get("ie_version")),
        ("Collecte lancée par", row.get("run_as")),
    ]
    return [(label, _fmt(value)) for label, value in items]


def _host_summaries(assessment: Assessment, facts: Facts) -> list[HostSummary]:
    rows = {r["host"]: r for r in records(facts.table("host"))}
    out = []
    for coll in assessment.collections:
        manifest = coll.manifest
        row = rows.get(coll.host or "", {})
        out.append(HostSummary(
            hostname=coll.host or coll.origin, mode=coll.mode,
            collector_version=f"{manifest.collector.name} {manifest.collector.version}" if manifest else "",
            format_version=manifest.format_version if manifest else "",
            run_as=manifest.run_as.name if manifest else "", run_as_sid=manifest.run_as.sid if manifest else "",
            started=manifest.started.isoformat() if manifest else "",
            ended=manifest.ended.isoformat() if manifest else "",
            inventory=_inventory(row) if row and coll.mode != "ems" else [],
            warnings=list(coll.warnings)))
    return out


def _artifact_statuses(assessment: Assessment) -> list[ArtifactStatus]:
    out = []
    for coll in assessment.collections:
        for art in coll.artifacts.values():
            entry = art.entry
            out.append(ArtifactStatus(host=coll.host or coll.origin, name=art.name, file=art.file,
                                      source=entry.source if entry else "fichier isolé", status=art.status,
                                      encoding=art.encoding, duration_ms=entry.duration_ms if entry else None,
                                      error=art.error))
    return out


def run_assessment(inputs: list[Path], *, pack_dir: Path | None = None, overrides: dict[str, Any] | None = None,
                   client: str = "", waivers: list[Waiver] | None = None, today: date | None = None,
                   previous: Any = None, answers: AnswersFile | None = None,
                   answers_source: str = "", waivers_source: str = "") -> AssessmentResult:
    """Run the whole analysis. Raises InputError / PackError with a French message.

    ``answers``: the customer's questionnaire (``engine/answers.py``); its parameter answers
    count as the pack's parameters (an option such as ``--users`` still wins), its other answers
    decide « À vérifier » findings. ``waivers`` and ``answers`` are checked against the pack first.
    """
    pack = load_pack(pack_dir)
    resolved_waivers = resolve_waivers(waivers, pack, waivers_source) if waivers else []
    resolved_answers = resolve_answers(answers, pack, answers_source) if answers is not None else None
    params = pack.default_params()
    assessment = load_inputs(inputs)
    format_warnings = check_collection_formats(pack.pack, [(c.origin, c.manifest.format_version)
                                                           for c in assessment.collections if c.manifest])
    # The service account named at collection time wins over the pack default,
    # and the command line wins over both.
    for coll in assessment.collections:
        if coll.manifest is not None and coll.manifest.mode == "vmes":
            given = coll.manifest.parameters
            params["service_account"] = given.service_account
            # The NOC the collector actually probed (/noc: may override the pack's default).
            for name in ("noc_host", "noc_port", "noc_address"):
                if getattr(given, name):
                    params[name] = getattr(given, name)
            break
    collected_account = params["service_account"]
    answer_warnings: list[str] = []
    if resolved_answers is not None:
        for name, value in resolved_answers.parameters.items():
            given = (overrides or {}).get(name)
            if given is not None and given != value:
                answer_warnings.append(f"Le paramètre {name} donné en option ({given}) l'emporte sur la réponse "
                                       f"du questionnaire ({value}).")
            params[name] = value
    params.update({k: v for k, v in (overrides or {}).items() if v is not None})
    override_warning = ""
    if str(params["service_account"]).lower() != str(collected_account).lower():
        override_warning = (f"L'annuaire et l'Exchange Management Shell ont été interrogés sur le compte "
                            f"« {collected_account} » ; l'analyse porte sur « {params['service_account']} » "
                            "(--account) : les vérifications de ce compte sont « Non évaluable » (relancer la "
                            f"collecte avec /account:{params['service_account']}).")
    today = today or date.today()
    facts = build_facts(assessment, today, str(params["service_account"]))
    findings = evaluate_pack(pack, facts, params)
    warnings = (format_warnings + list(assessment.warnings) + list(facts.warnings)
                + ([override_warning] if override_warning else []) + answer_warnings)
    if resolved_answers is not None:
        findings, more = apply_answers(findings, resolved_answers)
        warnings += more
    _mark_asked_parameters(findings, pack)
    if resolved_waivers:
        findings, waiver_warnings = apply_waivers(findings, resolved_waivers, today)
        warnings += waiver_warnings
    if not facts.hosts("vmes"):
        warnings.append("Aucune collecte de la machine VMES : les prérequis de la machine ne sont pas évalués.")
    final_verdict, reasons = verdict(findings)
    report = AssessmentReport(
        client=client or "Client non précisé", generated_on=today.strftime("%d/%m/%Y"),
        pack_id=pack.pack.id, pack_version=pack.pack.version, pack_date=pack.pack.date.strftime("%d/%m/%Y"),
        vmes_release=pack.pack.vmes_release, analyzer_version=__version__,
        parameters={k: v for k, v in params.items() if isinstance(v, (str, int))},
        verdict=final_verdict, verdict_reasons=reasons,
        sections=[(s.id, s.title) for s in pack.pack.sections], findings=findings,
        hosts=_host_summaries(assessment, facts), inputs=assessment.inputs,
        artifacts=_artifact_statuses(assessment), warnings=warnings)
    _beyond_one_report(report, pack, previous)
    return AssessmentResult(report=report, facts=facts, pack=pack)


def _mark_asked_parameters(findings: list[Finding], pack: LoadedPack) -> None:
    """« À vérifier » findings whose answer is a pack parameter (C7: the number of users) say which."""
    defaults = pack.default_params()
    asked = {rule.id: asked_parameter(rule, defaults) for rule in pack.rules}
    for finding in findings:
        if finding.state == State.MANUAL and asked.get(finding.rule_id):
            finding.asks = asked[finding.rule_id]


def _beyond_one_report(report: AssessmentReport, pack: LoadedPack, previous: Any) -> None:
    """Issue 11 hooks: the pack's rule ids, the action plan, the comparison with ``previous``
    (a ``compare.PreviousReport``, already validated)."""
    from vmes_audit.assessment.action_plan import build_action_plan
    from vmes_audit.assessment.compare import compare

    report.rule_ids = sorted(rule.id for rule in pack.rules)
    report.action_plan = build_action_plan(report, pack)
    if previous is not None:
        aliases = {alias: rule.id for rule in pack.rules for alias in rule.aliases}
        report.comparison = compare(previous, report, aliases)
