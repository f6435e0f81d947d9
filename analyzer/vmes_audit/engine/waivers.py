"""Presales waivers: a YAML list that turns a finding into "Dérogation".

Example (``derogations.yaml``)::

    - rule: c1-processor-class
      host: VMES01            # optional: every host when absent
      justification: "Machine virtuelle validée par l'éditeur le 12/11/2026"
      expires: 2027-03-31
      author: J. Martin
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vmes_audit.base.errors import InputError
from vmes_audit.base.findings import Finding, State

__all__ = ["Waiver", "load_waivers", "apply_waivers"]


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rule: str
    host: str = ""
    justification: str = Field(min_length=10)
    expires: date
    author: str = ""


def load_waivers(path: Path) -> list[Waiver]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        return [Waiver.model_validate(item) for item in data]
    except (OSError, yaml.YAMLError, ValidationError, TypeError, UnicodeDecodeError) as exc:
        raise InputError(f"Fichier de dérogations « {path.name} » invalide : {exc}") from exc


def apply_waivers(findings: list[Finding], waivers: list[Waiver], today: date) -> tuple[list[Finding], list[str]]:
    """Waive the matching non-passing findings; expired waivers are reported, not applied."""
    warnings: list[str] = []
    out: list[Finding] = []
    for finding in findings:
        match = next((w for w in waivers if w.rule == finding.rule_id
                      and (not w.host or w.host.upper() in (finding.host.upper(), finding.subject.upper()))), None)
        if match is None or finding.state in (State.PASS, State.NA):
            out.append(finding)
            continue
        if match.expires < today:
            warnings.append(f"Dérogation expirée le {match.expires:%d/%m/%Y} pour {finding.rule_id} : non appliquée.")
            out.append(finding)
            continue
        who = f" ({match.author})" if match.author else ""
        out.append(finding.model_copy(update={
            "state": State.WAIVED,
            "waiver": f"{match.justification}{who}, valable jusqu'au {match.expires:%d/%m/%Y}",
            "message": f"{finding.message} Dérogation : {match.justification}."}))
    return out, warnings
