"""The customer names a sample holds, read straight from its readable sources
(``samples/src/<name>/``), independently of the analyzer's pseudonymiser: the
leak test searches every output for each of them.

What counts as a customer name (issue 11): domain and DNS names, host names,
account and group names, DN components, the domain part of SIDs, IP
addresses (IPv4 and IPv6), organisation and client names, e-mail addresses,
proxy hosts and exceptions, PAC URLs, Exchange sites, MAPI profile names,
logon servers. What does not:
the names Windows and Exchange give (``WINDOWS_NAMES`` below, and any
principal whose SID is well known or whose RID is below 1000) and the
vendor's NOC (``push.sfr.fr``, its addresses), which are the same for every
customer.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

# Written by Windows or Exchange setup, in French and English: not the customer's.
WINDOWS_NAMES = {n.casefold() for n in (
    "Administrateur", "Administrator", "Administrateurs", "Administrators", "Users", "Utilisateurs", "Builtin",
    "BUILTIN", "System", "SYSTEM", "AUTORITE NT", "NT AUTHORITY", "Configuration", "Services", "Microsoft Exchange",
    "Administrative Groups", "Servers", "InformationStore", "Partitions", "AdminSDHolder", "Schema", "Computers",
    "First Administrative Group", "Premier groupe d'administration", "Exchange Administrative Group (FYDIBOHF23SPDLT)",
    "First Storage Group", "Premier groupe de stockage", "Mailbox Database", "Address Lists Container",
    "All Address Lists", "All Global Address Lists", "Tous les utilisateurs", "Liste d'adresses globale par défaut",
    "Default Global Address List", "Microsoft Exchange Security Groups", "Exchange View-Only Administrators",
    "Exchange Organization Administrators", "Admins du domaine", "Domain Admins", "Utilisateurs du domaine",
    "Domain Users", "Recipients", "Directory Service", "Windows NT", "Sites", "Exchange Servers",
    "Exchange Domain Servers", "Exchange Enterprise Servers", "WORKGROUP",
)}
NOC = {"push.sfr.fr", "206.124.113.45"}
# customer names that are also words of every report: searched only where they name something
PRODUCT_WORDS = {"proxy", "wpad", "vmes", "outlook", "exemple", "service", "groupes"}
_IPV6 = re.compile(r"(?<![\w:])((?:[0-9a-fA-F]{1,4}:|:){2,7}[0-9a-fA-F]{1,4})(?![\w:])")
_PROXY_FIELDS = re.compile(r"(?im)^(ProxyServer|ProxyOverride|AutoConfigURL)=(.+?)\s*$")
_SITE = re.compile(r"(?im)^Site\s*:\s*\S+/Configuration/Sites/(.+?)\s*$")
_LOGON_SERVER = re.compile(r"(?im)^(?:Serveur d'ouverture de session|Logon Server)\s*:\s*\\\\(\S+)\s*$")
_PROFILE_KEY = re.compile(r"(?i)\\Windows Messaging Subsystem\\Profiles\\([^\\\]]+)")
_IPV4 = re.compile(r"(?<![\d.])((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?![\d.])")
_MASK = {"0", "128", "192", "224", "240", "248", "252", "254", "255"}
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_SID = re.compile(r"S-1-5-21-(\d+-\d+-\d+)(?:-(\d+))?")
_DN_PART = re.compile(r"(?i)\b(CN|OU)=((?:\\,|[^,\r\n])+?),(?=\s?(?:CN|OU|DC|O)=)")
_DC_CHAIN = re.compile(r"(?i)\bDC=[A-Za-z0-9-]+(?:,DC=[A-Za-z0-9-]+)+")
_LEGACY = re.compile(r"(?i)/(o|ou|cn)=([^/\r\n]+?)(?=/|$|\r|\n)")
# record and EMS fields that hold a customer name (the value, or both sides of DOMAIN\name)
_NAME_FIELDS = re.compile(
    r"(?im)^\s*(sAMAccountName|dNSHostName|nETBIOSName|dnsRoot\[\]|name|Name|Server|Fqdn|Trustee|User|Alias|"
    r"DisplayName|ServerName|Domain|OriginatingServer|Host|run_as|Nom de l'hôte|Host Name|Domaine|"
    r"Organisation enregistrée|Registered Organization|Propriétaire enregistré|Registered Owner)"
    r"\s*[:=]\s*(.+?)\s*$")
_SID_FIELD = re.compile(r"(?i)^(objectSid|Sid|TrusteeSid|SID)=(.+)$")
# record files whose "name"/"Name" fields are Windows objects (services, programs…), not customer names
_MACHINE_FILES = re.compile(r"^(wmi_(?!networkadapterconfig)|reg_|file_versions|net_noc_probe|net_proxy)")


@dataclass(frozen=True)
class CustomerName:
    value: str
    kind: str  # what it is, for the test's listing
    as_dn: bool = False  # an OU=/CN= component: searched in its DN form ("OU=Chantiers")

    def pattern(self) -> re.Pattern[str]:
        if self.as_dn:
            return re.compile(r"(?i)\b(?:OU|CN)=" + re.escape(self.value) + r"(?=,)")
        name = re.escape(self.value)
        if self.value.casefold() in PRODUCT_WORDS:  # « proxy » is also a word of the report
            return re.compile(r"(?i)(?:(?<=[\\@/])" + name + r"(?![^\W_])|(?<![^\W_])" + name
                              + r"(?=:\d|\.[^\W_]|\\))")
        return re.compile(r"(?i)(?<![^\W_])" + name + r"(?![^\W_])")


def _windows(value: str) -> bool:
    return value.casefold() in WINDOWS_NAMES or bool(re.match(
        r"(?i)^(banque de boîtes aux lettres|mailbox store) \(", value))


def _record_blocks(text: str) -> list[dict[str, str]]:
    blocks, current = [], {}
    for line in text.splitlines():
        if line.startswith("["):
            if current:
                blocks.append(current)
            current = {}
        elif "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            current[key.rstrip("[]")] = value
    if current:
        blocks.append(current)
    return blocks


def _well_known_sid(sid: str) -> bool:
    match = re.match(r"(?i)S-1-5-21-\d+-\d+-\d+-(\d+)$", sid.strip())
    return not match or int(match.group(1)) < 1000


def customer_names(source: Path, client: str = "") -> list[CustomerName]:
    """Every customer name of one sample's sources (``samples/src/<name>`` or a loose folder)."""
    found: dict[tuple[str, bool], CustomerName] = {}

    def add(value: str, kind: str, as_dn: bool = False) -> None:
        value = value.strip().strip('"').rstrip(".")
        if len(value) < 3 or _windows(value) or value.casefold() in NOC:
            return
        found.setdefault((value.casefold(), as_dn), CustomerName(value, kind, as_dn))

    if client:
        add(client, "client")
    spec_file = source / "collection.yaml"
    if spec_file.is_file():
        spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
        manifest = spec["manifest"]
        add(manifest["host"]["name"], "hôte (manifeste)")
        add(manifest["host"].get("dns_domain") or "", "domaine DNS (manifeste)")
        domain, _, account = manifest["run_as"]["name"].rpartition("\\")
        add(domain, "domaine NetBIOS (manifeste)")
        if not _well_known_sid(manifest["run_as"].get("sid", "")):
            add(account, "compte (manifeste)")
        add(str(manifest.get("parameters", {}).get("client") or ""), "client (manifeste)")
    for path in sorted(source.iterdir()):
        if not path.is_file() or path.name == "collection.yaml":
            continue
        raw = path.read_bytes()
        text = raw.decode("utf-16") if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else raw.decode("utf-8", "replace")
        for match in _EMAIL.finditer(text):
            add(match.group(0), "adresse e-mail")
        for match in _SID.finditer(text):
            add(match.group(1), "partie domaine d'un SID")
        for match in _DC_CHAIN.finditer(text):
            add(".".join(p.split("=", 1)[1] for p in match.group(0).split(",")), "domaine (DN)")
        for match in _DN_PART.finditer(text):
            add(match.group(2).replace("\\,", ","), f"composant {match.group(1).upper()}= d'un DN", as_dn=True)
        for match in _LEGACY.finditer(text):
            kind, value = match.groups()
            if kind.lower() == "o":
                add(value, "organisation Exchange")
        if not _MACHINE_FILES.match(path.name):
            if text.startswith("#VMES-RECORDS"):
                # one block per record: a principal with a well-known SID is Windows's
                for block in _record_blocks(text):
                    sid = next((v for k, v in block.items() if _SID_FIELD.match(f"{k}={v}")), "")
                    if sid and _well_known_sid(sid):
                        continue
                    for field, value in block.items():
                        if _NAME_FIELDS.match(f"{field}={value}"):
                            _add_name(add, field, value)
            else:
                for match in _NAME_FIELDS.finditer(text):
                    _add_name(add, *match.groups())
        for match in _PROXY_FIELDS.finditer(text):
            for entry in re.split(r"[;\s]+", match.group(2)):
                host = re.sub(r"^(?:\w+=)?(?:\w+://)?", "", entry).split("/")[0].split(":")[0].lstrip("*.")
                if re.fullmatch(r"[\d.*]+", host):  # 192.168.*: an address range
                    add(host, f"plage d'adresses ({match.group(1)})")
                elif host and host != "<local>":
                    label, _, domain = host.partition(".")
                    add(label, f"hôte ({match.group(1)})")
                    add(domain, f"domaine ({match.group(1)})")
        for match in _SITE.finditer(text):
            add(match.group(1), "site Exchange")
        for match in _LOGON_SERVER.finditer(text):
            add(match.group(1), "serveur d'ouverture de session")
        for match in _PROFILE_KEY.finditer(text):
            add(match.group(1), "profil MAPI")
        for match in _IPV6.finditer(text):
            try:
                ipaddress.IPv6Address(match.group(1))
            except ValueError:
                continue  # a time, a MAC address
            add(match.group(1), "adresse IPv6")
        if path.name.startswith(("ipconfig", "wmi_networkadapterconfig", "net_exchange_path", "systeminfo")):
            for match in _IPV4.finditer(text):
                ip = match.group(1)
                octets = ip.split(".")
                if ip in NOC or ip.startswith("127.") or all(o in _MASK for o in octets):
                    continue
                add(ip, "adresse IP")
    return sorted(found.values(), key=lambda n: (n.kind, n.value.casefold()))


def _add_name(add, field: str, value: str) -> None:
    value = value.strip()
    if not value or value.startswith(("{", "CN=", "/o=")):
        return
    for part in re.split(r"[\\/]", value):
        if field.lower() in ("fqdn", "dnshostname", "originatingserver") and "." in part:
            host, _, dns = part.partition(".")
            add(host, f"hôte ({field})")
            add(dns, f"domaine ({field})")
        else:
            add(part, f"nom ({field})")


def leaks(text: str, names: list[CustomerName]) -> list[tuple[CustomerName, str]]:
    """Each name found in ``text``, with its context."""
    out = []
    for name in names:
        match = name.pattern().search(text)
        if match:
            out.append((name, text[max(0, match.start() - 50):match.end() + 30].replace("\n", " ")))
    return out
