"""Send As inherited by the users of each mail-user container (check F10)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from vmes_audit.facts.ad_records import as_bool, control_of, first_of, of_kind, records_of
from vmes_audit.facts.host import to_int
from vmes_audit.facts.model import Facts
from vmes_audit.security import acl as acl_mod
from vmes_audit.windows.dn import normalize_dn, parent_dn
from vmes_audit.security.effective_rights import Right, effective_right
from vmes_audit.security.membership import Token
from vmes_audit.windows.rights import CLASS_USER

__all__ = ["mail_container_rows", "MAIL_CONTAINERS_LIMIT", "PROBE_RDN", "probe_label"]

# F10 asks what a user object placed directly in a container would inherit: a simulated object whose
# made-up DN never reaches a text (issue 19: no « CN=utilisateur-type » the customer cannot find).
PROBE_RDN = "CN=utilisateur-type"


def probe_label(container_dn: str) -> str:
    """How the report names the simulated user object of ``container_dn``.

    >>> print(probe_label("OU=Ventes,DC=corp,DC=local"))
    un objet utilisateur placé directement sous « OU=Ventes,DC=corp,DC=local » (calcul de l'héritage)
    """
    return f"un objet utilisateur placé directement sous « {container_dn} » (calcul de l'héritage)"
MAIL_CONTAINERS_LIMIT = 200  # the collector's cap (ad_mail_containers)


def mail_container_rows(facts: Facts, org: dict[str, Any], descriptors, sa_sids: Token | None,
                     label: str) -> list[dict]:
    """F10: the Send As a mail user inherits in each container that holds mailbox-enabled users.

    ``ad_mail_containers`` lists the parent containers of the mailbox-enabled users (no user names);
    ``ad_acl`` holds each container's stored DACL, inherited ACEs included, so the question is what a
    user object placed directly in it inherits (``effective_right`` in ``inherited_only`` mode with
    ``chain=[container]``). Its own explicit ACEs and a protected DACL on a single user are not seen
    (check F11 covers the protected users). Sets the ``organisation`` columns ``send_as_evidence``
    (``conteneurs``, or ``domaine`` when the artifact is not usable and F10 falls back to the
    domain-head simulation), the counts, and returns the table rows, containers with the most users
    first.
    """
    found = facts.any_artifact("ad_mail_containers")
    records, _ = records_of(facts, "ad_mail_containers")
    containers = of_kind(records, "container")
    if records is None or not containers:
        org["send_as_evidence"] = "domaine"
        if records is not None:
            why = "aucun utilisateur doté d'une boîte aux lettres n'a été trouvé dans l'annuaire (ad_mail_containers vide)"
        elif not found or all(a.status == "missing" for _, a in found):
            why = ("la collecte ne contient pas la liste des conteneurs des utilisateurs de messagerie "
                   "(ad_mail_containers : collecteur d'une version antérieure)")
        else:
            art = next(a for _, a in found)
            why = f"la liste des conteneurs des utilisateurs de messagerie n'a pas pu être lue (ad_mail_containers : {art.error or art.status})"
        org["send_as_fallback_reason"] = why
        return []
    org["send_as_evidence"] = "conteneurs"
    rows = []
    for rec in containers:
        dn = str(rec.get("distinguishedName") or "").strip()
        if not dn:
            continue
        sd = descriptors.get(normalize_dn(dn)) if descriptors else None
        control = control_of(rec)
        if control is None and sd is not None:
            control = sd.control
        protected = bool(control & acl_mod.SE_DACL_PROTECTED) if control is not None else None
        row = {"host": "", "artifact": "ad_mail_containers", "dn": dn, "mail_users": to_int(rec.get("MailUsers")),
               "send_as": None, "reason": None, "protected": protected}
        if descriptors is None:
            row["reason"] = "Non évaluable : listes de contrôle d'accès non collectées (ad_acl)."
        elif sa_sids is None:
            row["reason"] = "Non évaluable : groupes du compte de service inconnus (ad_service_account_groups)."
        else:
            decision = effective_right(f"{PROBE_RDN},{dn}", CLASS_USER, Right.send_as(), sa_sids,
                                       _with_origins(descriptors, dn), chain=[dn], principal_label=label,
                                       target_label=probe_label(dn))
            row["send_as"] = decision.granted
            row["reason"] = decision.reason_fr
            row["artifact"] = "ad_acl"
            if decision.granted is False and protected:
                row["reason"] += (f" L'héritage des autorisations est désactivé sur « {dn} » (DACL protégée) : "
                                  "une autorisation posée en tête du domaine ne l'atteint pas.")
        rows.append(row)
    rows.sort(key=lambda r: (-(r["mail_users"] or 0), r["dn"].lower()))
    summary = first_of(records, "summary")
    refused = [r for r in rows if r["send_as"] is False]
    org["mail_containers_count"] = (to_int(summary.get("Containers")) if summary is not None else None) or len(rows)
    org["mail_users_count"] = ((to_int(summary.get("MailUsers")) if summary is not None else None)
                               or sum(r["mail_users"] or 0 for r in rows))
    truncated = as_bool(summary.get("Truncated")) if summary is not None else None
    org["mail_containers_truncated"] = bool(truncated) or org["mail_containers_count"] > len(rows)
    org["mail_containers_without_send_as"] = len(refused)
    org["mail_users_without_send_as"] = sum(r["mail_users"] or 0 for r in refused)
    org["mail_containers_undecided"] = sum(1 for r in rows if r["send_as"] is None)
    org["mail_containers_protected"] = sum(1 for r in rows if r["protected"])
    return rows


def _with_origins(descriptors: dict, dn: str) -> dict:
    """``descriptors`` with the inherited ACEs of ``dn``'s stored DACL tagged with their explicit origin.

    AD stores inherited ACEs without saying where they come from; when a collected ancestor (the domain
    head) holds the same rule explicitly, the sentence can name it ("elle-même héritée de « DC=… »").
    """
    key = normalize_dn(dn)
    sd = descriptors.get(key)
    if sd is None or not any(a.inherited for a in sd.aces):
        return descriptors
    ancestors = []
    cursor = parent_dn(dn)
    while cursor:
        if normalize_dn(cursor) in descriptors:
            ancestors.append(descriptors[normalize_dn(cursor)])
        cursor = parent_dn(cursor)

    def same(a, b) -> bool:
        return (a.allow == b.allow and a.mask == b.mask and a.object_type == b.object_type
                and a.inherited_object_type == b.inherited_object_type
                and (a.sid or a.trustee.lower()) == (b.sid or b.trustee.lower()))

    aces = []
    for ace in sd.aces:
        if ace.inherited and ace.source_dn is None:
            origin = next((anc.object_dn for anc in ancestors for a in anc.aces
                           if not a.inherited and a.flags & acl_mod.CONTAINER_INHERIT and same(a, ace)), None)
            if origin:
                ace = replace(ace, source_dn=origin)
        aces.append(ace)
    return {**descriptors, key: replace(sd, aces=aces)}
