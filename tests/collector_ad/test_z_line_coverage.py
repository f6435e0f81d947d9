"""Line coverage of the AD modules over every collector run of the session (named ``test_z_…`` so
that it runs after the other files of this folder, whose runs it adds up)."""

from __future__ import annotations

import pytest

from tests.samba.scenarios import SCENARIOS

from .conftest import SUMMARY

pytestmark = [pytest.mark.wine, pytest.mark.samba, pytest.mark.slow]

COVERAGE_GOAL = 0.95


def test_every_ad_module_line_executed(test_build) -> None:
    if len(SUMMARY["scenarios"]) < len(SCENARIOS) or not SUMMARY.get("error_paths"):
        pytest.skip("coverage is measured over every scenario and the error-path runs")
    never = [f"{line.module}:{line.number} ({line.proc}) {line.text}"
             for line, count in zip(test_build.lines, test_build.counts) if not count]
    ratio = 1 - len(never) / len(test_build.lines)
    print("\nAD module lines never executed:\n" + "\n".join(never))
    assert ratio >= COVERAGE_GOAL, (f"{len(never)} of {len(test_build.lines)} lines never executed "
                                    f"({ratio:.1%}):\n" + "\n".join(never))
