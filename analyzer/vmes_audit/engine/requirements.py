"""What an assessment must contain to be judged: the pack's ``assessment`` section.

A rule pack lists, in ``pack.yaml``, the collections an assessment needs
(at least one judged VMES-machine collection for VMES 5.5). This module turns
that declaration and the facts into two tables that the pack's H rule reads
like any other (``rules/vmes-5.5/h3-assessment-contents.yaml``):

- ``assessment_requirements``: one row per requirement, ``met`` false when
  fewer judged collections of that role than ``minimum`` were found;
- ``assessment_parts``: one row per input and per collection, ``usable``
  false for an input that could not be read at all (a broken zip among
  several) or a collection set aside as contradictory (mode against content,
  duplicate entries or manifest keys…), with the reason.

So the verdict knows what it did not see: a missing requirement is a
bloquant "Non évaluable" finding, never a silent "Prêt".

>>> "assessment_requirements" in TABLES and "assessment_parts" in TABLES
True
"""

from __future__ import annotations

from typing import Any

from vmes_audit.facts.model import TABLES, Facts, register_table

__all__ = ["requirement_rows", "part_rows", "add_assessment_tables"]

register_table("assessment_requirements", "Ce que l'analyse doit contenir pour rendre un verdict (pack.yaml)",
               "host artifact requirement label role minimum found hosts met missing", "")
register_table("assessment_parts", "Les entrées et collectes de l'analyse, et celles qui ont été écartées",
               "host artifact part kind usable reason", "")


def requirement_rows(requirements: list[Any], facts: Facts) -> list[dict[str, Any]]:
    """One row per requirement of the pack (``pack.assessment.requires``)."""
    hosts = facts.table("host")
    records = hosts.to_dict("records") if not hosts.empty else []
    rows = []
    for req in requirements:
        judged = sorted({str(r["host"]) for r in records if r.get("role") == req.role and r.get("judged") is True})
        rows.append({"host": "", "artifact": None, "requirement": req.id, "label": req.label, "role": req.role,
                     "minimum": req.min, "found": len(judged), "hosts": judged, "met": len(judged) >= req.min,
                     "missing": req.missing})
    return rows


def part_rows(facts: Facts) -> list[dict[str, Any]]:
    """Every input and collection, with why it was set aside when it was."""
    rows = []
    assessment = facts.assessment
    for broken in assessment.broken:
        rows.append({"host": "", "artifact": None, "part": broken.path, "kind": "entrée", "usable": False,
                     "reason": broken.error or "illisible"})
    for coll in assessment.collections:
        reason = ""
        if coll.problems:
            reason = " ; ".join(coll.problems[:3]) + (" ; …" if len(coll.problems) > 3 else "")
        elif not any(a.usable for a in coll.artifacts.values()):
            reason = "aucun élément exploitable dans la collecte"
        rows.append({"host": "", "artifact": None, "part": coll.origin,
                     "kind": {"vmes": "machine VMES", "exchange": "serveur Exchange", "ems": "Exchange 2007 (EMS)",
                              "loose": "fichiers isolés"}.get(coll.mode, coll.mode),
                     "usable": not reason, "reason": reason or None})
    return rows


def add_assessment_tables(requirements: list[Any], facts: Facts) -> None:
    """Store both tables in ``facts`` (before the rules are evaluated)."""
    from vmes_audit.facts import frame

    facts.tables["assessment_requirements"] = frame("assessment_requirements",
                                                    requirement_rows(requirements, facts))
    facts.tables["assessment_parts"] = frame("assessment_parts", part_rows(facts))
