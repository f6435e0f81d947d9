"""whoami /user and /groups parsers: CSV English and French (cp850), list and table forms."""

from __future__ import annotations

import pytest

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.whoami import WhoamiGroup, WhoamiUser, parse_whoami_groups, parse_whoami_user

DOMAIN_EN = "S-1-5-21-1004336348-1177238915-682003330"
DOMAIN_FR = "S-1-5-21-2286340921-3407427353-1520213287"

USER_CASES = [
    ("whoami_user_en.txt", "ascii", WhoamiUser("contoso\\svc-visto", f"{DOMAIN_EN}-1108")),
    ("whoami_user_fr_cp850.txt", "cp850", WhoamiUser("exemple\\andré.visto", f"{DOMAIN_FR}-1133")),
]

# (capture, encoding, number of groups, one expected group)
GROUP_CASES = [
    ("whoami_groups_en.txt", "ascii", 8, WhoamiGroup(
        "BUILTIN\\Administrators", "Alias", "S-1-5-32-544",
        ["Mandatory group", "Enabled by default", "Enabled group", "Group owner"])),
    ("whoami_groups_en.txt", "ascii", 8, WhoamiGroup(
        "CONTOSO\\Domain Users", "Group", f"{DOMAIN_EN}-513",
        ["Mandatory group", "Enabled by default", "Enabled group"])),
    ("whoami_groups_fr_cp850.txt", "cp850", 7, WhoamiGroup(
        "BUILTIN\\Administrateurs", "Alias", "S-1-5-32-544",
        ["Groupe obligatoire", "Activé par défaut", "Groupe activé", "Propriétaire du groupe"])),
    ("whoami_groups_fr_cp850.txt", "cp850", 7, WhoamiGroup(
        "AUTORITE NT\\Utilisateurs authentifiés", "Groupe bien connu", "S-1-5-11",
        ["Groupe obligatoire", "Activé par défaut", "Groupe activé"])),
]


@pytest.mark.parametrize("name, encoding, expected", USER_CASES, ids=[c[0] for c in USER_CASES])
def test_user_captures(capture, name, encoding, expected):
    decoded = capture(name)
    assert decoded.encoding == encoding
    assert parse_whoami_user(decoded.text) == expected


@pytest.mark.parametrize("name, encoding, count, expected", GROUP_CASES,
                         ids=[f"{c[0]}-{c[3].sid}" for c in GROUP_CASES])
def test_group_captures(capture, name, encoding, count, expected):
    decoded = capture(name)
    assert decoded.encoding == encoding
    groups = parse_whoami_groups(decoded.text)
    assert len(groups) == count
    assert expected in groups


USER_LIST = """
USER INFORMATION
----------------

User Name: contoso\\svc-visto
SID:       S-1-5-21-1004336348-1177238915-682003330-1108
"""

USER_TABLE = """
INFORMATIONS SUR L'UTILISATEUR
------------------------------

Nom d'utilisateur  SID
================== =============================================
contoso\\svc-visto  S-1-5-21-1004336348-1177238915-682003330-1108
"""

GROUPS_TABLE = """
GROUP INFORMATION
-----------------

Group Name                 Type             SID          Attributes
========================== ================ ============ ==================================================
Everyone                   Well-known group S-1-1-0      Mandatory group, Enabled by default, Enabled group
BUILTIN\\Administrators     Alias            S-1-5-32-544 Mandatory group, Enabled by default, Enabled group, Group owner
"""

GROUPS_LIST = """
GROUP INFORMATION
-----------------

Group Name: Everyone
Type:       Well-known group
SID:        S-1-1-0
Attributes: Mandatory group, Enabled by default, Enabled group

Group Name: BUILTIN\\Administrators
Type:       Alias
SID:        S-1-5-32-544
Attributes: Mandatory group, Enabled by default, Enabled group, Group owner
"""


@pytest.mark.parametrize("text", [USER_LIST, USER_TABLE], ids=["list", "table"])
def test_user_list_and_table(text):
    assert parse_whoami_user(text.replace("\n", "\r\n")) == \
        WhoamiUser("contoso\\svc-visto", f"{DOMAIN_EN}-1108")


@pytest.mark.parametrize("text", [GROUPS_LIST, GROUPS_TABLE], ids=["list", "table"])
def test_groups_list_and_table(text):
    groups = parse_whoami_groups(text)
    assert [(g.name, g.type, g.sid) for g in groups] == [
        ("Everyone", "Well-known group", "S-1-1-0"), ("BUILTIN\\Administrators", "Alias", "S-1-5-32-544")]
    assert groups[1].attributes[-1] == "Group owner"


def test_csv_without_header_is_accepted(capture):
    text = capture("whoami_groups_en.txt").text
    assert parse_whoami_groups(text.split("\n", 1)[1]) == parse_whoami_groups(text)


@pytest.mark.parametrize("text", [
    "", "\r\n", "ERROR: Access is denied.\r\n", '"User Name","SID"\r\n',
    '"User Name","SID"\r\n"contoso\\x","not a sid"\r\n',
])
def test_bad_user_output_raises_french_parse_error(text):
    with pytest.raises(ParseError) as err:
        parse_whoami_user(text)
    assert "whoami" in str(err.value) or "SID" in str(err.value)


def test_two_users_is_an_error(capture):
    text = capture("whoami_user_en.txt").text
    with pytest.raises(ParseError, match="un seul attendu"):
        parse_whoami_user(text + text.split("\n", 1)[1])


def test_group_row_without_sid_is_an_error(capture):
    text = capture("whoami_groups_en.txt").text + '"Broken","Group","","x"\r\n'
    with pytest.raises(ParseError, match="sans SID"):
        parse_whoami_groups(text)
