"""What the Exchange 2000/2003 delegation wizard left for the service account (check F7), as data.

The wizard writes explicit ACEs (``domain-facts.md`` §3.4, §3.6; TechNet
bb124457, aa996122): on the organisation object and on the
``CN=Microsoft Exchange`` container above it (the "MsExchConfiguration
container", whose inheritable ACEs the organisation receives). This module
does not decide any role: it lists, per principal of the account's token that
holds such ACEs, the rights allowed and denied, in the EMS spelling
(``ReadProperty``, ``ListChildren``, ``WriteProperty``, ``WriteDacl``,
``ExtendedRight`` for all extended rights, or the extended right's name such
as ``ms-Exch-Store-Visible`` / ``Send-As``). The rule pack recognises the roles
from these lists (``rules/vmes-5.5/f7-*.yaml``), excluding broad principals
and privileged groups through ``principal_key``.

Rows (table ``exchange_delegations``):

- ``kind = delegation``: the principal's explicit ACEs on the organisation, and
  its explicit *inheritable* ACEs on the Microsoft Exchange container;
- ``kind = inherited_unknown``: ACEs the organisation inherited while the
  container's descriptor was not collected (format 1.0): their origin — the
  wizard, or a permission set higher in the Configuration partition — cannot be
  told, so they may only make the check "À vérifier", never a pass.

Inherited ACEs whose explicit origin *is* the collected container are already
its ``delegation`` rows; those from above it (Configuration defaults, e.g.
Enterprise Admins' full control) never make a role.
"""

from __future__ import annotations

from collections.abc import Mapping

from vmes_audit.security.acl import CONTAINER_INHERIT, Ace, SecurityDescriptor
from vmes_audit.windows.dn import normalize_dn, parent_dn
from vmes_audit.windows.rights import CLASS_MS_EXCH_ORGANIZATION_CONTAINER, EXTENDED_RIGHTS
from vmes_audit.windows.sids import principal_key, sid_name_fr

__all__ = ["delegation_rows", "mask_right_names"]

# ActiveDirectoryRights names (EMS spelling), bit order.
_MASK_NAMES = ((0x1, "CreateChild"), (0x2, "DeleteChild"), (0x4, "ListChildren"), (0x8, "Self"),
               (0x10, "ReadProperty"), (0x20, "WriteProperty"), (0x40, "DeleteTree"), (0x80, "ListObject"),
               (0x100, "ExtendedRight"), (0x10000, "Delete"), (0x20000, "ReadControl"), (0x40000, "WriteDacl"),
               (0x80000, "WriteOwner"))


def mask_right_names(ace: Ace) -> list[str]:
    """Rights an ACE states for the object as a whole (property-specific object ACEs state none).

    >>> from vmes_audit.security.acl import Ace
    >>> mask_right_names(Ace("x", 0, True, True, 0x100, 0, "d74a875e-22b9-11d3-aa62-00c04f8eedd8", None, "t", None, False))
    ['ms-Exch-Store-Visible']
    >>> mask_right_names(Ace("x", 0, True, False, 0x20094, 0, None, None, "t", None, False))
    ['ListChildren', 'ReadProperty', 'ListObject', 'ReadControl']
    """
    if ace.object_type is not None:
        if ace.object_type in EXTENDED_RIGHTS and ace.mask & 0x100:
            return [EXTENDED_RIGHTS[ace.object_type][0]]
        return []  # a property, property set or class: no whole-object right
    return [name for bit, name in _MASK_NAMES if ace.mask & bit]


def _principal_label(sid: str, names: Mapping[str, str]) -> str:
    return names.get(sid) or sid_name_fr(sid) or sid


def delegation_rows(descriptors: Mapping[str, SecurityDescriptor], org_dn: str, token_sids: set[str],
                    names: Mapping[str, str], account_sid: str | None) -> tuple[list[dict], str | None]:
    """(rows, None) or ([], reason) when the organisation's descriptor is missing or unreadable."""
    org_sd = descriptors.get(normalize_dn(org_dn))
    if org_sd is None:
        return [], f"descripteur de sécurité de l'organisation « {org_dn} » non collecté"
    if org_sd.error:
        if org_sd.not_returned:
            return [], None  # evidence in itself: every delegated role includes Read Permissions (no rows)
        return [], org_sd.error
    container_dn = parent_dn(org_dn) or ""
    container_sd = descriptors.get(normalize_dn(container_dn)) if container_dn else None
    if container_sd is not None and container_sd.error:
        container_sd = None
    grouped: dict[tuple[str, str], dict] = {}

    def add(ace: Ace, kind: str, where: str) -> None:
        sid = ace.sid
        if sid is None or sid not in token_sids:
            return
        row = grouped.setdefault((kind, sid), {
            "host": "", "artifact": "ad_acl", "kind": kind, "principal_sid": sid, "principal_key": principal_key(sid),
            "principal_name": _principal_label(sid, names),
            "via": "le compte lui-même" if sid == account_sid else f"le groupe « {_principal_label(sid, names)} »",
            "allowed": [], "denied": [], "objects": []})
        target = row["allowed"] if ace.allow else row["denied"]
        for name in mask_right_names(ace):
            if name not in target:
                target.append(name)
        if where not in row["objects"]:
            row["objects"].append(where)

    for ace in org_sd.aces:
        if not ace.inherited:
            if not ace.inherit_only:
                add(ace, "delegation", "organisation")
        elif container_sd is None:
            add(ace, "inherited_unknown", "organisation (héritée)")
    if container_sd is not None:
        for ace in container_sd.aces:
            # inheritable onto the organisation: container-inherit, for every class or the organisation's
            if not ace.inherited and ace.flags & CONTAINER_INHERIT and ace.inherited_object_type in (
                    None, CLASS_MS_EXCH_ORGANIZATION_CONTAINER):
                add(ace, "delegation", "conteneur Microsoft Exchange")
    rows = [r for r in grouped.values() if r["allowed"] or r["denied"]]
    rows.sort(key=lambda r: (r["kind"], r["principal_sid"] != account_sid, r["principal_name"].lower()))
    return rows, None
