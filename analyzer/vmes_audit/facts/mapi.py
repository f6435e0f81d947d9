"""MAPI profiles of the account that ran the collector (checks G1, G2)."""

from __future__ import annotations

from vmes_audit.facts.model import Facts
from vmes_audit.facts.parsed import parsed
from vmes_audit.parsers.mapi_profiles import mapi_profiles

__all__ = ["mapi_profile_rows"]

def mapi_profile_rows(facts: Facts) -> list[dict]:
    rows = []
    for host in facts.collections_by_host:
        art = facts.artifact(host, "reg_mapi_profiles")
        reg = parsed(art) if art.usable else None
        if reg is None:
            continue
        for profile in mapi_profiles(reg.values, keys=reg.keys):
            rows.append({"host": host, "artifact": "reg_mapi_profiles", "name": profile.name,
                         "is_default": profile.is_default, "services": list(profile.services),
                         "has_exchange": profile.has_exchange, "home_server": profile.home_server,
                         "mailbox_dn": profile.mailbox_dn})
    return rows
