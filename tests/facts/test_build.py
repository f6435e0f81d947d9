"""``build_facts``: naming loose collections, one host row per machine collection, the fallbacks between
sources that other builders decide, the H2 quality columns, and a builder's failure contained.

The bundled sample VMES01 (``tests/hostile/kit.py``) holds every artifact its collector declares: each case
changes one thing in it, as a customer's archive could be.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.facts.collection_folder import RECORDS, capture, facts_of, rows, utf16, write_collection, write_loose
from tests.hostile.kit import SampleZip
from vmes_audit.collection.artifacts import ARTIFACTS
from vmes_audit.facts import build

QUALITY = ("manifest_status", "format_version", "artifacts_failed", "artifacts_newer", "collection_problems", "judged")
SAMPLE = "vmes01-2003-conforme"
NO_HEADER = "en-tête « #VMES-RECORDS 1 » absent : ce n'est pas un fichier d'enregistrements (ligne 1)"


def _older(sample: SampleZip) -> None:
    """A format 1.0 collector: the artifacts of 1.1 were not declared yet."""
    sample.manifest["format_version"] = "1.0"
    sample.drop_artifact("ad_exchange_stores").drop_artifact("ad_mail_users_protected")


def _damaged(sample: SampleZip) -> None:
    sample.set_text("wmi_os", "[Win32_OperatingSystem]\nCSName=VMES01\n").drop_artifact("wmi_qfe")
    sample.entry("wmi_service").update(status="skipped", error="étape sautée")


def _ems_output_under_vmes(sample: SampleZip) -> None:
    sample.manifest["artifacts"].append({"name": "ems_mailbox", "file": "ems_mailbox.txt", "status": "ok",
                                         "encoding": "utf-16le"})
    sample.files["ems_mailbox.txt"] = utf16("\n\nName : VistoAdmin\n")


def _newer(name: str) -> str:
    return f"{name} ({ARTIFACTS[name].label_fr}, format 1.1)"


@pytest.mark.parametrize("change,failed,newer,problems", [
    (None, [], [], []),
    (_older, [], [_newer("wmi_accounts"), _newer("ad_exchange_stores"), _newer("ad_mail_users_protected")], []),
    # unreadable, skipped where it always applies, absent from the manifest: gaps, the collection is still judged
    (_damaged, [f"wmi_os : contenu illisible : {NO_HEADER}",
                "wmi_service : non collecté (« skipped ») alors que cette étape s'applique à toute machine "
                "(étape sautée)",
                "wmi_qfe : absent du manifeste"], [], []),
    # an Exchange Management Shell output in a VMES machine's archive: a contradiction, not judged
    (_ems_output_under_vmes, [], [], [
        "le manifeste déclare le mode « vmes », mais la collecte contient des éléments propres à un autre type de "
        "collecte (Exchange Management Shell : ems_mailbox) : contradiction, les vérifications de cette collecte ne "
        "sont pas retenues pour le verdict"]),
])
def test_collection_quality_columns(tmp_path, change, failed, newer, problems) -> None:
    sample = SampleZip.open(SAMPLE)
    if change is not None:
        change(sample)
    (row,) = rows(facts_of(sample.write(tmp_path / "c.zip")), "host", *QUALITY)
    assert row == {"manifest_status": "ok", "format_version": sample.manifest["format_version"],
                   "artifacts_failed": failed, "artifacts_newer": newer, "collection_problems": problems,
                   "judged": not problems}


def test_fallbacks_decided_by_other_builders_are_noted(tmp_path: Path) -> None:
    sample = SampleZip.open(SAMPLE)
    sample.entry("wmi_networkadapter").update(status="error", error="0x80041010 Classe non valide", file="")
    sample.entry("wmi_networkadapterconfig").update(status="error", error="", file="")
    sample.entry("local_admins").update(status="error", error="Accès refusé", file="")
    facts = facts_of(sample.write(tmp_path / "c.zip"))
    # ipconfig /all (cp850) gives the adapters; whoami /groups (this machine's token) the local administrators
    assert rows(facts, "network_adapters", "artifact", "ip_addresses") == [
        {"artifact": "ipconfig", "ip_addresses": ["10.1.20.15"]}]
    assert rows(facts, "host", "sa_local_admin", "sa_local_admin_via", "fallbacks") == [
        {"sa_local_admin": True, "sa_local_admin_via": "jeton du compte (whoami)", "fallbacks": {
            "network_adapters": "valeur lue dans « ipconfig », source moins sûre, car « wmi_networkadapter » en erreur "
                                "(0x80041010 Classe non valide)",
            "sa_local_admin": "valeur lue dans « groupes du jeton du compte : whoami_groups, token_groups », source "
                              "moins sûre, car « local_admins » en erreur (Accès refusé)"}}]


REGISTRY = utf16(RECORDS + "[Win32_Registry]\nCurrentSize=21\nMaximumSize=88\n")


@pytest.mark.parametrize("files,host,status", [
    # systeminfo (French, cp850) names the machine of loose files
    ({"systeminfo.txt": capture("systeminfo_fr_cp850.txt"), "wmi_registry.txt": REGISTRY}, "VMES-FR", "absent"),
    # without it, the folder's name
    ({"wmi_registry.txt": REGISTRY}, "POSTE-LIBRE", "absent"),
    ({"manifest.json": b"{\"format_version\": \"1.1\", ", "wmi_registry.txt": REGISTRY}, "POSTE-LIBRE", "invalid"),
])
def test_collections_without_a_usable_manifest(tmp_path, files, host, status) -> None:
    facts = facts_of(write_loose(tmp_path / "poste-libre", files))
    (row,) = rows(facts, "host", "host", "hostname", "role", "collector_mode", "manifest_status", "registry_max_mb")
    assert row == {"host": host, "hostname": host, "role": "vmes", "collector_mode": "loose", "manifest_status": status,
                   "registry_max_mb": 88}


def test_one_host_row_per_machine_never_for_ems(tmp_path: Path) -> None:
    os_record = utf16(RECORDS + "[Win32_OperatingSystem]\nCSName=EXCH01\nVersion=5.2.3790\n")
    folders = [write_collection(tmp_path, {"wmi_registry": REGISTRY}),
               write_collection(tmp_path, {"wmi_registry": REGISTRY}, host="VMES02"),
               write_collection(tmp_path, {"wmi_os": os_record}, host="EXCH01", mode="exchange"),
               write_collection(tmp_path, {"ems_exchangeserver": utf16("\n\nName : EXCH07\n")}, host="EXCH07", mode="ems")]
    facts = facts_of(*folders)
    assert rows(facts, "host", "host", "role") == [{"host": "VMES01", "role": "vmes"}, {"host": "VMES02", "role": "vmes"},
                                                   {"host": "EXCH01", "role": "exchange"}]
    assert ("Plusieurs machines VMES dans la même analyse : VMES01, VMES02 ; chacune est évaluée séparément."
            in facts.warnings)


def test_a_machine_builder_that_fails_makes_only_its_table_unknown(tmp_path: Path, monkeypatch) -> None:
    def broken(coll, host):
        raise KeyError("Size")
    monkeypatch.setitem(build._MACHINE_TABLES, "disks", broken)
    disks = utf16(RECORDS + "[Win32_LogicalDisk]\nDeviceID=C:\nSize=21467942912\nFreeSpace=14032752640\n")
    facts = facts_of(write_collection(tmp_path, {"wmi_logicaldisk": disks, "wmi_registry": REGISTRY}))
    reason = "erreur interne de l'analyseur (KeyError : 'Size')"
    assert rows(facts, "disks") == [] and facts.artifact("VMES01", "wmi_logicaldisk").error == reason
    assert f"VMES01 : {reason} en construisant la table « disks » ; les vérifications concernées sont « Non " \
           "évaluable »." in facts.warnings
    assert rows(facts, "host", "registry_max_mb") == [{"registry_max_mb": 88}]


def test_a_directory_builder_that_fails_leaves_the_other_tables(tmp_path: Path, monkeypatch) -> None:
    def broken(facts):
        raise ValueError("DN inattendu")
    monkeypatch.setattr(build, "_ASSESSMENT_BUILDERS", [broken, *build._ASSESSMENT_BUILDERS[1:]])
    sample = SampleZip.open(SAMPLE)
    facts = facts_of(sample.write(tmp_path / "c.zip"))
    assert rows(facts, "organisation") == [] and rows(facts, "exchange_servers") == []
    assert facts.artifact("VMES01", "ad_exchange_servers").status == "unreadable"
    assert rows(facts, "noc_probes") != [] and rows(facts, "claims") != []
    assert any(w.startswith("erreur interne de l'analyseur (ValueError : DN inattendu) en exploitant les données")
               for w in facts.warnings)


def test_an_analysis_about_another_account_sets_the_collected_accounts_evidence_aside(tmp_path: Path) -> None:
    facts = facts_of(SampleZip.open(SAMPLE).write(tmp_path / "c.zip"), account="SvcVmes")
    assert facts.service_account == "SvcVmes"
    reason = ("la collecte porte sur le compte « VistoAdmin », l'analyse sur « SvcVmes » (option --account) : relancer "
              "la collecte avec /account:SvcVmes")
    for name in ("ad_service_account", "ad_service_account_groups"):
        assert (facts.artifact("VMES01", name).status, facts.artifact("VMES01", name).error) == ("unreadable", reason)
    assert rows(facts, "organisation", "sa_name", "sa_found", "sa_sid") == [
        {"sa_name": "SvcVmes", "sa_found": None, "sa_sid": None}]
