"""`vmes-audit batch`: one report per customer and the portfolio (issue 11, item 2)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vmes_audit.workflows.batch import CustomerResult, attention_key, run_batch
from vmes_audit.cli.batch_progress import batch_progress
from vmes_audit.cli.main import app
from vmes_audit.report.portfolio import PORTFOLIO_COLUMNS, portfolio_csv

from .conftest import ORGANISATIONS, SAMPLES

runner = CliRunner()
BROKEN = {
    "client-archive-corrompue": {"collecte.zip": b"PK\x03\x04 tronque"},
    "client-vide": {},
    "client-texte": {"notes.txt": "Le client n'a rien envoyé d'exploitable.\n".encode()},
}


def customers(root: Path, names: list[str] | None = None) -> Path:
    """The samples arranged as customers (one folder per organisation) plus broken folders."""
    for organisation in names or sorted(ORGANISATIONS):
        folder = root / organisation
        folder.mkdir(parents=True)
        for sample in ORGANISATIONS[organisation]:
            source = SAMPLES / sample
            if source.is_dir():  # loose files the customer pasted: directly in the customer's folder
                shutil.copytree(source, folder, dirs_exist_ok=True)
            else:
                shutil.copy(source, folder / sample)
    for name, files in BROKEN.items():
        (root / name).mkdir()
        for file, data in files.items():
            (root / name / file).write_bytes(data)
    (root / ".cache").mkdir()  # hidden folders are not customers
    return root


def _rows(out: Path) -> list[dict[str, str]]:
    text = (out / "portefeuille.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf") and b"\r\n" in text
    return list(csv.DictReader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))


def test_batch_writes_every_report_and_the_portfolio(tmp_path: Path) -> None:
    root = customers(tmp_path / "clients")
    out = tmp_path / "sortie"
    result = runner.invoke(app, ["batch", str(root), "-o", str(out), "--format", "json,html,csv",
                                 "--date", "2026-12-01", "--workers", "2"])
    assert result.exit_code == 1, result.output  # documented: 1 when a folder could not be analysed
    assert "Traceback" not in result.output
    assert "[12/12]" in result.output  # plain progress lines when not on a terminal
    for organisation in ORGANISATIONS:
        for name in ("resultats.json", "resultats.csv", "rapport-vmes.html"):
            assert (out / organisation / name).is_file(), f"{organisation}/{name}"
        data = json.loads((out / organisation / "resultats.json").read_text(encoding="utf-8"))
        assert data["client"] == organisation
    rows = _rows(out)
    assert [r["client"] for r in rows[:3]] == sorted(BROKEN)  # what cannot be analysed comes first
    assert all(r["verdict"] == "erreur" and r["erreur"] for r in rows[:3])
    assert "collecte.zip" in rows[0]["erreur"] and "ne contient aucune collecte" in rows[2]["erreur"]
    assert {r["client"] for r in rows} == set(ORGANISATIONS) | set(BROKEN)
    analysed = rows[3:]
    verdict_rank = {"non_pret": 0, "pret_sous_reserve": 1, "pret": 2}
    keys = [(verdict_rank[r["verdict"]], -int(r["points_bloquants"]), -int(r["non_evaluables"])) for r in analysed]
    assert keys == sorted(keys)  # what needs attention first
    btp = next(r for r in rows if r["client"] == "btp")
    assert btp["date_collecte"] == "25/11/2026" and btp["verdict_label"] == "Non prêt"
    assert btp["depuis_dernier_audit"] == "" and btp["dossier_rapport"] == "btp/"
    assert list(rows[0]) == list(PORTFOLIO_COLUMNS)
    html = (out / "portefeuille.html").read_text(encoding="utf-8")
    assert "Portefeuille d’audits des prérequis VMES" in html and "3 dossier(s) impossible(s) à analyser" in html
    assert 'href="btp/rapport-vmes.html"' in html
    assert html.index("client-archive-corrompue") < html.index(">btp<")


def test_second_batch_says_what_changed_since_the_last_audit(tmp_path: Path, corrected_btp: Path) -> None:
    root = customers(tmp_path / "clients", ["btp", "industrie"])
    out = tmp_path / "sortie"
    first = run_batch(root, out, {"json"}, workers=1, today=date(2026, 11, 26))
    assert {r.customer: r.ok for r in first}["btp"]
    (root / "btp" / "vmes05-echecs-2003.zip").unlink()
    shutil.copy(corrected_btp, root / "btp")
    second = run_batch(root, out, {"json"}, workers=1, today=date(2026, 12, 10))
    btp = next(r for r in second if r.customer == "btp")
    assert btp.evolution["corrige"] == 2 and btp.previous_date == "26/11/2026"
    assert btp.since_last == "depuis le 26/11/2026 : 2 corrigé(s), 0 nouveau(x), 0 régressé(s)"
    assert (out / "btp" / "historique" / "resultats-2026-11-26.json").is_file()
    rows = {r["client"]: r for r in _rows(out)}
    assert rows["btp"]["depuis_dernier_audit"].startswith("depuis le 26/11/2026 : 2 corrigé(s)")
    data = json.loads((out / "btp" / "resultats.json").read_text(encoding="utf-8"))
    assert data["comparison"]["previous"]["date"] == "26/11/2026"


def test_a_broken_earlier_result_does_not_stop_the_customer(tmp_path: Path) -> None:
    root = customers(tmp_path / "clients", ["btp"])
    out = tmp_path / "sortie"
    (out / "btp").mkdir(parents=True)
    (out / "btp" / "resultats.json").write_text("{ cassé", encoding="utf-8")
    results = run_batch(root, out, {"json"}, workers=1, today=date(2026, 12, 1))
    btp = next(r for r in results if r.customer == "btp")
    assert btp.ok and btp.since_last == "" and any("résultat précédent ignoré" in w for w in btp.warnings)


def test_unusable_folder_exit_code_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["batch", str(tmp_path / "absent"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "n'est pas un dossier" in result.output
    (tmp_path / "vide").mkdir()
    result = runner.invoke(app, ["batch", str(tmp_path / "vide"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "aucun sous-dossier de client" in result.output


def test_all_customers_fine_exit_code_0(tmp_path: Path) -> None:
    root = tmp_path / "clients"
    (root / "btp").mkdir(parents=True)
    shutil.copy(SAMPLES / "vmes05-echecs-2003.zip", root / "btp")
    result = runner.invoke(app, ["batch", str(root), "-o", str(root / "sortie"), "--format", "json"])
    assert result.exit_code == 0, result.output  # a "Non prêt" verdict is a result, not a failure
    assert not (root / "sortie" / "sortie").exists()  # the output folder inside DIR is not a customer


def test_attention_order_and_csv_injection() -> None:
    results = [
        CustomerResult(customer="=HYPERLINK(1)", ok=True, verdict="pret", verdict_label="Prêt"),
        CustomerResult(customer="b", ok=True, verdict="non_pret", verdict_label="Non prêt", blocking=2),
        CustomerResult(customer="a", ok=True, verdict="non_pret", verdict_label="Non prêt", blocking=5),
        CustomerResult(customer="c", ok=False, error="illisible"),
        CustomerResult(customer="d", ok=True, verdict="non_pret", verdict_label="Non prêt", blocking=2, unknown=3),
    ]
    assert [r.customer for r in sorted(results, key=attention_key)] == ["c", "a", "d", "b", "=HYPERLINK(1)"]
    assert "'=HYPERLINK(1)" in portfolio_csv(results)


def test_progress_on_a_terminal_uses_a_bar(tmp_path: Path) -> None:
    stream = io.StringIO()
    result = CustomerResult(customer="btp", ok=False, error="illisible", seconds=1.0)
    with batch_progress(stream=stream, terminal=True) as tick:
        tick(result, 1, 2)
    text = stream.getvalue()
    assert "Analyse des clients" in text and "1/2" in text and "Analyse impossible" in text


@pytest.mark.slow
def test_batch_writes_the_pdfs(tmp_path: Path) -> None:
    root = customers(tmp_path / "clients", ["btp", "negoce"])
    results = run_batch(root, tmp_path / "sortie", {"pdf", "json"}, workers=2, today=date(2026, 12, 1))
    for organisation in ("btp", "negoce"):
        assert (tmp_path / "sortie" / organisation / "rapport-vmes.pdf").read_bytes().startswith(b"%PDF")
    assert sum(1 for r in results if not r.ok) == len(BROKEN)


# ---- issue 20: per-customer settings, links never followed ---------------------------------------

def test_a_customer_folder_s_settings_give_the_client_users_answers_and_waivers(tmp_path: Path) -> None:
    root = tmp_path / "clients"
    folder = root / "exemple"
    folder.mkdir(parents=True)
    for sample in ("vmes01-2003-conforme.zip", "exch01-2003sp2.zip"):
        shutil.copy(SAMPLES / sample, folder)
    (folder / "vmes-audit.yaml").write_text(
        'client: "Exemple SA"\nutilisateurs: 350\nreponses: reponses.yaml\nderogations: derogations.yaml\n'
        'auteur:\n  nom: "Jeanne Martin"\n  courriel: "jeanne.martin@integrateur.fr"\n', encoding="utf-8")
    (folder / "reponses.yaml").write_text(
        'repondu_par: "M. Durand, DSI"\ndate: 2026-12-02\nquestions:\n'
        '  - controle: C5\n    reponse: "RAID 1, deux alimentations"\n    conforme: oui\n', encoding="utf-8")
    (folder / "derogations.yaml").write_text(
        "- regle: E2\n  justification: Sans objet, test de la lecture\n  expire: 2099-01-01\n", encoding="utf-8")
    out = tmp_path / "sortie"
    result = runner.invoke(app, ["batch", str(root), "-o", str(out), "--format", "json,html", "--date", "2026-12-06",
                                 "--workers", "1"], env={"VMES_AUDIT_SETTINGS": "off"})
    assert result.exit_code == 0, result.output
    data = json.loads((out / "exemple" / "resultats.json").read_text(encoding="utf-8"))
    assert data["client"] == "Exemple SA" and data["parameters"]["users"] == 350
    assert data["verdict"] == "pret"  # C7 by the users, C5 by the answer
    assert any("Dérogation sans effet : « E2 »" in w for w in data["warnings"])  # E2 is conforming
    html = (out / "exemple" / "rapport-vmes.html").read_text(encoding="utf-8")
    assert "Jeanne Martin" in html and "M. Durand, DSI" in html
    assert "Exemple SA" in (out / "portefeuille.html").read_text(encoding="utf-8")


def test_a_customer_setting_pointing_out_of_its_folder_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "clients"
    folder = root / "exemple"
    folder.mkdir(parents=True)
    shutil.copy(SAMPLES / "vmes01-2003-conforme.zip", folder)
    (tmp_path / "ailleurs.yaml").write_text("questions: []\n", encoding="utf-8")
    (folder / "vmes-audit.yaml").write_text("reponses: ../../ailleurs.yaml\n", encoding="utf-8")
    results = run_batch(root, tmp_path / "sortie", {"json"}, workers=1, today=date(2026, 12, 6))
    assert not results[0].ok and "indiquez un fichier du dossier du client" in results[0].error


def test_a_customer_folder_that_is_a_link_is_skipped_and_said(tmp_path: Path) -> None:
    """docs/collection-format.md: a link is never followed out of the folder given."""
    outside = tmp_path / "ailleurs" / "secret"
    outside.mkdir(parents=True)
    shutil.copy(SAMPLES / "vmes01-2003-conforme.zip", outside)
    root = tmp_path / "clients"
    (root / "vrai").mkdir(parents=True)
    shutil.copy(SAMPLES / "vmes05-echecs-2003.zip", root / "vrai")
    (root / "lien").symlink_to(outside, target_is_directory=True)
    out = tmp_path / "sortie"
    result = runner.invoke(app, ["batch", str(root), "-o", str(out), "--format", "json", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "« lien » est un lien symbolique vers un dossier : il n'est pas suivi" in result.output
    assert not (out / "lien").exists() and (out / "vrai" / "resultats.json").is_file()
    assert [row["client"] for row in _rows(out)] == ["vrai"]
