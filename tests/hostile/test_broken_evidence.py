"""Issues 12 and 14, passes on broken evidence: empty is evidence only where it is plausible,
H2 lists what is unreadable, and a weaker source that decides says so. Built from samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import analyse, assert_not_better, finding
from tests.hostile.kit import SampleZip

BASE = "vmes01-2003-conforme"


@pytest.mark.parametrize("artifact,rules", [
    ("ad_service_account_groups", ["f2-domain-users", "f3-not-domain-admin", "f7-exchange2003-view-only-admin"]),
    ("wmi_service", ["d3-not-exchange-server"]),
    ("wmi_logicaldisk", ["c3-free-disk"]),
    ("local_admins", []),
    ("net_proxy", ["e3-proxy-credentials"]),
    ("ad_admincount_users", []),                  # format 1.1: F11 reads ad_mail_users_protected first
    ("ad_mail_users_protected", []),              # ... and falls back to ad_admincount_users (still intact)
    ("wmi_processor", ["c1-processor-class"]),
    ("wmi_os", []),
    ("net_noc_probe", ["e1-noc-https"]),
])
def test_an_implausibly_empty_record_file_is_unreadable_not_an_empty_list(artifact, rules, tmp_path: Path) -> None:
    sample = SampleZip.open(BASE).drop_records(artifact)
    result = analyse([sample.write(tmp_path / "c.zip")])
    art = result.facts.artifact("VMES01", artifact)
    assert art.status == "unreadable", (art.status, art.error)
    assert "enregistrement" in art.error
    for rule in rules:
        check = finding(result.report, rule)
        # unknown, or decided by a weaker source (systeminfo for the processor) that the finding names
        assert check.state.value == "unknown" or any(artifact in line and "moins sûre" in line
                                                     for line in check.details), (rule, check.state, check.message)
    h2 = finding(result.report, "h2-collection-complete")
    assert h2.state.value == "warn" and artifact in h2.message
    assert_not_better(result.report, BASE)


def test_empty_local_administrators_never_fails_f6(tmp_path: Path) -> None:
    """F6 is then decided by the account's token (whoami), and the finding says local_admins was broken."""
    sample = SampleZip.open(BASE).drop_records("local_admins")
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    f6 = finding(report, "f6-local-administrator")
    assert f6.state.value != "fail", f6.message
    if f6.state.value == "pass":
        assert any("local_admins" in line and "moins sûre" in line for line in f6.details), f6.details
    assert_not_better(report, BASE)


def test_an_empty_token_groups_list_is_unreadable(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE).drop_records("token_groups")
    result = analyse([sample.write(tmp_path / "c.zip")])
    assert result.facts.artifact("VMES01", "token_groups").status == "unreadable"
    assert_not_better(result.report, BASE)


def test_summary_record_missing_from_an_ad_search(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    for name in ("ad_mail_users_protected", "ad_admincount_users"):  # both searches interrupted
        sample.set_text(name, "#VMES-RECORDS 1\r\n#source: interrupted\r\n")
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    f11 = finding(report, "f11-protected-mail-users")
    assert f11.state.value == "unknown" and "summary" in f11.message
    assert_not_better(report, BASE)


def test_two_records_that_must_be_unique(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    text = sample.text("wmi_os")
    second = text.replace("Service Pack 1", "Service Pack 2").split("\r\n", 2)[2]  # after header and source
    sample.set_text("wmi_os", text + "\r\n" + second)
    result = analyse([sample.write(tmp_path / "c.zip")])
    art = result.facts.artifact("VMES01", "wmi_os")
    assert art.status == "unreadable" and "contradiction" in art.error
    assert_not_better(result.report, BASE)


def test_a_property_set_twice_in_one_record(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    text = sample.text("wmi_os")
    sample.set_text("wmi_os", text.replace("ServicePackMajorVersion=1", "ServicePackMajorVersion=1\r\n"
                                           "ServicePackMajorVersion=3"))
    result = analyse([sample.write(tmp_path / "c.zip")])
    assert "répétée" in result.facts.artifact("VMES01", "wmi_os").error
    assert_not_better(result.report, BASE)


def test_a_weaker_source_that_decides_says_the_stronger_one_was_broken(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE).set_text("wmi_os", "this is not a record file\r\n")
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    d1 = finding(report, "d1-os-supported")
    notes = " ".join(d1.details)
    assert "systeminfo" in notes or "reg_values" in notes, d1.details
    assert "wmi_os" in notes and "illisible" in notes and "moins sûre" in notes
    h2 = finding(report, "h2-collection-complete")
    assert h2.state.value == "warn" and "wmi_os" in h2.message
    assert_not_better(report, BASE)


def test_unreadable_artifact_is_listed_by_h2_even_when_no_check_reads_it(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE).set_text("reg_updates", "garbage\r\n")
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    h2 = finding(report, "h2-collection-complete")
    assert h2.state.value == "warn" and "reg_updates" in h2.message


def test_every_artifact_skipped(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    for entry in sample.manifest["artifacts"]:
        entry.update(status="skipped", file="", sha256="", size=None, error="")
    sample.files.clear()
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    h2 = finding(report, "h2-collection-complete")
    assert h2.state.value == "fail" and "aucun élément exploitable" in h2.message
    assert finding(report, "h3-assessment-contents").state.value == "unknown"
    assert report.verdict.value == "non_pret"


def test_manifest_without_an_artifact_list(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    sample.manifest["artifacts"] = []
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    h2 = finding(report, "h2-collection-complete")
    assert h2.state.value == "fail" and "wmi_os : absent du manifeste" in h2.message
    assert report.verdict.value == "non_pret"


def test_an_expected_artifact_missing_from_the_manifest_is_listed(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE).drop_artifact("wmi_service")
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    h2 = finding(report, "h2-collection-complete")
    assert h2.state.value == "warn" and "wmi_service : absent du manifeste" in h2.message
    assert finding(report, "d3-not-exchange-server").state.value == "unknown"
    assert_not_better(report, BASE)


def test_a_skipped_step_that_applies_to_every_machine_is_a_gap(tmp_path: Path) -> None:
    sample = SampleZip.open(BASE)
    entry = sample.entry("wmi_logicaldisk")
    sample.files.pop(entry["file"])
    entry.update(status="skipped", file="", sha256="", size=None, error="")
    report = analyse([sample.write(tmp_path / "c.zip")]).report
    h2 = finding(report, "h2-collection-complete")
    assert h2.state.value == "warn" and "wmi_logicaldisk : non collecté" in h2.message
    assert finding(report, "c3-free-disk").state.value == "unknown"
    assert_not_better(report, BASE)
