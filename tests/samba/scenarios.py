"""The scenarios: each an organisation built in the Samba directory plus a VMES machine collection.

Every scenario starts from the same provisioned forest (restored from a
snapshot, so scenarios never see each other's objects), builds its
organisation with :mod:`organisation`, then the reader collects it as the
service account. Each scenario's ``expected`` gives the *right* state of
every rule of sections A, B, F and G (issue 9 says what is right), and the
analyzer must give exactly that: no state is marked as expected to fail.

Expected states use the engine's values: pass, fail, warn, manual,
unknown, n/a.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from typing import Callable

from .directory import Directory
from .organisation import (ACCOUNT_OPERATORS, GUID, Org, Server, add_mail_user, delegate_role, disable_inheritance,
                          forest_prep_2003, grant_send_as, grant_server_permissions, install_server, mailbox_attrs,
                          prepare_ad_2007, sdprop)
from .descriptors import CI, CR, GENERIC_READ, Ace

__all__ = ["Scenario", "SCENARIOS", "BY_NAME", "Built", "PASSWORD", "ACCOUNT"]

ACCOUNT = "VistoAdmin"
PASSWORD = "Visto-Adm1n!Samba"
SP2_2003 = "Version 6.5 (Build 7638.2: Service Pack 2)"
SP1_2007_AD = "Version 8.1 (Build 30240.6)"       # AD's form for 2007 SP1: build + 30000 (issue 9 item 7)
P, F, W, U, NA, M = "pass", "fail", "warn", "unknown", "n/a", "manual"


@dataclass
class Built:
    """What a scenario's build leaves for the collection: the account and who is local administrator."""
    org: Org
    account_dn: str
    home: Server
    local_admin_groups: list[str] = field(default_factory=list)    # DNs of groups in the VMES machine's Administrators


@dataclass
class Scenario:
    name: str
    story: str
    build: Callable[[Directory], Built]
    expected: dict[str, str | list[str]]
    base_sample: str = "vmes01-2003-conforme"


# ---------------------------------------------------------------- shared steps

def stamp_domain_controller(d: Directory) -> None:
    """The DC is Samba; A1 is about Windows DCs, so its computer object says Windows Server 2003 SP1."""
    dn = f"CN={d.dc.host},OU=Domain Controllers,{d.domain_dn}"
    d.replace(dn, operatingSystem="Windows Server 2003", operatingSystemVersion="5.2 (3790)",
              operatingSystemServicePack="Service Pack 1")


def add_child_domain(d: Directory, label: str = "agences", netbios: str = "AGENCES") -> str:
    """A child domain's crossRef in CN=Partitions (approximation: no second DC, no replicated NC).

    Returns the child domain's SID prefix (a made-up one, as Samba has no such domain).
    """
    nc = f"DC={label},{d.domain_dn}"
    d.dc.ldb_modify(f"dn: CN={netbios},CN=Partitions,{d.config_dn}\nchangetype: add\nobjectClass: crossRef\n"
                    f"cn: {netbios}\nnCName: {nc}\ndnsRoot: {label}.{d.dc.realm.lower()}\nnETBIOSName: {netbios}\n"
                    "systemFlags: 3\n", relax=True, what="child domain crossRef")
    return "S-1-5-21-1111111111-2222222222-3333333333"


def base_2003(d: Directory, *, role: str | None = "view_only", server_permissions: bool = True,
              send_as_on: str | None = "domain", org_name: str = "Exemple Assurances") -> Built:
    """A compliant Exchange 2003 SP2 organisation, built as setup and the vendor's procedure do."""
    stamp_domain_controller(d)
    exemple = d.add_ou("Exemple")
    services = d.add_ou("Comptes de service", exemple)
    users = d.add_ou("Utilisateurs", exemple)
    groups = d.add_ou("Groupes", exemple)
    org = forest_prep_2003(d, org_name)
    server = install_server(d, org, "EXCH01", SP2_2003)
    account = d.add_user(ACCOUNT, services, attrs=mailbox_attrs(server, org, ACCOUNT))
    d.set_password(account, PASSWORD)
    admins = d.add_group("GG-VMES-Admins", groups, members=[account])
    for name in ("Jean Dupont", "Marie Martin", "Paul Durand"):
        add_mail_user(d, name, users, server, org)
    sid = d.sid_of(account)
    if role:
        delegate_role(d, org, sid, role)
    if server_permissions:
        grant_server_permissions(d, server.dn, sid)
    if send_as_on == "domain":
        grant_send_as(d, d.domain_dn, sid)
    return Built(org, account, server, [admins])


def _all(state: str, **overrides) -> dict[str, str | list[str]]:
    rules = "A1 A2 B1 B2 B3 B4 B5 F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 F11 G1 G2".split()
    out: dict[str, str | list[str]] = {r: state for r in rules}
    out.update(overrides)
    return out


# The states every compliant Exchange 2003 SP2 organisation gives.
COMPLIANT_2003 = _all(P, B2=NA, B4=NA, F8=NA)

# ---------------------------------------------------------------- scenarios

def _no_delegation(d: Directory) -> Built:
    return base_2003(d, role=None)


def _domain_users_read(d: Directory) -> Built:
    """No role delegated, but an administrator gave Domain Users "Read" on the organisation (so the
    account can read its descriptor): a broad principal's allow is no role (issue 9 item 1)."""
    built = base_2003(d, role=None)
    d.grant(built.org.dn, [Ace.allow(d.rid(513), GENERIC_READ, CI)])
    return built


def _exchange_admin(d: Directory) -> Built:
    return base_2003(d, role="admin")


def _full_admin(d: Directory) -> Built:
    return base_2003(d, role="full_admin")


def _domain_admins_nested(d: Directory) -> Built:
    built = base_2003(d)
    groups = f"OU=Groupes,OU=Exemple,{d.domain_dn}"
    # VistoAdmin -> GG-Support-N1 -> GG-Support-N2 -> Domain Admins
    outer = d.add_group("GG-Support-N2", groups)
    inner = d.add_group("GG-Support-N1", groups, members=[built.account_dn])
    d.add_member(outer, inner)
    d.add_member(f"CN=Domain Admins,CN=Users,{d.domain_dn}", outer)
    sdprop(d, [built.account_dn])
    return built


def _account_operators(d: Directory) -> Built:
    built = base_2003(d)
    d.add_member(f"CN=Account Operators,CN=Builtin,{d.domain_dn}", built.account_dn)
    sdprop(d, [built.account_dn])       # Account Operators are protected since Windows 2000 SP4
    return built


def _explicit_allow_beats_inherited_deny(d: Directory) -> Built:
    """KB 292509: the account also holds Exchange Administrator through a group (inherited deny from
    the organisation), and the vendor's explicit allows on the server object win."""
    built = base_2003(d)
    group = d.add_group("GG-Exchange-Admins", f"OU=Groupes,OU=Exemple,{d.domain_dn}", members=[built.account_dn])
    delegate_role(d, built.org, d.sid_of(group), "admin")
    return built


def _deny_on_mailbox_store(d: Directory) -> Built:
    built = base_2003(d)
    sid = d.sid_of(built.account_dn)
    d.grant(built.home.stores[0], [Ace.deny(sid, CR, CI, GUID["Send-As"]), Ace.deny(sid, CR, CI, GUID["Receive-As"])])
    return built


def _send_as_on_empty_ou(d: Directory) -> Built:
    built = base_2003(d, send_as_on=None)
    partners = d.add_ou("Partenaires", f"OU=Exemple,{d.domain_dn}")
    grant_send_as(d, partners, d.sid_of(built.account_dn))
    return built


def _inheritance_disabled_by_hand(d: Directory) -> Built:
    built = base_2003(d, send_as_on=None)
    disable_inheritance(d, f"CN=Marie Martin,OU=Utilisateurs,OU=Exemple,{d.domain_dn}")
    grant_send_as(d, d.domain_dn, d.sid_of(built.account_dn))   # granted afterwards: never reaches her
    return built


def _adminsdholder_send_as(d: Directory) -> Built:
    built = base_2003(d)
    admin = add_mail_user(d, "adm-jmartin", f"OU=Utilisateurs,OU=Exemple,{d.domain_dn}", built.home, built.org)
    d.add_member(f"CN=Domain Admins,CN=Users,{d.domain_dn}", admin)
    holder = f"CN=AdminSDHolder,CN=System,{d.domain_dn}"
    d.grant(holder, [Ace.allow(d.sid_of(built.account_dn), CR, 0, GUID["Send-As"])])   # F11's own remediation
    sdprop(d, [admin])
    return built


def _child_domain(d: Directory) -> Built:
    built = base_2003(d)
    add_child_domain(d)
    return built


def _exchange_2007(d: Directory) -> Built:
    stamp_domain_controller(d)
    exemple = d.add_ou("Exemple")
    services = d.add_ou("Comptes de service", exemple)
    users = d.add_ou("Utilisateurs", exemple)
    groups_ou = d.add_ou("Groupes", exemple)
    org = forest_prep_2003(d, "Exemple Transports", "Exchange Administrative Group (FYDIBOHF23SPDLT)")
    groups = prepare_ad_2007(d, org)
    server = install_server(d, org, "EXCH07", SP1_2007_AD, roles=38, storage_group="First Storage Group",
                            store="Mailbox Database")
    account = d.add_user(ACCOUNT, services, attrs=mailbox_attrs(server, org, ACCOUNT))
    d.set_password(account, PASSWORD)
    admins = d.add_group("GG-VMES-Admins", groups_ou, members=[account])
    for name in ("Jean Dupont", "Marie Martin"):
        add_mail_user(d, name, users, server, org)
    sid = d.sid_of(account)
    d.add_member(groups["Exchange View-Only Administrators"], account)     # Add-ExchangeAdministrator -Role ViewOnlyAdmin
    grant_server_permissions(d, server.dn, sid, exchange_2007=True)
    grant_send_as(d, d.domain_dn, sid)
    return Built(org, account, server, [admins])


def _mixed_2003_2007(d: Directory) -> Built:
    """A mixed organisation: EXS03 Exchange 2003 SP2 (the account's mailbox) in the first administrative
    group, EXS07 Exchange 2007 SP1 in the administrative group 2007 setup creates; View Only
    Administrator delegated at organisation level (2003) and ViewOnlyAdmin through Exchange View-Only
    Administrators (2007); the vendor's permissions on both servers; Send As at the domain head."""
    from dataclasses import replace

    from .directory import rdn_escape

    stamp_domain_controller(d)
    exemple = d.add_ou("Exemple")
    services = d.add_ou("Comptes de service", exemple)
    users = d.add_ou("Utilisateurs", exemple)
    groups_ou = d.add_ou("Groupes", exemple)
    org = forest_prep_2003(d, "Exemple Sante")
    groups = prepare_ad_2007(d, org)
    exs03 = install_server(d, org, "EXS03", SP2_2003)
    ag2007 = "Exchange Administrative Group (FYDIBOHF23SPDLT)"
    ag_dn = d.add(f"CN={rdn_escape(ag2007)},CN=Administrative Groups,{org.dn}", "msExchAdminGroup",
                  {"legacyExchangeDN": f"/o={org.name}/ou={ag2007}"})
    org2007 = replace(org, admin_group=ag2007, admin_group_dn=ag_dn, servers=[],
                      servers_dn=d.add(f"CN=Servers,{ag_dn}", "msExchServersContainer"),
                      legacy_dn=f"/o={org.name}/ou={ag2007}")
    exs07 = install_server(d, org2007, "EXS07", SP1_2007_AD, roles=38, storage_group="First Storage Group",
                           store="Mailbox Database")
    account = d.add_user(ACCOUNT, services, attrs=mailbox_attrs(exs03, org, ACCOUNT))
    d.set_password(account, PASSWORD)
    admins = d.add_group("GG-VMES-Admins", groups_ou, members=[account])
    for name, server, where in (("Jean Dupont", exs03, org), ("Marie Martin", exs07, org2007)):
        add_mail_user(d, name, users, server, where)
    sid = d.sid_of(account)
    delegate_role(d, org, sid, "view_only")
    d.add_member(groups["Exchange View-Only Administrators"], account)
    grant_server_permissions(d, exs03.dn, sid)
    grant_server_permissions(d, exs07.dn, sid, exchange_2007=True)
    grant_send_as(d, d.domain_dn, sid)
    return Built(org, account, exs03, [admins])


def _role_from_other_domain(d: Directory) -> Built:
    """View Only Administrator delegated to a universal group of the child domain AGENCES.

    Approximation: Samba has no second domain; the group object carries a SID of the child
    domain but lives in this domain's CN=Users (so that tokenGroups holds it, as a GC would give
    it for a universal group of another domain).
    """
    built = base_2003(d, role=None)
    child_sid = add_child_domain(d)
    group_sid = f"{child_sid}-1109"
    dn = f"CN=GU-Exchange-Lecture,CN=Users,{d.domain_dn}"
    d.dc.ldb_modify(f"dn: {dn}\nchangetype: add\nobjectClass: group\nsAMAccountName: GU-Exchange-Lecture\n"
                    f"groupType: -2147483640\nobjectSid: {group_sid}\n", relax=True,
                    what="group of the child domain")
    d.add_member(dn, built.account_dn)
    delegate_role(d, built.org, group_sid, "view_only")
    return built


SCENARIOS: list[Scenario] = [
    Scenario("ex2003-conforme", "Exchange 2003 SP2 built with the real default ACEs, View Only Administrator "
             "delegated, the vendor's server permissions, Send As at the domain head", base_2003, COMPLIANT_2003),
    # Without a role the account cannot even read the organisation's descriptor (Authenticated Users
    # only get Read Property and List Object there [EXCHG65]): the collector records the descriptor as
    # not returned, which is evidence in itself (every role of the wizard grants Read Permissions): F7
    # fails. Nor can it read the server's descriptor or list the mailbox stores: F9 is "Non évaluable"
    # (the empty store list must not pass for "no store").
    Scenario("ex2003-sans-delegation", "the same organisation where nothing was delegated at organisation level",
             _no_delegation, {**COMPLIANT_2003, "F7": F, "F9": U}),
    Scenario("ex2003-lecture-utilisateurs-du-domaine", "no role delegated; Domain Users may read the organisation",
             _domain_users_read, {**COMPLIANT_2003, "F7": F}),
    Scenario("ex2003-role-administrateur", "Exchange Administrator instead of View Only: inherited deny of Send As "
             "and Receive As from the organisation, explicit allows on the server", _exchange_admin,
             {**COMPLIANT_2003, "F7": W}),
    Scenario("ex2003-role-administrateur-complet", "Exchange Full Administrator instead of View Only",
             _full_admin, {**COMPLIANT_2003, "F7": W}),
    Scenario("ex2003-admins-du-domaine-imbriques", "the service account in Domain Admins through two nested groups "
             "(SDProp then protects it)", _domain_admins_nested, {**COMPLIANT_2003, "F3": F, "F11": W}),
    Scenario("ex2003-operateurs-de-compte", "the service account in Account Operators only (protected by "
             "AdminSDHolder, not denied by Exchange)", _account_operators, {**COMPLIANT_2003, "F3": W, "F11": W}),
    Scenario("ex2003-autorisation-explicite-serveur", "KB 292509: Exchange Administrator through a group (inherited "
             "deny), explicit allows on the server object", _explicit_allow_beats_inherited_deny,
             {**COMPLIANT_2003, "F7": W}),
    Scenario("ex2003-refus-sur-la-banque", "a deny of Send As / Receive As on the mailbox store below a server that "
             "grants everything", _deny_on_mailbox_store, {**COMPLIANT_2003, "F9": F}),
    Scenario("ex2003-send-as-ou-vide", "Send As delegated on an OU that holds no mail user, not at the domain head",
             _send_as_on_empty_ou, {**COMPLIANT_2003, "F10": F}),
    Scenario("ex2003-heritage-desactive", "a mail user whose inheritance was disabled by hand (no adminCount) before "
             "Send As was granted at the domain head", _inheritance_disabled_by_hand,
             {**COMPLIANT_2003, "F11": W}),
    Scenario("ex2003-adminsdholder-send-as", "a mail user with adminCount=1 after Send As was granted on "
             "AdminSDHolder", _adminsdholder_send_as, COMPLIANT_2003),
    Scenario("ex2003-domaine-enfant", "a forest with a child domain", _child_domain, {**COMPLIANT_2003, "A2": W}),
    Scenario("ex2007-sp1", "Exchange 2007 SP1, serialNumber as AD stores it (Version 8.1 (Build 30240.6)), "
             "ViewOnlyAdmin through Exchange View-Only Administrators, no EMS collection", _exchange_2007,
             _all(P, B2=NA, B3=NA, F7=NA), base_sample="vmes03-2007"),
    Scenario("mixte-2003-2007", "a mixed organisation, Exchange 2003 SP2 and 2007 SP1, the 2003 tools' MAPI on "
             "the VMES machine", _mixed_2003_2007, _all(P, B1=[P, P], B2=NA, B4=NA, F9=[P, P]),
             base_sample="vmes04-mixte"),
    Scenario("ex2003-role-groupe-autre-domaine", "View Only Administrator delegated to a universal group of the "
             "child domain", _role_from_other_domain, {**COMPLIANT_2003, "A2": W}),
]

BY_NAME = {s.name: s for s in SCENARIOS}
