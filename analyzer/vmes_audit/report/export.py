"""Machine-readable outputs: ``resultats.json`` and ``resultats.csv``.

Both are a stable interface documented in ``reports/README-json.md``; bump
``SCHEMA_VERSION`` on any incompatible change (a removed or renamed field, a
changed meaning) and only add fields otherwise.

The JSON is deterministic: keys sorted, lists in reading order (``view.py``),
``ensure_ascii=False``, two-space indent, one trailing newline.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

from vmes_audit.base.findings import (
    COMPARISON_LABELS,
    SEVERITY_LABELS,
    STATE_LABELS,
    VERDICT_LABELS,
    ActionPlan,
    AssessmentReport,
    Comparison,
    Finding,
)

from vmes_audit.base.french import file_name
from vmes_audit.base.output_folder import write_file
from vmes_audit.base.findings import ordered_findings
from vmes_audit.report.view import count_states, is_blocking

SCHEMA_VERSION = "1.0"

CSV_COLUMNS = (
    "section", "catalogue", "rule_id", "state", "state_label", "severity", "severity_label",
    "blocking", "host", "subject", "title", "message", "observed", "expected", "remediation",
    "evidence", "references", "waiver",
)
# A cell whose text starts with one of these is a formula for Excel or LibreOffice (CSV
# injection, OWASP), also after Unicode compatibility normalisation (NFKC folds the
# full-width '＝' and the small '﹢' to '=' and '+') and after the blanks and line breaks
# a spreadsheet skips; a cell starting with TAB, CR or LF is neutralised whatever follows.
_FORMULA_START = ("=", "+", "-", "@")
_CONTROL_START = ("\t", "\r", "\n")


def finding_dict(finding: Finding, section_titles: dict[str, str]) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "catalogue": finding.catalogue,
        "section": finding.section,
        "section_title": section_titles.get(finding.section, ""),
        "title": finding.title,
        "state": finding.state.value,
        "state_label": STATE_LABELS[finding.state],
        "severity": finding.severity.value,
        "severity_label": SEVERITY_LABELS[finding.severity],
        "blocking": is_blocking(finding),
        "host": finding.host,
        "subject": finding.subject,
        "message": finding.message,
        "observed": finding.observed,
        "expected": finding.expected,
        "why": finding.why,
        "remediation": finding.remediation,
        "addressed_to": finding.addressed_to,
        "manual_check": finding.manual_check,
        "question": finding.question,
        "waiver": finding.waiver,
        "answer": finding.answer.model_dump() if finding.answer is not None else None,
        "asks": finding.asks,
        "evidence": list(finding.evidence),
        "details": list(finding.details),
        "references": [ref.model_dump() for ref in finding.references],
    }


def report_dict(report: AssessmentReport) -> dict[str, Any]:
    """The whole JSON document as plain Python data."""
    titles = dict(report.sections)
    findings = ordered_findings(report)
    by_section: dict[str, dict[str, int]] = {}
    for letter in dict.fromkeys([s for s, _ in report.sections] + [f.section for f in findings]):
        counts = count_states([f for f in findings if f.section == letter])
        by_section[letter] = {state.value: n for state, n in counts.items()}
    doc = {
        "schema_version": SCHEMA_VERSION,
        "verdict": report.verdict.value,
        "verdict_label": VERDICT_LABELS[report.verdict],
        "verdict_reasons": list(report.verdict_reasons),
        "client": report.client,
        "generated_on": report.generated_on,
        "pack": {
            "id": report.pack_id,
            "version": report.pack_version,
            "date": report.pack_date,
            "vmes_release": report.vmes_release,
        },
        "analyzer_version": report.analyzer_version,
        "parameters": dict(report.parameters),
        "counts": {state.value: n for state, n in count_states(report.findings).items()},
        "counts_by_section": by_section,
        "total": len(findings),
        "sections": [{"id": letter, "title": title} for letter, title in report.sections],
        "hosts": [{
            "hostname": h.hostname,
            "mode": h.mode,
            "collector_version": h.collector_version,
            "format_version": h.format_version,
            "run_as": h.run_as,
            "run_as_sid": h.run_as_sid,
            "started": h.started,
            "ended": h.ended,
            "inventory": [{"label": label, "value": value} for label, value in h.inventory],
            "warnings": list(h.warnings),
        } for h in report.hosts],
        "inputs": [{"name": file_name(i.path), "sha256": i.sha256, "size": i.size,
                    "kind": i.kind} for i in report.inputs],
        "artifacts": [a.model_dump() for a in report.artifacts],
        "warnings": list(report.warnings),
        "findings": [finding_dict(f, titles) for f in findings],
    }
    add_beyond_blocks(doc, report)
    return doc


# ---- Beyond one report (issue 11): comparison, action plan, pseudonymisation ----

def comparison_dict(comparison: Comparison) -> dict[str, Any]:
    from vmes_audit.assessment.compare import status_counts

    found = status_counts(comparison)
    counts = {status: found[status] for status in COMPARISON_LABELS}
    return {
        "previous": {
            "date": comparison.previous_date,
            "verdict": comparison.previous_verdict.value,
            "verdict_label": VERDICT_LABELS[comparison.previous_verdict],
            "client": comparison.previous_client,
            "pack": {"id": comparison.previous_pack_id, "version": comparison.previous_pack_version,
                     "date": comparison.previous_pack_date},
            "analyzer_version": comparison.previous_analyzer_version,
        },
        "pack_changed": comparison.pack_changed,
        "pack_note": comparison.pack_note,
        "new_rules": list(comparison.new_rules),
        "removed_rules": list(comparison.removed_rules),
        "counts": counts,
        "warnings": list(comparison.warnings),
        "items": [{
            "status": item.status,
            "status_label": COMPARISON_LABELS[item.status],
            "fingerprint": item.fingerprint,
            "rule_id": item.rule_id,
            "catalogue": item.catalogue,
            "title": item.title,
            "host": item.host,
            "subject": item.subject,
            "severity": item.severity.value,
            "old_state": item.old_state.value if item.old_state is not None else None,
            "new_state": item.new_state.value if item.new_state is not None else None,
            "open": item.open,
            "message": item.message,
        } for item in comparison.items],
    }


def action_plan_dict(plan: ActionPlan) -> dict[str, Any]:
    return {
        "note": plan.note,
        "roles": [{
            "id": group.role,
            "title": group.title,
            "steps": [{
                "number": step.number,
                "rule_id": step.rule_id,
                "catalogue": step.catalogue,
                "title": step.title,
                "host": step.host,
                "subject": step.subject,
                "state": step.state.value,
                "state_label": STATE_LABELS[step.state],
                "severity": step.severity.value,
                "message": step.message,
                "remediation": step.remediation,
                "addressed_to": step.addressed_to,
                "verification": step.verification,
                "after": list(step.after),
            } for step in group.steps],
        } for group in plan.groups],
    }


def add_beyond_blocks(doc: dict[str, Any], report: AssessmentReport) -> None:
    """The optional blocks of ``reports/README-json.md`` (« Comparaison, plan d'action,
    pseudonymisation »), each present only when it has something to say."""
    if report.rule_ids:
        doc["pack"]["rules"] = list(report.rule_ids)
    if report.pseudonymised:
        doc["pseudonymised"] = True
    if report.comparison is not None:
        doc["comparison"] = comparison_dict(report.comparison)
    if report.action_plan is not None:
        doc["action_plan"] = action_plan_dict(report.action_plan)


def json_text(report: AssessmentReport) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_json(report: AssessmentReport, path: Path) -> None:
    write_file(path, json_text(report).encode("utf-8"))


def _skippable(char: str) -> bool:
    """What a spreadsheet may skip before an '=': blanks, line breaks, controls, invisible formats."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def is_formula(value: str) -> bool:
    """Could a spreadsheet read this cell as a formula (or a DDE call)?

    >>> [is_formula(v) for v in ["=1+1", "\\uff1dcmd|' /C calc'!A0", " \\r\\n@SUM(A1)", "\\u200b-2+3"]]
    [True, True, True, True]
    >>> [is_formula(v) for v in ["Exchange 2003", "", "a=b", "   "]]
    [False, False, False, False]
    """
    if value.startswith(_CONTROL_START):
        return True
    text = unicodedata.normalize("NFKC", value)
    index = 0
    while index < len(text) and _skippable(text[index]):
        index += 1
    return index < len(text) and text[index] in _FORMULA_START


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas: the cell gets a leading ``'`` and shows as text, not run.

    >>> _cell("=HYPERLINK(1)"), _cell("Exchange 2003"), _cell("\\uff0bcmd"), _cell("  -1")
    ("'=HYPERLINK(1)", 'Exchange 2003', "'＋cmd", "'  -1")
    """
    return "'" + value if is_formula(value) else value


def csv_text(report: AssessmentReport) -> str:
    """CSV for Excel FR: ';' separator, CRLF rows, every field quoted if needed."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    titles = dict(report.sections)
    for finding in ordered_findings(report):
        row = finding_dict(finding, titles)
        row["blocking"] = "oui" if row["blocking"] else "non"
        row["evidence"] = ", ".join(finding.evidence)
        row["references"] = ", ".join(
            f"{ref.id} ({ref.url})" if ref.url else ref.id for ref in finding.references)
        writer.writerow([_cell(str(row[column])) for column in CSV_COLUMNS])
    return buffer.getvalue()


def csv_bytes(report: AssessmentReport) -> bytes:
    # utf-8-sig writes the BOM that makes Excel read the file as UTF-8.
    return csv_text(report).encode("utf-8-sig")


def write_csv(report: AssessmentReport, path: Path) -> None:
    write_file(path, csv_bytes(report))


__all__ = ["SCHEMA_VERSION", "CSV_COLUMNS", "report_dict", "json_text", "write_json",
           "csv_text", "csv_bytes", "write_csv", "is_formula"]
