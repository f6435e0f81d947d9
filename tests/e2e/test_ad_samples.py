"""The Active Directory / Exchange samples: the directory facts behind each organisation's states (the
states themselves are declared in each rule's ``samples:`` and checked by tests/e2e/test_samples.py).

Organisations (samples/src/<folder>/collection.yaml says what each one holds):

- ``assurances``: Exchange 2003 SP2, compliant (VMES01 + the Exchange-server run of EXCH01);
- ``transports``: Exchange 2007 SP1, compliant (VMES03 + EMS run on EXCH07);
- ``sante``: mixed 2003 SP2 / 2007 SP1, compliant (VMES04 + EMS run on EXS07);
- ``btp``: failing Exchange 2003 organisation (VMES05);
- ``logistique``: failing Exchange 2007 organisation (VMES06 + EMS run on EXLOG07);
- ``industrie``: Exchange 2000 SP2, collected on a DC by the domain Administrator (SRVDC01).

"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_samples import ORGANISATIONS
from vmes_audit.assessment.run import run_assessment

ORGS = ORGANISATIONS

@pytest.fixture(scope="module")
def results(samples_dir: Path):
    cache: dict[str, object] = {}

    def get(org: str):
        if org not in cache:
            cache[org] = run_assessment([samples_dir / z for z in ORGS[org]])
        return cache[org]
    return get


def _org(result) -> dict:
    return result.facts.table("organisation").to_dict("records")[0]


def _rights(result) -> dict[tuple[str, str], dict]:
    return {(r["server"], r["right"]): r for r in result.facts.table("server_rights").to_dict("records")}


def test_btp_deny_inherited_from_the_organisation(results) -> None:
    rights = _rights(results("btp"))
    for right in ("Send-As", "Receive-As"):
        row = rights[("EXBTP01", right)]
        assert row["granted"] is False and row["mode"] == "own_dacl"
        assert "refus" in row["reason"] and "CN=Exemple BTP,CN=Microsoft Exchange" in row["reason"], row["reason"]
        assert "héritée de" in row["reason"], row["reason"]
        # explicit allows on the server object come before the inherited deny: granted
        assert rights[("EXBTP02", right)]["granted"] is True
    assert rights[("EXBTP01", "ms-Exch-Store-Admin")]["granted"] is True  # the role's allow still grants it
    org = _org(results("btp"))
    f7 = next(f for f in results("btp").report.findings if f.catalogue == "F7")
    assert f7.state.value == "warn" and "« Administrateur Exchange »" in f7.message, f7.message
    assert org["domain_count"] == 2
    assert org["sa_admin_count"] == 1 and org["sa_protected"] is True and org["sa_hidden"] is True
    assert any("512" in g or "Domain Admins" in g for g in org["sa_admin_groups"])
    assert sorted(org["protected_users"]) == ["Administrateur", "VistoAdmin", "adm-jmartin"]
    assert org["sa_send_as_domain"] is False


def _containers(result) -> dict[str, dict]:
    return {r["dn"]: r for r in result.facts.table("mail_containers").to_dict("records")}


def test_btp_send_as_granted_on_one_ou_only(results) -> None:
    """Send As was delegated on OU=Siege only: OU=Chantiers (40 mail users) and the others do not inherit it."""
    result = results("btp")
    rows = _containers(result)
    assert rows["OU=Siege,DC=exemple-btp,DC=fr"]["send_as"] is True
    chantiers = rows["OU=Chantiers,DC=exemple-btp,DC=fr"]
    assert (chantiers["send_as"], chantiers["mail_users"], chantiers["protected"]) == (False, 40, False)
    assert "aucune ACE" in chantiers["reason"]
    org = _org(result)
    assert org["send_as_evidence"] == "conteneurs"
    assert (org["mail_containers_count"], org["mail_users_count"]) == (5, 133)
    assert (org["mail_containers_without_send_as"], org["mail_users_without_send_as"]) == (4, 48)
    f10 = next(f for f in result.report.findings if f.catalogue == "F10")
    assert f10.message.startswith("4 conteneur(s) sur 5")
    assert f10.message.index("OU=Chantiers") < f10.message.index("OU=Informatique")
    assert "OU=Siege" not in f10.message
    assert 'dsacls "OU=Chantiers,DC=exemple-btp,DC=fr" /I:S /G "BTP\\VistoAdmin:CA;Send As;user"' in f10.remediation


@pytest.mark.parametrize("org", ["assurances", "transports", "sante", "logistique"])
def test_compliant_containers_inherit_the_domain_head_grant(results, org: str) -> None:
    result = results(org)
    rows = _containers(result)
    assert len(rows) >= 2 and all(r["send_as"] is True for r in rows.values())
    assert any(dn.startswith("OU=Utilisateurs,") for dn in rows) or org == "logistique"
    assert all("elle-même héritée de « DC=" in r["reason"] for r in rows.values())
    f10 = next(f for f in result.report.findings if f.catalogue == "F10")
    assert f"Les {len(rows)} conteneur(s)" in f10.message


def test_industrie_no_container_grants_send_as(results) -> None:
    rows = _containers(results("industrie"))
    assert sorted(rows) == ["CN=Users,DC=ad,DC=exemple-industrie,DC=fr", "OU=Production,DC=ad,DC=exemple-industrie,DC=fr"]
    assert all(r["send_as"] is False for r in rows.values())


@pytest.mark.parametrize("org", ["transports", "sante", "logistique"])
def test_exchange_2007_get_mailbox_agrees_with_ad(results, org: str) -> None:
    data = _org(results(org))
    assert (data["ems_sa_found"], data["ems_sa_hidden"], data["sa_hidden_agree"], data["sa_server_agree"]) == (
        True, False, True, True)
    assert data["ems_sa_server"] == data["sa_home_server"]


def test_compliant_2003_facts(results) -> None:
    result = results("assurances")
    org = _org(result)
    f7 = next(f for f in result.report.findings if f.catalogue == "F7")
    assert f7.state.value == "pass" and org["sa_send_as_domain"] is True
    assert org["sa_home_server"] == "EXCH01" and org["sa_show_in_ab_count"] == 1
    assert org["protected_users_count"] == 0 and org["protected_users_truncated"] is False
    assert org["protected_source"] == "ad_mail_users_protected" and org["mail_users_scanned"] == 4
    stores = result.facts.table("store_rights").to_dict("records")
    assert {r["right"] for r in stores} == {"Send-As", "Receive-As"} and all(r["granted"] for r in stores)
    assert all(r["granted"] for k, r in _rights(result).items() if k[1] in ("Send-As", "Receive-As", "ms-Exch-Store-Admin"))
    hosts = {r["host"]: r for r in result.facts.table("host").to_dict("records")}
    assert hosts["VMES01"]["sa_local_admin"] is True and hosts["VMES01"]["esm_build"] == 7638
    profile = result.facts.table("mapi_profiles").to_dict("records")[0]
    assert (profile["name"], profile["home_server"], profile["has_exchange"]) == ("VMES", "EXCH01", True)
    assert profile["mailbox_dn"] == org["sa_legacy_dn"]


@pytest.mark.parametrize("org", ["transports", "sante"])
def test_exchange_2007_acl_and_get_adpermission_agree(results, org: str) -> None:
    rows = [r for r in _rights(results(org)).values() if r["ems_granted"] is not None]
    assert len(rows) == 5
    assert all(r["granted"] is True and r["ems_granted"] is True and r["agree"] is True for r in rows)
    assert _org(results(org))["sa_ems_roles"] == ["ViewOnlyAdmin"]


def test_logistique_missing_rights_agree_between_ad_and_ems(results) -> None:
    rights = _rights(results("logistique"))
    for right in ("Send-As", "Receive-As"):
        row = rights[("EXLOG07", right)]
        # AD decides (the deny comes from a group EMS cannot see); EMS's own entry is no disagreement
        assert (row["granted"], row["ems_granted"], row["agree"]) == (False, None, None)  # no entry for the account
        assert "Exchange Organization Administrators" in row["reason"]
    assert rights[("EXLOG07", "ms-Exch-Store-Admin")]["granted"] is True
    assert _org(results("logistique"))["sa_ems_roles"] == ["OrgAdmin"]


def test_industrie_account_facts(results) -> None:
    org = _org(results("industrie"))
    assert (org["sa_enabled"], org["sa_in_domain_users"], org["sa_has_mailbox"]) == (False, False, False)
    assert org["sa_primary_group_rid"] == 1120
    f7 = next(f for f in results("industrie").report.findings if f.catalogue == "F7")
    assert f7.state.value == "fail" and "aucun rôle" in f7.message, f7.message


VERDICTS = {"assurances": "pret_sous_reserve", "transports": "pret_sous_reserve", "sante": "pret_sous_reserve",
            "btp": "non_pret", "logistique": "non_pret", "industrie": "non_pret"}


@pytest.mark.parametrize("org", sorted(VERDICTS))
def test_verdict_per_organisation(results, org: str) -> None:
    """Compliant organisations are only held back by the manual items (RAID, user count)."""
    report = results(org).report
    assert report.verdict.value == VERDICTS[org]
    if VERDICTS[org] == "pret_sous_reserve":
        left = {f.catalogue for f in report.findings if f.state.value not in ("pass", "n/a")}
        assert left == {"C5", "C7"}, left
