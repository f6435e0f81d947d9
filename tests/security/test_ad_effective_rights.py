"""Hand-worked access checks, one Windows rule (or trap) per test.

Every scenario is an Exchange 2003 organisation in corp.local. Descriptors
of objects that AD would store are built with ``inherit_aces`` (the same
propagation AD performs), then only the objects the collector reads
(organisation, administrative group, Servers container, server, domain head)
are handed to ``effective_right``: ``CN=Administrative Groups`` is never
collected, exactly as in a real ``ad_acl`` artifact.
"""

from __future__ import annotations

import pytest
from .aclkit import (
    AG, AGS, CI, DOMAIN, DOMAIN_SID, DOMAIN_USERS, EXCH_ADMINS, EXCHANGE_CHAIN, INH, IO, NESTED, NP, ORG,
    OTHER, SERVERS, SRV, VMES, VMES_OPS, ace, index, sd,
)

from vmes_audit.security.acl import is_canonical
from vmes_audit.security.effective_rights import Decision, Right, effective_right, inherit_aces
from vmes_audit.security.membership import expand_groups
from vmes_audit.windows.rights import (
    ADS_RIGHT_DS_CONTROL_ACCESS as CA, ADS_RIGHT_DS_READ_PROP, ADS_RIGHT_GENERIC_ALL, ADS_RIGHT_READ_CONTROL,
    CLASS_CONTAINER, CLASS_MS_EXCH_ADMIN_GROUP, CLASS_MS_EXCH_EXCHANGE_SERVER as SERVER_CLASS,
    CLASS_USER, GUID_RECEIVE_AS, GUID_SEND_AS, GUID_STORE_ADMIN,
)

# The service account's token: itself, its groups (tokenGroups is transitive), Domain Users.
TOKEN = expand_groups(VMES, 513, [VMES_OPS, NESTED])


def propagate(org_aces=(), ags_aces=(), ag_aces=(), servers_aces=(), srv_aces=(), *, srv_protected=False):
    """Descriptors of ORG → AGS → AG → SERVERS → SRV as AD stores them; AGS is left out (not collected)."""
    org = sd(ORG, *org_aces)
    ags = inherit_aces(org, AGS, CLASS_CONTAINER, explicit=list(ags_aces))
    ag = inherit_aces(ags, AG, CLASS_MS_EXCH_ADMIN_GROUP, explicit=list(ag_aces))
    servers = inherit_aces(ag, SERVERS, CLASS_CONTAINER, explicit=list(servers_aces))
    srv = inherit_aces(servers, SRV, SERVER_CLASS, explicit=list(srv_aces), protected=srv_protected)
    return index(org, ag, servers, srv)


def check(right: Right, descriptors, target=SRV, klass=SERVER_CLASS, sids=TOKEN, **kw) -> Decision:
    chain = kw.pop("chain", [c for c in EXCHANGE_CHAIN if c != target and target.endswith(c)])
    return effective_right(target, klass, right, sids, descriptors, chain=chain, principal_label="CORP\\vmes", **kw)


# --- membership --------------------------------------------------------------------

def test_membership_through_nested_group_comes_from_token_groups():
    # Send-As is granted on the server to NESTED only. The account is not a direct
    # member: VMES_OPS is a member of NESTED. tokenGroups already holds NESTED
    # (transitive), so the grant reaches the account.
    sds = propagate(srv_aces=[ace(SRV, NESTED, ot=GUID_SEND_AS)])
    assert check(Right.send_as(), sds).granted is True
    # Without the nested group in the token (memberOf only lists direct groups), no grant.
    direct_only = expand_groups(VMES, 513, [VMES_OPS])
    assert check(Right.send_as(), sds, sids=direct_only).granted is False


def test_primary_group_is_added_from_primary_group_id():
    # The ACE names Domain Users (RID 513). tokenGroups is empty here: the primary
    # group is rebuilt from the account's domain SID and primaryGroupID = 513.
    sds = propagate(srv_aces=[ace(SRV, DOMAIN_USERS, ot=GUID_SEND_AS)])
    assert check(Right.send_as(), sds, sids=expand_groups(VMES, 513, [])).granted is True
    assert check(Right.send_as(), sds, sids=expand_groups(VMES, 999, [])).granted is False


# --- ordering ------------------------------------------------------------------------

def test_explicit_deny_beats_inherited_allow():
    # Org: allow Send-As to the account, "this object and subcontainers" (CI) → the
    # server inherits it. Server: explicit deny Send-As. Explicit ACEs come before
    # inherited ones: the deny is met first and denies.
    sds = propagate(org_aces=[ace(ORG, VMES, ot=GUID_SEND_AS, flags=CI)],
                    srv_aces=[ace(SRV, VMES, allow=False, ot=GUID_SEND_AS)])
    d = check(Right.send_as(), sds)
    assert d.granted is False
    assert not d.deciding_ace.allow and not d.deciding_ace.inherited
    assert "refusé" in d.reason_fr and "explicite" in d.reason_fr


def test_explicit_allow_beats_inherited_deny():
    # Org: deny Send-As to the account (CI), inherited by the server. Server:
    # explicit allow. The explicit allow comes first and settles the request
    # before the inherited deny is reached.
    sds = propagate(org_aces=[ace(ORG, VMES, allow=False, ot=GUID_SEND_AS, flags=CI)],
                    srv_aces=[ace(SRV, VMES, ot=GUID_SEND_AS)])
    d = check(Right.send_as(), sds)
    assert d.granted is True and not d.deciding_ace.inherited


def test_deny_before_allow_at_the_same_level():
    # Explicit allow and explicit deny on the server: AD stores them canonically,
    # deny first, so the deny wins whatever order they were added in.
    sds = propagate(srv_aces=[ace(SRV, VMES, ot=GUID_SEND_AS), ace(SRV, VMES_OPS, allow=False, ot=GUID_SEND_AS)])
    assert check(Right.send_as(), sds).granted is False
    # Same at an inherited level: the org's deny and allow reach the server in the
    # org's canonical order (deny, allow).
    sds = propagate(org_aces=[ace(ORG, EXCH_ADMINS, allow=False, ot=GUID_SEND_AS, flags=CI),
                              ace(ORG, VMES, ot=GUID_SEND_AS, flags=CI)])
    assert check(Right.send_as(), sds | {}, sids=TOKEN | {EXCH_ADMINS}).granted is False


def test_stored_order_is_what_access_check_walks():
    # AccessCheck does not sort: a non-canonical DACL (allow stored before deny,
    # e.g. written by a script) grants, because the allow is met first. The code
    # follows the stored order and is_canonical() reports the anomaly.
    bad = sd(SRV, ace(SRV, VMES, ot=GUID_SEND_AS), ace(SRV, VMES, allow=False, ot=GUID_SEND_AS))
    assert not is_canonical(bad.aces)
    assert check(Right.send_as(), index(bad)).granted is True


# --- inheritance flags ----------------------------------------------------------------

def test_inherit_only_applies_to_children_not_to_the_object():
    # Servers container: allow Send-As, CI + IO ("subcontainers only").
    sds = propagate(servers_aces=[ace(SERVERS, VMES, ot=GUID_SEND_AS, flags=CI | IO)])
    # Not to the container itself: AccessCheck skips inherit-only ACEs.
    assert check(Right.send_as(), sds, target=SERVERS, klass=CLASS_CONTAINER).granted is False
    # But to the server below it (stored there as an inherited, effective ACE).
    assert check(Right.send_as(), sds).granted is True
    # And the same when the server's own descriptor is missing (inherited_only mode).
    del sds[SRV.lower()]
    d = check(Right.send_as(), sds)
    assert (d.granted, d.mode) == (True, "inherited_only")
    assert "héritage" in d.reason_fr


def test_no_propagate_stops_at_the_first_level():
    # Administrative group: allow Send-As, CI + NP. The Servers container (direct
    # child) receives it with no inheritance flags; the server (grandchild) does not.
    sds = propagate(ag_aces=[ace(AG, VMES, ot=GUID_SEND_AS, flags=CI | NP)])
    assert sds[SERVERS.lower()].aces[0].flags == INH
    assert check(Right.send_as(), sds, target=SERVERS, klass=CLASS_CONTAINER).granted is True
    assert check(Right.send_as(), sds).granted is False
    # inherited_only mode computes the same from the Servers container's stored DACL.
    del sds[SRV.lower()]
    assert check(Right.send_as(), sds).granted is False
    # ...and from the AG itself for its direct child.
    only_ag = {AG.lower(): sds[AG.lower()]}
    assert check(Right.send_as(), only_ag, target=SERVERS, klass=CLASS_CONTAINER,
                 chain=[ORG, AGS, AG]).granted is True


def test_inherited_object_type_user_does_not_apply_to_a_server():
    # Servers container: allow Send-As inheritable to descendant *user* objects
    # only (CI + IO, InheritedObjectType = user). A server is not a user.
    sds = propagate(servers_aces=[ace(SERVERS, VMES, ot=GUID_SEND_AS, iot=CLASS_USER, flags=CI | IO)])
    assert check(Right.send_as(), sds).granted is False
    # It is stored on the server as inherit-only (kept for user objects below).
    assert sds[SRV.lower()].aces[0].inherit_only
    del sds[SRV.lower()]
    assert check(Right.send_as(), sds).granted is False
    # A user object under the same container does get it.
    user = "CN=Jean Dupont," + SERVERS
    assert check(Right.send_as(), sds, target=user, klass=CLASS_USER, chain=[SERVERS]).granted is True
    # With the object's class unknown, the answer is "cannot tell", never True.
    assert check(Right.send_as(), sds, klass=None).granted is None


# --- object types and generic rights ---------------------------------------------------

def test_send_as_object_ace_does_not_grant_receive_as():
    sds = propagate(srv_aces=[ace(SRV, VMES, ot=GUID_SEND_AS)])
    assert check(Right.send_as(), sds).granted is True
    d = check(Right.receive_as(), sds)
    assert d.granted is False and d.deciding_ace is None


def test_control_access_without_object_type_grants_every_extended_right():
    # "All extended rights": CONTROL_ACCESS in a non-object ACE.
    sds = propagate(srv_aces=[ace(SRV, VMES, mask=CA)])
    for right in (Right.send_as(), Right.receive_as(), Right.store_admin(), Right.store_visible()):
        assert check(right, sds).granted is True, right.name_fr


def test_generic_all_covers_send_as():
    # GENERIC_ALL maps to 0xF01FF, which includes CONTROL_ACCESS.
    sds = propagate(srv_aces=[ace(SRV, VMES, mask=ADS_RIGHT_GENERIC_ALL)])
    assert check(Right.send_as(), sds).granted is True
    assert check(Right.generic_read(), sds).granted is True
    assert check(Right.generic_write(), sds).granted is True


def test_generic_read_needs_every_mapped_bit():
    # GenericRead = READ_CONTROL | LIST | READ_PROP | LIST_OBJECT; READ_PROP and
    # READ_CONTROL alone are not enough, and the sentence names what is missing.
    sds = propagate(srv_aces=[ace(SRV, VMES, mask=ADS_RIGHT_DS_READ_PROP | ADS_RIGHT_READ_CONTROL)])
    d = check(Right.generic_read(), sds)
    assert d.granted is False
    assert "Lister le contenu" in d.reason_fr and "Lister l'objet" in d.reason_fr


def test_property_specific_ace_does_not_decide_whole_object_rights():
    # A deny READ_PROP on one property (object ACE on an attribute GUID) does not deny
    # GenericRead of the object as a whole; the object's class is known.
    adm_count = "bf967918-0de6-11d0-a285-00aa003049e2"
    sds = propagate(srv_aces=[ace(SRV, VMES, allow=False, mask=ADS_RIGHT_DS_READ_PROP, ot=adm_count),
                              ace(SRV, VMES, mask=0x80000000)])
    assert check(Right.generic_read(), sds).granted is True


# --- protection ---------------------------------------------------------------------

def test_protected_dacl_stops_inheritance():
    sds = propagate(org_aces=[ace(ORG, VMES, ot=GUID_SEND_AS, flags=CI)], srv_protected=True)
    assert sds[SRV.lower()].protected and sds[SRV.lower()].aces == []
    assert check(Right.send_as(), sds).granted is False


def test_admin_sd_holder_protected_user_does_not_get_domain_level_send_as():
    # F10/F11: the domain head grants Send-As to the account on descendant users.
    domain = sd(DOMAIN, ace(DOMAIN, VMES, ot=GUID_SEND_AS, iot=CLASS_USER, flags=CI | IO))
    sds = index(domain)
    normal = "CN=Marie Martin," + DOMAIN
    admin = "CN=Admin Exchange," + DOMAIN
    # An ordinary mail user inherits it (inherited_only mode: only the domain head was collected).
    d = check(Right.send_as(), sds, target=normal, klass=CLASS_USER, chain=[DOMAIN], target_control=0x8C14)
    assert d.granted is True
    # A member of a protected group: SDProp set SE_DACL_PROTECTED (sdControl 0x9C14) →
    # nothing is inherited from the domain head.
    d = check(Right.send_as(), sds, target=admin, klass=CLASS_USER, chain=[DOMAIN], target_control=0x9C14)
    assert d.granted is False
    assert "AdminSDHolder" in d.reason_fr
    # Same with the user's own descriptor: AdminSDHolder's DACL copied, protected.
    holder_copy = inherit_aces(domain, admin, CLASS_USER, explicit=[ace(admin, OTHER, mask=0x80000000)],
                               protected=True)
    assert check(Right.send_as(), sds | index(holder_copy), target=admin, klass=CLASS_USER,
                 chain=[DOMAIN]).granted is False


# --- the Exchange Administrator role -------------------------------------------------------

# The 2003 "Exchange Administrator" role at organisation level writes, for the
# delegated group: allow (all but Change Permissions) and explicit DENY Send-As /
# Receive-As on the organisation, "this object and subcontainers" (domain-facts §3.4).
ROLE = [ace(ORG, EXCH_ADMINS, allow=False, ot=GUID_SEND_AS, flags=CI),
        ace(ORG, EXCH_ADMINS, allow=False, ot=GUID_RECEIVE_AS, flags=CI),
        ace(ORG, EXCH_ADMINS, mask=0x000B01FF, flags=CI)]  # everything but WRITE_DAC
ADMIN_TOKEN = TOKEN | {EXCH_ADMINS}


def test_exchange_admin_role_deny_breaks_an_allow_at_the_same_level():
    # Send-As granted to the account at organisation level: org DACL (canonical)
    # = deny(ExchAdmins) … allow(vmes). The server inherits both in that order: denied.
    sds = propagate(org_aces=[*ROLE, ace(ORG, VMES, ot=GUID_SEND_AS, flags=CI)])
    d = check(Right.send_as(), sds, sids=ADMIN_TOKEN)
    assert d.granted is False
    assert d.deciding_ace.inherited and f"héritée de « {ORG} »" in d.reason_fr
    # Receive-As too; but Administer Information Store is not denied by the role.
    assert check(Right.receive_as(), sds, sids=ADMIN_TOKEN).granted is False
    assert check(Right.store_admin(), sds, sids=ADMIN_TOKEN).granted is True


def test_exchange_admin_role_deny_does_not_beat_an_explicit_allow_on_the_server():
    # Explicit allow on the server comes before every inherited ACE: granted even
    # though the account is in the role's group. (Verified: explicit allow wins over
    # inherited deny.)
    sds = propagate(org_aces=ROLE, srv_aces=[ace(SRV, VMES, ot=GUID_SEND_AS), ace(SRV, VMES, ot=GUID_RECEIVE_AS)])
    assert check(Right.send_as(), sds, sids=ADMIN_TOKEN).granted is True
    assert check(Right.receive_as(), sds, sids=ADMIN_TOKEN).granted is True


def test_allow_on_a_nearer_ancestor_beats_the_organisation_deny():
    # Nuance to the "explicit on the server" rule: inherited ACEs are ordered
    # nearest ancestor first, so an allow set on the administrative group reaches the
    # server *before* the organisation's deny, and wins.
    sds = propagate(org_aces=ROLE, ag_aces=[ace(AG, VMES, ot=GUID_SEND_AS, flags=CI)])
    d = check(Right.send_as(), sds, sids=ADMIN_TOKEN)
    assert d.granted is True and f"héritée de « {AG} »" in d.reason_fr


def test_view_only_admin_plus_server_grant_is_the_expected_setup():
    # The setup VMES documents: View Only Administrator at org (read/list + Store-Visible,
    # no deny), and Send-As, Receive-As, Store-Admin granted on the server.
    view_only = [ace(ORG, VMES, mask=0x20094, flags=CI), ace(ORG, VMES, ot="d74a875e-22b9-11d3-aa62-00c04f8eedd8", flags=CI)]
    grants = [ace(SRV, VMES, ot=g) for g in (GUID_SEND_AS, GUID_RECEIVE_AS, GUID_STORE_ADMIN)]
    sds = propagate(org_aces=view_only, srv_aces=grants)
    for right in (Right.send_as(), Right.receive_as(), Right.store_admin(), Right.store_visible(), Right.generic_read()):
        assert check(right, sds).granted is True, right.name_fr


# --- insufficient evidence ------------------------------------------------------------------

def test_missing_descriptor_gives_none():
    # Nothing collected for the server and no chain: cannot tell.
    d = effective_right(SRV, SERVER_CLASS, Right.send_as(), TOKEN, {})
    assert d.granted is None and d.mode == "none" and "n'a pas été collecté" in d.reason_fr
    # The parent (Servers container) is missing too: its DACL, which carries everything
    # the server inherits, is unknown.
    sds = propagate(org_aces=[ace(ORG, VMES, ot=GUID_SEND_AS, flags=CI)])
    del sds[SRV.lower()], sds[SERVERS.lower()]
    assert check(Right.send_as(), sds).granted is None
    # A gap between the last collected ancestor and the object: the intermediate
    # container could block inheritance or add a deny.
    user = "CN=Marie Martin,CN=Users," + DOMAIN
    d = effective_right(user, CLASS_USER, Right.send_as(), TOKEN, index(sd(DOMAIN)), chain=[DOMAIN])
    assert d.granted is None and "CN=Users" in d.reason_fr


def test_unresolved_trustee_deny_gives_none_and_unresolved_allow_never_grants():
    # A deny whose trustee was not resolved to a SID might be the account's group.
    unresolved_deny = ace(SRV, None, allow=False, ot=GUID_SEND_AS, trustee="CORP\\Groupe inconnu")
    sds = propagate(srv_aces=[unresolved_deny, ace(SRV, VMES, ot=GUID_SEND_AS)])
    assert check(Right.send_as(), sds).granted is None
    # An allow to an unresolved trustee cannot be counted: not granted → None, not True.
    sds = propagate(srv_aces=[ace(SRV, None, ot=GUID_SEND_AS, trustee="CORP\\Groupe inconnu")])
    d = check(Right.send_as(), sds)
    assert d.granted is None and "pas été résolu" in d.reason_fr
    # But a certain grant elsewhere still grants.
    sds = propagate(srv_aces=[ace(SRV, None, ot=GUID_SEND_AS, trustee="X"), ace(SRV, VMES, ot=GUID_SEND_AS)])
    assert check(Right.send_as(), sds).granted is True


def test_trustee_printed_as_sid_is_matched():
    # ADSI prints the SID itself when it cannot resolve a name; that is still a SID.
    sds = propagate(srv_aces=[ace(SRV, None, ot=GUID_SEND_AS, trustee=VMES)])
    assert check(Right.send_as(), sds).granted is True


def test_other_principals_and_creator_owner_do_not_match():
    sds = propagate(srv_aces=[ace(SRV, OTHER, ot=GUID_SEND_AS), ace(SRV, "S-1-3-0", ot=GUID_SEND_AS)])
    assert check(Right.send_as(), sds).granted is False


def test_reason_is_one_french_sentence_naming_trustee_and_object():
    sds = propagate(srv_aces=[ace(SRV, VMES_OPS, ot=GUID_SEND_AS)])
    d = check(Right.send_as(), sds)
    assert d.reason_fr.startswith("Le droit « Envoyer comme (Send As) » est accordé à « CORP\\vmes »")
    assert "CORP\\VMES-Ops" in d.reason_fr and SRV in d.reason_fr
    assert d.reason_fr.count(". ") == 0 and d.reason_fr.endswith(".")
    assert d.path == [ORG, AGS, AG, SERVERS, SRV]


def test_chain_must_be_top_down():
    with pytest.raises(ValueError):
        effective_right(SRV, SERVER_CLASS, Right.send_as(), TOKEN, {}, chain=[SERVERS, ORG])


def test_owner_sid_gets_read_control_implicitly():
    from vmes_audit.security.acl import SecurityDescriptor
    owned = SecurityDescriptor(SRV, VMES, 0x4, [])
    assert effective_right(SRV, SERVER_CLASS, Right(ADS_RIGHT_READ_CONTROL), TOKEN, index(owned)).granted is True
    assert effective_right(SRV, SERVER_CLASS, Right.send_as(), TOKEN, index(owned)).granted is False


def test_domain_sid_constant_is_consistent():
    assert VMES.startswith(DOMAIN_SID) and CA == 0x100
