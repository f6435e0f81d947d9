"""The command line, as a presales engineer uses it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vmes_audit import __version__
from vmes_audit.cli.main import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_help_is_french() -> None:
    result = runner.invoke(app, ["analyze", "--help"])
    assert result.exit_code == 0 and "Dossier de sortie" in result.output


def test_rules_list_json() -> None:
    result = runner.invoke(app, ["rules", "list", "--format", "json"])
    rules = json.loads(result.output)
    assert {"d2-not-domain-controller", "e2-ie-esc-admins", "h2-collection-complete"} <= {r["id"] for r in rules}


def test_rules_show_and_unknown() -> None:
    assert "contrôleur de domaine" in runner.invoke(app, ["rules", "show", "d2-not-domain-controller"]).output
    result = runner.invoke(app, ["rules", "show", "z9-nope"])
    assert result.exit_code != 0 and "règle inconnue" in result.output


def test_rules_lint_ok() -> None:
    result = runner.invoke(app, ["rules", "lint"])
    assert result.exit_code == 0, result.output
    assert ": OK" in result.output


def test_analyze_json_only(samples_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(samples_dir / "srvdc01-2000-non-conforme.zip"), "-o", str(tmp_path),
                                 "--format", "json,csv", "--users", "300", "--client", "Industrie & Fils"])
    assert result.exit_code == 0, result.output
    assert "Verdict : Non prêt" in result.output
    data = json.loads((tmp_path / "resultats.json").read_text(encoding="utf-8"))
    assert data["verdict"] == "non_pret"
    assert {"rule_id", "catalogue", "state", "severity", "host", "message"} <= set(data["findings"][0])
    sizing = next(f for f in data["findings"] if f["rule_id"] == "c7-sizing")
    assert sizing["state"] == "pass"
    assert (tmp_path / "resultats.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_analyze_account_override(samples_dir: Path, tmp_path: Path) -> None:
    # vmes07 has no directory data: H1 falls back to comparing the account names
    result = runner.invoke(app, ["analyze", str(samples_dir / "vmes07-2003sp2-tse.zip"), "-o", str(tmp_path),
                                 "--format", "json", "--account", "Administrateur"])
    data = json.loads((tmp_path / "resultats.json").read_text(encoding="utf-8"))
    h1 = next(f for f in data["findings"] if f["rule_id"] == "h1-run-as-service-account")
    assert h1["state"] == "pass", result.output
    assert "interrogés sur le compte « VistoAdmin »" in result.output


def test_an_account_the_collection_did_not_look_up_is_never_judged(samples_dir: Path, tmp_path: Path) -> None:
    """Issue 18: ``--account X`` when the collector looked up VistoAdmin. Before, the report stated facts about
    X it never observed (« X est membre du groupe Administrateurs », X's mailbox…) and said « Prêt sous réserve »;
    the evidence belongs to VistoAdmin, so every check of the account is « Non évaluable », with the reason."""
    result = runner.invoke(app, ["analyze", str(samples_dir / "vmes01-2003-conforme.zip"),
                                 str(samples_dir / "exch01-2003sp2.zip"), "-o", str(tmp_path), "--format", "json",
                                 "--account", "svc-autre", "--date", "2026-12-01"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "resultats.json").read_text(encoding="utf-8"))
    by_rule = {f["rule_id"]: f for f in data["findings"]}
    for rule in ("f1-account-exists-enabled", "f2-domain-users", "f3-not-domain-admin", "f4-mailbox",
                 "f5-visible-in-gal", "f9-server-permissions", "f10-send-as-domain"):
        assert by_rule[rule]["state"] == "unknown", (rule, by_rule[rule]["message"])
        assert "« VistoAdmin »" in by_rule[rule]["message"] and "« svc-autre »" in by_rule[rule]["message"], rule
    for finding in data["findings"]:
        if finding["state"] in ("pass", "fail", "warn"):
            assert "svc-autre est membre" not in finding["message"], finding
    assert data["verdict"] == "non_pret"


@pytest.mark.parametrize("args,message", [
    (["analyze", "/nonexistent/collecte.zip"], "n'existe pas"),
    (["analyze", "--format", "docx", "x"], "format inconnu"),
    (["facts", "--table", "nope", "x"], "table inconnue"),
])
def test_errors_are_french_and_nonzero(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert message in result.output


def test_facts_on_loose_folder(tmp_path: Path) -> None:
    capture = Path(__file__).resolve().parents[1] / "data" / "captures" / "systeminfo_fr_cp850.txt"
    (tmp_path / "systeminfo.txt").write_bytes(capture.read_bytes())
    result = runner.invoke(app, ["facts", str(tmp_path), "--table", "host", "--format", "json"])
    assert result.exit_code == 0, result.output
    host = json.loads(result.output)[0]
    assert host["os_version"] == "5.2.3790" and host["domain_role"] == "member_server"


def test_facts_csv(samples_dir: Path) -> None:
    result = runner.invoke(app, ["facts", str(samples_dir / "vmes01-2003-conforme.zip"), "--table", "disks",
                                 "--format", "csv"])
    assert result.exit_code == 0 and "C:" in result.output
