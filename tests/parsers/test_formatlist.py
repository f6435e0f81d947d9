"""Format-List parser over EMS captures (Out-File: UTF-16LE with BOM, CRLF)."""

from __future__ import annotations

import pytest

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.formatlist import normalize_right, normalize_role, parse_format_list

SERVER_DN = ("CN=EXCH07,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),"
             "CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,"
             "CN=Configuration,DC=contoso,DC=local")

# (capture, number of objects, index, expected subset of that object)
CASES = [
    ("ems_exchangeserver.txt", 2, 0, {
        "Name": "EXCH07", "AdminDisplayVersion": "Version 8.1 (Build 240.6)",
        "IsExchange2007OrLater": "True", "ServerRole": "Mailbox, ClientAccess, HubTransport",
        "ErrorReportingEnabled": "", "StaticDomainControllers": [],
        "NetworkAddress": ["ncacn_vns_spp:EXCH07", "netbios:EXCH07", "ncacn_np:EXCH07",
                           "ncacn_spx:EXCH07", "ncacn_ip_tcp:exch07.contoso.local", "ncalrpc:EXCH07"],
        "ObjectClass": ["top", "server", "msExchExchangeServer"], "DistinguishedName": SERVER_DN}),
    ("ems_exchangeserver.txt", 2, 1, {
        "Name": "EXCH2003", "AdminDisplayVersion": "Version 6.5 (Build 7638.2: Service Pack 2)",
        "ExchangeVersion": "0.0 (6.5.6500.0)", "DataPath": ""}),
    ("ems_exchangeadministrator.txt", 3, 1, {
        "Identity": "contoso.local/Comptes de service/svc-visto", "Scope": "",
        "Role": "ViewOnlyAdministrator"}),
    ("ems_adpermission.txt", 5, 0, {
        "AccessRights": ["ExtendedRight"], "ExtendedRights": ["Receive-As"], "Deny": "False",
        "Properties": "", "User": "CONTOSO\\svc-visto", "Identity": SERVER_DN, "IsInherited": "False"}),
    ("ems_adpermission.txt", 5, 3, {
        "ExtendedRights": ["Send As", "Receive As"], "Deny": "True", "IsInherited": "True"}),
    ("ems_adpermission.txt", 5, 4, {
        "AccessRights": ["ReadProperty", "GenericExecute"], "ExtendedRights": "",
        "InheritanceType": "Descendents"}),
    ("ems_mailbox.txt", 1, 0, {
        "SamAccountName": "svc-visto", "HiddenFromAddressListsEnabled": "False",
        "ServerName": "exch07", "ProtocolSettings": [],
        "Database": "EXCH07\\First Storage Group\\Mailbox Database",
        "LegacyExchangeDN": "/o=Contoso/ou=First Administrative Group/cn=Recipients/cn=svc-visto",
        "EmailAddresses": ["SMTP:svc-visto@contoso.com", "smtp:svc-visto@contoso.local",
                           "X400:c=FR;a= ;p=Contoso;o=Exchange;s=svc-visto;", "smtp:visto@contoso.com",
                           "..."],
        "ObjectClass": ["top", "person", "organizationalPerson", "user"]}),
]


@pytest.mark.parametrize("name, count, index, expected", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_capture(capture, name, count, index, expected):
    decoded = capture(name)
    assert (decoded.encoding, decoded.had_bom) == ("utf-16le", True)
    objects = parse_format_list(decoded.text)
    assert len(objects) == count
    assert {key: objects[index].get(key) for key in expected} == expected


def test_keys_are_kept_in_printed_order(capture):
    [mailbox] = parse_format_list(capture("ems_mailbox.txt").text)
    keys = list(mailbox)
    assert keys[:3] == ["Database", "DeletedItemFlags", "UseDatabaseRetentionDefaults"]
    assert keys[-1] == "ObjectClass"


def test_word_cut_in_the_middle_is_joined_without_space():
    # 40-column console: the long token is cut at the width, the next line continues it.
    text = ("\r\nName     : EXCH07\r\n"
            "Identity : CN=EXCH07,CN=Servers,CN=Exchan\r\n"
            "           geAdministrativeGroup\r\n")
    [obj] = parse_format_list(text)
    assert obj["Identity"] == "CN=EXCH07,CN=Servers,CN=ExchangeAdministrativeGroup"


def test_wrapped_list_is_rejoined():
    text = ("\r\nAccessRights : {ReadProperty, WriteProperty,\r\n"
            "               ExtendedRight}\r\n")
    assert parse_format_list(text) == [{"AccessRights": ["ReadProperty", "WriteProperty", "ExtendedRight"]}]


def test_empty_output_is_an_empty_list():
    assert parse_format_list("") == []
    assert parse_format_list("\ufeff\r\n\r\n") == []


@pytest.mark.parametrize("text", [
    "this is not format-list output\r\n",
    "   indented continuation first\r\n",
    "\r\nName : a\r\nName : b\r\n",
    "\r\n<html><body>x</body></html>\r\n",
])
def test_garbage_raises_french_parse_error(text):
    with pytest.raises(ParseError) as err:
        parse_format_list(text)
    assert any(word in str(err.value) for word in ("Format-List", "propriété", "illisible"))


@pytest.mark.parametrize("raw, expected", [
    ("Send As", "Send-As"), ("Send-As", "Send-As"), ("send-as", "Send-As"),
    ("Receive As", "Receive-As"), ("RECEIVE-AS", "Receive-As"),
    ("Administer information store", "ms-Exch-Store-Admin"), ("ms-Exch-Store-Admin", "ms-Exch-Store-Admin"),
    ("View information store status", "ms-Exch-Store-Visible"),
    ("ms-exch-store-visible", "ms-Exch-Store-Visible"),
    ("GenericAll", "GenericAll"),
])
def test_normalize_right(raw, expected):
    assert normalize_right(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("ViewOnlyAdmin", "ViewOnlyAdmin"), ("ViewOnlyAdministrator", "ViewOnlyAdmin"),
    ("viewonlyadmin", "ViewOnlyAdmin"), ("OrgAdmin", "OrgAdmin"), ("OrganizationAdmin", "OrgAdmin"),
    ("OrganizationAdministrator", "OrgAdmin"), ("RecipientAdministrator", "RecipientAdmin"),
    ("ServerAdmin", "ServerAdmin"), ("PublicFolderAdministrator", "PublicFolderAdmin"),
    ("SomethingElse", "SomethingElse"),
])
def test_normalize_role(raw, expected):
    assert normalize_role(raw) == expected


def test_roles_of_the_capture(capture):
    objects = parse_format_list(capture("ems_exchangeadministrator.txt").text)
    assert [normalize_role(o["Role"]) for o in objects] == ["OrgAdmin", "ViewOnlyAdmin", "ServerAdmin"]
    rights = [normalize_right(r) for o in parse_format_list(capture("ems_adpermission.txt").text)
              if isinstance(o["ExtendedRights"], list) for r in o["ExtendedRights"]]
    assert rights == ["Receive-As", "Send-As", "ms-Exch-Store-Admin", "Send-As", "Receive-As"]


# Issue 18: an administrator's CN holding a Unicode line break forged an entry (splitlines() split on
# U+2028, U+2029, U+0085, 0x1E, 0x1C, 0x1D, 0x0B, 0x0C, lone CR or LF).
SEPARATORS = ["\u2028", "\u2029", "\u0085", "\x1e", "\x1c", "\x1d", "\x0b", "\x0c", "\r", "\n"]


@pytest.mark.parametrize("separator", SEPARATORS, ids=[f"U+{ord(c):04X}" for c in SEPARATORS])
def test_only_crlf_ends_a_line(separator: str) -> None:
    # the CN closes its own entry, writes a whole forged one, and opens a dummy one that the real
    # Scope and Role lines then complete
    forged = (f"corp.local/Users/Mallory{separator}{separator}Identity : corp.local/Comptes/VistoAdmin"
              f"{separator}Scope    :{separator}Role     : ViewOnlyAdmin{separator}{separator}"
              "Identity : corp.local/Users/Dummy")
    text = ("\ufeff\r\nIdentity : corp.local/Users/Administrator\r\nScope    :\r\nRole     : OrgAdmin\r\n\r\n"
            f"Identity : {forged}\r\nScope    :\r\nRole     : OrgAdmin\r\n\r\n")
    try:
        objects = parse_format_list(text)
    except ParseError:
        return  # refused as a whole: the artifact is unreadable, F8 « Non évaluable »
    assert len(objects) == 2
    assert [o["Role"] for o in objects] == ["OrgAdmin", "OrgAdmin"]
    assert not any(o["Identity"] == "corp.local/Comptes/VistoAdmin" for o in objects)
