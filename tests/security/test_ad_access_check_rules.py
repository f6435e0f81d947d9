"""Access-check rules that an independent implementation (Samba, MS-ADTS) contradicted in the first engine.

- MS-ADTS 5.1.3.3.4: a control-access check matches an object ACE only when its ObjectType is absent
  or is the right's own GUID; an ACE on the object's *class* GUID is no Send As.
- A network logon token holds NETWORK and This Organization, and Pre-Windows 2000 Compatible Access when
  Authenticated Users or Everyone is a member of it (unknown membership: "cannot tell").
- Self-relative descriptors as format 1.1 collects them (hex of the binary) decode to the same ACEs.
"""

from __future__ import annotations

from .aclkit import DOMAIN, SRV, VMES, ace, index, sd

from vmes_audit.parsers.records import parse_records, write_records
from vmes_audit.security.acl import descriptors_from_records
from vmes_audit.security.effective_rights import Right, effective_right
from vmes_audit.security.membership import NETWORK, PRE_WINDOWS_2000, THIS_ORGANIZATION, expand_groups, network_token
from vmes_audit.windows.rights import (ADS_RIGHT_DS_CONTROL_ACCESS, CLASS_MS_EXCH_EXCHANGE_SERVER, CLASS_USER,
                                        DS_GENERIC_READ, GUID_SEND_AS)
from vmes_audit.security.security_descriptor import build_descriptor, parse_descriptor

TOKEN = expand_groups(VMES, 513, [])


def test_class_guid_ace_does_not_grant_an_extended_right():
    # OA;;CR;<msExchExchangeServer class>;;VMES: not Send As (the old engine said "accordé").
    sds = index(sd(SRV, ace(SRV, VMES, ot=CLASS_MS_EXCH_EXCHANGE_SERVER)))
    decision = effective_right(SRV, CLASS_MS_EXCH_EXCHANGE_SERVER, Right.send_as(), TOKEN, sds)
    assert decision.granted is False, decision.reason_fr


def test_class_guid_deny_does_not_deny_an_extended_right():
    # OD;;CR;<class>;;VMES then A;;CR;;;VMES: the deny targets no extended right, the allow grants Send As.
    sds = index(sd(SRV, ace(SRV, VMES, allow=False, ot=CLASS_MS_EXCH_EXCHANGE_SERVER), ace(SRV, VMES)))
    decision = effective_right(SRV, CLASS_MS_EXCH_EXCHANGE_SERVER, Right.send_as(), TOKEN, sds)
    assert decision.granted is True and decision.deciding_ace.index == 1


def test_class_guid_ace_still_covers_a_whole_object_request():
    sds = index(sd(SRV, ace(SRV, VMES, mask=DS_GENERIC_READ, ot=CLASS_MS_EXCH_EXCHANGE_SERVER)))
    assert effective_right(SRV, CLASS_MS_EXCH_EXCHANGE_SERVER, Right.generic_read(), TOKEN, sds).granted is True


def test_network_logon_sids_are_in_the_token():
    token = network_token(TOKEN, ["CN=S-1-5-11,CN=ForeignSecurityPrincipals," + DOMAIN])
    assert {NETWORK, THIS_ORGANIZATION, PRE_WINDOWS_2000} <= token.sids
    for sid in (NETWORK, THIS_ORGANIZATION, PRE_WINDOWS_2000):
        sds = index(sd(SRV, ace(SRV, sid, allow=False), ace(SRV, VMES)))
        decision = effective_right(SRV, CLASS_MS_EXCH_EXCHANGE_SERVER, Right.send_as(), token, sds)
        assert decision.granted is False, (sid, decision.reason_fr)


def test_unknown_pre2000_membership_makes_its_deny_undecidable():
    token = network_token(TOKEN, None)
    sds = index(sd(SRV, ace(SRV, PRE_WINDOWS_2000, allow=False), ace(SRV, VMES)))
    decision = effective_right(SRV, CLASS_MS_EXCH_EXCHANGE_SERVER, Right.send_as(), token, sds)
    assert decision.granted is None and "appartenance" in decision.reason_fr
    # ... and its allow cannot grant on its own.
    only = index(sd(SRV, ace(SRV, PRE_WINDOWS_2000)))
    assert effective_right(SRV, CLASS_MS_EXCH_EXCHANGE_SERVER, Right.send_as(), token, only).granted is None
    # Known not to be a member: the ACE simply does not apply.
    assert effective_right(SRV, CLASS_MS_EXCH_EXCHANGE_SERVER, Right.send_as(), network_token(TOKEN, []),
                           only).granted is False


def test_binary_descriptor_in_sd_record_decodes_like_the_walk():
    raw = build_descriptor(owner="S-1-5-32-544", group=None, control=0x8C14, aces=[
        (6, 0x12, ADS_RIGHT_DS_CONTROL_ACCESS, GUID_SEND_AS, None, VMES),       # inherited deny Send As
        (5, 0x00, ADS_RIGHT_DS_CONTROL_ACCESS, GUID_SEND_AS, None, VMES)])      # explicit allow, stored after
    text = write_records([("sd", {"ObjectDN": SRV, "objectClass": ["top", "msExchExchangeServer"],
                                  "Sd": raw.hex(), "SdSource": "hexstring"})])
    sds = descriptors_from_records(parse_records(text, artifact="ad_acl"))
    stored = sds[SRV.lower()]
    assert stored.error is None and stored.owner == "S-1-5-32-544" and stored.source == "hexstring"
    assert stored.object_classes == ("top", "msExchExchangeServer")
    # AccessCheck walks the DACL as stored: the inherited deny comes first here.
    assert effective_right(SRV, None, Right.send_as(), TOKEN, sds).granted is False


def test_broken_binary_descriptor_is_unknown_for_that_object_only():
    other = "CN=EXCH02," + SRV.split(",", 1)[1]
    good = build_descriptor(owner=None, group=None, control=0x8C14, aces=[(0, 0, 0x100, None, None, VMES)])
    text = write_records([("sd", {"ObjectDN": SRV, "Sd": "01000480zz"}), ("sd", {"ObjectDN": other, "Sd": good.hex()})])
    sds = descriptors_from_records(parse_records(text, artifact="ad_acl"))
    broken = effective_right(SRV, None, Right.send_as(), TOKEN, sds)
    assert broken.granted is None and "hexadécimal" in broken.reason_fr
    assert effective_right(other, None, Right.send_as(), TOKEN, sds).granted is True


def test_descriptor_parser_refuses_what_it_cannot_evaluate():
    callback = build_descriptor(owner=None, group=None, control=0x8C14, aces=[(0, 0, 0x100, None, None, VMES)])
    data = bytearray(callback)
    data[20 + 8] = 9  # first ACE type -> ACCESS_ALLOWED_CALLBACK
    for bad, message in ((bytes(data), "conditionnelle"), (callback[:30], "illisible"),
                         (b"\x02" + callback[1:], "révision")):
        try:
            parse_descriptor(bad.hex(), SRV)
        except Exception as exc:  # noqa: BLE001 - the test asserts the type below
            assert type(exc).__name__ == "ParseError" and message in str(exc), exc
        else:
            raise AssertionError(f"{message}: accepted")


def test_user_class_object_ace_is_not_send_as_on_users():
    # OA;CIIO;CR;<user class>;;VMES on the domain head, inherited by users: still no Send As.
    domain = sd(DOMAIN, ace(DOMAIN, VMES, ot=CLASS_USER, flags=0x2))
    decision = effective_right("CN=u," + DOMAIN, CLASS_USER, Right.send_as(), TOKEN, index(domain), chain=[DOMAIN])
    assert decision.granted is False, decision.reason_fr
