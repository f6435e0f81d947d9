"""The customer's answers and presales' waivers: written, read back, validated against the pack, bounded.

Issue 20: a compliant organisation reached « Prêt » only through ``--users`` and
a waiver; a waiver that matched nothing (a typo, the catalogue id ``D2``) was
silently ignored; a malformed file gave pydantic's English; a 500-byte YAML
alias bomb given to ``--waivers`` took 45 s and 5.5 GB.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from vmes_audit.assessment.run import run_assessment
from vmes_audit.base.errors import InputError
from vmes_audit.cli.main import app
from vmes_audit.engine.answers import load_answers
from vmes_audit.engine.pack import load_pack
from vmes_audit.engine.user_yaml import MAX_BYTES, load_user_yaml
from vmes_audit.engine.waivers import load_waivers
from vmes_audit.report.questionnaire import report_questions
from vmes_audit.workflows.settings import load_settings

runner = CliRunner()
COMPLIANT = ["vmes01-2003-conforme.zip", "exch01-2003sp2.zip"]
ENGLISH = re.compile(r"Input should|Field required|validation error|Extra inputs|mapping values|"
                     r"could not find|Traceback|Errno|Operation not permitted")

# Nine levels of nine aliases: 9⁹ (387 million) strings once expanded, in 500 bytes.
BOMB = "\n".join(["a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]"] + [
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]) + "\n"


@pytest.fixture(autouse=True)
def _no_presales_file(monkeypatch) -> None:
    monkeypatch.setenv("VMES_AUDIT_SETTINGS", "off")
    monkeypatch.setenv("VMES_AUDIT_PDF_PROCESS", "off")


def _analyze(samples_dir: Path, out: Path, *extra: str, samples=COMPLIANT):
    return runner.invoke(app, ["analyze", *[str(samples_dir / s) for s in samples], "-o", str(out),
                               "--format", "json,html,questionnaire", "--date", "2026-12-06", *extra])


def _fill(questionnaire: Path, target: Path, *, raid: str = "oui", users: str = "350") -> Path:
    text = questionnaire.read_text(encoding="utf-8-sig")
    text = text.replace('repondu_par: ""', 'repondu_par: "M. Durand, DSI"', 1)
    text = re.sub(r"^date:.*$", "date: 2026-12-02", text, count=1, flags=re.M)
    text = text.replace('    reponse: ""\n', '    reponse: "RAID 1, deux alimentations"\n', 1)
    text = re.sub(r"    conforme: .*", f"    conforme: {raid}", text.replace("\r\n", "\n"), count=1)
    text = re.sub(r"    reponse: +# un nombre", f"    reponse: {users}", text)
    target.write_text(text, encoding="utf-8")
    return target


# ---- the compliant organisation reaches « Prêt » with its answers -------------------------------

def test_the_questionnaire_asks_what_the_collection_cannot_tell_and_nothing_for_presales(samples_dir, tmp_path):
    result = _analyze(samples_dir, tmp_path / "r1")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "r1" / "questionnaire.yaml").read_text(encoding="utf-8-sig")
    data = yaml.safe_load(text)
    assert [(q["controle"], q["regle"], q["hote"]) for q in data["questions"]] == [
        ("C5", "c5-raid-power", "VMES01"), ("C7", "c7-sizing", "VMES01")]
    assert data["questions"][1]["parametre"] == "users"  # a number, which the rule pack judges
    assert "--" not in text and "relancer" not in text.lower() and "option" not in text.lower()


def test_the_compliant_organisation_with_its_answers_is_ready(samples_dir, tmp_path):
    assert _analyze(samples_dir, tmp_path / "r1").exit_code == 0
    answers = _fill(tmp_path / "r1" / "questionnaire.yaml", tmp_path / "reponses.yaml")
    result = _analyze(samples_dir, tmp_path / "r2", "--answers", str(answers))
    assert result.exit_code == 0, result.output
    assert "Verdict : Prêt\n" in result.output
    data = json.loads((tmp_path / "r2" / "resultats.json").read_text(encoding="utf-8"))
    assert data["verdict"] == "pret"
    by_rule = {f["rule_id"]: f for f in data["findings"]}
    assert by_rule["c5-raid-power"]["state"] == "pass"
    assert by_rule["c5-raid-power"]["answer"] == {"text": "RAID 1, deux alimentations", "comment": "",
                                                  "by": "M. Durand, DSI", "on": "02/12/2026"}
    assert by_rule["c7-sizing"]["state"] == "pass"  # judged by the rule, with 350 users
    assert "350 utilisateurs" in by_rule["c7-sizing"]["message"]
    html = (tmp_path / "r2" / "rapport-vmes.html").read_text(encoding="utf-8")
    assert "Réponses reçues" in html and "M. Durand, DSI" in html and "02/12/2026" in html
    assert yaml.safe_load((tmp_path / "r2" / "questionnaire.yaml").read_text(encoding="utf-8-sig"))[
        "questions"] == []


def test_a_no_is_a_failure_and_too_many_users_a_warning_from_the_rule(samples_dir, tmp_path):
    assert _analyze(samples_dir, tmp_path / "r1").exit_code == 0
    answers = _fill(tmp_path / "r1" / "questionnaire.yaml", tmp_path / "reponses.yaml", raid="non", users="1 500")
    assert _analyze(samples_dir, tmp_path / "r2", "--answers", str(answers)).exit_code == 0
    by_rule = {f["rule_id"]: f for f in json.loads((tmp_path / "r2" / "resultats.json").read_text())["findings"]}
    assert by_rule["c5-raid-power"]["state"] == "fail"
    assert "n'est pas rempli" in by_rule["c5-raid-power"]["message"]
    assert by_rule["c7-sizing"]["state"] == "warn"  # 1 500 > 1 000: the pack says so, not the answer


def test_the_option_wins_over_the_answer_and_says_so(samples_dir, tmp_path):
    assert _analyze(samples_dir, tmp_path / "r1").exit_code == 0
    answers = _fill(tmp_path / "r1" / "questionnaire.yaml", tmp_path / "reponses.yaml")
    result = _analyze(samples_dir, tmp_path / "r2", "--answers", str(answers), "--users", "2000")
    assert "Le paramètre users donné en option (2000) l'emporte sur la réponse du questionnaire (350)" in result.output


def test_an_unknown_finding_is_never_decided_by_an_answer(samples_dir, tmp_path):
    """Evidence over claims: « Non évaluable » stays so whatever the answers say."""
    answers = tmp_path / "reponses.yaml"
    answers.write_text("questions:\n  - controle: G1\n    reponse: profil créé\n    conforme: oui\n", encoding="utf-8")
    report = run_assessment([samples_dir / "srvdc01-2000-non-conforme.zip"], answers=load_answers(answers)).report
    g1 = next(f for f in report.findings if f.catalogue == "G1")
    assert g1.state.value == "unknown" and g1.answer is None
    assert any("Réponse sans effet (question n° 1, G1)" in w for w in report.warnings)


def test_an_answer_without_yes_or_no_leaves_the_point_to_check(samples_dir, tmp_path):
    answers = tmp_path / "reponses.yaml"
    answers.write_text("questions:\n  - regle: c5-raid-power\n    reponse: je crois\n", encoding="utf-8")
    report = run_assessment([samples_dir / s for s in COMPLIANT], answers=load_answers(answers)).report
    assert next(f for f in report.findings if f.rule_id == "c5-raid-power").state.value == "manual"
    assert any("sans « conforme : oui »" in w for w in report.warnings)


# ---- ids checked against the pack --------------------------------------------------------------

@pytest.mark.parametrize("option,content", [
    ("--answers", "questions:\n  - regle: c5-raid-powr\n    reponse: oui\n    conforme: oui\n"),
    ("--waivers", "- regle: c5-raid-powr\n  justification: Validé par l'éditeur\n  expire: 2099-01-01\n"),
])
def test_an_unknown_id_exits_2_naming_the_closest(samples_dir, tmp_path, option, content):
    path = tmp_path / "f.yaml"
    path.write_text(content, encoding="utf-8")
    result = _analyze(samples_dir, tmp_path / "out", option, str(path))
    assert result.exit_code == 2, result.output
    assert "contrôle « c5-raid-powr » inconnu du pack de règles" in result.output
    assert "Voulez-vous dire « c5-raid-power »" in result.output
    assert not (tmp_path / "out").exists()


def test_a_waiver_by_catalogue_id_applies_and_one_that_waives_nothing_is_said(samples_dir, tmp_path):
    path = tmp_path / "derogations.yaml"
    path.write_text("- regle: C5\n  justification: Serveur HP DL380, RAID vérifié sur place\n  expire: 2099-01-01\n"
                    "  auteur: J. Martin\n"
                    "- regle: d2-not-domain-controller\n  justification: Sans objet ici, test\n  expire: 2099-01-01\n",
                    encoding="utf-8")
    result = _analyze(samples_dir, tmp_path / "out", "--waivers", str(path))
    assert result.exit_code == 0, result.output
    by_rule = {f["rule_id"]: f for f in json.loads((tmp_path / "out" / "resultats.json").read_text())["findings"]}
    assert by_rule["c5-raid-power"]["state"] == "waived" and "J. Martin" in by_rule["c5-raid-power"]["waiver"]
    assert "Dérogation sans effet : « d2-not-domain-controller »" in result.output


@pytest.mark.parametrize("content,expected", [
    ("- regle: C5\n  expire: 2099-01-01\n", "justification : champ absent"),
    ("- regle: C5\n  justification: court\n  expire: 2099-01-01\n", "justification trop courte (« court »)"),
    ("- regle: C5\n  justification: Validé par l'éditeur\n  expire: demain\n", "non reconnue"),
    ("- regle: C5\n  justification: Validé par l'éditeur\n  expire: 2099-01-01\n  commentaire: x\n",
     "champ « commentaire » inconnu"),
    ("regle: C5\n", "doit être une liste"),
    ("- regle: C5\n\tjustification: x\n", "tabulation interdite"),
    ("- regle: C5\n  justification: a: b\n", "« : » inattendu"),
])
def test_a_malformed_waivers_file_is_told_in_french(samples_dir, tmp_path, content, expected):
    path = tmp_path / "derogations.yaml"
    path.write_text(content, encoding="utf-8")
    result = _analyze(samples_dir, tmp_path / "out", "--waivers", str(path))
    assert result.exit_code == 2, result.output
    assert expected in result.output and "derogations.yaml" in result.output
    assert not ENGLISH.search(result.output), result.output


@pytest.mark.parametrize("content,expected", [
    ("questions:\n  - regle: c7-sizing\n    reponse: beaucoup\n", "un nombre entier est attendu"),
    ("questions:\n  - regle: c5-raid-power\n    reponse: x\n    conforme: peut-être\n", "oui ou non attendu"),
    ("questions:\n  - regle: c5-raid-power\n    reponce: x\n", "champ inconnu"),
    ("questions:\n  - reponse: x\n", "indiquez le contrôle"),
    ("- 1\n- 2\n", "objet attendu"),
])
def test_a_malformed_answers_file_is_told_in_french(samples_dir, tmp_path, content, expected):
    path = tmp_path / "reponses.yaml"
    path.write_text(content, encoding="utf-8")
    result = _analyze(samples_dir, tmp_path / "out", "--answers", str(path))
    assert result.exit_code == 2, result.output
    assert expected in result.output, result.output
    assert not ENGLISH.search(result.output), result.output


# ---- one bounded loader for every YAML file a user gives ---------------------------------------

@pytest.mark.parametrize("loader", [load_waivers, load_answers, load_settings], ids=["waivers", "answers", "settings"])
def test_every_user_yaml_file_refuses_an_alias_bomb(tmp_path, loader):
    path = tmp_path / "bombe.yaml"
    path.write_text(BOMB, encoding="utf-8")
    assert len(BOMB) < 600
    with pytest.raises(InputError, match="refusé : plus de 100\u202f000 valeurs une fois les alias développés"):
        loader(path)


def test_the_cli_refuses_the_bomb_with_exit_2(samples_dir, tmp_path):
    path = tmp_path / "bombe.yaml"
    path.write_text(BOMB, encoding="utf-8")
    result = _analyze(samples_dir, tmp_path / "out", "--waivers", str(path))
    assert result.exit_code == 2 and "refusé" in result.output, result.output


def test_too_many_aliases_too_big_not_utf8_are_refused(tmp_path):
    many = tmp_path / "alias.yaml"
    many.write_text("a: &a x\nb: [" + ", ".join(["*a"] * 150) + "]\n", encoding="utf-8")
    with pytest.raises(InputError, match="plus de 100 alias"):
        load_user_yaml(many, "Le fichier")
    big = tmp_path / "gros.yaml"
    big.write_bytes(b"# " + b"x" * MAX_BYTES + b"\n")
    with pytest.raises(InputError, match="dépasse 1024 Ko"):
        load_user_yaml(big, "Le fichier")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("client: Société".encode("latin-1"))
    with pytest.raises(InputError, match="n'est pas un texte UTF-8"):
        load_user_yaml(latin, "Le fichier")
    tagged = tmp_path / "tag.yaml"
    tagged.write_text("!!python/object/apply:os.system ['echo x']\n", encoding="utf-8")
    with pytest.raises(InputError, match="étiquette YAML"):
        load_user_yaml(tagged, "Le fichier")


def test_the_kit_questions_are_those_known_before_any_collection(samples_dir):
    from vmes_audit.engine.answers import pack_questions

    questions = pack_questions(load_pack())
    assert [(q.catalogue, q.parameter) for q in questions] == [("C5", ""), ("C7", "users")]
    assert questions[0].question.startswith("La future machine VMES a-t-elle des disques en RAID")


def test_report_questions_are_the_manual_findings(samples_dir):
    report = run_assessment([samples_dir / "srvdc01-2000-non-conforme.zip"]).report
    assert [q.catalogue for q in report_questions(report)] == ["C5", "C7", "E3"]


def test_the_kit_questionnaire_filled_before_the_collection_makes_the_compliant_organisation_ready(samples_dir,
                                                                                                 tmp_path):
    import io
    import zipfile

    from vmes_audit.workflows.kit import build_kit, kit_parameters

    kit = build_kit(kit_parameters(load_pack(), client="Exemple SA"))
    text = zipfile.ZipFile(io.BytesIO(kit.data)).read("questionnaire.yaml").decode("utf-8-sig")
    assert "La future machine VMES a-t-elle des disques en RAID" in text and "--" not in text
    (tmp_path / "kit-questionnaire.yaml").write_text(text, encoding="utf-8")
    answers = _fill(tmp_path / "kit-questionnaire.yaml", tmp_path / "reponses.yaml")
    result = _analyze(samples_dir, tmp_path / "out", "--answers", str(answers))
    assert result.exit_code == 0 and "Verdict : Prêt\n" in result.output, result.output
