"""Builders for hand-worked ACL scenarios (an Exchange 2003 organisation in corp.local)."""

from __future__ import annotations

from vmes_audit.security.acl import Ace, SecurityDescriptor
from vmes_audit.windows.dn import normalize_dn
from vmes_audit.windows.rights import ADS_RIGHT_DS_CONTROL_ACCESS, map_generic

DOMAIN_SID = "S-1-5-21-1000-2000-3000"
VMES = f"{DOMAIN_SID}-1105"            # the service account
VMES_OPS = f"{DOMAIN_SID}-1200"        # group the account is a direct member of
NESTED = f"{DOMAIN_SID}-1300"          # group VMES_OPS is a member of (reached only through tokenGroups)
EXCH_ADMINS = f"{DOMAIN_SID}-1400"     # group holding the "Exchange Administrator" role
OTHER = f"{DOMAIN_SID}-1999"           # somebody else
DOMAIN_USERS = f"{DOMAIN_SID}-513"

DOMAIN = "DC=corp,DC=local"
ORG = "CN=Corp,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=local"
AGS = "CN=Administrative Groups," + ORG      # never collected by the collector
AG = "CN=First Administrative Group," + AGS
SERVERS = "CN=Servers," + AG
SRV = "CN=EXCH01," + SERVERS
EXCHANGE_CHAIN = [ORG, AGS, AG, SERVERS]      # ancestors of SRV, top first

CI, NP, IO, INH = 0x2, 0x4, 0x8, 0x10

NAMES = {VMES: "CORP\\vmes", VMES_OPS: "CORP\\VMES-Ops", NESTED: "CORP\\Nested", EXCH_ADMINS: "CORP\\Exchange Admins",
         OTHER: "CORP\\autre", DOMAIN_USERS: "CORP\\Utilisateurs du domaine"}


def ace(dn: str, sid: str | None, *, allow: bool = True, mask: int = ADS_RIGHT_DS_CONTROL_ACCESS,
        ot: str | None = None, iot: str | None = None, flags: int = 0, index: int = 0,
        trustee: str | None = None) -> Ace:
    """An ACE as descriptors_from_records would build it (generic bits mapped)."""
    return Ace(dn, index, allow, bool(ot or iot), map_generic(mask), flags, ot, iot,
               trustee or NAMES.get(sid or "", sid or "CORP\\inconnu"), sid, bool(flags & INH))


def sd(dn: str, *aces: Ace, control: int = 0x4) -> SecurityDescriptor:
    """A descriptor whose ACEs are re-indexed in the given (stored) order."""
    from dataclasses import replace
    return SecurityDescriptor(dn, None, control, [replace(a, object_dn=dn, index=i) for i, a in enumerate(aces)])


def index(*descriptors: SecurityDescriptor) -> dict[str, SecurityDescriptor]:
    return {normalize_dn(d.object_dn): d for d in descriptors}
