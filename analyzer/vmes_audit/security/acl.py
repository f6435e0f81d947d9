r"""Security descriptors of the ``ad_acl`` artifact: typed ACEs in DACL order.

Source (``docs/collection-format.md`` §5): ADSI ``nTSecurityDescriptor`` of
the domain head, AdminSDHolder, the Exchange organisation, each
administrative group, its ``CN=Servers`` container and each server. One
``sd`` record per object, then one ``ace`` record per DACL entry::

    [sd]
    ObjectDN=CN=EXCH01,CN=Servers,CN=First Administrative Group,CN=Administrative Groups,CN=Corp,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=local
    Owner=CORP\\Domain Admins
    Control=35860
    [ace]
    ObjectDN=CN=EXCH01,CN=Servers,…
    Index=0
    AceType=6
    AceFlags=18
    AccessMask=256
    Flags=1
    ObjectType=ab721a54-1e2f-11d0-9819-00aa0040529b
    InheritedObjectType=
    Trustee=CORP\\Exchange Admins
    TrusteeSid=S-1-5-21-1-2-3-1120

Fields: AceType 0 allow, 1 deny, 5 allow-object, 6 deny-object; AceFlags
0x2 container-inherit, 0x4 no-propagate, 0x8 inherit-only, 0x10 inherited;
Flags 0x1 ObjectType present, 0x2 InheritedObjectType present; AccessMask in
decimal, possibly negative when VBScript printed a signed ``Long``
(``-2147483648`` is GENERIC_READ): it is normalised to unsigned 32 bits.

>>> from vmes_audit.parsers.records import parse_records, write_records
>>> text = write_records([
...     ("sd", {"ObjectDN": "DC=corp,DC=local", "Owner": "CORP\\Domain Admins", "Control": "35860"}),
...     ("ace", {"ObjectDN": "DC=corp,DC=local", "Index": "0", "AceType": "5", "AceFlags": "2",
...              "AccessMask": "256", "Flags": "3", "ObjectType": "ab721a54-1e2f-11d0-9819-00aa0040529b",
...              "InheritedObjectType": "bf967aba-0de6-11d0-a285-00aa003049e2",
...              "Trustee": "CORP\\vmes", "TrusteeSid": "S-1-5-21-1-2-3-1105"})])
>>> sds = descriptors_from_records(parse_records(text))
>>> sd = sds["dc=corp,dc=local"]
>>> sd.protected, len(sd.aces), sd.aces[0].allow, sd.aces[0].container_inherit
(False, 1, True, True)
>>> normalize_mask("-2147483648") == 0x80000000
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.records import Record
from vmes_audit.security.ace import (ACCESS_ALLOWED, ACCESS_ALLOWED_OBJECT, ACCESS_DENIED, ACCESS_DENIED_OBJECT,
                                     ACE_TYPES, CONTAINER_INHERIT, INHERIT_ONLY, INHERITED,
                                     INHERITED_OBJECT_TYPE_PRESENT, NO_PROPAGATE_INHERIT, OBJECT_INHERIT,
                                     OBJECT_TYPE_PRESENT, SE_DACL_PRESENT, SE_DACL_PROTECTED, Ace,
                                     SecurityDescriptor)
from vmes_audit.security.security_descriptor import parse_descriptor
from vmes_audit.windows.dn import normalize_dn
from vmes_audit.windows.rights import map_generic, normalize_guid
from vmes_audit.windows.sids import is_valid_sid, name_key, normalize_sid, sid_from_hex

__all__ = [
    "ACCESS_ALLOWED", "ACCESS_DENIED", "ACCESS_ALLOWED_OBJECT", "ACCESS_DENIED_OBJECT",
    "OBJECT_INHERIT", "CONTAINER_INHERIT", "NO_PROPAGATE_INHERIT", "INHERIT_ONLY", "INHERITED",
    "OBJECT_TYPE_PRESENT", "INHERITED_OBJECT_TYPE_PRESENT",
    "SE_DACL_PRESENT", "SE_DACL_PROTECTED",
    "Ace", "SecurityDescriptor", "descriptors_from_records", "resolve_trustees", "normalize_mask",
    "is_canonical",
]

ARTIFACT = "ad_acl"
_HEX = re.compile(r"^(?:[0-9a-fA-F]{2})+$")
# E_ADS_PROPERTY_NOT_FOUND: the directory returned no nTSecurityDescriptor (no Read Permissions on the object)
NOT_RETURNED = "8000500d"

def normalize_mask(value: str | int) -> int:
    """Parse a decimal access mask and make it unsigned 32-bit.

    >>> hex(normalize_mask("-1"))
    '0xffffffff'
    >>> normalize_mask("0x10")
    Traceback (most recent call last):
    ...
    vmes_audit.base.errors.ParseError: masque d'accès « 0x10 » illisible : entier décimal attendu
    """
    number = _int(value, "masque d'accès")
    if not -(2**31) <= number <= 0xFFFFFFFF:
        raise ParseError(f"masque d'accès « {value} » hors de l'intervalle 32 bits", artifact=ARTIFACT)
    return number & 0xFFFFFFFF


def _int(value: object, what: str, line: int | None = None) -> int:
    text = str(value).strip() if value is not None else ""
    try:
        return int(text, 10)
    except ValueError:
        raise ParseError(f"{what} « {value} » illisible : entier décimal attendu",
                         artifact=ARTIFACT, line=line) from None


def _text(rec: Record, name: str) -> str:
    value = rec.get(name)
    if isinstance(value, list):
        raise ParseError(f"propriété « {name} » multiple inattendue", artifact=ARTIFACT, line=rec.line)
    return (value or "").strip()


def _guid(rec: Record, name: str, present: bool) -> str | None:
    if not present:
        return None  # ADSI's Flags are authoritative; a stray GUID is ignored
    raw = _text(rec, name)
    try:
        guid = normalize_guid(raw)
    except ValueError:
        raise ParseError(f"{name} « {raw} » n'est pas un GUID", artifact=ARTIFACT, line=rec.line) from None
    if guid is None:
        raise ParseError(f"{name} absent alors que Flags indique sa présence",
                         artifact=ARTIFACT, line=rec.line)
    return guid


def _ace(rec: Record) -> Ace:
    line = rec.line
    dn = _text(rec, "ObjectDN")
    if not dn:
        raise ParseError("ACE sans ObjectDN", artifact=ARTIFACT, line=line)
    ace_type = _int(rec.get("AceType"), "AceType", line)
    if ace_type not in ACE_TYPES:
        raise ParseError(f"type d'ACE {ace_type} non pris en charge (0, 1, 5 ou 6 attendu)",
                         artifact=ARTIFACT, line=line)
    allow, object_ace = ACE_TYPES[ace_type]
    ace_flags = _int(rec.get("AceFlags"), "AceFlags", line)
    if not 0 <= ace_flags <= 0xFF:
        raise ParseError(f"AceFlags « {ace_flags} » hors de l'intervalle 0-255", artifact=ARTIFACT, line=line)
    flags_raw = rec.get("Flags")
    flags = _int(flags_raw, "Flags", line) if flags_raw not in (None, "") else 0
    if not 0 <= flags <= 3:
        raise ParseError(f"Flags « {flags} » invalide (0 à 3 attendu)", artifact=ARTIFACT, line=line)
    if not object_ace:
        flags = 0  # only object ACEs carry object types
    try:
        mask = normalize_mask(rec.get("AccessMask"))  # type: ignore[arg-type]
    except ParseError as err:
        raise ParseError(str(err), artifact=ARTIFACT, line=line) from None
    sid_text = _text(rec, "TrusteeSid")
    if sid_text and not is_valid_sid(sid_text):
        # format 1.1 writes the collector's resolved SID as the hex of its binary
        try:
            sid_text = sid_from_hex(sid_text) if _HEX.match(sid_text) else ""
        except ParseError:
            sid_text = ""
        if not sid_text:
            raise ParseError(f"TrusteeSid « {_text(rec, 'TrusteeSid')} » n'est pas un SID", artifact=ARTIFACT,
                             line=line)
    return Ace(
        object_dn=dn,
        index=_int(rec.get("Index"), "Index", line),
        allow=allow,
        object_ace=object_ace,
        mask=map_generic(mask),
        flags=ace_flags,
        object_type=_guid(rec, "ObjectType", bool(flags & OBJECT_TYPE_PRESENT)),
        inherited_object_type=_guid(rec, "InheritedObjectType", bool(flags & INHERITED_OBJECT_TYPE_PRESENT)),
        trustee=_text(rec, "Trustee"),
        trustee_sid=normalize_sid(sid_text) if sid_text else None,
        inherited=bool(ace_flags & INHERITED),
    )


def descriptors_from_records(records: Iterable[Record]) -> dict[str, SecurityDescriptor]:
    """Build the security descriptors of an ``ad_acl`` artifact, keyed by normalised DN.

    Format 1.1 ``sd`` records carry the raw descriptor (``Sd``, hexadecimal,
    decoded by :mod:`vmes_audit.security.security_descriptor`); format 1.0 and
    the collector's IADs fallback carry ``Owner``/``Control`` and one ``ace``
    record per DACL entry. A broken descriptor (bad hexadecimal, a malformed
    ``ace`` record, an ACE without its ``sd``, two different descriptors for
    one object) marks **that object** with an ``error``; the others stay
    usable. Records of other kinds are ignored.
    """
    descriptors: dict[str, SecurityDescriptor] = {}
    raw_by_key: dict[str, str] = {}
    pending: list[tuple[str, Record]] = []
    errors: dict[str, str] = {}
    for rec in records:
        kind = rec.kind.lower()
        if kind == "sd":
            dn = _text(rec, "ObjectDN")
            if not dn:
                continue  # nothing to attach it to; the facts report missing descriptors by DN
            key = normalize_dn(dn)
            raw = (rec.get("Sd") or "")
            raw = raw if isinstance(raw, str) else ""
            classes = tuple(str(c) for c in (rec.get("objectClass") or [])
                            if isinstance(rec.get("objectClass"), list)) if rec.get("objectClass") else ()
            if isinstance(rec.get("objectClass"), str):
                classes = (str(rec.get("objectClass")),)
            source = (rec.get("SdSource") or "") if isinstance(rec.get("SdSource"), str) else ""
            if key in descriptors or key in errors:
                same = raw and raw_by_key.get(key) == raw.strip().lower()
                if not same:
                    errors[key] = (f"deux descripteurs de sécurité différents ont été collectés pour « {dn} » "
                                   "(collecte incohérente)")
                continue
            failure = _text(rec, "Error") if isinstance(rec.get("Error"), str) else ""
            if failure and not raw.strip():
                code = _text(rec, "ErrorCode").lower().removeprefix("0x") if isinstance(rec.get("ErrorCode"), str) else ""
                reason = (f"les autorisations de « {dn} » ne sont pas lisibles par le compte qui a fait la collecte "
                          f"(attribut non renvoyé par l'annuaire)" if code == NOT_RETURNED else
                          f"descripteur de sécurité de « {dn} » non lu ({failure})")
                errors[key] = reason
                descriptors[key] = SecurityDescriptor(dn, None, 0, error=reason, object_classes=classes,
                                                      source=source, not_returned=code == NOT_RETURNED)
                continue
            try:
                if raw.strip():
                    sd = parse_descriptor(raw, dn)
                    raw_by_key[key] = raw.strip().lower()
                else:
                    sd = SecurityDescriptor(dn, _text(rec, "Owner") or None,
                                            _int(rec.get("Control"), "Control", rec.line) & 0xFFFF)
            except ParseError as exc:
                errors[key] = str(exc)
                descriptors[key] = SecurityDescriptor(dn, None, 0, error=str(exc), object_classes=classes,
                                                      source=source)
                continue
            sd.object_classes = classes
            sd.source = source
            descriptors[key] = sd
        elif kind == "ace":
            pending.append((_text(rec, "ObjectDN"), rec))
    for dn, rec in pending:
        key = normalize_dn(dn) if dn else ""
        sd = descriptors.get(key)
        if sd is None:
            if dn:
                errors.setdefault(key, f"ACE de « {dn} » sans enregistrement sd correspondant (ligne {rec.line})")
                descriptors[key] = SecurityDescriptor(dn, None, 0)
            continue
        if key in raw_by_key:
            errors[key] = f"ACE isolée et descripteur binaire pour « {dn} » (collecte incohérente)"
            continue
        try:
            sd.aces.append(_ace(rec))
        except ParseError as exc:
            errors.setdefault(key, f"entrée de la DACL de « {dn} » illisible : {exc}")
    for key, sd in descriptors.items():
        if key in errors:
            sd.error = errors[key]
            sd.aces = []
            continue
        sd.aces.sort(key=lambda a: a.index)
        indexes = [a.index for a in sd.aces]
        if len(set(indexes)) != len(indexes):
            sd.error = f"index d'ACE en double dans la DACL de « {sd.object_dn} »"
            sd.aces = []
    return descriptors


def resolve_trustees(descriptors: dict[str, SecurityDescriptor], sid_by_name: dict[str, str]) -> int:
    """Give a SID to the ACEs whose trustee ADSI printed as a name (IADs fallback), in place.

    ``sid_by_name``: :func:`~vmes_audit.windows.sids.name_key` of ``DOMAINE\\nom`` → SID (localised
    well-known names, the account's groups, ``wmi_accounts``). Returns how many
    ACEs stay unresolved: they are kept, and the effective-rights engine treats
    them as "could be anyone" (never dropped silently).
    """
    from dataclasses import replace

    unresolved = 0
    for sd in descriptors.values():
        changed = False
        aces = []
        for ace in sd.aces:
            if ace.sid is None and ace.trustee:
                name = name_key(ace.trustee)
                sid = sid_by_name.get(name)
                if sid:
                    ace = replace(ace, trustee_sid=sid)
                    changed = True
                else:
                    unresolved += 1
            aces.append(ace)
        if changed:
            sd.aces = aces
    return unresolved


def is_canonical(aces: Iterable[Ace]) -> bool:
    """True when the DACL is in Windows canonical order.

    Explicit ACEs first (deny before allow), then inherited ACEs; the
    inherited block keeps the order of inheritance (nearest ancestor first)
    and is not required to put denies first overall. AccessCheck walks the
    DACL as stored, canonical or not: this is informative only.

    >>> a = Ace("x", 0, True, False, 1, 0, None, None, "t", None, False)
    >>> d = Ace("x", 1, False, False, 1, 0, None, None, "t", None, False)
    >>> is_canonical([d, a]), is_canonical([a, d])
    (True, False)
    """
    seen_allow = seen_inherited = False
    for ace in aces:
        if ace.inherited:
            seen_inherited = True
            continue
        if seen_inherited or (not ace.allow and seen_allow):
            return False
        seen_allow = seen_allow or ace.allow
    return True
