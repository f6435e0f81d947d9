"""Building the fact tables of an assessment (``build_facts``).

Building them never stops the run: an exception in one builder (a parser or
fact bug, an input shape nobody foresaw) marks the artifacts that feed its
tables *unreadable* with the reason (« erreur interne de l'analyseur … »), so
the checks that need them are "Non évaluable" and the rest of the report is
still written.
"""


from __future__ import annotations

from collections.abc import Callable
from datetime import date

from vmes_audit.collection import Assessment, Collection
from vmes_audit.collection.artifacts import ARTIFACTS, format_tuple
from vmes_audit.base.errors import internal_error_text
from vmes_audit.facts import claims, directory, machine, network
from vmes_audit.facts.host import fallback_notes, host_row
from vmes_audit.facts.model import REJECTED, TABLES, Facts, frame, records
from vmes_audit.facts.parsed import parsed

__all__ = ["build_facts"]

# Builders of the tables that span hosts (Active Directory, Exchange, network), run after the
# machine tables: each takes the Facts and stores its tables with frame().
_ASSESSMENT_BUILDERS: list[Callable[[Facts], None]] = [directory.build, network.build, claims.build]

_MACHINE_TABLES = {
    "disks": machine.disk_rows,
    "network_adapters": machine.adapter_rows,
    "hotfixes": machine.hotfix_rows,
    "services": machine.service_rows,
    "software": machine.software_rows,
    "registry": machine.registry_rows,
    "files": machine.file_rows,
    "local_admins": machine.local_admin_rows,
    "token_groups": machine.token_group_rows,
}

# Tables whose rows come from one source or, when it is broken, from a weaker one.
_TABLE_PREFERENCE = {"network_adapters": ("wmi_networkadapter", "ipconfig")}
# Host columns other builders fill from their strongest source or, when it is broken, from a weaker
# one (the directory facts decide sa_local_admin from local_admins, else from the account's token).
_DERIVED_PREFERENCE = {"sa_local_admin": ("local_admins", "groupes du jeton du compte : whoami_groups, token_groups")}


def _name_loose(coll: Collection) -> str:
    """A loose collection's host: systeminfo's host name, else the folder's name."""
    art = coll.artifacts.get("systeminfo")
    infos = parsed(art) if art is not None else None
    if infos and infos[0].hostname:
        return infos[0].hostname.strip().upper()[:255]
    return coll.origin.upper()


def _mark_broken(coll: Collection, artifacts: tuple[str, ...] | list[str], reason: str) -> None:
    for name in artifacts:
        art = coll.artifacts.get(name)
        if art is not None and art.usable:
            art.mark_unreadable(reason)


def _parse_everything(colls: list[Collection]) -> None:
    """Parse every usable artifact, so that H2 lists the unreadable and implausible ones
    even when no check happened to read them."""
    for coll in colls:
        for art in coll.artifacts.values():
            if art.usable and art.name in ARTIFACTS:
                parsed(art)


def _collection_quality(row: dict, colls: list[Collection]) -> None:
    """Columns for check H2: manifest, artifact states (after parsing), gaps and contradictions."""
    machine_colls = [c for c in colls if c.mode != "ems"]
    coll = next((c for c in machine_colls if c.mode == row["collector_mode"]), machine_colls[0])
    if coll.manifest is not None:
        row["manifest_status"] = "ok"
        row["format_version"] = coll.manifest.format_version
    else:
        row["manifest_status"] = "invalid" if coll.manifest_error else "absent"
        row["manifest_error"] = coll.manifest_error or None
    failed = []
    for art in coll.artifacts.values():
        spec = ARTIFACTS.get(art.name)
        if art.status in ("error", "unreadable"):
            failed.append(f"{art.name} : {(art.error or art.status)[:300]}")
        elif art.status == "skipped" and spec is not None and not spec.skippable:
            failed.append(f"{art.name} : non collecté (« skipped ») alors que cette étape s'applique à toute "
                          f"machine{' (' + art.error[:200] + ')' if art.error else ''}")
    newer = []
    if coll.manifest is not None:
        collected_format = format_tuple(coll.manifest.format_version)
        for name, spec in ARTIFACTS.items():
            if coll.mode not in spec.modes or name in coll.artifacts:
                continue
            if format_tuple(spec.since) > collected_format:
                # an earlier collector: not a gap of this collection, but the report says what it lacks
                newer.append(f"{name} ({spec.label_fr}, format {spec.since})")
            elif spec.expected:
                failed.append(f"{name} : absent du manifeste")
    row["artifacts_newer"] = newer
    row["artifacts_newer_count"] = len(newer)
    failed += [text[:300] for text in coll.anomalies]
    row["artifacts_total"] = len(coll.artifacts)
    row["artifacts_usable_count"] = sum(1 for a in coll.artifacts.values() if a.usable)
    row["artifacts_failed"] = failed
    row["artifacts_failed_count"] = len(failed)
    problems = []
    for other in colls:
        problems += [f"{other.origin} : {p}" if len(colls) > 1 else p for p in other.problems]
    row["collection_problems"] = problems
    row["collection_problems_count"] = len(problems)
    # A collection is judged (counts for the pack's assessment requirements) when nothing in it
    # contradicts itself and at least one of its artifacts could be read.
    row["judged"] = bool(not coll.problems and row["artifacts_usable_count"] > 0)


def _machine_row(coll: Collection, host: str, role: str, facts: Facts) -> dict:
    try:
        row = host_row(coll, role)
    except Exception as exc:  # noqa: BLE001 - contained: the report names the broken part
        reason = internal_error_text(exc)
        _mark_broken(coll, TABLES["host"].artifacts, reason)
        facts.warnings.append(f"{coll.origin} : {reason} en lisant la machine ; les vérifications concernées "
                              "sont « Non évaluable ».")
        row = {"role": role, "collector_mode": coll.mode, "provenance": {}, REJECTED: {}, "fallbacks": {}}
    row["host"] = host
    row["hostname"] = row.get("hostname") or host
    return row


def _table_fallbacks(row: dict, coll: Collection, table_rows: dict[str, list[dict]], host: str) -> None:
    for table, order in _TABLE_PREFERENCE.items():
        sources = {r.get("artifact") for r in table_rows.get(table, []) if r.get("host") == host}
        weaker = [name for name in order[1:] if name in sources]
        if weaker and order[0] not in sources:
            note = fallback_notes(coll, {table: weaker[0]}, {table: order}).get(table)
            if note:
                row.setdefault("fallbacks", {})[table] = note


def _derived_fallbacks(row: dict, colls: list[Collection]) -> None:
    coll = next((c for c in colls if c.mode == row.get("collector_mode")), None)
    if coll is None:
        return
    for column, order in _DERIVED_PREFERENCE.items():
        if row.get(column) is None:
            continue
        note = fallback_notes(coll, {column: order[1]}, {column: order}).get(column)
        if note:
            fallbacks = row.get("fallbacks") if isinstance(row.get("fallbacks"), dict) else {}
            row["fallbacks"] = {**fallbacks, column: note}


# The artifacts that hold what the directory and the Exchange Management Shell said of the service
# account the collector was given (its AD record, its groups, its Exchange permissions, its mailbox).
ACCOUNT_ARTIFACTS = ("ad_service_account", "ad_service_account_groups", "ems_adpermission", "ems_mailbox")


def collected_account(assessment: Assessment) -> str | None:
    """The service account the VMES machine's collector was given (its manifest's parameter)."""
    for coll in assessment.collections:
        if coll.manifest is not None and coll.mode == "vmes":
            return coll.manifest.parameters.service_account
    return None


def _another_account(assessment: Assessment, account: str) -> None:
    """The analysis is asked about ``account`` but the collection looked up another one: what it says of
    that other account is not evidence about this one, its artifacts are set aside with the reason."""
    collected = collected_account(assessment)
    if collected is None or collected.lower() == account.lower():
        return
    reason = (f"la collecte porte sur le compte « {collected} », l'analyse sur « {account} » (option --account) : "
              "relancer la collecte avec /account:" + account)
    for coll in assessment.collections:
        for name in ACCOUNT_ARTIFACTS:
            art = coll.artifacts.get(name)
            if art is not None and art.usable:
                art.mark_unreadable(reason)


def build_facts(assessment: Assessment, today: date | None = None, account: str | None = None) -> Facts:
    """The fact tables; ``account`` is the service account the analysis is about (default: the one the
    collector was given) and ``today`` the report's date."""
    if account is not None:
        _another_account(assessment, account)
    facts = Facts(assessment=assessment, today=today, service_account=account or collected_account(assessment))
    for coll in assessment.collections:
        if coll.host is None:
            coll.host = _name_loose(coll)
        facts.collections_by_host.setdefault(coll.host, []).append(coll)

    host_rows: list[dict] = []
    rows: dict[str, list[dict]] = {name: [] for name in _MACHINE_TABLES}
    for host, colls in facts.collections_by_host.items():
        for coll in colls:
            if coll.mode == "ems":
                continue  # EMS output describes the Exchange organisation, not this machine
            role = "exchange" if coll.mode == "exchange" else "vmes"
            row = _machine_row(coll, host, role, facts)
            host_rows.append(row)
            for table, builder in _MACHINE_TABLES.items():
                try:
                    rows[table] += builder(coll, host)
                except Exception as exc:  # noqa: BLE001
                    reason = internal_error_text(exc)
                    _mark_broken(coll, TABLES[table].artifacts, reason)
                    facts.warnings.append(f"{coll.origin} : {reason} en construisant la table « {table} » ; "
                                          "les vérifications concernées sont « Non évaluable ».")
            _table_fallbacks(row, coll, rows, host)
    for table, table_rows in rows.items():
        facts.tables[table] = frame(table, table_rows)
    facts.tables["host"] = frame("host", host_rows)
    failures: list[str] = []
    for builder in _ASSESSMENT_BUILDERS:
        try:
            builder(facts)
        except Exception as exc:  # noqa: BLE001 - contained: the report names the broken part
            label = getattr(builder, "__module__", "?").rsplit(".", 1)[-1]
            failures.append(f"{internal_error_text(exc)} en exploitant les données « {label} »")
    if failures:
        # The tables a failed builder did not store: their artifacts are unreadable, with the reason,
        # so the checks that need them are "Non évaluable" (the other builders' tables are untouched).
        reason = " ; ".join(failures)
        missing = [name for name in TABLES if name not in facts.tables and TABLES[name].artifacts]
        for coll in assessment.collections:
            _mark_broken(coll, sorted({a for name in missing for a in TABLES[name].artifacts}), reason)
        for name in missing:
            facts.tables[name] = frame(name, [])
        facts.warnings += [f"{text} (tables {', '.join(missing) or 'partielles'}) ; les vérifications concernées "
                           "sont « Non évaluable »." for text in failures]
    # H2 last: after every builder, so that an artifact any of them found unreadable is listed.
    _parse_everything(assessment.collections)
    final_rows = records(facts.tables["host"])
    for row in final_rows:
        colls = facts.collections_by_host[row["host"]]
        _collection_quality(row, colls)
        _derived_fallbacks(row, colls)
    facts.tables["host"] = frame("host", final_rows)
    vmes_hosts = [r["host"] for r in host_rows if r["role"] == "vmes"]
    if len(vmes_hosts) > 1:
        facts.warnings.append("Plusieurs machines VMES dans la même analyse : "
                              f"{', '.join(vmes_hosts[:20])}{' …' if len(vmes_hosts) > 20 else ''} ; "
                              "chacune est évaluée séparément.")
    return facts


