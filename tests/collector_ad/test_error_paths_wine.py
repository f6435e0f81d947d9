"""The collector's AD error paths under Wine: the double injects ADSI/ADO failures (bridge faults),
and every step must end with its error written, never a silent death (the test build writes its
counters only after ``Main`` returns). Also the other entry points of the AD code: an AD step run
alone (its searches redone), the exchange mode, the dry run, a refused account name."""

from __future__ import annotations

import pytest

from tests.samba.scenarios import BY_NAME, PASSWORD

from vmes_audit.parsers.records import parse_records

from .conftest import SUMMARY
from .runner import AD_ARTIFACTS, run_collector
from .test_collector_ad_wine import _check_completed

pytestmark = [pytest.mark.wine, pytest.mark.samba, pytest.mark.slow]

DOWN = 0x8007203A
DENIED = 0x80072098
E_FAIL = 0x80004005
MIXED = {"read:dSHeuristics": E_FAIL, "search:(objectSid=": DENIED, "convert": E_FAIL,
         "search:;nTSecurityDescriptor;base": E_FAIL, "bind:CN=AdminSDHolder": DENIED,
         "search:(objectClass=user)(homeMDB=*)": E_FAIL, "search:(objectClass=msExchOrganizationContainer)": DENIED,
         "read:tokenGroups": DENIED, "search:);objectSid;subtree": DENIED, "read:objectClass": E_FAIL,
         "read:objectSid": E_FAIL}


@pytest.fixture(scope="module")
def error_runs(forest, wine, test_build, tmp_path_factory):
    work = tmp_path_factory.mktemp("error-paths")

    def during(dc, built):
        def run(tag, **kw):
            kw.setdefault("mode", "2003")
            return run_collector(wine, dc, built.account_dn, PASSWORD, script=test_build.script,
                                 lines=test_build.lines, out_dir=work / tag, **kw)
        return {
            "down": run("down", faults={"down": DOWN}),
            "mixed": run("mixed", faults=MIXED),
            "alone": run("alone", mode="2000", only="ad_acl,ad_service_account_groups",
                         faults={"bind:LDAP://<SID=": DENIED}),
            "exchange": run("exchange", only="exchange_version", extra=("/exchange",)),
            "dryrun": run("dryrun", only="", extra=("/dryrun",)),
            "refused": run("refused", account="a%b", only="ad_service_account,ad_service_account_groups"),
            "rootdse": run("rootdse", only="ad_rootdse,ad_domain",
                           faults={"read:defaultNamingContext": 0x8000500D}),
            "users2000": run("users2000", mode="2000", account="Inconnu01",
                             only="ad_service_account_groups,ad_mail_containers,ad_mail_users_protected",
                             faults={"bind:LDAP://CN=Jean Dupont": DENIED, "bind:LDAP://OU=Utilisateurs": DENIED}),
        }

    runs = forest.collect(BY_NAME["ex2003-conforme"], work / "reader", during=during).during
    for r in runs.values():
        if (r.out_dir / "coverage.txt").is_file():
            test_build.add(r.counts)
    SUMMARY["error_paths"] = True
    return runs


def _artifacts(run) -> dict:
    return {a["name"]: a for a in run.manifest["artifacts"]}


def _text(run, name: str) -> str:
    return (run.folder / _artifacts(run)[name]["file"]).read_bytes().decode("utf-16")


def test_directory_down_every_step_in_error(error_runs) -> None:
    run = error_runs["down"]
    _check_completed(run)
    arts = _artifacts(run)
    for name in AD_ARTIFACTS:
        assert arts[name]["status"] == "error", (name, arts[name])
        assert "0x8007203A" in arts[name]["error"], (name, arts[name]["error"])


def test_injected_failures_are_written(error_runs) -> None:
    run = error_runs["mixed"]
    _check_completed(run)
    arts = _artifacts(run)
    assert arts["token_groups"]["status"] == "error" and "0x80072098" in arts["token_groups"]["error"]
    assert arts["ad_mail_containers"]["status"] == "error" and "0x80004005" in arts["ad_mail_containers"]["error"]
    assert arts["ad_exchange_org"]["status"] == "error"
    domain = _text(run, "ad_domain")
    assert "#illisible: objectSid : 0x80004005" in domain
    assert "#illisible: dSHeuristics : 0x80004005" in domain and "#illisible: builtingroup : 0x80072098" in domain
    acl = _text(run, "ad_acl")
    assert "#conteneurs des utilisateurs de messagerie non lus : 0x80004005" in acl
    assert "#illisible: recherche org : 0x80072098" in acl
    records = parse_records(acl)
    sds = [r for r in records if r.kind == "sd"]
    holder = next(r for r in sds if r.get("ObjectDN").startswith("CN=AdminSDHolder"))
    assert holder.get("ErrorCode") == "80072098" and holder.get("Error").startswith("0x80072098")
    # ConvertSecurityDescriptor and the ADO read both fail: the IADs walk, with one ace record per entry
    readable = [r for r in sds if r.get("Error") is None]
    assert readable and {r.get("SdSource") for r in readable} == {"iads"}
    aces = [r for r in records if r.kind == "ace"]
    assert aces and all(r.get("TrusteeSid") in ("", None) for r in aces if r.get("Trustee", "").startswith("CORP\\"))
    assert "#illisible: objectClass de " in acl


def test_other_entry_points(error_runs) -> None:
    alone = error_runs["alone"]
    _check_completed(alone)
    arts = _artifacts(alone)
    assert arts["ad_acl"]["status"] == "ok" and arts["ad_service_account_groups"]["status"] == "ok"
    groups = parse_records(_text(alone, "ad_service_account_groups"))
    # every <SID=...> read refused: each group is still written, with its SID and no name
    assert groups and all(g.get("Sid") and not g.get("Name") for g in groups if g.kind == "group")
    exchange = error_runs["exchange"]
    _check_completed(exchange)
    assert _artifacts(exchange)["exchange_version"]["status"] == "ok"
    assert "LDAP | ad_acl | GC://{rootDomainNC}" in error_runs["dryrun"].stdout
    refused = error_runs["refused"]
    _check_completed(refused)
    for name in ("ad_service_account", "ad_service_account_groups"):
        assert _artifacts(refused)[name]["status"] == "error"
        assert "nom de compte refusé" in _artifacts(refused)[name]["error"]


def test_partial_rootdse_and_unreadable_users(error_runs) -> None:
    rootdse = error_runs["rootdse"]
    _check_completed(rootdse)
    arts = _artifacts(rootdse)
    assert arts["ad_rootdse"]["status"] == "error" and "defaultNamingContext" in arts["ad_rootdse"]["error"]
    assert arts["ad_domain"]["status"] == "error" and "defaultNamingContext" in arts["ad_domain"]["error"]
    users = error_runs["users2000"]
    _check_completed(users)
    assert "#aucun compte sAMAccountName=Inconnu01" in _text(users, "ad_service_account_groups")
    protected = parse_records(_text(users, "ad_mail_users_protected"))
    summary = next(r for r in protected if r.kind == "summary")
    # Windows 2000: no descriptor in the search rows; ADSI reads every user's but Jean Dupont's
    assert summary.get("Unknown") == "1" and int(summary.get("MailUsers")) >= 4
    containers = _text(users, "ad_mail_containers")
    assert "nTSecurityDescriptor!" in containers and "#illisible: nTSecurityDescriptor : 0x80072098" in containers
