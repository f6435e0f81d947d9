"""Fixtures of the hostile-input tests: analyse mutated samples, compare with the intact verdict."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from unittest import mock

import pytest

from tests.hostile.kit import SAMPLES, SampleZip

VERDICT_RANK = {"pret": 0, "pret_sous_reserve": 1, "non_pret": 2}
_PACK: list = []
_INTACT: dict[tuple[str, ...], str] = {}


def analyse(paths: list[Path]):
    """The report of ``paths`` (run_assessment, the rule pack read once for all these tests)."""
    from vmes_audit.assessment.run import run_assessment
    from vmes_audit.engine.pack import load_pack

    if not _PACK:
        _PACK.append(load_pack())
    with mock.patch("vmes_audit.assessment.run.load_pack", return_value=_PACK[0]):
        return run_assessment([Path(p) for p in paths], today=date(2026, 11, 26))


def intact_verdict(*names: str) -> str:
    if names not in _INTACT:
        _INTACT[names] = analyse([SAMPLES / f"{n}.zip" for n in names]).report.verdict.value
    return _INTACT[names]


def assert_not_better(report, *intact: str) -> None:
    """The verdict of a damaged collection is never better than the intact samples'."""
    expected = intact_verdict(*intact)
    assert VERDICT_RANK[report.verdict.value] >= VERDICT_RANK[expected], (
        f"verdict {report.verdict.value} better than the intact {expected}: {report.verdict_reasons[:5]}")


def finding(report, rule_id: str, host: str | None = None):
    found = [f for f in report.findings if f.rule_id == rule_id and (host is None or f.host == host)]
    assert found, f"no finding for {rule_id}"
    return found[0]


@pytest.fixture
def sample():
    """``sample("vmes01-2003-conforme")``: a fresh in-memory copy of a bundled sample."""
    return SampleZip.open
