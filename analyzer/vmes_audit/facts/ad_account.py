"""The service account in the directory: its object, its token, its administrative groups (F1–F5, F3).

Sources: ``ad_service_account`` (the user object), ``ad_service_account_groups``
(``tokenGroups``, computed by the DC: nested groups and the primary group
included), ``ad_domain`` (domain SID, ``dSHeuristics``, members of
Pre-Windows 2000 Compatible Access). SIDs come as format 1.1 hex or 1.0
``S-1-…`` text (:func:`~vmes_audit.facts.ad_records.sid_value`).

A malformed SID anywhere in the token makes the token unknown (a missing group
could be Domain Admins): the checks that need it are "Non évaluable", the rest
of the directory stays evaluated.

F3 distinguishes (``domain-facts.md`` §3.4–3.5, MS-ADTS 3.1.1.6.1.4):

- ``sa_admin_groups``: Domain Admins, Enterprise Admins, Schema Admins,
  Administrators — administrators of the domain, protected by AdminSDHolder;
  among them ``sa_exchange_denied_groups``: those Exchange setup denies Send As /
  Receive As on the organisation, Enterprise Admins and the *root* domain's
  Domain Admins only (bb123738: not Schema Admins, not Administrators, not a
  child domain's Domain Admins);
- ``sa_operator_groups``: Account, Server, Print, Backup Operators and Cert
  Publishers — protected by AdminSDHolder (inheritance disabled on the account)
  but not denied by Exchange; ``dSHeuristics``' ``dwAdminSDExMask`` (16th
  character, Windows Server 2003 SP1 DCs) can exempt the four operator groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vmes_audit.base.errors import ParseError
from vmes_audit.facts.ad_records import (as_bool, as_list, cn_of, control_of, first_of, of_kind, records_of,
                                         sid_value, text_of)
from vmes_audit.facts.host import to_int
from vmes_audit.facts.model import Facts
from vmes_audit.security import acl as acl_mod
from vmes_audit.windows.dn import normalize_dn
from vmes_audit.security.membership import Token, expand_groups, is_privileged, network_token
from vmes_audit.windows.sids import (ACCOUNT_OPERATORS, BACKUP_OPERATORS, PRE_WINDOWS_2000, PRINT_OPERATORS,
                                      RID_CERT_PUBLISHERS, RID_DOMAIN_ADMINS, RID_ENTERPRISE_ADMINS,
                                      RID_SCHEMA_ADMINS, SERVER_OPERATORS, domain_sid_of, rid_of, sid_name_fr)

__all__ = ["AccountFacts", "read_account", "admin_sd_exempt_mask"]

_UAC_DISABLED = 0x2
# dwAdminSDExMask bits (MS-ADTS 3.1.1.6.1.4.1): operator groups SDProp may skip.
_EXEMPT_BITS = {ACCOUNT_OPERATORS: 0x1, SERVER_OPERATORS: 0x2, PRINT_OPERATORS: 0x4, BACKUP_OPERATORS: 0x8}


@dataclass
class AccountFacts:
    """What the directory says of the service account; ``token`` is None when its groups are unknown."""

    sids: set[str] | None = None
    token: Token | None = None
    names: dict[str, str] = field(default_factory=dict)  # SID -> name, for messages
    group_rows: list[dict] = field(default_factory=list)
    domain_sid: str | None = None


def admin_sd_exempt_mask(ds_heuristics: str | None) -> int:
    """``dwAdminSDExMask``: the 16th character of ``dSHeuristics``, a hexadecimal digit (0 when unset).

    >>> admin_sd_exempt_mask("000000000100000f"), admin_sd_exempt_mask(None), admin_sd_exempt_mask("0000000001")
    (15, 0, 0)
    """
    text = (ds_heuristics or "").strip()
    if len(text) < 16:
        return 0
    digit = text[15]
    return int(digit, 16) if digit in "0123456789abcdefABCDEF" else 0


def _groups(org: dict, sids: set[str], domain_sid: str, exempt: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(privileged groups, operator groups not exempted) held by the token, with French names."""
    privileged, operators = [], []
    for sid in sorted(sids):
        rid = rid_of(sid)
        if is_privileged(sid):
            privileged.append((sid, sid_name_fr(sid) or sid))
        elif sid in _EXEMPT_BITS:
            if exempt & _EXEMPT_BITS[sid]:
                org.setdefault("sa_operator_exempt", []).append(sid_name_fr(sid) or sid)
            else:
                operators.append((sid, sid_name_fr(sid) or sid))
        elif domain_sid_of(sid) == domain_sid and rid == RID_CERT_PUBLISHERS:
            operators.append((sid, sid_name_fr(sid) or sid))
    order = {RID_DOMAIN_ADMINS: 0, RID_ENTERPRISE_ADMINS: 1, RID_SCHEMA_ADMINS: 2}
    privileged.sort(key=lambda p: order.get(rid_of(p[0]) if domain_sid_of(p[0]) else -1, 3))
    return privileged, operators


def _exchange_denied(sid: str, domain_sid: str, org: dict) -> bool | None:
    """Is this privileged group one Exchange 2000/2003 setup denies Send As / Receive As on the organisation?
    Enterprise Admins, and Domain Admins of the forest's root domain (bb123738, « During server install »):
    the account's own domain is the root when the RootDSE's rootDomainNamingContext is its DN.

    >>> org = {"domain_dn": "DC=corp,DC=local", "root_domain_dn": "DC=corp,DC=local"}
    >>> d = "S-1-5-21-1-2-3"
    >>> _exchange_denied(d + "-512", d, org), _exchange_denied(d + "-518", d, org), _exchange_denied("S-1-5-32-544", d, org)
    (True, False, False)
    >>> _exchange_denied(d + "-512", d, {"domain_dn": "DC=fr,DC=corp,DC=local", "root_domain_dn": "DC=corp,DC=local"})
    False
    """
    if not domain_sid_of(sid):
        return False
    rid = rid_of(sid)
    if rid == RID_ENTERPRISE_ADMINS:
        return True
    if rid != RID_DOMAIN_ADMINS:
        return False
    if domain_sid_of(sid) != domain_sid:
        return False  # another domain's Domain Admins: root or not, the collection does not say
    own, root = org.get("domain_dn"), org.get("root_domain_dn")
    if not own or not root:
        return None  # RootDSE not read: the root domain is not known
    return normalize_dn(own) == normalize_dn(root)


def _domain(facts: Facts, org: dict[str, Any], warnings: list[str]) -> tuple[list[str] | None, str | None]:
    """Domain identity; returns (members of Pre-Windows 2000 Compatible Access or None, dSHeuristics)."""
    records, _ = records_of(facts, "ad_domain")
    domain = first_of(records, "domain")
    if domain is not None:
        org["domain_dn"] = text_of(domain.get("distinguishedName")) or org.get("domain_dn")
        org["domain_netbios"] = text_of(domain.get("nETBIOSName"))
        try:
            org["domain_sid"] = sid_value(domain.get("objectSid"))
        except ParseError as exc:
            warnings.append(f"SID du domaine illisible ({exc}) : il est déduit de celui du compte de service.")
    pre2000 = None
    builtin = [r for r in of_kind(records, "builtingroup")
               if str(r.get("Sid") or "").upper() == PRE_WINDOWS_2000]
    if builtin:
        pre2000 = as_list(builtin[0].get("member"))
    service = first_of(records, "directoryservice")
    heuristics = text_of(service.get("dSHeuristics")) if service is not None else None
    if records is not None and service is not None:
        org["ds_heuristics"] = heuristics or ""
    return pre2000, heuristics


def read_account(facts: Facts, org: dict[str, Any], warnings: list[str]) -> AccountFacts:
    """Fill the ``sa_*`` columns of the organisation row and return the account's token."""
    out = AccountFacts()
    pre2000, heuristics = _domain(facts, org, warnings)
    sa_records, _ = records_of(facts, "ad_service_account")
    group_records, _ = records_of(facts, "ad_service_account_groups")
    users = of_kind(sa_records, "user")
    user = users[0] if users else None
    if sa_records is not None:
        org["sa_found"] = user is not None
    if len(users) > 1:
        warnings.append(f"{len(users)} comptes portent le nom « {org.get('sa_name')} » dans l'annuaire : "
                        "le premier est évalué (vérifier lequel VMES utilisera).")
    if user is None:
        return out
    uac = to_int(text_of(user.get("userAccountControl")))
    try:
        account_sid = sid_value(user.get("objectSid"))
    except ParseError as exc:
        warnings.append(f"SID du compte de service illisible ({exc}) : ses groupes ne peuvent pas être évalués.")
        account_sid = None
    org.update({"sa_dn": text_of(user.get("distinguishedName")), "sa_sid": account_sid,
                "sa_name": text_of(user.get("sAMAccountName")) or org.get("sa_name"), "sa_uac": uac,
                "sa_enabled": (not uac & _UAC_DISABLED) if uac is not None else None,
                "sa_primary_group_rid": to_int(text_of(user.get("primaryGroupID"))),
                "sa_admin_count": to_int(text_of(user.get("adminCount"))) or 0,
                "sa_home_mdb": text_of(user.get("homeMDB")),
                "sa_home_server": cn_of(text_of(user.get("msExchHomeServerName"))),
                "sa_legacy_dn": text_of(user.get("legacyExchangeDN")), "sa_mail": text_of(user.get("mail")),
                "sa_hidden": as_bool(text_of(user.get("msExchHideFromAddressLists"))) or False,
                "sa_show_in_ab_count": len(as_list(user.get("showInAddressBook")))})
    org["sa_has_mailbox"] = bool(org["sa_home_mdb"] and org["sa_legacy_dn"])
    control = control_of(user)
    org["sa_protected"] = bool(control & acl_mod.SE_DACL_PROTECTED) if control is not None else None
    domain_sid = org.get("domain_sid") or (domain_sid_of(account_sid) if account_sid else None)
    out.domain_sid = domain_sid
    if account_sid:
        out.names[account_sid] = f"{org.get('domain_netbios') or ''}\\{org.get('sa_name')}".lstrip("\\")
    if group_records is None or account_sid is None:
        return out
    token_sids: list[str] = []
    try:
        for rec in of_kind(group_records, "group"):
            sid = sid_value(rec.get("Sid"))
            if sid is None:
                # an unread group is missing evidence, not an absent one: it could be Domain Admins
                raise ParseError(f"SID non lu pour le groupe « {text_of(rec.get('Name')) or '?'} » "
                                 f"({text_of(rec.get('distinguishedName')) or 'nom distinctif inconnu'})")
            token_sids.append(sid)
            name = text_of(rec.get("Name")) or sid_name_fr(sid) or sid
            out.names[sid] = f"{org.get('domain_netbios')}\\{name}" if org.get("domain_netbios") and \
                domain_sid_of(sid) == domain_sid and not sid_name_fr(sid) else name
            out.group_rows.append({"host": "", "artifact": "ad_service_account_groups", "sid": sid, "name": name,
                                   "dn": text_of(rec.get("distinguishedName")), "protected": False})
        sids = expand_groups(account_sid, org.get("sa_primary_group_rid"), token_sids)
    except ParseError as exc:
        warnings.append(f"Groupes du compte de service illisibles ({exc}) : les contrôles qui dépendent de son "
                        "jeton ne sont pas évalués.")
        out.group_rows = []
        return out
    out.sids = sids
    out.token = network_token(sids, pre2000)
    if domain_sid:
        org["domain_sid"] = domain_sid
        org["sa_in_domain_users"] = f"{domain_sid}-513" in sids
        exempt = admin_sd_exempt_mask(heuristics)
        privileged, operators = _groups(org, sids, domain_sid, exempt)
        org["sa_admin_groups"] = [name for _, name in privileged]
        org["sa_admin_group_count"] = len(privileged)
        denial = {name: _exchange_denied(sid, domain_sid, org) for sid, name in privileged}
        denied = [name if denial[name] else f"{name}, si ce domaine est la racine de la forêt"
                  for name in denial if denial[name] is not False]
        org["sa_exchange_denied_groups"] = denied
        org["sa_exchange_denied_count"] = len(denied)
        org["sa_other_admin_groups"] = [name for name in denial if denial[name] is False]
        org["sa_operator_groups"] = [name for _, name in operators]
        org["sa_operator_group_count"] = len(operators)
        protected = {sid for sid, _ in privileged + operators}
        for row in out.group_rows:
            row["protected"] = row["sid"] in protected
    return out
