"""MAPI profiles from reg_mapi_profiles values: REG_BINARY ANSI, UTF-16LE and REG_SZ forms (§5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.mapi_profiles import mapi_profiles

ROOT = r"HKEY_CURRENT_USER\Software\Microsoft\Windows NT\CurrentVersion\Windows Messaging Subsystem\Profiles"
GLOBAL = "13dbb0c8aa05101a9bb000aa002fc45a"
MSEMS_SECTION = "9207f3e0a3b11019908b08002b2a56c2"
LEGACY_DN = "/o=Corp/ou=First Administrative Group/cn=Recipients/cn=vmes"


@dataclass
class RegValue:  # the shape of the .reg parser's output; only the attributes matter
    key: str
    name: str
    type: str
    value: Any


def ansi(text: str) -> bytes:   # "001e…"=hex:45,58,…,00
    return text.encode("cp1252") + b"\0"


def utf16(text: str) -> bytes:  # "001f…"=hex:45,00,58,00,…,00,00
    return text.encode("utf-16-le") + b"\0\0"


def test_reg_binary_ansi_profile():
    values = [
        RegValue(ROOT, "DefaultProfile", "REG_SZ", "VMES"),
        RegValue(rf"{ROOT}\VMES\{MSEMS_SECTION}", "001e3d09", "REG_BINARY", ansi("MSEMS")),
        RegValue(rf"{ROOT}\VMES\{GLOBAL}", "001e6602", "REG_BINARY", ansi("EXCH01")),
        RegValue(rf"{ROOT}\VMES\{GLOBAL}", "001e6603", "REG_BINARY", ansi(LEGACY_DN)),
        RegValue(rf"{ROOT}\VMES\{GLOBAL}", "00036600", "REG_BINARY", b"\x0a\x00\x00\x00"),
    ]
    [p] = mapi_profiles(values)
    assert (p.name, p.is_default, p.services) == ("VMES", True, ["MSEMS"])
    assert (p.home_server, p.mailbox_dn, p.has_exchange) == ("EXCH01", LEGACY_DN, True)


def test_utf16_values_of_outlook_2007_and_later():
    values = [
        RegValue(rf"{ROOT}\Outlook\{MSEMS_SECTION}", "001f3d09", "REG_BINARY", utf16("MSEMS")),
        RegValue(rf"{ROOT}\Outlook\{MSEMS_SECTION}", "001f6602", "REG_BINARY", utf16("EXCH02")),
        RegValue(rf"{ROOT}\Outlook\{MSEMS_SECTION}", "001f6603", "REG_BINARY", utf16("/o=Société/cn=vmes")),
    ]
    [p] = mapi_profiles(values)
    assert (p.is_default, p.services, p.home_server, p.mailbox_dn) == (False, ["MSEMS"], "EXCH02", "/o=Société/cn=vmes")


def test_reg_sz_written_by_a_script():
    values = [
        RegValue(rf"{ROOT}\Scripte\{MSEMS_SECTION}", "001e3d09", "REG_SZ", "MSEMS"),
        RegValue(rf"{ROOT}\Scripte\{GLOBAL}", "001e6602", "REG_SZ", "EXCH03"),
    ]
    [p] = mapi_profiles(values)
    assert (p.services, p.home_server, p.mailbox_dn) == (["MSEMS"], "EXCH03", None)


def test_ansi_accents_use_the_windows_code_page():
    values = [RegValue(rf"{ROOT}\Profil é\{GLOBAL}", "001e6603", "REG_BINARY", ansi("/o=Société/cn=vmes"))]
    [p] = mapi_profiles(values)
    assert p.name == "Profil é" and p.mailbox_dn == "/o=Société/cn=vmes"


def test_several_profiles_and_services_and_the_msems_section_first():
    values = [
        RegValue(ROOT, "DefaultProfile", "REG_SZ", "outlook"),             # case-insensitive match
        RegValue(rf"{ROOT}\Internet\aaaa", "001e3d09", "REG_BINARY", ansi("IMAIL")),
        RegValue(rf"{ROOT}\Outlook\bbbb", "001e3d09", "REG_BINARY", ansi("EMABLT")),
        RegValue(rf"{ROOT}\Outlook\cccc", "001e3d09", "REG_BINARY", ansi("MSEMS")),
        RegValue(rf"{ROOT}\Outlook\cccc", "001e6602", "REG_BINARY", ansi("EXCH01")),
        RegValue(rf"{ROOT}\Outlook\{GLOBAL}", "001e6602", "REG_BINARY", ansi("ANCIEN")),
        RegValue(r"HKEY_CURRENT_USER\Software\Autre", "001e3d09", "REG_SZ", "MSEMS"),   # ignored
    ]
    internet, outlook = mapi_profiles(values)
    assert (internet.name, internet.is_default, internet.services, internet.has_exchange) == \
        ("Internet", False, ["IMAIL"], False)
    assert (outlook.is_default, outlook.services, outlook.home_server) == (True, ["EMABLT", "MSEMS"], "EXCH01")


def test_no_default_profile_value_marks_none_default():
    [p] = mapi_profiles([RegValue(rf"{ROOT}\VMES\{GLOBAL}", "001e6602", "REG_SZ", "EXCH01")])
    assert p.is_default is False and p.services == []


def test_odd_length_utf16_is_a_parse_error():
    with pytest.raises(ParseError, match="UTF-16LE"):
        mapi_profiles([RegValue(rf"{ROOT}\VMES\{GLOBAL}", "001f6602", "REG_BINARY", b"E\0X")])


def test_end_to_end_with_the_reg_parser():
    # A regedit /e export (UTF-16LE decoded), with continued hex lines and an empty profile.
    from vmes_audit.parsers.regfile import parse_reg

    def hexlist(data: bytes) -> str:
        return ",".join(f"{b:02x}" for b in data)

    text = "\r\n".join([
        "Windows Registry Editor Version 5.00", "",
        f"[{ROOT}]", '"DefaultProfile"="VMES"', "",
        f"[{ROOT}\\Vide]", "",
        f"[{ROOT}\\VMES]", "",
        f"[{ROOT}\\VMES\\{MSEMS_SECTION}]", f'"001e3d09"=hex:{hexlist(ansi("MSEMS"))}', "",
        f"[{ROOT}\\VMES\\{GLOBAL}]",
        f'"001e6602"=hex:{hexlist(ansi("EXCH01"))}',
        f'"001e6603"=hex:{hexlist(ansi(LEGACY_DN)[:20])},\\',
        f"  {hexlist(ansi(LEGACY_DN)[20:])}",
        f'"001f662a"=hex:{hexlist(utf16("exch01.corp.local"))}', "",
    ]) + "\r\n"
    reg = parse_reg(text)
    vide, vmes = mapi_profiles(reg.values, keys=reg.keys)
    assert (vide.name, vide.services, vide.home_server) == ("Vide", [], None)
    assert (vmes.is_default, vmes.services, vmes.home_server, vmes.mailbox_dn) == (True, ["MSEMS"], "EXCH01", LEGACY_DN)
