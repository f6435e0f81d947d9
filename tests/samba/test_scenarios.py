"""Every scenario's VMES collection, analysed as a customer's zip: the right state of every A, B, F, G rule.

The zip is built from the reader's artifacts (format 1.1) and a sample's machine artifacts, and goes
through ``vmes_audit.assessment.run.run_assessment`` unchanged. A rule that yields one finding per subject
(a DC, a server) is expected as the sorted list of its states. No state is marked xfail.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from .scenarios import SCENARIOS

pytestmark = pytest.mark.samba


@lru_cache(maxsize=1)
def _rule_ids() -> dict[str, str]:
    from vmes_audit.engine.pack import load_pack

    return {rule.catalogue: rule.id for rule in load_pack().rules}


_RESULTS: dict[str, object] = {}


def _result(collected, name: str):
    if name not in _RESULTS:
        from vmes_audit.assessment.run import run_assessment

        try:
            _RESULTS[name] = run_assessment([collected(name).zip_path])
        except Exception as exc:  # a traceback on a customer's zip is itself a failure of every rule
            _RESULTS[name] = exc
    return _RESULTS[name]


def cases():
    """One parameter set per (scenario, rule): name, catalogue number, expected state(s)."""
    for scenario in SCENARIOS:
        for catalogue, state in scenario.expected.items():
            yield pytest.param(scenario.name, catalogue, state, id=f"{scenario.name}-{catalogue}")


def assert_states(result, name: str, catalogue: str, expected) -> None:
    """The findings of rule ``catalogue`` in ``result`` have the expected state (or sorted states)."""
    rule_id = _rule_ids().get(catalogue)
    assert rule_id, f"rule {catalogue} is not in the pack"
    states = sorted(f.state.value for f in result.report.findings if f.rule_id == rule_id)
    want = sorted(expected) if isinstance(expected, list) else expected
    got = states if isinstance(expected, list) else (states[0] if len(set(states)) == 1 else states)
    assert got == want, f"{name}: {catalogue} is {got}, expected {want}"


@pytest.mark.parametrize(("name", "catalogue", "expected"), list(cases()))
def test_rule_state(collected, name: str, catalogue: str, expected) -> None:
    result = _result(collected, name)
    if isinstance(result, Exception):
        pytest.fail(f"{name}: run_assessment raised {type(result).__name__}: {result}")
    assert_states(result, name, catalogue, expected)


def test_at_least_twelve_scenarios_cover_every_rule() -> None:
    assert len(SCENARIOS) >= 12
    rules = "A1 A2 B1 B2 B3 B4 B5 F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 F11 G1 G2".split()
    for scenario in SCENARIOS:
        assert sorted(scenario.expected) == sorted(rules), scenario.name


@pytest.mark.parametrize("name", [s.name for s in SCENARIOS])
def test_no_step_of_the_action_plan_does_what_another_finding_forbids(collected, name: str) -> None:
    """Issue 19, item 5: the action plan of every scenario, walked against the pack's ``forbids``."""
    from vmes_audit.assessment.action_plan import build_action_plan
    from vmes_audit.assessment.forbids import forbidden_steps

    result = _result(collected, name)
    if isinstance(result, Exception):
        pytest.fail(f"{name}: run_assessment raised {type(result).__name__}: {result}")
    plan = build_action_plan(result.report, result.pack)
    bad = forbidden_steps(plan, result.report.findings, result.pack)
    assert not bad, f"{name}: " + "\n".join(str(b) for b in bad)
