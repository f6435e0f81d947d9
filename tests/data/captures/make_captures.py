r"""Write the parser test captures as the bytes Windows writes them.

The captures are built by hand (no Windows box here) to match the documented
real formats: systeminfo of Windows 2000/2003 and French Windows, ``regedit /e``
exports, ``whoami /fo csv``, ``ipconfig /all`` and EMS ``Format-List`` output.
Each is written in the encoding the real tool uses:

- cmd.exe redirect: the OEM code page, cp850 on French Windows (ô = 0x93,
  NBSP = 0xFF), ASCII on English Windows, CRLF;
- PowerShell redirect / ``Out-File`` and ``regedit /e``: UTF-16LE with BOM, CRLF;
- ``REGEDIT4`` (``regedit /a``): the ANSI code page, cp1252.

Run ``python tests/data/captures/make_captures.py`` to regenerate; the written
files are committed, tests read those and never call this script.
"""

from __future__ import annotations

import codecs
from pathlib import Path

HERE = Path(__file__).resolve().parent
NBSP = "\u00a0"
NNBSP = "\u202f"


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def write(name: str, text: str, encoding: str) -> None:
    text = crlf(text)
    if encoding == "utf-16le":
        data = codecs.BOM_UTF16_LE + text.encode("utf-16le")
    else:
        data = text.encode(encoding)
    (HERE / name).write_bytes(data)


def listing(rows: list[tuple[str, str | list[str]]], column: int) -> str:
    """systeminfo /fo list: label + ":" padded to ``column``, continuation lines indented."""
    out = [""]
    for label, value in rows:
        values = value if isinstance(value, list) else [value]
        head = f"{label}:"
        if values and values[0]:
            head = head.ljust(column - 1) + " " + values[0] if len(head) < column else head + " " + values[0]
        out.append(head)
        for extra in values[1:]:
            out.append(" " * column + extra)
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ systeminfo

EN_2003 = [
    ("Host Name", "VMES01"),
    ("OS Name", "Microsoft(R) Windows(R) Server 2003, Standard Edition"),
    ("OS Version", "5.2.3790 Service Pack 1 Build 3790"),
    ("OS Manufacturer", "Microsoft Corporation"),
    ("OS Configuration", "Member Server"),
    ("OS Build Type", "Uniprocessor Free"),
    ("Registered Owner", "Contoso IT"),
    ("Registered Organization", ""),
    ("Product ID", "69712-640-3560061-45128"),
    ("Original Install Date", "3/14/2006, 10:22:41 AM"),
    ("System Up Time", "12 Days, 3 Hours, 44 Minutes, 10 Seconds"),
    ("System Manufacturer", "VMware, Inc."),
    ("System Model", "VMware Virtual Platform"),
    ("System Type", "X86-based PC"),
    ("Processor(s)", ["1 Processor(s) Installed.",
                      "[01]: x86 Family 15 Model 4 Stepping 1 GenuineIntel ~3192 Mhz"]),
    ("BIOS Version", "INTEL  - 6040000"),
    ("Windows Directory", "C:\\WINDOWS"),
    ("System Directory", "C:\\WINDOWS\\system32"),
    ("Boot Device", "\\Device\\HarddiskVolume1"),
    ("System Locale", "en-us;English (United States)"),
    ("Input Locale", "fr;French (France)"),
    ("Time Zone", "(GMT+01:00) Brussels, Copenhagen, Madrid, Paris"),
    ("Total Physical Memory", "2,047 MB"),
    ("Available Physical Memory", "1,311 MB"),
    ("Page File: Max Size", "3,947 MB"),
    ("Page File: Available", "3,404 MB"),
    ("Page File: In Use", "543 MB"),
    ("Page File Location(s)", "C:\\pagefile.sys"),
    ("Domain", "contoso.local"),
    ("Logon Server", "\\\\DC01"),
    ("Hotfix(s)", ["6 Hotfix(s) Installed.",
                   "[01]: File 1",
                   "[02]: Q147222",
                   "[03]: KB890046 - Update",
                   "[04]: KB893756 - Update",
                   "[05]: KB896358 - Update",
                   "[06]: KB899587 - Update"]),
    ("Network Card(s)", ["1 NIC(s) Installed.",
                         "[01]: VMware Accelerated AMD PCNet Adapter",
                         "      Connection Name: Local Area Connection",
                         "      DHCP Enabled:    No",
                         "      IP address(es)",
                         "      [01]: 192.168.10.20"]),
]

W2K = [
    ("Host Name", "EXCH2K"),
    ("OS Name", "Microsoft Windows 2000 Server"),
    ("OS Version", "5.0.2195 Service Pack 4 Build 2195"),
    ("OS Manufacturer", "Microsoft Corporation"),
    ("OS Configuration", "Primary Domain Controller"),
    ("OS Build Type", "Multiprocessor Free"),
    ("Registered Owner", "Contoso"),
    ("Registered Organization", "Contoso"),
    ("Product ID", "51876-270-0461503-05264"),
    ("Original Install Date", "11/2/2002, 4:15:02 PM"),
    ("System Up Time", "41 Days, 7 Hours, 2 Minutes, 55 Seconds"),
    ("System Manufacturer", "Compaq"),
    ("System Model", "ProLiant ML370 G2"),
    ("System Type", "X86-based PC"),
    ("Processor(s)", ["2 Processor(s) Installed.",
                      "[01]: x86 Family 6 Model 11 Stepping 1 GenuineIntel ~1266 Mhz",
                      "[02]: x86 Family 6 Model 11 Stepping 1 GenuineIntel ~1266 Mhz"]),
    ("BIOS Version", "COMPAQ - 2"),
    ("Windows Directory", "C:\\WINNT"),
    ("System Directory", "C:\\WINNT\\system32"),
    ("Boot Device", "\\Device\\Harddisk0\\Partition1"),
    ("System Locale", "en-us;English (United States)"),
    ("Input Locale", "en-us;English (United States)"),
    ("Time Zone", "(GMT+01:00) Brussels, Copenhagen, Madrid, Paris"),
    ("Total Physical Memory", "1,023 MB"),
    ("Available Physical Memory", "402 MB"),
    ("Page File: Max Size", "2,470 MB"),
    ("Page File: Available", "1,802 MB"),
    ("Page File: In Use", "668 MB"),
    ("Page File Location(s)", "C:\\pagefile.sys"),
    ("Domain", "contoso.local"),
    ("Logon Server", "\\\\EXCH2K"),
    ("Hotfix(s)", ["4 Hotfix(s) Installed.",
                   "[01]: Q147222",
                   "[02]: KB823182 - Update",
                   "[03]: KB824105 - Update",
                   "[04]: KB828035 - Update"]),
    ("Network Card(s)", "N/A"),
]

# French, Windows 7 SP1 wording (the only real French capture known), values of
# a French Windows Server 2003 SP2 box. Value column 45, NBSP thousands separator.
FR = [
    ("Nom de l'hôte", "VMES-FR"),
    ("Nom du système d'exploitation", "Microsoft(R) Windows(R) Server 2003, Standard Edition"),
    ("Version du système", "5.2.3790 Service Pack 2 version 3790"),
    ("Fabricant du système d'exploitation", "Microsoft Corporation"),
    ("Configuration du système d'exploitation", "Serveur membre"),
    ("Type de version du système d'exploitation", "Multiprocessor Free"),
    ("Propriétaire enregistré", "Service informatique"),
    ("Organisation enregistrée", "Société Exemple"),
    ("Identificateur de produit", "69712-641-4157282-45522"),
    ("Date d'installation originale", "12/09/2007, 09:41:13"),
    ("Heure de démarrage du système", "20/11/2026, 08:02:47"),
    ("Fabricant du système", "VMware, Inc."),
    ("Modèle du système", "VMware Virtual Platform"),
    ("Type du système", "X86-based PC"),
    ("Processeur(s)", ["2 processeur(s) installé(s).",
                       "[01]: x86 Family 6 Model 23 Stepping 10 GenuineIntel ~2992 Mhz",
                       "[02]: x86 Family 6 Model 23 Stepping 10 GenuineIntel ~2992 Mhz"]),
    ("Version du BIOS", "Phoenix Technologies LTD 6.00, 29/07/2009"),
    ("Répertoire Windows", "C:\\WINDOWS"),
    ("Répertoire système", "C:\\WINDOWS\\system32"),
    ("Périphérique d'amorçage", "\\Device\\HarddiskVolume1"),
    ("Option régionale du système", "fr;Français (France)"),
    ("Paramètres régionaux d'entrée", "fr;Français (France)"),
    ("Fuseau horaire", "(GMT+01:00) Bruxelles, Copenhague, Madrid, Paris"),
    ("Mémoire physique totale", f"4{NBSP}095 Mo"),
    ("Mémoire physique disponible", f"2{NBSP}871 Mo"),
    (f"Mémoire virtuelle{NBSP}: taille maximale", f"5{NBSP}972 Mo"),
    (f"Mémoire virtuelle{NBSP}: disponible", f"4{NBSP}710 Mo"),
    (f"Mémoire virtuelle{NBSP}: en cours d'utilisation", f"1{NBSP}262 Mo"),
    ("Emplacements des fichiers d'échange", "C:\\pagefile.sys"),
    ("Domaine", "exemple.local"),
    ("Serveur d'ouverture de session", "\\\\DC-PARIS"),
    ("Correctif(s)", ["5 Corrections installées.",
                      "[01]: File 1",
                      "[02]: Q147222",
                      "[03]: KB914961 - Service Pack",
                      "[04]: KB925398_WMP64",
                      "[05]: KB938127-IE7"]),
    ("Carte(s) réseau", ["1 carte(s) réseau installée(s).",
                         "[01]: Carte AMD PCNET Family Ethernet PCI",
                         "      Nom de la connexion : Connexion au réseau local",
                         "      DHCP activé :         Non",
                         "      Adresse(s) IP",
                         "      [01]: 192.168.20.15"]),
]


def fr_variant() -> str:
    """Later French wording: "Label :" separators, narrow NBSP, wrapped entries."""
    rows = [
        ("Nom de l'hôte", "EXCH-FR2"),
        ("Nom du système d'exploitation", "Microsoft Windows Server 2008 R2 Standard"),
        ("Version du système", "6.1.7601 Service Pack 1 version 7601"),
        ("Configuration du système d'exploitation", "Contrôleur de domaine principal"),
        ("Date d'installation d'origine", "05/03/2012, 14:20:07"),
        ("Fabricant du système", "HP"),
        ("Modèle du système", "ProLiant DL380 G7"),
        ("Type du système", "x64-based PC"),
        ("Processeur(s)", ["1 processeur(s) installé(s).",
                           "[01]: Intel64 Family 6 Model 44 Stepping 2 GenuineIntel",
                           "~2400 Mhz"]),
        ("Paramètres régionaux du système", "fr;Français (France)"),
        ("Mémoire physique totale", f"16{NNBSP}383 Mo"),
        ("Mémoire physique disponible", f"9{NNBSP}120 Mo"),
        ("Mémoire virtuelle : taille maximale", f"32{NNBSP}765 Mo"),
        ("Emplacement(s) du fichier de page", "C:\\pagefile.sys"),
        ("Domaine", "exemple.local"),
        ("Serveur de connexion", "\\\\EXCH-FR2"),
        ("Correctif(s)", ["3 correctif(s) installé(s).",
                          "[01]: KB2479943",
                          "[02]: KB2491683 - Mise à jour de sécurité pour",
                          "Windows Server 2008 R2",
                          "[03]: KB2506212"]),
        ("Carte(s) réseau", ["2 carte(s) réseau installée(s).",
                             "[01]: HP NC382i DP Multifunction Gigabit Server Adapter",
                             "      Nom de la connexion : Connexion au réseau local",
                             "      DHCP activé :         Non",
                             "      Adresse(s) IP",
                             "      [01]: 10.1.0.12",
                             "      [02]: fe80::5d1b:9a7c:1f2e:4b3a",
                             "[02]: HP NC382i DP Multifunction Gigabit Server Adapter #2",
                             "      Nom de la connexion : Connexion au réseau local 2",
                             "      État :                Support déconnecté"]),
    ]
    out = [""]
    for label, value in rows:
        values = value if isinstance(value, list) else [value]
        out.append(f"{label} :".ljust(44) + values[0])
        out += [" " * 44 + extra for extra in values[1:]]
    return "\n".join(out) + "\n"


def truncated_hotfixes() -> str:
    """2003 R2 SP2 English: 352 declared, the list stops at [240] mid-token."""
    entries = ["[01]: File 1"] + [f"[{i:02d}]: File 1" for i in range(2, 171)]
    entries += [f"[{i:03d}]: KB{900000 + i * 37} - Update" for i in range(171, 240)]
    entries.append("[240]: KB2862")
    rows = [
        ("Host Name", "EXCH03"),
        ("OS Name", "Microsoft(R) Windows(R) Server 2003, Standard Edition"),
        ("OS Version", "5.2.3790 Service Pack 2 Build 3790"),
        ("OS Configuration", "Member Server"),
        ("System Type", "X86-based PC"),
        ("Processor(s)", ["2 Processor(s) Installed.",
                          "[01]: x86 Family 6 Model 15 Stepping 11 GenuineIntel ~2327 Mhz",
                          "[02]: x86 Family 6 Model 15 Stepping 11 GenuineIntel ~2327 Mhz"]),
        ("Total Physical Memory", "4,095 MB"),
        ("Domain", "contoso.local"),
        ("Hotfix(s)", ["352 Hotfix(s) Installed."] + entries),
    ]
    return listing(rows, 27)


def csv_capture() -> str:
    def q(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"'

    header, row = [], []
    for label, value in EN_2003:
        header.append(label)
        row.append(",".join(value) if isinstance(value, list) else value)
    return ",".join(q(h) for h in header) + "\n" + ",".join(q(c) for c in row) + "\n"


# --------------------------------------------------------------------- .reg

def reg_hex(prefix: str, data: bytes) -> str:
    """regedit's hex wrapping: lines end with ",\\" near column 77, next indented by 2."""
    out, line = [], prefix
    for i, byte in enumerate(data):
        item = f"{byte:02x}" + ("," if i < len(data) - 1 else "")
        if len(line) + len(item) > 76 and i < len(data) - 1:
            out.append(line + "\\")
            line = "  "
        line += item
    out.append(line)
    return "\n".join(out)


def utf16z(*items: str) -> bytes:
    return b"".join(s.encode("utf-16le") + b"\x00\x00" for s in items)


def ansiz(*items: str) -> bytes:
    return b"".join(s.encode("cp1252") + b"\x00" for s in items)


def reg_v5() -> str:
    setup = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Exchange\\Setup"
    blob = bytes(range(0, 96))
    lines = [
        "Windows Registry Editor Version 5.00",
        "",
        f"[{setup}]",
        '"Services"="C:\\\\Program Files\\\\Exchsrvr"',
        '"ServicePackBuild"=dword:00001c4a',
        '"MsiProductMajor"=dword:00000006',
        '"MsiProductMinor"=dword:00000005',
        '"ServicePackNumber"=dword:00000001',
        '"MsiInstallPath"="C:\\\\Program Files\\\\Exchsrvr\\\\"',
        '"Description"="Serveur \\"Exchange\\" de test"',
        reg_hex('"ExchangeServerAdmin"=hex(2):', utf16z("%SystemRoot%\\system32\\mmc.exe")),
        reg_hex('"Components"=hex(7):', utf16z("Microsoft Exchange Messaging and Collaboration Services",
                                                "Microsoft Exchange System Management Tools", "") ),
        reg_hex('"InstallTime"=hex(b):', (0x01C64A2B3C4D5E6F).to_bytes(8, "little")),
        reg_hex('"Blob"=hex:', blob),
        '"Empty"=hex(0):',
        reg_hex('"Resources"=hex(8):', b"\x01\x00\x00\x00\x02\x00\x00\x00"),
        "@=\"Exchange Setup\"",
        "",
        f"[{setup}\\Components]",
        "",
        f"[{setup}\\Components\\Messaging]",
        '"Installed"=dword:00000001',
        "",
        f"[{setup}\\Components\\SystemManagementTools]",
        '"Installed"=dword:00000001',
        '"Path"="C:\\\\Program Files\\\\Exchsrvr\\\\bin"',
        "",
        "",
    ]
    # "Components" ends with an extra empty string: hex(7) data ends with two NULs
    return "\n".join(lines)


def reg_v4() -> str:
    key = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Hotfix"
    lines = [
        "REGEDIT4",
        "",
        "; exporté par regedit /a",
        f"[{key}]",
        "",
        f"[{key}\\KB890046]",
        '"Installed"=dword:00000001',
        '"Comments"="Mise à jour de sécurité pour Windows Server 2003 (KB890046)"',
        '"Backup Dir"="C:\\\\WINDOWS\\\\$NtUninstallKB890046$"',
        '"Fix Description"="Vulnérabilité dans Microsoft Agent"',
        reg_hex('"Installer"=hex(2):', ansiz("%SystemRoot%\\$NtUninstallKB890046$\\spuninst\\spuninst.exe")),
        reg_hex('"Files"=hex(7):', ansiz("agentdpv.dll", "agentsvr.exe", "Français é", "") ),
        "",
        f"[{key}\\KB893756]",
        '"Installed"=dword:00000001',
        '"Obsolete"=-',
        "",
        f"[-{key}\\KB000000]",
        "",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------ whoami

WHOAMI_USER_EN = '"User Name","SID"\n"contoso\\svc-visto","S-1-5-21-1004336348-1177238915-682003330-1108"\n'
WHOAMI_USER_FR = ('"Nom d\'utilisateur","SID"\n'
                  '"exemple\\andré.visto","S-1-5-21-2286340921-3407427353-1520213287-1133"\n')
_ATTR_EN = "Mandatory group, Enabled by default, Enabled group"
WHOAMI_GROUPS_EN = "\n".join([
    '"Group Name","Type","SID","Attributes"',
    f'"Everyone","Well-known group","S-1-1-0","{_ATTR_EN}"',
    f'"BUILTIN\\Administrators","Alias","S-1-5-32-544","{_ATTR_EN}, Group owner"',
    f'"BUILTIN\\Users","Alias","S-1-5-32-545","{_ATTR_EN}"',
    f'"NT AUTHORITY\\INTERACTIVE","Well-known group","S-1-5-4","{_ATTR_EN}"',
    f'"NT AUTHORITY\\Authenticated Users","Well-known group","S-1-5-11","{_ATTR_EN}"',
    f'"LOCAL","Well-known group","S-1-2-0","{_ATTR_EN}"',
    f'"CONTOSO\\Domain Users","Group","S-1-5-21-1004336348-1177238915-682003330-513","{_ATTR_EN}"',
    f'"CONTOSO\\VMES Admins","Group","S-1-5-21-1004336348-1177238915-682003330-1125","{_ATTR_EN}"',
]) + "\n"
_ATTR_FR = "Groupe obligatoire, Activé par défaut, Groupe activé"
WHOAMI_GROUPS_FR = "\n".join([
    '"Nom du groupe","Type","SID","Attributs"',
    f'"Tout le monde","Groupe bien connu","S-1-1-0","{_ATTR_FR}"',
    f'"BUILTIN\\Administrateurs","Alias","S-1-5-32-544","{_ATTR_FR}, Propriétaire du groupe"',
    f'"BUILTIN\\Utilisateurs","Alias","S-1-5-32-545","{_ATTR_FR}"',
    f'"AUTORITE NT\\INTERACTIF","Groupe bien connu","S-1-5-4","{_ATTR_FR}"',
    f'"AUTORITE NT\\Utilisateurs authentifiés","Groupe bien connu","S-1-5-11","{_ATTR_FR}"',
    f'"LOCAL","Groupe bien connu","S-1-2-0","{_ATTR_FR}"',
    f'"EXEMPLE\\Utilisateurs du domaine","Groupe","S-1-5-21-2286340921-3407427353-1520213287-513","{_ATTR_FR}"',
]) + "\n"


# ----------------------------------------------------------------- ipconfig

def dotted(label: str, width: int) -> str:
    """ipconfig's padding: dots on even columns after the label, then " : ".

    "Host Name . . . . . . . . . . . . :", "Physical Address. . . . . . . . . :"
    """
    text = label + (" " if len(label) % 2 else "")
    while len(text) < width:
        text += ". "
    return text[:width] + ":"


def ipconfig(title: str, indent: int, host: list[tuple[str, str]],
             adapters: list[tuple[str, list[tuple[str, str | list[str]]]]]) -> str:
    pad = " " * indent
    width = 34
    out = ["", title, ""]
    for label, value in host:
        out.append(f"{pad}{dotted(label, width)} {value}".rstrip())
    for name, fields in adapters:
        out += ["", name, ""]
        for label, value in fields:
            values = value if isinstance(value, list) else [value]
            out.append(f"{pad}{dotted(label, width)} {values[0]}".rstrip())
            out += [" " * (indent + width + 2) + extra for extra in values[1:]]
    return "\n".join(out) + "\n"


IPCONFIG_EN = ipconfig("Windows IP Configuration", 3, [
    ("Host Name", "VMES01"),
    ("Primary Dns Suffix", "contoso.local"),
    ("Node Type", "Unknown"),
    ("IP Routing Enabled", "No"),
    ("WINS Proxy Enabled", "No"),
    ("DNS Suffix Search List", "contoso.local"),
], [
    ("Ethernet adapter Local Area Connection:", [
        ("Connection-specific DNS Suffix", ""),
        ("Description", "VMware Accelerated AMD PCNet Adapter"),
        ("Physical Address", "00-0C-29-3A-5B-7C"),
        ("DHCP Enabled", "No"),
        ("IP Address", "192.168.10.20"),
        ("Subnet Mask", "255.255.255.0"),
        ("IP Address", "192.168.10.21"),
        ("Subnet Mask", "255.255.255.0"),
        ("Default Gateway", "192.168.10.1"),
        ("DNS Servers", ["192.168.10.5", "192.168.10.6"]),
        ("Primary WINS Server", "192.168.10.5"),
    ]),
    ("Ethernet adapter Local Area Connection 2:", [
        ("Media State", "Media disconnected"),
        ("Description", "Intel(R) PRO/1000 MT Network Connection"),
        ("Physical Address", "00-0C-29-3A-5B-86"),
    ]),
])

IPCONFIG_W2K = ipconfig("Windows 2000 IP Configuration", 8, [
    ("Host Name", "exch2k"),
    ("Primary DNS Suffix", "contoso.local"),
    ("Node Type", "Hybrid"),
    ("IP Routing Enabled", "No"),
    ("WINS Proxy Enabled", "No"),
    ("DNS Suffix Search List", "contoso.local"),
], [
    ("Ethernet adapter Local Area Connection:", [
        ("Connection-specific DNS Suffix", ""),
        ("Description", "Compaq NC3163 Fast Ethernet NIC"),
        ("Physical Address", "00-08-02-AB-CD-EF"),
        ("DHCP Enabled", "Yes"),
        ("Autoconfiguration Enabled", "Yes"),
        ("IP Address", "192.168.10.30"),
        ("Subnet Mask", "255.255.255.0"),
        ("Default Gateway", ["192.168.10.1", "192.168.10.254"]),
        ("DHCP Server", "192.168.10.5"),
        ("DNS Servers", ["192.168.10.5", "192.168.10.6", "10.0.0.53"]),
        ("Lease Obtained", "Monday, November 20, 2006 8:02:11 AM"),
    ]),
])

IPCONFIG_FR = ipconfig("Configuration IP de Windows", 3, [
    ("Nom de l'hôte", "VMES-FR"),
    ("Suffixe DNS principal", "exemple.local"),
    ("Type de noeud", "Inconnu"),
    ("Routage IP activé", "Non"),
    ("Proxy WINS activé", "Non"),
    ("Liste de recherche du suffixe DNS", "exemple.local"),
], [
    ("Carte Ethernet Connexion au réseau local :", [
        ("Suffixe DNS propre à la connexion", ""),
        ("Description", "Carte AMD PCNET Family Ethernet PCI"),
        ("Adresse physique", "00-50-56-9A-12-34"),
        ("DHCP activé", "Non"),
        ("Adresse IP", "192.168.20.15"),
        ("Masque de sous-réseau", "255.255.255.0"),
        ("Passerelle par défaut", "192.168.20.1"),
        ("Serveurs DNS", ["192.168.20.2", "192.168.20.3"]),
        ("Serveur WINS principal", "192.168.20.2"),
    ]),
    ("Carte Ethernet Connexion au réseau local 2 :", [
        ("Statut du média", "Média déconnecté"),
        ("Description", "Carte Intel(R) PRO/1000 MT pour serveur"),
        ("Adresse physique", "00-50-56-9A-12-35"),
    ]),
])


# ------------------------------------------------------------- Format-List

def format_list(objects: list[list[tuple[str, str]]], width: int = 4096) -> str:
    """Format-List as Out-File writes it: keys padded per object, values wrapped at ``width``."""
    out = [""]
    for obj in objects:
        out.append("")
        keylen = max(len(k) for k, _ in obj)
        column = keylen + 3
        for key, value in obj:
            first = f"{key.ljust(keylen)} : "
            out += wrap(first, value, column, width)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n\n\n\n"


def wrap(prefix: str, value: str, column: int, width: int) -> list[str]:
    """PowerShell's word wrap: break at a space if possible, else cut the word."""
    room = width - column
    lines, rest = [], value
    while len(rest) > room:
        cut = rest.rfind(" ", 0, room + 1)
        if cut <= 0:
            lines.append(rest[:room])
            rest = rest[room:]
        else:
            lines.append(rest[:cut])
            rest = rest[cut + 1:]
    lines.append(rest)
    return [(prefix if i == 0 else " " * column) + line for i, line in enumerate(lines)] if value \
        else [prefix.rstrip()]


ORG_DN = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=local"
AG = "Exchange Administrative Group (FYDIBOHF23SPDLT)"
SERVER_DN = f"CN=EXCH07,CN=Servers,CN={AG},CN=Administrative Groups,{ORG_DN}"

EXCHANGE_SERVERS = [
    [("Name", "EXCH07"),
     ("DataPath", "C:\\Program Files\\Microsoft\\Exchange Server\\Mailbox"),
     ("Domain", "contoso.local"),
     ("Edition", "Standard"),
     ("ExchangeLegacyDN", f"/o=Contoso/ou={AG}/cn=Configuration/cn=Servers/cn=EXCH07"),
     ("ExchangeLegacyServerRole", "0"),
     ("Fqdn", "exch07.contoso.local"),
     ("IsHubTransportServer", "True"),
     ("IsClientAccessServer", "True"),
     ("IsExchange2007OrLater", "True"),
     ("IsEdgeServer", "False"),
     ("IsMailboxServer", "True"),
     ("IsUnifiedMessagingServer", "False"),
     ("IsProvisionedServer", "False"),
     ("NetworkAddress", "{ncacn_vns_spp:EXCH07, netbios:EXCH07, ncacn_np:EXCH07, ncacn_spx:EXCH07, "
                        "ncacn_ip_tcp:exch07.contoso.local, ncalrpc:EXCH07}"),
     ("Site", "contoso.local/Configuration/Sites/Default-First-Site-Name"),
     ("ServerRole", "Mailbox, ClientAccess, HubTransport"),
     ("ErrorReportingEnabled", ""),
     ("StaticDomainControllers", "{}"),
     ("AdminDisplayVersion", "Version 8.1 (Build 240.6)"),
     ("ExchangeVersion", "0.1 (8.0.535.0)"),
     ("DistinguishedName", SERVER_DN),
     ("Identity", "EXCH07"),
     ("ObjectCategory", "contoso.local/Configuration/Schema/ms-Exch-Exchange-Server"),
     ("ObjectClass", "{top, server, msExchExchangeServer}"),
     ("IsValid", "True")],
    [("Name", "EXCH2003"),
     ("DataPath", ""),
     ("Domain", "contoso.local"),
     ("Edition", "Enterprise"),
     ("ExchangeLegacyDN", "/o=Contoso/ou=First Administrative Group/cn=Configuration/cn=Servers/cn=EXCH2003"),
     ("Fqdn", "exch2003.contoso.local"),
     ("IsExchange2007OrLater", "False"),
     ("ServerRole", "None"),
     ("StaticDomainControllers", "{}"),
     ("AdminDisplayVersion", "Version 6.5 (Build 7638.2: Service Pack 2)"),
     ("ExchangeVersion", "0.0 (6.5.6500.0)"),
     ("Identity", "EXCH2003"),
     ("IsValid", "True")],
]

EXCHANGE_ADMINISTRATORS = [
    [("Identity", "contoso.local/Users/Administrator"), ("Scope", ""), ("Role", "OrgAdmin")],
    [("Identity", "contoso.local/Comptes de service/svc-visto"), ("Scope", ""),
     ("Role", "ViewOnlyAdministrator")],
    [("Identity", "contoso.local/Users/srvadmin"), ("Scope", "EXCH07"), ("Role", "ServerAdmin")],
]


def ad_permission(identity: str, rights: str, extended: str, deny: str, inherited: str,
                  inheritance: str = "All") -> list[tuple[str, str]]:
    return [("AccessRights", rights), ("ExtendedRights", extended), ("ChildObjectTypes", ""),
            ("InheritedObjectType", ""), ("Properties", ""), ("Deny", deny),
            ("InheritanceType", inheritance), ("User", "CONTOSO\\svc-visto"),
            ("Identity", identity), ("IsInherited", inherited), ("IsValid", "True")]


AD_PERMISSIONS = [
    ad_permission(SERVER_DN, "{ExtendedRight}", "{Receive-As}", "False", "False"),
    ad_permission(SERVER_DN, "{ExtendedRight}", "{Send-As}", "False", "False"),
    ad_permission(SERVER_DN, "{ExtendedRight}", "{ms-Exch-Store-Admin}", "False", "False"),
    ad_permission(SERVER_DN, "{ExtendedRight}", "{Send As, Receive As}", "True", "True"),
    ad_permission(SERVER_DN, "{ReadProperty, GenericExecute}", "", "False", "True", "Descendents"),
]

MAILBOX = [[
    ("Database", "EXCH07\\First Storage Group\\Mailbox Database"),
    ("DeletedItemFlags", "DatabaseDefault"),
    ("UseDatabaseRetentionDefaults", "True"),
    ("RetainDeletedItemsUntilBackup", "False"),
    ("DeliverToMailboxAndForward", "False"),
    ("ExchangeGuid", "3f6b2c1e-8d4a-4e5f-9a7b-0c1d2e3f4a5b"),
    ("ExchangeSecurityDescriptor", "System.Security.AccessControl.RawSecurityDescriptor"),
    ("ExchangeUserAccountControl", "None"),
    ("IsMailboxEnabled", "True"),
    ("ProhibitSendQuota", "unlimited"),
    ("ProtocolSettings", "{}"),
    ("RecipientLimits", "unlimited"),
    ("IsResource", "False"),
    ("SamAccountName", "svc-visto"),
    ("ServerLegacyDN", f"/o=Contoso/ou={AG}/cn=Configuration/cn=Servers/cn=EXCH07"),
    ("ServerName", "exch07"),
    ("UserPrincipalName", "svc-visto@contoso.local"),
    ("Alias", "svc-visto"),
    ("OrganizationalUnit", "contoso.local/Comptes de service"),
    ("DisplayName", "Compte de service VMES (Visto)"),
    ("EmailAddresses", "{SMTP:svc-visto@contoso.com, smtp:svc-visto@contoso.local, "
                       "X400:c=FR;a= ;p=Contoso;o=Exchange;s=svc-visto;, smtp:visto@contoso.com...}"),
    ("HiddenFromAddressListsEnabled", "False"),
    ("LegacyExchangeDN", "/o=Contoso/ou=First Administrative Group/cn=Recipients/cn=svc-visto"),
    ("PrimarySmtpAddress", "svc-visto@contoso.com"),
    ("RecipientType", "UserMailbox"),
    ("RecipientTypeDetails", "UserMailbox"),
    ("WindowsEmailAddress", "svc-visto@contoso.com"),
    ("Identity", "contoso.local/Comptes de service/svc-visto"),
    ("IsValid", "True"),
    ("OriginatingServer", "DC01.contoso.local"),
    ("Name", "svc-visto"),
    ("DistinguishedName", "CN=svc-visto,OU=Comptes de service,DC=contoso,DC=local"),
    ("ObjectClass", "{top, person, organizationalPerson, user}"),
]]


def main() -> None:
    write("systeminfo_en_2003sp1.txt", listing(EN_2003, 27), "ascii")
    write("systeminfo_w2k_sp4.txt", listing(W2K, 27), "ascii")
    write("systeminfo_fr_cp850.txt", listing(FR, 45), "cp850")
    write("systeminfo_fr_utf16.txt", listing(FR, 45), "utf-16le")
    write("systeminfo_fr_variant_utf16.txt", fr_variant(), "utf-16le")
    write("systeminfo_truncated_hotfixes.txt", truncated_hotfixes(), "ascii")
    write("systeminfo_en_csv.txt", csv_capture(), "ascii")
    write("reg_exchange_setup_v5.reg", reg_v5(), "utf-16le")
    write("reg_hotfix_regedit4.reg", reg_v4(), "cp1252")
    write("whoami_user_en.txt", WHOAMI_USER_EN, "ascii")
    write("whoami_user_fr_cp850.txt", WHOAMI_USER_FR, "cp850")
    write("whoami_groups_en.txt", WHOAMI_GROUPS_EN, "ascii")
    write("whoami_groups_fr_cp850.txt", WHOAMI_GROUPS_FR, "cp850")
    write("ipconfig_en_2003.txt", IPCONFIG_EN, "ascii")
    write("ipconfig_w2k.txt", IPCONFIG_W2K, "ascii")
    write("ipconfig_fr_cp850.txt", IPCONFIG_FR, "cp850")
    write("ems_exchangeserver.txt", format_list(EXCHANGE_SERVERS), "utf-16le")
    write("ems_exchangeadministrator.txt", format_list(EXCHANGE_ADMINISTRATORS), "utf-16le")
    # Collected by hand with "| fl > file" in an 80-column console: wrapped lines.
    write("ems_adpermission.txt", format_list(AD_PERMISSIONS, width=79), "utf-16le")
    write("ems_mailbox.txt", format_list(MAILBOX, width=120), "utf-16le")


if __name__ == "__main__":
    main()
