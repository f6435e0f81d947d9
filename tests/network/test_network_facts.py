"""Network fact tables from record text: NOC probes, proxies, paths to Exchange."""

from __future__ import annotations

import pytest

from tests.network.records import ADDRESS_URL, HEADER, NAME_URL, probe
from vmes_audit.facts.network import classify_probe, split_proxy, strip_credentials, winhttp_error


@pytest.mark.parametrize("raw,expected", [
    ("12007", 12007), ("-2147012889", 12007), ("0x80072EE7", 12007), ("80072EE7", 12007),
    ("&H80072EFD", 12029), (" 12029 ", 12029), ("-2147012894", 12002), (12175, 12175),
    ("", None), (None, None), ("abc", None),
])
def test_winhttp_error_forms(raw, expected) -> None:
    assert winhttp_error(raw) == expected


@pytest.mark.parametrize("status,error,target,outcome", [
    (200, None, "name", "ok"), (404, None, "name", "ok"), (403, None, "name", "ok"),
    (407, None, "name", "proxy_auth"), (502, None, "name", "http_error"),
    (None, 12007, "name", "dns"), (None, 12029, "name", "connect"), (None, 12030, "name", "connect"),
    (None, 12002, "name", "timeout"), (None, 12175, "name", "tls"), (None, 12045, "name", "tls"),
    (None, 12038, "name", "tls"), (None, 12038, "address", "ok"), (None, 12345, "name", "other"),
])
def test_classify_probe(status, error, target, outcome) -> None:
    assert classify_probe(status, error, True, target)[0] == outcome


def test_probe_rows_dns_versus_firewall(loose) -> None:
    text = HEADER + probe("name", NAME_URL, Resolved="False", **{"Addresses[]": None}, Status="",
                          ErrorNumber="-2147012889", ErrorText="Le nom n'a pas pu être résolu", ElapsedMs="2250")
    text += probe("address", ADDRESS_URL, Resolved="", Status="", ErrorNumber="0x80072EFD", ElapsedMs="21031")
    _, facts = loose({"net_noc_probe": text})
    rows = {r["target"]: r for r in facts.table("noc_probes").to_dict("records")}
    name, address = rows["name"], rows["address"]
    assert (name["outcome"], name["error_number"], name["reachable"], name["resolved"]) == ("dns", 12007, False, False)
    assert (address["outcome"], address["error_number"], address["reachable"]) == ("connect", 12029, False)
    assert name["target_host"] == "push.sfr.fr" and name["target_port"] == 443
    assert address["target_host"] == "206.124.113.45"
    assert name["source_addresses"] == ["10.1.20.15"]
    assert isinstance(name["elapsed_ms"], int) and name["status"] is None


def test_probe_rows_407_and_tls(loose) -> None:
    text = HEADER + probe("name", NAME_URL, Proxy="proxy.corp:8080", Status="407", ElapsedMs="48")
    text += probe("address", ADDRESS_URL, Status="", ErrorNumber="12038", ElapsedMs="90")
    _, facts = loose({"net_noc_probe": text})
    rows = {r["target"]: r for r in facts.table("noc_probes").to_dict("records")}
    assert rows["name"]["outcome"] == "proxy_auth" and rows["name"]["status"] == 407
    assert rows["name"]["proxy"] == "proxy.corp:8080"
    # the NOC's certificate names push.sfr.fr, not its address: the address answered
    assert rows["address"]["outcome"] == "ok" and rows["address"]["reachable"] is True


def test_tls_failure_by_name(loose) -> None:
    text = HEADER + probe("name", NAME_URL, Status="", ErrorNumber="12175")
    _, facts = loose({"net_noc_probe": text})
    row = facts.table("noc_probes").to_dict("records")[0]
    assert row["outcome"] == "tls" and row["reachable"] is True and "12175" in row["outcome_fr"]


@pytest.mark.parametrize("server,expected", [
    ("proxy.corp:3128", ("proxy.corp", 3128)),
    ("http=p1:80;https=p2:8443", ("p2", 8443)),
    ("http=p1:80;ftp=p3:21", ("p1", 80)),
    ("http://proxy.corp:8080/", ("proxy.corp", 8080)),
    ("proxy.corp", ("proxy.corp", None)),
    ("", (None, None)),
])
def test_split_proxy(server, expected) -> None:
    assert split_proxy(server) == expected


@pytest.mark.parametrize("raw,clean", [
    ("http://jdupont:S3cret!@proxy.corp:8080", "http://proxy.corp:8080"),
    ("jdupont:S3cret!@proxy.corp:8080", "proxy.corp:8080"),
    ("http=jdupont:S3cret!@p1:80;https=p2:8443", "http=p1:80;https=p2:8443"),
    ("svc:p@ss/w;rd@proxy.corp:8080", "proxy.corp:8080"),
    ("http://svc:pw@wpad.corp/proxy.pac", "http://wpad.corp/proxy.pac"),
    ("proxy.corp:8080", "proxy.corp:8080"),
])
def test_strip_credentials(raw, clean) -> None:
    assert strip_credentials(raw)[0] == clean


def test_proxy_rows(loose) -> None:
    text = HEADER + """[proxy]
Source=ie
ProxyEnable=1
ProxyServer=http=proxy.corp:8080;https=proxy.corp:8443
ProxyOverride=<local>
AutoConfigURL=http://wpad.corp/proxy.pac
AutoDetect=True

[proxy]
Source=winhttp
ProxyEnable!
ProxyServer!
ProxyOverride!
AutoConfigURL!
AutoDetect!
"""
    _, facts = loose({"net_proxy": text})
    rows = {r["source"]: r for r in facts.table("proxies").to_dict("records")}
    ie, winhttp = rows["ie"], rows["winhttp"]
    assert (ie["active"], ie["proxy_host"], ie["proxy_port"]) == (True, "proxy.corp", 8443)
    assert ie["autoconfig_url"] == "http://wpad.corp/proxy.pac" and ie["autodetect"] is True
    assert winhttp["active"] is False and winhttp["server"] is None


def test_disabled_ie_proxy_is_not_active(loose) -> None:
    text = HEADER + "[proxy]\nSource=ie\nProxyEnable=0\nProxyServer=proxy.corp:8080\n\n" \
        "[proxy]\nSource=winhttp\nProxyServer=proxy.corp:8080\n"
    _, facts = loose({"net_proxy": text})
    rows = {r["source"]: r for r in facts.table("proxies").to_dict("records")}
    assert rows["ie"]["active"] is False and rows["winhttp"]["active"] is True


def test_credentials_in_proxy_settings_are_never_stored(loose) -> None:
    secret = "S3cret-Pa55"
    text = HEADER + f"[proxy]\nSource=ie\nProxyEnable=1\nProxyServer=http://jdupont:{secret}@proxy.corp:8080\n" \
        f"AutoConfigURL=http://jdupont:{secret}@wpad.corp/proxy.pac\n\n" \
        f"[proxy]\nSource=winhttp\nProxyServer=jdupont:{secret}@proxy.corp:8080\n"
    probes = HEADER + probe("name", f"https://jdupont:{secret}@push.sfr.fr:443/",
                            Proxy=f"jdupont:{secret}@proxy.corp:8080", Status="200")
    _, facts = loose({"net_proxy": text, "net_noc_probe": probes})
    for table in ("proxies", "noc_probes"):
        dump = repr(facts.table(table).to_dict("records"))
        assert secret not in dump and "jdupont" not in dump, table
    rows = facts.table("proxies").to_dict("records")
    assert all(r["credentials_removed"] for r in rows)
    assert rows[0]["proxy_host"] == "proxy.corp" and rows[0]["proxy_port"] == 8080
    assert any("mot de passe" in w for w in facts.warnings)


def test_exchange_path_same_subnet_computed_from_adapters(loose) -> None:
    text = HEADER + """[path]
Server=EXCH01
Fqdn=exch01.corp.exemple.fr
Addresses[]=10.1.20.30
SameSubnet!
Port=135
PortOpen=True
ElapsedMs=2

[path]
Server=EXCH02
Addresses[]=10.1.30.8
SameSubnet=
Port=135
PortOpen=False

[path]
Server=EXCH03
Addresses[]!
Port=135
PortOpen=False
ErrorText=nom introuvable

[path]
Server=EXCH04
Addresses[]=10.1.30.9
SameSubnet=True
Port=135
PortOpen=True
"""
    _, facts = loose({"net_exchange_path": text})
    rows = {r["server"]: r for r in facts.table("exchange_paths").to_dict("records")}
    assert rows["EXCH01"]["same_subnet"] is True and rows["EXCH01"]["local_network"] == "10.1.20.0/24"
    assert rows["EXCH01"]["local_address"] == "10.1.20.15" and rows["EXCH01"]["port"] == 135
    assert rows["EXCH02"]["same_subnet"] is False and rows["EXCH02"]["port_open"] is False
    assert rows["EXCH03"]["resolved"] is False and rows["EXCH03"]["same_subnet"] is None
    assert rows["EXCH04"]["same_subnet"] is True  # the collector's value wins


def test_exchange_path_without_adapters_is_unknown_subnet(loose) -> None:
    text = HEADER + "[path]\nServer=EXCH01\nAddresses[]=10.1.20.30\nSameSubnet!\nPort=135\nPortOpen=True\n"
    _, facts = loose({"net_exchange_path": text}, adapters=False)
    row = facts.table("exchange_paths").to_dict("records")[0]
    assert row["same_subnet"] is None and row["resolved"] is True
