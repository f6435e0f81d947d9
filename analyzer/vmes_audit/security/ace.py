"""The data model of a security descriptor (MS-DTYP 2.4): ACE types and flags, :class:`Ace` and
:class:`SecurityDescriptor`. Both readers build it: ``security_descriptor`` from the binary
descriptor (format 1.1), ``acl`` from the collector's ``sd``/``ace`` records."""

from __future__ import annotations

from dataclasses import dataclass, field

from vmes_audit.windows.sids import is_valid_sid, normalize_sid

__all__ = [
    "ACCESS_ALLOWED", "ACCESS_DENIED", "ACCESS_ALLOWED_OBJECT", "ACCESS_DENIED_OBJECT", "ACE_TYPES",
    "OBJECT_INHERIT", "CONTAINER_INHERIT", "NO_PROPAGATE_INHERIT", "INHERIT_ONLY", "INHERITED",
    "OBJECT_TYPE_PRESENT", "INHERITED_OBJECT_TYPE_PRESENT",
    "SE_DACL_PRESENT", "SE_DACL_PROTECTED", "Ace", "SecurityDescriptor",
]

# AceType (ADS_ACETYPE_ENUM)
ACCESS_ALLOWED = 0
ACCESS_DENIED = 1
ACCESS_ALLOWED_OBJECT = 5
ACCESS_DENIED_OBJECT = 6
ACE_TYPES = {ACCESS_ALLOWED: (True, False), ACCESS_DENIED: (False, False),
              ACCESS_ALLOWED_OBJECT: (True, True), ACCESS_DENIED_OBJECT: (False, True)}

# AceFlags (ADS_ACEFLAG_ENUM). OBJECT_INHERIT has no effect in AD: every
# directory object is a container, only CONTAINER_INHERIT propagates.
OBJECT_INHERIT = 0x01
CONTAINER_INHERIT = 0x02
NO_PROPAGATE_INHERIT = 0x04
INHERIT_ONLY = 0x08
INHERITED = 0x10

# Flags (ADS_FLAGTYPE_ENUM)
OBJECT_TYPE_PRESENT = 0x1
INHERITED_OBJECT_TYPE_PRESENT = 0x2

# SECURITY_DESCRIPTOR_CONTROL
SE_DACL_PRESENT = 0x0004
SE_DACL_PROTECTED = 0x1000


@dataclass(frozen=True)
class Ace:
    """One DACL entry. ``mask`` is unsigned and already generic-mapped.

    ``source_dn`` is only set on ACEs this package computes by inheritance
    (:mod:`vmes_audit.security.effective_rights`): the object whose DACL
    holds the ACE that was inherited.
    """

    object_dn: str
    index: int
    allow: bool
    object_ace: bool
    mask: int
    flags: int
    object_type: str | None
    inherited_object_type: str | None
    trustee: str
    trustee_sid: str | None
    inherited: bool
    source_dn: str | None = None

    @property
    def container_inherit(self) -> bool:
        return bool(self.flags & CONTAINER_INHERIT)

    @property
    def no_propagate(self) -> bool:
        return bool(self.flags & NO_PROPAGATE_INHERIT)

    @property
    def inherit_only(self) -> bool:
        return bool(self.flags & INHERIT_ONLY)

    @property
    def sid(self) -> str | None:
        """The trustee's SID: ``TrusteeSid``, or ``Trustee`` itself when ADSI printed a SID."""
        if self.trustee_sid:
            return self.trustee_sid
        return normalize_sid(self.trustee) if is_valid_sid(self.trustee) else None


@dataclass
class SecurityDescriptor:
    """Owner, control flags and DACL (in stored order) of one directory object.

    ``error`` is set when this object's descriptor could not be read or was
    contradictory: it then has no ACEs and every question asked of it is
    answered "unknown" with that reason (the other objects stay usable).
    ``object_classes``: the object's ``objectClass`` values when collected
    (format 1.1), most specific last.
    """

    object_dn: str
    owner: str | None
    control: int
    aces: list[Ace] = field(default_factory=list)
    group: str | None = None
    error: str | None = None
    object_classes: tuple[str, ...] = ()
    source: str = ""  # hexstring | ado | iads ("" for 1.0 collections)
    not_returned: bool = False  # the directory did not return it: the reader may not read its permissions

    @property
    def protected(self) -> bool:
        """SE_DACL_PROTECTED: inheritance from the parent is blocked (AdminSDHolder, "inheritance disabled")."""
        return bool(self.control & SE_DACL_PROTECTED)
