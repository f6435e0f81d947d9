"""Property-level questions (issue 19, item 8): WRITE_PROP on one attribute is checked against the object
type list class → property set → property (MS-ADTS 5.1.3.3.3). Samba's own check is in
tests/samba/test_access_check.py."""

from __future__ import annotations

import pytest

from vmes_audit.security.effective_rights import effective_right
from vmes_audit.windows.rights import (ADS_RIGHT_DS_READ_PROP, ADS_RIGHT_DS_WRITE_PROP, ATTR_DESCRIPTION,
                                        ATTR_TELEPHONE_NUMBER, CLASS_GROUP, CLASS_USER, GUID_SEND_AS,
                                        PROPERTY_SET_PERSONAL_INFORMATION, PROPERTY_SET_PUBLIC_INFORMATION, Right)

from .aclkit import DOMAIN, VMES, ace, index, sd

USER = f"CN=Jean,OU=Ventes,{DOMAIN}"
PHONE = Right.property_write(ATTR_TELEPHONE_NUMBER, PROPERTY_SET_PERSONAL_INFORMATION)
WP = ADS_RIGHT_DS_WRITE_PROP


def _granted(*aces, right: Right = PHONE, target_class: str | None = CLASS_USER) -> bool | None:
    return effective_right(USER, target_class, right, {VMES}, index(sd(USER, *aces))).granted


@pytest.mark.parametrize("ot,expected", [
    (None, True),                                   # no ObjectType: every property
    (ATTR_TELEPHONE_NUMBER, True),                  # the property itself
    (PROPERTY_SET_PERSONAL_INFORMATION, True),      # its property set (attributeSecurityGUID)
    (CLASS_USER, True),                             # the object's class, root of the list
    (ATTR_DESCRIPTION, False),                      # another property
    (PROPERTY_SET_PUBLIC_INFORMATION, False),       # another property set
    (CLASS_GROUP, False),                           # another class
    (GUID_SEND_AS, False),                          # an extended right
])
def test_an_allow_on_each_node_of_the_object_type_list(ot, expected) -> None:
    assert _granted(ace(USER, VMES, mask=WP, ot=ot)) is expected


def test_a_deny_on_the_property_set_beats_a_later_allow_on_the_property() -> None:
    deny = ace(USER, VMES, allow=False, mask=WP, ot=PROPERTY_SET_PERSONAL_INFORMATION)
    allow = ace(USER, VMES, mask=WP, ot=ATTR_TELEPHONE_NUMBER)
    assert _granted(deny, allow) is False
    assert _granted(allow, deny) is True  # the stored order decides
    # a deny on another set does not touch telephoneNumber
    other = ace(USER, VMES, allow=False, mask=WP, ot=PROPERTY_SET_PUBLIC_INFORMATION)
    assert _granted(other, allow) is True


def test_a_class_ace_cannot_be_placed_when_the_class_is_unknown() -> None:
    assert _granted(ace(USER, VMES, mask=WP, ot=CLASS_USER), target_class=None) is None
    assert _granted(ace(USER, VMES, mask=WP, ot=PROPERTY_SET_PERSONAL_INFORMATION), target_class=None) is True
    assert _granted(ace(USER, VMES, mask=WP, ot=GUID_SEND_AS), target_class=None) is False


def test_an_attribute_of_no_property_set() -> None:
    right = Right.property_write(ATTR_TELEPHONE_NUMBER, "")
    assert _granted(ace(USER, VMES, mask=WP, ot=PROPERTY_SET_PERSONAL_INFORMATION), right=right) is False
    assert _granted(ace(USER, VMES, mask=WP, ot=ATTR_TELEPHONE_NUMBER), right=right) is True


def test_read_and_write_are_separate_bits() -> None:
    read = Right.property_read(ATTR_TELEPHONE_NUMBER, PROPERTY_SET_PERSONAL_INFORMATION)
    assert _granted(ace(USER, VMES, mask=WP, ot=PROPERTY_SET_PERSONAL_INFORMATION), right=read) is False
    assert _granted(ace(USER, VMES, mask=ADS_RIGHT_DS_READ_PROP, ot=PROPERTY_SET_PERSONAL_INFORMATION),
                    right=read) is True


def test_a_property_question_without_its_property_set_is_refused() -> None:
    with pytest.raises(ValueError, match="property set"):
        Right(WP, ATTR_TELEPHONE_NUMBER)
    with pytest.raises(ValueError, match="one attribute"):
        Right(WP | 0x100, ATTR_TELEPHONE_NUMBER, property_set="")
    with pytest.raises(ValueError, match="property_set is only"):
        Right(0x100, GUID_SEND_AS, property_set=PROPERTY_SET_PERSONAL_INFORMATION)


def test_a_refusal_is_told_from_an_absence() -> None:
    """Issue 19, item 6: F9 says « refusé » only when a deny ACE decided (server_rights.denied)."""
    from vmes_audit.facts.server_rights import denied_by_ace

    send_as = Right.send_as()
    deny = effective_right(USER, CLASS_USER, send_as, {VMES}, index(sd(USER, ace(USER, VMES, allow=False,
                                                                                 ot=GUID_SEND_AS))))
    absent = effective_right(USER, CLASS_USER, send_as, {VMES}, index(sd(USER, ace(USER, VMES, ot=ATTR_DESCRIPTION))))
    granted = effective_right(USER, CLASS_USER, send_as, {VMES}, index(sd(USER, ace(USER, VMES, ot=GUID_SEND_AS))))
    assert (deny.granted, denied_by_ace(deny)) == (False, True)
    assert (absent.granted, denied_by_ace(absent)) == (False, False)
    assert (granted.granted, denied_by_ace(granted)) == (True, None)
