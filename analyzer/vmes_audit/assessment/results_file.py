"""Read a ``resultats.json`` back into an :class:`AssessmentReport`, so that
``vmes-audit compare OLD.json NEW.json`` can render the new audit's PDF and
HTML with its evolution, without the collections.

The JSON (``report/export.py``, ``reports/README-json.md``) holds every field
of the report model; this is its inverse, and a test checks that
``json_text(report_from_json(json_text(r)))`` gives the same bytes. The file
is hostile input: every field is validated and a problem is an
:class:`InputError` in French.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vmes_audit.base.errors import InputError, os_error_text, validation_message
from vmes_audit.base.findings import (
    ActionPlan,
    Answer,
    ActionRoleGroup,
    ActionStep,
    ArtifactStatus,
    AssessmentReport,
    Comparison,
    ComparisonItem,
    Finding,
    HostSummary,
    InputInfo,
    Reference,
)

__all__ = ["report_from_json", "load_report_json", "read_json_document", "MAX_JSON_BYTES"]

MAX_JSON_BYTES = 50 * 1024 * 1024  # a real resultats.json is well under 1 Mo

_FINDING_FIELDS = ("rule_id", "catalogue", "section", "title", "state", "severity", "host", "subject", "message",
                   "observed", "expected", "why", "remediation", "manual_check", "question", "evidence", "details",
                   "waiver")


def _comparison(block: dict[str, Any]) -> Comparison:
    previous = block["previous"]
    return Comparison(
        previous_date=previous["date"], previous_verdict=previous["verdict"], previous_client=previous["client"],
        previous_pack_id=previous["pack"]["id"], previous_pack_version=previous["pack"]["version"],
        previous_pack_date=previous["pack"]["date"], previous_analyzer_version=previous["analyzer_version"],
        pack_changed=block["pack_changed"], pack_note=block["pack_note"], new_rules=block["new_rules"],
        removed_rules=block["removed_rules"], warnings=block["warnings"],
        items=[ComparisonItem(**{k: v for k, v in item.items() if k != "status_label"}) for item in block["items"]])


def _action_plan(block: dict[str, Any]) -> ActionPlan:
    return ActionPlan(note=block["note"], groups=[
        ActionRoleGroup(role=group["id"], title=group["title"], steps=[
            ActionStep(**{k: v for k, v in step.items() if k != "state_label"}, role=group["id"])
            for step in group["steps"]])
        for group in block["roles"]])


def report_from_json(data: Any) -> AssessmentReport:
    """The report a ``resultats.json`` document was written from.

    Raises ``KeyError``/``TypeError``/``ValidationError`` on a malformed document
    (:func:`load_report_json` turns them into a French message)."""
    if not isinstance(data, dict):
        raise TypeError("objet JSON attendu")
    pack = data["pack"]
    findings = [Finding(**{k: f[k] for k in _FINDING_FIELDS},
                        references=[Reference(**ref) for ref in f["references"]],
                        # added within schema 1.0 (issue 20): absent from older files
                        answer=Answer(**f["answer"]) if f.get("answer") else None, asks=f.get("asks") or "",
                        addressed_to=f.get("addressed_to") or "")
                for f in data["findings"]]
    return AssessmentReport(
        client=data["client"], generated_on=data["generated_on"], pack_id=pack["id"],
        pack_version=pack["version"], pack_date=pack["date"], vmes_release=pack["vmes_release"],
        analyzer_version=data["analyzer_version"], parameters=data["parameters"], verdict=data["verdict"],
        verdict_reasons=data["verdict_reasons"],
        sections=[(s["id"], s["title"]) for s in data["sections"]], findings=findings,
        hosts=[HostSummary(**{k: v for k, v in h.items() if k != "inventory"},
                           inventory=[(i["label"], i["value"]) for i in h["inventory"]]) for h in data["hosts"]],
        inputs=[InputInfo(path=i["name"], sha256=i["sha256"], size=i["size"], kind=i["kind"])
                for i in data["inputs"]],
        artifacts=[ArtifactStatus(**a) for a in data["artifacts"]], warnings=data["warnings"],
        rule_ids=pack.get("rules") or [],
        comparison=_comparison(data["comparison"]) if data.get("comparison") else None,
        action_plan=_action_plan(data["action_plan"]) if data.get("action_plan") else None,
        pseudonymised=bool(data.get("pseudonymised", False)))


def load_report_json(path: Path, what: str = "Le résultat d'audit") -> AssessmentReport:
    """A ``resultats.json`` given on the command line, as a report; French errors only."""
    data = read_json_document(path, what)
    name = Path(path).name
    if isinstance(data, dict) and str(data.get("schema_version", "")).split(".")[0] not in ("1",):
        raise InputError(f"« {name} » n'est pas un resultats.json de vmes-audit lisible par cette version "
                         f"(schema_version {data.get('schema_version')!r}, 1.x attendu).")
    try:
        return report_from_json(data)
    except ValidationError as exc:
        raise InputError(f"« {name} » n'est pas un resultats.json valide : {validation_message(exc)}.") from None
    except KeyError as exc:
        raise InputError(f"« {name} » n'est pas un resultats.json complet : champ {exc} absent.") from None
    except (TypeError, AttributeError, ValueError, IndexError):
        raise InputError(f"« {name} » n'est pas un resultats.json valide : structure inattendue.") from None


def read_json_document(path: Path, what: str) -> Any:
    """Read a JSON file given on the command line; every failure is an :class:`InputError` in French."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{what} « {path} » est introuvable ou illisible ({os_error_text(exc)}).") from None
    if not path.is_file():
        raise InputError(f"{what} « {path} » n'est pas un fichier.")
    if size > MAX_JSON_BYTES:
        raise InputError(f"{what} « {path.name} » est trop volumineux ({size // (1024 * 1024)} Mo) pour "
                         "être un resultats.json de vmes-audit.")
    try:
        text = path.read_bytes().decode("utf-8-sig")
        return json.loads(text)
    except UnicodeDecodeError:
        raise InputError(f"{what} « {path.name} » n'est pas un texte UTF-8 : est-ce bien le resultats.json "
                         "écrit par vmes-audit ?") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" (ligne {exc.lineno}, colonne {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(f"{what} « {path.name} » n'est pas un JSON valide{where} : est-ce bien le "
                         "resultats.json écrit par vmes-audit ?") from None
    except OSError as exc:
        raise InputError(f"{what} « {path.name} » est illisible ({os_error_text(exc)}).") from None
