"""Load a rule pack folder (``rules/vmes-5.5/``) and lint it, collecting every problem.

Layout::

    rules/vmes-5.5/pack.yaml                 pack id, release, parameters, sections
    rules/vmes-5.5/<rule-id>.yaml            one rule per file, file name = rule id
    rules/vmes-5.5/<rule-id>.cases.yaml      its pass and fail cases
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from vmes_audit.collection.artifacts import ARTIFACTS
from vmes_audit.engine.conditions import condition_fields, condition_selections
from vmes_audit.engine import requirements as _requirements  # noqa: F401 - registers its tables for lint
from vmes_audit.engine.model import Pack, Rule, RuleCase
from vmes_audit.engine.templates import check_template
from vmes_audit.errors import PackError
from vmes_audit.facts.model import TABLES
from vmes_audit.models import State

__all__ = ["LoadedPack", "load_pack", "lint_pack", "default_pack_dir", "rules_root"]


def rules_root() -> Path:
    """The ``rules/`` folder: ``$VMES_AUDIT_RULES`` or the repository's ``rules/``."""
    env = os.environ.get("VMES_AUDIT_RULES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "rules"


def default_pack_dir() -> Path:
    return rules_root() / "vmes-5.5"


@dataclass
class LoadedPack:
    path: Path
    pack: Pack
    rules: list[Rule]
    cases: dict[str, list[RuleCase]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def rule(self, rule_id: str) -> Rule | None:
        for rule in self.rules:
            if rule.id == rule_id or rule_id in rule.aliases:
                return rule
        return None

    def default_params(self) -> dict[str, object]:
        return {name: p.default for name, p in self.pack.parameters.items()}

    def ordered_rules(self) -> list[Rule]:
        order = {s.id: i for i, s in enumerate(self.pack.sections)}

        def key(rule: Rule) -> tuple:
            number = int(rule.catalogue[1:])
            return (order.get(rule.section, 99), number, rule.id)

        return sorted(self.rules, key=key)


def _read_yaml(path: Path, problems: list[str]):
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(f"{path.name} : YAML illisible ({exc})")
        return None


def _validation_problems(path: Path, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        out.append(f"{path.name} : {loc or 'racine'} : {err['msg']}")
    return out


def load_pack(path: Path | None = None, *, strict: bool = True) -> LoadedPack:
    """Load a pack; with ``strict`` raise :class:`PackError` listing every problem."""
    folder = Path(path) if path else default_pack_dir()
    problems: list[str] = []
    if not (folder / "pack.yaml").is_file():
        raise PackError([f"{folder} : pack.yaml introuvable (est-ce bien un dossier de pack de règles ?)"])
    raw = _read_yaml(folder / "pack.yaml", problems)
    pack = None
    if raw is not None:
        try:
            pack = Pack.model_validate(raw)
        except ValidationError as exc:
            problems += _validation_problems(folder / "pack.yaml", exc)
    rules: list[Rule] = []
    cases: dict[str, list[RuleCase]] = {}
    for file in sorted(folder.glob("*.yaml")):
        if file.name == "pack.yaml" or file.name.endswith(".cases.yaml"):
            continue
        data = _read_yaml(file, problems)
        if data is None:
            continue
        try:
            rule = Rule.model_validate(data)
        except ValidationError as exc:
            problems += _validation_problems(file, exc)
            continue
        if file.stem != rule.id:
            problems.append(f"{file.name} : le nom du fichier doit être l'identifiant de la règle ({rule.id}.yaml)")
        rules.append(rule)
    for file in sorted(folder.glob("*.cases.yaml")):
        data = _read_yaml(file, problems)
        if data is None:
            continue
        rule_id = file.name[: -len(".cases.yaml")]
        if not isinstance(data, list):
            problems.append(f"{file.name} : une liste de cas est attendue")
            continue
        parsed_cases = []
        for index, item in enumerate(data):
            try:
                parsed_cases.append(RuleCase.model_validate(item))
            except ValidationError as exc:
                problems += [p.replace(file.name, f"{file.name}[{index}]", 1)
                             for p in _validation_problems(file, exc)]
        cases[rule_id] = parsed_cases
    loaded = LoadedPack(path=folder, pack=pack, rules=rules, cases=cases, problems=problems)  # type: ignore[arg-type]
    if pack is not None:
        loaded.problems += lint_pack(loaded)
    if strict and loaded.problems:
        raise PackError(loaded.problems)
    return loaded


def lint_pack(loaded: LoadedPack) -> list[str]:
    """Cross-file checks: ids, sections, artifacts, tables, parameters, templates, cases."""
    problems: list[str] = []
    pack = loaded.pack
    seen: dict[str, str] = {}
    sections = {s.id for s in pack.sections}
    params = set(pack.parameters)
    for rule in loaded.rules:
        where = f"{rule.id}.yaml"
        for name in [rule.id, *rule.aliases]:
            if name in seen:
                problems.append(f"{where} : identifiant « {name} » déjà utilisé par {seen[name]}")
            seen[name] = rule.id
        if rule.section not in sections:
            problems.append(f"{where} : section {rule.section} absente de pack.yaml")
        for artifact in rule.requires.all + rule.requires.any:
            if artifact not in ARTIFACTS:
                problems.append(f"{where} : artefact requis inconnu « {artifact} »")
        used = condition_selections(rule.applies_when)
        for outcome in rule.outcomes:
            used |= condition_selections(outcome.when)
        for name in sorted(used - set(rule.selections)):
            problems.append(f"{where} : sélection « {name} » utilisée mais non définie")
        for name, sel in rule.selections.items():
            if sel.table not in TABLES:
                problems.append(f"{where} : sélection « {name} » : table inconnue « {sel.table} »")
                continue
            columns = set(TABLES[sel.table].columns)
            for col in sorted(condition_fields(sel.where) - columns):
                problems.append(f"{where} : sélection « {name} » : colonne « {col} » absente de la table {sel.table}")
            for artifact in sel.artifacts:
                if artifact not in ARTIFACTS:
                    problems.append(f"{where} : sélection « {name} » : artefact inconnu « {artifact} »")
        if rule.for_each is not None and rule.for_each.table not in TABLES:
            problems.append(f"{where} : for_each : table inconnue « {rule.for_each.table} »")
        subject_table = "host" if rule.scope in ("vmes", "exchange") else "organisation"
        subject_columns = set(TABLES[subject_table].columns) if subject_table in TABLES else set()
        if rule.for_each is not None and rule.for_each.table in TABLES:
            subject_columns |= set(TABLES[rule.for_each.table].columns)
        fields = condition_fields(rule.applies_when)
        for outcome in rule.outcomes:
            fields |= condition_fields(outcome.when)
        for col in sorted(fields - subject_columns):
            problems.append(f"{where} : colonne « {col} » absente de la table {subject_table}"
                            + (f" et de {rule.for_each.table}" if rule.for_each else ""))
        texts = {"title": rule.title, "observed": rule.observed, "expected": rule.expected, "why": rule.why,
                 "remediation": rule.remediation, "question": rule.question, "not_applicable": rule.not_applicable}
        texts.update({f"outcomes[{i}].message": o.message for i, o in enumerate(rule.outcomes)})
        for label, text in texts.items():
            error = check_template(text) if text else None
            if error:
                problems.append(f"{where} : {label} : modèle invalide ({error})")
            for param in _params_in(text):
                if param not in params:
                    problems.append(f"{where} : {label} : paramètre inconnu « {param} »")
        # Every state the rule can produce needs a case, and a rule that can pass
        # needs a case where it does not (and the other way round).
        rule_cases = loaded.cases.get(rule.id, [])
        covered = {c.expect for c in rule_cases}
        possible = {o.state for o in rule.outcomes}
        if rule.for_each is not None and rule.for_each.when_empty is not None:
            possible.add(rule.for_each.when_empty.state)
        if rule.applies_when is not None:
            possible.add(State.NA)
        for state in sorted(possible - covered, key=lambda s: s.value):
            problems.append(f"{where} : aucun cas « {state.value} » (fichier {rule.id}.cases.yaml)")
        if not rule_cases:
            problems.append(f"{where} : aucun cas de test (fichier {rule.id}.cases.yaml manquant)")
        elif State.UNKNOWN not in covered and (rule.requires.all or rule.requires.any):
            problems.append(f"{where} : aucun cas « unknown » (élément requis absent)")
    for rule_id in sorted(set(loaded.cases) - {r.id for r in loaded.rules}):
        problems.append(f"{rule_id}.cases.yaml : aucune règle « {rule_id} »")
    problems += _lint_assessment(loaded)
    return problems


def _lint_assessment(loaded: LoadedPack) -> list[str]:
    """The rule that reports the assessment requirements must be able to make the verdict "Non prêt"."""
    spec = loaded.pack.assessment
    if spec is None:
        return []
    rule = loaded.rule(spec.rule)
    if rule is None:
        return [f"pack.yaml : assessment.rule : règle « {spec.rule} » introuvable"]
    problems = []
    if rule.section != "H" or rule.scope != "organisation" or rule.severity.value != "bloquant":
        problems.append(f"pack.yaml : assessment.rule : « {spec.rule} » doit être une règle de la section H, "
                        "de portée organisation et de sévérité bloquant")
    tables = {sel.table for sel in rule.selections.values()}
    if "assessment_requirements" not in tables:
        problems.append(f"pack.yaml : assessment.rule : « {spec.rule} » ne lit pas la table assessment_requirements")
    if State.UNKNOWN not in {o.state for o in rule.outcomes}:
        problems.append(f"pack.yaml : assessment.rule : « {spec.rule} » doit pouvoir rendre « unknown » "
                        "quand une exigence n'est pas remplie")
    ids = [r.id for r in spec.requires]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"pack.yaml : assessment.requires : identifiant « {dup} » en double")
    return problems


def _params_in(text: str) -> set[str]:
    import re

    return set(re.findall(r"params\.([A-Za-z_][A-Za-z0-9_]*)", text or ""))
