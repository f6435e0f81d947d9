"""Comparison with an earlier audit: `analyze --previous` and `compare OLD NEW` (issue 11, item 1)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vmes_audit.assessment.run import run_assessment
from vmes_audit.cli.main import app
from vmes_audit.assessment.compare import compare, fingerprint, load_previous
from vmes_audit.base.errors import InputError
from vmes_audit.report.export import json_text, report_dict
from vmes_audit.report.render import render_html
from vmes_audit.assessment.results_file import report_from_json

from .conftest import SAMPLES

runner = CliRunner()
BTP = SAMPLES / "vmes05-echecs-2003.zip"


@pytest.fixture(scope="module")
def first_audit(tmp_path_factory) -> Path:
    """The failing 2003 sample's resultats.json, as written on 26/11/2026."""
    out = tmp_path_factory.mktemp("first")
    result = runner.invoke(app, ["analyze", str(BTP), "-o", str(out), "--format", "json", "--date", "2026-11-26",
                                 "--client", "Exemple BTP"])
    assert result.exit_code == 0, result.output
    return out / "resultats.json"


def _items(report, status: str) -> set[str]:
    return {i.rule_id for i in report.comparison.items if i.status == status}


def test_corrected_copy_lists_the_fixed_items(first_audit: Path, corrected_btp: Path) -> None:
    previous = load_previous(first_audit)
    report = run_assessment([corrected_btp], client="Exemple BTP", today=date(2026, 12, 10),
                            previous=previous).report
    comparison = report.comparison
    assert comparison is not None and comparison.previous_date == "26/11/2026"
    assert _items(report, "corrige") == {"f5-visible-in-gal", "b5-no-outlook"}
    assert not _items(report, "regresse") and not _items(report, "nouveau") and not _items(report, "nouvelle_regle")
    assert not comparison.pack_changed and comparison.pack_note == ""
    still_open = {i.rule_id for i in comparison.items if i.status == "inchange" and i.open}
    assert {"f3-not-domain-admin", "f9-server-permissions", "b3-esm-same-service-pack"} <= still_open
    assert len(comparison.items) == len(report.findings)  # every finding has exactly one status

    html = render_html(report)
    evolution = html.index("Évolution depuis l’audit du 26/11/2026</h1>")
    assert evolution < html.index("1. Synthèse</h1>")  # near the top, before the summary
    section = html[evolution:html.index("1. Synthèse</h1>")]
    assert "Corrigés (2)" in section
    open_items = sum(1 for i in comparison.items if i.status == "inchange" and i.open)
    assert section.index("Corrigés (2)") < section.index(f"Inchangés, toujours à traiter ({open_items})")
    assert 'class="count evo-corrige">2<' in section

    block = report_dict(report)["comparison"]
    assert block["counts"]["corrige"] == 2 and block["previous"]["date"] == "26/11/2026"
    fixed = [i for i in block["items"] if i["status"] == "corrige"]
    # F5 and B5 (Outlook next to Exchange's MAPI is a failure since issue 19, KB 266418) were both « Non conforme »
    assert [(i["old_state"], i["new_state"]) for i in fixed] == [("fail", "pass"), ("fail", "pass")]
    assert all(i["status_label"] == "Corrigé" for i in fixed)


def test_a_pack_upgrade_is_said_and_new_rules_are_not_new_problems(first_audit: Path, corrected_btp: Path,
                                                                  upgraded_pack: Path) -> None:
    report = run_assessment([corrected_btp], pack_dir=upgraded_pack, client="Exemple BTP",
                            today=date(2026, 12, 10), previous=load_previous(first_audit)).report
    comparison = report.comparison
    assert comparison.pack_changed
    assert "vmes-5.5 version 1.0.0" in comparison.pack_note and "version 1.1.0" in comparison.pack_note
    assert "c8-virtual-platform-listed" in comparison.pack_note
    assert comparison.new_rules == ["c8-virtual-platform-listed"] and comparison.removed_rules == []
    assert _items(report, "nouvelle_regle") == {"c8-virtual-platform-listed"}
    assert not _items(report, "nouveau")  # a new rule is not a new problem
    # the renamed rule keeps its history through its alias
    assert _items(report, "corrige") == {"f5-visible-in-gal", "b5-outlook-absent"}
    assert not _items(report, "regle_retiree")
    html = render_html(report)
    assert "Référentiel mis à jour" in html and "Constats de règles nouvelles du référentiel (1)" in html


def test_fingerprint_is_rule_host_subject_never_the_message(first_audit: Path) -> None:
    data = json.loads(first_audit.read_text(encoding="utf-8"))
    for finding in data["findings"]:
        finding["message"] = "texte reformulé par une autre version de la règle"
        finding["host"] = finding["host"].lower()  # case does not matter either
    previous = load_previous_from(data, first_audit.parent / "reworded.json")
    report = run_assessment([BTP], today=date(2026, 12, 1), previous=previous).report
    statuses = {i.status for i in report.comparison.items}
    assert statuses == {"inchange"}
    assert fingerprint("F9-x", " EXBTP01 ", "Exbtp01") == "F9-x|exbtp01|exbtp01"


def load_previous_from(data: dict, path: Path):
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return load_previous(path)


def test_new_and_vanished_subjects(first_audit: Path) -> None:
    """A second Exchange server in the new collection is « nouveau »; a server gone is
    « absent de la nouvelle analyse », never counted as fixed."""
    data = json.loads(first_audit.read_text(encoding="utf-8"))
    ex2 = [f for f in data["findings"] if f["subject"] == "EXBTP02"]
    assert ex2, "the sample has per-server findings for EXBTP02"
    for finding in ex2:
        finding["subject"] = "EXBTP03"  # the earlier audit saw EXBTP03, not EXBTP02
    report = run_assessment([BTP], today=date(2026, 12, 1), previous=load_previous_from(
        data, first_audit.parent / "other-server.json")).report
    new = {(i.rule_id, i.subject) for i in report.comparison.items if i.status == "nouveau"}
    gone = {(i.rule_id, i.subject) for i in report.comparison.items if i.status == "disparu"}
    assert ("f9-server-permissions", "EXBTP02") in new and ("f9-server-permissions", "EXBTP03") in gone
    assert all(not i.open for i in report.comparison.items if i.status == "disparu")
    assert "Absents de la nouvelle analyse" in render_html(report)


def test_worse_state_is_a_regression(first_audit: Path) -> None:
    data = json.loads(first_audit.read_text(encoding="utf-8"))
    for finding in data["findings"]:
        if finding["rule_id"] == "f10-send-as-domain":
            finding["state"] = "warn"  # was only « À améliorer », is now « Non conforme »
        if finding["rule_id"] == "f3-not-domain-admin":
            finding["state"] = "unknown"  # « Non évaluable » then, « Non conforme » now: worse
    previous = load_previous_from(data, first_audit.parent / "states.json")
    report = run_assessment([BTP], today=date(2026, 12, 1), previous=previous).report
    assert {"f10-send-as-domain", "f3-not-domain-admin"} <= _items(report, "regresse")
    direct = compare(previous, report)
    assert {i.rule_id for i in direct.items if i.status == "regresse"} == _items(report, "regresse")


HOSTILE = {
    "not-json.json": (b"{ ceci n'est pas du JSON", "n'est pas un JSON valide"),
    "binary.json": (b"\xff\xfe\x00\x00garbage\x80", "n'est pas un texte UTF-8"),
    "list.json": (b"[1, 2, 3]", "n'est pas un resultats.json de vmes-audit"),
    "deep.json": (b"[" * 100_000 + b"]" * 100_000, "n'est pas un JSON valide"),
    "bad-state.json": (None, "findings.0.state : valeur inconnue"),
    "missing-date.json": (None, "generated_on : champ absent"),
    "bad-date.json": (None, "date du rapport invalide"),
    "schema-2.json": (None, "schéma 2.0"),
    "pseudonymised.json": (None, "est un résultat pseudonymisé"),
}


def _hostile_document(name: str, good: dict) -> dict:
    data = json.loads(json.dumps(good))
    if name == "bad-state.json":
        data["findings"][0]["state"] = "<script>"
    elif name == "missing-date.json":
        del data["generated_on"]
    elif name == "bad-date.json":
        data["generated_on"] = "31/02/2026"
    elif name == "schema-2.json":
        data["schema_version"] = "2.0"
    elif name == "pseudonymised.json":
        data["pseudonymised"] = True
    return data


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_previous_file_is_refused_in_french(name: str, first_audit: Path, tmp_path: Path) -> None:
    raw, expected = HOSTILE[name]
    path = tmp_path / name
    if raw is None:
        good = json.loads(first_audit.read_text(encoding="utf-8"))
        path.write_text(json.dumps(_hostile_document(name, good)), encoding="utf-8")
    else:
        path.write_bytes(raw)
    with pytest.raises(InputError) as err:
        load_previous(path)
    assert expected in str(err.value)
    result = runner.invoke(app, ["analyze", str(BTP), "-o", str(tmp_path / "out"), "--format", "json",
                                 "--previous", str(path)])
    assert result.exit_code == 2
    assert "Erreur :" in result.output and expected in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "resultats.json").exists()


def test_missing_and_folder_previous(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="introuvable"):
        load_previous(tmp_path / "absent.json")
    with pytest.raises(InputError, match="n'est pas un fichier"):
        load_previous(tmp_path)


def test_compare_command_renders_the_new_audit_with_its_evolution(first_audit: Path, corrected_btp: Path,
                                                                  tmp_path: Path) -> None:
    second = tmp_path / "second"
    result = runner.invoke(app, ["analyze", str(corrected_btp), "-o", str(second), "--format", "json",
                                 "--date", "2026-12-10", "--client", "Exemple BTP"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "compared"
    result = runner.invoke(app, ["compare", str(first_audit), str(second / "resultats.json"), "-o", str(out),
                                 "--format", "json,html,csv"])
    assert result.exit_code == 0, result.output
    assert "Évolution depuis l'audit du 26/11/2026 : 2 corrigé(s), 0 nouveau(x), 0 régressé(s)" in result.output
    written = json.loads((out / "resultats.json").read_text(encoding="utf-8"))
    assert written["comparison"]["counts"]["corrige"] == 2
    # apart from the comparison, the report is the new audit's, byte for byte
    original = json.loads((second / "resultats.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in written.items() if k != "comparison"} == original
    assert "Évolution depuis l’audit du 26/11/2026" in (out / "rapport-vmes.html").read_text(encoding="utf-8")
    assert (out / "resultats.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_compare_command_refuses_a_broken_new_file(first_audit: Path, tmp_path: Path) -> None:
    broken = tmp_path / "new.json"
    data = json.loads(first_audit.read_text(encoding="utf-8"))
    del data["findings"][2]["severity"]
    broken.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["compare", str(first_audit), str(broken), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "Erreur :" in result.output and "Traceback" not in result.output


def test_results_file_round_trip(first_audit: Path) -> None:
    text = first_audit.read_text(encoding="utf-8")
    assert json_text(report_from_json(json.loads(text))) == text


def test_hostile_texts_of_the_previous_file_are_escaped(first_audit: Path) -> None:
    data = json.loads(first_audit.read_text(encoding="utf-8"))
    data["findings"].append(dict(data["findings"][0], rule_id="z1-<script>", subject="<img src=x onerror=alert(1)>",
                                 title="<b>titre</b>", message='</td><script>alert("x")</script>'))
    report = run_assessment([BTP], today=date(2026, 12, 1), previous=load_previous_from(
        data, first_audit.parent / "hostile.json")).report
    item = next(i for i in report.comparison.items if i.rule_id == "z1-<script>")
    assert item.status == "regle_retiree"
    html = render_html(report)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_the_json_blocks_are_documented(root: Path, first_audit: Path, corrected_btp: Path) -> None:
    doc = (root / "reports" / "README-json.md").read_text(encoding="utf-8")
    report = run_assessment([corrected_btp], today=date(2026, 12, 10), previous=load_previous(first_audit)).report
    data = report_dict(report)
    keys = set(data["comparison"]) | set(data["comparison"]["previous"]) | set(data["comparison"]["items"][0])
    keys |= set(data["action_plan"]) | set(data["action_plan"]["roles"][0])
    keys |= set(data["action_plan"]["roles"][0]["steps"][0])
    missing = sorted(k for k in keys if f"`{k}`" not in doc)
    assert not missing, f"README-json.md does not document: {missing}"
    for status in data["comparison"]["counts"]:
        assert f"`{status}`" in doc
