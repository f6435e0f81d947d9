r"""``systeminfo``: operating system, hardware, memory, domain and hotfixes.

Command: ``systeminfo /fo list`` (artifact ``systeminfo``), redirected by
cmd.exe (OEM code page, cp850 on French Windows) or by PowerShell (UTF-16LE
with BOM). ``systeminfo /fo csv`` (one header row, one row per host) is read
too; ``/fo csv /nh`` has no header and is refused.

One :class:`SystemInfo` per host, fields:

====================== =========== ==============================================
field                  type        from (English label / French label)
====================== =========== ==============================================
hostname               str         Host Name / Nom de l'hôte
os_name                str|None    OS Name / Nom du système d'exploitation
os_version             str|None    OS Version / Version du système ("5.2.3790")
os_build               int|None    third number of the OS version
service_pack           int         "Service Pack N" in the OS version, else 0
os_manufacturer        str|None    OS Manufacturer
os_configuration       str|None    OS Configuration (raw)
domain_role            str|None    OS Configuration mapped to ``standalone_workstation``,
                                   ``member_workstation``, ``standalone_server``,
                                   ``member_server``, ``backup_dc``, ``primary_dc``
system_manufacturer    str|None    System Manufacturer / Fabricant du système
system_model           str|None    System Model / Modèle du système
system_type            str|None    System Type (raw, "X86-based PC")
architecture           str|None    ``x86`` / ``x64`` from the system type
processors             list[str]   the ``[01]: …`` entries of Processor(s)
processor_mhz          int|None    "~3192 Mhz" of the first processor
total_memory_mb        int|None    Total Physical Memory ("1,023 MB", "2 047 Mo")
available_memory_mb    int|None    Available Physical Memory
domain                 str|None    Domain / Domaine
logon_server           str|None    Logon Server / Serveur d'ouverture de session
system_locale          str|None    System Locale (raw, "fr;Français (France)")
locale_code            str|None    the part before ";" ("fr", "en-us")
hotfixes               list[str]   KB/Q id of each entry, else the raw entry ("File 1")
hotfix_count_declared  int|None    N of "N Hotfix(s) Installed." / "N Corrections installées."
network_cards          list[str]   adapter names of Network Card(s)
original_install_date  str|None    raw
raw                    dict        every label as printed (padding and ":" removed) -> value;
                                   multi-line values joined with "\n"
====================== =========== ==============================================

Sample (Windows Server 2003 SP1, English, trimmed)::

    Host Name:                 EXCH01
    OS Name:                   Microsoft(R) Windows(R) Server 2003, Standard Edition
    OS Version:                5.2.3790 Service Pack 1 Build 3790
    OS Configuration:          Member Server
    System Type:               X86-based PC
    Processor(s):              1 Processor(s) Installed.
                               [01]: x86 Family 15 Model 4 Stepping 1 GenuineIntel ~3192 Mhz
    Total Physical Memory:     2,047 MB
    Page File: Max Size:       3,947 MB
    Hotfix(s):                 2 Hotfix(s) Installed.
                               [01]: File 1
                               [02]: KB890046 - Update

Label matching: labels are looked up in :data:`LABELS` (English, French
Windows 7 wording, later French variants) after normalising case, NBSP and a
trailing " :"; an exact alias wins, then the longest alias the label starts
with. The label/value split uses the value column shared by the aligned lines,
so labels with an inner colon (``Page File: Max Size:``, ``Mémoire virtuelle :
taille maximale:``) stay whole. Unknown labels are kept in ``raw`` only.

The hotfix list of systeminfo on Windows 2003 is not trustworthy: it can stop
mid-entry (``[240]: KB2862``) while the header announces more, so compare
``len(hotfixes)`` with ``hotfix_count_declared`` and use the registry for the
inventory.

>>> text = "\r\n".join([
...     "Host Name:                 EXCH01",
...     "OS Version:                5.2.3790 Service Pack 1 Build 3790",
...     "OS Configuration:          Member Server",
...     "Page File: Max Size:       3,947 MB",
...     "Hotfix(s):                 2 Hotfix(s) Installed.",
...     "                           [01]: File 1",
...     "                           [02]: KB890046 - Update"])
>>> info = parse_systeminfo(text)[0]
>>> info.hostname, info.os_version, info.os_build, info.service_pack, info.domain_role
('EXCH01', '5.2.3790', 3790, 1, 'member_server')
>>> info.hotfixes, info.hotfix_count_declared, info.raw["Page File: Max Size"]
(['File 1', 'KB890046'], 2, '3,947 MB')
>>> parse_systeminfo("Nom de l'hôte:  SRV\nMémoire physique totale:  2\xa0047 Mo")[0].total_memory_mb
2047
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.lines import text_lines

__all__ = ["SystemInfo", "parse_systeminfo", "LABELS", "DOMAIN_ROLES"]

ARTIFACT = "systeminfo"

# Canonical field -> labels as Windows prints them (without the final ":").
# English: Windows 2003; French: Windows 7 SP1 real capture, then later variants.
LABELS: dict[str, tuple[str, ...]] = {
    "hostname": ("Host Name", "Nom de l'hôte"),
    "os_name": ("OS Name", "Nom du système d'exploitation"),
    "os_version": ("OS Version", "Version du système", "Version du système d'exploitation"),
    "os_manufacturer": ("OS Manufacturer", "Fabricant du système d'exploitation"),
    "os_configuration": ("OS Configuration", "Configuration du système d'exploitation"),
    "original_install_date": ("Original Install Date", "Date d'installation originale",
                              "Date d'installation d'origine"),
    "system_manufacturer": ("System Manufacturer", "Fabricant du système"),
    "system_model": ("System Model", "Modèle du système"),
    "system_type": ("System Type", "Type du système", "Type de système"),
    "processors": ("Processor(s)", "Processeur(s)"),
    "system_locale": ("System Locale", "Option régionale du système",
                      "Paramètres régionaux du système"),
    "total_memory": ("Total Physical Memory", "Mémoire physique totale"),
    "available_memory": ("Available Physical Memory", "Mémoire physique disponible"),
    "domain": ("Domain", "Domaine"),
    "logon_server": ("Logon Server", "Serveur d'ouverture de session", "Serveur de connexion"),
    "hotfixes": ("Hotfix(s)", "Correctif(s)", "Correctifs"),
    "network_cards": ("Network Card(s)", "Carte(s) réseau", "Cartes réseau"),
}

# OS Configuration value (its first part, before "Domain Controller" variants
# such as "Primary Domain Controller") -> Win32_ComputerSystem.DomainRole name.
DOMAIN_ROLES: dict[str, str] = {
    "standalone workstation": "standalone_workstation",
    "member workstation": "member_workstation",
    "standalone server": "standalone_server",
    "member server": "member_server",
    "backup domain controller": "backup_dc",
    "primary domain controller": "primary_dc",
    "station de travail autonome": "standalone_workstation",
    "station de travail membre": "member_workstation",
    "serveur autonome": "standalone_server",
    "serveur membre": "member_server",
    "controleur de domaine secondaire": "backup_dc",
    "controleur de domaine de sauvegarde": "backup_dc",
    "controleur de domaine principal": "primary_dc",
    "controleur principal de domaine": "primary_dc",
    "controleur secondaire de domaine": "backup_dc",
}

_SPACES = "\u00a0\u202f\u2007"


@dataclass(frozen=True)
class SystemInfo:
    hostname: str
    os_name: str | None = None
    os_version: str | None = None
    os_build: int | None = None
    service_pack: int = 0
    os_manufacturer: str | None = None
    os_configuration: str | None = None
    domain_role: str | None = None
    system_manufacturer: str | None = None
    system_model: str | None = None
    system_type: str | None = None
    architecture: str | None = None
    processors: list[str] = field(default_factory=list)
    processor_mhz: int | None = None
    total_memory_mb: int | None = None
    available_memory_mb: int | None = None
    domain: str | None = None
    logon_server: str | None = None
    system_locale: str | None = None
    locale_code: str | None = None
    hotfixes: list[str] = field(default_factory=list)
    hotfix_count_declared: int | None = None
    network_cards: list[str] = field(default_factory=list)
    original_install_date: str | None = None
    raw: dict[str, str] = field(default_factory=dict)


def _norm(label: str) -> str:
    """Lower case, NBSP to space, single spaces, no trailing ":"/spaces."""
    for ch in _SPACES:
        label = label.replace(ch, " ")
    label = label.replace("’", "'")
    return re.sub(r"\s+", " ", label).strip().rstrip(":").strip().lower()


def _fold(text: str) -> str:
    """Drop accents: "Contrôleur" -> "controleur" (for value tables)."""
    decomposed = unicodedata.normalize("NFKD", _norm(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_ALIASES = sorted(((_norm(a), key) for key, aliases in LABELS.items() for a in aliases),
                  key=lambda pair: -len(pair[0]))
_EXACT = dict(_ALIASES)
_LONGEST_ALIAS = len(_ALIASES[0][0])


@lru_cache(maxsize=4096)
def canonical_label(label: str) -> str | None:
    """Canonical field for a printed label, or None.

    >>> canonical_label("Nom de l'h\u00f4te :"), canonical_label("Fabricant du syst\u00e8me d'exploitation")
    ('hostname', 'os_manufacturer')
    >>> canonical_label("Page File: Max Size") is None
    True
    """
    norm = _norm(label)
    if norm in _EXACT:
        return _EXACT[norm]
    # the longest alias followed by " " or "(": try the label's word boundaries, longest first
    for end in range(min(len(norm) - 1, _LONGEST_ALIAS), 0, -1):
        if norm[end] in " (" and norm[:end] in _EXACT:
            return _EXACT[norm[:end]]
    return None


# ---------------------------------------------------------------- list format

# "Host Name:                 EXCH01"  /  "Mémoire virtuelle : taille maximale: 4 095 Mo"
# every ":" followed by padding, then the value's first character. Linear: each ":" is tried once
# and its padding run is scanned once (runs of different colons do not overlap).
_VALUE_START = re.compile(r":[ \u00a0\t]++(?=\S)")
_PAD = " \u00a0\u202f\t"
# A label is short: the longest known one ("Configuration du système d'exploitation") is 40
# characters; splits are only looked for in the first _LABEL_ZONE characters of a line.
_LABEL_ZONE = 200
# Longest line of a real "systeminfo /fo list" (a network card name, a hotfix entry): a few hundred
# characters. Anything longer is not systeminfo output; refusing it keeps parsing linear and fast.
# A real systeminfo output is a few kilobytes (400 hotfixes: 20 Kio); megabytes of it are not.
MAX_TEXT = 4 << 20
MAX_LINE = 8192


def _value_column(lines: list[str]) -> int | None:
    """The column where the aligned values start (the most common one)."""
    starts: Counter[int] = Counter()
    for line in lines:
        if line and not line[0].isspace():
            starts.update(m.end() for m in _VALUE_START.finditer(line, 0, _LABEL_ZONE + 64))
    if not starts:
        return None
    column, count = starts.most_common(1)[0]
    return column if count >= 2 else None


def _label(text: str) -> str:
    """"Mémoire virtuelle : taille maximale :   " -> "Mémoire virtuelle : taille maximale"."""
    return text.rstrip(" \u00a0\u202f\t").removesuffix(":").rstrip(" \u00a0\u202f\t")


def _split_label_line(line: str, column: int | None) -> tuple[str, str] | None:
    starts = [m.end() for m in _VALUE_START.finditer(line, 0, _LABEL_ZONE + 64)]
    if column is not None and column in starts:
        return _label(line[:column]), line[column:].strip()
    # Not aligned: the longest known label the line starts with, then the first ":".
    for pos in reversed(starts):
        if pos <= _LABEL_ZONE and canonical_label(line[:pos]) is not None:
            return _label(line[:pos]), line[pos:].strip()
    # "Registered Organization:"  (empty value)
    bare = line.rstrip(_PAD)
    if bare.endswith(":") and bare[:1] and not bare[0].isspace():
        return _label(bare[:-1]), ""
    if starts:
        return _label(line[:starts[0]]), line[starts[0]:].strip()
    return None


def _parse_list(text: str) -> list[list[tuple[str, list[str]]]]:
    """Hosts as lists of (label, [first line, continuation lines...])."""
    lines = [line.rstrip(" \t") for line in text_lines(text)]
    column = _value_column(lines)
    hosts: list[list[tuple[str, list[str]]]] = []
    current: list[tuple[str, list[str]]] | None = None
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE:
            raise ParseError(f"ligne de {len(line)} caractères, au-delà de {MAX_LINE} : ce n'est pas une "
                             "sortie systeminfo /fo list", artifact=ARTIFACT, line=number)
        if not line.strip():
            continue
        if line[0].isspace():
            # "                           [01]: File 1"  (continuation of the previous label)
            if current:
                current[-1][1].append(line.strip())
                continue
            raise ParseError("ligne de suite sans libellé avant elle : ce n'est pas une sortie "
                             "systeminfo", artifact=ARTIFACT, line=number)
        pair = _split_label_line(line, column)
        if pair is None:
            raise ParseError(f"ligne illisible « {line[:60]} » : ce n'est pas une sortie "
                             "systeminfo /fo list", artifact=ARTIFACT, line=number)
        label, value = pair
        if canonical_label(label) == "hostname" or current is None:
            current = []
            hosts.append(current)
        current.append((label, [value] if value else []))
    return hosts


# ----------------------------------------------------------------- CSV format

# CSV multi-values: "1 Processor(s) Installed.,[01]: x86 Family 6 … ~2992 Mhz"
_CSV_ITEM_SPLIT = re.compile(r",(?=\s*\[\d+\]:)|,(?=\s{2,})|,(?=(?:IP address|Adresse\(s\) IP|"
                             r"Connection Name|Nom de la connexion|DHCP|Status|État|Statut))")


def _parse_csv(text: str) -> list[list[tuple[str, list[str]]]]:
    rows = []
    try:
        # one row per line: a line break inside a value (a network card's name) stays in its field
        for line in text_lines(text.strip()):
            rows += [row for row in csv.reader([line]) if any(c.strip() for c in row)]
    except csv.Error as exc:  # a field over the csv module's limit, a NUL byte, a line break outside quotes…
        raise ParseError(f"sortie systeminfo /fo csv illisible ({exc})", artifact=ARTIFACT) from None
    if not rows:
        raise ParseError("sortie systeminfo /fo csv sans aucune ligne", artifact=ARTIFACT, line=1)
    header = rows[0]
    if not any(canonical_label(cell) for cell in header):
        raise ParseError("sortie systeminfo /fo csv sans ligne d'en-tête (option /nh) : "
                         "relancer « systeminfo /fo csv » sans /nh", artifact=ARTIFACT, line=1)
    hosts = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ParseError(f"ligne CSV de {len(row)} colonnes pour {len(header)} en-têtes",
                             artifact=ARTIFACT, line=number)
        host = []
        for label, cell in zip(header, row):
            parts = [p.strip() for p in _CSV_ITEM_SPLIT.split(cell)] if cell else []
            host.append((label, [p for p in parts if p]))
        hosts.append(host)
    return hosts


# ----------------------------------------------------------- value decoding

# "[01]: x86 Family 15 Model 4 Stepping 1 GenuineIntel ~3192 Mhz"
_ITEM = re.compile(r"^\[(?P<n>[0-9]{1,6})\]:\s*(?P<text>.*)$", re.ASCII | re.DOTALL)  # a LF in a name is data
# "KB890046 - Update", "Q147222", "KB2862" (truncated)
# "KB925398_WMP64", "KB938127-IE7"
_KB = re.compile(r"^(?P<id>(?:KB|Q)\d+)(?!\d)", re.IGNORECASE)
# "192.168.10.20", "fe80::20c:29ff:fe3a:5b7c"
_IP = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F]*:[0-9a-fA-F:.%]+)$")
# "IP address(es)" / "Adresse(s) IP"
_IP_HEADER = re.compile(r"^(?:IP address|Adresse\(?s?\)? IP)", re.IGNORECASE)
# "~3192 Mhz"
_MHZ = re.compile(r"~\s*([0-9]{1,6})\s*Mhz", re.IGNORECASE | re.ASCII)
# "5.2.3790 Service Pack 1 Build 3790" / "6.1.7601 Service Pack 1 version 7601"
_OS_VERSION = re.compile(r"(?<![0-9])(?P<v>[0-9]{1,5}\.[0-9]{1,5}\.(?P<build>[0-9]{1,5}))(?![0-9])", re.ASCII)
_SERVICE_PACK = re.compile(r"Service Pack ([0-9]{1,3})(?![0-9])", re.IGNORECASE | re.ASCII)
# "2,047 MB", "2 047 Mo" (NBSP or narrow NBSP), "2.047 MB"
_MEMORY = re.compile(r"^(?P<n>[0-9]{1,3}(?:[,.\s\u00a0\u202f][0-9]{3}){0,5}|[0-9]{1,15})\s*(?:MB|Mo)$",
                     re.IGNORECASE | re.ASCII)


def _items(lines: list[str]) -> tuple[int | None, list[str]]:
    """Split "N … Installed." + "[nn]: entry" lines; wrapped lines join the previous entry."""
    if not lines:
        return None, []
    # "352 Hotfix(s) Installed." / "73 Corrections installées." / "1 NIC(s) Installed."
    count_match = re.match(r"\s*([0-9]{1,6})(?![0-9])", lines[0], re.ASCII)
    declared = int(count_match.group(1)) if count_match else None
    entries: list[str] = []
    rest = lines[1:] if count_match or not _ITEM.match(lines[0]) else lines
    for line in rest:
        item = _ITEM.match(line)
        if item:
            entries.append(item.group("text").strip())
        elif entries:
            entries[-1] = f"{entries[-1]} {line.strip()}"
    return declared, entries


def _network_cards(lines: list[str]) -> list[str]:
    """Adapter names; "[01]: 192.168.1.10" under "IP address(es)" is an address."""
    cards: list[str] = []
    in_addresses = False
    for line in lines[1:]:
        item = _ITEM.match(line)
        if item and not (in_addresses and _IP.match(item.group("text").strip())):
            cards.append(item.group("text").strip())
            in_addresses = False
        elif _IP_HEADER.match(line):
            in_addresses = True
    return cards


def _memory(value: str | None) -> int | None:
    if not value:
        return None
    match = _MEMORY.match(value.strip())
    if not match:
        return None
    return int(re.sub(r"\D", "", match.group("n")))


def _architecture(system_type: str | None) -> str | None:
    if not system_type:
        return None
    lowered = system_type.lower()
    if lowered.startswith("x64") or "amd64" in lowered:
        return "x64"
    if lowered.startswith("x86"):
        return "x86"
    return None


def _domain_role(configuration: str | None) -> str | None:
    if not configuration:
        return None
    folded = _fold(configuration)
    return DOMAIN_ROLES.get(folded)


def _build(host: list[tuple[str, list[str]]], number: int) -> SystemInfo:
    raw: dict[str, str] = {}
    values: dict[str, list[str]] = {}
    for label, lines in host:
        raw[label] = "\n".join(lines)
        key = canonical_label(label)
        if key and key not in values:
            values[key] = lines

    def first(key: str) -> str | None:
        lines = values.get(key)
        return lines[0] if lines else None

    hostname = first("hostname")
    if not hostname:
        if not values:
            raise ParseError("aucun libellé systeminfo reconnu (ni anglais ni français) : "
                             "ce fichier n'est pas une sortie systeminfo", artifact=ARTIFACT)
        raise ParseError(f"hôte n° {number} sans « Host Name » / « Nom de l'hôte »",
                         artifact=ARTIFACT)
    os_version_raw = first("os_version")
    version = _OS_VERSION.search(os_version_raw or "")
    service_pack = _SERVICE_PACK.search(os_version_raw or "")
    _, processors = _items(values.get("processors", []))
    mhz = _MHZ.search(processors[0]) if processors else None
    declared, hotfix_entries = _items(values.get("hotfixes", []))
    hotfixes = []
    for entry in hotfix_entries:
        kb = _KB.match(entry)
        hotfixes.append(kb.group("id").upper() if kb else entry)
    locale = first("system_locale")
    return SystemInfo(
        hostname=hostname,
        os_name=first("os_name"),
        os_version=version.group("v") if version else None,
        os_build=int(version.group("build")) if version else None,
        service_pack=int(service_pack.group(1)) if service_pack else 0,
        os_manufacturer=first("os_manufacturer"),
        os_configuration=first("os_configuration"),
        domain_role=_domain_role(first("os_configuration")),
        system_manufacturer=first("system_manufacturer"),
        system_model=first("system_model"),
        system_type=first("system_type"),
        architecture=_architecture(first("system_type")),
        processors=processors,
        processor_mhz=int(mhz.group(1)) if mhz else None,
        total_memory_mb=_memory(first("total_memory")),
        available_memory_mb=_memory(first("available_memory")),
        domain=first("domain"),
        logon_server=first("logon_server"),
        system_locale=locale,
        locale_code=locale.split(";", 1)[0].strip() if locale else None,
        hotfixes=hotfixes,
        hotfix_count_declared=declared,
        network_cards=_network_cards(values.get("network_cards", [])),
        original_install_date=first("original_install_date"),
        raw=raw,
    )


def parse_systeminfo(text: str) -> list[SystemInfo]:
    """Parse ``systeminfo`` output (list or CSV, English or French), one entry per host."""
    if len(text) > MAX_TEXT:
        raise ParseError(f"{len(text)} caractères, au-delà de {MAX_TEXT} : ce n'est pas une sortie systeminfo",
                         artifact=ARTIFACT)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ParseError("sortie systeminfo vide", artifact=ARTIFACT)
    first_line = text_lines(text.strip())[0]
    hosts = _parse_csv(text) if first_line.startswith('"') else _parse_list(text)
    if not hosts:
        raise ParseError("aucune ligne « libellé : valeur » : ce fichier n'est pas une sortie "
                         "systeminfo", artifact=ARTIFACT)
    if not any(canonical_label(label) for host in hosts for label, _ in host):
        raise ParseError("aucun libellé systeminfo reconnu (ni anglais ni français) : "
                         "ce fichier n'est pas une sortie systeminfo", artifact=ARTIFACT)
    return [_build(host, number) for number, host in enumerate(hosts, start=1)]
