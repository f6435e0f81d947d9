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
    assert "collectées pour le compte « VistoAdmin »" in result.output


def test_account_override_does_not_hide_a_sid_mismatch(samples_dir: Path, tmp_path: Path) -> None:
    """srvdc01 was collected by INDUS\\Administrator for VistoAdmin: the SIDs differ, whatever --account says."""
    runner.invoke(app, ["analyze", str(samples_dir / "srvdc01-2000-non-conforme.zip"), "-o", str(tmp_path),
                        "--format", "json", "--account", "Administrator"])
    data = json.loads((tmp_path / "resultats.json").read_text(encoding="utf-8"))
    h1 = next(f for f in data["findings"] if f["rule_id"] == "h1-run-as-service-account")
    assert h1["state"] == "fail" and "S-1-5-21-2025429265-688789844-1177238915-500" in h1["message"]


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
