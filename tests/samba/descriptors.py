"""Self-relative security descriptors (MS-DTYP 2.4.6), written and read by the tests.

The organisation builders encode the descriptors they set through LDAP, and
the tests decode what Samba sends back, independently of the analyzer's own
parser (``vmes_audit.security``), so that the two can be compared.

Layout of a self-relative descriptor::

    01 00 04 94  <owner off> <group off> <sacl off> <dacl off>   (revision, sbz1, control LE16, 4 × LE32)
    ACL:  02|04 00 <size LE16> <count LE16> 00 00, then the ACEs
    ACE:  <type> <flags> <size LE16> <mask LE32> [<object flags LE32> [<guid>] [<guid>]] <sid>

>>> sid_to_bytes("S-1-5-32-544").hex()
'01020000000000052000000020020000'
>>> sid_from_bytes(bytes.fromhex("01020000000000052000000020020000"))
'S-1-5-32-544'
>>> sd = SecurityDescriptor(owner="S-1-5-32-544", group="S-1-5-32-544",
...                         dacl=[Ace.allow("S-1-5-11", GENERIC_READ)])
>>> back = SecurityDescriptor.from_bytes(sd.to_bytes())
>>> (back.owner, back.dacl[0].sid, back.dacl[0].mask == GENERIC_READ, back.control & SE_DACL_PRESENT > 0)
('S-1-5-32-544', 'S-1-5-11', True, True)
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass, field, replace

__all__ = ["Ace", "SecurityDescriptor", "sid_to_bytes", "sid_from_bytes", "guid_bytes",
           "CC", "DC", "LC", "SW", "RP", "WP", "DT", "LO", "CR", "SD", "RC", "WD", "WO",
           "GENERIC_READ", "FULL_CONTROL", "OI", "CI", "NP", "IO", "ID",
           "SE_DACL_PRESENT", "SE_DACL_PROTECTED", "SE_DACL_AUTO_INHERITED", "SE_SELF_RELATIVE"]

# Access mask bits of directory objects (ADS_RIGHT_*), with their SDDL letters.
CC, DC, LC, SW, RP, WP, DT, LO, CR = 0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100
SD, RC, WD, WO = 0x10000, 0x20000, 0x40000, 0x80000
GENERIC_READ = RC | LC | RP | LO                 # 0x20094, "Read" in the Security tab
FULL_CONTROL = 0xF01FF                            # what ADSI shows for GenericAll on an AD object

# ACE flags
OI, CI, NP, IO, ID = 0x01, 0x02, 0x04, 0x08, 0x10
# ACE types
ALLOW, DENY, ALLOW_OBJECT, DENY_OBJECT = 0, 1, 5, 6
_OBJECT_TYPE_PRESENT, _INHERITED_OBJECT_TYPE_PRESENT = 0x1, 0x2
# Control flags
SE_DACL_PRESENT, SE_DACL_AUTO_INHERITED, SE_DACL_PROTECTED, SE_SELF_RELATIVE = 0x0004, 0x0400, 0x1000, 0x8000


def sid_to_bytes(sid: str) -> bytes:
    parts = sid.split("-")
    if len(parts) < 3 or parts[0] != "S":
        raise ValueError(f"not a SID: {sid!r}")
    revision, authority, subs = int(parts[1]), int(parts[2]), [int(p) for p in parts[3:]]
    return bytes([revision, len(subs)]) + authority.to_bytes(6, "big") + b"".join(struct.pack("<I", s) for s in subs)


def sid_from_bytes(data: bytes, offset: int = 0) -> str:
    revision, count = data[offset], data[offset + 1]
    authority = int.from_bytes(data[offset + 2:offset + 8], "big")
    subs = struct.unpack_from(f"<{count}I", data, offset + 8)
    return "-".join(["S", str(revision), str(authority)] + [str(s) for s in subs])


def _sid_len(data: bytes, offset: int) -> int:
    return 8 + 4 * data[offset + 1]


def guid_bytes(guid: str) -> bytes:
    """A GUID as stored in a descriptor (and in schemaIDGUID): the mixed-endian ``bytes_le``."""
    return uuid.UUID(guid).bytes_le


@dataclass(frozen=True)
class Ace:
    type: int
    flags: int
    mask: int
    sid: str
    object_type: str | None = None
    inherited_object_type: str | None = None

    @classmethod
    def allow(cls, sid: str, mask: int, flags: int = 0, object_type: str | None = None,
              inherited_object_type: str | None = None) -> "Ace":
        kind = ALLOW_OBJECT if (object_type or inherited_object_type) else ALLOW
        return cls(kind, flags, mask, sid, object_type, inherited_object_type)

    @classmethod
    def deny(cls, sid: str, mask: int, flags: int = 0, object_type: str | None = None,
             inherited_object_type: str | None = None) -> "Ace":
        kind = DENY_OBJECT if (object_type or inherited_object_type) else DENY
        return cls(kind, flags, mask, sid, object_type, inherited_object_type)

    @property
    def is_allow(self) -> bool:
        return self.type in (ALLOW, ALLOW_OBJECT)

    @property
    def inherited(self) -> bool:
        return bool(self.flags & ID)

    def explicit(self) -> "Ace":
        return replace(self, flags=self.flags & ~ID)

    def to_bytes(self) -> bytes:
        body = struct.pack("<I", self.mask)
        if self.type in (ALLOW_OBJECT, DENY_OBJECT):
            present = (_OBJECT_TYPE_PRESENT if self.object_type else 0) | \
                      (_INHERITED_OBJECT_TYPE_PRESENT if self.inherited_object_type else 0)
            body += struct.pack("<I", present)
            if self.object_type:
                body += guid_bytes(self.object_type)
            if self.inherited_object_type:
                body += guid_bytes(self.inherited_object_type)
        body += sid_to_bytes(self.sid)
        return struct.pack("<BBH", self.type, self.flags, 4 + len(body)) + body

    @classmethod
    def from_bytes(cls, data: bytes, offset: int) -> tuple["Ace", int]:
        kind, flags, size = struct.unpack_from("<BBH", data, offset)
        if kind not in (ALLOW, DENY, ALLOW_OBJECT, DENY_OBJECT):
            raise ValueError(f"ACE type {kind} at offset {offset} is not implemented here")
        (mask,) = struct.unpack_from("<I", data, offset + 4)
        pos = offset + 8
        object_type = inherited = None
        if kind in (ALLOW_OBJECT, DENY_OBJECT):
            (present,) = struct.unpack_from("<I", data, pos)
            pos += 4
            if present & _OBJECT_TYPE_PRESENT:
                object_type = str(uuid.UUID(bytes_le=data[pos:pos + 16]))
                pos += 16
            if present & _INHERITED_OBJECT_TYPE_PRESENT:
                inherited = str(uuid.UUID(bytes_le=data[pos:pos + 16]))
                pos += 16
        return cls(kind, flags, mask, sid_from_bytes(data, pos), object_type, inherited), offset + size


def _acl_bytes(aces: list[Ace]) -> bytes:
    body = b"".join(a.to_bytes() for a in aces)
    revision = 4 if any(a.type in (ALLOW_OBJECT, DENY_OBJECT) for a in aces) else 2
    return struct.pack("<BBHHH", revision, 0, 8 + len(body), len(aces), 0) + body


def _acl_from(data: bytes, offset: int) -> list[Ace]:
    _, _, _, count, _ = struct.unpack_from("<BBHHH", data, offset)
    aces, pos = [], offset + 8
    for _ in range(count):
        ace, pos = Ace.from_bytes(data, pos)
        aces.append(ace)
    return aces


@dataclass
class SecurityDescriptor:
    owner: str | None = None
    group: str | None = None
    dacl: list[Ace] = field(default_factory=list)
    control: int = SE_DACL_PRESENT | SE_SELF_RELATIVE

    @property
    def protected(self) -> bool:
        return bool(self.control & SE_DACL_PROTECTED)

    def explicit_aces(self) -> list[Ace]:
        return [a for a in self.dacl if not a.inherited]

    def inherited_aces(self) -> list[Ace]:
        return [a for a in self.dacl if a.inherited]

    def to_bytes(self) -> bytes:
        """Self-relative form: header, owner, group, DACL (no SACL), as Windows lays it out."""
        owner = sid_to_bytes(self.owner) if self.owner else b""
        group = sid_to_bytes(self.group) if self.group else b""
        dacl = _acl_bytes(self.dacl)
        offset = 20
        owner_off = offset if owner else 0
        offset += len(owner)
        group_off = offset if group else 0
        offset += len(group)
        control = self.control | SE_SELF_RELATIVE | SE_DACL_PRESENT
        header = struct.pack("<BBHIIII", 1, 0, control, owner_off, group_off, 0, offset)
        return header + owner + group + dacl

    @classmethod
    def from_bytes(cls, data: bytes) -> "SecurityDescriptor":
        revision, _, control, owner_off, group_off, _sacl_off, dacl_off = struct.unpack_from("<BBHIIII", data, 0)
        if revision != 1:
            raise ValueError(f"security descriptor revision {revision}")
        return cls(owner=sid_from_bytes(data, owner_off) if owner_off else None,
                   group=sid_from_bytes(data, group_off) if group_off else None,
                   dacl=_acl_from(data, dacl_off) if dacl_off else [], control=control)

    def with_explicit(self, extra: list[Ace], *, protected: bool | None = None,
                      copy_inherited: bool = False) -> "SecurityDescriptor":
        """The explicit part of this descriptor plus ``extra``, in canonical order (denies first).

        Inherited ACEs are left out: the directory recomputes them from the parent, unless
        ``copy_inherited`` (what "Copy" does when an administrator disables inheritance).
        """
        aces = self.explicit_aces() + [a.explicit() for a in extra]
        if copy_inherited:
            aces += [a.explicit() for a in self.inherited_aces()]
        ordered = [a for a in aces if not a.is_allow] + [a for a in aces if a.is_allow]
        control = SE_DACL_PRESENT | SE_SELF_RELATIVE | (self.control & SE_DACL_PROTECTED)
        if protected is True:
            control |= SE_DACL_PROTECTED
        elif protected is False:
            control &= ~SE_DACL_PROTECTED
        return SecurityDescriptor(owner=self.owner, group=self.group, dacl=ordered, control=control)
