"""Mail users that do not inherit the domain's Send As (check F11).

A user whose DACL is protected (SE_DACL_PROTECTED) inherits nothing from its
container: not the Send As granted at the domain head or on its OU. Two
causes (``domain-facts.md`` §3.5): AdminSDHolder (members and former members
of protected groups, ``adminCount=1``: every hour SDProp copies the
AdminSDHolder descriptor onto them), or inheritance disabled by hand.

- Format 1.1 ``ad_mail_users_protected`` lists the protected mail users
  (both causes), counted over every mail user scanned.
- Format 1.0 only had ``ad_admincount_users`` (``adminCount=1`` mail users):
  inheritance disabled by hand is then not seen, and the finding says so.

For the AdminSDHolder cause, the remedy the vendor's world uses is to grant
Send As on AdminSDHolder itself (SDProp then copies it onto every protected
user): the collected AdminSDHolder descriptor is evaluated for that, so the
check stops warning once its own remediation is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vmes_audit.facts.ad_records import as_bool, cn_of, control_of, first_of, of_kind, records_of, text_of
from vmes_audit.facts.host import to_int
from vmes_audit.facts.model import Facts
from vmes_audit.security.acl import SE_DACL_PROTECTED, SecurityDescriptor
from vmes_audit.security.effective_rights import Right, effective_right
from vmes_audit.security.membership import Token, unprivileged
from vmes_audit.windows.rights import CLASS_USER

__all__ = ["protected_user_columns"]


def _name(rec) -> str:
    return str(text_of(rec.get("sAMAccountName")) or cn_of(text_of(rec.get("distinguishedName"))) or "?")


def protected_user_columns(facts: Facts, org: dict[str, Any], descriptors: Mapping[str, SecurityDescriptor] | None,
                           token: Token | None, label: str) -> None:
    """Fill the ``protected_*`` and ``adminsdholder_*`` columns of the organisation row."""
    # both end with a summary record (the catalogue requires it: an interrupted search is unreadable)
    records, _ = records_of(facts, "ad_mail_users_protected")
    source = "ad_mail_users_protected"
    if records is None:
        records, _ = records_of(facts, "ad_admincount_users")
        source = "ad_admincount_users"
    if records is None:
        return
    users = of_kind(records, "user")
    summary = first_of(records, "summary")
    by_hand, admin = [], []
    for rec in users:
        if source == "ad_admincount_users":
            control = control_of(rec)
            if control is not None and not control & SE_DACL_PROTECTED:
                continue  # adminCount=1 left behind, inheritance since re-enabled: it inherits again
            admin.append(_name(rec))
        elif to_int(text_of(rec.get("adminCount"))) == 1:
            admin.append(_name(rec))
        else:
            by_hand.append(_name(rec))
    if source == "ad_mail_users_protected":
        count = to_int(text_of(summary.get("Protected")))
        org["protected_unknown_count"] = to_int(text_of(summary.get("Unknown"))) or 0
        org["mail_users_scanned"] = to_int(text_of(summary.get("MailUsers")))
    else:
        total = to_int(text_of(summary.get("Count")))
        truncated = bool(as_bool(text_of(summary.get("Truncated"))))
        # users listed with their control flags: only the still-protected ones count
        count = total if truncated or total is None else total - (len(users) - len(admin))
        org["protected_unknown_count"] = 0
    org["protected_source"] = source
    org["protected_users"] = admin + by_hand
    org["protected_users_count"] = count if count is not None else len(users)
    org["protected_users_truncated"] = bool(as_bool(text_of(summary.get("Truncated"))))
    org["protected_admincount_users"] = admin
    org["protected_admincount_count"] = len(admin)
    org["protected_by_hand_users"] = by_hand
    org["protected_by_hand_count"] = len(by_hand)
    holder = f"CN=AdminSDHolder,CN=System,{org['domain_dn']}" if org.get("domain_dn") else None
    if holder and descriptors is not None and token is not None:
        # a grant through Domain/Enterprise Admins' full control would vanish once F3 is fixed
        decision = effective_right(holder, CLASS_USER, Right.send_as(), unprivileged(token), descriptors,
                                   principal_label=label)
        org["adminsdholder_send_as"] = decision.granted
        org["adminsdholder_send_as_reason"] = decision.reason_fr
