"""systeminfo parser over real-format captures (see tests/data/captures/make_captures.py)."""

from __future__ import annotations

import pytest

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.systeminfo import parse_systeminfo

# (capture, encoding decode_bytes must find, expected fields)
CASES = [
    ("systeminfo_en_2003sp1.txt", "ascii", dict(
        hostname="VMES01",
        os_name="Microsoft(R) Windows(R) Server 2003, Standard Edition",
        os_version="5.2.3790", os_build=3790, service_pack=1,
        os_manufacturer="Microsoft Corporation", os_configuration="Member Server",
        domain_role="member_server", system_manufacturer="VMware, Inc.",
        system_model="VMware Virtual Platform", system_type="X86-based PC", architecture="x86",
        processors=["x86 Family 15 Model 4 Stepping 1 GenuineIntel ~3192 Mhz"], processor_mhz=3192,
        total_memory_mb=2047, available_memory_mb=1311, domain="contoso.local",
        logon_server="\\\\DC01", system_locale="en-us;English (United States)", locale_code="en-us",
        hotfixes=["File 1", "Q147222", "KB890046", "KB893756", "KB896358", "KB899587"],
        hotfix_count_declared=6, network_cards=["VMware Accelerated AMD PCNet Adapter"],
        original_install_date="3/14/2006, 10:22:41 AM")),
    ("systeminfo_en_csv.txt", "ascii", dict(
        hostname="VMES01", os_version="5.2.3790", os_build=3790, service_pack=1,
        domain_role="member_server", architecture="x86",
        processors=["x86 Family 15 Model 4 Stepping 1 GenuineIntel ~3192 Mhz"], processor_mhz=3192,
        total_memory_mb=2047, available_memory_mb=1311, locale_code="en-us",
        hotfixes=["File 1", "Q147222", "KB890046", "KB893756", "KB896358", "KB899587"],
        hotfix_count_declared=6, network_cards=["VMware Accelerated AMD PCNet Adapter"])),
    ("systeminfo_w2k_sp4.txt", "ascii", dict(
        hostname="EXCH2K", os_name="Microsoft Windows 2000 Server", os_version="5.0.2195",
        os_build=2195, service_pack=4, domain_role="primary_dc", architecture="x86",
        processor_mhz=1266, total_memory_mb=1023, logon_server="\\\\EXCH2K",
        hotfixes=["Q147222", "KB823182", "KB824105", "KB828035"], hotfix_count_declared=4,
        network_cards=[])),
    ("systeminfo_fr_cp850.txt", "cp850", dict(
        hostname="VMES-FR",
        os_name="Microsoft(R) Windows(R) Server 2003, Standard Edition",
        os_version="5.2.3790", os_build=3790, service_pack=2,
        os_configuration="Serveur membre", domain_role="member_server",
        system_manufacturer="VMware, Inc.", architecture="x86",
        processors=["x86 Family 6 Model 23 Stepping 10 GenuineIntel ~2992 Mhz"] * 2,
        processor_mhz=2992, total_memory_mb=4095, available_memory_mb=2871,
        domain="exemple.local", logon_server="\\\\DC-PARIS",
        system_locale="fr;Français (France)", locale_code="fr",
        hotfixes=["File 1", "Q147222", "KB914961", "KB925398", "KB938127"], hotfix_count_declared=5,
        network_cards=["Carte AMD PCNET Family Ethernet PCI"],
        original_install_date="12/09/2007, 09:41:13")),
    ("systeminfo_fr_utf16.txt", "utf-16le", dict(
        hostname="VMES-FR", os_version="5.2.3790", service_pack=2, domain_role="member_server",
        total_memory_mb=4095, locale_code="fr", hotfix_count_declared=5)),
    ("systeminfo_fr_variant_utf16.txt", "utf-16le", dict(
        hostname="EXCH-FR2", os_version="6.1.7601", os_build=7601, service_pack=1,
        domain_role="primary_dc", architecture="x64",
        processors=["Intel64 Family 6 Model 44 Stepping 2 GenuineIntel ~2400 Mhz"],
        processor_mhz=2400, total_memory_mb=16383, available_memory_mb=9120,
        logon_server="\\\\EXCH-FR2", system_locale="fr;Français (France)", locale_code="fr",
        hotfixes=["KB2479943", "KB2491683", "KB2506212"], hotfix_count_declared=3,
        network_cards=["HP NC382i DP Multifunction Gigabit Server Adapter",
                       "HP NC382i DP Multifunction Gigabit Server Adapter #2"],
        original_install_date="05/03/2012, 14:20:07")),
]


@pytest.mark.parametrize("name, encoding, expected", CASES, ids=[c[0] for c in CASES])
def test_capture(capture, name, encoding, expected):
    decoded = capture(name)
    assert decoded.encoding == encoding
    [info] = parse_systeminfo(decoded.text)
    actual = {key: getattr(info, key) for key in expected}
    assert actual == expected


def test_cp850_and_utf16_give_the_same_result(capture):
    assert parse_systeminfo(capture("systeminfo_fr_cp850.txt").text) == \
        parse_systeminfo(capture("systeminfo_fr_utf16.txt").text)


def test_lf_line_ends_give_the_same_result(capture):
    text = capture("systeminfo_fr_cp850.txt").text
    assert "\r\n" in text
    assert parse_systeminfo(text.replace("\r\n", "\n")) == parse_systeminfo(text)


def test_list_and_csv_agree(capture):
    [listed] = parse_systeminfo(capture("systeminfo_en_2003sp1.txt").text)
    [csv] = parse_systeminfo(capture("systeminfo_en_csv.txt").text)
    for field in ("hostname", "os_version", "service_pack", "domain_role", "total_memory_mb",
                  "hotfixes", "network_cards", "processors", "locale_code", "logon_server"):
        assert getattr(csv, field) == getattr(listed, field), field


def test_raw_keeps_every_label_as_printed(capture):
    [info] = parse_systeminfo(capture("systeminfo_fr_cp850.txt").text)
    assert info.raw["Mémoire virtuelle\u00a0: taille maximale"] == "5\u00a0972 Mo"
    assert info.raw["Type de version du système d'exploitation"] == "Multiprocessor Free"
    assert info.raw["Heure de démarrage du système"] == "20/11/2026, 08:02:47"
    assert info.raw["Correctif(s)"].splitlines()[0] == "5 Corrections installées."
    [en] = parse_systeminfo(capture("systeminfo_en_2003sp1.txt").text)
    assert en.raw["Page File: Max Size"] == "3,947 MB"
    assert en.raw["Registered Organization"] == ""
    assert en.raw["System Up Time"] == "12 Days, 3 Hours, 44 Minutes, 10 Seconds"


def test_french_variant_separators_and_wrapped_entries(capture):
    [info] = parse_systeminfo(capture("systeminfo_fr_variant_utf16.txt").text)
    assert info.raw["Mémoire virtuelle : taille maximale"] == "32\u202f765 Mo"
    assert info.raw["Correctif(s)"].splitlines() == [
        "3 correctif(s) installé(s).", "[01]: KB2479943",
        "[02]: KB2491683 - Mise à jour de sécurité pour", "Windows Server 2008 R2", "[03]: KB2506212"]
    assert info.raw["Nom de l'hôte"] == "EXCH-FR2"


def test_truncated_hotfix_list_is_kept_as_printed(capture):
    [info] = parse_systeminfo(capture("systeminfo_truncated_hotfixes.txt").text)
    assert info.hotfix_count_declared == 352
    assert len(info.hotfixes) == 240
    assert info.hotfixes.count("File 1") == 170
    assert info.hotfixes[-1] == "KB2862"  # cut mid-token by systeminfo itself
    assert info.service_pack == 2 and len(info.processors) == 2


def test_several_hosts_in_one_listing(capture):
    one = capture("systeminfo_en_2003sp1.txt").text
    two = capture("systeminfo_w2k_sp4.txt").text
    infos = parse_systeminfo(one + two)
    assert [i.hostname for i in infos] == ["VMES01", "EXCH2K"]


@pytest.mark.parametrize("value, expected", [
    ("2,047 MB", 2047), ("2\u00a0047 Mo", 2047), ("2 047 Mo", 2047), ("16\u202f383 Mo", 16383),
    ("512 MB", 512), ("N/A", None),
])
def test_memory_separators(value, expected):
    text = f"Host Name:                 H\r\nTotal Physical Memory:     {value}\r\n"
    assert parse_systeminfo(text)[0].total_memory_mb == expected


@pytest.mark.parametrize("value, expected", [
    ("Standalone Workstation", "standalone_workstation"), ("Member Workstation", "member_workstation"),
    ("Standalone Server", "standalone_server"), ("Member Server", "member_server"),
    ("Backup Domain Controller", "backup_dc"), ("Primary Domain Controller", "primary_dc"),
    ("Station de travail autonome", "standalone_workstation"),
    ("Station de travail membre", "member_workstation"), ("Serveur autonome", "standalone_server"),
    ("Serveur membre", "member_server"), ("Contrôleur de domaine secondaire", "backup_dc"),
    ("Contrôleur de domaine de sauvegarde", "backup_dc"),
    ("Contrôleur de domaine principal", "primary_dc"), ("Something else", None),
])
def test_domain_roles(value, expected):
    text = f"Host Name:                 H\r\nOS Configuration:          {value}\r\n"
    assert parse_systeminfo(text)[0].domain_role == expected


def test_no_service_pack_is_zero():
    text = "Host Name:                 H\r\nOS Version:                5.2.3790 Build 3790\r\n"
    info = parse_systeminfo(text)[0]
    assert (info.os_version, info.os_build, info.service_pack) == ("5.2.3790", 3790, 0)


def test_csv_without_header_is_refused(capture):
    text = capture("systeminfo_en_csv.txt").text
    with pytest.raises(ParseError, match="en-tête"):
        parse_systeminfo(text.split("\n", 1)[1])


@pytest.mark.parametrize("text", [
    "", "   \r\n", "lorem ipsum dolor sit amet\r\nconsectetur\r\n",
    "Foo:    bar\r\nBaz:    qux\r\n",
    "\u0000\u0001\u0002garbage",
])
def test_garbage_raises_french_parse_error(text):
    with pytest.raises(ParseError) as err:
        parse_systeminfo(text)
    assert "systeminfo" in str(err.value)
