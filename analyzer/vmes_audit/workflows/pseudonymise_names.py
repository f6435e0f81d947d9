"""What the pseudonymisation replaces: the customer's names, found in the fact
tables and in the report's own texts, and the Windows / Exchange names it keeps.

A name is *kept* when Windows or Exchange gave it, not the customer: the
well-known principals (``Admins du domaine``, ``AUTORITE NT\\SYSTEM``, any
domain account or group whose RID is below 1000), the default containers
(``CN=Users``, ``CN=Microsoft Exchange``…), the default administrative groups
and stores. Everything else that names the customer's directory is replaced.

Kinds of names and their tokens (``pseudonymise.py`` numbers them):

============  ===================  ==============================================
kind          token                from
============  ===================  ==============================================
domaine       ``DOMAINE-1``        DNS and NetBIOS domain names (the two names of
                                   one domain share a token when both are known)
serveur       ``SERVEUR-1``        host names (collected hosts, DCs, Exchange
                                   servers, proxies)
compte        ``COMPTE-1``         user accounts (sAMAccountName, user CN,
                                   mail alias)
groupe        ``GROUPE-1``         the customer's security groups
organisation  ``ORGANISATION-1``   Exchange organisation
groupe-admin  ``GROUPE-ADMIN-1``   Exchange administrative groups not named by
                                   setup
client        ``CLIENT-1``         the customer name given to the analyzer
uo / objet    ``UO-1``/``OBJET-1``  other OU= / CN= values, inside DNs only
sid           ``SID-DOMAINE-1``    domain part of S-1-5-21 SIDs (RID kept)
ip            ``IP-1``             IPv4 and IPv6 addresses of the customer's
                                   machines, proxy exceptions such as
                                   ``192.168.9.*``
adresse       ``ADRESSE-1``        local part of an e-mail address of no known account
personne      ``PERSONNE-1``       a person's name: registered owner, display
                                   name of a mailbox or a MAPI service
profil        ``PROFIL-1``         MAPI profile names
banque        ``BANQUE-1``         Exchange storage groups and databases not
                                   named by setup
============  ===================  ==============================================

``uo`` and ``objet`` are replaced only inside a distinguished name: an OU
called « Utilisateurs » must not turn the French text « utilisateurs de
messagerie » into « UO-1 de messagerie ».
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from vmes_audit.windows.sids import DOMAIN_RIDS, WELL_KNOWN_SIDS

__all__ = ["Name", "NameRegistry", "KEPT_NAMES", "FREE_TEXT_KINDS", "DN_RE", "LEGACY_DN_RE", "SID_RE",
           "EMAIL_RE", "IPV4_RE", "IPV6_RE", "is_kept", "harvest_facts", "harvest_text", "is_version_context",
           "ip_address_text", "fqdn_names", "harvest_structures", "builtin_sid"]

FREE_TEXT_KINDS = frozenset({"domaine", "serveur", "compte", "groupe", "organisation", "groupe-admin", "client",
                             "ip", "adresse", "personne", "profil", "banque"})


def _well_known() -> set[str]:
    names: set[str] = set()
    for label in list(WELL_KNOWN_SIDS.values()) + list(DOMAIN_RIDS.values()):
        # "Admins du domaine (Domain Admins)", "Administrateurs (BUILTIN\\Administrators)"
        match = re.match(r"^(.*?) \((.*)\)$", label)
        parts = [match[1], match[2]] if match else [label]
        for part in parts:
            names.add(part)
            names.add(part.split("\\")[-1])
    return {n.casefold() for n in names}


# Names Windows and Exchange create, in French and English (kept as they are).
KEPT_NAMES: frozenset[str] = frozenset(_well_known() | {n.casefold() for n in (
    # principals and their domains
    "BUILTIN", "AUTORITE NT", "AUTORITÉ NT", "NT AUTHORITY", "NT", "SYSTEM", "SELF", "Système", "Everyone",
    "Tout le monde", "Administrateur", "Administrator", "Invité", "Guest", "krbtgt", "Utilisateurs", "Users",
    "Administrateurs", "Administrators", "Opérateurs de sauvegarde", "Utilisateurs authentifiés",
    "Exchange Servers", "Exchange Domain Servers", "Exchange Enterprise Servers", "Exchange Organization Administrators",
    "Exchange Recipient Administrators", "Exchange View-Only Administrators", "Exchange Public Folder Administrators",
    "Exchange Trusted Subsystem", "Exchange Windows Permissions", "ExchangeLegacyInterop", "Exchange2003Interop",
    "Exchange Install Domain Servers", "Utilisateurs du domaine", "Admins du domaine", "Ordinateurs du domaine",
    "Contrôleurs de domaine", "Administrateurs du schéma", "Administrateurs de l'entreprise", "Invités du domaine",
    "Domain Users", "Domain Admins", "Domain Computers", "Domain Controllers", "Schema Admins", "Enterprise Admins",
    "Domain Guests", "Cert Publishers", "Éditeurs de certificats", "Accès compatible pré-Windows 2000",
    # default containers and Exchange objects
    "Configuration", "Services", "Microsoft Exchange", "Administrative Groups", "Servers", "InformationStore",
    "Partitions", "System", "AdminSDHolder", "Builtin", "Computers", "ForeignSecurityPrincipals", "Schema",
    "Program Data", "Microsoft Exchange System Objects", "Recipients", "Recipient Policies", "Address Lists Container",
    "All Address Lists", "All Global Address Lists", "Default Global Address List", "Tous les utilisateurs",
    "Liste d'adresses globale par défaut", "Microsoft Exchange Security Groups", "Directory Service", "Windows NT",
    "First Administrative Group", "Premier groupe d'administration",
    "Exchange Administrative Group (FYDIBOHF23SPDLT)", "First Storage Group", "Premier groupe de stockage",
    "Mailbox Database", "Public Folder Database", "Mailbox Store", "Public Folder Store", "Storage Group",
    "Exchange Routing Group (DWBGZMFD01QNBJR)", "First Routing Group", "Premier groupe de routage",
    "Connections", "Protocols", "Routing Groups", "Sites", "Default-First-Site-Name", "WORKGROUP",
    # product words that a DOMAIN\\name pattern may cut out of a longer Windows name
    "VMES", "Exchange", "Microsoft", "Windows",
    # service logon accounts, default MAPI profiles
    "LocalSystem", "LocalService", "NetworkService", "Service local", "Service réseau", "Outlook",
    "MS Exchange Settings", "Default Outlook Profile",
)})
# Stores and storage groups are named by setup after their server: "Banque de boîtes aux lettres (EXBTP01)".
_DEFAULT_OBJECT = re.compile(
    r"^(mailbox store|public folder store|banque de boîtes aux lettres|banque de dossiers publics|"
    r"mailbox database|public folder database)( \(.+\))?$|^((first|second|premier|deuxième) )?"
    r"(storage group|groupe de stockage)$", re.IGNORECASE)


def is_kept(name: str) -> bool:
    """
    >>> is_kept("Admins du domaine"), is_kept("CN=Users".split("=")[1]), is_kept("GG-Support-N2")
    (True, True, False)
    >>> is_kept("Banque de boîtes aux lettres (EXBTP01)")
    True
    """
    text = name.strip()
    return text.casefold() in KEPT_NAMES or bool(_DEFAULT_OBJECT.match(text)) or not text


# A distinguished name ending with its domain: CN=VistoAdmin,OU=Comptes de service,DC=exemple-btp,DC=fr
# (a DNS label of AD may hold an underscore: DC=ma_societe,DC=fr is one chain)
DN_RE = re.compile(r"(?i)(?:\b(?:CN|OU|O)=(?:\\.|[^,\\\r\n\"«»=])+?,\s?)*\bDC=[\w-]+(?:,\s?DC=[\w-]+)*")
_RDN_RE = re.compile(r"(?i)\b(CN|OU|O)=((?:\\.|[^,\\\r\n\"«»=])+?),\s?")
DC_CHAIN_RE = re.compile(r"(?i)\bDC=[\w-]+(?:,\s?DC=[\w-]+)*")
# Exchange legacy DN: /o=Exemple BTP/ou=Premier groupe d'administration/cn=Recipients/cn=VistoAdmin
# (a value holds no comma and at most 64 characters: the Exchange limit)
# (the last value stops at a space, unless it ends the text: "…/cn=VistoAdmin est membre" in a
# sentence, "…/ou=Premier groupe d'administration" as a field's value)
LEGACY_DN_RE = re.compile(r"(?i)/o=[^/\r\n«»\",]{1,64}(?=/|$)(?:/(?:ou|cn)=[^/\r\n«»\",]{1,64}(?=/))*"
                          r"(?:/(?:ou|cn)=(?:[^/\r\n«»\",]{1,64}$|[^/\s,;)«»\"]{1,64}))?")
LEGACY_PART_RE = re.compile(r"(?i)/(o|ou|cn)=([^/]+)")
SID_RE = re.compile(r"(?i)\bS-1-5-21-(\d{1,10}-\d{1,10}-\d{1,10})(?=-\d|\b)")
# gérard.léveillé@exemple-btp.fr: any letter, in the local part and in the domain
EMAIL_RE = re.compile(r"(?<![\w.%+'-])([\w.%+'-]+)@([\w-]+(?:\.[\w-]+)+)(?![\w-])")
IPV4_RE = re.compile(r"(?<![\w.])((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?![\w]|\.\d)")
# fe80::20c:29ff:fe4b:1a2c%4, 2001:db8:4b1::1e, ::ffff:10.1.2.3 (checked by ipaddress: a time such as
# 14:02:11 or a MAC address is not one)
IPV6_RE = re.compile(r"(?<![\w:.])((?:[0-9A-Fa-f]{1,4}:|:){2,7}(?:[0-9A-Fa-f]{1,4}|:|\d{1,3}(?:\.\d{1,3}){3})"
                     r"(?:%[\w.-]+)?)(?![\w:])")
# a proxy exception or an address range: 192.168.9.*, 10.*
_IPV4_WILDCARD = re.compile(r"^(?:\d{1,3}\.){0,3}\*$|^(?:\d{1,3}\.){1,3}\*(?:\.\*)*$")
_VERSION_BEFORE = re.compile(r"(?i)(build|version|v\.|sp\d?|sp |sp:)\s*\(?\s*$")
_MASK_OCTETS = {"0", "128", "192", "224", "240", "248", "252", "254", "255"}


def ip_address_text(text: str) -> str | None:
    """``text`` as an IPv6 address a customer's machine may hold (zone index kept), or None.

    >>> ip_address_text("fe80::20c:29ff:fe4b:1a2c%4"), ip_address_text("14:02:11"), ip_address_text("::1")
    ('fe80::20c:29ff:fe4b:1a2c%4', None, None)
    """
    import ipaddress

    address, _, zone = text.partition("%")
    if address.count(":") < 2:
        return None
    try:
        parsed = ipaddress.IPv6Address(address)
    except ValueError:
        return None
    if parsed.is_loopback or parsed.is_unspecified or parsed.is_multicast:
        return None
    return text


def dns_name_of(dc_chain: str) -> str:
    """``DC=exemple-btp,DC=fr`` -> ``exemple-btp.fr``."""
    return ".".join(part.split("=", 1)[1] for part in re.split(r",\s?", dc_chain))


def is_version_context(text: str, start: int) -> bool:
    """True when the dotted quad at ``start`` reads as a version (« build 8.1.240.6 »)."""
    return bool(_VERSION_BEFORE.search(text[max(0, start - 16):start]))


def _is_public_infrastructure(ip: str) -> bool:
    octets = ip.split(".")
    return (ip.startswith("127.") or ip == "0.0.0.0" or all(o in _MASK_OCTETS for o in octets)
            or octets[0] in ("0", "255"))


@dataclass
class Name:
    kind: str
    original: str
    token: str = ""


class NameRegistry:
    """Names found so far, case-insensitive, with their kind; first kind wins."""

    def __init__(self, keep: Iterable[str] = ()) -> None:
        self.names: dict[str, Name] = {}
        self.keep = {k.casefold() for k in keep if k}
        self.aliases: dict[str, str] = {}  # NetBIOS name -> DNS name of the same domain (casefold)

    def add(self, kind: str, value: Any) -> None:
        if value is None or isinstance(value, bool):
            return
        if isinstance(value, (list, tuple, set)):
            for item in value:
                self.add(kind, item)
            return
        text = str(value).strip()
        if not text or len(text) < 2 and kind in ("ip", "sid", "client") or text.casefold() in self.keep:
            return
        if kind == "ip":
            if IPV4_RE.fullmatch(text):
                if _is_public_infrastructure(text):
                    return
            elif not ip_address_text(text) and not _IPV4_WILDCARD.match(text):
                return
        elif kind == "domaine":
            text = text.rstrip(".")
            if is_kept(text):
                return
        elif kind != "client" and is_kept(text):
            return
        self.names.setdefault(text.casefold(), Name(kind, text))

    def kind_of(self, text: str) -> str | None:
        found = self.names.get(text.strip().casefold())
        return found.kind if found else None

    def add_account(self, value: Any) -> None:
        """``DOMAIN\\account`` or ``account``: both parts, unless Windows named them."""
        if not value or not isinstance(value, str):
            return
        if "\\" in value:
            domain, _, account = value.rpartition("\\")
            self.add("domaine", domain)
            self.add("compte", account)
        else:
            self.add("compte", value.split("@")[0])


def _rows(facts: Any, table: str) -> list[dict[str, Any]]:
    frame = facts.table(table)
    return [] if frame.empty else frame.to_dict("records")


def harvest_facts(registry: NameRegistry, facts: Any) -> None:
    """The names the fact tables know, with their kind."""
    for row in _rows(facts, "organisation"):
        registry.add("domaine", [row.get("domain_dns"), row.get("domain_netbios")])
        registry.add("domaine", row.get("domains") or [])
        if row.get("domain_dns") and row.get("domain_netbios"):
            registry.aliases[str(row["domain_netbios"]).casefold()] = str(row["domain_dns"]).casefold()
        registry.add("organisation", row.get("exchange_org"))
        registry.add("groupe-admin", row.get("admin_groups") or [])
        registry.add("compte", [row.get("sa_name")] + list(row.get("protected_users") or []))
        registry.add("serveur", row.get("sa_home_server"))
        for key in ("sa_dn", "exchange_org_dn", "sa_home_mdb", "sa_legacy_dn", "sa_mail", "sa_sid", "domain_sid"):
            harvest_text(registry, row.get(key))
    for row in _rows(facts, "host"):
        registry.add("serveur", [row.get("host"), row.get("hostname"), row.get("sa_home_server")])
        registry.add("domaine", row.get("domain"))
        registry.add_account(row.get("run_as"))
        registry.add("compte", row.get("run_as_account"))
    for row in _rows(facts, "domain_controllers"):
        registry.add("serveur", row.get("name"))
        _fqdn(registry, row.get("dns_host_name"))
    for row in _rows(facts, "exchange_servers"):
        registry.add("serveur", row.get("name"))
        registry.add("groupe-admin", row.get("admin_group"))
        harvest_text(registry, row.get("dn"))
        harvest_text(registry, row.get("legacy_dn"))
    for row in _rows(facts, "sa_groups"):
        if not builtin_sid(row.get("sid")):
            registry.add("groupe", row.get("name"))
        harvest_text(registry, row.get("dn"))
    for table in ("local_admins", "token_groups"):
        for row in _rows(facts, table):
            name = str(row.get("name") or "")
            if row.get("domain") and row.get("domain") != row.get("host"):  # a local account's domain is the host
                registry.add("domaine", row.get("domain"))
            if "\\" in name:
                registry.add("domaine", name.rpartition("\\")[0])
            if not builtin_sid(row.get("sid")):
                kind = "groupe" if str(row.get("member_class") or "group").lower() == "group" else "compte"
                registry.add(kind, name.rpartition("\\")[2])
    for row in _rows(facts, "aces"):
        trustee = str(row.get("trustee") or "")
        if "\\" in trustee:
            registry.add("domaine", trustee.rpartition("\\")[0])
            if not builtin_sid(row.get("trustee_sid")):
                registry.add("groupe", trustee.rpartition("\\")[2])
    for row in _rows(facts, "mapi_profiles"):
        registry.add("serveur", row.get("home_server"))
        registry.add("profil", row.get("name"))
        harvest_text(registry, row.get("mailbox_dn"))
    for row in _rows(facts, "exchange_paths"):
        registry.add("serveur", row.get("server"))
        _fqdn(registry, row.get("fqdn"))
        registry.add("ip", list(row.get("addresses") or []) + [row.get("local_address")])
        network = str(row.get("local_network") or "").split("/")[0]
        registry.add("ip", network)
    for row in _rows(facts, "network_adapters"):
        registry.add("ip", list(row.get("ip_addresses") or []) + list(row.get("gateways") or [])
                     + list(row.get("dns_servers") or []))
    for row in _rows(facts, "noc_probes"):
        registry.add("ip", row.get("source_addresses") or [])
    for row in _rows(facts, "proxies"):
        host = row.get("proxy_host")
        if host and IPV4_RE.fullmatch(str(host)):
            registry.add("ip", host)
        else:
            _fqdn(registry, host)
    for row in _rows(facts, "mail_containers"):
        harvest_text(registry, row.get("dn"))


def builtin_sid(sid: Any) -> bool:
    """Well-known SIDs and domain RIDs below 1000: Windows named them."""
    text = str(sid or "")
    if not text.upper().startswith("S-1-"):
        return False
    if not text.upper().startswith("S-1-5-21-"):
        return True
    try:
        return int(text.rsplit("-", 1)[1]) < 1000
    except ValueError:
        return False


def _fqdn(registry: NameRegistry, value: Any) -> None:
    """``exbtp01.exemple-btp.fr``: the host and its domain."""
    for kind, name in fqdn_names(value):
        registry.add(kind, name)


# a host, a domain or an FQDN: labels of letters, digits, hyphens and underscores (a wildcard first
# label for a proxy exception), at least one letter in the first label
_HOST_NAME = re.compile(r"(?:\*|[\w-]*[^\W\d_][\w-]*)(?:\.[\w-]+)*")


def fqdn_names(value: Any) -> list[tuple[str, str]]:
    """The names a host name holds: an address, or the host and its domain.

    >>> fqdn_names("exbtp01.exemple-btp.fr"), fqdn_names("10.1.20.30"), fqdn_names("wpad")
    ([('serveur', 'exbtp01'), ('domaine', 'exemple-btp.fr')], [('ip', '10.1.20.30')], [('serveur', 'wpad')])
    """
    if not value or not isinstance(value, str):
        return []
    text = value.strip().rstrip(".")
    if IPV4_RE.fullmatch(text) or ip_address_text(text) or _IPV4_WILDCARD.match(text):
        return [("ip", text)]
    if not _HOST_NAME.fullmatch(text):
        return []
    host, _, domain = text.partition(".")
    names = [("serveur", host)] if host and host != "*" else []
    if domain and "." in domain:
        names.append(("domaine", domain))
    return names


@lru_cache(maxsize=256)
def _account_pattern(domain: str) -> re.Pattern[str]:
    """``DOMAIN\\account`` for one NetBIOS domain (compiled once: harvest_text runs on every text)."""
    return re.compile(r"(?i)(?<![^\W_])" + re.escape(domain) + r"\\([^\s\\\"«»,;:()/]+)")


@lru_cache(maxsize=64)
def _subdomain_pattern(domains: tuple[str, ...]) -> re.Pattern[str]:
    """A sub-domain of one of the known DNS domains."""
    return re.compile(r"(?i)(?<![\w.-])((?:[A-Za-z0-9-]+\.)+)(" + "|".join(re.escape(d) for d in domains)
                      + r")(?![\w-])")


def harvest_text(registry: NameRegistry, text: Any) -> None:
    """Names a text shows in a recognisable form: DNs, legacy DNs, SIDs, e-mail addresses,
    ``DOMAIN\\account`` for a known domain, IPv4 addresses outside version numbers, IPv6 addresses
    and sub-domains of a known domain."""
    if not text or not isinstance(text, str):
        return
    harvest_structures(registry, text)
    for match in EMAIL_RE.finditer(text):
        local, domain = match.groups()
        registry.add("domaine", domain)
        if not registry.kind_of(local):
            registry.add("adresse", local)
    for match in IPV4_RE.finditer(text):
        if not is_version_context(text, match.start()):
            registry.add("ip", match.group(1))
    if "::" in text or text.count(":") >= 7:
        for match in IPV6_RE.finditer(text):
            registry.add("ip", ip_address_text(match.group(1)))
    # sub-domains of a known domain (agences.exemple-btp.fr), unless the first label is a known host
    dns = tuple(n.original for n in list(registry.names.values()) if n.kind == "domaine" and "." in n.original)
    if dns and "." in text:
        for match in _subdomain_pattern(dns).finditer(text):
            labels = match.group(1).rstrip(".").split(".")
            if registry.kind_of(labels[0]) == "serveur":
                continue
            registry.add("domaine", match.group(1) + match.group(2))


def harvest_structures(registry: NameRegistry, text: Any) -> None:
    """The unambiguous forms only: DNs, legacy DNs, SIDs and ``DOMAIN\\account`` for a known domain
    (software inventories, whose version numbers look like addresses)."""
    if not text or not isinstance(text, str):
        return
    for match in DN_RE.finditer(text):
        dn = match.group(0)
        chain = DC_CHAIN_RE.search(dn)
        if chain:
            registry.add("domaine", dns_name_of(chain.group(0)))
        parts = list(_RDN_RE.finditer(dn[:chain.start()] if chain else dn))
        for index, part in enumerate(parts):
            kind, value = part.group(1).upper(), part.group(2).replace("\\,", ",")
            if registry.kind_of(value) or is_kept(value) or value.upper().startswith("S-1-"):
                continue  # CN=S-1-5-11,CN=ForeignSecurityPrincipals: a SID, not a name
            parent = parts[index + 1].group(2) if index + 1 < len(parts) else ""
            if kind == "CN" and parent.casefold() in ("administrative groups",):
                registry.add("groupe-admin", value)
            elif kind == "CN" and parent.casefold() == "microsoft exchange":
                registry.add("organisation", value)
            elif kind == "CN" and parent.casefold() == "servers":
                registry.add("serveur", value)
            else:
                registry.add("uo" if kind == "OU" else "objet", value)
    for match in LEGACY_DN_RE.finditer(text):
        parts = LEGACY_PART_RE.findall(match.group(0))
        for index, (kind, value) in enumerate(parts):
            if is_kept(value) or registry.kind_of(value):
                continue
            previous = parts[index - 1][1].casefold() if index else ""
            if kind.lower() == "o":
                registry.add("organisation", value)
            elif kind.lower() == "ou":
                registry.add("groupe-admin", value)
            elif previous == "servers":
                registry.add("serveur", value)
            else:
                registry.add("compte", value)
    for match in SID_RE.finditer(text):
        registry.add("sid", match.group(1))
    netbios = [n.original for n in list(registry.names.values()) if n.kind == "domaine" and "." not in n.original]
    folded = text.casefold() if netbios and "\\" in text else ""  # DOMAIN\account needs a backslash
    for domain in netbios if folded else []:
        if domain.casefold() not in folded:
            continue
        for match in _account_pattern(domain).finditer(text):
            rest = text[match.start(1):].casefold()
            if any(rest.startswith(k) and not rest[len(k):len(k) + 1].isalnum() for k in KEPT_NAMES):
                continue  # BTP\Admins du domaine, LOGI\Exchange Organization Administrators
            account = match.group(1).rstrip(".")
            if not is_kept(account) and not registry.kind_of(account):
                registry.add("compte", account)
