"""The pack's assessment requirements (pack.yaml ``assessment``), their lint, and the verdict's floor."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.hostile.conftest import analyse, finding
from tests.hostile.kit import SAMPLES, SampleZip
from vmes_audit.engine.pack import default_pack_dir, load_pack
from vmes_audit.engine.verdict import verdict
from vmes_audit.base.findings import Finding


def _pack_copy(tmp_path: Path, change) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(default_pack_dir(), folder)
    data = yaml.safe_load((folder / "pack.yaml").read_text(encoding="utf-8"))
    change(data)
    (folder / "pack.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def test_the_pack_declares_at_least_one_vmes_machine() -> None:
    spec = load_pack().pack.assessment
    assert spec is not None and spec.rule == "h3-assessment-contents"
    assert [(r.role, r.min) for r in spec.requires] == [("vmes", 1)]


@pytest.mark.parametrize("change,problem", [
    (lambda d: d["assessment"].update(rule="h9-nope"), "introuvable"),
    (lambda d: d["assessment"].update(rule="h2-collection-complete"), "doit être une règle de la section H"),
    (lambda d: d["assessment"]["requires"].append(dict(d["assessment"]["requires"][0])), "en double"),
    (lambda d: d["assessment"]["requires"][0].update(role="ems"), "role"),
])
def test_lint_of_the_assessment_section(change, problem: str, tmp_path: Path) -> None:
    loaded = load_pack(_pack_copy(tmp_path, change), strict=False)
    assert any(problem in p for p in loaded.problems), loaded.problems


def test_requirement_rows_count_only_judged_collections(tmp_path: Path) -> None:
    sample = SampleZip.open("vmes01-2003-conforme")
    sample.manifest["mode"] = "exchange"
    result = analyse([sample.write(tmp_path / "a.zip"), SAMPLES / "vmes03-2007.zip"])
    rows = result.facts.table("assessment_requirements").to_dict("records")
    assert rows[0]["found"] == 1 and rows[0]["hosts"] == ["VMES03"] and rows[0]["met"] is True
    parts = {p["part"]: p for p in result.facts.table("assessment_parts").to_dict("records")}
    assert parts["a.zip"]["usable"] is False and "contradiction" in parts["a.zip"]["reason"]
    h3 = finding(result.report, "h3-assessment-contents")
    assert h3.state.value == "warn" and "a.zip" in h3.message


def test_without_a_vmes_collection_the_verdict_is_never_ready() -> None:
    report = analyse([SAMPLES / "exch01-2003sp2.zip", SAMPLES / "ems-exch07.zip"]).report
    assert report.verdict.value == "non_pret"
    assert any("H3" in reason for reason in report.verdict_reasons)


def _f(state: str) -> Finding:
    return Finding(rule_id="c2-x", catalogue="C2", section="C", title="Titre", state=state, severity="bloquant",
                   host="H", message="m")


def test_nothing_evaluated_is_not_ready() -> None:
    assert verdict([])[0].value == "non_pret"
    assert verdict([_f("n/a"), _f("n/a")])[0].value == "non_pret"
    assert verdict([_f("pass"), _f("n/a")])[0].value == "pret"


def test_the_bundled_organisations_each_describe_one_directory() -> None:
    for pair in (["vmes01-2003-conforme", "exch01-2003sp2"], ["vmes03-2007", "ems-exch07"],
                 ["vmes04-mixte", "ems-sante-exs07"], ["vmes06-echecs-2007", "ems-exlog07"]):
        result = analyse([SAMPLES / f"{name}.zip" for name in pair])
        assert result.facts.table("assessment_conflicts").empty, pair
        assert finding(result.report, "h3-assessment-contents").state.value == "pass", pair


def test_collections_from_two_directories_with_one_domain_name_are_never_ready(tmp_path: Path) -> None:
    # the Exchange server's archive comes from a test lab whose domain is also called CORP
    lab = SampleZip.open("exch01-2003sp2")
    lab.manifest["run_as"] = {"name": "CORP\\Administrateur", "sid": "S-1-5-21-111-222-333-500"}
    result = analyse([SAMPLES / "vmes01-2003-conforme.zip", lab.write(tmp_path / "EXCH-EXCH01.zip")])
    (conflict,) = result.facts.table("assessment_conflicts").to_dict("records")
    assert conflict["domain"] == "CORP"
    assert conflict["sids"] == ["S-1-5-21-111-222-333", "S-1-5-21-1844237615-1960408961-1801674531"]
    # the directory read on the VMES machine is one of the witnesses (its domain object's objectSid)
    assert any("annuaire lu depuis" in claim and claim.startswith("S-1-5-21-1844237615-") for claim in conflict["claims"])
    h3 = finding(result.report, "h3-assessment-contents")
    assert h3.state.value == "unknown" and "deux annuaires" in h3.message and "EXCH-EXCH01.zip" in h3.message
    assert result.report.verdict.value == "non_pret"


def test_a_local_collecting_account_is_no_domain_claim(tmp_path: Path) -> None:
    # a machine's own accounts carry its machine SID, which cloned machines share: not compared
    local = SampleZip.open("exch01-2003sp2")
    local.manifest["run_as"] = {"name": "EXCH01\\Administrateur", "sid": "S-1-5-21-111-222-333-500"}
    result = analyse([SAMPLES / "vmes01-2003-conforme.zip", local.write(tmp_path / "EXCH-EXCH01.zip")])
    assert result.facts.table("assessment_conflicts").empty
