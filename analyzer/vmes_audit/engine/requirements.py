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
  duplicate entries or manifest keys…), with the reason;
- ``assessment_conflicts``: one row per domain that the collections name
  with two different SIDs (the collecting accounts of the manifests, the
  directory read on the VMES machine). A NetBIOS domain name is unique in a
  forest and between trusting forests, so two SIDs under one name mean
  collections from two different directories (a test lab and production,
  say): the analysis would judge one organisation on another's facts.

So the verdict knows what it did not see: a missing requirement is a
bloquant "Non évaluable" finding, never a silent "Prêt".

>>> "assessment_requirements" in TABLES and "assessment_parts" in TABLES
True
"""

from __future__ import annotations

from typing import Any

from vmes_audit.facts.model import TABLES, Facts, records, register_table
from vmes_audit.windows.sids import domain_sid_of

__all__ = ["requirement_rows", "part_rows", "conflict_rows", "add_assessment_tables"]

register_table("assessment_requirements", "Ce que l'analyse doit contenir pour rendre un verdict (pack.yaml)",
               "host artifact requirement label role minimum found hosts met missing")
register_table("assessment_parts", "Les entrées et collectes de l'analyse, et celles qui ont été écartées",
               "host artifact part kind usable reason")
register_table("assessment_conflicts", "Les domaines que les collectes nomment avec des SID différents",
               "host artifact domain sids claims")


def requirement_rows(requirements: list[Any], facts: Facts) -> list[dict[str, Any]]:
    """One row per requirement of the pack (``pack.assessment.requires``)."""
    hosts = facts.table("host")
    rows_of_hosts = records(hosts)
    rows = []
    for req in requirements:
        judged = sorted({str(r["host"]) for r in rows_of_hosts if r.get("role") == req.role and r.get("judged") is True})
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


def conflict_rows(facts: Facts) -> list[dict[str, Any]]:
    """Domains named with two SIDs by the collections of one assessment (see the module's docstring).

    A local account (named after its own machine) is left out: cloned machines share a machine SID.
    """
    claims: dict[str, dict[str, list[str]]] = {}  # NETBIOS -> domain SID -> who says so

    def claim(name: str, sid: str | None, who: str) -> None:
        if name and sid:
            claims.setdefault(name.strip().upper(), {}).setdefault(sid, []).append(who)

    for coll in facts.assessment.collections:
        if coll.manifest is None:
            continue
        domain, sep, _ = (coll.manifest.run_as.name or "").rpartition("\\")
        if sep and domain.strip().upper() != (coll.host or "").upper():
            claim(domain, domain_sid_of(coll.manifest.run_as.sid or ""),
                  f"compte de collecte de « {coll.origin} » ({coll.manifest.run_as.name})")
    directory = facts.table("organisation")
    for row in records(directory):
        sid = row.get("domain_sid")
        if isinstance(sid, str) and isinstance(row.get("domain_netbios"), str):
            reader = row.get("host") or "la machine VMES"
            claim(row["domain_netbios"], sid.strip().upper(), f"annuaire lu depuis {reader}")
    rows = []
    for name, by_sid in sorted(claims.items()):
        if len(by_sid) > 1:
            rows.append({"host": "", "artifact": None, "domain": name, "sids": sorted(by_sid),
                         "claims": [f"{sid} : {', '.join(who[:3])}" for sid, who in sorted(by_sid.items())]})
    return rows


def add_assessment_tables(requirements: list[Any], facts: Facts) -> None:
    """Store both tables in ``facts`` (before the rules are evaluated)."""
    from vmes_audit.facts.model import frame

    facts.tables["assessment_requirements"] = frame("assessment_requirements",
                                                    requirement_rows(requirements, facts))
    facts.tables["assessment_parts"] = frame("assessment_parts", part_rows(facts))
    facts.tables["assessment_conflicts"] = frame("assessment_conflicts", conflict_rows(facts))
