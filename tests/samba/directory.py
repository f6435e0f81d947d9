"""Writing to the test directory as its administrator, through LDAP.

Objects are created with ``add``, security descriptors are set with a
modify of ``nTSecurityDescriptor`` (binary, SD-flags control 7), and Samba's
descriptor module computes every inherited ACE of the object and of its
children, as a Windows DC would: the builders only ever write *explicit*
ACEs.

The one thing LDAP cannot do on Samba without an encrypted connection is
set a password: :meth:`Directory.set_password` writes ``unicodePwd`` with
``ldbmodify`` on the database file (as the system), the way ``samba-tool user
setpassword -H sam.ldb`` does.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import ldap3
from ldap3.utils.conv import escape_filter_chars

from .descriptors import Ace, SecurityDescriptor, sid_from_bytes
from .harness import SD_FLAGS_CONTROL, SambaDC

__all__ = ["Directory", "DirectoryError", "rdn_escape"]


class DirectoryError(RuntimeError):
    pass


def rdn_escape(value: str) -> str:
    """Escape an RDN value (RFC 4514): 'Exemple, SA' -> 'Exemple\\, SA'."""
    out = "".join("\\" + c if c in ',+"\\<>;=' else c for c in value)
    if out.startswith((" ", "#")):
        out = "\\" + out
    return out[:-1] + "\\ " if out.endswith(" ") and not out.endswith("\\ ") else out


@dataclass
class Directory:
    dc: SambaDC
    conn: ldap3.Connection
    created: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, dc: SambaDC) -> "Directory":
        return cls(dc, dc.connect())

    # ------------------------------------------------------------ names
    @property
    def domain_dn(self) -> str:
        return self.dc.domain_dn

    @property
    def config_dn(self) -> str:
        return self.dc.config_dn

    @property
    def domain_sid(self) -> str:
        return self.dc.domain_sid

    def rid(self, rid: int) -> str:
        return f"{self.dc.domain_sid}-{rid}"

    # ------------------------------------------------------------ writes
    def _check(self, ok: bool, what: str) -> None:
        if not ok:
            raise DirectoryError(f"{what}: {self.conn.result.get('description')} {self.conn.result.get('message')}")

    def add(self, dn: str, object_class: str | list[str], attrs: dict | None = None,
            sd: SecurityDescriptor | None = None) -> str:
        attributes = dict(attrs or {})
        if sd is not None:
            attributes["nTSecurityDescriptor"] = sd.to_bytes()
        ok = self.conn.add(dn, object_class, attributes,
                           controls=[SD_FLAGS_CONTROL] if sd is not None else None)
        self._check(ok, f"add {dn}")
        self.created.append(dn)
        return dn

    def modify(self, dn: str, changes: dict, controls=None) -> None:
        self._check(self.conn.modify(dn, changes, controls=controls), f"modify {dn}")

    def replace(self, dn: str, **values) -> None:
        self.modify(dn, {k: [(ldap3.MODIFY_REPLACE, v if isinstance(v, list) else [v])] for k, v in values.items()})

    def add_values(self, dn: str, attr: str, values: list) -> None:
        self.modify(dn, {attr: [(ldap3.MODIFY_ADD, values)]})

    def add_ou(self, name: str, parent: str | None = None) -> str:
        return self.add(f"OU={rdn_escape(name)},{parent or self.domain_dn}", "organizationalUnit")

    def add_container(self, name: str, parent: str, object_class: str = "container", **attrs) -> str:
        return self.add(f"CN={rdn_escape(name)},{parent}", object_class, attrs or None)

    def add_group(self, name: str, parent: str, *, universal: bool = False, members: list[str] | None = None
                  ) -> str:
        # groupType: 0x80000002 global security group, 0x80000008 universal security group
        group_type = -2147483640 if universal else -2147483646
        dn = self.add(f"CN={rdn_escape(name)},{parent}", "group",
                      {"sAMAccountName": name[:20], "groupType": group_type})
        if members:
            self.add_values(dn, "member", members)
        return dn

    def add_member(self, group_dn: str, member_dn: str) -> None:
        self.add_values(group_dn, "member", [member_dn])

    def add_user(self, name: str, parent: str, *, sam: str | None = None, attrs: dict | None = None,
                 enabled: bool = True) -> str:
        sam = sam or name
        dn = self.add(f"CN={rdn_escape(name)},{parent}", "user",
                      {"sAMAccountName": sam, "userPrincipalName": f"{sam}@{self.dc.realm.lower()}",
                       **(attrs or {})})
        if enabled:
            # 512 NORMAL_ACCOUNT, 0x10000 DONT_EXPIRE_PASSWD: as a service account is created
            self.dc.ldb_modify(f"dn: {dn}\nchangetype: modify\nreplace: userAccountControl\n"
                               "userAccountControl: 66048\n", what=f"enable {dn}")
        return dn

    def set_password(self, dn: str, password: str) -> None:
        encoded = base64.b64encode(f'"{password}"'.encode("utf-16-le")).decode("ascii")
        self.dc.ldb_modify(f"dn: {dn}\nchangetype: modify\nreplace: unicodePwd\nunicodePwd:: {encoded}\n",
                           what=f"set password of {dn}")

    # ------------------------------------------------------------ reads
    def get(self, dn: str, attrs: list[str]) -> dict:
        ok = self.conn.search(dn, "(objectClass=*)", ldap3.BASE, attributes=attrs, controls=[SD_FLAGS_CONTROL])
        self._check(ok and bool(self.conn.response), f"read {dn}")
        return self.conn.response[0]["raw_attributes"]

    def sid_of(self, dn: str) -> str:
        return sid_from_bytes(self.get(dn, ["objectSid"])["objectSid"][0])

    def find_dn(self, filter_: str, base: str | None = None) -> str:
        ok = self.conn.search(base or self.domain_dn, filter_, ldap3.SUBTREE, attributes=["distinguishedName"])
        entries = [e for e in self.conn.response if e.get("type") == "searchResEntry"]
        if not ok or len(entries) != 1:
            raise DirectoryError(f"{filter_}: {len(entries)} entries")
        return entries[0]["dn"]

    def user_dn(self, sam: str) -> str:
        return self.find_dn(f"(sAMAccountName={escape_filter_chars(sam)})")

    # ------------------------------------------------------------ security descriptors
    def get_sd(self, dn: str) -> SecurityDescriptor:
        return SecurityDescriptor.from_bytes(self.get(dn, ["nTSecurityDescriptor"])["nTSecurityDescriptor"][0])

    def set_sd(self, dn: str, sd: SecurityDescriptor) -> None:
        self.modify(dn, {"nTSecurityDescriptor": [(ldap3.MODIFY_REPLACE, [sd.to_bytes()])]},
                    controls=[SD_FLAGS_CONTROL])

    def grant(self, dn: str, aces: list[Ace], *, protected: bool | None = None, copy_inherited: bool = False
              ) -> SecurityDescriptor:
        """Add explicit ACEs to an object (canonical order kept); Samba re-inherits into the children."""
        sd = self.get_sd(dn).with_explicit(aces, protected=protected, copy_inherited=copy_inherited)
        self.set_sd(dn, sd)
        return sd

    def revoke(self, dn: str, predicate) -> None:
        """Remove the explicit ACEs for which ``predicate(ace)`` is true."""
        sd = self.get_sd(dn)
        kept = SecurityDescriptor(sd.owner, sd.group, [a for a in sd.explicit_aces() if not predicate(a)],
                                  sd.control)
        self.set_sd(dn, kept)
