"""Issue 12, tracebacks and hangs: each input of the issue, built from a sample.

Every test builds the damaged collection from ``vmes01-2003-conforme`` (a
compliant machine whose verdict is "Prêt sous réserve"), checks that the
analysis writes its report (JSON and HTML: no traceback, no lone surrogate
that a writer cannot encode), that the affected check says why it is
"Non évaluable", and that the verdict is never better than the intact one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.conftest import analyse, assert_not_better, finding
from tests.hostile.kit import SampleZip, utf16
from vmes_audit.report.render import write_outputs

BASE = "vmes01-2003-conforme"


def _report(sample: SampleZip, tmp_path: Path, name: str = "c.zip"):
    report = analyse([sample.write(tmp_path / name)]).report
    written = write_outputs(report, tmp_path / "out", {"json", "html"})
    json.loads(written["json"].read_text(encoding="utf-8"))
    return report


@pytest.mark.parametrize("artifact,prop,rule", [
    ("wmi_os", "ServicePackMajorVersion", "d1-os-supported"),
    ("wmi_os", "BuildNumber", None),
    ("wmi_computersystem", "TotalPhysicalMemory", "c2-memory"),
    ("wmi_logicaldisk", "Size", None),
    ("wmi_logicaldisk", "FreeSpace", "c3-free-disk"),
    ("wmi_processor", "MaxClockSpeed", None),
    ("wmi_networkadapter", "Speed", "c4-network-speed"),
    ("wmi_registry", "MaximumSize", None),
])
@pytest.mark.parametrize("digits", [400, 5000])
def test_numbers_with_hundreds_or_thousands_of_digits(artifact, prop, rule, digits, tmp_path: Path) -> None:
    sample = SampleZip.open(BASE).set_property(artifact, prop, "9" * digits)
    report = _report(sample, tmp_path)
    assert_not_better(report, BASE)
    if rule is not None:
        check = finding(report, rule)
        assert check.state.value != "pass", check.message
        assert "hors limites" in check.message, check.message


@pytest.mark.parametrize("data", ["9" * 4400, "4294967296", "-1"])
def test_dword_out_of_range_in_registry_values(data: str, tmp_path: Path) -> None:
    """IE ESC for administrators (check E2) is a REG_DWORD: 0 to 2^32-1."""
    sample = SampleZip.open(BASE)
    text = sample.text("reg_values")
    start = text.index("{A509B1A7-37EF-4b3f-8CFC-4F3A74704073}")
    value = text.index("Data=", start)
    end = text.index("\r\n", value)
    sample.set_text("reg_values", text[:value] + "Data=" + data + text[end:])
    report = _report(sample, tmp_path)
    e2 = finding(report, "e2-ie-esc-admins")
    assert e2.state.value == "unknown" and "hors limites" in e2.message, e2.message
    assert_not_better(report, BASE)


def test_huge_exchange_serial_number(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    sample.set_text("ad_exchange_servers", sample.text("ad_exchange_servers").replace(
        "Build 7638.2", "Build " + "7" * 5000 + ".2"))
    report = _report(sample, tmp_path)
    assert_not_better(report, BASE)
    assert finding(report, "b1-exchange-version").state.value != "pass"


@pytest.mark.parametrize("value", ["²", "٣", "１", "3²"])
def test_superscript_or_other_unicode_digits_where_a_number_is_expected(value, tmp_path: Path) -> None:
    sample = SampleZip.open(BASE).set_property("wmi_os", "ServicePackMajorVersion", value)
    sample.set_property("wmi_computersystem", "NumberOfProcessors", value)
    sample.set_text("net_proxy", sample.text("net_proxy").replace("ProxyServer!", f"ProxyServer=proxy:{value}", 1)
                    .replace("ProxyEnable=0", "ProxyEnable=1", 1))
    report = _report(sample, tmp_path)
    assert_not_better(report, BASE)


def test_negative_service_pack_is_out_of_bounds_not_sp_minus_one(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE).set_property("wmi_os", "ServicePackMajorVersion", "-1")
    report = _report(sample, tmp_path)
    d1 = finding(report, "d1-os-supported")
    assert d1.state.value == "unknown" and "hors limites" in d1.message and "SP-1" not in d1.message
    assert_not_better(report, BASE)


def test_negative_sizes_and_speeds_are_not_printed_as_facts(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE).set_property("wmi_logicaldisk", "FreeSpace", "-2147483648")
    sample.set_property("wmi_logicaldisk", "FreeSpace", "-2147483648", occurrence=1)
    sample.set_property("wmi_networkadapter", "Speed", "-100000000")
    sample.set_property("wmi_computersystem", "TotalPhysicalMemory", "-2147483648")
    report = _report(sample, tmp_path)
    assert_not_better(report, BASE)
    for rule in ("c2-memory", "c3-free-disk", "c4-network-speed"):
        check = finding(report, rule)
        assert check.state.value == "unknown", (rule, check.message)
        assert "hors limites" in check.message, check.message
        assert "-2\u202f048" not in check.observed + check.message  # never shown as "-2 048 Mo"
    assert dict(report.hosts[0].inventory)["Mémoire physique"] == "—"


def test_lone_surrogates_in_record_files_and_manifest_errors(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE).set_property("wmi_os", "Caption", "Windows \\ud800 Server \\udfff")
    sample.entry("reg_uninstall_wow64")["error"] = "clé \ud800 absente \udc00"
    report = _report(sample, tmp_path)
    assert "\ufffd" in finding(report, "d1-os-supported").observed + report.hosts[0].inventory[2][1]
    assert_not_better(report, BASE)


@pytest.mark.parametrize("codec", ["base64", "zlib", "rot13", "uu", "hex", "bz2", "x" * 200])
def test_manifest_encoding_naming_a_non_text_codec(codec, tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    sample.entry("systeminfo")["encoding"] = codec
    sample.entry("wmi_os")["encoding"] = codec
    report = _report(sample, tmp_path)
    facts = analyse([sample.write(tmp_path / "again.zip")]).facts
    art = facts.artifact("VMES01", "systeminfo")
    assert art.status == "unreadable" and "non prévu par le format" in art.error
    h2 = finding(report, "h2-collection-complete")
    assert h2.state.value == "warn" and "systeminfo" in h2.message and "wmi_os" in h2.message
    assert_not_better(report, BASE)


def test_same_host_twice_with_naive_and_aware_dates(tmp_path: Path) -> None:
    aware = SampleZip.open(BASE)
    naive = SampleZip.open(BASE)
    naive.manifest["started"] = "2026-11-21T09:59:00"
    naive.manifest["ended"] = "2026-11-21T10:00:00"
    result = analyse([aware.write(tmp_path / "a.zip"), naive.write(tmp_path / "b.zip")])
    report = result.report
    assert any("la plus récente" in w and "« b.zip »" in w for w in report.warnings), report.warnings
    assert any("sans décalage UTC" in w for w in report.warnings)
    assert_not_better(report, BASE)


@pytest.mark.parametrize("name,content", [
    ("systeminfo", "Host Name:" + " " * 200000 + "\r\n" + ("Label" + ": " * 5000 + "x\r\n") * 3),
    ("systeminfo", "Host Name: VMES01\r\n" + ":" * 100000 + " " * 100000 + "\r\n"),
    ("ipconfig", "\r\nWindows IP Configuration\r\n\r\n   Host Name" + " " * 100000 + "x\r\n"),
    ("ipconfig", "\r\nWindows IP Configuration\r\n\r\nEthernet adapter " + " " * 100000 + "x\r\n"),
])
def test_lines_that_made_regular_expressions_backtrack(name, content, tmp_path: Path) -> None:
    sample = SampleZip.open(BASE).set_text(name, content)
    report = _report(sample, tmp_path)
    facts = analyse([sample.write(tmp_path / "again.zip")]).facts
    assert facts.artifact("VMES01", name).status == "unreadable"
    assert_not_better(report, BASE)


def test_loose_ipconfig_with_runs_of_spaces(tmp_path: Path) -> None:
    folder = tmp_path / "envoi"
    folder.mkdir()
    (folder / "ipconfig.txt").write_bytes(("\r\nConfiguration IP de Windows\r\n\r\n"
                                           + ("   Nom de l'hôte" + " ." * 50000 + "\r\n")
                                           + "Carte Ethernet" + " " * 200000 + "\r\n").encode("cp850"))
    report = analyse([folder]).report
    assert report.verdict.value == "non_pret"  # no VMES machine evidence worth a verdict


def test_reg_hex_continuations(tmp_path: Path) -> None:
    lines = ["Windows Registry Editor Version 5.00", "",
             "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\X]",
             '"Blob"=hex:' + "00," * 200000 + "\\"] + ["  00,00,00,00,\\"] * 50000 + ["  00", ""]
    sample = SampleZip.open(BASE).set_bytes("reg_uninstall", utf16("\r\n".join(lines)))
    report = _report(sample, tmp_path)
    assert_not_better(report, BASE)


def test_a_one_megabyte_unbreakable_message_is_cut_in_the_report(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    sample.entry("reg_uninstall_wow64")["error"] = "x" * (1 << 20)
    sample.set_property("wmi_os", "Caption", "W" * 40000)
    report = _report(sample, tmp_path)
    error = next(a.error for a in report.artifacts if a.name == "reg_uninstall_wow64")
    assert len(error) < 5000 and "texte tronqué" in error
    assert "texte tronqué" in dict(report.hosts[0].inventory)["Système d'exploitation"]
    assert_not_better(report, BASE)


def test_a_ten_megabyte_record_line_makes_its_artifact_unreadable(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE).set_property("wmi_service", "PathName", "C:\\" + "a" * (10 << 20))
    report = _report(sample, tmp_path)
    d3 = finding(report, "d3-not-exchange-server")
    assert d3.state.value == "unknown" and "au-delà de la limite" in d3.message
    assert_not_better(report, BASE)


def test_control_characters_in_values_are_kept_as_text(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE).set_property("wmi_os", "Caption", "Windows\\u001b[2J\\u0007 2003")
    report = _report(sample, tmp_path)
    assert_not_better(report, BASE)
