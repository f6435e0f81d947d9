"""Active Directory, Exchange and service-account facts (checks A, B, F, G).

Sources: the ``ad_*`` record files the collector writes on the VMES machine,
``exchange_version`` from Exchange-server runs, the EMS ``Format-List``
outputs of Exchange 2007, and the MAPI profiles exported from the service
account's HKCU. The Windows logic (token groups, effective rights, version
tables) lives in :mod:`vmes_audit.security`; this module only assembles
tables, and says where each answer came from.

Tables: ``organisation`` (one row: the domain, the Exchange organisation and
the service account), ``domain_controllers``, ``exchange_servers``,
``server_rights`` (one row per server and right, with the deciding ACE),
``mail_containers`` (one row per container that holds mailbox-enabled users,
with the Send As a user placed in it inherits), ``sa_groups``, ``aces`` and
``mapi_profiles``; it also adds the service account's columns to the VMES
machines' ``host`` rows.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from vmes_audit.errors import ParseError
from vmes_audit.facts.host import to_int
from vmes_audit.facts.model import Facts, register_table
from vmes_audit.facts.parsed import parsed
from vmes_audit.parsers.formatlist import normalize_right, normalize_role
from vmes_audit.parsers.records import Record
from vmes_audit.security import acl as acl_mod
from vmes_audit.security.dn import normalize_dn, parent_dn, split_dn
from vmes_audit.security.effective_rights import Right, effective_right
from vmes_audit.security.exchange_versions import parse_exchange_version, parse_serial_numbers
from vmes_audit.security.mapi_profiles import mapi_profiles
from vmes_audit.security.membership import admin_memberships, service_account_sids
from vmes_audit.security.rights import (ADS_RIGHT_WRITE_DAC, CLASS_MS_EXCH_EXCHANGE_SERVER, CLASS_USER,
                                        GUID_RECEIVE_AS, GUID_SEND_AS, GUID_STORE_VISIBLE, guid_name_fr,
                                        rights_names_fr)
from vmes_audit.security.sids import BUILTIN_ADMINISTRATORS, domain_sid_of, normalize_sid, sid_name_fr

__all__ = ["build", "REQUIRED_RIGHTS"]

register_table("organisation", "Le domaine, l'organisation Exchange et le compte de service (une ligne)",
               "host artifact domain_dn domain_dns domain_netbios domain_sid domain_count domains "
               "exchange_org exchange_org_dn admin_groups exchange_server_count has_legacy_exchange has_ex2007 "
               "sa_name sa_found sa_dn sa_sid sa_enabled sa_uac sa_primary_group_rid sa_in_domain_users "
               "sa_admin_groups sa_admin_group_count sa_admin_count sa_protected sa_has_mailbox sa_home_mdb sa_home_server sa_legacy_dn "
               "sa_mail sa_hidden sa_show_in_ab_count sa_org_role sa_org_role_evidence sa_ems_roles sa_ems_role_count "
               "sa_send_as_domain sa_send_as_domain_reason send_as_evidence send_as_fallback_reason "
               "mail_containers_count mail_users_count mail_containers_truncated mail_containers_without_send_as "
               "mail_users_without_send_as mail_containers_undecided mail_containers_protected "
               "ems_sa_found ems_sa_hidden ems_sa_server ems_sa_database sa_hidden_agree sa_server_agree "
               "protected_users protected_users_count "
               "protected_users_truncated", "ad_rootdse ad_domain ad_partitions ad_exchange_org ad_service_account "
               "ad_service_account_groups ad_acl ad_admincount_users ad_mail_containers ems_exchangeadministrator "
               "ems_mailbox")
register_table("domain_controllers", "Contrôleurs de domaine (objets ordinateur de l'AD)",
               "host artifact name dns_host_name os os_version os_sp sp family", "ad_domain_controllers")
register_table("exchange_servers", "Serveurs Exchange de l'organisation",
               "host artifact name dn admin_group legacy_dn version_text product major minor build sp label_fr "
               "is_2007 roles source ems_version", "ad_exchange_servers ems_exchangeserver exchange_version")
register_table("server_rights", "Droits effectifs du compte de service sur chaque serveur Exchange",
               "host artifact server right right_fr granted reason mode ems_granted agree",
               "ad_acl ems_adpermission")
register_table("mail_containers", "Conteneurs des utilisateurs dotés d'une boîte aux lettres : « Envoyer comme » "
               "hérité par un utilisateur qui y est placé", "host artifact dn mail_users send_as reason protected",
               "ad_mail_containers ad_acl")
register_table("sa_groups", "Groupes du compte de service (SID, imbrication comprise)",
               "host artifact sid name dn protected", "ad_service_account_groups")
register_table("aces", "Entrées de contrôle d'accès collectées (une ligne par ACE)",
               "host artifact object_dn index allow mask rights_fr object_type inherited_object_type trustee "
               "trustee_sid inherited flags", "ad_acl")
register_table("mapi_profiles", "Profils MAPI du compte qui a lancé la collecte",
               "host artifact name is_default services has_exchange home_server mailbox_dn", "reg_mapi_profiles")

# Right name (EMS spelling) -> Right; the pack decides which ones each server needs.
REQUIRED_RIGHTS: dict[str, tuple[Right, str]] = {
    "Send-As": (Right.send_as(), "Envoyer comme (Send As)"),
    "Receive-As": (Right.receive_as(), "Recevoir comme (Receive As)"),
    "ms-Exch-Store-Admin": (Right.store_admin(), "Administrer la banque d'informations"),
    "GenericRead": (Right.generic_read(), "Lecture (GenericRead)"),
    "GenericWrite": (Right.generic_write(), "Écriture (GenericWrite)"),
}

_UAC_DISABLED = 0x2


def _records(facts: Facts, name: str) -> tuple[list[Record] | None, str]:
    """Records of artifact ``name`` from whichever host has it usable; (None, reason) otherwise."""
    found = facts.any_artifact(name)
    for host, art in found:
        if art.usable:
            records = parsed(art)
            if records is not None:
                return records, host
    return None, ""


def _kind(records: list[Record] | None, kind: str) -> list[Record]:
    return [r for r in records or [] if r.kind.lower() == kind.lower()]


def _first(records: list[Record] | None, kind: str) -> Record | None:
    matches = _kind(records, kind)
    return matches[0] if matches else None


def _bool(value: Any) -> bool | None:
    if value is None or str(value).strip() == "":
        return None
    return str(value).strip().lower() in ("true", "1", "vrai")


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _cn(dn: str | None) -> str | None:
    """First RDN value: "CN=EXCH01,CN=Servers,..." -> "EXCH01"; "/o=Org/.../cn=EXCH01" -> "EXCH01".

    >>> _cn("CN=EXCH01,CN=Servers,DC=x"), _cn("/o=Org/ou=AG/cn=Configuration/cn=Servers/cn=EXCH01")
    ('EXCH01', 'EXCH01')
    """
    if not dn:
        return None
    if dn.startswith("/"):
        return dn.rsplit("=", 1)[-1] if "=" in dn else None
    parts = split_dn(dn)
    return parts[0].split("=", 1)[-1].replace("\\,", ",") if parts else None


def _dc_family(version: str | None) -> str | None:
    """operatingSystemVersion "5.2 (3790)" -> "Windows Server 2003".

    >>> _dc_family("5.0 (2195)"), _dc_family("6.0 (6002)"), _dc_family(None)
    ('Windows 2000', 'Windows Server 2008', None)
    """
    match = re.match(r"\s*(\d+)\.(\d+)", version or "")
    if not match:
        return None
    return {(4, 0): "Windows NT 4.0", (5, 0): "Windows 2000", (5, 2): "Windows Server 2003",
            (6, 0): "Windows Server 2008", (6, 1): "Windows Server 2008 R2"}.get(
        (int(match.group(1)), int(match.group(2))), f"Windows {match.group(1)}.{match.group(2)}")


def _sp_number(text: str | None) -> int:
    match = re.search(r"(\d+)", text or "")
    return int(match.group(1)) if match else 0


def _domain_controllers(facts: Facts) -> list[dict]:
    records, _ = _records(facts, "ad_domain_controllers")
    rows = []
    for rec in _kind(records, "dc"):
        version = rec.get("operatingSystemVersion")
        rows.append({"host": "", "artifact": "ad_domain_controllers", "name": rec.get("name"),
                     "dns_host_name": rec.get("dNSHostName"), "os": rec.get("operatingSystem"),
                     "os_version": version, "os_sp": rec.get("operatingSystemServicePack"),
                     "sp": _sp_number(rec.get("operatingSystemServicePack")), "family": _dc_family(version)})
    return rows


def _version_row(version, text: str) -> dict:
    return {"version_text": text, "product": version.product, "major": version.major, "minor": version.minor,
            "build": version.build, "sp": version.sp, "label_fr": version.label_fr,
            "is_2007": version.major == 8}


def _exchange_servers(facts: Facts, warnings: list[str]) -> list[dict]:
    rows: dict[str, dict] = {}
    records, _ = _records(facts, "ad_exchange_servers")
    for rec in _kind(records, "server"):
        name = str(rec.get("name") or _cn(rec.get("distinguishedName")) or "").upper()
        dn = rec.get("distinguishedName")
        serials = _list(rec.get("serialNumber"))
        row = {"host": "", "artifact": "ad_exchange_servers", "name": name, "dn": dn,
               "admin_group": _cn(parent_dn(parent_dn(dn))) if dn else None,
               "legacy_dn": rec.get("legacyExchangeDN"), "roles": rec.get("msExchCurrentServerRoles"),
               "source": "ad", "ems_version": None}
        try:
            row.update(_version_row(parse_serial_numbers(serials), " ; ".join(serials)))
        except ParseError as exc:
            warnings.append(f"Serveur Exchange {name} : version illisible ({exc}).")
            row.update({"version_text": " ; ".join(serials) or None})
        rows[name] = row
    # Exchange 2007: Get-ExchangeServer | Format-List (AdminDisplayVersion : Version 8.1 (Build 240.6))
    for host, art in facts.any_artifact("ems_exchangeserver"):
        objects = parsed(art) if art.usable else None
        for obj in objects or []:
            name = str(obj.get("Name") or "").upper()
            text = str(obj.get("AdminDisplayVersion") or "")
            if not name:
                continue
            try:
                version = parse_exchange_version(text)
            except ParseError:
                version = None
            if name in rows:
                rows[name]["ems_version"] = text
                continue
            row = {"host": "", "artifact": "ems_exchangeserver", "name": name,
                   "dn": obj.get("DistinguishedName"), "admin_group": None, "legacy_dn": obj.get("ExchangeLegacyDN"),
                   "roles": obj.get("ServerRole"), "source": "ems", "ems_version": text}
            row.update(_version_row(version, text) if version else {"version_text": text})
            rows[name] = row
    # An Exchange-server run (collect.vbs /exchange) names its host's version too.
    for host, art in facts.any_artifact("exchange_version"):
        for rec in _kind(parsed(art) if art.usable else None, "server"):
            name = str(rec.get("name") or host).upper()
            if name not in rows:
                serials = _list(rec.get("serialNumber"))
                row = {"host": host, "artifact": "exchange_version", "name": name,
                       "dn": rec.get("distinguishedName"), "admin_group": None,
                       "legacy_dn": rec.get("legacyExchangeDN"), "roles": None, "source": "exchange",
                       "ems_version": None}
                try:
                    row.update(_version_row(parse_serial_numbers(serials), " ; ".join(serials)))
                except ParseError:
                    row["version_text"] = " ; ".join(serials) or None
                rows[name] = row
    for name, row in rows.items():
        if name in facts.collections_by_host:
            row["host"] = name
    return list(rows.values())


def _org_role(descriptor, sa_sids: set[str]) -> tuple[str | None, str]:
    """Exchange 2000/2003 delegated role of the account at organisation level, from its ACEs.

    "Exchange Administrator" and "Full Administrator" come with an explicit deny of Send As and
    Receive As (domain-facts §3.4, §3.6); "View Only Administrator" is read, list and
    View Information Store Status, with no deny.
    """
    if descriptor is None:
        return None, "descripteur de sécurité de l'organisation non collecté"
    mine = [a for a in descriptor.aces if a.sid and normalize_sid(a.sid) in sa_sids]
    if not mine:
        return "none", "aucune entrée pour le compte ou ses groupes sur l'organisation"
    denies = [a for a in mine if not a.allow and a.object_type in (GUID_SEND_AS, GUID_RECEIVE_AS)]
    full = any(a.allow and a.mask & ADS_RIGHT_WRITE_DAC for a in mine)
    if denies:
        role = "full_admin" if full else "admin"
        return role, (f"refus explicite de « Envoyer comme » / « Recevoir comme » pour {denies[0].trustee} "
                      "sur l'organisation")
    visible = any(a.allow and a.object_type == GUID_STORE_VISIBLE for a in mine)
    if full:
        return "full_admin", "contrôle total (modification des autorisations) sur l'organisation"
    if visible or any(a.allow for a in mine):
        names: set[str] = set()
        for ace in mine:
            if not ace.allow:
                continue
            if ace.object_type:  # an object ACE: name the extended right, not the whole mask
                names.add(guid_name_fr(ace.object_type))
            else:
                names.update(rights_names_fr(ace.mask))
        return "view_only", f"autorisations {', '.join(sorted(names)) or 'de lecture'} sans refus sur l'organisation"
    return "none", "seulement des refus sans rôle d'administration"


def build(facts: Facts) -> None:
    from vmes_audit.facts import frame

    warnings = facts.warnings
    params_account = None
    for colls in facts.collections_by_host.values():
        for coll in colls:
            if coll.manifest is not None and coll.mode == "vmes":
                params_account = coll.manifest.parameters.service_account
    org: dict[str, Any] = {"host": "", "artifact": "ad_rootdse", "sa_name": params_account}

    rootdse = _first(_records(facts, "ad_rootdse")[0], "rootdse")
    domain = _first(_records(facts, "ad_domain")[0], "domain")
    partitions, _ = _records(facts, "ad_partitions")
    if rootdse is not None:
        org["domain_dn"] = rootdse.get("defaultNamingContext")
    if domain is not None:
        org["domain_dn"] = domain.get("distinguishedName") or org.get("domain_dn")
        org["domain_sid"] = domain.get("objectSid")
        org["domain_netbios"] = domain.get("nETBIOSName")
    if partitions is not None:
        refs = _kind(partitions, "crossref")
        org["domain_count"] = len(refs)
        org["domains"] = [(_list(r.get("dnsRoot")) or [r.get("nCName")])[0] for r in refs]
        for ref in refs:
            if org.get("domain_dn") and normalize_dn(str(ref.get("nCName") or "")) == normalize_dn(org["domain_dn"]):
                org["domain_dns"] = (_list(ref.get("dnsRoot")) or [None])[0]
                org["domain_netbios"] = org.get("domain_netbios") or ref.get("nETBIOSName")

    exchange_org, _ = _records(facts, "ad_exchange_org")
    org_rec = _first(exchange_org, "organization")
    if org_rec is not None:
        org["exchange_org"] = org_rec.get("name")
        org["exchange_org_dn"] = org_rec.get("distinguishedName")
    if exchange_org is not None:
        org["admin_groups"] = [g.get("name") for g in _kind(exchange_org, "admingroup")]

    servers = _exchange_servers(facts, warnings)
    org["exchange_server_count"] = len(servers) if servers or _records(facts, "ad_exchange_servers")[0] is not None else None
    org["has_legacy_exchange"] = any(s.get("major") in (6,) for s in servers) if servers else None
    org["has_ex2007"] = any(s.get("is_2007") for s in servers) if servers else None

    # --- the service account
    sa_records, _ = _records(facts, "ad_service_account")
    group_records, _ = _records(facts, "ad_service_account_groups")
    user = _first(sa_records, "user")
    sa_sids: set[str] | None = None
    sa_group_rows = []
    if sa_records is not None:
        org["sa_found"] = user is not None
    if user is not None:
        uac = to_int(user.get("userAccountControl"))
        org.update({"sa_dn": user.get("distinguishedName"), "sa_sid": user.get("objectSid"),
                    "sa_name": user.get("sAMAccountName") or params_account, "sa_uac": uac,
                    "sa_enabled": (not uac & _UAC_DISABLED) if uac is not None else None,
                    "sa_primary_group_rid": to_int(user.get("primaryGroupID")),
                    "sa_admin_count": to_int(user.get("adminCount")) or 0,
                    "sa_home_mdb": user.get("homeMDB") or None,
                    "sa_home_server": _cn(user.get("msExchHomeServerName")),
                    "sa_legacy_dn": user.get("legacyExchangeDN") or None, "sa_mail": user.get("mail") or None,
                    "sa_hidden": _bool(user.get("msExchHideFromAddressLists")) or False,
                    "sa_show_in_ab_count": len(_list(user.get("showInAddressBook")))})
        org["sa_has_mailbox"] = bool(org["sa_home_mdb"] and org["sa_legacy_dn"])
        control = to_int(user.get("sdControl"))
        org["sa_protected"] = bool(control & acl_mod.SE_DACL_PROTECTED) if control is not None else None
        if group_records is not None:
            try:
                sa_sids = service_account_sids(user, _kind(group_records, "group"))
            except ParseError as exc:
                warnings.append(f"Groupes du compte de service illisibles : {exc}")
        domain_sid = org.get("domain_sid") or domain_sid_of(str(user.get("objectSid") or ""))
        if sa_sids is not None and domain_sid:
            org["domain_sid"] = domain_sid
            org["sa_in_domain_users"] = f"{domain_sid}-513" in sa_sids
            admins = admin_memberships(sa_sids, domain_sid)
            org["sa_admin_groups"] = [name for _, name in admins]
            org["sa_admin_group_count"] = len(admins)
            protected = {sid for sid, _ in admins}
            for rec in _kind(group_records, "group"):
                sid = rec.get("Sid")
                sa_group_rows.append({"host": "", "artifact": "ad_service_account_groups", "sid": sid,
                                      "name": rec.get("Name") or sid_name_fr(sid or ""),
                                      "dn": rec.get("distinguishedName"), "protected": sid in protected})

    # --- ACLs: organisation role (F7), server rights (F9), Send As on users (F10)
    acl_records, _ = _records(facts, "ad_acl")
    descriptors = None
    ace_rows = []
    if acl_records is not None:
        try:
            descriptors = acl_mod.descriptors_from_records(acl_records)
        except ParseError as exc:
            for _, art in facts.any_artifact("ad_acl"):
                art.mark_unreadable(f"contenu illisible : {exc}")
            descriptors = None
    if descriptors:
        for sd in descriptors.values():
            for ace in sd.aces:
                ace_rows.append({"host": "", "artifact": "ad_acl", "object_dn": sd.object_dn, "index": ace.index,
                                 "allow": ace.allow, "mask": ace.mask, "rights_fr": ", ".join(rights_names_fr(ace.mask)),
                                 "object_type": ace.object_type, "inherited_object_type": ace.inherited_object_type,
                                 "trustee": ace.trustee, "trustee_sid": ace.trustee_sid, "inherited": ace.inherited,
                                 "flags": ace.flags})
    label = org.get("sa_name") or "le compte de service"
    if descriptors is not None and sa_sids is not None and org.get("exchange_org_dn"):
        role, evidence = _org_role(descriptors.get(normalize_dn(org["exchange_org_dn"])), sa_sids)
        org["sa_org_role"], org["sa_org_role_evidence"] = role, evidence
    if descriptors is not None and sa_sids is not None and org.get("domain_dn"):
        probe = f"CN=utilisateur-type,{org['domain_dn']}"
        decision = effective_right(probe, CLASS_USER, Right.send_as(), sa_sids, descriptors,
                                   chain=[org["domain_dn"]], principal_label=label)
        org["sa_send_as_domain"] = decision.granted
        org["sa_send_as_domain_reason"] = decision.reason_fr

    container_rows = _mail_containers(facts, org, descriptors, sa_sids, label)

    right_rows = []
    for server in servers:
        dn = server.get("dn")
        for right_name, (right, right_fr) in REQUIRED_RIGHTS.items():
            row = {"host": "", "artifact": "ad_acl", "server": server["name"], "right": right_name,
                   "right_fr": right_fr, "granted": None, "reason": None, "mode": None, "ems_granted": None,
                   "agree": None}
            if descriptors is not None and sa_sids is not None and dn:
                chain = []
                cursor = parent_dn(dn)
                while cursor and org.get("exchange_org_dn") and normalize_dn(cursor) != normalize_dn(
                        parent_dn(org["exchange_org_dn"]) or ""):
                    chain.insert(0, cursor)
                    cursor = parent_dn(cursor)
                decision = effective_right(dn, CLASS_MS_EXCH_EXCHANGE_SERVER, right, sa_sids, descriptors,
                                           chain=chain, principal_label=label)
                row.update({"granted": decision.granted, "reason": decision.reason_fr, "mode": decision.mode})
            elif descriptors is None:
                row["reason"] = "listes de contrôle d'accès non collectées (ad_acl)"
            else:
                row["reason"] = "groupes du compte de service inconnus"
            right_rows.append(row)
    _merge_ems_permissions(facts, right_rows, servers, org.get("sa_name"))

    # --- Exchange 2007 roles (Get-ExchangeAdministrator | Format-List)
    roles = None
    for _, art in facts.any_artifact("ems_exchangeadministrator"):
        objects = parsed(art) if art.usable else None
        if objects is None:
            continue
        roles = []
        # Identity prints a canonical name ("corp.exemple.fr/Users/Visto Admin") or DOMAIN\name:
        # match its last part against the sAMAccountName and the account's CN.
        names = {n.lower() for n in (org.get("sa_name"), _cn(org.get("sa_dn"))) if n}
        for obj in objects:
            identity = str(obj.get("Identity") or obj.get("User") or "")
            if names and re.split(r"[\\/]", identity.lower())[-1].strip() in names:
                roles.append(normalize_role(str(obj.get("Role") or "")))
    org["sa_ems_roles"] = roles
    org["sa_ems_role_count"] = len(roles) if roles is not None else None
    _ems_mailbox(facts, org)

    # --- mail users whose DACL will not inherit Send As (F11)
    admin_users, _ = _records(facts, "ad_admincount_users")
    if admin_users is not None:
        users = _kind(admin_users, "user")
        summary = _first(admin_users, "summary")
        org["protected_users"] = [str(u.get("sAMAccountName") or _cn(u.get("distinguishedName"))) for u in users]
        org["protected_users_count"] = to_int(summary.get("Count")) if summary is not None else len(users)
        org["protected_users_truncated"] = _bool(summary.get("Truncated")) if summary is not None else False

    facts.tables["organisation"] = frame("organisation", [org])
    facts.tables["domain_controllers"] = frame("domain_controllers", _domain_controllers(facts))
    facts.tables["exchange_servers"] = frame("exchange_servers", servers)
    facts.tables["server_rights"] = frame("server_rights", right_rows)
    facts.tables["mail_containers"] = frame("mail_containers", container_rows)
    facts.tables["sa_groups"] = frame("sa_groups", sa_group_rows)
    facts.tables["aces"] = frame("aces", ace_rows)
    facts.tables["mapi_profiles"] = frame("mapi_profiles", _mapi_rows(facts))
    _host_columns(facts, org, sa_sids)


_PROBE_RDN = "CN=utilisateur-type"
MAIL_CONTAINERS_LIMIT = 200  # the collector's cap (ad_mail_containers)


def _mail_containers(facts: Facts, org: dict[str, Any], descriptors, sa_sids: set[str] | None,
                     label: str) -> list[dict]:
    """F10: the Send As a mail user inherits in each container that holds mailbox-enabled users.

    ``ad_mail_containers`` lists the parent containers of the mailbox-enabled users (no user names);
    ``ad_acl`` holds each container's stored DACL, inherited ACEs included, so the question is what a
    user object placed directly in it inherits (``effective_right`` in ``inherited_only`` mode with
    ``chain=[container]``). Its own explicit ACEs and a protected DACL on a single user are not seen
    (check F11 covers the protected users). Sets the ``organisation`` columns ``send_as_evidence``
    (``conteneurs``, or ``domaine`` when the artifact is not usable and F10 falls back to the
    domain-head simulation), the counts, and returns the table rows, containers with the most users
    first.
    """
    found = facts.any_artifact("ad_mail_containers")
    records, _ = _records(facts, "ad_mail_containers")
    containers = _kind(records, "container")
    if records is None or not containers:
        org["send_as_evidence"] = "domaine"
        if records is not None:
            why = "aucun utilisateur doté d'une boîte aux lettres n'a été trouvé dans l'annuaire (ad_mail_containers vide)"
        elif not found or all(a.status == "missing" for _, a in found):
            why = ("la collecte ne contient pas la liste des conteneurs des utilisateurs de messagerie "
                   "(ad_mail_containers : collecteur d'une version antérieure)")
        else:
            art = next(a for _, a in found)
            why = f"la liste des conteneurs des utilisateurs de messagerie n'a pas pu être lue (ad_mail_containers : {art.error or art.status})"
        org["send_as_fallback_reason"] = why
        return []
    org["send_as_evidence"] = "conteneurs"
    rows = []
    for rec in containers:
        dn = str(rec.get("distinguishedName") or "").strip()
        if not dn:
            continue
        sd = descriptors.get(normalize_dn(dn)) if descriptors else None
        control = to_int(rec.get("sdControl"))
        if control is None and sd is not None:
            control = sd.control
        protected = bool(control & acl_mod.SE_DACL_PROTECTED) if control is not None else None
        row = {"host": "", "artifact": "ad_mail_containers", "dn": dn, "mail_users": to_int(rec.get("MailUsers")),
               "send_as": None, "reason": None, "protected": protected}
        if descriptors is None:
            row["reason"] = "Non évaluable : listes de contrôle d'accès non collectées (ad_acl)."
        elif sa_sids is None:
            row["reason"] = "Non évaluable : groupes du compte de service inconnus (ad_service_account_groups)."
        else:
            decision = effective_right(f"{_PROBE_RDN},{dn}", CLASS_USER, Right.send_as(), sa_sids,
                                       _with_origins(descriptors, dn), chain=[dn], principal_label=label)
            row["send_as"] = decision.granted
            row["reason"] = decision.reason_fr
            row["artifact"] = "ad_acl"
            if decision.granted is False and protected:
                row["reason"] += (f" L'héritage des autorisations est désactivé sur « {dn} » (DACL protégée) : "
                                  "une autorisation posée en tête du domaine ne l'atteint pas.")
        rows.append(row)
    rows.sort(key=lambda r: (-(r["mail_users"] or 0), r["dn"].lower()))
    summary = _first(records, "summary")
    refused = [r for r in rows if r["send_as"] is False]
    org["mail_containers_count"] = (to_int(summary.get("Containers")) if summary is not None else None) or len(rows)
    org["mail_users_count"] = ((to_int(summary.get("MailUsers")) if summary is not None else None)
                               or sum(r["mail_users"] or 0 for r in rows))
    truncated = _bool(summary.get("Truncated")) if summary is not None else None
    org["mail_containers_truncated"] = bool(truncated) or org["mail_containers_count"] > len(rows)
    org["mail_containers_without_send_as"] = len(refused)
    org["mail_users_without_send_as"] = sum(r["mail_users"] or 0 for r in refused)
    org["mail_containers_undecided"] = sum(1 for r in rows if r["send_as"] is None)
    org["mail_containers_protected"] = sum(1 for r in rows if r["protected"])
    return rows


def _with_origins(descriptors: dict, dn: str) -> dict:
    """``descriptors`` with the inherited ACEs of ``dn``'s stored DACL tagged with their explicit origin.

    AD stores inherited ACEs without saying where they come from; when a collected ancestor (the domain
    head) holds the same rule explicitly, the sentence can name it ("elle-même héritée de « DC=… »").
    """
    key = normalize_dn(dn)
    sd = descriptors.get(key)
    if sd is None or not any(a.inherited for a in sd.aces):
        return descriptors
    ancestors = []
    cursor = parent_dn(dn)
    while cursor:
        if normalize_dn(cursor) in descriptors:
            ancestors.append(descriptors[normalize_dn(cursor)])
        cursor = parent_dn(cursor)

    def same(a, b) -> bool:
        return (a.allow == b.allow and a.mask == b.mask and a.object_type == b.object_type
                and a.inherited_object_type == b.inherited_object_type
                and (a.sid or a.trustee.lower()) == (b.sid or b.trustee.lower()))

    aces = []
    for ace in sd.aces:
        if ace.inherited and ace.source_dn is None:
            origin = next((anc.object_dn for anc in ancestors for a in anc.aces
                           if not a.inherited and a.flags & acl_mod.CONTAINER_INHERIT and same(a, ace)), None)
            if origin:
                ace = replace(ace, source_dn=origin)
        aces.append(ace)
    return {**descriptors, key: replace(sd, aces=aces)}


def _ems_mailbox(facts: Facts, org: dict[str, Any]) -> None:
    """Exchange 2007: Get-Mailbox <account> | Format-List, to cross-check F4 (server, database) and F5 (visibility).

    ``ems_sa_found`` is None when no usable ``ems_mailbox`` was collected, False when it holds no
    mailbox of the account. ``sa_hidden_agree`` / ``sa_server_agree`` compare with the AD reading
    (None when either side is unknown).
    """
    names = {n.lower() for n in (org.get("sa_name"), _cn(org.get("sa_dn"))) if n}
    dn = normalize_dn(org["sa_dn"]) if org.get("sa_dn") else None
    box = None
    seen = False
    for _, art in facts.any_artifact("ems_mailbox"):
        objects = parsed(art) if art.usable else None
        if objects is None:
            continue
        seen = True
        for obj in objects:
            sam = str(obj.get("SamAccountName") or obj.get("Alias") or "").lower()
            obj_dn = obj.get("DistinguishedName")
            if (dn and obj_dn and normalize_dn(str(obj_dn)) == dn) or (sam and sam in names) or not names:
                box = obj
                break
        if box is not None:
            break
    org["ems_sa_found"] = (box is not None) if seen else None
    if box is None:
        return
    hidden = _bool(box.get("HiddenFromAddressListsEnabled"))
    server = str(box.get("ServerName") or "").strip().upper() or None
    database = str(box.get("Database") or "").strip() or None
    if server is None and database and "\\" in database:
        server = database.split("\\", 1)[0].upper()  # Database prints SERVER\SG\DB
    org.update({"ems_sa_hidden": hidden, "ems_sa_server": server, "ems_sa_database": database})
    if hidden is not None and org.get("sa_hidden") is not None and org.get("sa_has_mailbox"):
        org["sa_hidden_agree"] = bool(org["sa_hidden"]) == hidden
    if server and org.get("sa_home_server"):
        org["sa_server_agree"] = str(org["sa_home_server"]).upper() == server


def _merge_ems_permissions(facts: Facts, rows: list[dict], servers: list[dict], account: str | None) -> None:
    """Get-MailboxServer | Get-ADPermission -User <account>: explicit entries for the account per server.

    Where AD gave no answer, EMS decides; where both answer and disagree, ``agree`` is False.
    """
    objects = None
    for _, art in facts.any_artifact("ems_adpermission"):
        if art.usable:
            objects = parsed(art)
    if objects is None:
        return
    found: dict[tuple[str, str], bool] = {}
    for obj in objects:
        identity = str(obj.get("Identity") or "")
        # Get-MailboxServer prints the server name; a database would print SERVER\SG\DB.
        server = (_cn(identity) if "=" in identity else identity.split("\\")[0]).upper()
        deny = str(obj.get("Deny") or "").strip().lower() == "true"
        rights = set()
        for item in _list(obj.get("ExtendedRights")) + _list(obj.get("AccessRights")):
            for piece in str(item).split(","):
                piece = piece.strip()
                if piece:
                    rights.add(normalize_right(piece))
        if "GenericAll" in rights:
            rights |= set(REQUIRED_RIGHTS)
        # PowerShell prints the mask's flags: GenericWrite is shown as "Self, WriteProperty"
        # once combined with other bits, GenericRead as "ReadProperty, ListChildren, ..." likewise.
        if {"Self", "WriteProperty"} <= rights:
            rights.add("GenericWrite")
        if {"ReadProperty", "ListChildren", "ListObject", "ReadControl"} <= rights:
            rights.add("GenericRead")
        for right in rights:
            key = (server, right)
            found[key] = False if deny else found.get(key, True)
    by_server = {s["name"]: s for s in servers}
    for row in rows:
        if not by_server.get(row["server"], {}).get("is_2007"):
            continue
        state = found.get((row["server"], row["right"]))
        row["ems_granted"] = state if state is not None else False
        if row["granted"] is None:
            row["granted"] = row["ems_granted"]
            row["artifact"] = "ems_adpermission"
            row["reason"] = ("d'après Get-ADPermission : " + ("autorisé explicitement" if state else
                             "refusé explicitement" if state is False else "aucune entrée pour le compte"))
            row["mode"] = "ems"
        else:
            row["agree"] = row["granted"] == row["ems_granted"]


def _mapi_rows(facts: Facts) -> list[dict]:
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


def _host_columns(facts: Facts, org: dict, sa_sids: set[str] | None) -> None:
    """Service-account columns on the VMES machines' host rows (checks F6, G2, B3)."""
    frame = facts.tables.get("host")
    if frame is None or frame.empty:
        return
    admins = facts.table("local_admins")
    tokens = facts.table("token_groups")
    for index, row in frame.iterrows():
        host = row["host"]
        local = None
        via = None
        member_sids = {normalize_sid(s) for s in admins[admins["host"] == host]["sid"].dropna()} \
            if not admins.empty else set()
        if sa_sids is not None and facts.artifact(host, "local_admins").usable:
            hits = sorted(member_sids & {normalize_sid(s) for s in sa_sids})
            local = bool(hits)
            via = ", ".join(sid_name_fr(s) or s for s in hits) if hits else None
        elif str(row.get("run_as_account") or "").lower() == str(org.get("sa_name") or "").lower() and not tokens.empty:
            host_tokens = {normalize_sid(s) for s in tokens[tokens["host"] == host]["sid"].dropna()}
            if host_tokens:
                local = BUILTIN_ADMINISTRATORS in host_tokens
                via = "jeton du compte (whoami)" if local else None
        setup = facts.table("registry")
        esm_build = None
        esm_installed = None
        if facts.artifact(host, "reg_exchange_setup").usable:
            values = setup[(setup["host"] == host) & (setup["artifact"] == "reg_exchange_setup")] \
                if not setup.empty else setup
            esm_installed = not values.empty
            builds = values[values["name"].str.lower() == "servicepackbuild"]["value"].tolist() if esm_installed else []
            esm_build = to_int(builds[0]) if builds else None
        for column, value in (("sa_local_admin", local), ("sa_local_admin_via", via),
                              ("sa_home_server", org.get("sa_home_server")), ("sa_legacy_dn", org.get("sa_legacy_dn")),
                              ("esm_installed", esm_installed), ("esm_build", esm_build)):
            if column not in frame.columns:
                frame[column] = None
            frame.at[index, column] = value
