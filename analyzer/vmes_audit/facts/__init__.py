"""Fact tables: pandas DataFrames that reconcile the artifacts of every host.

>>> {'host', 'disks', 'registry', 'noc_probes'} <= set(TABLES)
True
"""

from __future__ import annotations

import pandas as pd

from vmes_audit.collection import Assessment, Collection
from vmes_audit.facts import machine
from vmes_audit.facts.host import host_row
from vmes_audit.facts.model import TABLES, Facts
from vmes_audit.facts.parsed import parsed

__all__ = ["build_facts", "Facts", "TABLES"]

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


def _name_loose(coll: Collection) -> str:
    """A loose collection's host: systeminfo's host name, else the folder's name."""
    art = coll.artifacts.get("systeminfo")
    infos = parsed(art) if art is not None else None
    if infos and infos[0].hostname:
        return infos[0].hostname.strip().upper()
    return coll.origin.upper()


# Builders of the tables that span hosts (Active Directory, Exchange, network), run
# after the machine tables: each takes the Facts and stores its tables with frame().
# Each module registers its tables with register_table() at import time.
_ASSESSMENT_BUILDERS: list = []


def frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """A fact table with exactly its declared columns; missing values are None."""
    return _frame(name, rows)


def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    columns = list(TABLES[name].columns)
    frame = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
    return frame.astype(object).where(frame.notna(), None) if not frame.empty else frame


def _collection_quality(row: dict, colls: list[Collection]) -> None:
    """Columns for check H: who ran the collector, manifest and artifact states (after parsing)."""
    machine = [c for c in colls if c.mode != "ems"]
    coll = next((c for c in machine if c.mode == row["collector_mode"]), machine[0])
    if coll.manifest is not None:
        row["manifest_status"] = "ok"
        row["format_version"] = coll.manifest.format_version
    else:
        row["manifest_status"] = "invalid" if coll.manifest_error else "absent"
        row["manifest_error"] = coll.manifest_error or None
    run_as = row.get("run_as")
    if run_as:
        row["run_as_account"] = str(run_as).split("\\")[-1].split("@")[0]
    failed = [f"{a.name} : {a.error or a.status}" for a in coll.artifacts.values()
              if a.status in ("error", "unreadable")]
    row["artifacts_total"] = len(coll.artifacts)
    row["artifacts_failed"] = failed
    row["artifacts_failed_count"] = len(failed)


def build_facts(assessment: Assessment) -> Facts:
    facts = Facts(assessment=assessment)
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
            row = host_row(coll, role)
            row["host"] = host
            row["hostname"] = row.get("hostname") or host
            host_rows.append(row)
            for table, builder in _MACHINE_TABLES.items():
                rows[table] += builder(coll, host)
    for row in host_rows:
        _collection_quality(row, facts.collections_by_host[row["host"]])
    facts.tables["host"] = _frame("host", host_rows)
    for table, table_rows in rows.items():
        facts.tables[table] = _frame(table, table_rows)
    for builder in _ASSESSMENT_BUILDERS:
        builder(facts)
    vmes_hosts = [r["host"] for r in host_rows if r["role"] == "vmes"]
    if len(vmes_hosts) > 1:
        facts.warnings.append("Plusieurs machines VMES dans la même analyse : "
                              f"{', '.join(vmes_hosts)} ; chacune est évaluée séparément.")
    return facts


def _register_builders() -> None:
    from vmes_audit.facts import directory, network  # noqa: F401 - registers tables

    _ASSESSMENT_BUILDERS.extend([directory.build, network.build])


_register_builders()
