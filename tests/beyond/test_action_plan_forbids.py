"""No step of the action plan tells the customer to do what another finding forbids (issue 19, item 5).

The relation is the pack's (``action-plan.yaml``: each step's ``actions``, and ``forbids``): D2 failing
on a domain controller forbids any change that makes that DC the VMES machine, and adding the service
account to its Administrators (the domain's own group, which F3 rejects). The steps acting on the VMES
machine are then addressed to « la machine qui hébergera VMES ». Every bundled sample and organisation
is walked here; the Samba scenarios in tests/samba/test_scenarios.py.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from vmes_audit.assessment.action_plan import build_action_plan
from vmes_audit.assessment.forbids import forbidden_steps
from vmes_audit.assessment.run import run_assessment
from vmes_audit.base.findings import ActionPlan, ActionRoleGroup, ActionStep, Finding, Severity, State
from vmes_audit.engine.pack import load_pack

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
ORGANISATIONS: dict[str, list[str]] = yaml.safe_load((SAMPLES / "organisations.yaml").read_text(encoding="utf-8"))
SINGLE = sorted(p.stem for p in SAMPLES.glob("*.zip")) + ["loose-workgroup"]


def _inputs(name: str) -> list[Path]:
    if name in ORGANISATIONS:
        return [SAMPLES / n for n in ORGANISATIONS[name]]
    zipped = SAMPLES / f"{name}.zip"
    return [zipped if zipped.exists() else SAMPLES / name]


@lru_cache(maxsize=None)
def _pack():
    return load_pack()


def assert_no_forbidden_step(report, pack, name: str) -> None:
    plan = build_action_plan(report, pack)
    bad = forbidden_steps(plan, report.findings, pack)
    assert not bad, f"{name}: " + "\n".join(str(b) for b in bad)


@pytest.mark.parametrize("name", sorted(ORGANISATIONS) + SINGLE)
def test_no_step_does_what_another_finding_forbids(name: str) -> None:
    report = run_assessment(_inputs(name)).report
    assert_no_forbidden_step(report, _pack(), name)


def test_the_dc_sample_addresses_its_machine_steps_to_the_replacement() -> None:
    """industrie: SRVDC01 is a DC (D2): RAM, IE6, local administrator go to the machine that will host VMES."""
    report = run_assessment(_inputs("industrie")).report
    moved = {f.catalogue: f for f in report.findings if f.host == "SRVDC01" and f.addressed_to}
    assert {"C2", "D6", "F6", "E4"} <= set(moved), sorted(moved)
    for finding in moved.values():
        assert "SRVDC01" not in finding.remediation, finding.remediation
        assert finding.addressed_to == "la machine qui hébergera VMES"
    assert "SRVDC01" in moved["C2"].message  # the observation stays the DC's
    assert "192.168.10.5" not in moved["E4"].remediation  # the DC's own address is not the new machine's
    assert moved["F6"].remediation.startswith("Sur la machine qui hébergera VMES")
    d2 = next(f for f in report.findings if f.catalogue == "D2")
    assert d2.state == State.FAIL and not d2.addressed_to


def _step(number: int, rule_id: str, host: str, addressed_to: str = "") -> ActionStep:
    return ActionStep(number=number, role="machine", rule_id=rule_id, catalogue=rule_id[:2].upper(), title="t",
                      host=host, subject="", state=State.FAIL, severity=Severity.BLOQUANT, message="m",
                      remediation="r", addressed_to=addressed_to)


def _finding(rule_id: str, host: str, state: State) -> Finding:
    return Finding(rule_id=rule_id, catalogue=rule_id[:2].upper(), section=rule_id[0].upper(), title="t",
                   state=state, severity=Severity.BLOQUANT, host=host, message="m")


def test_the_check_sees_a_step_on_the_rejected_dc() -> None:
    """The relation itself: F6 and C2 on the DC D2 rejects are forbidden, on the replacement or on another
    host they are not, and D2's own step is not."""
    pack = _pack()
    findings = [_finding("d2-not-domain-controller", "SRVDC01", State.FAIL)]
    plan = ActionPlan(groups=[ActionRoleGroup(role="machine", title="x", steps=[
        _step(1, "d2-not-domain-controller", "SRVDC01"),
        _step(2, "f6-local-administrator", "SRVDC01"),
        _step(3, "c2-memory", "SRVDC01", addressed_to="la machine qui hébergera VMES"),
        _step(4, "c2-memory", "VMES01")])])
    bad = forbidden_steps(plan, findings, pack)
    assert [(b.number, b.action) for b in bad] == [(2, "add-local-administrator"), (2, "change-vmes-machine")]
    assert "Administrateurs" in bad[0].why
    findings[0] = _finding("d2-not-domain-controller", "SRVDC01", State.PASS)
    assert forbidden_steps(plan, findings, pack) == []


@pytest.mark.parametrize("name", ["btp", "industrie"])
def test_f10_never_names_its_simulated_user(name: str) -> None:
    """Issue 19, item 6: F10 simulates a user placed in each container; the report names the container, never
    the made-up « CN=utilisateur-type » the customer would look for in vain."""
    from vmes_audit.facts.send_as import PROBE_RDN

    report = run_assessment(_inputs(name)).report
    f10 = [f for f in report.findings if f.catalogue == "F10"]
    assert f10
    for finding in report.findings:
        text = " ".join([finding.message, finding.observed, finding.remediation, *finding.details])
        assert PROBE_RDN.lower() not in text.lower(), f"{name} {finding.catalogue}: {text[:300]}"
    assert any("objet utilisateur placé directement sous" in f.message for f in f10 if f.state != State.PASS)


def test_the_plan_and_the_json_say_where_a_readdressed_step_is_done(tmp_path) -> None:
    from vmes_audit.assessment.results_file import load_report_json
    from vmes_audit.report.export import write_json
    from vmes_audit.report.render import render_html

    result = run_assessment(_inputs("industrie"))
    report = result.report
    report.action_plan = build_action_plan(report, result.pack)
    html = render_html(report)
    section = html[html.index('id="plan-action"'):html.index('id="fiches"')]
    assert "à faire sur la machine qui hébergera VMES, pas sur SRVDC01" in section
    steps = [s for g in report.action_plan.groups for s in g.steps if s.catalogue == "F6"]
    assert steps and steps[0].addressed_to == "la machine qui hébergera VMES"
    write_json(report, tmp_path / "resultats.json")
    back = load_report_json(tmp_path / "resultats.json")
    assert [f.addressed_to for f in back.findings] == [f.addressed_to for f in report.findings]
    assert [s.addressed_to for g in back.action_plan.groups for s in g.steps] == [
        s.addressed_to for g in report.action_plan.groups for s in g.steps]
