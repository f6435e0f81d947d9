"""The French report: jinja2 templates of ``reports/`` → HTML → weasyprint PDF.

The HTML and the PDF come from the same template (``reports/report.html.j2``,
one partial per part in ``reports/partials/``). The CSS is inlined in the HTML
so ``rapport-vmes.html`` stands alone; its fonts (``url(fonts/…)``) resolve
against the reports folder when weasyprint renders the PDF, and no other
resource is ever fetched: ``LocalOnlyFetcher`` refuses anything that is not a
file under that folder (the PDF renders offline, identically everywhere).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup

from vmes_audit.models import SEVERITY_LABELS, STATE_LABELS, AssessmentReport, Reference, State

from .chart import stacked_bars
from .export import write_csv, write_json
from .french_format import (
    NBSP,
    NNBSP,
    file_name,
    format_bytes,
    format_date,
    format_duration_ms,
    format_int,
)
from .view import STATE_CSS, STATE_ORDER, build_view

OUTPUT_NAMES = {
    "pdf": "rapport-vmes.pdf",
    "html": "rapport-vmes.html",
    "json": "resultats.json",
    "csv": "resultats.csv",
}
ENV_REPORTS_DIR = "VMES_AUDIT_REPORTS"
# The text of a badge starts with a symbol so states differ in black and white too.
STATE_ICONS = {
    State.PASS: "✓", State.FAIL: "✗", State.WARN: "!", State.MANUAL: "?",
    State.UNKNOWN: "∅", State.NA: "–", State.WAIVED: "§",
}
MODE_LABELS = {
    "vmes": "Machine VMES", "exchange": "Serveur Exchange",
    "ems": "Exchange Management Shell", "loose": "Fichiers isolés",
}
ARTIFACT_STATUS_LABELS = {
    "ok": "OK", "error": "Erreur", "skipped": "Ignoré", "missing": "Absent",
    "unreadable": "Illisible",
}


def reports_dir() -> Path:
    """The folder of templates, CSS and fonts (``$VMES_AUDIT_REPORTS`` overrides)."""
    override = os.environ.get(ENV_REPORTS_DIR)
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[3] / "reports"


def _web_url(url: str) -> str:
    """Only http(s) links become clickable; anything else ('javascript:') is text.

    >>> _web_url("https://support.microsoft.com/kb/912918/fr"), _web_url("javascript:x")
    ('https://support.microsoft.com/kb/912918/fr', '')
    """
    return url if urlsplit(url).scheme.lower() in ("http", "https") else ""


def reference_label(ref: Reference) -> str:
    """``KB912918`` for a Microsoft KB number, the id as given otherwise."""
    if ref.kind.lower() == "kb" and ref.id.isdigit():
        return f"KB{ref.id}"
    return ref.id


@lru_cache(maxsize=4)
def _environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        int_fr=format_int, bytes_fr=format_bytes, date_fr=format_date,
        duration_fr=format_duration_ms, file_name=file_name, web_url=_web_url,
        artifact_status=lambda s: ARTIFACT_STATUS_LABELS.get(s, s),
    )
    env.globals.update(
        NBSP=NBSP, NNBSP=NNBSP, STATE_ORDER=STATE_ORDER, STATE_LABELS=STATE_LABELS,
        SEVERITY_LABELS=SEVERITY_LABELS, STATE_CSS=STATE_CSS, STATE_ICONS=STATE_ICONS,
        MODE_LABELS=MODE_LABELS, ref_label=reference_label,
    )
    return env


def render_html(report: AssessmentReport) -> str:
    """The complete, self-contained HTML report (same bytes for the same input)."""
    view = build_view(report)
    chart: Markup = stacked_bars([(s.letter, s.title, s.counts) for s in view.sections])
    template = _environment(reports_dir()).get_template("report.html.j2")
    return template.render(report=report, view=view, chart=chart)


def _local_fetcher_class():
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        """Serves ``file:`` URLs under the reports folder; refuses the rest."""

        def __init__(self, root: Path) -> None:
            super().__init__(allowed_protocols=("file",), fail_on_errors=False)
            self._root = root.resolve()

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme.lower() != "file":
                raise ValueError(f"ressource distante refusée : {url}")
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(self._root) or not path.is_file():
                raise ValueError(f"ressource hors du dossier des modèles refusée : {url}")
            return super().fetch(path.as_uri(), headers)

    return LocalOnlyFetcher


def render_pdf(report: AssessmentReport, path: Path) -> None:
    """Write the PDF of ``render_html(report)`` to ``path``."""
    import weasyprint  # slow import (~1 s): only when a PDF is asked for

    folder = reports_dir()
    fetcher = _local_fetcher_class()(folder)
    document = weasyprint.HTML(string=render_html(report), base_url=str(folder) + os.sep,
                               url_fetcher=fetcher)
    document.write_pdf(Path(path))


def write_outputs(report: AssessmentReport, out_dir: Path, formats: set[str]) -> dict[str, Path]:
    """Write the asked formats (``pdf``, ``html``, ``json``, ``csv``) into ``out_dir``;
    returns the path written per format."""
    unknown = set(formats) - OUTPUT_NAMES.keys()
    if unknown:
        raise ValueError(f"format(s) inconnu(s) : {', '.join(sorted(unknown))} "
                         f"(attendus : {', '.join(OUTPUT_NAMES)})")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for fmt in ("json", "csv", "html", "pdf"):  # the cheap files first
        if fmt not in formats:
            continue
        target = out_dir / OUTPUT_NAMES[fmt]
        if fmt == "html":
            target.write_text(render_html(report), encoding="utf-8", newline="\n")
        elif fmt == "pdf":
            render_pdf(report, target)
        elif fmt == "json":
            write_json(report, target)
        else:
            write_csv(report, target)
        written[fmt] = target
    return written


__all__ = ["reports_dir", "render_html", "render_pdf", "write_json", "write_csv",
           "write_outputs", "OUTPUT_NAMES"]
