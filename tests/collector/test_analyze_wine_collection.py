"""The analyzer on what the collector really wrote under Wine: machine facts match Wine,
Active Directory checks are "Non évaluable" with the ADSI error, never a crash nor a pass."""

from __future__ import annotations

import pytest

from vmes_audit.assessment.run import run_assessment
from vmes_audit.report.render import write_outputs

pytestmark = [pytest.mark.wine, pytest.mark.slow]

AD_CHECKS = {"A1", "A2", "F1", "F2", "F3", "F4", "F5", "F7", "F10", "F11"}


def test_analyze_collected_zip(vmes_run, tmp_path):
    assert vmes_run.zips, vmes_run.stdout
    result = run_assessment(vmes_run.zips)
    host = result.facts.table("host").to_dict("records")[0]
    os_rec = next(r for r in result.facts.table("host").to_dict("records"))
    wmi = [a for _, a in result.facts.any_artifact("wmi_os")][0]
    from vmes_audit.facts.parsed import parsed

    (record,) = parsed(wmi)
    assert host["os_version"] == record.get("Version")
    assert host["os_build"] == int(record.get("BuildNumber"))
    assert host["provenance"]["os_version"] == "wmi_os"
    assert host["total_memory_mb"] and host["total_memory_mb"] > 0
    assert os_rec["hostname"]

    by_catalogue: dict[str, list] = {}
    for finding in result.report.findings:
        by_catalogue.setdefault(finding.catalogue, []).append(finding)
    for catalogue in AD_CHECKS:
        for finding in by_catalogue[catalogue]:
            assert finding.state.value == "unknown", (catalogue, finding.state, finding.message)
            assert "0x8" in finding.message or "ad_" in finding.message, finding.message
            assert finding.manual_check
    assert not [f for f in result.report.findings if f.section in "AF" and f.state.value == "pass"
                and f.catalogue != "F6"]

    written = write_outputs(result.report, tmp_path, {"pdf", "json"})
    assert written["pdf"].read_bytes().startswith(b"%PDF")
