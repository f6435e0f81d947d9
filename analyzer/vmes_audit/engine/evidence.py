"""Adapters from facts (a real assessment) and from rule cases to the engine's Evidence."""

from __future__ import annotations

from typing import Any

import pandas as pd

from vmes_audit.engine.evaluate import artifact_status_fr
from vmes_audit.engine.frames import records
from vmes_audit.engine.model import RuleCase
from vmes_audit.facts.model import TABLES, Facts

__all__ = ["FactsEvidence", "CaseEvidence", "records"]


class FactsEvidence:
    """Evidence read from the fact tables of a real assessment.

    The tables do not change once built, so their rows (as dicts), their
    per-column indexes and the artifact states are computed once and reused
    by every rule and subject: evaluation stays linear in the number of hosts
    and servers.
    """

    def __init__(self, facts: Facts):
        self.facts = facts
        self._rows: dict[str, list[dict[str, Any]]] = {}
        self._by_host: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self._indexes: dict[tuple[str, str | None, str], tuple[dict[str, list[dict]], list[dict]]] = {}
        self._usable: dict[tuple[str | None, str], tuple[bool, str]] = {}

    def table(self, name: str) -> pd.DataFrame:
        return self.facts.table(name)

    def rows(self, name: str, host: str | None) -> list[dict[str, Any]]:
        """Rows of table ``name`` (only those of ``host`` unless None), as dicts."""
        if name not in self._rows:
            frame = self.facts.table(name)
            rows = records(frame)
            self._rows[name] = rows
            by_host: dict[str, list[dict[str, Any]]] = {}
            for row in rows:
                by_host.setdefault(row.get("host"), []).append(row)
            self._by_host[name] = by_host
        if host is None or "host" not in self.facts.table(name).columns:
            return self._rows[name]
        return self._by_host[name].get(host, [])

    def index(self, name: str, host: str | None, column: str) -> tuple[dict[str, list[dict]], list[dict]]:
        """Rows of ``name`` (of ``host``) by lower-cased string value of ``column``, and the rest."""
        key = (name, host, column)
        if key not in self._indexes:
            buckets: dict[str, list[dict]] = {}
            others: list[dict] = []
            for row in self.rows(name, host):
                value = row.get(column)
                if isinstance(value, str):
                    buckets.setdefault(value.lower(), []).append(row)
                else:
                    others.append(row)
            self._indexes[key] = (buckets, others)
        return self._indexes[key]

    def artifact_usable(self, host: str | None, name: str) -> tuple[bool, str]:
        key = (host, name)
        if key not in self._usable:
            self._usable[key] = self._artifact_usable(host, name)
        return self._usable[key]

    def _artifact_usable(self, host: str | None, name: str) -> tuple[bool, str]:
        if host is None:
            found = self.facts.any_artifact(name)
            for _, art in found:
                if art.usable:
                    return True, artifact_status_fr(name, "ok", "")
            if found:
                _, art = found[0]
                return False, artifact_status_fr(name, art.status, art.error)
            return False, artifact_status_fr(name, "missing", "")
        art = self.facts.artifact(host, name)
        return art.usable, artifact_status_fr(name, "ok" if art.usable else art.status, art.error)

    def subjects(self, role: str) -> list[dict[str, Any]]:
        if role == "organisation":
            rows = self.rows("organisation", None) if "organisation" in TABLES else []
        else:
            rows = [row for row in self.rows("host", None) if row.get("role") == role]
        return [dict(row) for row in rows]  # a rule's context never touches the shared rows


class CaseEvidence:
    """Evidence described by a rule case: a host row, table rows and unavailable artifacts."""

    HOST = "VMES01"

    def __init__(self, case: RuleCase):
        self.case = case
        self.host_row = {**{c: None for c in TABLES["host"].columns},
                         "host": self.HOST, "hostname": self.HOST, "role": case.role, "provenance": {},
                         **case.host}

    def table(self, name: str) -> pd.DataFrame:
        default_host = "" if name in ("organisation", "domain_controllers", "exchange_servers", "server_rights",
                                      "store_rights", "exchange_delegations", "mail_containers",
                                      "sa_groups", "aces") else self.HOST
        rows = [{"host": default_host, "artifact": None, **row} for row in self.case.tables.get(name, [])]
        columns = list(TABLES[name].columns) if name in TABLES else ["host", "artifact"]
        for row in rows:
            for column in row:
                if column not in columns:
                    columns.append(column)
        if not rows:
            return pd.DataFrame(columns=columns)
        frame = pd.DataFrame(rows, columns=columns).astype(object)
        return frame.where(frame.notna(), None)  # pandas turns None into NaN in mixed columns

    def artifact_usable(self, host: str | None, name: str) -> tuple[bool, str]:
        if name in self.case.unavailable:
            return False, artifact_status_fr(name, "error", self.case.unavailable[name])
        return True, artifact_status_fr(name, "ok", "")

    def subjects(self, role: str) -> list[dict[str, Any]]:
        if role == "organisation":
            rows = self.case.tables.get("organisation")
            columns = TABLES["organisation"].columns if "organisation" in TABLES else ()
            return [{**{c: None for c in columns}, "host": "", **rows[0]}] if rows else []
        return [self.host_row] if role == self.case.role else []
