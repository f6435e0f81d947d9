r"""Self-relative security descriptors (MS-DTYP 2.4.6), as format 1.1 collects them.

The collector writes ``nTSecurityDescriptor`` as the lowercase hexadecimal of
its raw bytes (``Sd=`` of an ``sd`` record, ``docs/collection-format.md``
§5.3): the binary Windows stores, with owner, group and DACL (no SACL).
Decoding it here, rather than through ADSI's object model in VBScript, gives
every trustee as a SID (no name resolution, nothing dropped) and every flag
exactly as stored. Layout (all integers little-endian)::

    SECURITY_DESCRIPTOR   Revision(1)=1 Sbz1(1) Control(2) OffsetOwner(4) OffsetGroup(4) OffsetSacl(4) OffsetDacl(4)
    ACL                   AclRevision(1)=2|4 Sbz1(1) AclSize(2) AceCount(2) Sbz2(2), then the ACEs
    ACE header            AceType(1) AceFlags(1) AceSize(2)
    ACCESS_ALLOWED/DENIED (types 0, 1)  Mask(4) Sid
    ..._OBJECT_ACE        (types 5, 6)  Mask(4) Flags(4) [ObjectType(16)] [InheritedObjectType(16)] Sid
    SID                   Revision(1)=1 SubAuthorityCount(1) IdentifierAuthority(6, big-endian) SubAuthority(4)*n
    GUID                  Data1(4 LE) Data2(2 LE) Data3(2 LE) Data4(8) (uuid.UUID(bytes_le=…))

Other ACE types (callback, compound, mandatory label…) are not used in AD
DACLs: one makes the descriptor unreadable (:class:`ParseError`), since an
ACE we cannot read might deny.

Property-set requests: an object ACE whose ObjectType is a property set is
decoded like any other; the effective-rights engine only asks whole-object
and extended-right questions (see :mod:`vmes_audit.security.effective_rights`).

>>> hex_sd = build_descriptor(owner="S-1-5-32-544", group="S-1-5-21-1-2-3-513", control=0x8C14, aces=[
...     (5, 0x12, 0x100, "ab721a54-1e2f-11d0-9819-00aa0040529b", None, "S-1-5-21-1-2-3-1105"),
...     (0, 0x02, 0x20094, None, None, "S-1-5-11")]).hex()
>>> sd = parse_descriptor(hex_sd, "CN=EXCH01,DC=corp")
>>> sd.owner, sd.protected, [a.trustee_sid for a in sd.aces], sd.aces[0].inherited, sd.aces[0].allow
('S-1-5-32-544', False, ['S-1-5-21-1-2-3-1105', 'S-1-5-11'], True, True)
>>> sd.aces[0].object_type
'ab721a54-1e2f-11d0-9819-00aa0040529b'
>>> parse_descriptor("0100", "X")
Traceback (most recent call last):
...
vmes_audit.base.errors.ParseError: descripteur de sécurité de « X » tronqué (2 octets, en-tête de 20 octets attendu)
"""

from __future__ import annotations

import struct
import uuid

from vmes_audit.base.errors import ParseError
from vmes_audit.security.ace import (ACCESS_ALLOWED, ACCESS_ALLOWED_OBJECT, ACCESS_DENIED, ACCESS_DENIED_OBJECT,
                                     INHERITED, INHERITED_OBJECT_TYPE_PRESENT, OBJECT_TYPE_PRESENT, SE_DACL_PRESENT,
                                     Ace, SecurityDescriptor)
from vmes_audit.windows.rights import map_generic
from vmes_audit.windows.sids import sid_from_hex

__all__ = ["parse_descriptor", "parse_sid_bytes", "build_descriptor", "MAX_DESCRIPTOR_BYTES"]

ARTIFACT = "ad_acl"
SE_SELF_RELATIVE = 0x8000
# AD limits an nTSecurityDescriptor to 64 KB in practice; a larger value is not a descriptor.
MAX_DESCRIPTOR_BYTES = 256 * 1024
_HEADER = struct.Struct("<BBHIIII")
_ACL_HEADER = struct.Struct("<BBHHH")
_ACE_HEADER = struct.Struct("<BBH")
_ACE_TYPES = {ACCESS_ALLOWED: (True, False), ACCESS_DENIED: (False, False),
              ACCESS_ALLOWED_OBJECT: (True, True), ACCESS_DENIED_OBJECT: (False, True)}
_ACE_TYPE_NAMES = {2: "audit", 3: "alarme", 4: "composée", 7: "audit objet", 8: "alarme objet",
                   9: "autorisation conditionnelle", 10: "refus conditionnel", 11: "autorisation objet conditionnelle",
                   12: "refus objet conditionnel", 17: "étiquette d'intégrité", 18: "attribut de ressource",
                   19: "stratégie d'accès centralisée"}


def _fail(dn: str, what: str) -> ParseError:
    return ParseError(f"descripteur de sécurité de « {dn} » {what}", artifact=ARTIFACT)


def parse_sid_bytes(data: bytes, offset: int, dn: str = "?") -> tuple[str, int]:
    """The SID at ``offset`` and its length in bytes.

    >>> parse_sid_bytes(bytes.fromhex("010100000000000100000000"), 0)
    ('S-1-1-0', 12)
    """
    if offset + 8 > len(data):
        raise _fail(dn, f"illisible : SID hors des limites (position {offset})")
    count = data[offset + 1]
    length = 8 + 4 * count
    if count > 15 or offset + length > len(data):
        raise _fail(dn, f"illisible : SID de {count} sous-autorités hors des limites (position {offset})")
    try:
        return sid_from_hex(data[offset:offset + length]), length
    except ParseError as exc:
        raise _fail(dn, f"illisible : {exc}") from None


def _guid(data: bytes, offset: int, dn: str) -> tuple[str, int]:
    if offset + 16 > len(data):
        raise _fail(dn, "illisible : GUID hors des limites d'une ACE")
    return str(uuid.UUID(bytes_le=bytes(data[offset:offset + 16]))), offset + 16


def _ace(data: bytes, start: int, index: int, dn: str) -> tuple[Ace, int]:
    if start + 4 > len(data):
        raise _fail(dn, f"illisible : ACE n° {index} tronquée")
    ace_type, ace_flags, size = _ACE_HEADER.unpack_from(data, start)
    if size < 8 or start + size > len(data):
        raise _fail(dn, f"illisible : taille {size} de l'ACE n° {index} incohérente")
    if ace_type not in _ACE_TYPES:
        kind = _ACE_TYPE_NAMES.get(ace_type, f"de type {ace_type}")
        raise _fail(dn, f"contient une ACE {kind} (n° {index}) que l'analyseur ne sait pas évaluer")
    allow, object_ace = _ACE_TYPES[ace_type]
    body = memoryview(data)[start:start + size].tobytes()
    mask = struct.unpack_from("<I", body, 4)[0]
    pos = 8
    object_type = inherited_object_type = None
    obj_flags = 0
    if object_ace:
        if size < 12:
            raise _fail(dn, f"illisible : ACE objet n° {index} trop courte")
        obj_flags = struct.unpack_from("<I", body, 8)[0]
        pos = 12
        if obj_flags & ~(OBJECT_TYPE_PRESENT | INHERITED_OBJECT_TYPE_PRESENT):
            raise _fail(dn, f"illisible : indicateurs 0x{obj_flags:x} de l'ACE objet n° {index}")
        if obj_flags & OBJECT_TYPE_PRESENT:
            object_type, pos = _guid(body, pos, dn)
        if obj_flags & INHERITED_OBJECT_TYPE_PRESENT:
            inherited_object_type, pos = _guid(body, pos, dn)
    sid, _ = parse_sid_bytes(body, pos, dn)
    return Ace(object_dn=dn, index=index, allow=allow, object_ace=object_ace, mask=map_generic(mask),
               flags=ace_flags, object_type=object_type, inherited_object_type=inherited_object_type,
               trustee=sid, trustee_sid=sid, inherited=bool(ace_flags & INHERITED)), start + size


def parse_descriptor(hex_text: str, dn: str) -> SecurityDescriptor:
    """Decode the hexadecimal of a self-relative descriptor read from object ``dn``.

    Raises :class:`ParseError` (French, naming the object) for anything that
    is not a well-formed descriptor. A descriptor without a DACL (the
    collector could not read it, SE_DACL_PRESENT clear) has no ACEs and its
    control flags say so; the effective-rights engine then answers "unknown".
    """
    text = "".join((hex_text or "").split())
    if len(text) > 2 * MAX_DESCRIPTOR_BYTES:
        raise _fail(dn, f"de {len(text) // 2} octets, au-delà de la limite de {MAX_DESCRIPTOR_BYTES} octets")
    try:
        data = bytes.fromhex(text)
    except ValueError:
        raise _fail(dn, "illisible : hexadécimal attendu") from None
    if len(data) < _HEADER.size:
        raise _fail(dn, f"tronqué ({len(data)} octets, en-tête de {_HEADER.size} octets attendu)")
    revision, _, control, off_owner, off_group, _off_sacl, off_dacl = _HEADER.unpack_from(data)
    if revision != 1:
        raise _fail(dn, f"illisible : révision {revision} (1 attendue)")
    if not control & SE_SELF_RELATIVE:
        raise _fail(dn, "illisible : format auto-relatif attendu (indicateur SE_SELF_RELATIVE absent)")
    owner = parse_sid_bytes(data, off_owner, dn)[0] if off_owner else None
    group = parse_sid_bytes(data, off_group, dn)[0] if off_group else None
    aces: list[Ace] = []
    if control & SE_DACL_PRESENT and off_dacl:
        if off_dacl + _ACL_HEADER.size > len(data):
            raise _fail(dn, "illisible : DACL hors des limites")
        acl_revision, _, acl_size, count, _ = _ACL_HEADER.unpack_from(data, off_dacl)
        if acl_revision not in (2, 4) or off_dacl + acl_size > len(data) or acl_size < _ACL_HEADER.size:
            raise _fail(dn, f"illisible : en-tête de DACL incohérent (révision {acl_revision}, taille {acl_size})")
        acl = data[:off_dacl + acl_size]
        pos = off_dacl + _ACL_HEADER.size
        for index in range(count):
            ace, pos = _ace(acl, pos, index, dn)
            aces.append(ace)
    elif control & SE_DACL_PRESENT:
        raise _fail(dn, "a une DACL nulle (accès total à tous) : configuration anormale, à vérifier à la main")
    return SecurityDescriptor(object_dn=dn, owner=owner, control=control & 0xFFFF, aces=aces, group=group)


# --- building descriptors (tests, synthetic samples, the Samba harness) -------------------

def _sid_bytes(sid: str) -> bytes:
    parts = sid.split("-")
    authority = int(parts[2], 16) if parts[2].lower().startswith("0x") else int(parts[2])
    subs = [int(p) for p in parts[3:]]
    return bytes([1, len(subs)]) + authority.to_bytes(6, "big") + b"".join(s.to_bytes(4, "little") for s in subs)


def build_descriptor(*, owner: str | None, group: str | None, control: int,
                     aces: list[tuple[int, int, int, str | None, str | None, str]]) -> bytes:
    """Encode a self-relative descriptor; ``aces`` = (type, flags, mask, object_type, inherited_object_type, sid).

    The inverse of :func:`parse_descriptor`, for tests and synthetic collections.
    """
    blobs = []
    for ace_type, flags, mask, object_type, inherited_object_type, sid in aces:
        body = struct.pack("<I", mask & 0xFFFFFFFF)
        if ace_type in (ACCESS_ALLOWED_OBJECT, ACCESS_DENIED_OBJECT):
            obj_flags = (OBJECT_TYPE_PRESENT if object_type else 0) | (
                INHERITED_OBJECT_TYPE_PRESENT if inherited_object_type else 0)
            body += struct.pack("<I", obj_flags)
            if object_type:
                body += uuid.UUID(object_type).bytes_le
            if inherited_object_type:
                body += uuid.UUID(inherited_object_type).bytes_le
        body += _sid_bytes(sid)
        blobs.append(_ACE_HEADER.pack(ace_type, flags, 4 + len(body)) + body)
    dacl_body = b"".join(blobs)
    dacl = _ACL_HEADER.pack(4, 0, _ACL_HEADER.size + len(dacl_body), len(blobs), 0) + dacl_body
    owner_b = _sid_bytes(owner) if owner else b""
    group_b = _sid_bytes(group) if group else b""
    off = _HEADER.size
    off_owner = off if owner_b else 0
    off_group = off + len(owner_b) if group_b else 0
    off_dacl = off + len(owner_b) + len(group_b)
    header = _HEADER.pack(1, 0, (control | SE_SELF_RELATIVE | SE_DACL_PRESENT) & 0xFFFF, off_owner, off_group, 0,
                          off_dacl)
    return header + owner_b + group_b + dacl
