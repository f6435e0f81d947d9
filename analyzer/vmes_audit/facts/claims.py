"""What a collection claims about itself, checked against the artifacts that can contradict it (check H4).

The manifest is written by the collector, but it travels with the archive and can be edited: a
claim is evidence only when nothing contradicts it. One row of the ``claims`` table per claim
checked, with its ``status``:

- ``contradiction``: an artifact says otherwise (the machine's name in WMI, the collecting account's
  SID in ``whoami /user``, the service account found in the directory), or the claim cannot be
  true (a collection that ended before it started, a dry run that wrote an archive, a collector
  that is not ours);
- ``doubt``: implausible rather than impossible (a date after the report's, before 2003, a
  collection older than six months, a collector newer than this analyzer);
- ``ok``: checked, nothing against it.

``claimed`` and ``observed`` name both sides, so the finding can quote them.

>>> from datetime import date, datetime, timezone
>>> _date_rows("VMES01", datetime(2026, 11, 20, 14, tzinfo=timezone.utc), datetime(2026, 11, 20, 13,
...            tzinfo=timezone.utc), date(2026, 12, 1))[0]["status"]
'contradiction'
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from vmes_audit.collection import Collection
from vmes_audit.collection.manifest import utc
from vmes_audit.facts.ad_records import of_kind, records_of, text_of
from vmes_audit.facts.model import Facts, frame, records, register_table

__all__ = ["build", "COLLECTORS", "KNOWN_COLLECTOR_VERSIONS"]

register_table("claims", "Les déclarations des collectes (manifeste) confrontées à leurs artefacts",
               "host artifact claim claimed observed status detail", derived=True)

# The collectors that write the format (docs/collection-format.md §2): name -> modes it writes.
COLLECTORS = {"vmes-audit-collector": ("vmes", "exchange"), "vmes-audit-ems": ("ems",)}
# The collector versions this analyzer was written against (major.minor).
KNOWN_COLLECTOR_VERSIONS = ("1.0", "1.1")
_EARLIEST = date(2003, 1, 1)  # Windows Server 2003; a collection dated before is a wrong clock or an edit
_STALE = timedelta(days=183)
_LONGEST = timedelta(hours=24)
_COLUMN_FR = {"hostname": "nom de la machine", "run_as_sid": "compte qui a lancé la collecte (SID)"}
_COLUMN_SENTENCE = {"hostname": "le nom de la machine", "run_as_sid": "le compte qui a lancé la collecte (SID)"}
_SOURCE_FR = {"manifest": "manifeste", "wmi_computersystem": "WMI Win32_ComputerSystem", "wmi_os": "WMI Win32_OperatingSystem",
              "systeminfo": "systeminfo", "ipconfig": "ipconfig", "whoami_user": "whoami /user"}


def _fr_date(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M")


def _row(host: str, claim: str, claimed: str, observed: str, status: str, detail: str,
         artifact: str = "manifest") -> dict[str, Any]:
    return {"host": host, "artifact": artifact, "claim": claim, "claimed": claimed, "observed": observed,
            "status": status, "detail": detail}


def _date_rows(host: str, started: datetime, ended: datetime, today: date | None) -> list[dict[str, Any]]:
    claimed = f"du {_fr_date(started)} au {_fr_date(ended)}"
    # one date with a UTC offset and one without (which the manifest's check reads as UTC, with a warning):
    # compared as moments, never naive against aware
    if utc(ended) < utc(started):
        return [_row(host, "dates", claimed, "fin avant le début", "contradiction",
                     f"la collecte {_de(host)} se serait terminée ({_fr_date(ended)}) avant d'avoir commencé "
                     f"({_fr_date(started)})")]
    if utc(ended) - utc(started) > _LONGEST:
        return [_row(host, "dates", claimed, f"durée de {(utc(ended) - utc(started)).days} jour(s)", "doubt",
                     f"la collecte {_de(host)} aurait duré plus de 24 heures ({claimed})")]
    if started.date() < _EARLIEST:
        return [_row(host, "dates", claimed, "antérieure à 2003", "doubt",
                     f"la collecte {_de(host)} est datée du {started:%d/%m/%Y}, avant Windows Server 2003 : horloge "
                     "de la machine fausse ou manifeste modifié")]
    if today is not None and started.date() > today + timedelta(days=1):
        return [_row(host, "dates", claimed, f"rapport du {today:%d/%m/%Y}", "doubt",
                     f"la collecte {_de(host)} est datée du {started:%d/%m/%Y}, après la date du rapport "
                     f"({today:%d/%m/%Y}) : horloge de la machine fausse ou manifeste modifié")]
    if today is not None and today - started.date() > _STALE:
        return [_row(host, "dates", claimed, f"rapport du {today:%d/%m/%Y}", "doubt",
                     f"la collecte {_de(host)} date du {started:%d/%m/%Y}, plus de six mois avant le rapport : la "
                     "configuration a pu changer depuis")]
    return [_row(host, "dates", claimed, claimed, "ok", "")]


def _de(host: str) -> str:
    return f"d'{host}" if host[:1].upper() in "AEIOUYÉÈ" else f"de {host}"


def _collector_rows(host: str, coll: Collection) -> list[dict[str, Any]]:
    manifest = coll.manifest
    assert manifest is not None
    name, version = manifest.collector.name, manifest.collector.version
    claimed = f"{name} {version}"
    if name not in COLLECTORS:
        return [_row(host, "collecteur", claimed, "collecteur inconnu", "contradiction",
                     f"l'archive {_de(host)} se dit écrite par « {name[:60]} », qui n'est pas un collecteur de "
                     "vmes-audit (collect.vbs écrit « vmes-audit-collector », collect-ems.ps1 « vmes-audit-ems »)")]
    if manifest.mode not in COLLECTORS[name]:
        return [_row(host, "collecteur", f"{claimed}, mode {manifest.mode}", f"{name} n'écrit pas ce mode",
                     "contradiction", f"le manifeste {_de(host)} déclare le mode « {manifest.mode} », que {name} "
                     "n'écrit jamais")]
    match = re.match(r"^(\d{1,3})\.(\d{1,3})(?:\.\d{1,5})?$", version.strip())
    if not match:
        return [_row(host, "collecteur", claimed, "version illisible", "contradiction",
                     f"la version « {version[:40]} » du collecteur {_de(host)} n'est pas une version de vmes-audit")]
    if f"{int(match.group(1))}.{int(match.group(2))}" not in KNOWN_COLLECTOR_VERSIONS:
        return [_row(host, "collecteur", claimed, f"versions connues : {', '.join(KNOWN_COLLECTOR_VERSIONS)}",
                     "doubt", f"le collecteur {_de(host)} ({claimed}) n'est pas une version que cet analyseur "
                     "connaît : mettre vmes-audit à jour, ou vérifier l'origine de l'archive")]
    return [_row(host, "collecteur", claimed, claimed, "ok", "")]


def _dry_run_rows(host: str, coll: Collection) -> list[dict[str, Any]]:
    manifest = coll.manifest
    assert manifest is not None
    if not manifest.parameters.dry_run:
        return [_row(host, "collecte à blanc", "non", "non", "ok", "")]
    return [_row(host, "collecte à blanc", "oui (/dryrun)", "une archive a été écrite", "contradiction",
                 f"le manifeste {_de(host)} déclare une collecte à blanc (/dryrun), qui n'écrit jamais d'archive : "
                 "l'archive a été fabriquée ou modifiée")]


def _identity_rows(host: str, row: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for conflict in row.get("source_conflicts") or []:
        values = conflict["values"]
        claimed = values.get("manifest", "")
        others = {s: v for s, v in values.items() if s != "manifest"}
        observed = " ; ".join(f"{v} ({_SOURCE_FR.get(s, s)})" for s, v in others.items())
        said = " ; ".join(f"{_SOURCE_FR.get(s, s)} : « {v} »" for s, v in values.items())
        out.append(_row(host, _COLUMN_FR.get(conflict["column"], conflict["column"]), claimed or "—", observed,
                        "contradiction", f"{host} : {_COLUMN_SENTENCE.get(conflict['column'], conflict['column'])} "
                        f"diffère selon la source ({said})", artifact=next(iter(others), "manifest")))
    return out


def _service_account_rows(facts: Facts) -> list[dict[str, Any]]:
    """The account the collector was asked to look up (manifest) against the one the directory returned."""
    claimed = None
    for colls in facts.collections_by_host.values():
        for coll in colls:
            if coll.manifest is not None and coll.mode == "vmes":
                claimed = coll.manifest.parameters.service_account
    sa_records, _ = records_of(facts, "ad_service_account")
    users = of_kind(sa_records, "user") if sa_records is not None else []
    if claimed is None or not users:
        return []
    found = [text_of(u.get("sAMAccountName")) for u in users]
    found = [name for name in found if name]
    if not found:
        return []
    if all(name.lower() == claimed.lower() for name in found):
        return [_row("", "compte de service", claimed, found[0], "ok", "", artifact="ad_service_account")]
    return [_row("", "compte de service", claimed, ", ".join(found), "contradiction",
                 f"la collecte déclare avoir recherché le compte « {claimed} », mais l'annuaire collecté a rendu "
                 f"« {', '.join(found)} » : les vérifications du compte porteraient sur un autre compte",
                 artifact="ad_service_account")]


def build(facts: Facts) -> None:
    rows: list[dict[str, Any]] = []
    for host, colls in facts.collections_by_host.items():
        for coll in colls:
            if coll.manifest is None:
                continue
            rows += _date_rows(host, coll.manifest.started, coll.manifest.ended, facts.today)
            rows += _collector_rows(host, coll)
            rows += _dry_run_rows(host, coll)
    # every machine row (a VMES machine and an Exchange server may share a name: one row each)
    for row in records(facts.table("host")):
        rows += _identity_rows(str(row["host"]), row)
    rows += _service_account_rows(facts)
    facts.tables["claims"] = frame("claims", rows)
