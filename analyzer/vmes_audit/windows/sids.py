"""Security identifiers (SIDs): well-known principals, domain RIDs, parsing.

Every comparison of principals in the analyzer is done on SIDs, never on
names: a French Windows calls Domain Admins « Admins du domaine » and
BUILTIN\\Administrators « Administrateurs » (``domain-facts.md`` §3.3, §6.3).
SIDs are normalised to the ``S-1-…`` form with an upper-case ``S``.

>>> domain_sid_of("S-1-5-21-1004336348-1177238915-682003330-1105")
'S-1-5-21-1004336348-1177238915-682003330'
>>> rid_of("S-1-5-21-1004336348-1177238915-682003330-512")
512
>>> sid_from_hex("010500000000000515000000dcf4dc3b833d2b46828ba62800020000")
'S-1-5-21-1004336348-1177238915-682003330-512'
>>> protected_group_sids("S-1-5-21-1-2-3")["S-1-5-21-1-2-3-512"]
'Admins du domaine (Domain Admins)'
"""

from __future__ import annotations

import re
from functools import lru_cache

from vmes_audit.base.errors import ParseError

__all__ = [
    "EVERYONE", "AUTHENTICATED_USERS", "SELF", "CREATOR_OWNER", "LOCAL_SYSTEM",
    "BUILTIN_ADMINISTRATORS", "BUILTIN_USERS", "ACCOUNT_OPERATORS", "SERVER_OPERATORS",
    "PRINT_OPERATORS", "BACKUP_OPERATORS",
    "RID_ADMINISTRATOR", "RID_KRBTGT", "RID_DOMAIN_ADMINS", "RID_DOMAIN_USERS",
    "RID_DOMAIN_GUESTS", "RID_DOMAIN_COMPUTERS", "RID_DOMAIN_CONTROLLERS",
    "RID_CERT_PUBLISHERS", "RID_SCHEMA_ADMINS", "RID_ENTERPRISE_ADMINS",
    "WELL_KNOWN_SIDS", "DOMAIN_RIDS",
    "is_valid_sid", "normalize_sid", "domain_sid_of", "rid_of", "sid_from_hex",
    "protected_group_sids", "sid_name_fr", "NETWORK", "THIS_ORGANIZATION", "ANONYMOUS", "PRE_WINDOWS_2000",
    "principal_key", "name_key", "well_known_names",
]

# Well-known SIDs (MicrosoftDocs win32 SecAuthZ/well-known-sids.md).
EVERYONE = "S-1-1-0"
CREATOR_OWNER = "S-1-3-0"
AUTHENTICATED_USERS = "S-1-5-11"
SELF = "S-1-5-10"  # PRINCIPAL_SELF: stands for the object itself when it is a principal
LOCAL_SYSTEM = "S-1-5-18"
ENTERPRISE_DOMAIN_CONTROLLERS = "S-1-5-9"
BUILTIN_ADMINISTRATORS = "S-1-5-32-544"
BUILTIN_USERS = "S-1-5-32-545"
ACCOUNT_OPERATORS = "S-1-5-32-548"
SERVER_OPERATORS = "S-1-5-32-549"
PRINT_OPERATORS = "S-1-5-32-550"
BACKUP_OPERATORS = "S-1-5-32-551"
PRE_WINDOWS_2000 = "S-1-5-32-554"
NETWORK = "S-1-5-2"
ANONYMOUS = "S-1-5-7"
THIS_ORGANIZATION = "S-1-5-15"

# Relative identifiers of domain accounts and groups: S-1-5-21-<domain>-<RID>.
RID_ADMINISTRATOR = 500
RID_KRBTGT = 502
RID_DOMAIN_ADMINS = 512
RID_DOMAIN_USERS = 513
RID_DOMAIN_GUESTS = 514
RID_DOMAIN_COMPUTERS = 515
RID_DOMAIN_CONTROLLERS = 516
RID_CERT_PUBLISHERS = 517
RID_SCHEMA_ADMINS = 518
RID_ENTERPRISE_ADMINS = 519
RID_GROUP_POLICY_CREATOR_OWNERS = 520

# French display names: the name a French Windows shows, then the English one,
# so that the report reads right whatever the language of the customer's DCs.
WELL_KNOWN_SIDS: dict[str, str] = {
    EVERYONE: "Tout le monde (Everyone)",
    CREATOR_OWNER: "Propriétaire créateur (Creator Owner)",
    AUTHENTICATED_USERS: "Utilisateurs authentifiés (Authenticated Users)",
    SELF: "Soi-même (SELF)",
    LOCAL_SYSTEM: "Système local (Local System)",
    ENTERPRISE_DOMAIN_CONTROLLERS: "Contrôleurs de domaine d'entreprise (Enterprise Domain Controllers)",
    BUILTIN_ADMINISTRATORS: "Administrateurs (BUILTIN\\Administrators)",
    BUILTIN_USERS: "Utilisateurs (BUILTIN\\Users)",
    ACCOUNT_OPERATORS: "Opérateurs de compte (Account Operators)",
    SERVER_OPERATORS: "Opérateurs de serveur (Server Operators)",
    PRINT_OPERATORS: "Opérateurs d'impression (Print Operators)",
    BACKUP_OPERATORS: "Opérateurs de sauvegarde (Backup Operators)",
    PRE_WINDOWS_2000: "Accès compatible pré-Windows 2000 (Pre-Windows 2000 Compatible Access)",
    NETWORK: "Réseau (NETWORK)",
    ANONYMOUS: "Ouverture de session anonyme (ANONYMOUS LOGON)",
    THIS_ORGANIZATION: "Cette organisation (This Organization)",
}

DOMAIN_RIDS: dict[int, str] = {
    RID_ADMINISTRATOR: "Administrateur (Administrator)",
    RID_KRBTGT: "krbtgt",
    RID_DOMAIN_ADMINS: "Admins du domaine (Domain Admins)",
    RID_DOMAIN_USERS: "Utilisateurs du domaine (Domain Users)",
    RID_DOMAIN_GUESTS: "Invités du domaine (Domain Guests)",
    RID_DOMAIN_COMPUTERS: "Ordinateurs du domaine (Domain Computers)",
    RID_DOMAIN_CONTROLLERS: "Contrôleurs de domaine (Domain Controllers)",
    RID_CERT_PUBLISHERS: "Éditeurs de certificats (Cert Publishers)",
    RID_SCHEMA_ADMINS: "Administrateurs du schéma (Schema Admins)",
    RID_ENTERPRISE_ADMINS: "Administrateurs de l'entreprise (Enterprise Admins)",
    RID_GROUP_POLICY_CREATOR_OWNERS: "Propriétaires créateurs de la stratégie de groupe (Group Policy Creator Owners)",
}

# "S-1-5-21-1004336348-1177238915-682003330-512": revision 1, identifier
# authority (decimal, or 0x… hex above 2^32), then 0 to 15 sub-authorities.
# re.ASCII: \d is 0-9 only (int() would take other scripts' digits for a SID no comparison recognises).
_SID = re.compile(r"^S-1-(?:\d{1,13}|0x[0-9A-Fa-f]{12})(?:-\d{1,10}){0,15}$", re.IGNORECASE | re.ASCII)
# Domain account SIDs: S-1-5-21-a-b-c-RID
_DOMAIN_SID = re.compile(r"^(S-1-5-21-\d+-\d+-\d+)-(\d+)$", re.IGNORECASE | re.ASCII)
_BUILTIN_SID = re.compile(r"^S-1-5-32-(\d+)$", re.IGNORECASE | re.ASCII)


def is_valid_sid(sid: object) -> bool:
    """True for a syntactically valid ``S-1-…`` string.

    >>> is_valid_sid("S-1-5-32-544"), is_valid_sid("s-1-1-0"), is_valid_sid("CORP\\\\vmes")
    (True, True, False)
    >>> is_valid_sid("S-1-5-21-1-2-3-4294967296")   # sub-authority above 32 bits
    False
    """
    return isinstance(sid, str) and _valid_sid_text(sid)


@lru_cache(maxsize=65536)
def _valid_sid_text(sid: str) -> bool:
    # cached: the same trustees come back on every ACE of a directory
    text = sid.strip()
    if not _SID.match(text):
        return False
    return all(int(part) <= 0xFFFFFFFF for part in text.split("-")[3:])


def normalize_sid(sid: str) -> str:
    """Strip and upper-case the ``S`` prefix; raise :class:`ParseError` if invalid.

    >>> normalize_sid(" s-1-5-11 ")
    'S-1-5-11'
    """
    if not is_valid_sid(sid):
        raise ParseError(f"identifiant de sécurité (SID) invalide « {sid} »")
    return "S" + sid.strip()[1:]


def domain_sid_of(sid: str) -> str | None:
    """The domain part of a domain account SID, or ``None`` for other SIDs.

    >>> domain_sid_of("S-1-5-32-544") is None
    True
    """
    m = _DOMAIN_SID.match(sid.strip()) if isinstance(sid, str) else None
    return "S" + m.group(1)[1:] if m else None


def rid_of(sid: str) -> int | None:
    """The RID of a domain SID (``…-512``) or of a BUILTIN alias (``S-1-5-32-544``).

    >>> rid_of("S-1-5-32-544"), rid_of("S-1-1-0")
    (544, None)
    """
    if not isinstance(sid, str):
        return None
    m = _DOMAIN_SID.match(sid.strip()) or _BUILTIN_SID.match(sid.strip())
    return int(m.groups()[-1]) if m else None


def sid_from_hex(data: str | bytes) -> str:
    """Convert a binary SID (bytes, or lowercase hex as the collector writes it) to ``S-1-…``.

    Layout: revision (1 byte), sub-authority count (1), identifier authority
    (6, big-endian), then each sub-authority (4, little-endian).

    >>> sid_from_hex(bytes.fromhex("010100000000000100000000"))     # Everyone
    'S-1-1-0'
    >>> sid_from_hex("0101000000000001000000")
    Traceback (most recent call last):
    ...
    vmes_audit.base.errors.ParseError: SID binaire de longueur incorrecte (11 octets pour 1 sous-autorité(s))
    """
    if isinstance(data, str):
        text = data.strip().replace(" ", "")
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise ParseError(f"SID binaire illisible « {data[:40]} » : hexadécimal attendu") from None
    else:
        raw = bytes(data)
    if len(raw) < 8 or raw[0] != 1:
        raise ParseError("SID binaire invalide : en-tête de révision 1 absent")
    count = raw[1]
    if count > 15 or len(raw) != 8 + 4 * count:
        raise ParseError(f"SID binaire de longueur incorrecte ({len(raw)} octets pour {count} sous-autorité(s))")
    authority = int.from_bytes(raw[2:8], "big")
    subs = [int.from_bytes(raw[8 + 4 * i: 12 + 4 * i], "little") for i in range(count)]
    auth_text = str(authority) if authority < 2**32 else f"0x{authority:012X}"
    return "-".join(["S-1", auth_text, *map(str, subs)])


def protected_group_sids(domain_sid: str, root_domain_sid: str | None = None) -> dict[str, str]:
    """SIDs of the groups protected by AdminSDHolder, with their French names.

    ``domain-facts.md`` §3.5: Domain Admins, Enterprise Admins, Schema Admins
    and Administrators since Windows 2000 SP3; Account, Server, Print and
    Backup Operators and Cert Publishers since Windows 2000 SP4 / Server
    2003. Enterprise and Schema Admins belong to the forest root domain:
    pass ``root_domain_sid`` when it differs from ``domain_sid``.

    >>> sorted(protected_group_sids("S-1-5-21-1-2-3"))[:2]
    ['S-1-5-21-1-2-3-512', 'S-1-5-21-1-2-3-517']
    >>> len(protected_group_sids("S-1-5-21-1-2-3"))
    9
    """
    dom = normalize_sid(domain_sid)
    root = normalize_sid(root_domain_sid) if root_domain_sid else dom
    return {
        f"{dom}-{RID_DOMAIN_ADMINS}": DOMAIN_RIDS[RID_DOMAIN_ADMINS],
        f"{root}-{RID_ENTERPRISE_ADMINS}": DOMAIN_RIDS[RID_ENTERPRISE_ADMINS],
        f"{root}-{RID_SCHEMA_ADMINS}": DOMAIN_RIDS[RID_SCHEMA_ADMINS],
        BUILTIN_ADMINISTRATORS: WELL_KNOWN_SIDS[BUILTIN_ADMINISTRATORS],
        ACCOUNT_OPERATORS: WELL_KNOWN_SIDS[ACCOUNT_OPERATORS],
        SERVER_OPERATORS: WELL_KNOWN_SIDS[SERVER_OPERATORS],
        PRINT_OPERATORS: WELL_KNOWN_SIDS[PRINT_OPERATORS],
        BACKUP_OPERATORS: WELL_KNOWN_SIDS[BACKUP_OPERATORS],
        f"{dom}-{RID_CERT_PUBLISHERS}": DOMAIN_RIDS[RID_CERT_PUBLISHERS],
    }


def sid_name_fr(sid: str) -> str | None:
    """French name of a well-known SID or of a well-known domain RID, else ``None``.

    >>> sid_name_fr("S-1-5-21-1-2-3-513")
    'Utilisateurs du domaine (Domain Users)'
    """
    if not is_valid_sid(sid):
        return None
    sid = normalize_sid(sid)
    if sid in WELL_KNOWN_SIDS:
        return WELL_KNOWN_SIDS[sid]
    if domain_sid_of(sid):
        return DOMAIN_RIDS.get(rid_of(sid) or -1)
    return None


def principal_key(sid: str) -> str:
    """A domain-independent key of a principal, for rule packs: ``DOMAIN-<rid>`` for a well-known
    domain RID (below 1000) of *any* domain of the forest, the SID itself otherwise.

    >>> principal_key("S-1-5-21-1-2-3-513"), principal_key("S-1-5-21-9-9-9-512"), principal_key("S-1-5-11")
    ('DOMAIN-513', 'DOMAIN-512', 'S-1-5-11')
    >>> principal_key("S-1-5-21-1-2-3-1105")
    'S-1-5-21-1-2-3-1105'
    """
    sid = normalize_sid(sid)
    if domain_sid_of(sid):
        rid = rid_of(sid)
        if rid is not None and rid < 1000:
            return f"DOMAIN-{rid}"
    return sid


def name_key(name: str) -> str:
    """Case-, accent- and space-insensitive key of an account name as ADSI prints it.

    >>> name_key("AUTORITE NT\\\\Utilisateurs  authentifiés") == name_key("autorite nt\\\\utilisateurs authentifies")
    True
    """
    import unicodedata

    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


# Names ADSI prints for well-known principals, English and French Windows. The
# French forms are those of French Windows 2000/2003 as commonly seen (⚠️: not
# checked against a Microsoft list); ``wmi_accounts`` gives the customer's own.
_AUTHORITIES = ("nt authority", "autorite nt")
_WELL_KNOWN_NAMES: dict[str, tuple[str, ...]] = {
    EVERYONE: ("everyone", "tout le monde"),
    CREATOR_OWNER: ("creator owner", "createur proprietaire", "proprietaire createur"),
    AUTHENTICATED_USERS: ("authenticated users", "utilisateurs authentifies"),
    SELF: ("self", "soi-meme"),
    LOCAL_SYSTEM: ("system", "systeme"),
    ENTERPRISE_DOMAIN_CONTROLLERS: ("enterprise domain controllers", "controleurs de domaine d'entreprise"),
    NETWORK: ("network", "reseau"),
    ANONYMOUS: ("anonymous logon", "ouverture de session anonyme"),
    THIS_ORGANIZATION: ("this organization", "cette organisation"),
    BUILTIN_ADMINISTRATORS: ("administrators", "administrateurs"),
    BUILTIN_USERS: ("users", "utilisateurs"),
    ACCOUNT_OPERATORS: ("account operators", "operateurs de compte"),
    SERVER_OPERATORS: ("server operators", "operateurs de serveur"),
    PRINT_OPERATORS: ("print operators", "operateurs d'impression"),
    BACKUP_OPERATORS: ("backup operators", "operateurs de sauvegarde"),
    PRE_WINDOWS_2000: ("pre-windows 2000 compatible access", "acces compatible pre-windows 2000"),
}
_DOMAIN_RID_NAMES: dict[int, tuple[str, ...]] = {
    RID_ADMINISTRATOR: ("administrator", "administrateur"),
    RID_DOMAIN_ADMINS: ("domain admins", "admins du domaine"),
    RID_DOMAIN_USERS: ("domain users", "utilisateurs du domaine"),
    RID_DOMAIN_GUESTS: ("domain guests", "invites du domaine"),
    RID_DOMAIN_COMPUTERS: ("domain computers", "ordinateurs du domaine"),
    RID_DOMAIN_CONTROLLERS: ("domain controllers", "controleurs de domaine"),
    RID_CERT_PUBLISHERS: ("cert publishers", "editeurs de certificats"),
    RID_SCHEMA_ADMINS: ("schema admins", "administrateurs du schema"),
    RID_ENTERPRISE_ADMINS: ("enterprise admins", "administrateurs de l'entreprise"),
    RID_GROUP_POLICY_CREATOR_OWNERS: ("group policy creator owners",
                                      "proprietaires createurs de la strategie de groupe"),
}


def well_known_names(domain_netbios: str | None, domain_sid: str | None) -> dict[str, str]:
    """``name_key`` → SID for the names ADSI may print for well-known principals (both languages).

    >>> names = well_known_names("CORP", "S-1-5-21-1-2-3")
    >>> names[name_key("AUTORITE NT\\\\Utilisateurs authentifiés")], names[name_key("CORP\\\\Admins du domaine")]
    ('S-1-5-11', 'S-1-5-21-1-2-3-512')
    >>> names[name_key("BUILTIN\\\\Opérateurs de sauvegarde")]
    'S-1-5-32-551'
    """
    out: dict[str, str] = {}
    for sid, names in _WELL_KNOWN_NAMES.items():
        for name in names:
            out[name] = sid
            prefixes = ("builtin",) if sid.startswith("S-1-5-32-") else _AUTHORITIES
            for prefix in prefixes:
                out[f"{prefix}\\{name}"] = sid
    if domain_sid:
        for rid, names in _DOMAIN_RID_NAMES.items():
            for name in names:
                out[f"{(domain_netbios or '').lower()}\\{name}" if domain_netbios else name] = f"{domain_sid}-{rid}"
                out.setdefault(name, f"{domain_sid}-{rid}")
    return out
