"""The same scenarios in the 1.0 forms of §5 (S-1 SIDs, IADs-style ace records), through today's analyzer.

While the analyzer cannot read format 1.1, this checks the scenarios themselves: the directory Samba
built, read by the reader and written in the forms the analyzer reads today, must give every expected
state except those waiting for a specific correction of issue 9 (xfail, strict, that correction named).
"""

from __future__ import annotations

import pytest

from collection import build_zip, downgrade_source
from scenarios import SCENARIOS, specific_need
from test_scenarios import _rule_ids

pytestmark = pytest.mark.samba

_RESULTS: dict[str, object] = {}


def _result(collected, name: str):
    if name not in _RESULTS:
        from vmes_audit.assessment import run_assessment

        c = collected(name)
        folder = downgrade_source(c.source, c.source.with_name(c.source.name + "-1.0"), c.artifacts)
        _RESULTS[name] = run_assessment([build_zip(folder, folder.parent)])
    return _RESULTS[name]


def _cases():
    for scenario in SCENARIOS:
        for catalogue, state in scenario.expected.items():
            reason = specific_need(scenario, catalogue)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(scenario.name, catalogue, state, id=f"{scenario.name}-{catalogue}", marks=marks)


@pytest.mark.parametrize(("name", "catalogue", "expected"), list(_cases()))
def test_rule_state_in_the_1_0_forms(collected, name: str, catalogue: str, expected) -> None:
    result = _result(collected, name)
    rule_id = _rule_ids()[catalogue]
    states = sorted(f.state.value for f in result.report.findings if f.rule_id == rule_id)
    want = sorted(expected) if isinstance(expected, list) else expected
    got = states if isinstance(expected, list) else (states[0] if len(set(states)) == 1 else states)
    assert got == want, f"{name}: {catalogue} is {got}, expected {want}"
