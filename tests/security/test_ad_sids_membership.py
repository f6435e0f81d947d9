"""SIDs and the service account's memberships (F2, F3)."""

from __future__ import annotations

import pytest

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.records import Record
from vmes_audit.security.membership import admin_memberships, expand_groups, service_account_sids
from vmes_audit.windows.sids import (
    domain_sid_of, is_valid_sid, protected_group_sids, rid_of, sid_from_hex, sid_name_fr,
)

DOM = "S-1-5-21-1004336348-1177238915-682003330"


def _sid_bytes(authority: int, *subs: int) -> bytes:
    return bytes([1, len(subs)]) + authority.to_bytes(6, "big") + b"".join(s.to_bytes(4, "little") for s in subs)


@pytest.mark.parametrize("sid", ["S-1-1-0", "S-1-5-11", "S-1-5-32-544", f"{DOM}-512", f"{DOM}-1105", "S-1-5-18"])
def test_binary_sid_round_trip(sid):
    parts = [int(p) for p in sid.split("-")[2:]]
    raw = _sid_bytes(parts[0], *parts[1:])
    assert sid_from_hex(raw) == sid
    assert sid_from_hex(raw.hex()) == sid


@pytest.mark.parametrize("bad", ["", "zz", "02010000000000010000000000", "0102000000000001000000"])
def test_bad_binary_sid(bad):
    with pytest.raises(ParseError):
        sid_from_hex(bad)


def test_sid_helpers():
    assert domain_sid_of(f"{DOM}-512") == DOM and rid_of(f"{DOM}-512") == 512
    assert domain_sid_of("S-1-5-32-548") is None and rid_of("S-1-5-32-548") == 548
    assert not is_valid_sid("S-1-5-21-x") and not is_valid_sid(None)
    assert sid_name_fr(f"{DOM}-519") == "Administrateurs de l'entreprise (Enterprise Admins)"
    assert sid_name_fr("S-1-5-32-550") == "Opérateurs d'impression (Print Operators)"


def test_protected_groups_use_root_domain_for_enterprise_and_schema_admins():
    root = "S-1-5-21-7-8-9"
    groups = protected_group_sids(DOM, root)
    assert f"{root}-519" in groups and f"{root}-518" in groups and f"{DOM}-512" in groups
    assert f"{DOM}-519" not in groups
    assert {"S-1-5-32-544", "S-1-5-32-548", "S-1-5-32-549", "S-1-5-32-550", "S-1-5-32-551", f"{DOM}-517"} <= set(groups)


def test_expand_groups_adds_account_primary_group_and_well_known():
    sids = expand_groups(f"{DOM}-1105", "513", [f"{DOM}-1200"])
    assert sids == {f"{DOM}-1105", f"{DOM}-513", f"{DOM}-1200", "S-1-1-0", "S-1-5-11"}


def test_expand_groups_rejects_bad_input():
    with pytest.raises(ParseError, match="primaryGroupID"):
        expand_groups(f"{DOM}-1105", "abc", [])
    with pytest.raises(ParseError, match="SID"):
        expand_groups(f"{DOM}-1105", 513, ["pas un SID"])


def test_nested_domain_admin_is_found_through_token_groups():
    # The account is in "Support N3", itself in Domain Admins: tokenGroups holds -512.
    sids = expand_groups(f"{DOM}-1105", 513, [f"{DOM}-3001", f"{DOM}-512"])
    assert admin_memberships(sids, DOM) == [(f"{DOM}-512", "Admins du domaine (Domain Admins)")]
    # An ordinary account: nothing.
    assert admin_memberships(expand_groups(f"{DOM}-1105", 513, [f"{DOM}-3001"]), DOM) == []


def test_admin_memberships_order_and_other_protected_groups():
    sids = {f"{DOM}-517", "S-1-5-32-549", f"{DOM}-518", f"{DOM}-519", "S-1-5-32-544", f"{DOM}-512"}
    names = [name for _, name in admin_memberships(sids, DOM)]
    assert names[:4] == ["Admins du domaine (Domain Admins)", "Administrateurs de l'entreprise (Enterprise Admins)",
                         "Administrateurs du schéma (Schema Admins)", "Administrateurs (BUILTIN\\Administrators)"]
    assert set(names[4:]) == {"Opérateurs de serveur (Server Operators)", "Éditeurs de certificats (Cert Publishers)"}


def test_service_account_sids_from_records():
    user = Record("user", {"objectSid": f"{DOM}-1105", "primaryGroupID": "513",
                           "memberOf": ["CN=VMES,OU=Groupes,DC=corp,DC=local"]})
    groups = [Record("group", {"Sid": f"{DOM}-1200", "distinguishedName": "CN=VMES,OU=Groupes,DC=corp,DC=local",
                               "Name": "VMES"})]
    assert service_account_sids(user, groups) >= {f"{DOM}-1105", f"{DOM}-513", f"{DOM}-1200"}
    with pytest.raises(ParseError, match="objectSid"):
        service_account_sids(Record("user", {"objectSid": None}), [])
