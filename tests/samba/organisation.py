"""Organisation builders: an Exchange organisation created the way setup and administrators do.

Every builder writes *explicit* ACEs only, through LDAP (:mod:`directory`);
Samba computes what the children inherit. Each docstring names its source
and what it approximates. Sources:

- [EXCHG65] "Exchange Server 2003 permissions", TechNet bb123738(EXCHG.65):
  the ACEs ForestPrep and server setup write on the organisation object;
- [ROLES] "Permissions for the Exchange administrative roles", aa996122 /
  bb124457 (EXCHG.65): what the delegation wizard writes for each role;
- [VENDOR] the vendor's document (shared/seed), "Permission Microsoft
  Exchange au niveau du serveur" and "Send As au niveau du domaine";
- [KB912918] Send As granted on a container, "Apply onto: User objects";
- [KB817433] AdminSDHolder / SDProp;
- [EX2007] Exchange 2007 PrepareAD groups and Add-ExchangeAdministrator /
  Add-ADPermission (bb676437, bb124403; shared/docs/domain-facts.md §3.4).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .descriptors import (CI, CR, FULL_CONTROL, GENERIC_READ, IO, LC, LO, RC, RP, WD, WP, SW, Ace,
                         SecurityDescriptor)
from .directory import Directory, rdn_escape

__all__ = ["GUID", "Org", "Server", "forest_prep_2003", "install_server", "delegate_role",
           "grant_server_permissions", "grant_send_as", "disable_inheritance", "sdprop",
           "prepare_ad_2007", "add_mail_user", "mailbox_attrs"]

EVERYONE, AUTHENTICATED_USERS, SYSTEM = "S-1-1-0", "S-1-5-11", "S-1-5-18"
BUILTIN_ADMINISTRATORS, ACCOUNT_OPERATORS = "S-1-5-32-544", "S-1-5-32-548"

GUID = {
    # extended rights (rightsGuid)
    "Send-As": "ab721a54-1e2f-11d0-9819-00aa0040529b",
    "Receive-As": "ab721a56-1e2f-11d0-9819-00aa0040529b",
    "ms-Exch-Store-Admin": "d74a8762-22b9-11d3-aa62-00c04f8eedd8",
    "ms-Exch-Store-Visible": "d74a875e-22b9-11d3-aa62-00c04f8eedd8",
    "ms-Exch-Store-Create-Named-Properties": "d74a8766-22b9-11d3-aa62-00c04f8eedd8",
    "ms-Exch-Create-Public-Folder": "cf0b3dc8-afe6-11d2-aa04-00c04f8eedd8",
    # classes (schemaIDGUID), see exchange_schema.ldif
    "user": "bf967aba-0de6-11d0-a285-00aa003049e2",
    "msExchPrivateMDB": "36145cf4-a982-11d2-a9ff-00c04f8eedd8",
    "msExchExchangeServer": "01a9aa9c-a981-11d2-a9ff-00c04f8eedd8",
}

# "all permissions except Change Permissions" [ROLES]
_ALL_BUT_CHANGE_PERMISSIONS = FULL_CONTROL & ~WD


@dataclass
class Server:
    name: str
    dn: str
    legacy_dn: str
    stores: list[str] = field(default_factory=list)       # mailbox store DNs
    storage_groups: list[str] = field(default_factory=list)
    information_store: str = ""


@dataclass
class Org:
    name: str
    dn: str
    exchange_dn: str                     # CN=Microsoft Exchange,CN=Services,<config>
    admin_group: str
    admin_group_dn: str
    servers_dn: str
    legacy_dn: str                       # /o=<org>/ou=<admin group>
    servers: list[Server] = field(default_factory=list)


def _deny_send_receive(sid: str) -> list[Ace]:
    return [Ace.deny(sid, CR, CI, GUID["Send-As"]), Ace.deny(sid, CR, CI, GUID["Receive-As"])]


def forest_prep_2003(d: Directory, org_name: str, admin_group: str = "Premier groupe d'administration", *,
                     installer_sid: str | None = None) -> Org:
    """ForestPrep, then the first server's setup: the organisation and its administrative group.

    Source [EXCHG65], table of the organisation object:
    - Authenticated Users: allow Read All Properties + List Object, this object only;
    - designated admin account (the installer): Exchange Full Administrator (full control,
      inherited) and an inherited deny of Send As and Receive As;
    - Everyone: inherited allow Create public folder, Create named properties in the
      information store, and Read permissions / Read All Properties / List Contents / List Object
      applying to msExchPrivateMDB objects;
    - at server install: Enterprise Admins and the root domain's Domain Admins get an
      inherited deny of Send As and Receive As.
    Approximated: Exchange 2000-era entries that 2003 setup removes are left out; the ACEs of
    the Exchange Domain/Enterprise Servers groups are not modelled; CN=Microsoft Exchange keeps
    the default descriptor Samba gives its class.
    """
    installer = installer_sid or d.rid(500)
    services = f"CN=Services,{d.config_dn}"
    exchange_dn = f"CN=Microsoft Exchange,{services}"
    if not d.conn.search(exchange_dn, "(objectClass=*)", "BASE") or not d.conn.response:
        d.add(exchange_dn, "msExchConfigurationContainer")
    org_dn = f"CN={rdn_escape(org_name)},{exchange_dn}"
    aces = [
        Ace.allow(AUTHENTICATED_USERS, RP | LO),
        Ace.allow(installer, FULL_CONTROL, CI),
        *_deny_send_receive(installer),
        *_deny_send_receive(d.rid(519)),     # Enterprise Admins
        *_deny_send_receive(d.rid(512)),     # Domain Admins of the root domain
        Ace.allow(EVERYONE, CR, CI, GUID["ms-Exch-Create-Public-Folder"]),
        Ace.allow(EVERYONE, CR, CI, GUID["ms-Exch-Store-Create-Named-Properties"]),
        Ace.allow(EVERYONE, RC | RP | LC | LO, CI | IO, inherited_object_type=GUID["msExchPrivateMDB"]),
    ]
    sd = SecurityDescriptor(owner=d.rid(512), group=d.rid(512)).with_explicit(aces)
    d.add(org_dn, "msExchOrganizationContainer", sd=sd)
    groups_dn = d.add(f"CN=Administrative Groups,{org_dn}", "msExchAdminGroupContainer")
    legacy = f"/o={org_name}/ou={admin_group}"
    ag_dn = d.add(f"CN={rdn_escape(admin_group)},{groups_dn}", "msExchAdminGroup", {"legacyExchangeDN": legacy})
    servers_dn = d.add(f"CN=Servers,{ag_dn}", "msExchServersContainer")
    # the address lists the Recipient Update Service stamps into showInAddressBook
    lists = d.add(f"CN=Address Lists Container,{org_dn}", "container")
    gals = d.add(f"CN=All Global Address Lists,{lists}", "container")
    d.add(f"CN=Default Global Address List,{gals}", "container")
    return Org(org_name, org_dn, exchange_dn, admin_group, ag_dn, servers_dn, legacy)


def install_server(d: Directory, org: Org, name: str, serial: str, *, fqdn: str | None = None,
                   roles: int | None = None, storage_group: str = "Premier groupe de stockage",
                   store: str | None = None) -> Server:
    """Server setup: the server object, CN=InformationStore, a storage group and a mailbox store.

    Attributes as the collector reads them (``serialNumber`` in AD's own form: "Version 6.5
    (Build 7638.2: Service Pack 2)" for 2003, "Version 8.1 (Build 30240.6)" for 2007 SP1;
    ``networkAddress`` with the protocol prefixes setup writes). Approximated: the server's
    explicit ACEs for the Exchange Domain Servers group and the computer account are not
    modelled (none concerns the service account); every object else keeps its class default.
    """
    fqdn = fqdn or f"{name.lower()}.{d.dc.realm.lower()}"
    legacy = f"{org.legacy_dn}/cn=Configuration/cn=Servers/cn={name}"
    attrs = {"serialNumber": [serial], "legacyExchangeDN": legacy, "adminDisplayName": name,
             "networkAddress": [f"ncacn_vns_spp:{name}", f"netbios:{name}", f"ncacn_np:{name}",
                                f"ncacn_spx:{name}", f"ncacn_ip_tcp:{fqdn}", f"ncalrpc:{name}"]}
    if roles is not None:
        attrs["msExchCurrentServerRoles"] = roles
    dn = d.add(f"CN={rdn_escape(name)},{org.servers_dn}", ["top", "server", "msExchExchangeServer"], attrs)
    is_dn = d.add(f"CN=InformationStore,{dn}", "msExchInformationStore")
    sg_dn = d.add(f"CN={rdn_escape(storage_group)},{is_dn}", "msExchStorageGroup")
    store_name = store or f"Banque de boîtes aux lettres ({name})"
    store_dn = d.add(f"CN={rdn_escape(store_name)},{sg_dn}", ["top", "msExchMDB", "msExchPrivateMDB"],
                     {"legacyExchangeDN": f"{legacy}/cn=Microsoft Private MDB"})
    server = Server(name, dn, legacy, [store_dn], [sg_dn], is_dn)
    org.servers.append(server)
    return server


def delegate_role(d: Directory, org: Org, trustee_sid: str, role: str) -> None:
    """The Exchange Administration Delegation Wizard at organisation level.

    Source [ROLES] (aa996122, bb124457; domain-facts §3.4/§3.6):
    - ``view_only``: Read, List contents, List object, Read permissions and View Information
      Store Status on the organisation, this object and subcontainers; Read/List on
      CN=Microsoft Exchange, this object only;
    - ``admin``: all permissions except Change Permissions, plus an inherited deny of Send As
      and Receive As;
    - ``full_admin``: full control, plus the same denies.
    Approximated: the wizard's entries on the Configuration container's other parts
    (offline address lists, deleted objects) are not modelled.
    """
    if role == "view_only":
        aces = [Ace.allow(trustee_sid, GENERIC_READ, CI), Ace.allow(trustee_sid, CR, CI, GUID["ms-Exch-Store-Visible"])]
    elif role == "admin":
        aces = [Ace.allow(trustee_sid, _ALL_BUT_CHANGE_PERMISSIONS, CI), *_deny_send_receive(trustee_sid)]
    elif role == "full_admin":
        aces = [Ace.allow(trustee_sid, FULL_CONTROL, CI), *_deny_send_receive(trustee_sid)]
    else:
        raise ValueError(role)
    d.grant(org.dn, aces)
    d.grant(org.exchange_dn, [Ace.allow(trustee_sid, GENERIC_READ)])


def grant_server_permissions(d: Directory, dn: str, trustee_sid: str, *, exchange_2007: bool = False) -> None:
    """The vendor's server-level permissions [VENDOR].

    2000/2003: ESM > server > Properties > Security, allow Administer Information Store, Send As
    and Receive As (ESM applies them to "This object and all child objects": CI).
    2007: ``Get-MailboxServer | Add-ADPermission -AccessRights GenericRead, GenericWrite
    -ExtendedRights Send-As, Receive-As, ms-Exch-Store-Admin`` (InheritanceType All: CI).
    """
    aces = [Ace.allow(trustee_sid, CR, CI, GUID[r]) for r in ("ms-Exch-Store-Admin", "Send-As", "Receive-As")]
    if exchange_2007:
        aces.append(Ace.allow(trustee_sid, GENERIC_READ | WP | SW | RC, CI))
    d.grant(dn, aces)


def grant_send_as(d: Directory, container_dn: str, trustee_sid: str) -> None:
    """Send As on a domain or container, "Apply onto: User objects" [KB912918][VENDOR].

    ADUC writes an object ACE: ObjectType Send-As, InheritedObjectType user, CI | IO.
    """
    d.grant(container_dn, [Ace.allow(trustee_sid, CR, CI | IO, GUID["Send-As"], GUID["user"])])


def disable_inheritance(d: Directory, dn: str) -> None:
    """An administrator unticks "Allow inheritable permissions…" and chooses "Copy".

    The inherited ACEs become explicit copies and SE_DACL_PROTECTED is set; later grants
    on the parents no longer reach the object.
    """
    d.grant(dn, [], protected=True, copy_inherited=True)


def sdprop(d: Directory, user_dns: list[str]) -> None:
    """What the PDC emulator's SDProp task does to members of protected groups [KB817433].

    Samba 4.17 does not run SDProp: this stamps ``adminCount=1`` and copies the current
    descriptor of CN=AdminSDHolder onto each user, protected (no inheritance). Approximated:
    the caller names the users (the transitive members of the protected groups).
    """
    holder = d.get_sd(f"CN=AdminSDHolder,CN=System,{d.domain_dn}")
    for dn in user_dns:
        d.replace(dn, adminCount=1)
        d.set_sd(dn, holder.with_explicit([], protected=True, copy_inherited=True))


def prepare_ad_2007(d: Directory, org: Org) -> dict[str, str]:
    """Exchange 2007 ``setup /PrepareAD``: the universal groups and their organisation ACEs [EX2007].

    Groups in OU=Microsoft Exchange Security Groups; on the organisation: Exchange Organization
    Administrators full control with an inherited deny of Receive As, Exchange View-Only
    Administrators read and View Information Store Status, inherited. Returns name -> DN.
    Approximated: the 2007 per-property ACEs of the recipient and public folder groups are not
    modelled; only the entries that concern the roles the checks look at are.
    """
    ou = d.add_ou("Microsoft Exchange Security Groups")
    names = ["Exchange Organization Administrators", "Exchange Recipient Administrators",
             "Exchange View-Only Administrators", "Exchange Public Folder Administrators", "Exchange Servers",
             "ExchangeLegacyInterop"]
    groups = {n: d.add_group(n, ou, universal=True) for n in names}
    org_admins = d.sid_of(groups["Exchange Organization Administrators"])
    view_only = d.sid_of(groups["Exchange View-Only Administrators"])
    servers = d.sid_of(groups["Exchange Servers"])
    d.grant(org.dn, [
        Ace.allow(org_admins, FULL_CONTROL, CI), Ace.deny(org_admins, CR, CI, GUID["Receive-As"]),
        Ace.allow(view_only, GENERIC_READ, CI), Ace.allow(view_only, CR, CI, GUID["ms-Exch-Store-Visible"]),
        Ace.allow(servers, FULL_CONTROL, CI),
    ])
    return groups


def mailbox_attrs(server: Server, org: Org, sam: str, *, hidden: bool = False, in_gal: bool = True,
                  domain: str = "exemple.test") -> dict:
    """The attributes of a mailbox-enabled user (homeMDB, msExchHomeServerName, legacyExchangeDN…)."""
    attrs = {"homeMDB": server.stores[0], "msExchHomeServerName": server.legacy_dn,
             "legacyExchangeDN": f"{org.legacy_dn}/cn=Recipients/cn={sam}", "mail": f"{sam}@{domain}"}
    if hidden:
        attrs["msExchHideFromAddressLists"] = True
    if in_gal:
        attrs["showInAddressBook"] = [f"CN=Default Global Address List,CN=All Global Address Lists,"
                                      f"CN=Address Lists Container,{org.dn}"]
    return attrs


def add_mail_user(d: Directory, name: str, parent: str, server: Server, org: Org, **kw) -> str:
    return d.add_user(name, parent, attrs=mailbox_attrs(server, org, name, **kw), enabled=False)
