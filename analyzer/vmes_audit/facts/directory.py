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

from typing import Any

from vmes_audit.base.errors import ParseError
from vmes_audit.facts.ad_account import read_account
from vmes_audit.facts.ad_records import as_list, first_of, of_kind, records_of, sid_value, text_of
from vmes_audit.facts.delegations import delegation_rows
from vmes_audit.facts.ems import apply_ems_mailbox, merge_ems_permissions
from vmes_audit.facts.mapi import mapi_profile_rows
from vmes_audit.facts.model import Facts, register_table
from vmes_audit.facts.model import records as frame_records
from vmes_audit.facts.parsed import parsed
from vmes_audit.facts.protected_users import protected_user_columns
from vmes_audit.facts.send_as import PROBE_RDN, mail_container_rows, probe_label
from vmes_audit.facts.server_rights import server_right_rows, store_right_rows
from vmes_audit.facts.servers import domain_controller_rows, exchange_server_rows
from vmes_audit.parsers.formatlist import normalize_role
from vmes_audit.security import acl as acl_mod
from vmes_audit.windows.dn import canonical_name, normalize_dn, parent_dn, rdn_value, split_dn
from vmes_audit.security.effective_rights import Right, effective_right
from vmes_audit.security.membership import unprivileged
from vmes_audit.windows.rights import (ADS_RIGHT_DS_CONTROL_ACCESS, CLASS_USER, EXCHANGE_SERVER_RIGHTS, guid_name_fr,
                                        rights_names_fr)
from vmes_audit.windows.sids import (BUILTIN_ADMINISTRATORS, is_valid_sid, name_key, normalize_sid, sid_name_fr,
                                      well_known_names)

__all__ = ["build", "REQUIRED_RIGHTS"]

register_table("organisation", "Le domaine, l'organisation Exchange et le compte de service (une ligne)",
               "host artifact domain_dn domain_dns domain_netbios domain_sid domain_count domains ds_heuristics "
               "exchange_org exchange_org_dn admin_groups exchange_server_count has_legacy_exchange has_ex2007 "
               "sa_name sa_found sa_dn sa_sid sa_enabled sa_uac sa_primary_group_rid sa_in_domain_users "
               "sa_admin_groups sa_admin_group_count sa_exchange_denied_groups sa_exchange_denied_count "
               "sa_other_admin_groups sa_operator_groups sa_operator_group_count sa_operator_exempt "
               "sa_admin_count sa_protected sa_has_mailbox sa_home_mdb sa_home_server sa_legacy_dn "
               "sa_mail sa_hidden sa_show_in_ab_count delegations_unknown_reason org_container_collected "
               "org_permissions_unreadable "
               "sa_ems_roles sa_ems_role_count sa_ems_server_scopes sa_ex2007_groups sa_ex2007_roles "
               "sa_ems_roles_unconfirmed "
               "sa_ems_roles_unconfirmed_count "
               "sa_send_as_domain sa_send_as_domain_reason send_as_evidence send_as_fallback_reason "
               "mail_containers_count mail_users_count mail_containers_truncated mail_containers_without_send_as "
               "mail_users_without_send_as mail_containers_undecided mail_containers_protected "
               "ems_sa_found ems_sa_hidden ems_sa_server ems_sa_database sa_hidden_agree sa_server_agree "
               "protected_source protected_users protected_users_count protected_users_truncated "
               "protected_admincount_users protected_admincount_count protected_by_hand_users "
               "protected_by_hand_count protected_unknown_count mail_users_scanned adminsdholder_send_as "
               "adminsdholder_send_as_reason unresolved_trustees stores_collected")
register_table("domain_controllers", "Contrôleurs de domaine (objets ordinateur de l'AD)",
               "host artifact name dns_host_name os os_version os_sp sp family")
register_table("exchange_servers", "Serveurs Exchange de l'organisation",
               "host artifact name dn admin_group legacy_dn version_text product major minor build sp label_fr "
               "is_2007 roles source ems_version version_conflict store_count")
register_table("server_rights", "Droits effectifs du compte de service sur chaque serveur Exchange",
               "host artifact server right right_fr granted denied reason mode ems_granted agree via_account")
register_table("store_rights", "Droits effectifs du compte de service sur chaque banque de boîtes aux lettres",
               "host artifact server store store_dn right right_fr granted denied reason")
register_table("exchange_delegations", "Autorisations explicites du jeton du compte de service sur l'organisation "
               "Exchange et le conteneur Microsoft Exchange (une ligne par principal)",
               "host artifact kind principal_sid principal_key principal_name via allowed denied objects")
register_table("mail_containers", "Conteneurs des utilisateurs dotés d'une boîte aux lettres : « Envoyer comme » "
               "hérité par un utilisateur qui y est placé", "host artifact dn mail_users send_as reason protected",
 )
register_table("sa_groups", "Groupes du compte de service (SID, imbrication comprise)",
               "host artifact sid name dn protected")
register_table("aces", "Entrées de contrôle d'accès collectées (une ligne par ACE)",
               "host artifact object_dn index allow mask rights_fr object_type inherited_object_type trustee "
               "trustee_sid inherited flags")
register_table("mapi_profiles", "Profils MAPI du compte qui a lancé la collecte",
               "host artifact name is_default services has_exchange home_server mailbox_dn home_server_in_org")

# Right name (EMS spelling) -> Right; the pack decides which ones each server needs.
REQUIRED_RIGHTS = EXCHANGE_SERVER_RIGHTS

# Exchange 2007 roles are memberships of universal groups that setup creates with these
# (English, never localised) names in "Microsoft Exchange Security Groups".
# Exchange 2007's role groups, as /PrepareAD creates them: these names, in the
# "Microsoft Exchange Security Groups" OU at the root of the forest's root domain (domain-facts §3.4).
# Identified by that DN, never by name alone: a group of the same name created in another OU grants
# nothing (issue 18).
_EX2007_ROLE_GROUPS = {
    "Exchange View-Only Administrators": "ViewOnlyAdmin",
    "Exchange Organization Administrators": "OrgAdmin",
    "Exchange Recipient Administrators": "RecipientAdmin",
    "Exchange Public Folder Administrators": "PublicFolderAdmin",
}
_EX2007_GROUPS_OU = "OU=Microsoft Exchange Security Groups"


def ex2007_role_group_dns(root_domain_dn: str) -> dict[str, str]:
    """Normalised DN of each Exchange 2007 role group -> its role.

    >>> dns = ex2007_role_group_dns("DC=corp,DC=local")
    >>> dns["cn=exchange view-only administrators,ou=microsoft exchange security groups,dc=corp,dc=local"]
    'ViewOnlyAdmin'
    """
    return {normalize_dn(f"CN={name},{_EX2007_GROUPS_OU},{root_domain_dn}"): role
            for name, role in _EX2007_ROLE_GROUPS.items()}


def account_identities(org: dict[str, Any]) -> set[str]:
    r"""The exact forms EMS prints the service account's identity in (lower case): its canonical name
    (``corp.local/Comptes/VistoAdmin``, Get-ExchangeAdministrator's ``Identity``), its DN, and
    ``DOMAINE\sAMAccountName``. Empty when the directory did not give the account's DN: a name alone
    matches any homonym in another OU (issue 18).

    >>> sorted(account_identities({"sa_dn": "CN=VistoAdmin,OU=Comptes,DC=corp,DC=local", "sa_name": "VistoAdmin",
    ...                            "domain_netbios": "CORP"}))
    ['cn=vistoadmin,ou=comptes,dc=corp,dc=local', 'corp.local/comptes/vistoadmin', 'corp\\vistoadmin']
    """
    dn = org.get("sa_dn")
    if not dn:
        return set()
    found = {normalize_dn(dn)}
    canonical = canonical_name(dn)
    if canonical:
        found.add(canonical.lower())
    if org.get("domain_netbios") and org.get("sa_name"):
        found.add(f"{org['domain_netbios']}\\{org['sa_name']}".lower())
    return found


def _identity_key(text: str) -> str:
    text = text.strip()
    return normalize_dn(text) if "=" in text and "/" not in text else text.lower()


def _check_rootdse(facts: Facts) -> dict | None:
    """The RootDSE record, or None; an artifact whose every value is empty is unreadable (each Get failed)."""
    records, _ = records_of(facts, "ad_rootdse")
    rootdse = first_of(records, "rootdse")
    if records is not None and (rootdse is None or not any(text_of(v) for v in rootdse.props.values())):
        for _, art in facts.any_artifact("ad_rootdse"):
            if art.usable:
                art.mark_unreadable("aucune valeur lue dans RootDSE (chaque lecture a échoué) : annuaire injoignable")
        return None
    return rootdse


def _trustee_name_map(facts: Facts, org: dict, account) -> dict[str, str]:
    """name_key -> SID for the trustees ADSI printed as names (collector's IADs fallback only)."""
    names = well_known_names(org.get("domain_netbios"), org.get("domain_sid"))
    records, _ = records_of(facts, "wmi_accounts")
    for rec in records or []:
        try:
            sid = sid_value(rec.get("SID"))
        except ParseError:
            continue
        if sid and text_of(rec.get("Name")):
            domain = text_of(rec.get("Domain"))
            names[name_key(f"{domain}\\{rec.get('Name')}" if domain else str(rec.get("Name")))] = sid
    for sid, name in account.names.items():
        names.setdefault(name_key(name), sid)
        if org.get("domain_netbios") and "\\" not in name:
            names.setdefault(name_key(f"{org['domain_netbios']}\\{name}"), sid)
    return names


def _server_scope(value: object) -> str | None:
    """The server a ServerAdmin entry's ``Scope`` names: ``EXCH07``, or the last part of an identity
    (``corp.fr/Configuration/…/EXCH07``) or of a DN (``CN=EXCH07,CN=Servers,…``); None when empty.

    >>> _server_scope("EXCH07"), _server_scope("CN=EXLOG07,CN=Servers,CN=AG,DC=x"), _server_scope(" ")
    ('EXCH07', 'EXLOG07', None)
    >>> _server_scope("exemple.fr/Configuration/Schema/EXS07")
    'EXS07'
    """
    text = str(value or "").strip().strip("{}").strip()
    if not text:
        return None
    if "=" in text:
        parts = split_dn(text)
        text = rdn_value(parts[0]) if parts else text
    return text.rsplit("/", 1)[-1].strip() or None


def _ex2007_roles(facts: Facts, org: dict, account) -> None:
    """Exchange 2007 roles: Get-ExchangeAdministrator (EMS) and the role groups in the account's token,
    both identified exactly (the account by its canonical name or DN, the groups by their DN)."""
    roles = None
    identities = account_identities(org)
    for _, art in facts.any_artifact("ems_exchangeadministrator"):
        objects = parsed(art) if art.usable else None
        if objects is None or not identities:
            continue  # without the account's DN, an Identity cannot be told from a homonym's
        roles, scopes = [], []
        for obj in objects:
            identity = str(obj.get("Identity") or obj.get("User") or "")
            if _identity_key(identity) in identities:
                role = normalize_role(str(obj.get("Role") or ""))
                if role and role not in roles:
                    roles.append(role)
                scope = _server_scope(obj.get("Scope")) if role == "ServerAdmin" else None
                if scope and scope not in scopes:
                    scopes.append(scope)
        # Remove-ExchangeAdministrator -Role ServerAdmin needs -Scope <server> (bb123676): the servers
        # Get-ExchangeAdministrator names in Scope for the account's ServerAdmin entries
        org["sa_ems_server_scopes"] = scopes
    org["sa_ems_roles"] = roles
    org["sa_ems_role_count"] = len(roles) if roles is not None else None
    root = org.get("root_domain_dn") or org.get("domain_dn")
    if account.sids is not None and root:
        by_dn = ex2007_role_group_dns(str(root))
        groups, held = [], []
        for row in account.group_rows:
            role = by_dn.get(normalize_dn(str(row.get("dn") or ""))) if row.get("dn") else None
            if role:
                groups.append(row["name"])
                held.append(role)
        org["sa_ex2007_groups"] = groups
        # Add-ExchangeAdministrator makes these roles memberships of their group: with the token known,
        # a group role EMS lists but the token lacks is a contradiction (F8 « À vérifier »), never a role.
        # ServerAdmin is no group membership (permissions on one server): EMS alone shows it.
        unconfirmed = sorted({r for r in roles or [] if r in _EX2007_ROLE_GROUPS.values() and r not in held})
        org["sa_ems_roles_unconfirmed"] = unconfirmed
        org["sa_ems_roles_unconfirmed_count"] = len(unconfirmed)
        org["sa_ex2007_roles"] = sorted(set(held) | {r for r in roles or [] if r not in unconfirmed})
    elif roles is not None:
        org["sa_ex2007_roles"] = sorted(set(roles))


def build(facts: Facts) -> None:
    from vmes_audit.facts.model import frame

    warnings = facts.warnings
    org: dict[str, Any] = {"host": "", "artifact": "ad_rootdse", "sa_name": facts.service_account}

    rootdse = _check_rootdse(facts)
    if rootdse is not None:
        org["domain_dn"] = text_of(rootdse.get("defaultNamingContext"))
        org["root_domain_dn"] = text_of(rootdse.get("rootDomainNamingContext"))
    account = read_account(facts, org, warnings)
    partitions, _ = records_of(facts, "ad_partitions")
    if partitions is not None:
        refs = of_kind(partitions, "crossref")
        org["domain_count"] = len(refs)
        org["domains"] = [(as_list(r.get("dnsRoot")) or [r.get("nCName")])[0] for r in refs]
        for ref in refs:
            if org.get("domain_dn") and normalize_dn(str(ref.get("nCName") or "")) == normalize_dn(org["domain_dn"]):
                org["domain_dns"] = (as_list(ref.get("dnsRoot")) or [None])[0]
                org["domain_netbios"] = org.get("domain_netbios") or ref.get("nETBIOSName")

    exchange_org, _ = records_of(facts, "ad_exchange_org")
    orgs = of_kind(exchange_org, "organization")
    if orgs:
        org["exchange_org"] = text_of(orgs[0].get("name"))
        org["exchange_org_dn"] = text_of(orgs[0].get("distinguishedName"))
        if len(orgs) > 1:
            warnings.append(f"{len(orgs)} organisations Exchange dans la forêt : seule « {org['exchange_org']} » "
                            "est évaluée (configuration anormale, à vérifier).")
    if exchange_org is not None:
        org["admin_groups"] = [g.get("name") for g in of_kind(exchange_org, "admingroup")]

    servers = exchange_server_rows(facts, warnings)
    org["exchange_server_count"] = len(servers) if servers or records_of(facts, "ad_exchange_servers")[0] is not None else None
    org["has_legacy_exchange"] = any(s.get("major") in (6,) for s in servers) if servers else None
    org["has_ex2007"] = any(s.get("is_2007") for s in servers) if servers else None

    # --- ACLs: organisation roles (F7), server and store rights (F9), Send As on users (F10, F11)
    acl_records, _ = records_of(facts, "ad_acl")
    descriptors = acl_mod.descriptors_from_records(acl_records) if acl_records is not None else None
    ace_rows = []
    if descriptors:
        unresolved = acl_mod.resolve_trustees(descriptors, _trustee_name_map(facts, org, account))
        org["unresolved_trustees"] = unresolved
        if unresolved:
            warnings.append(f"{unresolved} entrée(s) de contrôle d'accès désignent un compte que la collecte n'a pas "
                            "pu traduire en SID : les droits qu'elles pourraient décider sont « Non évaluable ».")
        broken = sorted(sd.object_dn for sd in descriptors.values() if sd.error)
        if broken:
            warnings.append(f"Descripteurs de sécurité illisibles ou incohérents pour {len(broken)} objet(s) : "
                            f"{', '.join(broken[:5])}{'…' if len(broken) > 5 else ''}.")
        for sd in descriptors.values():
            for ace in sd.aces:
                ace_rows.append({"host": "", "artifact": "ad_acl", "object_dn": sd.object_dn, "index": ace.index,
                                 "allow": ace.allow, "mask": ace.mask, "rights_fr": _ace_rights_fr(ace),
                                 "object_type": ace.object_type, "inherited_object_type": ace.inherited_object_type,
                                 "trustee": ace.trustee, "trustee_sid": ace.trustee_sid, "inherited": ace.inherited,
                                 "flags": ace.flags})
    label = org.get("sa_name") or "le compte de service"
    token = account.token
    delegation_rows_: list[dict] = []
    if descriptors is not None and token is not None and org.get("exchange_org_dn"):
        delegation_rows_, reason = delegation_rows(descriptors, org["exchange_org_dn"], set(token.sids),
                                                   account.names, org.get("sa_sid"))
        org["delegations_unknown_reason"] = reason
        org_sd = descriptors.get(normalize_dn(org["exchange_org_dn"]))
        org["org_permissions_unreadable"] = bool(org_sd is not None and org_sd.not_returned)
        container = parent_dn(org["exchange_org_dn"]) or ""
        org["org_container_collected"] = normalize_dn(container) in descriptors and not descriptors[
            normalize_dn(container)].error
    if descriptors is not None and token is not None and org.get("domain_dn"):
        probe = f"{PROBE_RDN},{org['domain_dn']}"
        decision = effective_right(probe, CLASS_USER, Right.send_as(), unprivileged(token), descriptors,
                                   chain=[org["domain_dn"]], principal_label=label,
                                   target_label=probe_label(org["domain_dn"]))
        org["sa_send_as_domain"] = decision.granted
        org["sa_send_as_domain_reason"] = decision.reason_fr

    # F10/F11 do not count a grant that only Domain/Enterprise Admins membership gives (F3 removes it)
    container_rows = mail_container_rows(facts, org, descriptors, unprivileged(token) if token else None, label)
    right_rows = server_right_rows(descriptors, token, servers, org.get("exchange_org_dn"), label)
    merge_ems_permissions(facts, right_rows, servers, org.get("sa_name"), org.get("sa_sid"), org.get("domain_netbios"))
    store_rows, org["stores_collected"] = store_right_rows(facts, descriptors, token, servers,
                                                           org.get("exchange_org_dn"), label, org.get("sa_home_mdb"))
    if token is None:
        _explain_unknown_token(facts, right_rows + store_rows + container_rows)
    _ex2007_roles(facts, org, account)
    apply_ems_mailbox(facts, org)
    protected_user_columns(facts, org, descriptors, token, label)

    facts.tables["organisation"] = frame("organisation", [org])
    facts.tables["domain_controllers"] = frame("domain_controllers", domain_controller_rows(facts))
    facts.tables["exchange_servers"] = frame("exchange_servers", servers)
    facts.tables["server_rights"] = frame("server_rights", right_rows)
    facts.tables["store_rights"] = frame("store_rights", store_rows)
    facts.tables["exchange_delegations"] = frame("exchange_delegations", delegation_rows_)
    facts.tables["mail_containers"] = frame("mail_containers", container_rows)
    facts.tables["sa_groups"] = frame("sa_groups", account.group_rows)
    facts.tables["aces"] = frame("aces", ace_rows)
    profiles = mapi_profile_rows(facts)
    known = {s["name"] for s in servers} if servers else None
    for profile in profiles:
        server = str(profile.get("home_server") or "").strip().upper()
        profile["home_server_in_org"] = (server in known) if known is not None and server else None
    facts.tables["mapi_profiles"] = frame("mapi_profiles", profiles)
    _host_columns(facts, org, account.sids, {str(r.get("name") or "").lower() for r in account.group_rows})


def _ace_rights_fr(ace) -> str:
    """What an ACE grants or denies, in French: an object ACE's control-access bit is the one right its
    ObjectType names (« Envoyer comme (Send As) »), never « every extended right »."""
    names = rights_names_fr(ace.mask)
    if not (ace.object_ace and ace.object_type):
        return ", ".join(names)
    target = guid_name_fr(ace.object_type)
    named = [target if n == "Toutes les autorisations étendues" else n for n in names]
    others = [n for n in named if n != target]
    # the other bits apply to the object type only (a property, a property set, a child class)
    return ", ".join(([target] if target in named else []) + ([f"{', '.join(others)} (limité à : {target})"]
                                                             if others else []))


def _explain_unknown_token(facts: Facts, rows: list[dict]) -> None:
    """Rows undecided because the account's groups are unknown say why, in the artifact's own words
    (unreadable, failed at collection, or set aside because the analysis is about another account)."""
    why = next((art.error for _, art in facts.any_artifact("ad_service_account_groups")
                if not art.usable and art.error), "")
    if not why:
        why = next((art.error for _, art in facts.any_artifact("ad_service_account") if not art.usable and art.error),
                   "")
    if not why:
        return
    for row in rows:
        reason = str(row.get("reason") or "")
        if "groupes du compte de service inconnus" in reason:
            row["reason"] = reason.replace("groupes du compte de service inconnus",
                                           f"groupes du compte de service inconnus ({why})", 1)


def _unread_members(members, org: dict, groups: set[str]) -> tuple[bool | None, str | None, str | None]:
    """F6 when no member SID is the account's nor one of its groups': the members whose SID the
    collector could not read (``Sid`` empty, docs/collection-format.md) are missing evidence, not
    proof of absence (issue 19). Matched by name instead: ``DOMAINE\\compte`` itself, or a group of the
    account's domain that its token holds (``groups``: lower-case names from tokenGroups), is a pass
    with a note; a group of the domain the token does not hold does not contain the account (tokenGroups
    lists every group, nested ones included); a local group, a group of another domain or a member of
    unknown class could contain it: unknown. Returns (member, via, note).
    """
    unread = [r for r in frame_records(members) if not (r.get("sid") and is_valid_sid(r.get("sid")))]
    if not unread:
        return False, None, None
    account = str(org.get("sa_name") or "").lower()
    domain = str(org.get("domain_netbios") or "").lower()
    doubtful = []
    for row in unread:
        name, where = str(row.get("name") or "").lower(), str(row.get("domain") or "").lower()
        kind = str(row.get("member_class") or "").lower()
        shown = f"{row.get('domain')}\\{row.get('name')}".lstrip("\\")
        ours = bool(domain) and where == domain
        if ours and name and (name == account and kind in ("user", "") or kind == "group" and name in groups):
            what = "ce compte" if name == account else "ce groupe, dont le compte est membre,"
            return True, f"{shown}, reconnu par son nom", (
                f"le SID de {shown} n'a pas pu être lu : {what} est reconnu par son nom et son domaine, "
                "pas par son SID")
        if kind == "user" and (name != account or ours or (domain and where != domain)):
            continue  # another user, or a homonym of another domain (a local account): not the account
        if kind == "group" and ours:
            continue  # a group of the domain that the account's token does not hold
        doubtful.append(shown)
    if doubtful:
        return None, None, (f"SID non lu pour {len(doubtful)} membre(s) du groupe Administrateurs qui "
                            f"pourrai(en)t contenir le compte : {', '.join(doubtful[:5])}")
    return False, None, None


def _host_columns(facts: Facts, org: dict, sa_sids: set[str] | None, group_names: set[str] | None = None) -> None:
    """Service-account columns on the VMES machines' host rows (checks F6, G2, B3)."""
    group_names = group_names or set()
    frame = facts.tables.get("host")
    if frame is None or frame.empty:
        return
    admins = facts.table("local_admins")
    tokens = facts.table("token_groups")
    for index, row in frame.iterrows():
        host = row["host"]
        local = None
        via = None
        member_sids = {normalize_sid(s) for s in admins[admins["host"] == host]["sid"].dropna() if is_valid_sid(s)} \
            if not admins.empty else set()
        note = None
        if sa_sids is not None and facts.artifact(host, "local_admins").usable:
            hits = sorted(member_sids & {normalize_sid(s) for s in sa_sids})
            local = bool(hits)
            shown = {normalize_sid(r["sid"]): f"{r.get('domain')}\\{r.get('name')}".lstrip("\\")
                     for r in frame_records(admins[admins["host"] == host])
                     if r.get("sid") and is_valid_sid(r["sid"]) and r.get("name")} if not admins.empty else {}
            via = ", ".join(sid_name_fr(s) or shown.get(s) or s for s in hits) if hits else None
            if not hits:
                local, via, note = _unread_members(admins[admins["host"] == host], org, group_names)
        elif str(row.get("run_as_account") or "").lower() == str(org.get("sa_name") or "").lower() and not tokens.empty:
            # whoami /groups is this machine's token; ADSI's tokenGroups (token_groups) holds the
            # domain's BUILTIN aliases, those of the DCs: its S-1-5-32-544 is no local administrator
            local_token = tokens[(tokens["host"] == host) & (tokens["artifact"] == "whoami_groups")]
            host_tokens = {normalize_sid(s) for s in local_token["sid"].dropna() if is_valid_sid(s)}
            if host_tokens:
                local = BUILTIN_ADMINISTRATORS in host_tokens
                via = "jeton du compte (whoami)" if local else None
        # H1 by SID when both are known: names are not compared when SIDs can be
        run_as_sid, sa_sid = row.get("run_as_sid"), org.get("sa_sid")
        sid_match = (normalize_sid(run_as_sid) == normalize_sid(sa_sid)) if (
            run_as_sid and sa_sid and is_valid_sid(run_as_sid) and is_valid_sid(sa_sid)) else None
        for column, value in (("sa_local_admin", local), ("sa_local_admin_via", via), ("sa_local_admin_note", note),
                              ("run_as_sid_matches_sa", sid_match), ("sa_sid", sa_sid),
                              ("sa_home_server", org.get("sa_home_server")), ("sa_legacy_dn", org.get("sa_legacy_dn")),
                              ("domain_netbios", org.get("domain_netbios"))):
            if column not in frame.columns:
                frame[column] = None
            frame.at[index, column] = value
