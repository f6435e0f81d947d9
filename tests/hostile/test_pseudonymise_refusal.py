"""Issue 18, fail-closed pseudonymisation: a customer name that survives in any output stops the run
before anything is written (exit code 6), and the French message says which name, in which output,
where. The renderer is made to leak (a template or an exporter that prints data of its own); the
scan's rule itself is tested in ``test_pseudonymise_scan.py``."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest
from typer.testing import CliRunner

from tests.hostile.kit import SAMPLES
from vmes_audit.cli.french_cli import ExitCode
from vmes_audit.cli.main import app
from vmes_audit.report import render
from vmes_audit.workflows.pseudonymise import default_mapping_path

runner = CliRunner()
BTP = SAMPLES / "vmes05-echecs-2003.zip"
EARLIER = "rapport d'un audit précédent, à garder tel quel\n"


def _analyse(out: Path, formats: str, *extra: str):
    out.mkdir(parents=True, exist_ok=True)
    (out / "resultats.json").write_text(EARLIER, encoding="utf-8")
    return runner.invoke(app, ["analyze", str(BTP), "-o", str(out), "--format", formats, "--pseudonymise",
                               "--date", "2026-12-01", *extra])


def _nothing_written(out: Path) -> None:
    assert sorted(p.name for p in out.iterdir()) == ["resultats.json"]  # no report, no temporary file
    assert (out / "resultats.json").read_text(encoding="utf-8") == EARLIER
    assert not default_mapping_path(out).exists()


def test_a_name_a_template_prints_itself_stops_the_run(tmp_path: Path) -> None:
    original = render.render_html

    def leaky(report, *args, **kwargs):  # a template that reads the collection's host name from somewhere else
        return original(report, *args, **kwargs).replace(
            "</body>", "<p>Serveur de messagerie EX<b>BTP01</b></p></body>")

    out = tmp_path / "out"
    with mock.patch.object(render, "render_html", leaky):
        result = _analyse(out, "json,html,csv")
    assert result.exit_code == ExitCode.LEAK == 6, result.output
    assert "pseudonymisation incomplète, rapport non écrit" in result.output
    assert "« EXBTP01 » (serveur) dans rapport-vmes.html, texte affiché" in result.output  # split by a tag
    assert "Aucun fichier n'a été écrit" in result.output and "Traceback" not in result.output
    _nothing_written(out)
    # without the leak, the same run writes everything (--force: the planted resultats.json is of no
    # known report, which issue 20 refuses to mix with this one)
    result = _analyse(tmp_path / "ok", "json,html,csv", "--force")
    assert result.exit_code == 0, result.output
    assert default_mapping_path(tmp_path / "ok").exists()


def test_a_name_in_the_json_and_the_csv_is_named_with_its_place(tmp_path: Path) -> None:
    json_text, csv_bytes = render.json_text, render.csv_bytes

    def leaky_json(report):
        data = json.loads(json_text(report))
        data["findings"][3]["details"] = ["collecte de vmes05.exemple-btp.fr"]
        return json.dumps(data, ensure_ascii=True)  # escaped: é as \u00e9, the check reads the strings

    def leaky_csv(report):
        return csv_bytes(report) + "f0;x;Jean Martin (admin)\r\n".encode("utf-8")

    out = tmp_path / "out"
    with mock.patch.object(render, "json_text", leaky_json), mock.patch.object(render, "csv_bytes", leaky_csv):
        result = _analyse(out, "json,csv")
    assert result.exit_code == ExitCode.LEAK, result.output
    assert "dans resultats.json, findings[3].details[0]" in result.output
    assert "« VMES05 » (serveur" in result.output and "« exemple-btp" in result.output
    assert "« Jean Martin (admin) » (objet) dans resultats.csv, ligne" in result.output
    _nothing_written(out)


def test_the_exit_code_is_documented() -> None:
    result = runner.invoke(app, ["analyze", "--help"])
    assert "6    rapport non écrit : la pseudonymisation laisserait des noms du client" in result.output
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "| 6 | " in readme


@pytest.mark.slow
def test_a_name_in_the_pdf_alone_stops_the_run(tmp_path: Path) -> None:
    """The PDF's text is read as weasyprint laid it out: a name printed only in the PDF (CSS
    generated content, here) is found, with its page."""
    original = render.render_html

    def leaky(report, *args, **kwargs):  # the PDF's HTML has no <style> of its own (issue 20): one in <head>
        return original(report, *args, **kwargs).replace(
            "</head>", "<style>body::after { content: 'EXBTP02'; }</style></head>", 1)

    out = tmp_path / "out"
    with mock.patch.object(render, "render_html", leaky):
        result = _analyse(out, "pdf,json")
    assert result.exit_code == ExitCode.LEAK, result.output
    assert "« EXBTP02 » (serveur) dans rapport-vmes.pdf, page" in result.output
    assert "rapport-vmes.html" not in result.output
    _nothing_written(out)
