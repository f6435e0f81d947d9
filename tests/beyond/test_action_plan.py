"""« Plan d'action »: remediations by role, in the order the pack's dependencies require (issue 11, item 3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from vmes_audit.assessment.action_plan import _ancestors, build_action_plan
from vmes_audit.assessment.run import run_assessment
from vmes_audit.cli.main import app
from vmes_audit.engine.action_plan_spec import resolved_steps
from vmes_audit.engine.pack import default_pack_dir, load_pack
from vmes_audit.base.errors import PackError
from vmes_audit.report.export import report_dict
from vmes_audit.report.render import render_html
from vmes_audit.base.findings import ordered_findings

from .conftest import FAILING, inputs_of

ROLES = {"Administrateur du domaine", "Administrateur Exchange", "Administrateur réseau / pare-feu",
         "Administrateur de la machine VMES", "Avant-vente / éditeur"}
_CACHE: dict[str, object] = {}


def _assessed(organisation: str):
    if organisation not in _CACHE:
        _CACHE[organisation] = run_assessment(inputs_of(organisation))
    return _CACHE[organisation]


def test_the_pack_declares_the_five_roles_and_the_documented_dependencies() -> None:
    pack = load_pack()
    assert {r.title for r in pack.action_plan.roles} == ROLES
    steps = resolved_steps(pack)
    assert set(steps) == {r.id for r in pack.rules}  # every rule has a step
    ancestors = _ancestors({k: list(v.after) for k, v in steps.items()})
    # the examples of issue 11
    assert "f3-not-domain-admin" in ancestors["f9-server-permissions"]
    assert "f3-not-domain-admin" in ancestors["f10-send-as-domain"]
    assert "b1-exchange-version" in ancestors["b3-esm-same-service-pack"]


@pytest.mark.parametrize("organisation", FAILING)
def test_steps_follow_their_dependencies(organisation: str) -> None:
    assessed = _assessed(organisation)
    plan = assessed.report.action_plan
    steps = [s for g in plan.groups for s in g.steps]
    assert steps, "a failing sample has steps"
    assert sorted(s.number for s in steps) == list(range(1, len(steps) + 1))
    ancestors = _ancestors({k: list(v.after) for k, v in resolved_steps(assessed.pack).items()})
    checked = 0
    for later in steps:
        for earlier in steps:
            if earlier.rule_id in ancestors.get(later.rule_id, set()):
                assert earlier.number < later.number, (
                    f"{organisation}: step {earlier.number} ({earlier.catalogue}) must come before "
                    f"step {later.number} ({later.catalogue})")
                checked += 1
        for number in later.after:
            assert number < later.number
    assert checked, f"{organisation}: no dependency between its steps, the test proves nothing"
    # every step that needs action is there, once; conforming and waived checks are not
    needing = [f for f in assessed.report.findings if f.state.value in ("fail", "warn", "unknown", "manual")]
    assert len(steps) == len(needing)
    for group in plan.groups:
        assert group.title in ROLES
        assert [s.number for s in group.steps] == sorted(s.number for s in group.steps)
        for step in group.steps:
            assert step.remediation or step.verification, f"{step.catalogue}: a step without anything to do"


@pytest.mark.parametrize("organisation, first, then", [
    # Outlook goes before the Exchange tools are brought to the servers' level (reading order: B3 before B5)
    ("btp", "b5-no-outlook", "b3-esm-same-service-pack"),
    # a domain controller is replaced before the new machine's hardware and tools are fixed
    # (C2 and B3 come before D2 in reading order)
    ("industrie", "d2-not-domain-controller", "c2-memory"),
    ("industrie", "d2-not-domain-controller", "b3-esm-same-service-pack"),
])
def test_dependencies_change_the_reading_order(organisation: str, first: str, then: str) -> None:
    report = _assessed(organisation).report
    reading = [f.rule_id for f in ordered_findings(report)]
    assert reading.index(then) < reading.index(first), "the pair must invert the reading order"
    number = {s.rule_id: s.number for g in report.action_plan.groups for s in g.steps}
    assert number[first] < number[then]


def test_steps_carry_the_real_names_and_the_role_of_the_state() -> None:
    plan = _assessed("btp").report.action_plan
    by_rule = {(s.rule_id, s.subject): (g.title, s) for g in plan.groups for s in g.steps}
    title, f9 = by_rule[("f9-server-permissions", "EXBTP01")]
    assert title == "Administrateur Exchange"
    assert "EXBTP01" in f9.remediation and "BTP\\VistoAdmin" in f9.remediation
    f3_number = by_rule[("f3-not-domain-admin", "")][1].number
    f7_number = by_rule[("f7-exchange2003-view-only-admin", "")][1].number
    assert f7_number in f9.after and f3_number not in f9.after  # F3 is implied by F7: only the nearest is listed
    assert by_rule[("a1-domain-controllers-os", "DCBTP01")][0] == "Administrateur du domaine"  # fail
    assert by_rule[("a1-domain-controllers-os", "DCBTP02")][0] == "Avant-vente / éditeur"  # warn: by_state


def test_unknown_steps_say_how_to_verify() -> None:
    plan = _assessed("tse").report.action_plan
    unknown = [s for g in plan.groups for s in g.steps if s.state.value == "unknown"]
    assert unknown and all(s.verification for s in unknown)


def test_html_and_json_of_the_plan() -> None:
    report = _assessed("btp").report
    steps = [s for g in report.action_plan.groups for s in g.steps]
    html = render_html(report)
    section = html[html.index('id="plan-action"'):html.index('id="fiches"')]
    assert "2. Plan d’action" in section
    assert section.count("☐") == len(steps)  # one line per step, referring to its card
    assert section.count("fiche&nbsp;") == len(steps) and "Correction" not in section
    assert section.index("Administrateur du domaine") < section.index("Administrateur Exchange")
    assert 'href="#plan-action">2. Plan d’action</a>' in html  # in the table of contents
    assert "après l’étape" in section
    block = report_dict(report)["action_plan"]
    assert {r["title"] for r in block["roles"]} <= ROLES
    numbers = [s["number"] for r in block["roles"] for s in r["steps"]]
    assert sorted(numbers) == list(range(1, len(steps) + 1))
    first = block["roles"][0]["steps"][0]
    assert {"number", "rule_id", "catalogue", "state", "remediation", "verification", "after"} <= set(first)


def test_a_pack_without_action_plan_lists_every_fix_in_reading_order(tmp_path: Path) -> None:
    target = tmp_path / "pack"
    shutil.copytree(default_pack_dir(), target)
    (target / "action-plan.yaml").unlink()
    assessed = run_assessment(inputs_of("btp"), pack_dir=target)
    plan = assessed.report.action_plan
    assert "ne déclare pas de plan d'action" in plan.note and len(plan.groups) == 1
    assert [s.rule_id for s in plan.groups[0].steps] == [
        f.rule_id for f in ordered_findings(assessed.report) if f.state.value in ("fail", "warn", "unknown", "manual")]
    assert build_action_plan(assessed.report, None).note == plan.note


def test_lint_reports_every_problem_of_the_action_plan(tmp_path: Path) -> None:
    target = tmp_path / "pack"
    shutil.copytree(default_pack_dir(), target)
    plan = yaml.safe_load((target / "action-plan.yaml").read_text(encoding="utf-8"))
    plan["steps"]["z9-does-not-exist"] = {"role": "domaine"}  # unknown rule
    plan["steps"]["c1-processor-class"]["role"] = "stagiaire"  # unknown role
    plan["steps"]["f3-not-domain-admin"]["after"] = ["f9-server-permissions"]  # cycle F3 → F9 → F3
    plan["steps"]["f4-mailbox"]["after"] = ["f99-nope"]  # unknown dependency
    plan["steps"]["f5-visible-in-gal"]["by_state"] = {"pass": "exchange"}  # a state that needs no action
    del plan["steps"]["e2-ie-esc-admins"]  # a rule without a step
    # issue 19: the rejected machine and the prohibitions name rules, actions and columns that exist
    plan["machine"]["rejected_by"].append("d9-nope")
    plan["machine"]["forget"]["host"].append("colonne_inventee")
    plan["machine"]["forget"]["table_inventee"] = ["x"]
    plan["forbids"].append({"rule": "d8-nope", "states": ["fail"], "actions": ["repeindre-la-salle"],
                            "why": "une interdiction sans objet"})
    (target / "action-plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PackError) as err:
        load_pack(target)
    text = "\n".join(err.value.problems)
    assert "étape « z9-does-not-exist » : aucune règle de ce nom" in text
    assert "rôle inconnu « stagiaire »" in text
    assert "dépendances circulaires" in text and "f3-not-domain-admin" in text and "f9-server-permissions" in text
    assert "aucune règle « f99-nope »" in text
    assert "by_state.pass : cet état ne demande aucune action" in text
    assert "la règle e2-ie-esc-admins n'a pas d'étape" in text
    assert "machine.rejected_by : aucune règle « d9-nope »" in text
    assert "colonne inconnue « host.colonne_inventee »" in text and "table inconnue « table_inventee »" in text
    assert "forbids : aucune règle « d8-nope »" in text
    assert "aucune étape ne déclare l'action « repeindre-la-salle »" in text
    result = CliRunner().invoke(app, ["rules", "lint", "--pack", str(target)])
    assert result.exit_code == 1 and "dépendances circulaires" in result.output


def test_lint_reports_a_broken_action_plan_file(tmp_path: Path) -> None:
    target = tmp_path / "pack"
    shutil.copytree(default_pack_dir(), target)
    (target / "action-plan.yaml").write_text("roles: [\n", encoding="utf-8")
    with pytest.raises(PackError, match="action-plan.yaml : YAML illisible"):
        load_pack(target)
    (target / "action-plan.yaml").write_text("roles: []\nsteps: {}\ncolour: red\n", encoding="utf-8")
    with pytest.raises(PackError) as err:
        load_pack(target)
    assert any("action-plan.yaml : colour" in p for p in err.value.problems)
    assert any("action-plan.yaml : roles" in p for p in err.value.problems)
