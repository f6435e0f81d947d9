"""E1, E3, E4 end to end: ``run_assessment`` on the samples and on small loose collections."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from tests.network.records import ADAPTER, ADDRESS_URL, HEADER, NAME_URL, probe, write_records
from vmes_audit.assessment.run import run_assessment
from vmes_audit.base.findings import Finding

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
NETWORK_RULES = ("e1-noc-https", "e3-proxy-credentials", "e4-exchange-same-lan")


@lru_cache(maxsize=None)
def _findings(sample: str) -> dict[str, list[Finding]]:
    report = run_assessment([SAMPLES / sample]).report
    out: dict[str, list[Finding]] = {}
    for finding in report.findings:
        out.setdefault(finding.rule_id, []).append(finding)
    return out


def _one(sample: str, rule_id: str) -> Finding:
    found = _findings(sample)[rule_id]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("sample,states", [
    ("vmes01-2003-conforme.zip", ("pass", "pass", "pass")),
    ("srvdc01-2000-non-conforme.zip", ("fail", "manual", "warn")),
    ("vmes02-2003-proxy.zip", ("warn", "manual", "fail")),
])
def test_network_states_on_samples(sample: str, states: tuple[str, ...]) -> None:
    assert tuple(_one(sample, r).state.value for r in NETWORK_RULES) == states


def test_direct_connection_passes() -> None:
    e1 = _one("vmes01-2003-conforme.zip", "e1-noc-https")
    assert "connexion directe" in e1.message and "HTTP 404" in e1.message and e1.remediation == ""
    e4 = _one("vmes01-2003-conforme.zip", "e4-exchange-same-lan")
    assert e4.subject == "EXCH01" and "10.1.20.0/24" in e4.message


def test_dns_and_firewall_story_names_the_firewall_rule() -> None:
    e1 = _one("srvdc01-2000-non-conforme.zip", "e1-noc-https")
    assert "n'est pas résolu par le DNS" in e1.message and "pare-feu" in e1.message
    assert "erreur 12007" in e1.observed and "erreur 12029" in e1.observed  # HRESULT normalised
    rem = e1.remediation
    # SRVDC01 is a domain controller (D2): the rule is for the machine that will host VMES, not from the
    # DC's address, and the DC's own DNS servers (127.0.0.1) are not the new machine's (issue 19)
    assert "source : la machine qui hébergera VMES" in rem and "192.168.10.5" not in rem
    assert e1.addressed_to == "la machine qui hébergera VMES"
    assert "destination : push.sfr.fr (206.124.113.45)" in rem
    assert "port : TCP 443" in rem and "sortant" in rem
    assert "127.0.0.1" not in rem and "les serveurs DNS de la machine qui hébergera VMES" in rem
    assert "proxy.exemple-industrie.fr:3128" in rem  # the IE proxy the direct probe did not use


def test_proxy_collected_under_another_account_is_flagged() -> None:
    e3 = _one("srvdc01-2000-non-conforme.zip", "e3-proxy-credentials")
    assert "proxy.exemple-industrie.fr, port 3128" in e3.message
    assert "INDUS\\Administrator" in e3.message and "H1" in e3.message


def test_authenticating_proxy() -> None:
    e1 = _one("vmes02-2003-proxy.zip", "e1-noc-https")
    assert "407" in e1.message and "proxy.corp.exemple.fr:8080" in e1.message
    e3 = _one("vmes02-2003-proxy.zip", "e3-proxy-credentials")
    assert "proxy.corp.exemple.fr, port 8080" in e3.message
    assert "http://wpad.corp.exemple.fr/proxy.pac" in e3.message and "407" in e3.message
    # the password is entered at installation, never asked for in the report
    for text in (e3.message, e3.question, e3.remediation):
        assert "saisi" in text or "nom d'utilisateur" in text
    assert "ne pas le communiquer" in e3.question


def test_filtered_exchange_path_names_the_firewall_rule() -> None:
    e4 = _one("vmes02-2003-proxy.zip", "e4-exchange-same-lan")
    assert e4.subject == "EXCH01" and "ne répond pas sur le port TCP 135" in e4.message
    rem = e4.remediation
    assert "source : VMES02 (10.1.40.15)" in rem
    assert "destination : EXCH01 (10.1.20.30)" in rem
    assert "TCP 135" in rem and "ports RPC dynamiques" in rem and "MSExchangeSA" in rem


def test_filtered_endpoint_mapper_is_blocking_and_the_rule_covers_the_global_catalogs() -> None:
    """KB 833799 / KB 270836: MAPI's first call goes to TCP 135; without it no session opens, so E4 alone
    makes the verdict « Non prêt ». KB 302914: after the first session MAPI is referred to a global
    catalog, so the firewall rule names the GCs too, or « No RFR Service » on the Exchange server."""
    from vmes_audit.engine.verdict import verdict

    e4 = _one("vmes02-2003-proxy.zip", "e4-exchange-same-lan")
    assert e4.state.value == "fail" and e4.severity.value == "bloquant"
    assert verdict([e4])[0].value == "non_pret"
    assert "aucune session MAPI" in e4.message
    assert "catalogues globaux" in e4.remediation and "KB 302914" in e4.remediation
    assert "dsquery server -forest -isgc" in e4.remediation and "No RFR Service" in e4.remediation
    # another subnet with 135 answering stays a reserve, not a failure
    other = _one("srvdc01-2000-non-conforme.zip", "e4-exchange-same-lan")
    assert other.state.value == "warn" and verdict([other])[0].value == "pret_sous_reserve"


def _loose_report(tmp_path: Path, files: dict[str, str]):
    folder = tmp_path / "VMES01"
    folder.mkdir()
    write_records(folder, "wmi_networkadapterconfig", ADAPTER)
    for name, text in files.items():
        write_records(folder, name, text)
    report = run_assessment([folder]).report
    return {f.rule_id: f for f in report.findings if f.rule_id in NETWORK_RULES}


def test_dns_not_firewall(tmp_path: Path) -> None:
    text = HEADER + probe("name", NAME_URL, Resolved="False", Status="", ErrorNumber="0x80072EE7")
    text += probe("address", ADDRESS_URL, Status="", ErrorNumber="12038", ElapsedMs="95")
    e1 = _loose_report(tmp_path, {"net_noc_probe": text})["e1-noc-https"]
    assert e1.state.value == "fail"
    assert e1.message == ("Le nom push.sfr.fr n'est pas résolu par le DNS de la machine, alors que l'adresse "
                          "206.124.113.45 répond : problème de DNS, pas de pare-feu.")
    assert "redirecteurs" in e1.remediation and "Règle de pare-feu" not in e1.remediation


def test_firewall_not_dns(tmp_path: Path) -> None:
    text = HEADER + probe("name", NAME_URL, Resolved="True", **{"Addresses[]": "206.124.113.45"}, Status="",
                          ErrorNumber="-2147012894", ElapsedMs="30000")
    text += probe("address", ADDRESS_URL, Status="", ErrorNumber="12002", ElapsedMs="30000")
    e1 = _loose_report(tmp_path, {"net_noc_probe": text})["e1-noc-https"]
    assert e1.state.value == "fail" and "ce n'est pas un problème de DNS" in e1.message
    assert "délai d'attente dépassé" in e1.message
    assert "source : VMES01 (10.1.20.15)" in e1.remediation and "TCP 443" in e1.remediation


def test_missing_artifacts_are_unknown(tmp_path: Path) -> None:
    found = _loose_report(tmp_path, {})
    for rule_id, artifact in zip(NETWORK_RULES, ("net_noc_probe", "net_proxy", "net_exchange_path")):
        assert found[rule_id].state.value == "unknown", rule_id
        assert artifact in found[rule_id].message
