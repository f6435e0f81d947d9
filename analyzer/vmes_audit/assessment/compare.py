"""Comparison of two audits of the same customer: what was fixed, what is new,
what regressed, what is still open, and whether the rule pack changed between
the two runs.

Each finding is keyed by its **fingerprint**: rule id, host and subject
(case-folded), never the message text, which changes with the observed values
(``f9-server-permissions|exbtp01|exbtp01``). Findings that share a fingerprint
(a rule reporting the same object twice) are told apart by their rank in the
report's reading order (``…#2``). A rule renamed by a pack upgrade keeps its
findings: its former id is one of the new rule's ``aliases``.

A finding is *open* when it needs action: Non conforme, À améliorer,
Non évaluable, À vérifier or Dérogation (an accepted gap). Closed: Conforme,
Non applicable. For each fingerprint:

=================  ============================================================
``corrige``        open before, closed now
``regresse``       closed before, open now; or open with a worse state
                   (rank Dérogation < À vérifier < À améliorer < Non évaluable
                   < Non conforme)
``inchange``       same side as before (still open, not worse; or still closed)
``nouveau``        not in the earlier audit although its rule existed (a new
                   server, a new VMES machine): open or not, as it is now
``nouvelle_regle`` its rule did not exist in the earlier pack: never counted as
                   a new problem
``disparu``        in the earlier audit only, its rule still exists: the object
                   is no longer in what was collected (check the collection)
``regle_retiree``  in the earlier audit only, its rule left the pack
=================  ============================================================

The earlier ``resultats.json`` is hostile input: it is validated (size, JSON,
schema version, every field used) and refused with a French message naming
the problem, never a traceback.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vmes_audit.assessment.results_file import load_report_json, read_json_document
from vmes_audit.base.errors import InputError, validation_message
from vmes_audit.base.findings import (
    AssessmentReport,
    Comparison,
    ComparisonItem,
    Finding,
    Severity,
    State,
    Verdict,
)

__all__ = ["PreviousReport", "load_previous", "compare", "compare_files", "evolution_summary", "status_counts",
           "still_open_count", "fingerprint", "parse_fr_date", "OPEN_STATES"]

OPEN_STATES = frozenset({State.FAIL, State.WARN, State.UNKNOWN, State.MANUAL, State.WAIVED})
_RANK = {State.PASS: 0, State.NA: 0, State.WAIVED: 1, State.MANUAL: 2, State.WARN: 3, State.UNKNOWN: 4,
         State.FAIL: 5}
_DATE_FR = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def parse_fr_date(text: str) -> date:
    """A report's date (``generated_on``, « jj/mm/aaaa ») as a date; ValueError otherwise.

    >>> parse_fr_date("01/12/2026")
    datetime.date(2026, 12, 1)
    """
    match = _DATE_FR.match(text or "")
    if not match:
        raise ValueError(f"date « {text} » : jj/mm/aaaa attendu")
    day, month, year = (int(x) for x in match.groups())
    return date(year, month, day)


class _Loose(BaseModel):
    """What a comparison reads of an earlier ``resultats.json``; other fields are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class PreviousFinding(_Loose):
    rule_id: str = Field(min_length=1, max_length=200)
    catalogue: str = Field(max_length=20)
    title: str = Field(max_length=2000)
    state: State
    severity: Severity
    host: str = Field(max_length=1000)
    subject: str = Field(default="", max_length=1000)
    message: str = Field(default="", max_length=100_000)


class PreviousPack(_Loose):
    id: str = Field(max_length=200)
    version: str = Field(max_length=100)
    date: str = Field(default="", max_length=100)
    rules: list[str] | None = Field(default=None, max_length=10_000)


class PreviousReport(_Loose):
    schema_version: str = Field(pattern=r"^\d+\.\d+$")
    generated_on: str = Field(pattern=r"^\d{2}/\d{2}/\d{4}$")
    verdict: Verdict
    client: str = Field(default="", max_length=1000)
    pack: PreviousPack
    analyzer_version: str = Field(default="", max_length=100)
    pseudonymised: bool = False
    findings: list[PreviousFinding] = Field(max_length=100_000)

    def report_date(self) -> date:
        return parse_fr_date(self.generated_on)


def load_previous(path: Path) -> PreviousReport:
    """The earlier audit's ``resultats.json``, validated."""
    data = read_json_document(path, "Le résultat de l'audit précédent")
    name = Path(path).name
    if not isinstance(data, dict) or "findings" not in data or "schema_version" not in data:
        raise InputError(f"« {name} » n'est pas un resultats.json de vmes-audit (champs schema_version et "
                         "findings absents).")
    try:
        previous = PreviousReport.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"« {name} » n'est pas un resultats.json valide : {validation_message(exc)}.") from None
    if previous.schema_version.split(".")[0] != "1":
        raise InputError(f"« {name} » suit le schéma {previous.schema_version}, que cette version de vmes-audit "
                         "ne sait pas lire (schéma 1.x attendu).")
    try:
        previous.report_date()
    except ValueError:
        raise InputError(f"« {name} » : date du rapport invalide « {previous.generated_on} ».") from None
    if previous.pseudonymised:
        raise InputError(f"« {name} » est un résultat pseudonymisé : ses noms ne correspondent plus à ceux de la "
                         "collecte. Comparez avec le resultats.json non pseudonymisé de l'audit précédent "
                         "(la pseudonymisation s'applique ensuite au rapport comparé).")
    return previous


def fingerprint(rule_id: str, host: str, subject: str) -> str:
    """
    >>> fingerprint("f9-server-permissions", "", "EXBTP01")
    'f9-server-permissions||exbtp01'
    """
    return f"{rule_id}|{host.strip().casefold()}|{subject.strip().casefold()}"


def _keyed(findings: Iterable[Any], rename: dict[str, str]) -> dict[str, Any]:
    """Findings by fingerprint (``#n`` for the n-th repeat), rule ids renamed to the current ones."""
    out: dict[str, Any] = {}
    for finding in findings:
        base = fingerprint(rename.get(finding.rule_id, finding.rule_id), finding.host, finding.subject)
        key, n = base, 1
        while key in out:
            n += 1
            key = f"{base}#{n}"
        out[key] = finding
    return out


def _status(old: Any | None, new: Finding | None, old_rules: set[str], new_rules: set[str], rule_id: str) -> str:
    if old is None:
        return "nouvelle_regle" if rule_id not in old_rules else "nouveau"
    if new is None:
        return "regle_retiree" if rule_id not in new_rules else "disparu"
    was_open, is_open = old.state in OPEN_STATES, new.state in OPEN_STATES
    if was_open and not is_open:
        return "corrige"
    if is_open and (not was_open or _RANK[new.state] > _RANK[old.state]):
        return "regresse"
    return "inchange"


def compare(previous: PreviousReport, report: AssessmentReport, aliases: dict[str, str] | None = None
            ) -> Comparison:
    """The evolution from ``previous`` to ``report``. ``aliases``: former rule id → current id
    (from the current pack), so that a renamed rule is not read as removed plus new."""
    rename = dict(aliases or {})
    old_rules = {rename.get(r, r) for r in (previous.pack.rules or [f.rule_id for f in previous.findings])}
    new_rules = set(report.rule_ids) or {f.rule_id for f in report.findings}
    from vmes_audit.base.french import format_date
    from vmes_audit.base.findings import ordered_findings  # the report's reading order

    old_by_key = _keyed(previous.findings, rename)
    new_by_key = _keyed(ordered_findings(report), {})
    items: list[ComparisonItem] = []
    for key in list(new_by_key) + [k for k in old_by_key if k not in new_by_key]:
        old, new = old_by_key.get(key), new_by_key.get(key)
        current = new if new is not None else old
        rule_id = rename.get(current.rule_id, current.rule_id)
        status = _status(old, new, old_rules, new_rules, rule_id)
        items.append(ComparisonItem(
            status=status, fingerprint=key, rule_id=rule_id, catalogue=current.catalogue, title=current.title,
            host=current.host, subject=current.subject, severity=current.severity,
            old_state=old.state if old is not None else None, new_state=new.state if new is not None else None,
            open=new is not None and new.state in OPEN_STATES, message=current.message))
    added = sorted(new_rules - old_rules)
    removed = sorted(old_rules - new_rules)
    pack_changed = (previous.pack.id, previous.pack.version) != (report.pack_id, report.pack_version) \
        or bool(added) or bool(removed)
    note = ""
    if pack_changed:
        note = (f"Le référentiel de contrôles a changé entre les deux audits : {previous.pack.id} version "
                f"{previous.pack.version}" + (f" du {format_date(previous.pack.date)}" if previous.pack.date else "")
                + f" → {report.pack_id} version {report.pack_version} du {report.pack_date}.")
        if added:
            note += (f" {len(added)} règle(s) nouvelle(s) ({', '.join(added)}) : leurs constats sont marqués "
                     "« nouvelle règle », non comme de nouveaux problèmes.")
        if removed:
            note += f" {len(removed)} règle(s) retirée(s) ({', '.join(removed)})."
        if not added and not removed:
            note += " Les règles sont les mêmes ; leurs textes ou leurs seuils ont pu changer."
    warnings = []
    if previous.client and previous.client.strip().casefold() != report.client.strip().casefold():
        warnings.append(f"L'audit précédent porte sur le client « {previous.client} » et celui-ci sur "
                        f"« {report.client} » : vérifiez qu'il s'agit bien du même client.")
    try:
        if previous.report_date() > parse_fr_date(report.generated_on):
            warnings.append(f"L'audit précédent (du {previous.generated_on}) est postérieur à celui-ci "
                            f"(du {report.generated_on}) : les fichiers ont-ils été inversés ?")
    except ValueError:
        pass
    old_hosts = {f.host.casefold() for f in previous.findings if f.host}
    new_hosts = {f.host.casefold() for f in report.findings if f.host}
    if old_hosts and new_hosts and not old_hosts & new_hosts:
        warnings.append("Aucune machine n'est commune aux deux audits : les constats par machine apparaissent "
                        "comme « nouveaux » et « absents de la nouvelle analyse ».")
    return Comparison(
        previous_date=previous.generated_on, previous_verdict=previous.verdict, previous_client=previous.client,
        previous_pack_id=previous.pack.id, previous_pack_version=previous.pack.version,
        previous_pack_date=format_date(previous.pack.date), previous_analyzer_version=previous.analyzer_version,
        pack_changed=pack_changed, pack_note=note, new_rules=added, removed_rules=removed, items=items,
        warnings=warnings)


def compare_files(old: Path, new: Path, pack_dir: Path | None = None) -> AssessmentReport:
    """``vmes-audit compare OLD NEW``: the NEW audit's report, read back from its JSON, with its
    comparison to OLD (and its action plan, recomputed from the pack when the JSON has none)."""
    from vmes_audit.assessment.action_plan import build_action_plan
    from vmes_audit.engine.pack import load_pack

    previous = load_previous(old)
    report = load_report_json(new, "Le résultat de l'audit récent")
    if report.pseudonymised:
        raise InputError(f"« {Path(new).name} » est un résultat pseudonymisé : comparez les résultats non "
                         "pseudonymisés, puis ajoutez --pseudonymise.")
    pack = load_pack(pack_dir)
    same_pack = pack.pack.id == report.pack_id
    aliases = {alias: rule.id for rule in pack.rules for alias in rule.aliases} if same_pack else {}
    if not report.rule_ids and same_pack and pack.pack.version == report.pack_version:
        report.rule_ids = sorted(rule.id for rule in pack.rules)
    if report.action_plan is None and same_pack:
        report.action_plan = build_action_plan(report, pack)
    report.comparison = compare(previous, report, aliases)
    return report


def status_counts(comparison: Comparison) -> Counter[str]:
    """Fingerprints per comparison status (a status that does not occur counts 0)."""
    return Counter(item.status for item in comparison.items)


def still_open_count(comparison: Comparison) -> int:
    """Unchanged items that are still to be dealt with."""
    return sum(1 for item in comparison.items if item.status == "inchange" and item.open)


def evolution_summary(comparison: Comparison) -> str:
    """The line the command line prints.

    >>> evolution_summary(Comparison(previous_date="26/11/2026", previous_verdict="non_pret", previous_client="",
    ...     previous_pack_id="p", previous_pack_version="1", previous_pack_date="", previous_analyzer_version="",
    ...     pack_changed=False))
    "Évolution depuis l'audit du 26/11/2026 : 0 corrigé(s), 0 nouveau(x), 0 régressé(s), 0 inchangé(s) à traiter"
    """
    counts, still_open = status_counts(comparison), still_open_count(comparison)
    return (f"Évolution depuis l'audit du {comparison.previous_date} : {counts['corrige']} corrigé(s), "
            f"{counts['nouveau']} nouveau(x), {counts['regresse']} régressé(s), {still_open} inchangé(s) à traiter")
