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
    """Evidence read from the fact tables of a real assessment."""

    def __init__(self, facts: Facts):
        self.facts = facts
        self._host_records: list[dict[str, Any]] | None = None  # the host table's rows, read once per run

    def table(self, name: str) -> pd.DataFrame:
        return self.facts.table(name)

    def artifact_usable(self, host: str | None, name: str) -> tuple[bool, str]:
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
            org = self.facts.table("organisation") if "organisation" in TABLES else pd.DataFrame()
            return records(org)
        if self._host_records is None:
            self._host_records = records(self.facts.table("host"))
        return [dict(row) for row in self._host_records if row["role"] == role]



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
