"""ad_acl records → SecurityDescriptor: the collector's layout, and malformed values."""

from __future__ import annotations

import re

import pytest

from vmes_audit.windows.dn import normalize_dn
from .aclkit import DOMAIN, VMES

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.records import parse_records, write_records
from vmes_audit.security.acl import descriptors_from_records
from vmes_audit.security.effective_rights import Right, effective_right
from vmes_audit.security.membership import expand_groups
from vmes_audit.windows.rights import CLASS_DOMAIN_DNS, DS_GENERIC_ALL, DS_GENERIC_READ

TOKEN = expand_groups(VMES, 513, [])


def ace_rec(**over):
    rec = {"ObjectDN": DOMAIN, "Index": "0", "AceType": "0", "AceFlags": "0", "AccessMask": "256", "Flags": "0",
           "ObjectType": "", "InheritedObjectType": "", "Trustee": "CORP\\vmes", "TrusteeSid": VMES}
    rec.update(over)
    return ("ace", rec)


def build(*aces, control="35860"):
    sd = ("sd", {"ObjectDN": DOMAIN, "Owner": "CORP\\Admins du domaine", "Control": control})
    return descriptors_from_records(parse_records(write_records([sd, *aces]), artifact="ad_acl"))


def test_signed_long_access_mask_is_normalised():
    # VBScript prints GENERIC_READ (0x80000000) as the signed Long -2147483648; AD
    # would store it mapped: the descriptor holds the AD-specific bits.
    sds = build(ace_rec(AccessMask="-2147483648"))
    ace = sds[DOMAIN.lower()].aces[0]
    assert ace.mask == DS_GENERIC_READ
    d = effective_right(DOMAIN, CLASS_DOMAIN_DNS, Right.generic_read(), TOKEN, sds)
    assert d.granted is True


def test_generic_all_from_records_covers_send_as():
    sds = build(ace_rec(AccessMask=str(0x10000000)))
    assert sds[DOMAIN.lower()].aces[0].mask == DS_GENERIC_ALL
    assert effective_right(DOMAIN, CLASS_DOMAIN_DNS, Right.send_as(), TOKEN, sds).granted is True


def test_object_ace_fields_and_order_by_index():
    sds = build(ace_rec(Index="1", AceType="6", AceFlags="18", Flags="1",
                        ObjectType="{AB721A54-1E2F-11D0-9819-00AA0040529B}"),
                ace_rec(Index="0", AceType="1", AceFlags="0", AccessMask="65536"))
    sd = sds[DOMAIN.lower()]
    assert [a.index for a in sd.aces] == [0, 1]
    second = sd.aces[1]
    assert (second.allow, second.object_ace, second.inherited, second.container_inherit) == (False, True, True, True)
    assert second.object_type == "ab721a54-1e2f-11d0-9819-00aa0040529b"
    assert not sd.protected
    assert build(control=str(0x9C14))[DOMAIN.lower()].protected


def test_flags_decide_whether_guids_count():
    # Flags=0 on an object ACE: ObjectType absent per ADSI, so the ACE applies to all.
    sds = build(ace_rec(AceType="5", Flags="0", ObjectType="ab721a56-1e2f-11d0-9819-00aa0040529b"))
    assert sds[DOMAIN.lower()].aces[0].object_type is None


@pytest.mark.parametrize("over, message", [
    ({"AccessMask": "abc"}, "masque d'accès « abc » illisible"),
    ({"AccessMask": "4294967296"}, "hors de l'intervalle 32 bits"),
    ({"AccessMask": "-2147483649"}, "hors de l'intervalle 32 bits"),
    ({"AceType": "2"}, "type d'ACE 2 non pris en charge"),
    ({"AceFlags": "x"}, "AceFlags « x » illisible"),
    ({"AceType": "5", "Flags": "1", "ObjectType": ""}, "ObjectType absent alors que Flags"),
    ({"AceType": "5", "Flags": "2", "InheritedObjectType": "pas-un-guid"}, "n'est pas un GUID"),
    ({"Flags": "9"}, "Flags « 9 » invalide"),
    ({"TrusteeSid": "CORP\\vmes"}, "n'est pas un SID"),
    ({"ObjectDN": "CN=Ailleurs,DC=corp,DC=local"}, "sans enregistrement sd"),
])
def test_malformed_values_make_only_that_descriptor_unreadable(over, message):
    # A broken entry makes its object's descriptor unreadable (every question on it: "unknown"),
    # never the whole artifact: the other objects stay usable.
    other = "CN=Autre,DC=corp,DC=local"
    text = write_records([("sd", {"ObjectDN": DOMAIN, "Owner": "CORP\\Domain Admins", "Control": "35860"}),
                          ("sd", {"ObjectDN": other, "Owner": "", "Control": "4"}),
                          ("ace", {**ace_rec()[1], "ObjectDN": other}), ("ace", {**ace_rec()[1], **over})])
    sds = descriptors_from_records(parse_records(text))
    broken = sds[normalize_dn(over.get("ObjectDN", DOMAIN))]
    assert broken.error and re.search(message, broken.error), broken.error
    assert broken.aces == []
    assert sds[normalize_dn(other)].error is None and len(sds[normalize_dn(other)].aces) == 1


def test_duplicate_index_and_descriptor_are_errors():
    assert "index d'ACE en double" in build(ace_rec(), ace_rec())[DOMAIN.lower()].error
    text = write_records([("sd", {"ObjectDN": DOMAIN, "Control": "4"}), ("sd", {"ObjectDN": DOMAIN, "Control": "4"})])
    assert "deux descripteurs" in descriptors_from_records(parse_records(text))[DOMAIN.lower()].error


def test_control_must_be_decimal():
    assert "Control" in build(control="0x8c14")[DOMAIN.lower()].error
