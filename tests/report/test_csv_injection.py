"""No CSV cell of any sample or of a hostile input starts a formula (issue 13, OWASP CSV injection).

The spreadsheet is stood in for by ``csv_formula.spreadsheet_formula`` (its
docstring says how, and how LibreOffice itself was checked).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.report.csv_formula import HOSTILE_CELLS, spreadsheet_formula
from vmes_audit.cli.main import app
from vmes_audit.report.export import csv_text, is_formula

runner = CliRunner()


def _cells(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return [cell for row in rows for cell in row]


def test_the_check_is_not_vacuous() -> None:
    """Every hostile value, written raw, is a formula for the check."""
    assert all(spreadsheet_formula(cell) for cell in HOSTILE_CELLS)
    assert not any(spreadsheet_formula(c) for c in ["Exchange 2003 SP2", "a=b", "'=1+1", "", "SP1 - KB891509"])


@pytest.mark.parametrize("field", ["message", "host", "subject", "observed", "remediation", "title"])
def test_hostile_values_are_neutralised_and_kept(report, field: str) -> None:
    findings = [report.findings[0].model_copy(update={field: value}) for value in HOSTILE_CELLS]
    text = csv_text(report.model_copy(update={"findings": findings}))
    cells = _cells(text)
    assert [c for c in cells if spreadsheet_formula(c)] == []
    for value in HOSTILE_CELLS:
        assert "'" + value in cells  # the value itself survives, behind the apostrophe


def test_neutralisation_matches_the_spreadsheet_check() -> None:
    samples = HOSTILE_CELLS + ["Exchange 2003", "", "  ", "-", "- Installer le SP2", "5 %", "'déjà protégé"]
    for value in samples:
        assert is_formula(value) == spreadsheet_formula(value), repr(value)


def _hostile_collection(samples_dir: Path, target: Path) -> Path:
    """The vmes01 sample whose host and domain names are formulas (full-width, after blanks)."""
    source = zipfile.ZipFile(samples_dir / "vmes01-2003-conforme.zip")
    manifest = json.loads(source.read("manifest.json"))
    manifest["host"]["name"] = "\uff1dcmd|' /C calc'!A0"
    manifest["host"]["dns_domain"] = " =HYPERLINK(\"http://x\")"
    manifest["run_as"]["name"] = "\t@SUM(1)"
    with zipfile.ZipFile(target, "w") as archive:
        for info in source.infolist():
            if info.filename != "manifest.json":
                archive.writestr(info.filename, source.read(info.filename))
        archive.writestr("manifest.json", json.dumps(manifest))
    return target


def _inputs(samples_dir: Path, tmp_path: Path) -> list[Path]:
    return sorted(samples_dir.glob("*.zip")) + [samples_dir / "loose-workgroup",
                                                _hostile_collection(samples_dir, tmp_path / "hostile.zip")]


def test_no_cell_of_any_sample_or_hostile_input_starts_a_formula(samples_dir: Path, tmp_path: Path) -> None:
    checked = 0
    for index, sample in enumerate(_inputs(samples_dir, tmp_path)):
        out = tmp_path / f"out{index}"
        result = runner.invoke(app, ["analyze", str(sample), "-o", str(out), "--format", "csv",
                                     "--date", "2026-12-01"])
        assert result.exit_code == 0, result.output
        text = (out / "resultats.csv").read_bytes().decode("utf-8-sig")
        cells = _cells(text)
        formulas = [c for c in cells if spreadsheet_formula(c)]
        assert formulas == [], f"{sample.name}: {formulas}"
        checked += len(cells)
        if sample.name == "hostile.zip":
            assert "'\uff1dCMD|' /C CALC'!A0" in cells  # the host column, neutralised
    assert checked > 5000
