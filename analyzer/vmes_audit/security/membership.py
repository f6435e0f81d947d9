"""Group membership of the service account, as SIDs (checks F2, F3, F9).

The ``tokenGroups`` attribute (artifact ``ad_service_account_groups``) is
computed by the domain controller: it is already transitive (nested groups
included) and holds the primary group. This module adds what a logon token
holds besides: the account's own SID, the primary group rebuilt from the
domain SID and ``primaryGroupID`` (in case the collector missed it),
Everyone (``S-1-1-0``) and Authenticated Users (``S-1-5-11``).
``memberOf`` is neither transitive nor complete (no primary group): it only
adds SIDs for DNs whose SID is known.

>>> sids = expand_groups("S-1-5-21-1-2-3-1105", 513, ["S-1-5-21-1-2-3-1200"])
>>> sorted(sids)
['S-1-1-0', 'S-1-5-11', 'S-1-5-21-1-2-3-1105', 'S-1-5-21-1-2-3-1200', 'S-1-5-21-1-2-3-513']
>>> admin_memberships(sids | {"S-1-5-21-1-2-3-512"}, "S-1-5-21-1-2-3")
[('S-1-5-21-1-2-3-512', 'Admins du domaine (Domain Admins)')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.records import Record
from vmes_audit.windows.dn import normalize_dn
from vmes_audit.windows.sids import (
    AUTHENTICATED_USERS, BUILTIN_ADMINISTRATORS, EVERYONE, NETWORK, PRE_WINDOWS_2000, RID_DOMAIN_ADMINS,
    RID_ENTERPRISE_ADMINS, RID_SCHEMA_ADMINS, THIS_ORGANIZATION, domain_sid_of, normalize_sid, protected_group_sids,
    rid_of,
)

__all__ = ["expand_groups", "admin_memberships", "service_account_sids", "Token", "network_token", "unprivileged",
           "is_privileged", "NETWORK", "THIS_ORGANIZATION", "PRE_WINDOWS_2000"]

# A network logon's token (network_token) adds NETWORK (every network logon: the Exchange store sees
# VMES through one) and THIS_ORGANIZATION (accounts of the forest, and of trusted forests without
# selective authentication).
PRIVILEGED_RIDS = (RID_DOMAIN_ADMINS, RID_SCHEMA_ADMINS, RID_ENTERPRISE_ADMINS)


def is_privileged(sid: str) -> bool:
    """Administrators, or Domain / Schema / Enterprise Admins of any domain (checks F3, F10, F11)."""
    return sid == BUILTIN_ADMINISTRATORS or bool(domain_sid_of(sid)) and rid_of(sid) in PRIVILEGED_RIDS


@dataclass(frozen=True)
class Token:
    """The SIDs an access check sees for the account, and those it *may* hold.

    ``maybe``: SIDs whose membership could not be established (e.g. Pre-Windows
    2000 Compatible Access when its members were not collected). An ACE for one
    of them can neither grant nor deny with certainty.
    """

    sids: frozenset[str]
    maybe: frozenset[str] = frozenset()


def network_token(sids: Iterable[str], pre2000_members: Iterable[str] | None) -> Token:
    """The token of a network logon of the account whose groups are ``sids`` (:func:`expand_groups`).

    Adds NETWORK and This Organization, and Pre-Windows 2000 Compatible
    Access (S-1-5-32-554) when Authenticated Users or Everyone is one of its
    members (``pre2000_members``: member SIDs or DNs, e.g.
    ``CN=S-1-5-11,CN=ForeignSecurityPrincipals,…``); ``None`` = not collected,
    the SID is then only *maybe* held.

    >>> t = network_token({"S-1-5-21-1-2-3-1105", EVERYONE, AUTHENTICATED_USERS}, None)
    >>> NETWORK in t.sids, PRE_WINDOWS_2000 in t.maybe
    (True, True)
    >>> PRE_WINDOWS_2000 in network_token(set(), ["CN=S-1-5-11,CN=ForeignSecurityPrincipals,DC=corp"]).sids
    True
    >>> network_token(set(), []).maybe
    frozenset()
    """
    held = {normalize_sid(s) for s in sids} | {NETWORK, THIS_ORGANIZATION}
    maybe: set[str] = set()
    if PRE_WINDOWS_2000 not in held:
        if pre2000_members is None:
            maybe.add(PRE_WINDOWS_2000)
        else:
            keys = {str(m).split(",")[0].split("=")[-1].strip().upper() for m in pre2000_members}
            if keys & {AUTHENTICATED_USERS, EVERYONE}:
                held.add(PRE_WINDOWS_2000)
    return Token(frozenset(held), frozenset(maybe))


def expand_groups(account_sid: str, primary_group_rid: int | str | None, token_group_sids: Iterable[str],
                  member_of_dns: Iterable[str] = (), *,
                  sid_by_dn: Mapping[str, str] | None = None) -> set[str]:
    """Every SID the account's token would hold, normalised (``S-1-…``).

    ``member_of_dns`` (``memberOf``) is mapped through ``sid_by_dn`` (DN →
    SID, e.g. from the ``group`` records of ``ad_service_account_groups``);
    DNs without a known SID are ignored since ``tokenGroups`` covers them.
    An invalid SID or RID raises :class:`ParseError`.

    >>> "S-1-5-21-9-9-9-777" in expand_groups("S-1-5-21-1-2-3-1105", None, [],
    ...     ["CN=G,DC=x"], sid_by_dn={"cn=g,dc=x": "S-1-5-21-9-9-9-777"})
    True
    """
    account = normalize_sid(account_sid)
    sids = {account, EVERYONE, AUTHENTICATED_USERS}
    sids.update(normalize_sid(s) for s in token_group_sids if s and s.strip())
    if primary_group_rid not in (None, ""):
        try:
            rid = int(str(primary_group_rid).strip())
        except ValueError:
            raise ParseError(f"primaryGroupID « {primary_group_rid} » illisible : entier attendu") from None
        domain = domain_sid_of(account)
        if domain is None:
            raise ParseError(f"le SID du compte « {account} » n'est pas un SID de domaine : "
                             "groupe principal impossible à reconstituer")
        sids.add(f"{domain}-{rid}")
    if sid_by_dn:
        by_key = {normalize_dn(dn): sid for dn, sid in sid_by_dn.items()}
        for dn in member_of_dns:
            sid = by_key.get(normalize_dn(dn))
            if sid:
                sids.add(normalize_sid(sid))
    return sids


def admin_memberships(sids: Iterable[str], domain_sid: str, *,
                      root_domain_sid: str | None = None) -> list[tuple[str, str]]:
    """The administrative / AdminSDHolder-protected groups among ``sids`` (check F3).

    Ordered as the report lists them: Domain Admins, Enterprise Admins,
    Schema Admins, Administrators, then the other protected groups.

    >>> admin_memberships({"S-1-5-32-551", "S-1-5-32-544"}, "S-1-5-21-1-2-3")
    [('S-1-5-32-544', 'Administrateurs (BUILTIN\\\\Administrators)'), ('S-1-5-32-551', 'Opérateurs de sauvegarde (Backup Operators)')]
    """
    held = {normalize_sid(s) for s in sids}
    return [(sid, name) for sid, name in protected_group_sids(domain_sid, root_domain_sid).items()
            if sid in held]


def service_account_sids(user: Record, groups: Iterable[Record]) -> set[str]:
    """Token SIDs from the ``user`` record of ``ad_service_account`` and the
    ``group`` records of ``ad_service_account_groups``.

    >>> u = Record("user", {"objectSid": "S-1-5-21-1-2-3-1105", "primaryGroupID": "513"})
    >>> g = Record("group", {"Sid": "S-1-5-21-1-2-3-1200", "distinguishedName": "CN=VMES,DC=corp"})
    >>> "S-1-5-21-1-2-3-513" in service_account_sids(u, [g])
    True
    """
    sid = user.get("objectSid")
    if not isinstance(sid, str) or not sid.strip():
        raise ParseError("objectSid absent de l'enregistrement du compte de service",
                         artifact="ad_service_account", line=user.line or None)
    group_list = list(groups)
    token = [g.get("Sid") for g in group_list if isinstance(g.get("Sid"), str) and g.get("Sid")]
    sid_by_dn = {g.get("distinguishedName"): g.get("Sid") for g in group_list
                 if isinstance(g.get("distinguishedName"), str) and isinstance(g.get("Sid"), str)}
    member_of = user.get("memberOf") or []
    if isinstance(member_of, str):
        member_of = [member_of]
    return expand_groups(sid, user.get("primaryGroupID"), token, member_of, sid_by_dn=sid_by_dn)


def unprivileged(token: Token) -> Token:
    """The token without Domain / Enterprise / Schema Admins and Administrators.

    For grants that would only come from those memberships (their full control on users and
    AdminSDHolder): check F3 asks to leave these groups, after which such a grant disappears, so
    checks F10 and F11 do not count it.

    >>> t = Token(frozenset({"S-1-5-21-1-2-3-512", "S-1-5-21-1-2-3-1105", "S-1-5-32-544", "S-1-5-11"}))
    >>> sorted(unprivileged(t).sids)
    ['S-1-5-11', 'S-1-5-21-1-2-3-1105']
    """
    return Token(frozenset(s for s in token.sids if not is_privileged(s)), token.maybe)
