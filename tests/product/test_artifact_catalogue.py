"""One artifact catalogue (issue 21): ``collector/artifacts.toml`` is the one place an artifact is declared.

The collector's declarations are generated from it (``collector/build.py``), the analyzer reads it
(``collection/artifacts.py``, and each fact table's sources), and these tests hold what cannot read
it to it: the EMS script's list, the format document's tables, the modules that read each artifact.
An artifact added in one place only fails here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from vmes_audit.collection.artifacts import ARTIFACTS, format_tuple
from vmes_audit.facts.model import TABLES

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = tomllib.loads((ROOT / "collector" / "artifacts.toml").read_text(encoding="utf-8"))
PARSERS = {"systeminfo", "records", "reg", "whoami_user", "whoami_groups", "ipconfig", "formatlist"}
KEYS = {"since", "modes", "collector", "command", "ext", "label", "parser", "label_fr", "tables", "expected",
        "skippable", "empty_ok", "required", "unique"}
FORMAT = re.search(r'Const FORMAT_VERSION = "([0-9.]+)"', (ROOT / "collector" / "src" / "main.vbs").read_text()).group(1)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_each_entry_is_complete_and_sound(name: str) -> None:
    entry = CATALOGUE[name]
    assert set(entry) <= KEYS, f"{name}: unknown keys {set(entry) - KEYS}"
    assert {"since", "modes", "collector", "parser", "label_fr", "tables", "ext"} <= set(entry), name
    assert re.fullmatch(r"[a-z0-9_]{1,64}", name)
    assert entry["parser"] in PARSERS
    assert set(entry["modes"]) <= {"vmes", "exchange", "ems"} and entry["modes"]
    assert format_tuple("1.0") <= format_tuple(entry["since"]) <= format_tuple(FORMAT), entry["since"]
    assert (entry["collector"] == "ems") == (entry["modes"] == ["ems"]), "collect-ems.ps1 writes the ems mode only"
    if entry["collector"] != "ems":
        assert entry.get("label"), f"{name}: the collector's console label"
    assert entry["tables"], f"{name}: the fact tables it feeds (an artifact no table reads is dead or undeclared)"
    for table in entry["tables"]:
        assert table in TABLES, f"{name}: unknown fact table {table}"


def test_the_analyzer_reads_the_catalogue() -> None:
    assert list(ARTIFACTS) == list(CATALOGUE)
    for name, spec in ARTIFACTS.items():
        assert spec.kind == CATALOGUE[name]["parser"] and spec.tables == tuple(CATALOGUE[name]["tables"])


def test_every_fact_table_takes_its_sources_from_the_catalogue() -> None:
    derived = {"claims", "assessment_requirements", "assessment_parts", "assessment_conflicts"}
    for table, spec in TABLES.items():
        expected = () if table in derived else tuple(n for n, e in CATALOGUE.items() if table in e["tables"])
        assert spec.artifacts == expected, table


def test_the_collector_declares_exactly_the_catalogue() -> None:
    released = (ROOT / "collector" / "collect.vbs").read_bytes().decode("ascii")
    declared = re.findall(r'^  Decl "([a-z0-9_]+)", "(\w+)", "[^"]*", "(\w+)", "((?:[^"]|"")*)", "([a-z ]+)"\r$',
                          released, re.M)
    expected = [(n, e["ext"], e["collector"], e.get("command", "").replace('"', '""'), " ".join(e["modes"]))
                for n, e in CATALOGUE.items() if e["collector"] != "ems"]
    assert declared == expected


def test_the_ems_script_writes_exactly_the_ems_entries() -> None:
    script = (ROOT / "collector" / "collect-ems.ps1").read_text(encoding="ascii")
    listed = re.findall(r'@\{ Name = "(ems_\w+)";\s*Command = \'([^\']*)\'', script)
    assert listed == [(n, e["command"]) for n, e in CATALOGUE.items() if e["collector"] == "ems"]


def _doc_names() -> set[str]:
    text = (ROOT / "docs" / "collection-format.md").read_text(encoding="utf-8")
    start, end = text.index("## 4. Artifacts"), text.index("## 7. Loose files")
    section = text[start:end]
    ldap = section.index("### 5.1 The LDAP queries")
    records = section.index("### 5.2 Records")
    section = section[:ldap] + section[records:]  # the LDAP table lists operations, not artifacts
    names = set(re.findall(r"^\| `([a-z0-9_]+)` \|", section, re.M))
    registry_rows = set(re.findall(r"^\| `(HK[^`]*)` \|", section, re.M))
    assert not registry_rows & names
    return names


def test_the_format_document_lists_exactly_the_catalogue() -> None:
    assert _doc_names() == set(CATALOGUE)


# The fact modules and the tables their builder stores: an artifact a module reads must feed one of
# them (so leaving a new artifact out of its table declaration fails here).
_MODULE_TABLES = {
    "host_sources.py": {"host"}, "host.py": {"host"},
    "machine.py": {"disks", "network_adapters", "hotfixes", "services", "software", "registry", "files",
                   "local_admins", "token_groups"},
    "network.py": {"noc_probes", "proxies", "exchange_paths"},
    "claims.py": {"claims"},
}
_DIRECTORY = {"directory.py", "ad_account.py", "ad_records.py", "delegations.py", "ems.py", "mapi.py",
              "protected_users.py", "send_as.py", "server_rights.py", "servers.py"}
_DIRECTORY_TABLES = {"organisation", "domain_controllers", "exchange_servers", "server_rights", "store_rights",
                     "exchange_delegations", "mail_containers", "sa_groups", "aces", "mapi_profiles",
                     "host"}  # the service account's columns of the VMES machines' rows (F6, H1, G2)


@pytest.mark.parametrize("module", sorted(set(_MODULE_TABLES) | _DIRECTORY))
def test_what_a_fact_module_reads_feeds_one_of_its_tables(module: str) -> None:
    source = (ROOT / "analyzer" / "vmes_audit" / "facts" / module).read_text(encoding="utf-8")
    tables = _MODULE_TABLES.get(module, _DIRECTORY_TABLES)
    # the calls that open an artifact (a table of the same name, "local_admins", is not an artifact read)
    read = set(re.findall(r'(?:records_of\(facts, |any_artifact\(|artifacts\.get\(|artifacts\[|first_record\(coll, '
                          r'|_records\(coll, |_records\(facts, host, |artifact\(host, |_registry_export\(coll, '
                          r'|_sid_rows\(coll, )"([a-z0-9_]+)"', source)) & set(CATALOGUE)
    for name in sorted(read):
        assert set(CATALOGUE[name]["tables"]) & tables, (
            f"facts/{module} reads {name}, whose catalogue entry feeds none of {sorted(tables)}")
