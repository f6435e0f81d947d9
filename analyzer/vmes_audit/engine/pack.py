"""Find the installed rule packs, load one (``rules/vmes-5.5/``) and lint it, collecting every problem.

Layout::

    rules/vmes-5.5/pack.yaml                 pack id, release, parameters, sections
    rules/vmes-5.5/<rule-id>.yaml            one rule per file, file name = rule id
    rules/vmes-5.5/<rule-id>.cases.yaml      its pass and fail cases
    rules/vmes-5.5/action-plan.yaml          optional: who fixes each check, in which order
                                             (engine/action_plan_spec.py)

The installed packs are the sub-folders of ``vmes_audit/data/rules`` (the
repository's ``rules/``, shipped in the wheel: ``vmes_audit/base/resources.py``).
``--pack`` names one by its id (``vmes-5.5``) or gives a folder (a pack in
preparation): :func:`resolve_pack`.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from vmes_audit.collection.artifacts import ARTIFACTS
from vmes_audit.engine.action_plan_spec import (ACTION_PLAN_FILE, ActionPlanSpec, lint_action_plan,
                                                read_action_plan)
from vmes_audit.engine import action_plan_spec, model, pack_cache
from vmes_audit.engine.conditions import condition_fields, condition_selections
from vmes_audit.engine import requirements as _requirements  # noqa: F401 - registers its tables for lint
from vmes_audit.engine.model import Pack, Rule, RuleCase
from vmes_audit.engine.templates import check_template
from vmes_audit.base.errors import AuditError, InputError, PackError
from vmes_audit.facts.model import TABLES
from vmes_audit.base import findings as findings_model
from vmes_audit.base.findings import State
from vmes_audit.base.resources import rules_folder

__all__ = ["LoadedPack", "PackInfo", "PackNotFound", "load_pack", "lint_pack", "default_pack_dir",
           "rules_root", "installed_packs", "resolve_pack", "format_support", "check_collection_formats"]

# libyaml's parser when PyYAML was built with it (the wheels are): ten times faster
# than the pure-Python one on the 80 files of a pack, same documents.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The modules whose classes a cached pack is made of: their source is part of the cache key.
_MODEL_SOURCES = tuple(Path(m.__file__) for m in (model, findings_model, action_plan_spec))


class PackNotFound(AuditError):
    """``--pack`` names neither an installed pack nor a folder."""


def rules_root() -> Path:
    """The folder of the installed packs: ``$VMES_AUDIT_RULES`` or the packaged ``rules/``."""
    return rules_folder()


@dataclass(frozen=True)
class PackInfo:
    """What ``vmes-audit rules packs`` lists about one installed pack (its ``pack.yaml`` only)."""

    id: str
    path: Path
    vmes_release: str = ""
    version: str = ""
    date: dt.date | None = None
    title: str = ""
    format_versions: tuple[str, ...] = ()
    problem: str = ""  # pack.yaml unreadable or invalid: the pack cannot be used

    @property
    def sort_key(self) -> tuple:
        return (_version_key(self.vmes_release), _version_key(self.version), self.id)


def _version_key(text: str) -> tuple:
    """'5.10' after '5.9': numeric parts compare as numbers.

    >>> sorted(["5.10", "5.9", "5.5"], key=_version_key)
    ['5.5', '5.9', '5.10']
    """
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in text.replace("-", ".").split("."))


def _pack_info(folder: Path) -> PackInfo:
    problems: list[str] = []
    raw = _read_yaml(folder / "pack.yaml", problems)
    if raw is None:
        return PackInfo(id=folder.name, path=folder, problem=problems[0] if problems else "pack.yaml vide")
    try:
        pack = Pack.model_validate(raw)
    except ValidationError as exc:
        return PackInfo(id=folder.name, path=folder, problem="; ".join(_validation_problems(folder / "pack.yaml",
                                                                                            exc)))
    return PackInfo(id=pack.id, path=folder, vmes_release=pack.vmes_release, version=pack.version,
                    date=pack.date, title=pack.title, format_versions=tuple(pack.format_versions))


def installed_packs() -> list[PackInfo]:
    """Every installed pack (a sub-folder of the rules folder holding a ``pack.yaml``), by id."""
    root = rules_root()
    if not root.is_dir():
        return []
    folders = sorted(p.parent for p in root.glob("*/pack.yaml"))
    return sorted((_pack_info(folder) for folder in folders), key=lambda info: info.id)


def _default_pack(packs: list[PackInfo]) -> PackInfo:
    """The pack used without ``--pack``: the installed one for the most recent VMES release."""
    usable = [p for p in packs if not p.problem]
    if not usable:
        if packs:
            raise PackError([f"{p.path} : {p.problem}" for p in packs])
        raise PackError([f"{rules_root()} : aucun pack de règles installé (réinstallez vmes-audit)"])
    return max(usable, key=lambda p: p.sort_key)


def default_pack_dir() -> Path:
    return _default_pack(installed_packs()).path


def _looks_like_a_path(text: str) -> bool:
    """``./pack``, ``~/x``, ``rules/vmes-5.5``, ``C:\\x`` are paths; ``vmes-5.5`` is an id.

    >>> [_looks_like_a_path(t) for t in ["vmes-5.5", "./vmes-5.5", "rules/vmes-5.5", "~/p", ".."]]
    [False, True, True, True, True]
    """
    return (text.startswith((".", "~")) or "/" in text or os.sep in text
            or (os.altsep is not None and os.altsep in text))


def resolve_pack(spec: str | Path | None) -> Path:
    """The folder of the pack ``--pack`` names: an installed pack's id, or a folder.

    Without ``--pack``, the default pack (:func:`default_pack_dir`). A value that
    looks like a path is a folder; otherwise an installed pack's id wins over a
    folder of the same name in the current directory.
    """
    if spec is None:
        return default_pack_dir()
    text = str(spec).strip()
    if isinstance(spec, Path) or _looks_like_a_path(text):
        return Path(text).expanduser()
    packs = installed_packs()
    for info in packs:
        if info.id == text:
            if info.problem:
                raise PackError([f"{info.path} : {info.problem}"])
            return info.path
    if Path(text).is_dir():
        return Path(text)
    known = ", ".join(p.id for p in packs if not p.problem) or "aucun"
    raise PackNotFound(f"pack de règles « {text} » introuvable : ce n'est ni l'identifiant d'un pack installé "
                       f"(installés : {known} ; voir « vmes-audit rules packs ») ni un dossier.")


def format_support(pack: Pack, format_version: str) -> str:
    """How ``pack`` reads a collection of ``format_version``: ``"yes"``, ``"newer_minor"`` or ``"no"``.

    A newer minor version of a major the pack reads only adds artifacts the pack
    may ignore (docs/collection-format.md); anything else is not for this pack.

    >>> p = Pack.model_construct(format_versions=["1.0", "1.1"])
    >>> [format_support(p, v) for v in ["1.1", "1.4", "0.9", "2.0", "x"]]
    ['yes', 'newer_minor', 'no', 'no', 'no']
    """
    if format_version in pack.format_versions:
        return "yes"
    try:
        major, minor = (int(part) for part in format_version.split("."))
        known = [tuple(int(part) for part in v.split(".")) for v in pack.format_versions]
    except ValueError:
        return "no"
    same_major = [m for (ma, m) in known if ma == major]
    return "newer_minor" if same_major and minor > max(same_major) else "no"


def check_collection_formats(pack: Pack, collections: list[tuple[str, str]]) -> list[str]:
    """``(origin, format_version)`` of each collection → warnings; raises for a format the pack cannot read."""
    label = f"{pack.id} {pack.version}"
    readable = ", ".join(pack.format_versions)
    refused, warnings = [], []
    for origin, version in collections:
        support = format_support(pack, version)
        if support == "no":
            refused.append(f"« {origin} » (format {version})")
        elif support == "newer_minor":
            warnings.append(f"La collecte « {origin} » est au format {version}, plus récent que ceux que lit le "
                            f"pack {label} ({readable}) : ce que ce format ajoute est ignoré. Mettez à jour "
                            "vmes-audit (pipx upgrade vmes-audit) pour en tirer parti.")
    if refused:
        raise InputError(f"le pack de règles {label} ne lit pas les collectes au format de "
                         f"{', '.join(refused)} (formats lus : {readable}). Choisissez le pack fait pour ce "
                         "collecteur (--pack, voir « vmes-audit rules packs ») ou refaites la collecte avec le "
                         "kit de ce pack (vmes-audit kit).")
    return warnings


@dataclass
class LoadedPack:
    path: Path
    pack: Pack
    rules: list[Rule]
    cases: dict[str, list[RuleCase]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    action_plan: ActionPlanSpec | None = None

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
            return yaml.load(handle, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader (C or Python)
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
    """Load a pack; with ``strict`` raise :class:`PackError` listing every problem.

    A strict load of a pack already loaded without problem comes from the
    validated cache (``pack_cache.py``), keyed by the bytes of its files.
    """
    folder = Path(path) if path else default_pack_dir()
    problems: list[str] = []
    if not (folder / "pack.yaml").is_file():
        raise PackError([f"{folder} : pack.yaml introuvable (est-ce bien un dossier de pack de règles ?)"])
    key = pack_cache.pack_key(folder, _MODEL_SOURCES) if strict else ""
    cached = pack_cache.load_cached(key) if key else None
    if _is_pack_entry(cached):
        pack, rules, cases, action_plan = cached
        return LoadedPack(path=folder, pack=pack, rules=list(rules), cases=dict(cases), action_plan=action_plan)
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
        if file.name in ("pack.yaml", ACTION_PLAN_FILE) or file.name.endswith(".cases.yaml"):
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
    loaded.action_plan = read_action_plan(folder, loaded.problems)
    if pack is not None:
        loaded.problems += lint_pack(loaded)
        loaded.problems += lint_action_plan(loaded)
    if strict and loaded.problems:
        raise PackError(loaded.problems)
    if key:  # a pack without a single problem: the next strict load skips all of the above
        pack_cache.store(key, (loaded.pack, loaded.rules, loaded.cases, loaded.action_plan))
    return loaded


def _is_pack_entry(value: object) -> bool:
    return (isinstance(value, tuple) and len(value) == 4 and isinstance(value[0], Pack)
            and all(isinstance(rule, Rule) for rule in value[1]) and isinstance(value[2], dict)
            and (value[3] is None or isinstance(value[3], ActionPlanSpec)))


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
        # A finding that asks for action says what to do: the action plan turns it into a step.
        acting = {o.state for o in rule.outcomes} & {State.FAIL, State.WARN, State.MANUAL}
        if acting and not rule.remediation.strip():
            problems.append(f"{where} : l'état « {sorted(acting, key=lambda s: s.value)[0].value} » demande une "
                            "action : remediation est vide")
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
