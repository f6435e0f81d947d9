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
import atexit
import io
import os
from collections.abc import Callable
from typing import TYPE_CHECKING
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
from vmes_audit.report.settings import ReportSettings

if TYPE_CHECKING:
    from vmes_audit.report.pdf_process import PdfProcess
from vmes_audit.report.view import STATE_CSS, STATE_ORDER, build_view

OUTPUT_NAMES = {
    "pdf": "rapport-vmes.pdf",
    "html": "rapport-vmes.html",
    "json": "resultats.json",
    "csv": "resultats.csv",
    "questionnaire": "questionnaire.yaml",  # the customer's questions, to fill in (report/questionnaire.py)
}
# Whose report a folder holds: the client and the digests of the analysed inputs, written with every
# report (hidden: it is for vmes-audit, not for the reader), so that a run never leaves a file of
# another customer's report next to its own.
IDENTITY_FILE = ".vmes-audit-rapport.json"
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


# A finding's message in the table of every check: what a reader scans; resultats.json keeps it whole.
TABLE_MESSAGE_LIMIT = 220


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary before ``limit`` characters, ending with « […] ».

    >>> shorten("un deux trois", 100), shorten("un deux trois quatre", 12)
    ('un deux trois', 'un deux […]')
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 4].rsplit(" ", 1)[0].rstrip(" ,;:")
    return f"{cut} […]"


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
        # a command, byte for byte: escaped for HTML, never given French spacing (report/commands.py)
        verbatim=lambda s: Markup.escape(s),
        shorten=shorten,
    )
    env.globals.update(
        NBSP=NBSP, NNBSP=NNBSP, STATE_ORDER=STATE_ORDER, STATE_LABELS=STATE_LABELS,
        SEVERITY_LABELS=SEVERITY_LABELS, STATE_CSS=STATE_CSS, STATE_ICONS=STATE_ICONS,
        MODE_LABELS=MODE_LABELS, ref_label=reference_label, TABLE_MESSAGE_LIMIT=TABLE_MESSAGE_LIMIT,
    )
    return env


def render_html(report: AssessmentReport, settings: ReportSettings | None = None, *, for_print: bool = False) -> str:
    """The complete, self-contained HTML report (same bytes for the same input).

    ``for_print``: the source of the PDF, without what only a screen uses (the chart, whose
    counts the table gives; the references' URLs, which are links): weasyprint's time grows
    with every box it lays out."""
    view = build_view(report)
    chart: Markup = stacked_bars([(s.letter, s.title, s.counts) for s in view.sections])
    template = _environment(reports_dir()).get_template("report.html.j2")
    return template.render(report=report, view=view, chart=chart, settings=settings or ReportSettings(),
                           for_print=for_print)


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


@lru_cache(maxsize=2)
def _print_stylesheet(folder: Path, css: str):
    """The report's stylesheet parsed once per process, with its fonts loaded (a FontConfiguration):
    the PDF's HTML does not inline it (``render_html(for_print=True)``)."""
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return fonts, _weasyprint().CSS(string=css, base_url=str(folder) + os.sep,
                                    url_fetcher=_local_fetcher_class()(folder), font_config=fonts)


# The cached FontConfiguration is dropped while the interpreter still runs: left to the end of the process,
# its __del__ ran after weasyprint's module globals were cleared and printed « Exception ignored … TypeError ».
atexit.register(_print_stylesheet.cache_clear)


def _pdf_document(html: str):
    """The laid-out PDF (``weasyprint.Document``): its text can be read before it is written."""
    weasyprint = _weasyprint()
    folder = reports_dir()
    fonts, stylesheet = _print_stylesheet(folder, (folder / "css" / "report.css").read_text(encoding="utf-8"))
    fetcher = _local_fetcher_class()(folder)
    return weasyprint.HTML(string=html, base_url=str(folder) + os.sep, url_fetcher=fetcher).render(
        stylesheets=[stylesheet], font_config=fonts)


def _write_pdf(html: str, target):
    """Write the PDF of ``html`` to ``target``; the laid-out document, whose text can be read."""
    document = _pdf_document(html)
    document.write_pdf(target)
    return document


def _prepare_pdf_engine() -> None:
    """Load weasyprint and lay out a few lines with the report's stylesheet and fonts: what a first
    document pays once (the C declarations, the fonts, the user-agent stylesheet) is paid while the
    other process analyses the collections (``report/pdf_process.py``). Raises PdfUnavailable."""
    _weasyprint()
    sample = ('<section class="cover"><p class="confidential">x</p><h1 class="cover-title">x</h1></section>'
              '<section class="cards"><h1>x</h1><article class="card"><h3 class="card-head">é</h3>'
              '<p class="chips"><span class="badge state-fail">✗ x</span> <span class="message">x</span></p>'
              '<pre class="cmd cmd-normal">x</pre></article></section>')
    try:
        _write_pdf(f"<html><body>{sample}</body></html>", io.BytesIO())
    except Exception:  # noqa: BLE001 - a warm-up only: the real document will say what is wrong
        pass


def start_pdf_process() -> "PdfProcess | None":
    """weasyprint loading in a forked process now, to lay out the PDF later (``report/pdf_process.py``);
    None where a process cannot be forked (the PDF is then made in this one)."""
    from vmes_audit.report.pdf_process import PdfProcess, fork_available

    if not fork_available():
        return None
    return PdfProcess(prepare=_prepare_pdf_engine, write=_write_pdf, unavailable=PdfUnavailable)


def render_pdf(report: AssessmentReport, path: Path, settings: ReportSettings | None = None) -> None:
    """Write the PDF of ``render_html(report)`` to ``path`` (whole or not at all)."""
    path = Path(path)
    with OutputFolder(path.parent, [path.name]) as folder:
        with folder.staged(path.name) as handle:
            _write_pdf(render_html(report, settings, for_print=True), handle)
        folder.commit()


def _content(report: AssessmentReport, fmt: str, html: Callable[[], str]) -> bytes:
    if fmt == "json":
        return json_text(report).encode("utf-8")
    if fmt == "csv":
        return csv_bytes(report)
    if fmt == "questionnaire":
        from vmes_audit.report.questionnaire import report_questionnaire

        return report_questionnaire(report)
    return html().encode("utf-8")


class OtherReportInFolder(OutputError):
    """The output folder holds the report of another customer (another client or other inputs)."""


def _identity(report: AssessmentReport) -> dict:
    return {"client": report.client, "inputs": sorted(i.sha256 for i in report.inputs)}


def _identity_of_folder(folder: OutputFolder) -> dict | None:
    """Whose report the folder holds: its identity file, else its resultats.json; None if neither says."""
    import json

    for name, limit in ((IDENTITY_FILE, 1024 * 1024), (OUTPUT_NAMES["json"], 50 * 1024 * 1024)):
        data = folder.read_existing(name, limit)
        if data is None:
            continue
        try:
            document = json.loads(data.decode("utf-8-sig"))
            return {"client": str(document["client"]),  # resultats.json lists objects, the identity file digests
                    "inputs": sorted(str(i["sha256"] if isinstance(i, dict) else i) for i in document["inputs"])}
        except (ValueError, KeyError, TypeError):
            continue
    return None


def _other_report(folder: OutputFolder, report: AssessmentReport, written: list[str], force: bool,
                  notes: list[str] | None) -> list[str]:
    """The files of the folder's report that this run will not rewrite, when that report is another
    customer's: refused (OtherReportInFolder) without ``force``, to remove with it."""
    present = folder.existing(list(OUTPUT_NAMES.values()))
    if not present:
        return []
    previous = _identity_of_folder(folder)
    if previous == _identity(report):
        left = [n for n in present if n not in written]
        if left and notes is not None:
            notes.append(f"{', '.join(left)} : laissé{'s' if len(left) > 1 else ''} par une analyse précédente des "
                         "mêmes collectes pour le même client, non régénéré" + ("s" if len(left) > 1 else "")
                         + " par celle-ci.")
        return []
    whose = (f"du client « {previous['client']} »" if previous and previous["client"] != report.client
             else "d'autres collectes" if previous else "dont l'origine n'est pas connue")
    if not force:
        raise OtherReportInFolder(
            f"le dossier de sortie « {folder.path} » contient déjà le rapport {whose} ({', '.join(present)}) : "
            "rien n'a été écrit, pour ne pas mêler deux rapports. Choisissez un autre dossier (-o), ou ajoutez "
            "--force pour le remplacer (ses fichiers que cette analyse ne réécrit pas seront supprimés).")
    removed = [n for n in present if n not in written]
    if notes is not None:
        notes.append(f"Le dossier contenait le rapport {whose} : remplacé (--force)"
                     + (f" ; supprimé{'s' if len(removed) > 1 else ''} car non régénéré"
                        f"{'s' if len(removed) > 1 else ''} : {', '.join(removed)}." if removed else "."))
    return removed


# check(contents, pdf_document): every output in memory (file name -> bytes) and the PDF's laid-out
# document, before anything is written; raises to write nothing (``workflows.pseudonymise``).
OutputCheck = Callable[[dict[str, bytes], object], None]


def write_outputs(report: AssessmentReport, out_dir: Path, formats: set[str],
                  settings: ReportSettings | None = None, pdf_process: "PdfProcess | None" = None, *,
                  force: bool = False, notes: list[str] | None = None,
                  check: OutputCheck | None = None) -> dict[str, Path]:
    """Write the asked formats (``pdf``, ``html``, ``json``, ``csv``) into ``out_dir``;
    returns the path written per format.

    Every file is produced under a temporary name first and all of them move into
    place at the end (``base/output_folder.py``): an error or an interrupt changes no
    report of the folder. Raises :class:`OutputError` for a folder or a final name
    that is not safe to write, and :class:`PdfUnavailable` (after writing the
    other formats) when the PDF libraries are missing. ``pdf_process`` (``report/pdf_process.py``)
    makes the PDF in a process started earlier; without it, or with ``check`` (which reads the
    laid-out PDF), the PDF is made here. ``check`` sees every output before any is written, and
    may refuse them all by raising.

    A folder holding another customer's report (another client, or other inputs: see
    :data:`IDENTITY_FILE`) is refused with :class:`OtherReportInFolder` before anything is
    rendered; with ``force`` its files that this run does not rewrite are removed. ``notes``
    receives the French sentences that say what was done to files of an earlier report.
    """
    unknown = set(formats) - OUTPUT_NAMES.keys()
    if unknown:
        raise ValueError(f"format(s) inconnu(s) : {', '.join(sorted(unknown))} "
                         f"(attendus : {', '.join(OUTPUT_NAMES)})")
    order = [fmt for fmt in ("json", "csv", "questionnaire", "html", "pdf") if fmt in formats]  # cheap first
    pdf_problem: PdfUnavailable | None = None
    html = cache(lambda: render_html(report, settings))
    pdf_source = cache(lambda: render_html(report, settings, for_print=True))
    names = [OUTPUT_NAMES[fmt] for fmt in order]
    if check is not None:
        pdf_process = None  # the check reads the laid-out PDF: it is made here
    with OutputFolder(Path(out_dir), [*names, IDENTITY_FILE]) as folder:
        if check is None:  # refused before anything is rendered
            to_remove = _other_report(folder, report, names, force, notes)
        if pdf_process is not None and "pdf" in formats:
            pdf_process.submit(pdf_source())  # laid out there while the other formats are made here
        contents: dict[str, bytes] = {}
        document = None
        for fmt in order:
            name = OUTPUT_NAMES[fmt]
            if fmt == "pdf":
                try:
                    data = pdf_process.result() if pdf_process is not None else None
                    if data is None:
                        _weasyprint()
                except PdfUnavailable as exc:
                    pdf_problem = exc
                    continue
                if data is None:
                    buffer = io.BytesIO()
                    document = _write_pdf(pdf_source(), buffer)
                    data = buffer.getvalue()
                contents[name] = data
            else:
                contents[name] = _content(report, fmt, html)
        if check is not None:
            check(contents, document)  # a name that survived pseudonymisation is told first
            to_remove = _other_report(folder, report, names, force, notes)
        import json

        contents[IDENTITY_FILE] = json.dumps(_identity(report), ensure_ascii=False, sort_keys=True).encode("utf-8")
        for name, data in contents.items():
            with folder.staged(name) as handle:
                handle.write(data)
        paths = {path.name: path for path in folder.commit()}
        for name in to_remove:
            folder.remove_stale(name)
        stale_removed = folder.remove_stale(OUTPUT_NAMES["pdf"]) if pdf_problem else False
    written = {fmt: paths[OUTPUT_NAMES[fmt]] for fmt in order if OUTPUT_NAMES[fmt] in paths}
    if pdf_problem is not None:
        raise PdfUnavailable(pdf_problem.detail, written, stale_removed)
    return written


__all__ = ["reports_dir", "render_html", "render_pdf", "write_json", "write_csv",
           "write_outputs", "OUTPUT_NAMES", "PdfUnavailable", "OutputError", "OutputCheck"]
