"""Issue 18, evidence over claims: each claim of the manifest is checked against the artifacts that can
contradict it (``facts/claims.py``, check H4), and a contradiction keeps the verdict from « Prêt ».

Built from the compliant organisation (vmes01 + exch01), one claim changed at a time, as someone
editing a manifest (or rebuilding an archive by hand) would."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import analyse, finding
from tests.hostile.kit import SAMPLES, SampleZip

BASE = "vmes01-2003-conforme"
EXCH = SAMPLES / "exch01-2003sp2.zip"


def _org(tmp_path: Path, sample: SampleZip):
    return analyse([sample.write(tmp_path / "vmes.zip"), EXCH]).report


def _h4(report):
    return finding(report, "h4-collection-claims")


def test_the_intact_organisation_confirms_every_claim(tmp_path: Path) -> None:
    report = _org(tmp_path, SampleZip.open(BASE))
    h4 = _h4(report)
    assert h4.state.value == "pass", h4.message
    assert "nom de la machine" not in h4.message or "concordent" in h4.message


def test_whoami_shows_the_rid_500_administrator_while_the_manifest_claims_the_service_account(tmp_path: Path) -> None:
    """Before: H1 said « Conforme (même SID) » from the manifest's claim alone."""
    sample = SampleZip.open(BASE)
    sample.set_text("whoami_user", '"Nom d\'utilisateur","SID"\r\n'
                                   '"vmes01\\administrateur","S-1-5-21-1111111111-2222222222-3333333333-500"\r\n')
    report = _org(tmp_path, sample)
    h1 = finding(report, "h1-run-as-service-account")
    assert h1.state.value == "fail" and "administrateur" in h1.message.lower(), h1.message
    h4 = _h4(report)
    assert h4.state.value == "fail", h4.message
    assert "S-1-5-21-1111111111-2222222222-3333333333-500" in h4.message and "whoami /user" in h4.message
    assert sample.manifest["run_as"]["sid"] in h4.message
    assert report.verdict.value == "non_pret"


@pytest.mark.parametrize("artifact,old", [("wmi_computersystem", "VMES01"), ("systeminfo", "VMES01"),
                                          ("ipconfig", "VMES01")])
def test_an_artifact_of_another_machine_contradicts_the_manifest(tmp_path: Path, artifact: str, old: str) -> None:
    sample = SampleZip.open(BASE)
    sample.set_text(artifact, sample.text(artifact).replace(old, "APPLI02"))
    h4 = _h4(_org(tmp_path, sample))
    assert h4.state.value == "fail" and "APPLI02" in h4.message and "VMES01" in h4.message, h4.message


def test_the_service_account_found_in_the_directory_is_not_the_claimed_one(tmp_path: Path) -> None:
    """Before: F1-F11 silently judged the AD record of another account."""
    sample = SampleZip.open(BASE)
    sample.manifest["parameters"]["service_account"] = "svc-vmes"
    report = _org(tmp_path, sample)
    h4 = _h4(report)
    assert h4.state.value == "fail", h4.message
    assert "« svc-vmes »" in h4.message and "« VistoAdmin »" in h4.message
    assert report.verdict.value == "non_pret"


@pytest.mark.parametrize("started,ended,state,words", [
    ("2026-11-20T14:03:02+01:00", "2026-11-20T14:02:11+01:00", "fail", "avant d'avoir commencé"),
    ("2031-01-01T10:00:00+01:00", "2031-01-01T10:01:00+01:00", "warn", "après la date du rapport"),
    ("2002-06-01T10:00:00+01:00", "2002-06-01T10:01:00+01:00", "warn", "avant Windows Server 2003"),
    ("2025-11-20T14:02:11+01:00", "2025-11-20T14:03:02+01:00", "warn", "plus de six mois avant le rapport"),
    ("2026-11-18T14:02:11+01:00", "2026-11-20T14:03:02+01:00", "warn", "plus de 24 heures"),
])
def test_implausible_dates(tmp_path: Path, started: str, ended: str, state: str, words: str) -> None:
    sample = SampleZip.open(BASE)
    sample.manifest["started"], sample.manifest["ended"] = started, ended
    report = _org(tmp_path, sample)
    h4 = _h4(report)
    assert h4.state.value == state and words in h4.message, h4.message
    assert report.verdict.value != "pret"


@pytest.mark.parametrize("change,state,words", [
    ({"collector": {"name": "outil-maison", "version": "1.0"}}, "fail", "n'est pas un collecteur de vmes-audit"),
    ({"collector": {"name": "vmes-audit-ems", "version": "1.1.0"}}, "fail", "n'écrit jamais"),
    ({"collector": {"name": "vmes-audit-collector", "version": "v1-beta"}}, "fail", "n'est pas une version"),
    ({"collector": {"name": "vmes-audit-collector", "version": "9.0.0"}}, "warn", "pas une version que cet analyseur"),
    ({"parameters": {"dry_run": True}}, "fail", "collecte à blanc"),
])
def test_collector_claims(tmp_path: Path, change: dict, state: str, words: str) -> None:
    sample = SampleZip.open(BASE)
    for key, value in change.items():
        if isinstance(sample.manifest.get(key), dict):
            sample.manifest[key] = {**sample.manifest[key], **value}
        else:
            sample.manifest[key] = value
    h4 = _h4(_org(tmp_path, sample))
    assert h4.state.value == state and words in h4.message, h4.message
