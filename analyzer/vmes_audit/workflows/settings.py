"""The settings of an analysis: who writes the report, for which customer, with which answers.

One YAML format, in three places (each read with ``engine/user_yaml.py``'s limits):

- the presales engineer's own file, read by every ``analyze`` and ``batch`` when it
  exists: ``$XDG_CONFIG_HOME/vmes-audit/avant-vente.yaml`` (``~/.config/…``), or the
  file named by ``$VMES_AUDIT_SETTINGS`` (``VMES_AUDIT_SETTINGS=off`` reads none);
- a file given with ``--settings``;
- in ``batch``, ``vmes-audit.yaml`` in each customer folder.

::

    client: "Exemple BTP"              # the customer's name on the cover
    utilisateurs: 350                  # planned users (as --users)
    compte: VistoAdmin                 # the service account (as --account)
    reponses: questionnaire.yaml       # the customer's answers (as --answers)
    derogations: derogations.yaml      # presales waivers (as --waivers)
    auteur:                            # who wrote the report, and how to reach them
      nom: "Jeanne Martin"
      societe: "Intégrateur Exemple"
      courriel: "jeanne.martin@exemple.fr"
      telephone: "01 23 45 67 89"
    confidentialite: "Confidentiel"    # the cover's mark, repeated on every page; "" for none

Later sources win: the presales file, then ``--settings`` or the customer's
``vmes-audit.yaml``, then the command line's options. A relative path is read
from the settings file's folder; in a customer folder it must stay inside that
folder and not be a symbolic link.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vmes_audit.base.errors import InputError
from vmes_audit.engine.user_yaml import load_user_yaml
from vmes_audit.report.settings import DEFAULT_CONFIDENTIALITY, ReportSettings

__all__ = ["AnalysisSettings", "load_settings", "presales_settings_file", "CUSTOMER_SETTINGS_FILE",
           "merge_settings"]

CUSTOMER_SETTINGS_FILE = "vmes-audit.yaml"
_TEXT_LIMIT = 200


class _Author(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nom: str = Field("", max_length=_TEXT_LIMIT)
    societe: str = Field("", max_length=_TEXT_LIMIT)
    courriel: str = Field("", max_length=_TEXT_LIMIT)
    telephone: str = Field("", max_length=_TEXT_LIMIT)

    @field_validator("*", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return "" if value is None else str(value).strip() if isinstance(value, (str, int)) else value


class _SettingsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client: str | None = Field(None, max_length=_TEXT_LIMIT)
    utilisateurs: int | None = Field(None, ge=1, le=1_000_000)
    compte: str | None = Field(None, max_length=64)
    reponses: str | None = None
    derogations: str | None = None
    auteur: _Author | None = None
    confidentialite: str | None = Field(None, max_length=60)

    @field_validator("client", "compte", "reponses", "derogations", "confidentialite", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value).strip() if isinstance(value, (int, float)) and not isinstance(value, bool) else value


@dataclass(frozen=True)
class AnalysisSettings:
    """What a settings file (or several, merged) gives; None = not said."""

    client: str | None = None
    users: int | None = None
    account: str | None = None
    answers: Path | None = None
    waivers: Path | None = None
    author: str | None = None
    company: str | None = None
    contact: str | None = None
    confidentiality: str | None = None
    sources: tuple[str, ...] = ()  # the files read, for the messages

    def report_settings(self) -> ReportSettings:
        return ReportSettings(author=self.author or "", company=self.company or "", contact=self.contact or "",
                              confidentiality=DEFAULT_CONFIDENTIALITY if self.confidentiality is None
                              else self.confidentiality)


def merge_settings(*layers: AnalysisSettings) -> AnalysisSettings:
    """Later layers win, field by field (None leaves the earlier value)."""
    out = AnalysisSettings()
    for layer in layers:
        changes = {name: getattr(layer, name) for name in AnalysisSettings.__dataclass_fields__
                   if name != "sources" and getattr(layer, name) is not None}
        out = replace(out, **changes, sources=out.sources + layer.sources)
    return out


_FIELDS_FR = {"missing": "champ absent", "extra_forbidden": "champ inconnu", "int_parsing": "nombre entier attendu",
              "int_type": "nombre entier attendu", "string_type": "texte attendu",
              "string_too_long": "texte trop long", "greater_than_equal": "nombre trop petit",
              "less_than_equal": "nombre trop grand", "model_type": "objet attendu (nom, societe, courriel, "
              "telephone)", "int_from_float": "nombre entier attendu"}


def _problems(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"])
        text = _FIELDS_FR.get(err["type"], "valeur invalide")
        if err["type"] == "extra_forbidden":
            text += (" (champs possibles : client, utilisateurs, compte, reponses, derogations, auteur, "
                     "confidentialite)")
        parts.append(f"« {loc} » : {text}")
    return " ; ".join(parts)


def _path(value: str | None, base: Path, confined: bool, what: str, source: Path) -> Path | None:
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = base / path
    if confined:
        if Path(value).is_absolute() or ".." in Path(value).parts:
            raise InputError(f"{source} : {what} « {value} » : indiquez un fichier du dossier du client "
                             "(chemin relatif, sans « .. »).")
        if path.is_symlink():
            raise InputError(f"{source} : {what} « {value} » est un lien symbolique : il n'est pas suivi.")
    return path


def load_settings(path: Path, *, confined: bool = False) -> AnalysisSettings:
    """The settings of ``path``; ``confined``: a customer folder's file (paths stay inside it)."""
    path = Path(path)
    if confined and path.is_symlink():
        raise InputError(f"« {path} » est un lien symbolique : il n'est pas suivi.")
    data = load_user_yaml(path, "Le fichier de réglages")
    if data is None:
        return AnalysisSettings(sources=(str(path),))
    if not isinstance(data, dict):
        raise InputError(f"Le fichier de réglages « {path.name} » doit être un objet YAML (client: …, "
                         "utilisateurs: …) : voir « vmes-audit analyze --help ».")
    try:
        parsed = _SettingsFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"Le fichier de réglages « {path} » : {_problems(exc)}.") from None
    author = parsed.auteur
    contact = " · ".join(v for v in ((author.courriel, author.telephone) if author else ()) if v) or None
    return AnalysisSettings(
        client=parsed.client, users=parsed.utilisateurs, account=parsed.compte,
        answers=_path(parsed.reponses, path.parent, confined, "reponses", path),
        waivers=_path(parsed.derogations, path.parent, confined, "derogations", path),
        author=(author.nom or None) if author else None, company=(author.societe or None) if author else None,
        contact=contact, confidentiality=parsed.confidentialite, sources=(str(path),))


def presales_settings_file() -> Path | None:
    """The presales engineer's own settings file, when there is one."""
    named = os.environ.get("VMES_AUDIT_SETTINGS")
    if named is not None:
        if named.strip().lower() in ("", "off", "0", "non", "no"):
            return None
        return Path(named).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME")
    if not base:
        try:
            base = str(Path.home() / ".config")
        except RuntimeError:  # no home directory (a service account, a container)
            return None
    candidate = Path(base) / "vmes-audit" / "avant-vente.yaml"
    return candidate if candidate.is_file() else None
