"""``facts/network.py`` on a collection with its manifest: what ``tests/network`` (loose folders, outcomes,
proxies, credentials) does not hold — booleans as VBScript prints them, values out of bounds, a broken file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.facts.collection_folder import RECORDS, facts_of, rows, utf16, write_collection
from tests.network.records import ADAPTER, NAME_URL, probe

PATH = RECORDS + "[path]\nServer=EXCH01\nFqdn=exch01.corp.exemple.fr\nAddresses[]=10.1.20.30\n{same}\nPort={port}\n" \
                 "{open}\nElapsedMs={elapsed}\n"


def _facts(tmp_path: Path, **artifacts: str):
    found = {"wmi_networkadapterconfig": utf16(ADAPTER)} | {name: utf16(text) for name, text in artifacts.items()}
    return facts_of(write_collection(tmp_path, found))


@pytest.mark.parametrize("written,read", [
    ("True", True), ("False", False),
    # CStr(True) on French Windows; the Boolean as a VBScript integer
    ("Vrai", True), ("Faux", False), ("-1", True), ("0", False),
    # null or empty: unknown; and so is a word that is no Boolean, never False
    ("!", None), ("=", None), ("=Peut-être", None), ("=Tru", None),
])
def test_exchange_path_port_open_as_the_collector_prints_it(tmp_path, written, read) -> None:
    line = f"PortOpen{written}" if written[0] in "!=" else f"PortOpen={written}"
    facts = _facts(tmp_path, net_exchange_path=PATH.format(same="SameSubnet=True", port=135, open=line, elapsed=2))
    assert rows(facts, "exchange_paths", "server", "port_open", "same_subnet") == [
        {"server": "EXCH01", "port_open": read, "same_subnet": True}]


@pytest.mark.parametrize("same,expected", [
    ("SameSubnet=False", False),
    # the collector left it empty, or wrote something that is no Boolean: computed from the adapters
    # (10.1.20.15/24 and 10.1.20.30)
    ("SameSubnet!", True), ("SameSubnet=Oui-Non", True),
])
def test_exchange_path_same_subnet(tmp_path, same, expected) -> None:
    facts = _facts(tmp_path, net_exchange_path=PATH.format(same=same, port=135, open="PortOpen=True", elapsed=2))
    assert rows(facts, "exchange_paths", "same_subnet", "local_address", "local_network") == [
        {"same_subnet": expected, "local_address": "10.1.20.15", "local_network": "10.1.20.0/24"}]


def test_exchange_path_values_out_of_bounds_are_refused(tmp_path: Path) -> None:
    facts = _facts(tmp_path, net_exchange_path=PATH.format(same="SameSubnet=True", port=0, open="PortOpen=True",
                                                           elapsed=-15))
    (row,) = rows(facts, "exchange_paths")
    assert (row["port"], row["elapsed_ms"], row["port_open"]) == (None, None, True)
    assert row["rejected"] == {"port": "valeur hors limites : 0 (attendu : de 1 à 65\u202f535)",
                               "elapsed_ms": "valeur hors limites : -15 (attendu : de 0 à 86\u202f400\u202f000 ms)"}


def test_probe_values_out_of_bounds_are_refused(tmp_path: Path) -> None:
    text = RECORDS + probe("name", NAME_URL, Resolved="True", Status="200", ElapsedMs="86400001")
    facts = _facts(tmp_path, net_noc_probe=text)
    (row,) = rows(facts, "noc_probes")
    assert (row["status"], row["outcome"], row["reachable"], row["elapsed_ms"]) == (200, "ok", True, None)
    assert row["rejected"] == {"elapsed_ms": "valeur hors limites : 86400001 (attendu : de 0 à 86\u202f400\u202f000 ms)"}


def test_proxy_port_out_of_bounds_is_refused_the_proxy_stays_active(tmp_path: Path) -> None:
    facts = _facts(tmp_path, net_proxy=RECORDS + "[proxy]\nSource=ie\nProxyEnable=1\nProxyServer=proxy.corp:99999\n\n"
                                             "[proxy]\nSource=winhttp\nProxyServer!\n")
    assert rows(facts, "proxies", "source", "active", "proxy_host", "proxy_port", "rejected") == [
        {"source": "ie", "active": True, "proxy_host": "proxy.corp", "proxy_port": None,
         "rejected": {"proxy_port": "valeur hors limites : 99999 (attendu : de 1 à 65\u202f535)"}},
        {"source": "winhttp", "active": False, "proxy_host": None, "proxy_port": None, "rejected": None}]


def test_a_broken_probe_file_gives_no_row_never_an_unreachable_noc(tmp_path: Path) -> None:
    # the step was cut off after its header line and one property: no [probe] record starts
    facts = _facts(tmp_path, net_noc_probe=RECORDS + "Target=name\n")
    assert rows(facts, "noc_probes") == []
    art = facts.artifact("VMES01", "net_noc_probe")
    assert art.status == "unreadable" and art.error.startswith("contenu illisible")


def test_exchange_path_mailbox_stores_from_the_directory() -> None:
    """E4 judges only MAPI targets: each path carries the mailbox stores the directory lists on its server
    (format 1.1 stores), None when the stores were not collected (format 1.0), never a guessed 0."""
    samples = Path(__file__).resolve().parents[2] / "samples"
    collected = rows(facts_of(samples / "vmes01-2003-conforme.zip"), "exchange_paths", "server", "mailbox_stores")
    assert collected == [{"server": "EXCH01", "mailbox_stores": 1}]
    old = rows(facts_of(samples / "vmes05-echecs-2003.zip"), "exchange_paths", "server", "mailbox_stores")
    assert old == [{"server": "EXBTP01", "mailbox_stores": None}, {"server": "EXBTP02", "mailbox_stores": None}]


def test_store_counts_keep_a_known_zero_and_drop_unknowns() -> None:
    import pandas as pd

    from vmes_audit.facts.model import Facts
    from vmes_audit.facts.network import _store_counts

    facts = Facts(assessment=None)  # type: ignore[arg-type]
    facts.tables["exchange_servers"] = pd.DataFrame({"name": ["exfe01 ", "EXBE01", "EX3"], "store_count": [0, 2, None]},
                                                    dtype=object)
    assert _store_counts(facts) == {"EXFE01": 0, "EXBE01": 2}
