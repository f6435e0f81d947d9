"""Slow end to end: PDF written; JSON, HTML, CSV and PDF identical byte for byte across runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vmes_audit.cli.main import app

runner = CliRunner()


@pytest.mark.slow
def test_pdf_and_determinism(samples_dir: Path, tmp_path: Path) -> None:
    sample = samples_dir / "srvdc01-2000-non-conforme.zip"
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        result = runner.invoke(app, ["analyze", str(sample), "-o", str(out), "--client", "Exemple Industrie",
                                     "--date", "2026-11-20"])
        assert result.exit_code == 0, result.output
    pdf = (first / "rapport-vmes.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    for name in ("resultats.json", "rapport-vmes.html", "resultats.csv", "rapport-vmes.pdf"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    text = subprocess.run(["pdftotext", str(first / "rapport-vmes.pdf"), "-"], capture_output=True, text=True)
    if text.returncode == 0:
        assert "Non prêt" in text.stdout
        assert "contrôleur de domaine" in text.stdout
