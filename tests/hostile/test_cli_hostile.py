"""The command line on hostile input: no traceback, escaped console lines, strict dates, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.hostile.kit import SAMPLES, SampleZip
from vmes_audit.cli.main import app
from vmes_audit.cli.french_cli import ExitCode

EXIT_OK, EXIT_INPUT, EXIT_INTERNAL = ExitCode.OK, ExitCode.INPUT, ExitCode.INTERNAL

runner = CliRunner()
BASE = SAMPLES / "vmes01-2003-conforme.zip"


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.zip")) + ["loose-workgroup"])
def test_facts_json_works_on_every_sample(sample: str) -> None:
    result = runner.invoke(app, ["facts", str(SAMPLES / sample), "--format", "json"])
    assert result.exit_code == EXIT_OK, result.output[-2000:]
    tables = json.loads(result.output)
    assert "host" in tables and "registry" in tables


def test_binary_registry_values_are_hex_in_json() -> None:
    result = runner.invoke(app, ["facts", str(SAMPLES / "vmes06-echecs-2007.zip"), "--table", "registry"])
    assert result.exit_code == EXIT_OK
    rows = json.loads(result.output)
    binary = [r for r in rows if r["type"] == "REG_BINARY"]
    assert binary and all(isinstance(r["value"], str) and set(r["value"]) <= set("0123456789abcdef")
                          for r in binary)


def test_terminal_escape_sequences_are_escaped_in_console_lines(tmp_path: Path) -> None:
    sample = SampleZip.open("vmes01-2003-conforme")
    sample.extra_entries.append(("\x1b[2J\x1b]0;pwned\x07x.txt", b"x"))
    path = sample.write(tmp_path / "c.zip")
    result = runner.invoke(app, ["analyze", str(path), "-o", str(tmp_path / "out"), "--format", "json"])
    assert result.exit_code == EXIT_OK, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b[2J" in result.output


@pytest.mark.parametrize("value,message", [
    ("1899-12-31", "hors de la plage"), ("1903-06-01", "hors de la plage"), ("2100-01-01", "hors de la plage"),
    ("20261120", "format attendu"), ("2026-W47-5", "format attendu"), ("26-11-2026", "format attendu"),
    ("2026-02-30", "n'existe pas"), ("２０２６-11-20", "format attendu"),
])
def test_strict_report_date(value: str, message: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(BASE), "-o", str(tmp_path), "--format", "json", "--date", value])
    assert result.exit_code == EXIT_INPUT, result.output
    assert message in result.output and "Traceback" not in result.output


def test_date_wins_over_source_date_epoch(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")  # 2001-09-09
    result = runner.invoke(app, ["analyze", str(BASE), "-o", str(tmp_path), "--format", "json",
                                 "--date", "2026-11-20"])
    assert result.exit_code == EXIT_OK, result.output
    assert json.loads((tmp_path / "resultats.json").read_text(encoding="utf-8"))["generated_on"] == "20/11/2026"
    import os

    assert os.environ["SOURCE_DATE_EPOCH"] == "1000000000"  # restored after writing


def test_an_invalid_source_date_epoch_is_ignored(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "-99999999999")
    result = runner.invoke(app, ["analyze", str(BASE), "-o", str(tmp_path), "--format", "json"])
    assert result.exit_code == EXIT_OK and "SOURCE_DATE_EPOCH" in result.output


@pytest.mark.slow
def test_pdf_with_date_does_not_depend_on_the_environment(tmp_path: Path, monkeypatch) -> None:
    args = ["analyze", str(BASE), "--format", "pdf", "--date", "2026-11-20"]
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert runner.invoke(app, args + ["-o", str(tmp_path / "a")]).exit_code == EXIT_OK
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")  # another date (1970): --date must win
    assert runner.invoke(app, args + ["-o", str(tmp_path / "b")]).exit_code == EXIT_OK
    assert (tmp_path / "a" / "rapport-vmes.pdf").read_bytes() == (tmp_path / "b" / "rapport-vmes.pdf").read_bytes()


def test_exit_code_zero_when_a_report_is_written_despite_a_broken_input(tmp_path: Path) -> None:
    broken = tmp_path / "casse.zip"
    broken.write_bytes(b"PK\x03\x04 broken")
    result = runner.invoke(app, ["analyze", str(BASE), str(broken), "-o", str(tmp_path / "out"), "--format", "json"])
    assert result.exit_code == EXIT_OK, result.output
    assert "Entrée illisible, non analysée" in result.output
    data = json.loads((tmp_path / "out" / "resultats.json").read_text(encoding="utf-8"))
    assert data["verdict"] != "pret"


def test_exit_code_two_when_nothing_can_be_read(tmp_path: Path) -> None:
    broken = tmp_path / "casse.zip"
    broken.write_bytes(b"PK\x03\x04 broken")
    result = runner.invoke(app, ["analyze", str(broken), "-o", str(tmp_path / "out")])
    assert result.exit_code == EXIT_INPUT and "n'est pas une archive zip lisible" in result.output


def test_an_unexpected_internal_error_is_a_french_message_and_exit_five(tmp_path: Path, monkeypatch) -> None:
    import vmes_audit.assessment.run as assessment

    def boom(*_args, **_kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(assessment, "build_facts", boom)
    result = runner.invoke(app, ["analyze", str(BASE), "-o", str(tmp_path), "--format", "json"])
    assert result.exit_code == EXIT_INTERNAL
    assert "Erreur interne" in result.output and "panne simulée" in result.output
    assert "Traceback" not in result.output


def test_an_internal_error_in_one_part_still_writes_the_report(tmp_path: Path, monkeypatch) -> None:
    import vmes_audit.facts.build as facts_module

    def broken_network(_facts):
        raise KeyError("colonne imprévue")

    builders = list(facts_module._ASSESSMENT_BUILDERS)
    monkeypatch.setattr(facts_module, "_ASSESSMENT_BUILDERS", [b if b.__module__.endswith("directory")
                                                               else broken_network for b in builders])
    result = runner.invoke(app, ["analyze", str(BASE), "-o", str(tmp_path), "--format", "json"])
    assert result.exit_code == EXIT_OK, result.output
    assert "erreur interne de l'analyseur" in result.output
    data = json.loads((tmp_path / "resultats.json").read_text(encoding="utf-8"))
    e1 = next(f for f in data["findings"] if f["rule_id"] == "e1-noc-https")
    assert e1["state"] == "unknown" and "erreur interne" in e1["message"]
    assert data["verdict"] == "non_pret"
