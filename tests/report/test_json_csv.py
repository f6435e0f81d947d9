"""resultats.json and resultats.csv: the documented interface (reports/README-json.md)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from vmes_audit.base.findings import State
from vmes_audit.report import write_csv, write_json
from vmes_audit.report.export import CSV_COLUMNS, SCHEMA_VERSION

TOP_LEVEL = {"schema_version", "verdict", "verdict_label", "verdict_reasons", "client",
             "generated_on", "pack", "analyzer_version", "parameters", "counts",
             "counts_by_section", "total", "sections", "hosts", "inputs", "artifacts",
             "warnings", "findings"}
FINDING_FIELDS = {"rule_id", "catalogue", "section", "section_title", "title", "state",
                  "state_label", "severity", "severity_label", "blocking", "host", "subject",
                  "message", "observed", "expected", "why", "remediation", "manual_check",
                  "question", "waiver", "evidence", "details", "references",
                  "answer", "asks", "addressed_to"}  # answer, asks: added within 1.0 (issue 20); addressed_to (issue 19)


def test_json_schema_fields(report, tmp_path: Path, hostile):
    path = tmp_path / "resultats.json"
    write_json(report, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == TOP_LEVEL
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["verdict"] == "non_pret" and data["verdict_label"] == "Non prêt"
    assert data["pack"] == {"id": "vmes-5.5", "version": "1.0.0", "date": "2024-02-28",
                            "vmes_release": "5.5"}
    assert set(data["counts"]) == {s.value for s in State}
    assert sum(data["counts"].values()) == data["total"] == len(report.findings)
    assert data["counts_by_section"]["F"]["fail"] == 2
    assert [s["id"] for s in data["sections"]] == list("ABCDEFGH")
    assert data["inputs"][0]["name"] == "collecte-VMES01-20240305.zip"
    assert "path" not in data["inputs"][0]
    assert data["hosts"][0]["inventory"][0] == {
        "label": "Système", "value": "Microsoft Windows Server 2003 R2 Standard Edition SP2"}
    assert len(data["findings"]) == len(report.findings)
    for finding in data["findings"]:
        assert set(finding) == FINDING_FIELDS
        assert finding["state"] in {"pass", "fail", "warn", "manual", "unknown", "n/a", "waived"}
    kb = next(f for f in data["findings"] if f["catalogue"] == "B1")["references"][0]
    assert kb == {"kind": "kb", "id": "891509", "title": kb["title"],
                  "url": "http://support.microsoft.com/?kbid=891509"}
    assert any(f["message"] == hostile for f in data["findings"])  # raw, not HTML-escaped


def test_json_is_deterministic_and_readable(report, report_factory, tmp_path: Path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    write_json(report, first)
    write_json(report_factory(), second)
    raw = first.read_bytes()
    assert raw == second.read_bytes()
    assert raw.endswith(b"}\n") and not raw.endswith(b"\n\n")
    assert "Non prêt".encode() in raw  # ensure_ascii=False
    assert b'\n  "analyzer_version"' in raw  # indent 2, sorted keys


def test_csv_has_one_row_per_finding_and_opens_in_excel_fr(report, tmp_path: Path):
    path = tmp_path / "resultats.csv"
    write_csv(report, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(report.findings)
    f3 = next(r for r in rows if r["catalogue"] == "F3")
    assert f3["state"] == "fail" and f3["state_label"] == "Non conforme"
    assert f3["blocking"] == "oui"
    assert f3["remediation"].count("\n") == 2  # multi-line cell survives
    assert f3["evidence"] == "ad_service_account, ad_token_groups"


def test_csv_neutralises_spreadsheet_formulas(report, tmp_path: Path):
    finding = report.findings[0].model_copy(update={"message": "=HYPERLINK(\"x\")"})
    path = tmp_path / "r.csv"
    write_csv(report.model_copy(update={"findings": [finding]}), path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle, delimiter=";"))
    assert row["message"] == "'=HYPERLINK(\"x\")"


def test_csv_is_deterministic(report, report_factory, tmp_path: Path):
    write_csv(report, tmp_path / "a.csv")
    write_csv(report_factory(), tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
