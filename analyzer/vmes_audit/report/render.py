"""The French report: jinja2 templates of ``reports/`` → HTML → weasyprint PDF.

The HTML and the PDF come from the same template (``reports/report.html.j2``,
one partial per part in ``reports/partials/``). The CSS is inlined in the HTML
so ``rapport-vmes.html`` stands alone; its fonts (``url(fonts/…)``) resolve
against the reports folder when weasyprint renders the PDF, and no other
resource is ever fetched: ``LocalOnlyFetcher`` refuses anything that is not a
file under that folder (the PDF renders offline, identically everywhere).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup

from vmes_audit.base.errors import AuditError
from vmes_audit.base.findings import SEVERITY_LABELS, STATE_LABELS, AssessmentReport, Reference, State
from vmes_audit.base.resources import reports_folder

from vmes_audit.report.chart import stacked_bars
from vmes_audit.report.export import csv_bytes, json_text, write_csv, write_json
from vmes_audit.base.french import (
    french_spacing,
    NBSP,
    NNBSP,
    file_name,
    format_bytes,
    format_date,
    format_duration_ms,
    format_int,
)
from vmes_audit.base.output_folder import OutputError, OutputFolder
from vmes_audit.report.view import STATE_CSS, STATE_ORDER, build_view

OUTPUT_NAMES = {
    "pdf": "rapport-vmes.pdf",
    "html": "rapport-vmes.html",
    "json": "resultats.json",
    "csv": "resultats.csv",
}
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
    """The folder of templates, CSS and fonts, shipped with the package (``$VMES_AUDIT_REPORTS`` overrides)."""
    return reports_folder()


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
        # French typography in every value a template prints (markup such as the chart is left alone)
        finalize=lambda value: value if isinstance(value, Markup) or not isinstance(value, str)
        else french_spacing(value),
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


class PdfUnavailable(AuditError):
    """weasyprint or the system libraries it needs (Pango, HarfBuzz) cannot be loaded.

    ``written`` holds the files that were written all the same (HTML, JSON, CSV).
    """

    def __init__(self, detail: str, written: dict[str, Path] | None = None, stale_removed: bool = False):
        self.detail = detail
        self.written = dict(written or {})
        self.stale_removed = stale_removed
        text = ("PDF non produit : weasyprint ne peut pas charger ses bibliothèques "
                f"({detail}). Sous Debian/Ubuntu : sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
                "libharfbuzz-subset0 ; sous Windows : voir la section « Installation » du README.")
        if self.written:
            text += " Les autres formats sont écrits (" + ", ".join(p.name for p in self.written.values()) + ")."
        if stale_removed:
            text += f" L'ancien {OUTPUT_NAMES['pdf']} du dossier, qui ne correspond pas à cette analyse, a été supprimé."
        super().__init__(text)


def _weasyprint():
    """Import weasyprint (slow, ~1 s: only when a PDF is asked for), or raise PdfUnavailable."""
    try:
        # weasyprint prints an English notice on stdout before re-raising when a library is missing.
        with contextlib.redirect_stdout(io.StringIO()):
            import weasyprint
    except (ImportError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PdfUnavailable(first[:300]) from exc
    return weasyprint


def _pdf_document(html: str):
    """The laid-out PDF (``weasyprint.Document``): its text can be read before it is written."""
    weasyprint = _weasyprint()
    folder = reports_dir()
    fetcher = _local_fetcher_class()(folder)
    return weasyprint.HTML(string=html, base_url=str(folder) + os.sep, url_fetcher=fetcher).render()


def _write_pdf(html: str, target):
    """Write the PDF of ``html`` to ``target``; the laid-out document, whose text can be read."""
    document = _pdf_document(html)
    document.write_pdf(target)
    return document


def render_pdf(report: AssessmentReport, path: Path) -> None:
    """Write the PDF of ``render_html(report)`` to ``path`` (whole or not at all)."""
    path = Path(path)
    with OutputFolder(path.parent, [path.name]) as folder:
        with folder.staged(path.name) as handle:
            _write_pdf(render_html(report), handle)
        folder.commit()


def _content(report: AssessmentReport, fmt: str, html: Callable[[], str]) -> bytes:
    if fmt == "json":
        return json_text(report).encode("utf-8")
    if fmt == "csv":
        return csv_bytes(report)
    return html().encode("utf-8")


# check(contents, pdf_document): every output in memory (file name -> bytes) and the PDF's laid-out
# document, before anything is written; raises to write nothing (``workflows.pseudonymise``).
OutputCheck = Callable[[dict[str, bytes], object], None]


def write_outputs(report: AssessmentReport, out_dir: Path, formats: set[str],
                  check: OutputCheck | None = None) -> dict[str, Path]:
    """Write the asked formats (``pdf``, ``html``, ``json``, ``csv``) into ``out_dir``;
    returns the path written per format.

    Every file is produced under a temporary name first and all of them move into
    place at the end (``base/output_folder.py``): an error or an interrupt changes no
    report of the folder. Raises :class:`OutputError` for a folder or a final name
    that is not safe to write, and :class:`PdfUnavailable` (after writing the
    other formats) when the PDF libraries are missing. ``check`` sees every output before any
    is written, and may refuse them all by raising.
    """
    unknown = set(formats) - OUTPUT_NAMES.keys()
    if unknown:
        raise ValueError(f"format(s) inconnu(s) : {', '.join(sorted(unknown))} "
                         f"(attendus : {', '.join(OUTPUT_NAMES)})")
    order = [fmt for fmt in ("json", "csv", "html", "pdf") if fmt in formats]  # the cheap files first
    pdf_problem: PdfUnavailable | None = None
    html = cache(lambda: render_html(report))  # the HTML file and the PDF's source: one rendering
    with OutputFolder(Path(out_dir), [OUTPUT_NAMES[fmt] for fmt in order]) as folder:
        contents: dict[str, bytes] = {}
        document = None
        for fmt in order:
            name = OUTPUT_NAMES[fmt]
            if fmt == "pdf":
                try:
                    _weasyprint()
                except PdfUnavailable as exc:
                    pdf_problem = exc
                    continue
                buffer = io.BytesIO()
                document = _write_pdf(html(), buffer)
                contents[name] = buffer.getvalue()
            else:
                contents[name] = _content(report, fmt, html)
        if check is not None:
            check(contents, document)
        for name, data in contents.items():
            with folder.staged(name) as handle:
                handle.write(data)
        paths = {path.name: path for path in folder.commit()}
        stale_removed = folder.remove_stale(OUTPUT_NAMES["pdf"]) if pdf_problem else False
    written = {fmt: paths[OUTPUT_NAMES[fmt]] for fmt in order if OUTPUT_NAMES[fmt] in paths}
    if pdf_problem is not None:
        raise PdfUnavailable(pdf_problem.detail, written, stale_removed)
    return written


__all__ = ["reports_dir", "render_html", "render_pdf", "write_json", "write_csv",
           "write_outputs", "OUTPUT_NAMES", "PdfUnavailable", "OutputError", "OutputCheck"]
