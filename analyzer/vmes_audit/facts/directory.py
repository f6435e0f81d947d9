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
from typing import Any

from vmes_audit.errors import ParseError
from vmes_audit.facts.ad_records import as_bool, as_list, cn_of, first_of, of_kind, records_of
from vmes_audit.facts.ems import apply_ems_mailbox, merge_ems_permissions
from vmes_audit.facts.host import to_int
from vmes_audit.facts.mapi import mapi_profile_rows
from vmes_audit.facts.model import Facts, register_table
from vmes_audit.facts.parsed import parsed
from vmes_audit.facts.send_as import mail_container_rows
from vmes_audit.facts.servers import domain_controller_rows, exchange_server_rows
from vmes_audit.parsers.formatlist import normalize_role
from vmes_audit.security import acl as acl_mod
from vmes_audit.security.dn import normalize_dn, parent_dn
from vmes_audit.security.effective_rights import Right, effective_right
from vmes_audit.security.membership import admin_memberships, service_account_sids
from vmes_audit.security.rights import (EXCHANGE_SERVER_RIGHTS, ADS_RIGHT_WRITE_DAC, CLASS_MS_EXCH_EXCHANGE_SERVER, CLASS_USER,
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
REQUIRED_RIGHTS = EXCHANGE_SERVER_RIGHTS

_UAC_DISABLED = 0x2


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

    rootdse = first_of(records_of(facts, "ad_rootdse")[0], "rootdse")
    domain = first_of(records_of(facts, "ad_domain")[0], "domain")
    partitions, _ = records_of(facts, "ad_partitions")
    if rootdse is not None:
        org["domain_dn"] = rootdse.get("defaultNamingContext")
    if domain is not None:
        org["domain_dn"] = domain.get("distinguishedName") or org.get("domain_dn")
        org["domain_sid"] = domain.get("objectSid")
        org["domain_netbios"] = domain.get("nETBIOSName")
    if partitions is not None:
        refs = of_kind(partitions, "crossref")
        org["domain_count"] = len(refs)
        org["domains"] = [(as_list(r.get("dnsRoot")) or [r.get("nCName")])[0] for r in refs]
        for ref in refs:
            if org.get("domain_dn") and normalize_dn(str(ref.get("nCName") or "")) == normalize_dn(org["domain_dn"]):
                org["domain_dns"] = (as_list(ref.get("dnsRoot")) or [None])[0]
                org["domain_netbios"] = org.get("domain_netbios") or ref.get("nETBIOSName")

    exchange_org, _ = records_of(facts, "ad_exchange_org")
    org_rec = first_of(exchange_org, "organization")
    if org_rec is not None:
        org["exchange_org"] = org_rec.get("name")
        org["exchange_org_dn"] = org_rec.get("distinguishedName")
    if exchange_org is not None:
        org["admin_groups"] = [g.get("name") for g in of_kind(exchange_org, "admingroup")]

    servers = exchange_server_rows(facts, warnings)
    org["exchange_server_count"] = len(servers) if servers or records_of(facts, "ad_exchange_servers")[0] is not None else None
    org["has_legacy_exchange"] = any(s.get("major") in (6,) for s in servers) if servers else None
    org["has_ex2007"] = any(s.get("is_2007") for s in servers) if servers else None

    # --- the service account
    sa_records, _ = records_of(facts, "ad_service_account")
    group_records, _ = records_of(facts, "ad_service_account_groups")
    user = first_of(sa_records, "user")
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
                    "sa_home_server": cn_of(user.get("msExchHomeServerName")),
                    "sa_legacy_dn": user.get("legacyExchangeDN") or None, "sa_mail": user.get("mail") or None,
                    "sa_hidden": as_bool(user.get("msExchHideFromAddressLists")) or False,
                    "sa_show_in_ab_count": len(as_list(user.get("showInAddressBook")))})
        org["sa_has_mailbox"] = bool(org["sa_home_mdb"] and org["sa_legacy_dn"])
        control = to_int(user.get("sdControl"))
        org["sa_protected"] = bool(control & acl_mod.SE_DACL_PROTECTED) if control is not None else None
        if group_records is not None:
            try:
                sa_sids = service_account_sids(user, of_kind(group_records, "group"))
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
            for rec in of_kind(group_records, "group"):
                sid = rec.get("Sid")
                sa_group_rows.append({"host": "", "artifact": "ad_service_account_groups", "sid": sid,
                                      "name": rec.get("Name") or sid_name_fr(sid or ""),
                                      "dn": rec.get("distinguishedName"), "protected": sid in protected})

    # --- ACLs: organisation role (F7), server rights (F9), Send As on users (F10)
    acl_records, _ = records_of(facts, "ad_acl")
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

    container_rows = mail_container_rows(facts, org, descriptors, sa_sids, label)

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
    merge_ems_permissions(facts, right_rows, servers, org.get("sa_name"))

    # --- Exchange 2007 roles (Get-ExchangeAdministrator | Format-List)
    roles = None
    for _, art in facts.any_artifact("ems_exchangeadministrator"):
        objects = parsed(art) if art.usable else None
        if objects is None:
            continue
        roles = []
        # Identity prints a canonical name ("corp.exemple.fr/Users/Visto Admin") or DOMAIN\name:
        # match its last part against the sAMAccountName and the account's CN.
        names = {n.lower() for n in (org.get("sa_name"), cn_of(org.get("sa_dn"))) if n}
        for obj in objects:
            identity = str(obj.get("Identity") or obj.get("User") or "")
            if names and re.split(r"[\\/]", identity.lower())[-1].strip() in names:
                roles.append(normalize_role(str(obj.get("Role") or "")))
    org["sa_ems_roles"] = roles
    org["sa_ems_role_count"] = len(roles) if roles is not None else None
    apply_ems_mailbox(facts, org)

    # --- mail users whose DACL will not inherit Send As (F11)
    admin_users, _ = records_of(facts, "ad_admincount_users")
    if admin_users is not None:
        users = of_kind(admin_users, "user")
        summary = first_of(admin_users, "summary")
        org["protected_users"] = [str(u.get("sAMAccountName") or cn_of(u.get("distinguishedName"))) for u in users]
        org["protected_users_count"] = to_int(summary.get("Count")) if summary is not None else len(users)
        org["protected_users_truncated"] = as_bool(summary.get("Truncated")) if summary is not None else False

    facts.tables["organisation"] = frame("organisation", [org])
    facts.tables["domain_controllers"] = frame("domain_controllers", domain_controller_rows(facts))
    facts.tables["exchange_servers"] = frame("exchange_servers", servers)
    facts.tables["server_rights"] = frame("server_rights", right_rows)
    facts.tables["mail_containers"] = frame("mail_containers", container_rows)
    facts.tables["sa_groups"] = frame("sa_groups", sa_group_rows)
    facts.tables["aces"] = frame("aces", ace_rows)
    facts.tables["mapi_profiles"] = frame("mapi_profiles", mapi_profile_rows(facts))
    _host_columns(facts, org, sa_sids)


def _host_columns(facts: Facts, org: dict, sa_sids: set[str] | None) -> None:
    """Service-account columns on the VMES machines' host rows (checks F6, G2, B3)."""
    frame = facts.tables.get("host")
    if frame is None or frame.empty:
        return
    admins = facts.table("local_admins")
    tokens = facts.table("token_groups")
    setup = facts.table("registry")
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
        esm_build = None
        esm_installed = None
        if facts.artifact(host, "reg_exchange_setup").usable:
            values = setup[(setup["host"] == host) & (setup["artifact"] == "reg_exchange_setup")] \
                if not setup.empty else setup
            esm_installed = not values.empty
            builds = values[values["name"].str.lower() == "servicepackbuild"]["value"].tolist() if esm_installed else []
            esm_build = to_int(builds[0]) if builds else None
        # H1 by SID when both are known: names are not compared when SIDs can be
        run_as_sid, sa_sid = row.get("run_as_sid"), org.get("sa_sid")
        sid_match = (normalize_sid(run_as_sid) == normalize_sid(sa_sid)) if run_as_sid and sa_sid else None
        for column, value in (("sa_local_admin", local), ("sa_local_admin_via", via),
                              ("run_as_sid_matches_sa", sid_match), ("sa_sid", sa_sid),
                              ("sa_home_server", org.get("sa_home_server")), ("sa_legacy_dn", org.get("sa_legacy_dn")),
                              ("esm_installed", esm_installed), ("esm_build", esm_build)):
            if column not in frame.columns:
                frame[column] = None
            frame.at[index, column] = value
