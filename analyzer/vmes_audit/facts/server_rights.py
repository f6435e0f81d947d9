"""Effective rights of the service account on each Exchange server and each mailbox store (check F9).

VMES opens mailboxes through the mailbox stores: the store checks Send As and
Receive As on *its own* directory object (KB 292509: "Send As / Receive As on
the mailbox store"), whose stored DACL already holds what it inherits from the
server, the ``CN=InformationStore`` object and its storage group. A deny or a
blocked inheritance anywhere below the server object therefore shows in the
store's descriptor, and only there. Server-level rights (Administer
Information Store, and GenericRead/GenericWrite for Exchange 2007) are
evaluated on the server object as before.

Sources: ``ad_acl`` (descriptors), ``ad_exchange_stores`` (format 1.1: the
information stores, storage groups and mailbox stores, with their classes);
``ems_adpermission`` (Exchange 2007, ``Get-ADPermission -User``) only as a
cross-check — it lists the ACEs whose trustee is the account itself, never its
groups', so it can confirm or contradict an explicit entry, and never decides
an order-sensitive question alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vmes_audit.facts.ad_records import as_list, of_kind, records_of, text_of
from vmes_audit.facts.model import Facts
from vmes_audit.security.acl import SecurityDescriptor
from vmes_audit.windows.dn import normalize_dn, parent_dn, split_dn
from vmes_audit.security.effective_rights import Decision, Right, effective_right
from vmes_audit.security.membership import Token
from vmes_audit.windows.rights import (CLASS_MS_EXCH_EXCHANGE_SERVER, EXCHANGE_SERVER_RIGHTS, GUID_RECEIVE_AS,
                                        GUID_SEND_AS)

__all__ = ["server_right_rows", "store_right_rows", "STORE_RIGHTS"]

# Asked on every mailbox store (KB 292509), by their EMS spelling.
STORE_RIGHTS: dict[str, tuple[Right, str]] = {
    "Send-As": (Right.extended(GUID_SEND_AS), "Envoyer comme (Send As)"),
    "Receive-As": (Right.extended(GUID_RECEIVE_AS), "Recevoir comme (Receive As)"),
}
_MAILBOX_STORE = "msexchprivatemdb"


def denied_by_ace(decision: Decision) -> bool | None:
    """Is a right that is not granted *refused* (a deny ACE settled it) rather than simply not granted
    (no allow matched)? None while the right is granted or undecided: the report says « refusé » only
    for an explicit or inherited deny, « non accordé » for an absence (issue 19)."""
    if decision.granted is not False:
        return None
    ace = decision.deciding_ace
    return ace is not None and not ace.allow


def _chain(dn: str, org_dn: str | None) -> list[str]:
    """Ancestors of ``dn`` from the organisation down to its parent (top first)."""
    chain: list[str] = []
    cursor = parent_dn(dn)
    stop = normalize_dn(parent_dn(org_dn) or "") if org_dn else ""
    while cursor and org_dn and normalize_dn(cursor) != stop:
        chain.insert(0, cursor)
        cursor = parent_dn(cursor)
    return chain


def server_right_rows(descriptors: Mapping[str, SecurityDescriptor] | None, token: Token | None,
                      servers: list[dict], org_dn: str | None, label: str) -> list[dict]:
    """One row per (server, right of :data:`EXCHANGE_SERVER_RIGHTS`), evaluated on the server object."""
    rows = []
    for server in servers:
        dn = server.get("dn")
        for right_name, (right, right_fr) in EXCHANGE_SERVER_RIGHTS.items():
            row: dict[str, Any] = {"host": "", "artifact": "ad_acl", "server": server["name"], "right": right_name,
                                   "right_fr": right_fr, "granted": None, "denied": None, "reason": None, "mode": None,
                                   "ems_granted": None, "agree": None, "via_account": None}
            if descriptors is not None and token is not None and dn:
                decision = effective_right(dn, CLASS_MS_EXCH_EXCHANGE_SERVER, right, token, descriptors,
                                           chain=_chain(dn, org_dn), principal_label=label)
                row.update({"granted": decision.granted, "denied": denied_by_ace(decision), "reason": decision.reason_fr,
                            "mode": decision.mode})
                if decision.deciding_ace is not None:
                    row["via_account"] = decision.deciding_ace.sid
            elif descriptors is None:
                row["reason"] = "listes de contrôle d'accès non collectées (ad_acl)"
            elif token is None:
                row["reason"] = "groupes du compte de service inconnus"
            else:
                row["reason"] = "nom distinctif du serveur inconnu (serveur connu seulement par l'EMS)"
            rows.append(row)
    return rows


def _server_of_store(dn: str) -> str | None:
    """``CN=Banque,CN=SG,CN=InformationStore,CN=EXCH01,CN=Servers,…`` → ``EXCH01``."""
    rdns = split_dn(dn)
    for i, rdn in enumerate(rdns[:-1]):
        if rdn.lower() == "cn=informationstore":
            return rdns[i + 1].split("=", 1)[-1].upper()
    return None


def _stores_complete(facts: Facts, records, home_mdb: str | None) -> bool:
    """False when the service account's own mailbox store is missing from the list: the directory did not
    return the stores to the account (no List Contents on the configuration below the servers, as without
    any delegated role), so an empty or short list proves nothing."""
    if not home_mdb:
        return True
    listed = {normalize_dn(text_of(r.get("distinguishedName")) or "") for r in of_kind(records, "store")}
    if normalize_dn(home_mdb) in listed:
        return True
    for _, art in facts.any_artifact("ad_exchange_stores"):
        if art.usable:
            art.mark_unreadable("la banque qui héberge la boîte du compte de service n'y figure pas : l'annuaire ne "
                                "renvoie pas les banques à ce compte (droit de lecture manquant), la liste est "
                                "incomplète")
    return False


def store_right_rows(facts: Facts, descriptors: Mapping[str, SecurityDescriptor] | None, token: Token | None,
                     servers: list[dict], org_dn: str | None, label: str,
                     home_mdb: str | None = None) -> tuple[list[dict], bool]:
    """(rows, stores collected): one row per (mailbox store, right of :data:`STORE_RIGHTS`).

    Sets ``store_count`` on each server row (None when ``ad_exchange_stores`` is not usable, or visibly
    incomplete: the account's own store missing from it).
    """
    records, _ = records_of(facts, "ad_exchange_stores")
    if records is not None and not _stores_complete(facts, records, home_mdb):
        records = None
    for server in servers:
        server["store_count"] = None if records is None else 0
    if records is None:
        return [], False
    by_name = {s["name"]: s for s in servers}
    rows = []
    seen: set[str] = set()
    for rec in of_kind(records, "store"):
        dn = text_of(rec.get("distinguishedName"))
        classes = [c.lower() for c in as_list(rec.get("objectClass"))]
        if not dn or _MAILBOX_STORE not in classes or normalize_dn(dn) in seen:
            continue
        seen.add(normalize_dn(dn))
        server_name = _server_of_store(dn)
        if server_name in by_name:
            by_name[server_name]["store_count"] += 1
        store_name = text_of(rec.get("name")) or split_dn(dn)[0].split("=", 1)[-1]
        for right_name, (right, right_fr) in STORE_RIGHTS.items():
            row: dict[str, Any] = {"host": "", "artifact": "ad_acl", "server": server_name, "store": store_name,
                                   "store_dn": dn, "right": right_name, "right_fr": right_fr, "granted": None,
                                   "denied": None, "reason": None}
            if descriptors is None:
                row["reason"] = "listes de contrôle d'accès non collectées (ad_acl)"
            elif token is None:
                row["reason"] = "groupes du compte de service inconnus"
            else:
                decision = effective_right(dn, None, right, token, descriptors, chain=_chain(dn, org_dn),
                                           principal_label=label)
                row.update({"granted": decision.granted, "denied": denied_by_ace(decision),
                            "reason": decision.reason_fr})
            rows.append(row)
    return rows, True
