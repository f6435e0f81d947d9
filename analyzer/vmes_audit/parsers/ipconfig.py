r"""``ipconfig /all``: host name, DNS suffix and each adapter's addresses.

Command: ``ipconfig /all`` (artifact ``ipconfig``), Windows 2000/2003 (later
versions read too), English or French, written by cmd.exe in the OEM code
page (cp850 on French Windows).

Result: :class:`IpConfig` (``hostname``, ``primary_dns_suffix``, ``adapters``)
with one :class:`IpAdapter` per "… adapter …:" / "Carte … :" section:

==================== ======================== ====================================
field                type                     from (English / French label)
==================== ======================== ====================================
name                 str                      the section title without "Ethernet adapter" / "Carte Ethernet"
description          str|None                 Description
physical_address     str|None                 Physical Address / Adresse physique
dhcp_enabled         bool|None                DHCP Enabled / DHCP activé (Yes/Oui, No/Non)
ipv4                 list[(address, mask)]    IP Address / Adresse IP (IPv4 only) + the next Subnet Mask
gateways             list[str]                Default Gateway / Passerelle par défaut (+ continuation lines)
dns_servers          list[str]                DNS Servers / Serveurs DNS (+ continuation lines)
media_disconnected   bool                     Media State / Statut du média = "Media disconnected"
==================== ======================== ====================================

Vista and later suffixes "(Preferred)" / "(préféré)" are stripped.

Sample (Windows Server 2003, French, trimmed)::

    Configuration IP de Windows

       Nom de l'hôte . . . . . . . . . . : VMES01
       Suffixe DNS principal . . . . . . : contoso.local

    Carte Ethernet Connexion au réseau local :

       Adresse IP. . . . . . . . . . . . : 192.168.10.20
       Masque de sous-réseau . . . . . . : 255.255.255.0
       Serveurs DNS . . . . . . . . . . : 192.168.10.5
                                           192.168.10.6

>>> cfg = parse_ipconfig("\r\nWindows IP Configuration\r\n\r\n"
...     "   Host Name . . . . . . . . . . . . : VMES01\r\n\r\n"
...     "Ethernet adapter Local Area Connection:\r\n\r\n"
...     "   DHCP Enabled. . . . . . . . . . . : No\r\n"
...     "   IP Address. . . . . . . . . . . . : 192.168.10.20\r\n"
...     "   Subnet Mask . . . . . . . . . . . : 255.255.255.0\r\n"
...     "   DNS Servers . . . . . . . . . . . : 192.168.10.5\r\n"
...     "                                       192.168.10.6\r\n")
>>> cfg.hostname, cfg.adapters[0].name, cfg.adapters[0].dhcp_enabled
('VMES01', 'Local Area Connection', False)
>>> cfg.adapters[0].ipv4, cfg.adapters[0].dns_servers
([('192.168.10.20', '255.255.255.0')], ['192.168.10.5', '192.168.10.6'])
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from vmes_audit.errors import ParseError

__all__ = ["IpConfig", "IpAdapter", "parse_ipconfig"]

ARTIFACT = "ipconfig"


@dataclass(frozen=True)
class IpAdapter:
    name: str
    description: str | None = None
    physical_address: str | None = None
    dhcp_enabled: bool | None = None
    ipv4: list[tuple[str, str]] = field(default_factory=list)
    gateways: list[str] = field(default_factory=list)
    dns_servers: list[str] = field(default_factory=list)
    media_disconnected: bool = False


@dataclass(frozen=True)
class IpConfig:
    hostname: str | None
    primary_dns_suffix: str | None
    adapters: list[IpAdapter] = field(default_factory=list)


# Labels without accents, lower case -> field. English 2000/2003/Vista+, French.
_FIELDS = {
    "host name": "hostname", "nom de l'hote": "hostname",
    "primary dns suffix": "suffix", "suffixe dns principal": "suffix",
    "description": "description",
    "physical address": "mac", "adresse physique": "mac",
    "dhcp enabled": "dhcp", "dhcp active": "dhcp",
    "ip address": "ip", "ipv4 address": "ip", "autoconfiguration ip address": "ip",
    "autoconfiguration ipv4 address": "ip", "adresse ip": "ip", "adresse ipv4": "ip",
    "adresse ip d'autoconfiguration": "ip", "adresse ipv4 d'autoconfiguration": "ip",
    "subnet mask": "mask", "masque de sous-reseau": "mask",
    "default gateway": "gateway", "passerelle par defaut": "gateway",
    "dns servers": "dns", "serveurs dns": "dns",
    "media state": "media", "statut du media": "media", "etat du media": "media",
}

# "Windows IP Configuration" / "Windows 2000 IP Configuration" / "Configuration IP de Windows"
_TITLE = re.compile(r"^\s*(?:Windows(?: 2000)? IP Configuration|Configuration IP de Windows(?: 2000)?)\s*$",
                    re.IGNORECASE)
# "Ethernet adapter Local Area Connection:" / "PPP adapter VPN:"
_ADAPTER_EN = re.compile(r"^(?P<kind>.+?) adapter (?P<name>.+?)\s*:\s*$")
# "Carte Ethernet Connexion au réseau local :" / "Carte réseau sans fil Wi-Fi :"
_ADAPTER_FR = re.compile(r"^Carte (?P<kind>Ethernet|PPP|Tunnel|Token Ring|réseau sans fil|inconnue)"
                         r"\s+(?P<name>.+?)\s*:\s*$", re.IGNORECASE)
# "Carte Connexion réseau Bluetooth :" (unknown kind word)
_ADAPTER_FR_ANY = re.compile(r"^Carte (?P<name>.+?)\s*:\s*$", re.IGNORECASE)
# "   Physical Address. . . . . . . . . : 00-0C-29-3A-5B-7C"
# "   Adresse physique . . . . . . . . .: 00-0C-29-3A-5B-7C"
# "   Suffixe DNS propre à la connexion :"
_FIELD = re.compile(r"^(?P<indent>\s+)(?P<label>[^.:]+?)[ .]*:\s?(?P<value>.*)$")
# "192.168.10.20", "192.168.1.10(Preferred)"
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
# "(Preferred)" / "(préféré)" / "(Tentative)" / "(Duplicate)"
_SUFFIX = re.compile(r"\s*\((?:preferred|pr[ée]f[ée]r[ée]|tentative|duplicate|dupliqu[ée]|"
                     r"deprecated|d[ée]sapprouv[ée])\)\s*$", re.IGNORECASE)
_YES = {"yes", "oui"}
_NO = {"no", "non"}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("\u00a0", " ").strip().lower())
    return re.sub(r"\s+", " ", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _clean(value: str) -> str:
    return _SUFFIX.sub("", value.strip())


class _Section:
    def __init__(self, name: str):
        self.name = name
        self.values: list[tuple[str, list[str]]] = []


def _adapter_name(line: str) -> str | None:
    for pattern in (_ADAPTER_EN, _ADAPTER_FR, _ADAPTER_FR_ANY):
        match = pattern.match(line)
        if match:
            return match.group("name").strip()
    return None


def _build_adapter(section: _Section) -> IpAdapter:
    fields: dict[str, str] = {}
    ipv4: list[tuple[str, str]] = []
    gateways: list[str] = []
    dns: list[str] = []
    pending_ip: str | None = None
    for key, values in section.values:
        cleaned = [_clean(v) for v in values if _clean(v)]
        if key == "ip":
            if pending_ip is not None:
                ipv4.append((pending_ip, ""))
            pending_ip = cleaned[0] if cleaned and _IPV4.match(cleaned[0]) else None
        elif key == "mask":
            if pending_ip is not None:
                ipv4.append((pending_ip, cleaned[0] if cleaned else ""))
                pending_ip = None
        elif key == "gateway":
            gateways += cleaned
        elif key == "dns":
            dns += cleaned
        elif cleaned and key not in fields:
            fields[key] = cleaned[0]
    if pending_ip is not None:
        ipv4.append((pending_ip, ""))
    dhcp = _fold(fields.get("dhcp", ""))
    return IpAdapter(
        name=section.name,
        description=fields.get("description"),
        physical_address=fields.get("mac"),
        dhcp_enabled=True if dhcp in _YES else False if dhcp in _NO else None,
        ipv4=ipv4,
        gateways=gateways,
        dns_servers=dns,
        media_disconnected="disconnected" in _fold(fields.get("media", ""))
        or "deconnecte" in _fold(fields.get("media", "")),
    )


def parse_ipconfig(text: str) -> IpConfig:
    """Parse ``ipconfig /all`` output (English or French)."""
    lines = [line.rstrip() for line in text.lstrip("\ufeff").splitlines()]
    title = next((i for i, line in enumerate(lines) if _TITLE.match(line)), None)
    if title is None:
        raise ParseError("titre « Windows IP Configuration » / « Configuration IP de Windows » "
                         "absent : ce n'est pas une sortie ipconfig /all", artifact=ARTIFACT)
    host = _Section("")
    sections = [host]
    current_indent = 0
    for number, line in enumerate(lines[title + 1:], start=title + 2):
        if not line.strip():
            continue
        if not line[0].isspace():
            name = _adapter_name(line)
            if name is None:
                raise ParseError(f"ligne illisible « {line[:60]} »", artifact=ARTIFACT, line=number)
            sections.append(_Section(name))
            continue
        indent = len(line) - len(line.lstrip())
        section = sections[-1]
        # "                                       192.168.10.6"  (second DNS server)
        if section.values and indent > current_indent + 8:
            section.values[-1][1].append(line.strip())
            continue
        match = _FIELD.match(line)
        if not match:
            raise ParseError(f"ligne illisible « {line.strip()[:60]} »", artifact=ARTIFACT, line=number)
        current_indent = indent
        key = _FIELDS.get(_fold(match.group("label")), _fold(match.group("label")))
        value = match.group("value").strip()
        section.values.append((key, [value] if value else []))
    if len(sections) == 1 and not host.values:
        raise ParseError("sortie ipconfig sans aucune ligne « libellé . . . : valeur »",
                         artifact=ARTIFACT)
    host_fields = {key: values[0] for key, values in host.values if values}
    return IpConfig(
        hostname=host_fields.get("hostname"),
        primary_dns_suffix=host_fields.get("suffix"),
        adapters=[_build_adapter(section) for section in sections[1:]],
    )
