"""The portfolio of a batch: ``portefeuille.html`` and ``portefeuille.csv``,
one line per customer folder, in the order of what needs attention
(``batch.attention_key``).

Columns: customer, collection date, verdict, blocking points, « Non
évaluable » count, evolution since the last audit (when an earlier result
existed), the report folder, and the error for a folder that could not be
analysed. The CSV follows the conventions of ``resultats.csv``
(``reports/README-json.md``): UTF-8 with BOM, ``;``, CRLF, formulas neutralised.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from vmes_audit.report.export import _cell

__all__ = ["PORTFOLIO_COLUMNS", "portfolio_csv", "portfolio_html", "write_portfolio"]

PORTFOLIO_COLUMNS = ("client", "date_collecte", "verdict", "verdict_label", "points_bloquants", "non_evaluables",
                     "depuis_dernier_audit", "dossier_rapport", "erreur")


def _row(result) -> dict[str, str]:
    return {
        "client": result.customer,
        "date_collecte": result.collected_on,
        "verdict": result.verdict if result.ok else "erreur",
        "verdict_label": result.verdict_label if result.ok else "Analyse impossible",
        "points_bloquants": str(result.blocking) if result.ok else "",
        "non_evaluables": str(result.unknown) if result.ok else "",
        "depuis_dernier_audit": result.since_last,
        "dossier_rapport": f"{result.report_dir}/" if result.ok else "",
        "erreur": result.error,
    }


def portfolio_csv(results: list) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(PORTFOLIO_COLUMNS)
    for result in results:
        row = _row(result)
        writer.writerow([_cell(row[c]) for c in PORTFOLIO_COLUMNS])
    return buffer.getvalue()


def portfolio_html(results: list, today: date) -> str:
    import jinja2

    from vmes_audit.report.render import reports_dir

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(reports_dir()), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    failed = sum(1 for r in results if not r.ok)
    counts = {v: sum(1 for r in results if r.ok and r.verdict == v) for v in ("non_pret", "pret_sous_reserve", "pret")}
    return env.get_template("portfolio.html.j2").render(
        results=results, rows=[(_row(r), r) for r in results], failed=failed, counts=counts,
        generated_on=today.strftime("%d/%m/%Y"))


def write_portfolio(results: list, out: Path, today: date) -> dict[str, Path]:
    from vmes_audit.base.output_folder import write_files

    written = write_files(Path(out), {"portefeuille.html": portfolio_html(results, today).encode("utf-8"),
                                      "portefeuille.csv": portfolio_csv(results).encode("utf-8-sig")})
    return {"html": written["portefeuille.html"], "csv": written["portefeuille.csv"]}
