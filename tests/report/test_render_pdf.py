"""PDF end to end (weasyprint + poppler's pdftotext): slow, run in CI."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vmes_audit.base.findings import Verdict
from vmes_audit.report import render_pdf, write_outputs

pytestmark = pytest.mark.slow


def _pdftotext(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) est requis pour ce test")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_pdf_renders_with_verdict_footer_and_toc(report, tmp_path: Path):
    path = tmp_path / "rapport-vmes.pdf"
    render_pdf(report, path)
    assert path.read_bytes().startswith(b"%PDF")
    text = _pdftotext(path)
    assert "Non prêt" in text
    assert "Audit des prérequis VMES 5.5" in text
    assert "Société Exemple <Industries> & Fils" in text  # escaped in HTML, plain in PDF
    assert "Valeur <b>grasse</b></div>" in text
    pages = text.count("\f")
    assert f"page 2 / {pages}" in text
    assert "À vérifier avec le client" in text and "Points à traiter" in text
    assert "CONFIDENTIEL" in text  # the cover's mark, repeated at the top of every page
    assert "Non conforme" in text and "Non évaluable" in text and "Dérogation" in text


def test_pdf_uses_only_the_bundled_fonts(report, tmp_path: Path):
    path = tmp_path / "r.pdf"
    render_pdf(report, path)
    if shutil.which("pdffonts") is None:
        pytest.fail("pdffonts (poppler-utils) est requis pour ce test")
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    assert fonts and all("VMES-" in line for line in fonts), fonts


@pytest.mark.parametrize("verdict,label", [(Verdict.PRET, "Prêt"),
                                           (Verdict.PRET_SOUS_RESERVE, "Prêt sous réserve")])
def test_pdf_other_verdicts(report, tmp_path: Path, verdict, label):
    written = write_outputs(report.model_copy(update={"verdict": verdict}), tmp_path, {"pdf"})
    assert label in _pdftotext(written["pdf"])


def test_remote_resources_are_refused(report, tmp_path: Path, monkeypatch):
    """A template that asks for a remote image must not reach the network."""
    from vmes_audit.report import render

    folder = tmp_path / "reports"
    shutil.copytree(render.reports_dir(), folder)
    cover = folder / "partials" / "cover.html.j2"
    cover.write_text(cover.read_text(encoding="utf-8") +
                     '<img src="http://example.invalid/logo.png">'
                     '<img src="file:///etc/hostname">', encoding="utf-8")
    monkeypatch.setenv("VMES_AUDIT_REPORTS", str(folder))
    calls: list[str] = []
    import urllib.request
    real_open = urllib.request.OpenerDirector.open

    def spy(self, url, *args, **kwargs):
        calls.append(url if isinstance(url, str) else url.full_url)
        return real_open(self, url, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    render_pdf(report, tmp_path / "r.pdf")
    assert calls and all(u.startswith("file://" + str(folder.resolve())) or
                         u.startswith("file:" + str(folder.resolve())) for u in calls), calls


def test_the_pdf_is_navigated_by_its_bookmarks(report):
    """The PDF has no table of contents page (page numbers cost a second layout): its headings are bookmarks."""
    from vmes_audit.report import render

    weasyprint = render._weasyprint()
    folder = render.reports_dir()
    fonts, stylesheet = render._print_stylesheet(folder, (folder / "css" / "report.css").read_text(encoding="utf-8"))
    document = weasyprint.HTML(string=render.render_html(report, for_print=True), base_url=str(folder) + "/",
                               url_fetcher=render._local_fetcher_class()(folder)).render(
        stylesheets=[stylesheet], font_config=fonts)
    titles = [entry[0] for entry in document.make_bookmark_tree()]  # (label, target, children, state)
    assert titles[:5] == ["Audit des prérequis VMES\xa05.5", "1. Synthèse", "2. Plan d’action", "3. Points à traiter",
                          "4. À vérifier avec le client"]
    assert "target-counter" not in (folder / "css" / "report.css").read_text(encoding="utf-8")
