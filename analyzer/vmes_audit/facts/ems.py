"""Exchange Management Shell outputs (Exchange 2007): Get-Mailbox and Get-ADPermission cross-checks."""

from __future__ import annotations

from typing import Any

from vmes_audit.facts.ad_records import as_bool, as_list, cn_of
from vmes_audit.facts.model import Facts
from vmes_audit.facts.parsed import parsed
from vmes_audit.parsers.formatlist import normalize_right
from vmes_audit.windows.dn import normalize_dn
from vmes_audit.windows.rights import EXCHANGE_SERVER_RIGHTS

__all__ = ["apply_ems_mailbox", "merge_ems_permissions"]

def apply_ems_mailbox(facts: Facts, org: dict[str, Any]) -> None:
    """Exchange 2007: Get-Mailbox <account> | Format-List, to cross-check F4 (server, database) and F5 (visibility).

    ``ems_sa_found`` is None when no usable ``ems_mailbox`` was collected, False when it holds no
    mailbox of the account. ``sa_hidden_agree`` / ``sa_server_agree`` compare with the AD reading
    (None when either side is unknown).
    """
    dn = normalize_dn(org["sa_dn"]) if org.get("sa_dn") else None
    sam = str(org.get("sa_name") or "").lower()
    box = None
    seen = False
    for _, art in facts.any_artifact("ems_mailbox"):
        objects = parsed(art) if art.usable else None
        if objects is None or dn is None:
            continue  # the mailbox is recognised by the account's DN (a name alone matches homonyms)
        seen = True
        for obj in objects:
            obj_dn = str(obj.get("DistinguishedName") or "")
            obj_sam = str(obj.get("SamAccountName") or "").lower()
            # the DN when printed; else the sAMAccountName, unique in the domain Get-Mailbox was asked about
            if (obj_dn and normalize_dn(obj_dn) == dn) or (not obj_dn and sam and obj_sam == sam):
                box = obj
                break
        if box is not None:
            break
    org["ems_sa_found"] = (box is not None) if seen else None
    if box is None:
        return
    hidden = as_bool(box.get("HiddenFromAddressListsEnabled"))
    server = str(box.get("ServerName") or "").strip().upper() or None
    database = str(box.get("Database") or "").strip() or None
    if server is None and database and "\\" in database:
        server = database.split("\\", 1)[0].upper()  # Database prints SERVER\SG\DB
    org.update({"ems_sa_hidden": hidden, "ems_sa_server": server, "ems_sa_database": database})
    if hidden is not None and org.get("sa_hidden") is not None and org.get("sa_has_mailbox"):
        org["sa_hidden_agree"] = bool(org["sa_hidden"]) == hidden
    if server and org.get("sa_home_server"):
        org["sa_server_agree"] = str(org["sa_home_server"]).upper() == server


def merge_ems_permissions(facts: Facts, rows: list[dict], servers: list[dict], account: str | None,
                          account_sid: str | None = None, domain_netbios: str | None = None) -> None:
    """Get-MailboxServer | Get-ADPermission -User <account>: a cross-check of the AD evaluation (Exchange 2007).

    ``Get-ADPermission -User X`` lists only the ACEs whose trustee is X itself, never those of X's
    groups (``domain-facts.md`` §8, ⚠️ EMS help): it cannot see a group's deny, nor a group's allow.
    So it never decides an order-sensitive question alone: where AD gave no answer, the row stays
    undecided (``mode`` = ``ems``, ``ems_granted`` says what EMS listed) and the check asks for a
    manual verification; where AD decided, ``agree`` is False only when AD's deciding entry is the
    account's own and EMS lists nothing for the account — a grant through a group is not a
    disagreement.
    """
    objects = None
    for _, art in facts.any_artifact("ems_adpermission"):
        if art.usable:
            objects = parsed(art)
    if objects is None:
        return
    found: dict[tuple[str, str], set[bool]] = {}
    listed_servers: set[str] = set()
    for obj in objects:
        user = str(obj.get("User") or "").strip().lower()
        if user and account and user not in {account.lower(), f"{domain_netbios or ''}\\{account}".lower()}:
            continue  # another trustee's entry: -User filters them out, an edited output may not
        identity = str(obj.get("Identity") or "")
        # Get-MailboxServer prints the server name; a database would print SERVER\SG\DB.
        server = (cn_of(identity) if "=" in identity else identity.split("\\")[0]).upper()
        listed_servers.add(server)
        deny = str(obj.get("Deny") or "").strip().lower() == "true"
        rights = set()
        for item in as_list(obj.get("ExtendedRights")) + as_list(obj.get("AccessRights")):
            for piece in str(item).split(","):
                piece = piece.strip()
                if piece:
                    rights.add(normalize_right(piece))
        if "GenericAll" in rights:
            rights |= set(EXCHANGE_SERVER_RIGHTS)
        # PowerShell prints the mask's flags: GenericWrite is shown as "Self, WriteProperty"
        # once combined with other bits, GenericRead as "ReadProperty, ListChildren, ..." likewise.
        if {"Self", "WriteProperty"} <= rights:
            rights.add("GenericWrite")
        if {"ReadProperty", "ListChildren", "ListObject", "ReadControl"} <= rights:
            rights.add("GenericRead")
        for right in rights:
            found.setdefault((server, right), set()).add(not deny)
    by_server = {s["name"]: s for s in servers}
    for row in rows:
        if not by_server.get(row["server"], {}).get("is_2007"):
            continue
        seen = found.get((row["server"], row["right"]), set())
        row["ems_granted"] = True if seen == {True} else False if seen == {False} else None
        if row["granted"] is None:
            listed = ("une autorisation explicite" if seen == {True} else "un refus explicite" if seen == {False}
                      else "des entrées contradictoires" if seen else "aucune entrée")
            row["artifact"] = "ems_adpermission"
            row["mode"] = "ems"
            row["reason"] = (f"l'annuaire n'a pas pu trancher ({row['reason'] or 'listes non collectées'}) ; "
                             f"Get-ADPermission montre {listed} pour le compte lui-même, mais ne voit pas les "
                             "entrées de ses groupes : à vérifier")
        elif row["granted"] and row.get("via_account") and account_sid and row["via_account"] == account_sid:
            # AD grants through the account's own entry: EMS must list it
            if True in seen:
                row["agree"] = True
            elif seen or row["server"] in listed_servers:
                row["agree"] = False
