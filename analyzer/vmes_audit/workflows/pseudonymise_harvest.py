r"""Every name of every artifact, read from the raw collection: what ``--pseudonymise`` replaces
and then searches for in every output (``pseudonymise_scan.py``).

The fact tables hold only what a rule needs; a report also quotes artifact
sources, Windows error texts and values a table keeps as they came. So every
artifact of every collection is read again here, *leniently* (an artifact a
parser refused is still read: its error message may quote it), in two ways:

- **by form**, over the whole text: distinguished names, legacy DNs, SIDs,
  e-mail addresses (any letter), IPv4 and IPv6 addresses, ``DOMAIN\account``
  of a known domain, sub-domains of a known domain
  (``pseudonymise_names.harvest_text``). Software and hardware inventories
  (``reg_uninstall``, ``wmi_qfe``, ``file_versions``…) are read for the
  unambiguous forms only (DNs, SIDs, accounts): their version numbers look like
  addresses and their vendors' e-mail domains are nobody's name;
- **by field**, in the artifacts whose fields name things (the table below):
  the value is a host, a domain, an account, a person, a proxy list, a URL, a
  store path…::

      wmi_computersystem   Name=VMES05 / Domain=exemple-btp.fr / UserName=BTP\jmartin
      net_proxy            ProxyServer=http=relais.zone.lan:3128;https=sslgate.zone.lan:8443
                           ProxyOverride=<local>;*.intranet.lan;10.77.66.55;hoteprive;192.168.9.*
                           AutoConfigURL=http://pacserv.reseau.lan/wpad.dat
      ems_mailbox          Database : EXCH07\SG Direction\BAL Comptabilité
                           OrganizationalUnit : ad.exemple.fr/Comptes de service
      reg_mapi_profiles    [...\Profiles\Jean-Baptiste Poquelin]   "001e3001"=hex:…  (PR_DISPLAY_NAME)
      systeminfo           Propriétaire enregistré: Jean Dupont / Serveur d'ouverture de session: \\DC01
      ipconfig             Liste de recherche du suffixe DNS : corp.exemple.fr

The host names, client and subjects of the ``--previous`` audit reach the
report's evolution section: :func:`harvest_comparison` reads them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from vmes_audit.base.encoding import decode_bytes
from vmes_audit.windows.dn import split_dn
from vmes_audit.workflows.pseudonymise_readers import artifact_fields
from vmes_audit.workflows.pseudonymise_names import (
    NameRegistry,
    builtin_sid,
    fqdn_names,
    harvest_structures,
    harvest_text,
    is_kept,
)

__all__ = ["harvest_collections", "harvest_comparison", "harvest_value", "proxy_names", "INVENTORIES"]

# Artifacts that describe software and hardware, not the customer's names: read for DNs, SIDs and
# DOMAIN\account only (and for the fields of FIELDS, e.g. a service's logon account).
INVENTORIES = frozenset({
    "wmi_os", "wmi_processor", "wmi_logicaldisk", "wmi_networkadapter", "wmi_registry", "wmi_service",
    "wmi_terminalservice", "wmi_qfe", "reg_values", "reg_exchange_setup", "reg_updates", "reg_uninstall",
    "reg_uninstall_wow64", "reg_hotfix", "reg_terminal_server", "file_versions",
})


def _key(label: str) -> str:
    """``Nom de l'hôte`` -> ``nomdelhote``: a field's label, folded, letters and digits only."""
    text = unicodedata.normalize("NFKD", label)
    return "".join(ch for ch in text.casefold() if ch.isalnum() and not unicodedata.combining(ch))


# -- what a field's value holds ---------------------------------------------------------------
Handler = Callable[[NameRegistry, str], None]


def _host(registry: NameRegistry, value: str) -> None:
    """``EXCH01``, ``exch01.corp.exemple.fr``, ``\\DC01``, ``ncacn_ip_tcp:exch01.corp.fr``, an address."""
    text = value.strip().lstrip("\\")
    if text.count(":") == 1:  # an RPC binding or host:port, never an IPv6 address
        head, _, tail = text.partition(":")
        text = tail if not tail.isdigit() else head
    names = fqdn_names(text)
    for kind, name in names:
        registry.add(kind, name)
    if not names:
        harvest_text(registry, value)


def _domain(registry: NameRegistry, value: str) -> None:
    """``exemple-btp.fr``, ``BTP``, a suffix search list ``corp.exemple.fr, exemple.fr``."""
    for part in re.split(r"[\s,;]+", value):
        part = part.strip().rstrip(".")
        if fqdn_names(part):  # a name, not an address or a sentence
            registry.add("domaine", part)


def _account(registry: NameRegistry, value: str) -> None:
    """``BTP\\jmartin``, ``jmartin@exemple-btp.fr``, ``.\\local``, ``LocalSystem`` (kept)."""
    text = value.strip()
    if "@" in text:
        harvest_text(registry, text)
        registry.add("compte", text.partition("@")[0])
        return
    domain, _, name = text.rpartition("\\")
    if domain and domain != ".":
        registry.add("domaine", domain)
    registry.add("compte", name)


def _kind(kind: str) -> Handler:
    def add(registry: NameRegistry, value: str) -> None:
        registry.add(kind, value.strip())
    add.names_principal = kind in ("groupe", "compte")  # type: ignore[attr-defined]
    return add


_account.names_principal = True  # type: ignore[attr-defined]
_PERSON, _ORGANISATION = _kind("personne"), _kind("organisation")


def _group(registry: NameRegistry, value: str) -> None:
    """``BTP\\GG-Support-N2`` or ``GG-Support-N2`` (a Windows group of the domain kept as it is)."""
    domain, _, name = value.strip().rpartition("\\")
    if domain:
        registry.add("domaine", domain)
    registry.add("groupe", name)


_group.names_principal = True  # type: ignore[attr-defined]
# MAPI services and providers name themselves: "Microsoft Exchange Server"; a mailbox's provider is
# "Boîte aux lettres - Jean Dupont" (the person's name after the dash)
_MAPI_SERVICES = re.compile(r"(?i)^(microsoft exchange( server| message store| directory service)?|"
                            r"outlook address book|carnet d'adresses outlook|personal folders|dossiers personnels|"
                            r"exchange global address list|liste d'adresses globale)$")
_MAILBOX_PREFIX = re.compile(r"(?i)^(mailbox|boîte aux lettres|boite aux lettres)\s*-\s*")


def _display_name(registry: NameRegistry, value: str) -> None:
    text = _MAILBOX_PREFIX.sub("", value.strip())
    if text and not _MAPI_SERVICES.match(text):
        registry.add("personne", text)


def _dn(registry: NameRegistry, value: str) -> None:
    """A DN read from a field: every RDN value, whatever it holds (« », quotes, commas escaped)."""
    harvest_text(registry, value)
    for rdn in split_dn(value):
        attribute, _, name = rdn.partition("=")
        name = name.replace("\\,", ",").replace("\\", "").strip()
        attribute = attribute.strip().upper()
        if not name or is_kept(name) or registry.kind_of(name) or name.upper().startswith("S-1-"):
            continue
        if attribute == "DC":
            continue  # the chain is the domain, added by harvest_text
        registry.add("uo" if attribute == "OU" else "objet", name)


def _canonical(registry: NameRegistry, value: str) -> None:
    """``ad.exemple.fr/Comptes de service/VistoAdmin``: the domain, the OUs, the object."""
    parts = [p for p in value.strip().split("/") if p]
    if len(parts) < 2 or "." not in parts[0]:
        _account(registry, value) if "\\" in value else harvest_text(registry, value)
        return
    registry.add("domaine", parts[0])
    for part in parts[1:-1]:
        registry.add("uo", part)
    registry.add("objet", parts[-1])


def _store(registry: NameRegistry, value: str) -> None:
    """``EXCH07\\SG Direction Financière\\BAL Comptabilité`` (Exchange 2007 Identity of a database)."""
    parts = [p.strip() for p in value.split("\\") if p.strip()]
    if len(parts) > 1:
        _host(registry, parts[0])
        parts = parts[1:]
    for part in parts:
        registry.add("banque", part)


def proxy_names(value: str) -> list[tuple[str, str]]:
    """The hosts, domains and addresses of a proxy setting, an exception list or a PAC URL.

    >>> proxy_names("http=relais.zone.lan:3128;https=10.0.0.8:8443")
    [('serveur', 'relais'), ('domaine', 'zone.lan'), ('ip', '10.0.0.8')]
    >>> proxy_names("<local>;*.intranet.lan;hoteprive;192.168.9.*")
    [('domaine', 'intranet.lan'), ('serveur', 'hoteprive'), ('ip', '192.168.9.*')]
    >>> proxy_names("http://user:pw@pacserv.reseau.lan:8080/wpad.dat")
    [('serveur', 'pacserv'), ('domaine', 'reseau.lan')]
    """
    names: list[tuple[str, str]] = []
    for entry in re.split(r"[;\s,]+", value or ""):
        entry = entry.strip()
        if not entry or entry.lower() == "<local>":
            continue
        entry = re.sub(r"^[a-z][a-z0-9+.-]*=", "", entry, flags=re.I)  # http=host:port
        entry = re.sub(r"^[a-z][a-z0-9+.-]*://", "", entry, flags=re.I)  # http://host/path
        entry = entry.split("/", 1)[0].rpartition("@")[2]  # path, then user:password@
        if entry.startswith("["):  # [fe80::1]:8080
            entry = entry[1:].partition("]")[0]
        elif entry.count(":") == 1:
            entry = entry.partition(":")[0]
        if entry.startswith("*.") and entry.count(".") >= 2:
            names.append(("domaine", entry[2:]))
            continue
        names += fqdn_names(entry)
    return names


def _proxy(registry: NameRegistry, value: str) -> None:
    for kind, name in proxy_names(value):
        registry.add(kind, name)


def _email(registry: NameRegistry, value: str) -> None:
    harvest_text(registry, value)


# Fields (label folded by _key) that hold a name, in any artifact: record files, Format-List,
# systeminfo and ipconfig (French and English labels), .reg value names.
FIELDS: dict[str, Handler] = {
    # hosts
    "hostname": _host, "nomdelhote": _host, "csname": _host, "server": _host, "servername": _host,
    "dnshostname": _host, "fqdn": _host, "originatingserver": _host, "admindisplayname": _host,
    "networkaddress": _host, "logonserver": _host, "serveurdouverturedesession": _host,
    "computername": _host, "dhcpserver": _host, "serveurdhcp": _host, "winsprimaryserver": _host,
    "winssecondaryserver": _host, "serveurwinsprimaire": _host, "homeserver": _host,
    "sourceaddresses": _host, "localaddress": _host, "addresses": _host, "ipaddress": _host,
    "defaultipgateway": _host, "dnsserversearchorder": _host,
    # domains
    "domain": _domain, "domaine": _domain, "dnsdomain": _domain, "dnsroot": _domain, "netbiosname": _domain,
    "primarydnssuffix": _domain, "suffixednsprincipal": _domain, "dnssuffixsearchlist": _domain,
    "listederecherchedusuffixedns": _domain, "connectionspecificdnssuffix": _domain,
    "suffixednsproprealaconnexion": _domain, "dnsdomainsuffixsearchorder": _domain,
    # accounts
    "samaccountname": _account, "username": _account, "startname": _account, "user": _account,
    "owner": _account, "trustee": _account, "alias": _account, "runas": _account,
    # people and organisations
    "displayname": _display_name, "registereduser": _PERSON, "registeredowner": _PERSON,
    "proprietaireenregistre": _PERSON, "regowner": _PERSON,
    "organization": _ORGANISATION, "registeredorganization": _ORGANISATION,
    "organisationenregistree": _ORGANISATION, "regcompany": _ORGANISATION,
    # directory names
    "distinguishedname": _dn, "objectdn": _dn, "ncname": _dn, "homemdb": _dn, "member": _dn, "memberof": _dn,
    "defaultnamingcontext": _dn, "rootdomainnamingcontext": _dn, "configurationnamingcontext": _dn,
    "schemanamingcontext": _dn, "identity": _canonical, "organizationalunit": _canonical, "site": _canonical,
    # Exchange stores
    "database": _store, "storagegroup": _store,
    # proxies (IE, WinHTTP, the NOC probe's proxy)
    "proxyserver": _proxy, "proxyoverride": _proxy, "proxy": _proxy, "autoconfigurl": _proxy,
    "proxybypass": _proxy, "winhttpsettings": _proxy, "defaultconnectionsettings": _proxy,
    "savedlegacysettings": _proxy,  # binary: the proxy and its exceptions are text runs inside
    # e-mail addresses
    "mail": _email, "emailaddresses": _email, "primarysmtpaddress": _email, "windowsemailaddress": _email,
    "userprincipalname": _email,
}
# ``name``: what it names depends on the artifact and the record kind.
NAME_FIELD: dict[tuple[str, str], Handler] = {
    ("ad_domain_controllers", "dc"): _host, ("ad_exchange_servers", "server"): _host,
    ("exchange_version", "server"): _host, ("wmi_computersystem", "win32_computersystem"): _host,
    ("ad_exchange_org", "organization"): _ORGANISATION, ("ad_exchange_org", "admingroup"): _kind("groupe-admin"),
    ("ad_exchange_stores", "store"): _store,
    ("ad_service_account_groups", "group"): _group, ("token_groups", "group"): _group,
    ("local_admins", "member"): _account, ("wmi_accounts", "group"): _group,
    ("ems_exchangeserver", ""): _host, ("ems_mailbox", ""): _account, ("ems_adpermission", ""): _canonical,
    ("ems_exchangeadministrator", ""): _canonical,
}
# In inventories, only these fields name something.
INVENTORY_FIELDS = frozenset({"startname", "csname", "registereduser", "organization", "regowner", "regcompany",
                              "owner"})
# Never names: the NOC probe's target URL and addresses are the vendor's.
SKIPPED = frozenset({("net_noc_probe", "url"), ("net_noc_probe", "addresses"), ("net_noc_probe", "target")})


def harvest_value(registry: NameRegistry, artifact: str, kind: str, label: str, value: str,
                  sid: str = "") -> None:
    """One field of one record (``kind``: the record kind, ``""`` for artifacts without kinds)."""
    key = _key(label)
    if not value or (artifact, key) in SKIPPED:
        return
    if artifact in INVENTORIES:
        if key in INVENTORY_FIELDS:
            handler = FIELDS.get(key)
            if handler is not None:
                handler(registry, value)
        return
    if key == "name":
        handler = NAME_FIELD.get((artifact, kind)) or NAME_FIELD.get((artifact, ""))
    else:
        handler = FIELDS.get(key)
    if handler is None or builtin_sid(sid) and getattr(handler, "names_principal", False):
        return  # a well-known principal (S-1-5-32-544, RID < 1000): Windows named it
    for item in _items(value):
        handler(registry, item)


def _items(value: str) -> list[str]:
    """A Format-List list ``{ncacn_np:EXCH07, netbios:EXCH07}`` item by item; any other value whole."""
    text = value.strip()
    if text.startswith("{") and text.endswith("}"):
        return [item.strip() for item in text[1:-1].split(",") if item.strip()]
    return [text]


_SID_FIELD = re.compile(r"(?i)^(sid|objectsid|trusteesid)$")


def _harvest_artifact(registry: NameRegistry, artifact: str, kind: str, text: str) -> None:
    forms = harvest_structures if artifact in INVENTORIES else harvest_text
    for line in text.splitlines():  # by line: a field's value ends there
        forms(registry, line)
    for record_kind, fields in artifact_fields(artifact, kind, text):
        sid = next((v for k, v in fields if _SID_FIELD.match(k)), "")
        for label, value in fields:
            if label == "profil":
                registry.add("profil", value)
            elif label == "texte":
                harvest_text(registry, value)
            elif label.startswith("mapi:"):
                what = label[5:]
                if what == "serveur":
                    _host(registry, value)
                elif what == "personne":
                    _display_name(registry, value)
                else:
                    registry.add(what, value)
            else:
                harvest_value(registry, artifact, record_kind, label, value, sid)


def harvest_collections(registry: NameRegistry, collections: Iterable[Any]) -> None:
    """Every name of every artifact of ``collections`` (``collection.loader.Collection``), usable or not,
    and of their manifests."""
    from vmes_audit.collection.artifacts import ARTIFACTS

    for coll in collections:
        manifest = getattr(coll, "manifest", None)
        if manifest is not None:
            _host(registry, manifest.host.name)
            registry.add("domaine", getattr(manifest.host, "dns_domain", "") or "")
            if not builtin_sid(manifest.run_as.sid):
                _account(registry, manifest.run_as.name)
            registry.add("compte", manifest.parameters.service_account)
            registry.add("client", getattr(manifest.parameters, "client", "") or "")
        if coll.host:
            registry.add("serveur", coll.host)
        for art in coll.artifacts.values():
            if art.data is None:
                harvest_text(registry, art.error)
                continue
            try:
                text = art.text()
            except Exception:  # noqa: BLE001 - an undecodable artifact: its bytes as the decoder reads them
                text = decode_bytes(art.data).text
            spec = ARTIFACTS.get(art.name)
            _harvest_artifact(registry, art.name, spec.kind if spec else "", text)
            harvest_text(registry, art.error)


def harvest_comparison(registry: NameRegistry, comparison: Any) -> None:
    """The earlier audit's hosts and subjects (``--previous``, ``compare``), as shown in the
    evolution section."""
    if comparison is None:
        return
    registry.add("client", comparison.previous_client)
    for item in comparison.items:
        registry.add("serveur", [item.host, item.subject])
        harvest_text(registry, item.message)
