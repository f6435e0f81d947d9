"""The report: French HTML/PDF from ``reports/`` templates, JSON and CSV.

Input is only ``vmes_audit.base.findings.AssessmentReport``.
"""

from vmes_audit.report.render import (
    OUTPUT_NAMES,
    render_html,
    render_pdf,
    reports_dir,
    write_csv,
    write_json,
    write_outputs,
)

__all__ = ["OUTPUT_NAMES", "render_html", "render_pdf", "reports_dir", "write_csv",
           "write_json", "write_outputs"]
