"""Presales waivers: a YAML list that turns a finding into « Dérogation » (``analyze --waivers``).

``docs/waivers-and-answers.md`` is the user's documentation. Example (``derogations.yaml``)::

    - regle: c1-processor-class        # a rule id, a former id, or a catalogue id (C1)
      hote: VMES01                     # optional: every host when absent
      justification: "Machine virtuelle validée par l'éditeur le 12/11/2026"
      expire: 2027-03-31
      auteur: J. Martin

The English keys of earlier versions (``rule``, ``host``, ``expires``, ``author``)
are still read. The file goes through ``user_yaml.load_user_yaml`` (size and
alias limits); its structure is checked with French messages; each ``regle`` is
checked against the rule pack (:func:`resolve_waivers`): an unknown one is an
error naming the closest ids, never a waiver silently ignored. A waiver that
waived nothing is said in the warnings.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from vmes_audit.base.errors import InputError, validation_message
from vmes_audit.base.findings import Finding, State
from vmes_audit.engine.user_yaml import as_date, load_user_yaml

__all__ = ["Waiver", "load_waivers", "apply_waivers", "resolve_waivers", "resolve_rule_ids", "PackIds",
           "closest_ids"]

WAIVERS_WHAT = "Le fichier de dérogations"


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    rule: str = Field(validation_alias=AliasChoices("regle", "règle", "rule"), min_length=1)
    host: str = Field("", validation_alias=AliasChoices("hote", "hôte", "host"))
    justification: str = Field(min_length=10)
    expires: date = Field(validation_alias=AliasChoices("expire", "expires"))
    author: str = Field("", validation_alias=AliasChoices("auteur", "author"))
    rule_ids: tuple[str, ...] = ()  # the pack's rule ids ``rule`` names (resolve_waivers)

    @field_validator("expires", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        try:
            return as_date(value) if value not in (None, "") else value
        except ValueError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("rule", "host", "author", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value).strip() if isinstance(value, (int, float)) and not isinstance(value, bool) else value


class PackIds(Protocol):
    """What the validation needs of a loaded pack (``engine.pack.LoadedPack``)."""

    rules: list  # each with .id, .catalogue, .aliases


def _ids(pack: PackIds) -> dict[str, list[str]]:
    """Every name a user may give (rule id, former id, catalogue id, case-folded) → rule ids."""
    names: dict[str, list[str]] = {}
    for rule in pack.rules:
        for name in (rule.id, *rule.aliases, rule.catalogue):
            names.setdefault(name.casefold(), [])
            if rule.id not in names[name.casefold()]:
                names[name.casefold()].append(rule.id)
    return names


def closest_ids(name: str, pack: PackIds, count: int = 3) -> list[str]:
    """The pack's ids nearest to a mistyped one: ``c1-procesor`` → ``c1-processor-class``."""
    candidates = sorted({r.id for r in pack.rules} | {r.catalogue for r in pack.rules})
    folded = {c.casefold(): c for c in candidates}
    found = difflib.get_close_matches(name.casefold(), list(folded), n=count, cutoff=0.5)
    if not found:  # "f9" for "F9", a prefix of an id
        found = [c for c in folded if c.startswith(name.casefold()[:3])][:count]
    return [folded[f] for f in found]


def resolve_rule_ids(name: str, pack: PackIds, where: str) -> tuple[str, ...]:
    """The rule ids ``name`` stands for; an InputError naming the closest ids when there is none."""
    found = _ids(pack).get(name.strip().casefold())
    if found:
        return tuple(found)
    near = closest_ids(name, pack)
    hint = f" Voulez-vous dire {', '.join(f'« {n} »' for n in near)} ?" if near else ""
    raise InputError(f"{where} : contrôle « {name} » inconnu du pack de règles (un identifiant de règle, "
                     f"par exemple d2-not-domain-controller, ou un identifiant du catalogue, par exemple D2 ; "
                     f"voir « vmes-audit rules list »).{hint}")


def load_waivers(path: Path) -> list[Waiver]:
    """The waivers of ``path``, their structure checked (French messages, exit code 2 in the CLI)."""
    path = Path(path)
    data = load_user_yaml(path, WAIVERS_WHAT)
    if data is None:
        return []
    if not isinstance(data, list):
        raise InputError(f"{WAIVERS_WHAT} « {path.name} » doit être une liste de dérogations (chacune commence "
                         "par « - regle: … ») : voir « vmes-audit analyze --help ».")
    waivers = []
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise InputError(f"{WAIVERS_WHAT} « {path.name} », dérogation n° {index} : un objet est attendu "
                             "(regle, hote, justification, expire, auteur).")
        try:
            waivers.append(Waiver.model_validate({k: v for k, v in item.items() if k != "rule_ids"}))
        except ValidationError as exc:
            raise InputError(f"{WAIVERS_WHAT} « {path.name} », dérogation n° {index} : "
                             f"{_waiver_problems(exc)}.") from None
    return waivers


_FIELD_FR = {"rule": "regle", "host": "hote", "expires": "expire", "author": "auteur"}


def _waiver_problems(exc: ValidationError) -> str:
    short = [e for e in exc.errors() if e["type"] == "string_too_short" and e["loc"][:1] == ("justification",)]
    if short:
        return (f"justification trop courte (« {str(short[0].get('input', ''))[:40]} ») : 10 caractères au moins, "
                "qui disent pourquoi l'écart est accepté")
    text = validation_message(exc)
    for english, french in _FIELD_FR.items():
        text = text.replace(f"{english} :", f"{french} :")
    for err in exc.errors():
        if err["type"] == "value_error" and err.get("ctx", {}).get("error"):
            text += f" ({err['ctx']['error']})"
        if err["type"] in ("date_from_datetime_parsing", "date_parsing", "date_type"):
            text += " (date AAAA-MM-JJ attendue)"
        if err["type"] == "extra_forbidden":
            text += (f" (champ « {err['loc'][0]} » inconnu ; champs possibles : regle, hote, justification, "
                     "expire, auteur)")
    return text


def resolve_waivers(waivers: list[Waiver], pack: PackIds, source: str = "") -> list[Waiver]:
    """Each waiver with the pack's rule ids it names; an InputError for an unknown one."""
    where = f"{WAIVERS_WHAT}{f' « {source} »' if source else ''}"
    return [w.model_copy(update={"rule_ids": resolve_rule_ids(w.rule, pack, f"{where}, dérogation n° {i}")})
            for i, w in enumerate(waivers, start=1)]


@dataclass
class _Use:
    waiver: Waiver
    used: int = 0
    expired: bool = False


def _matches(waiver: Waiver, finding: Finding) -> bool:
    ids = waiver.rule_ids or (waiver.rule,)
    return finding.rule_id in ids and (not waiver.host or waiver.host.upper() in (
        finding.host.upper(), finding.subject.upper()))


def apply_waivers(findings: list[Finding], waivers: list[Waiver], today: date) -> tuple[list[Finding], list[str]]:
    """Waive the matching non-passing findings; expired waivers are reported, not applied, and a
    waiver that waived nothing is reported too."""
    warnings: list[str] = []
    uses = [_Use(w) for w in waivers]
    out: list[Finding] = []
    for finding in findings:
        use = next((u for u in uses if _matches(u.waiver, finding)), None)
        if use is None or finding.state in (State.PASS, State.NA):
            out.append(finding)
            continue
        match = use.waiver
        if match.expires < today:
            use.expired = True
            warnings.append(f"Dérogation expirée le {match.expires:%d/%m/%Y} pour {finding.rule_id} : non appliquée.")
            out.append(finding)
            continue
        use.used += 1
        who = f" ({match.author})" if match.author else ""
        out.append(finding.model_copy(update={
            "state": State.WAIVED,
            "waiver": f"{match.justification}{who}, valable jusqu'au {match.expires:%d/%m/%Y}",
            "message": f"{finding.message} Dérogation : {match.justification}."}))
    for use in uses:
        if not use.used and not use.expired:
            where = f" sur {use.waiver.host}" if use.waiver.host else ""
            warnings.append(f"Dérogation sans effet : « {use.waiver.rule} »{where} ne couvre aucun point à traiter "
                            "(contrôle conforme, non applicable, ou hôte différent).")
    return out, warnings
