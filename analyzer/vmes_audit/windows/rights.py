"""Active Directory access rights: mask bits, generic mapping, GUIDs, French names.

Mask bits are the ``ADS_RIGHT_*`` constants that ADSI's
``IADsAccessControlEntry.AccessMask`` carries (the same values as the
``ActiveDirectoryRights`` enumeration). Generic bits are mapped to
directory-specific bits with the Windows AD generic mapping before any
comparison, as the directory does when it stores an ACE::

    DS_GENERIC_READ    = READ_CONTROL | LIST | READ_PROP | LIST_OBJECT         = 0x00020094
    DS_GENERIC_WRITE   = READ_CONTROL | SELF | WRITE_PROP                      = 0x00020028
    DS_GENERIC_EXECUTE = READ_CONTROL | LIST                                   = 0x00020004
    DS_GENERIC_ALL     = DELETE | READ_CONTROL | WRITE_DAC | WRITE_OWNER
                         | every DS bit, CONTROL_ACCESS included               = 0x000F01FF

A :class:`Right` is the question asked of a security descriptor: mask bits,
plus an extended-right GUID for a control-access right.

>>> hex(map_generic(ADS_RIGHT_GENERIC_READ))
'0x20094'
>>> hex(map_generic(ADS_RIGHT_GENERIC_ALL)) == hex(DS_GENERIC_ALL)
True
>>> Right.send_as().name_fr
'Envoyer comme (Send As)'
>>> rights_names_fr(0x20094)
['Lister le contenu', 'Lire toutes les propriétés', "Lister l'objet", 'Autorisations de lecture']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "ADS_RIGHT_DS_CREATE_CHILD", "ADS_RIGHT_DS_DELETE_CHILD", "ADS_RIGHT_ACTRL_DS_LIST",
    "ADS_RIGHT_DS_SELF", "ADS_RIGHT_DS_READ_PROP", "ADS_RIGHT_DS_WRITE_PROP",
    "ATTR_TELEPHONE_NUMBER", "ATTR_DESCRIPTION", "PROPERTY_SET_PERSONAL_INFORMATION",
    "PROPERTY_SET_PUBLIC_INFORMATION", "ATTRIBUTE_NAMES",
    "ADS_RIGHT_DS_DELETE_TREE", "ADS_RIGHT_DS_LIST_OBJECT", "ADS_RIGHT_DS_CONTROL_ACCESS",
    "ADS_RIGHT_DELETE", "ADS_RIGHT_READ_CONTROL", "ADS_RIGHT_WRITE_DAC", "ADS_RIGHT_WRITE_OWNER",
    "ADS_RIGHT_SYNCHRONIZE", "ADS_RIGHT_ACCESS_SYSTEM_SECURITY", "ADS_RIGHT_GENERIC_READ",
    "ADS_RIGHT_GENERIC_WRITE", "ADS_RIGHT_GENERIC_EXECUTE", "ADS_RIGHT_GENERIC_ALL",
    "DS_GENERIC_READ", "DS_GENERIC_WRITE", "DS_GENERIC_EXECUTE", "DS_GENERIC_ALL",
    "GUID_SEND_AS", "GUID_RECEIVE_AS", "GUID_STORE_ADMIN", "GUID_STORE_VISIBLE",
    "GUID_STORE_CREATE_NAMED_PROPERTIES", "EXTENDED_RIGHTS",
    "CLASS_USER", "CLASS_COMPUTER", "CLASS_GROUP", "CLASS_INET_ORG_PERSON",
    "CLASS_ORGANIZATIONAL_UNIT", "CLASS_CONTAINER", "CLASS_DOMAIN_DNS",
    "CLASS_MS_EXCH_EXCHANGE_SERVER", "CLASS_MS_EXCH_ADMIN_GROUP",
    "CLASS_MS_EXCH_ORGANIZATION_CONTAINER", "CLASSES",
    "map_generic", "normalize_guid", "is_guid", "rights_names_fr", "guid_name_fr", "Right",
    "EXCHANGE_SERVER_RIGHTS",
]

# --- Access mask bits (ADS_RIGHTS_ENUM) --------------------------------------
ADS_RIGHT_DS_CREATE_CHILD = 0x00000001
ADS_RIGHT_DS_DELETE_CHILD = 0x00000002
ADS_RIGHT_ACTRL_DS_LIST = 0x00000004
ADS_RIGHT_DS_SELF = 0x00000008            # validated writes
ADS_RIGHT_DS_READ_PROP = 0x00000010
ADS_RIGHT_DS_WRITE_PROP = 0x00000020
ADS_RIGHT_DS_DELETE_TREE = 0x00000040
ADS_RIGHT_DS_LIST_OBJECT = 0x00000080
ADS_RIGHT_DS_CONTROL_ACCESS = 0x00000100  # extended rights (domain-facts §3.2)
ADS_RIGHT_DELETE = 0x00010000
ADS_RIGHT_READ_CONTROL = 0x00020000
ADS_RIGHT_WRITE_DAC = 0x00040000
ADS_RIGHT_WRITE_OWNER = 0x00080000
ADS_RIGHT_SYNCHRONIZE = 0x00100000
ADS_RIGHT_ACCESS_SYSTEM_SECURITY = 0x01000000
ADS_RIGHT_GENERIC_ALL = 0x10000000
ADS_RIGHT_GENERIC_EXECUTE = 0x20000000
ADS_RIGHT_GENERIC_WRITE = 0x40000000
ADS_RIGHT_GENERIC_READ = 0x80000000

_ALL_DS_BITS = (ADS_RIGHT_DS_CREATE_CHILD | ADS_RIGHT_DS_DELETE_CHILD | ADS_RIGHT_ACTRL_DS_LIST
                | ADS_RIGHT_DS_SELF | ADS_RIGHT_DS_READ_PROP | ADS_RIGHT_DS_WRITE_PROP
                | ADS_RIGHT_DS_DELETE_TREE | ADS_RIGHT_DS_LIST_OBJECT | ADS_RIGHT_DS_CONTROL_ACCESS)
_STANDARD_REQUIRED = ADS_RIGHT_DELETE | ADS_RIGHT_READ_CONTROL | ADS_RIGHT_WRITE_DAC | ADS_RIGHT_WRITE_OWNER

# Windows AD generic mapping (DS_GENERIC_* of the directory service).
DS_GENERIC_READ = (ADS_RIGHT_READ_CONTROL | ADS_RIGHT_ACTRL_DS_LIST | ADS_RIGHT_DS_READ_PROP
                   | ADS_RIGHT_DS_LIST_OBJECT)                                    # 0x00020094
DS_GENERIC_WRITE = ADS_RIGHT_READ_CONTROL | ADS_RIGHT_DS_SELF | ADS_RIGHT_DS_WRITE_PROP  # 0x00020028
DS_GENERIC_EXECUTE = ADS_RIGHT_READ_CONTROL | ADS_RIGHT_ACTRL_DS_LIST            # 0x00020004
DS_GENERIC_ALL = _STANDARD_REQUIRED | _ALL_DS_BITS                                # 0x000F01FF

_GENERIC_MAP = (
    (ADS_RIGHT_GENERIC_READ, DS_GENERIC_READ),
    (ADS_RIGHT_GENERIC_WRITE, DS_GENERIC_WRITE),
    (ADS_RIGHT_GENERIC_EXECUTE, DS_GENERIC_EXECUTE),
    (ADS_RIGHT_GENERIC_ALL, DS_GENERIC_ALL),
)
_GENERIC_BITS = ADS_RIGHT_GENERIC_READ | ADS_RIGHT_GENERIC_WRITE | ADS_RIGHT_GENERIC_EXECUTE | ADS_RIGHT_GENERIC_ALL


def map_generic(mask: int) -> int:
    """Replace GENERIC_* bits by the AD-specific bits they stand for.

    >>> hex(map_generic(ADS_RIGHT_GENERIC_WRITE | ADS_RIGHT_DS_CONTROL_ACCESS))
    '0x20128'
    """
    mask &= 0xFFFFFFFF
    for generic, specific in _GENERIC_MAP:
        if mask & generic:
            mask = (mask & ~generic) | specific
    return mask


# French names of the mask bits, in bit order, with the wording of the
# French "Paramètres de sécurité avancés" dialog where one exists.
_BIT_NAMES_FR: tuple[tuple[int, str], ...] = (
    (ADS_RIGHT_DS_CREATE_CHILD, "Créer des objets enfants"),
    (ADS_RIGHT_DS_DELETE_CHILD, "Supprimer des objets enfants"),
    (ADS_RIGHT_ACTRL_DS_LIST, "Lister le contenu"),
    (ADS_RIGHT_DS_SELF, "Toutes les écritures validées"),
    (ADS_RIGHT_DS_READ_PROP, "Lire toutes les propriétés"),
    (ADS_RIGHT_DS_WRITE_PROP, "Écrire toutes les propriétés"),
    (ADS_RIGHT_DS_DELETE_TREE, "Supprimer la sous-arborescence"),
    (ADS_RIGHT_DS_LIST_OBJECT, "Lister l'objet"),
    (ADS_RIGHT_DS_CONTROL_ACCESS, "Toutes les autorisations étendues"),
    (ADS_RIGHT_DELETE, "Supprimer"),
    (ADS_RIGHT_READ_CONTROL, "Autorisations de lecture"),
    (ADS_RIGHT_WRITE_DAC, "Modifier les autorisations"),
    (ADS_RIGHT_WRITE_OWNER, "Modifier le propriétaire"),
    (ADS_RIGHT_SYNCHRONIZE, "Synchroniser"),
    (ADS_RIGHT_ACCESS_SYSTEM_SECURITY, "Accès à la sécurité système (SACL)"),
    (ADS_RIGHT_GENERIC_ALL, "Contrôle total (GenericAll)"),
    (ADS_RIGHT_GENERIC_EXECUTE, "Exécution (GenericExecute)"),
    (ADS_RIGHT_GENERIC_WRITE, "Écriture (GenericWrite)"),
    (ADS_RIGHT_GENERIC_READ, "Lecture (GenericRead)"),
)


def rights_names_fr(mask: int) -> list[str]:
    """French names of the bits set in ``mask`` (unknown bits as hexadecimal).

    >>> rights_names_fr(0x100 | 0x00400000)
    ['Toutes les autorisations étendues', 'bit 0x00400000']
    """
    return list(_rights_names_fr(mask & 0xFFFFFFFF))


_KNOWN_BITS = 0
for _bit, _ in _BIT_NAMES_FR:
    _KNOWN_BITS |= _bit


@lru_cache(maxsize=4096)
def _rights_names_fr(mask: int) -> tuple[str, ...]:
    # cached: a directory's ACEs repeat a few dozen masks tens of thousands of times
    names = [name for bit, name in _BIT_NAMES_FR if mask & bit]
    rest = mask & ~_KNOWN_BITS
    names += [f"bit 0x{1 << i:08X}" for i in range(32) if rest & (1 << i)]
    return tuple(names)


# --- GUIDs --------------------------------------------------------------------
# "ab721a54-1e2f-11d0-9819-00aa0040529b", lowercase, no braces (collector format)
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def normalize_guid(text: str) -> str | None:
    """Lowercase, strip braces; ``None`` for an empty value or the null GUID; ``ValueError`` if malformed.

    >>> normalize_guid("{AB721A54-1E2F-11D0-9819-00AA0040529B}")
    'ab721a54-1e2f-11d0-9819-00aa0040529b'
    >>> normalize_guid("") is None
    True
    """
    value = (text or "").strip().strip("{}").lower()
    if not value or value == "00000000-0000-0000-0000-000000000000":
        return None
    if not _GUID.match(value):
        raise ValueError(f"GUID invalide « {text} »")
    return value


def is_guid(text: str) -> bool:
    """True for a GUID in the collector's form (braces and case tolerated).

    >>> is_guid("bf967aba-0de6-11d0-a285-00aa003049e2"), is_guid("user")
    (True, False)
    """
    return bool(_GUID.match((text or "").strip().strip("{}").lower()))


# Extended rights (rightsGuid of controlAccessRight objects), domain-facts §3.1 (✅).
GUID_SEND_AS = "ab721a54-1e2f-11d0-9819-00aa0040529b"
GUID_RECEIVE_AS = "ab721a56-1e2f-11d0-9819-00aa0040529b"
GUID_STORE_ADMIN = "d74a8762-22b9-11d3-aa62-00c04f8eedd8"
GUID_STORE_VISIBLE = "d74a875e-22b9-11d3-aa62-00c04f8eedd8"
GUID_STORE_CREATE_NAMED_PROPERTIES = "d74a8766-22b9-11d3-aa62-00c04f8eedd8"

EXTENDED_RIGHTS: dict[str, tuple[str, str]] = {
    # guid: (CN of the controlAccessRight, French display name)
    GUID_SEND_AS: ("Send-As", "Envoyer comme (Send As)"),
    GUID_RECEIVE_AS: ("Receive-As", "Recevoir comme (Receive As)"),
    GUID_STORE_ADMIN: ("ms-Exch-Store-Admin",
                       "Administrer la banque d'informations (Administer Information Store)"),
    GUID_STORE_VISIBLE: ("ms-Exch-Store-Visible",
                         "Afficher l'état de la banque d'informations (View Information Store Status)"),
    GUID_STORE_CREATE_NAMED_PROPERTIES: (
        "ms-Exch-Store-Create-Named-Properties",
        "Créer des propriétés nommées dans la banque d'informations (Create named properties in the information store)"),
}

# Class schemaIDGUIDs. user: domain-facts §3.1 (✅, MicrosoftDocs c-user.md).
# computer, group, inetOrgPerson, organizationalUnit, container, domainDNS:
# Windows base schema, found identically in many public GUID maps and SDDL
# strings (not re-checked against MicrosoftDocs).
# Exchange classes: NOT verified against Microsoft documentation. The values
# below are those of two independent public GUID maps (winacl's schema map and
# a Rust ACL-viewer's "Exchange Server objects" map) and should be confirmed on
# a real schema (schemaIDGUID of CN=ms-Exch-Exchange-Server,CN=Schema,…).
# Effective-rights code never grants on the strength of a class match it
# cannot make: with an unknown class, an ACE whose applicability depends on
# the class makes the answer "Non évaluable", never "accordé".
CLASS_USER = "bf967aba-0de6-11d0-a285-00aa003049e2"
# Attributes and property sets (schemaIDGUID / attributeSecurityGUID, MS-ADA / MS-ADTS 5.1.3.2.1),
# for property-level questions; values checked against Samba's copy of the AD schema
# (/usr/share/samba/setup/ad-schema/MS-AD_Schema_2K8_R2_Attributes.txt).
ATTR_TELEPHONE_NUMBER = "bf967a49-0de6-11d0-a285-00aa003049e2"   # set: Personal-Information
ATTR_DESCRIPTION = "bf967950-0de6-11d0-a285-00aa003049e2"        # set: Public-Information
PROPERTY_SET_PERSONAL_INFORMATION = "77b5b886-944a-11d1-aebd-0000f80367c1"
PROPERTY_SET_PUBLIC_INFORMATION = "e48d0154-bcf8-11d1-8702-00c04fb96050"
ATTRIBUTE_NAMES = {ATTR_TELEPHONE_NUMBER: "telephoneNumber", ATTR_DESCRIPTION: "description"}
CLASS_COMPUTER = "bf967a86-0de6-11d0-a285-00aa003049e2"
CLASS_GROUP = "bf967a9c-0de6-11d0-a285-00aa003049e2"
CLASS_INET_ORG_PERSON = "4828cc14-1437-45bc-9b07-ad6f015e5f28"
CLASS_ORGANIZATIONAL_UNIT = "bf967aa5-0de6-11d0-a285-00aa003049e2"
CLASS_CONTAINER = "bf967a8b-0de6-11d0-a285-00aa003049e2"
CLASS_DOMAIN_DNS = "19195a5b-6da0-11d0-afd3-00c04fd930c9"
CLASS_MS_EXCH_EXCHANGE_SERVER = "01a9aa9c-a981-11d2-a9ff-00c04f8eedd8"        # ⚠️ public maps only
CLASS_MS_EXCH_ADMIN_GROUP = "e768a58e-a980-11d2-a9ff-00c04f8eedd8"            # ⚠️ public maps only
CLASS_MS_EXCH_ORGANIZATION_CONTAINER = "366a319c-a982-11d2-a9ff-00c04f8eedd8"  # ⚠️ public maps only

CLASSES: dict[str, str] = {
    CLASS_USER: "user",
    CLASS_COMPUTER: "computer",
    CLASS_GROUP: "group",
    CLASS_INET_ORG_PERSON: "inetOrgPerson",
    CLASS_ORGANIZATIONAL_UNIT: "organizationalUnit",
    CLASS_CONTAINER: "container",
    CLASS_DOMAIN_DNS: "domainDNS",
    CLASS_MS_EXCH_EXCHANGE_SERVER: "msExchExchangeServer",
    CLASS_MS_EXCH_ADMIN_GROUP: "msExchAdminGroup",
    CLASS_MS_EXCH_ORGANIZATION_CONTAINER: "msExchOrganizationContainer",
}

_CLASS_NAMES_FR = {
    CLASS_USER: "utilisateur (user)",
    CLASS_COMPUTER: "ordinateur (computer)",
    CLASS_GROUP: "groupe (group)",
    CLASS_INET_ORG_PERSON: "inetOrgPerson",
    CLASS_ORGANIZATIONAL_UNIT: "unité d'organisation (organizationalUnit)",
    CLASS_CONTAINER: "conteneur (container)",
    CLASS_DOMAIN_DNS: "domaine (domainDNS)",
    CLASS_MS_EXCH_EXCHANGE_SERVER: "serveur Exchange (msExchExchangeServer)",
    CLASS_MS_EXCH_ADMIN_GROUP: "groupe d'administration Exchange (msExchAdminGroup)",
    CLASS_MS_EXCH_ORGANIZATION_CONTAINER: "organisation Exchange (msExchOrganizationContainer)",
}


def guid_name_fr(guid: str | None) -> str:
    """A readable French name for an ObjectType / InheritedObjectType GUID.

    >>> guid_name_fr(GUID_RECEIVE_AS)
    'Recevoir comme (Receive As)'
    >>> guid_name_fr("12345678-1234-1234-1234-123456789abc")
    'GUID 12345678-1234-1234-1234-123456789abc'
    """
    if guid is None:
        return "tous"
    if guid in EXTENDED_RIGHTS:
        return EXTENDED_RIGHTS[guid][1]
    if guid in _CLASS_NAMES_FR:
        return _CLASS_NAMES_FR[guid]
    return f"GUID {guid}"


def _attribute_name(guid: str) -> str:
    return ATTRIBUTE_NAMES.get(normalize_guid(guid), guid)


@dataclass(frozen=True)
class Right:
    """What is asked: ``mask`` bits, and for an extended right its GUID (``object_type``).

    An extended right is asked as ``CONTROL_ACCESS`` on its GUID; generic
    bits in ``mask`` are mapped (:func:`map_generic`) before evaluation.

    A property question (read or write one attribute) names the attribute's
    ``schemaIDGUID`` as ``object_type`` and its property set
    (``attributeSecurityGUID``, ``""`` when it belongs to none) as
    ``property_set``: Windows checks it against the object type list
    class → property set → property (MS-ADTS 5.1.3.3.3), so an object ACE on
    any of the three decides it. Asked without its property set, a
    property question is refused: an ACE on the set would be missed.

    >>> r = Right.generic_write()
    >>> hex(r.mask), r.object_type, r.name_fr
    ('0x20028', None, 'Écriture (GenericWrite)')
    >>> Right.store_admin().object_type == GUID_STORE_ADMIN
    True
    >>> Right.property_write(ATTR_TELEPHONE_NUMBER, PROPERTY_SET_PERSONAL_INFORMATION).name_fr
    'Écrire la propriété telephoneNumber'
    >>> Right(ADS_RIGHT_DS_WRITE_PROP, ATTR_TELEPHONE_NUMBER)
    Traceback (most recent call last):
    ...
    ValueError: a property-level question (READ_PROP/WRITE_PROP on bf967a49-0de6-11d0-a285-00aa003049e2) needs the attribute's property set (attributeSecurityGUID, "" for none): use Right.property_read / Right.property_write (MS-ADTS 5.1.3.3.3)
    """

    mask: int
    object_type: str | None = None
    name_fr: str = ""
    property_set: str | None = None  # a property question: the attribute's attributeSecurityGUID ("" = none)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mask", map_generic(self.mask))
        if self.object_type is not None:
            object.__setattr__(self, "object_type", normalize_guid(self.object_type))
        if self.property_set:
            object.__setattr__(self, "property_set", normalize_guid(self.property_set))
        property_bits = ADS_RIGHT_DS_READ_PROP | ADS_RIGHT_DS_WRITE_PROP
        if self.object_type is not None and self.mask & property_bits:
            if self.property_set is None:
                raise ValueError(f"a property-level question (READ_PROP/WRITE_PROP on {self.object_type}) needs the "
                                 "attribute's property set (attributeSecurityGUID, \"\" for none): use "
                                 "Right.property_read / Right.property_write (MS-ADTS 5.1.3.3.3)")
            if self.mask & ~property_bits or self.object_type in EXTENDED_RIGHTS:
                raise ValueError(f"a property question asks READ_PROP and/or WRITE_PROP on one attribute, not "
                                 f"mask {self.mask:#x} on {self.object_type}")
        elif self.property_set is not None:
            raise ValueError("property_set is only for a READ_PROP/WRITE_PROP question on one attribute")
        if not self.name_fr:
            name = (EXTENDED_RIGHTS.get(self.object_type, ("", ""))[1] if self.object_type
                    else ", ".join(rights_names_fr(self.mask)))
            object.__setattr__(self, "name_fr", name or f"droit {self.object_type}")

    @classmethod
    def extended(cls, guid: str, name_fr: str = "") -> "Right":
        """A control-access (extended) right identified by its rightsGuid."""
        return cls(ADS_RIGHT_DS_CONTROL_ACCESS, guid, name_fr)

    @classmethod
    def property_write(cls, attribute: str, property_set: str, name: str = "") -> "Right":
        """WRITE_PROP on one attribute (its schemaIDGUID) of property set ``property_set`` ("" = none)."""
        return cls(ADS_RIGHT_DS_WRITE_PROP, attribute, f"Écrire la propriété {name or _attribute_name(attribute)}", property_set)

    @classmethod
    def property_read(cls, attribute: str, property_set: str, name: str = "") -> "Right":
        """READ_PROP on one attribute (its schemaIDGUID) of property set ``property_set`` ("" = none)."""
        return cls(ADS_RIGHT_DS_READ_PROP, attribute, f"Lire la propriété {name or _attribute_name(attribute)}", property_set)

    @classmethod
    def send_as(cls) -> "Right":
        return cls.extended(GUID_SEND_AS)

    @classmethod
    def receive_as(cls) -> "Right":
        return cls.extended(GUID_RECEIVE_AS)

    @classmethod
    def store_admin(cls) -> "Right":
        return cls.extended(GUID_STORE_ADMIN)

    @classmethod
    def store_visible(cls) -> "Right":
        return cls.extended(GUID_STORE_VISIBLE)

    @classmethod
    def generic_read(cls) -> "Right":
        return cls(ADS_RIGHT_GENERIC_READ, None, "Lecture (GenericRead)")

    @classmethod
    def generic_write(cls) -> "Right":
        return cls(ADS_RIGHT_GENERIC_WRITE, None, "Écriture (GenericWrite)")

    @classmethod
    def generic_all(cls) -> "Right":
        return cls(ADS_RIGHT_GENERIC_ALL, None, "Contrôle total (GenericAll)")


# The rights VMES may need on an Exchange server object, by their EMS spelling, with their
# French name; the rule pack (F9) decides which ones each server version needs.
EXCHANGE_SERVER_RIGHTS: dict[str, tuple[Right, str]] = {
    "Send-As": (Right.send_as(), "Envoyer comme (Send As)"),
    "Receive-As": (Right.receive_as(), "Recevoir comme (Receive As)"),
    "ms-Exch-Store-Admin": (Right.store_admin(), "Administrer la banque d'informations"),
    "GenericRead": (Right.generic_read(), "Lecture (GenericRead)"),
    "GenericWrite": (Right.generic_write(), "Écriture (GenericWrite)"),
}
