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

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.lines import text_lines

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
# Section titles are matched without regular expressions on the whole line (a lazy ".+?" before
# "\s*:\s*$" is quadratic on a long line of spaces): the line must end with ":".
# "Ethernet adapter Local Area Connection:" / "PPP adapter VPN:"
_ADAPTER_WORD = " adapter "
# "Carte Ethernet Connexion au réseau local :" / "Carte réseau sans fil Wi-Fi :"
_FR_KINDS = ("ethernet", "ppp", "tunnel", "token ring", "réseau sans fil", "inconnue")
# "192.168.10.20", "192.168.1.10(Preferred)"
_IPV4 = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$", re.ASCII)
# "(Preferred)" / "(préféré)" / "(Tentative)" / "(Duplicate)"
_SUFFIX = re.compile(r"^(?:preferred|pr[ée]f[ée]r[ée]|tentative|duplicate|dupliqu[ée]|"
                     r"deprecated|d[ée]sapprouv[ée])$", re.IGNORECASE)
# Longest line of a real "ipconfig /all": an adapter description, a few hundred characters.
# A real ipconfig /all output is a few kilobytes (400 hotfixes: 20 Kio); megabytes of it are not.
MAX_TEXT = 4 << 20
MAX_LINE = 4096
_YES = {"yes", "oui"}
_NO = {"no", "non"}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("\u00a0", " ").strip().lower())
    return re.sub(r"\s+", " ", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _clean(value: str) -> str:
    """"192.168.1.10(Preferred)" -> "192.168.1.10" (Vista and later)."""
    value = value.strip()
    if value.endswith(")"):
        opening = value.rfind("(")
        if opening >= 0 and _SUFFIX.match(value[opening + 1:-1].strip()):
            return value[:opening].rstrip()
    return value


def _split_field(line: str) -> tuple[str, str, str] | None:
    """(indent, label, value) of "   Physical Address. . . . . . . . . : 00-0C-29-3A-5B-7C", else None.

    The label is what precedes the first ":", without its trailing dots and spaces; it holds no
    other "." ("Adresse IP. . . :" is "Adresse IP").

    >>> _split_field("   Adresse physique . . . . . . . . .: 00-0C-29-3A-5B-7C")
    ('   ', 'Adresse physique', '00-0C-29-3A-5B-7C')
    >>> _split_field("   Suffixe DNS propre à la connexion :"), _split_field("   a.b . : c")
    (('   ', 'Suffixe DNS propre à la connexion', ''), None)
    """
    colon = line.find(":")
    if colon < 0:
        return None
    head = line[:colon]
    label_start = len(head) - len(head.lstrip())
    if label_start == 0:
        return None
    label = head[label_start:].rstrip(" .")
    if not label or "." in label:
        return None
    value = line[colon + 1:]
    if value[:1].isspace():
        value = value[1:]
    return head[:label_start], label, value


class _Section:
    def __init__(self, name: str):
        self.name = name
        self.values: list[tuple[str, list[str]]] = []


def _adapter_name(line: str) -> str | None:
    """The adapter's name in a section title, None when the line is no section title.

    >>> _adapter_name("Ethernet adapter Local Area Connection:"), _adapter_name("Carte Ethernet Connexion au réseau local :")
    ('Local Area Connection', 'Connexion au réseau local')
    >>> _adapter_name("Carte Connexion réseau Bluetooth :"), _adapter_name("x adapter " + " " * 9 + "y")
    ('Connexion réseau Bluetooth', None)
    """
    title = line.rstrip()
    if not title.endswith(":"):
        return None
    title = title[:-1].rstrip()
    found = title.find(_ADAPTER_WORD, 1)
    if found > 0:
        name = title[found + len(_ADAPTER_WORD):].strip()
        return name or None
    if title[:6].lower() == "carte " and len(title) > 6:
        rest = title[6:]
        lowered = rest.lower()
        for kind in _FR_KINDS:
            if lowered.startswith(kind) and rest[len(kind):len(kind) + 1].isspace():
                name = rest[len(kind):].strip()
                if name:
                    return name
        return rest.strip() or None
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
    if len(text) > MAX_TEXT:
        raise ParseError(f"{len(text)} caractères, au-delà de {MAX_TEXT} : ce n'est pas une sortie ipconfig /all",
                         artifact=ARTIFACT)
    lines = [line.rstrip(" \t") for line in text_lines(text.lstrip("\ufeff"))]
    title = next((i for i, line in enumerate(lines) if _TITLE.match(line)), None)
    if title is None:
        raise ParseError("titre « Windows IP Configuration » / « Configuration IP de Windows » "
                         "absent : ce n'est pas une sortie ipconfig /all", artifact=ARTIFACT)
    host = _Section("")
    sections = [host]
    current_indent = 0
    for number, line in enumerate(lines[title + 1:], start=title + 2):
        if len(line) > MAX_LINE:
            raise ParseError(f"ligne de {len(line)} caractères, au-delà de {MAX_LINE} : ce n'est pas une "
                             "sortie ipconfig /all", artifact=ARTIFACT, line=number)
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
        field_parts = _split_field(line)
        if field_parts is None:
            raise ParseError(f"ligne illisible « {line.strip()[:60]} »", artifact=ARTIFACT, line=number)
        current_indent = indent
        label = _fold(field_parts[1])
        key = _FIELDS.get(label, label)
        value = field_parts[2].strip()
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
