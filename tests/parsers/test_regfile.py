""".reg parser over regedit-format captures (UTF-16LE version 5, cp1252 REGEDIT4)."""

from __future__ import annotations

import pytest

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.regfile import RegValue, parse_reg

SETUP = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Exchange\\Setup"
HOTFIX = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Hotfix"

# (capture, key, value name, type, value)
V5_VALUES = [
    (SETUP, "Services", "REG_SZ", "C:\\Program Files\\Exchsrvr"),
    (SETUP, "ServicePackBuild", "REG_DWORD", 7242),
    (SETUP, "MsiProductMajor", "REG_DWORD", 6),
    (SETUP, "MsiInstallPath", "REG_SZ", "C:\\Program Files\\Exchsrvr\\"),
    (SETUP, "Description", "REG_SZ", 'Serveur "Exchange" de test'),
    (SETUP, "ExchangeServerAdmin", "REG_EXPAND_SZ", "%SystemRoot%\\system32\\mmc.exe"),
    (SETUP, "Components", "REG_MULTI_SZ", ["Microsoft Exchange Messaging and Collaboration Services",
                                           "Microsoft Exchange System Management Tools"]),
    (SETUP, "InstallTime", "REG_QWORD", 0x01C64A2B3C4D5E6F),
    (SETUP, "Blob", "REG_BINARY", bytes(range(96))),
    (SETUP, "Empty", "REG_NONE", b""),
    (SETUP, "Resources", "REG_TYPE_8", b"\x01\x00\x00\x00\x02\x00\x00\x00"),
    (SETUP, "", "REG_SZ", "Exchange Setup"),
    (SETUP + "\\Components\\SystemManagementTools", "Path", "REG_SZ",
     "C:\\Program Files\\Exchsrvr\\bin"),
]

V4_VALUES = [
    (HOTFIX + "\\KB890046", "Installed", "REG_DWORD", 1),
    (HOTFIX + "\\KB890046", "Comments", "REG_SZ",
     "Mise à jour de sécurité pour Windows Server 2003 (KB890046)"),
    (HOTFIX + "\\KB890046", "Backup Dir", "REG_SZ", "C:\\WINDOWS\\$NtUninstallKB890046$"),
    (HOTFIX + "\\KB890046", "Installer", "REG_EXPAND_SZ",
     "%SystemRoot%\\$NtUninstallKB890046$\\spuninst\\spuninst.exe"),
    (HOTFIX + "\\KB890046", "Files", "REG_MULTI_SZ", ["agentdpv.dll", "agentsvr.exe", "Français é"]),
    (HOTFIX + "\\KB893756", "Obsolete", "DELETED", None),
]


@pytest.fixture(scope="module")
def v5(capture):
    decoded = capture("reg_exchange_setup_v5.reg")
    assert (decoded.encoding, decoded.had_bom) == ("utf-16le", True)
    return parse_reg(decoded.text)


@pytest.fixture(scope="module")
def v4(capture):
    decoded = capture("reg_hotfix_regedit4.reg")
    assert decoded.encoding == "cp1252"
    return parse_reg(decoded.text)


@pytest.mark.parametrize("key, name, type_, value", V5_VALUES, ids=[v[1] or "@" for v in V5_VALUES])
def test_version5_values(v5, key, name, type_, value):
    assert v5.version == "5"
    assert v5.find(key, name) == RegValue(key, name, type_, value)
    assert v5.get(key, name) == value


@pytest.mark.parametrize("key, name, type_, value", V4_VALUES, ids=[v[1] for v in V4_VALUES])
def test_regedit4_values(v4, key, name, type_, value):
    assert v4.version == "4"
    assert v4.find(key, name) == RegValue(key, name, type_, value)
    assert v4.get(key, name, "absent") == ("absent" if type_ == "DELETED" else value)


def test_keys_and_subkeys(v5, v4):
    assert v5.keys == [SETUP, SETUP + "\\Components", SETUP + "\\Components\\Messaging",
                       SETUP + "\\Components\\SystemManagementTools"]
    assert v5.subkeys(SETUP) == [SETUP + "\\Components"]
    assert v5.subkeys("hklm\\software\\microsoft\\exchange\\setup\\components") == [
        SETUP + "\\Components\\Messaging", SETUP + "\\Components\\SystemManagementTools"]
    assert v4.subkeys(HOTFIX) == [HOTFIX + "\\KB890046", HOTFIX + "\\KB893756"]
    assert v4.deleted_keys == [HOTFIX + "\\KB000000"]
    assert len(v5.values) == 17


def test_lookup_is_case_insensitive_and_accepts_abbreviations(v5):
    assert v5.get("HKLM\\software\\MICROSOFT\\Exchange\\setup", "SERVICEPACKBUILD") == 7242
    assert v5.find("hkey_local_machine\\software\\microsoft\\exchange\\setup", "").value == "Exchange Setup"
    assert v5.get(SETUP, "NoSuchValue") is None
    assert v5.find(SETUP, "NoSuchValue") is None
    assert v5.get(SETUP + "\\Nope", "Services", "default") == "default"


def test_lf_and_crlf_give_the_same_result(capture, v5):
    text = capture("reg_exchange_setup_v5.reg").text
    assert parse_reg(text.replace("\r\n", "\n")) == v5


def test_hex1_and_hex4_and_odd_types():
    text = ('Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\T]\r\n'
            '"S"=hex(1):41,00,42,00,00,00\r\n"D"=hex(4):01,02,00,00\r\n'
            '"Big"=hex(5):00,00,01,02\r\n"Name with \\"quotes\\" = sign"="x"\r\n')
    reg = parse_reg(text)
    assert [(v.name, v.type, v.value) for v in reg.values] == [
        ("S", "REG_SZ", "AB"), ("D", "REG_DWORD", 0x201), ("Big", "REG_TYPE_5", b"\x00\x00\x01\x02"),
        ('Name with "quotes" = sign', "REG_SZ", "x")]


@pytest.mark.parametrize("text, message", [
    ("", "en-tête"),
    ("hello world\r\n", "en-tête"),
    ("Windows Registry Editor Version 4.00\r\n", "en-tête"),
    ("REGEDIT4\r\n\r\n\"x\"=\"y\"\r\n", "hors de toute clé"),
    ("REGEDIT4\r\n\r\n[HKEY_USERS\\X]\r\ngarbage line\r\n", "illisible"),
    ("REGEDIT4\r\n\r\n[HKEY_USERS\\X]\r\n\"x\"=dword:zz\r\n", "illisible"),
    ("REGEDIT4\r\n\r\n[HKEY_USERS\\X]\r\n\"x\"=hex:123,45\r\n", "hexadécimal"),
])
def test_bad_input_raises_french_parse_error(text, message):
    with pytest.raises(ParseError, match=message):
        parse_reg(text)


def test_same_value_twice_last_one_wins():
    reg = parse_reg('REGEDIT4\n\n[HKEY_USERS\\X]\n"v"="1"\n"V"="2"\n')
    assert reg.get("HKU\\x", "v") == "2"
    assert len(reg.values) == 2
