"""Fixtures of the collector's AD half under Wine against Samba (issue 17).

``wine`` (tests/collector) and ``forest`` (tests/samba) are the existing session fixtures. Each
scenario is built once more (the reader collects it exactly as in tests/samba), and while its DC
runs the test build of the collector runs under Wine through the ADSI/ADO double, once per OS the
double models. The terminal summary prints the issue's line when these tests ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.collector.conftest import wine  # noqa: F401  (session fixture)
from tests.samba.conftest import forest  # noqa: F401  (session fixture)

from .testbuild import Line, build_test_collector

# scenario -> OS mode -> rule -> findings equal to the reader's; the test build's counters
SUMMARY: dict = {"scenarios": {}, "build": None}


@dataclass
class TestBuild:
    script: Path
    lines: list[Line]
    counts: list[int] = field(default_factory=list)

    def add(self, counts: list[int]) -> None:
        if not self.counts:
            self.counts = [0] * len(self.lines)
        self.counts = [a + b for a, b in zip(self.counts, counts)]


@pytest.fixture(scope="session")
def test_build(tmp_path_factory) -> TestBuild:
    folder = tmp_path_factory.mktemp("collector_ad")
    script = folder / "collect_test.vbs"
    built = TestBuild(script, build_test_collector(script))
    SUMMARY["build"] = built
    return built


def pytest_terminal_summary(terminalreporter) -> None:
    done = SUMMARY["scenarios"]
    if not done:
        return
    rules = sorted({rule for modes in done.values() for by_rule in modes.values() for rule in by_rule})
    equal = sum(1 for rule in rules if all(by_rule.get(rule, False) for modes in done.values()
                                           for by_rule in modes.values()))
    total = len(rules)
    built = SUMMARY["build"]
    counts = built.counts if built and built.counts else []
    lines = (sum(1 for c in counts if c), len(built.lines) if built else 0)
    terminalreporter.write_sep("-", "collector AD half")
    terminalreporter.write_line(
        f"collector under Wine against Samba: {len(done)} scenarios, findings equal to the reader's on "
        f"{equal}/{total} rules, AD module lines executed {lines[0]}/{lines[1]}")
    if counts:
        for line, count in zip(built.lines, counts):
            if not count:
                terminalreporter.write_line(f"  never executed: {line.module}:{line.number} ({line.proc}) {line.text}")
