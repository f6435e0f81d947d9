"""HTML report: content, escaping, offline resources, determinism."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vmes_audit.base.findings import STATE_LABELS, VERDICT_LABELS, State, Verdict
from vmes_audit.report import render_html, reports_dir, write_outputs
from vmes_audit.base.french import NBSP
from vmes_audit.report.view import build_view, customer_question


@pytest.fixture
def html(report) -> str:
    return render_html(report)


def test_reports_dir_is_the_repository_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("VMES_AUDIT_REPORTS", raising=False)
    assert (reports_dir() / "report.html.j2").is_file()
    monkeypatch.setenv("VMES_AUDIT_REPORTS", str(tmp_path))
    assert reports_dir() == tmp_path.resolve()


def test_verdict_and_every_title_are_shown(report, html):
    assert VERDICT_LABELS[Verdict.NON_PRET] in html
    assert "Audit des prérequis VMES" in html
    for finding in report.findings:
        assert _text(finding.title) in html, finding.title
    for _, title in report.sections:
        assert _text(title) in html


@pytest.mark.parametrize("verdict", list(Verdict))
def test_verdict_box_colour_class(report, verdict):
    html = render_html(report.model_copy(update={"verdict": verdict}))
    css = verdict.value.replace("_", "-")
    assert f'class="headline verdict-{css}"' in html
    assert f'<p class="headline-verdict">{VERDICT_LABELS[verdict]}</p>' in html


def test_hostile_strings_are_escaped(html):
    assert "<b>grasse</b>" not in html
    assert "<script>" not in html
    assert "&lt;b&gt;grasse&lt;/b&gt;&lt;/div&gt;&lt;script&gt;" in html
    assert "Société Exemple &lt;Industries&gt; &amp; Fils" in html
    assert "&lt;script&gt;EXCH01&lt;/script&gt;" in html
    # The number of opening and closing divs still matches: nothing was injected.
    assert html.count("<div") == html.count("</div>")


def test_no_remote_resource_is_loaded(html):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//[^"']*\.(css|js|woff2?|ttf|png|svg)""",
                         html, re.I)
    assert not re.search(r"""\bsrc\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(https?:|//)""", html, re.I)
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()


def test_only_web_links_are_clickable(report):
    from vmes_audit.base.findings import Reference

    finding = report.findings[0].model_copy(update={"references": [
        Reference(kind="url", id="piège", url="javascript:alert(1)")]})
    html = render_html(report.model_copy(update={"findings": [finding]}))
    assert 'href="javascript' not in html
    assert "javascript:alert(1)" in html  # still shown, as text


def test_html_is_deterministic(report, report_factory):
    assert render_html(report) == render_html(report_factory())


def test_blocking_points_come_first_and_are_the_failing_or_unknown_major_ones(report):
    view = build_view(report)
    catalogues = [item.finding.catalogue for item in view.blocking]
    # bloquant before majeur, fail before unknown, then reading order
    assert catalogues == ["D4", "E1", "F3", "F9", "B2", "G1"]


def test_findings_follow_the_section_order_and_natural_catalogue_order(report):
    view = build_view(report)
    f_section = next(s for s in view.sections if s.letter == "F")
    assert [i.finding.catalogue for i in f_section.findings] == ["F1", "F3", "F5", "F9", "F10", "F11"]
    assert [s.letter for s in view.sections] == list("ABCDEFGH")


def test_finding_of_an_unlisted_section_is_not_dropped(report):
    extra = report.findings[0].model_copy(update={"section": "Z", "catalogue": "Z1",
                                                  "title": "Contrôle hors catalogue"})
    html = render_html(report.model_copy(update={"findings": [*report.findings, extra]}))
    assert "Contrôle hors catalogue" in html
    assert "Autres contrôles" in html


def test_questions_for_manual_and_unknown(report, html):
    view = build_view(report)
    expected = [f for f in view.findings if f.finding.state in (State.MANUAL, State.UNKNOWN)]
    assert len(view.questions) == len(expected) == 5
    assert "Le serveur VMES01 dispose-t-il de disques en RAID" in html  # finding.question
    built = customer_question(next(f for f in report.findings if f.catalogue == "G1"))
    assert built == ("Pouvez-vous confirmer le point «\u00a0Profil MAPI du compte de service"
                     "\u00a0» sur VMES01\u202f?")


def test_state_badges_carry_text_not_only_colour(html):
    for state, label in STATE_LABELS.items():
        glued = re.escape(label.replace(" ", NBSP))  # the label's words kept together
        assert re.search(rf'class="badge state-[a-z]+">[^<&]+&nbsp;{glued}</span>', html)


def test_cover_facts(report, html):
    assert "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" in html
    assert "collecte-VMES01-20240305.zip" in html
    assert "C:\\Users\\jdupont" not in html  # file name only
    assert "S-1-5-21-3623811015-3361044348-30300820-1013" in html
    assert "1\u202f234\u202f567 octets" in html
    assert "28/02/2024" in html  # ISO pack date shown as dd/mm/yyyy
    assert "05/03/2024 14:02:11" in html


def test_long_dn_and_remediation_line_breaks_are_kept(html, long_dn):
    assert long_dn in html
    assert ("Remove-ADGroupMember -Identity &#34;GG-Exploitation&#34; -Members svc-vmes\n"
            "# puis vérifier\u00a0:\n") in html  # French spacing, never a line starting with « : »


def test_remediation_is_hidden_for_conforming_checks(report):
    finding = next(f for f in report.findings if f.state is State.PASS).model_copy(
        update={"remediation": "NE PAS AFFICHER"})
    html = render_html(report.model_copy(update={"findings": [finding]}))
    assert "NE PAS AFFICHER" not in html


def test_empty_report_renders(report):
    empty = report.model_copy(update={"findings": [], "hosts": [], "inputs": [], "artifacts": [],
                                      "warnings": [], "parameters": {}, "verdict_reasons": []})
    html = render_html(empty)
    assert "Rien à corriger ni à confirmer" in html  # the cover's « À faire en premier »
    assert "Aucun point à traiter" in html
    assert "Aucun point ne reste à vérifier avec le client." in html


def test_write_outputs_names_and_unknown_format(report, tmp_path: Path):
    written = write_outputs(report, tmp_path / "out", {"html", "json", "csv"})
    assert {k: p.name for k, p in written.items()} == {
        "html": "rapport-vmes.html", "json": "resultats.json", "csv": "resultats.csv"}
    assert all(p.is_file() for p in written.values())
    with pytest.raises(ValueError, match="docx"):
        write_outputs(report, tmp_path, {"docx"})


def _text(value: str) -> str:
    """How jinja2 autoescape writes a data string."""
    from markupsafe import escape
    return str(escape(value))


def test_french_spacing_in_rendered_values(report):
    finding = report.findings[0].model_copy(update={"message": "Le droit « Envoyer comme » est refusé ; voir : F3 ?"})
    html = render_html(report.model_copy(update={"findings": [finding]}))
    assert "«\u00a0Envoyer comme\u00a0»" in html and "refusé\u202f; voir\u00a0: F3\u202f?" in html


def test_the_stylesheet_has_no_syntax_error():
    """A stray brace makes weasyprint drop the rule after it without a word (the cards lost their frame)."""
    import tinycss2

    css = (reports_dir() / "css" / "report.css").read_text(encoding="utf-8")
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    assert [r for r in rules if r.type == "error"] == []
    for rule in rules:
        if rule.type == "qualified-rule":
            declarations = tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True)
            assert [d for d in declarations if d.type == "error"] == [], tinycss2.serialize(rule.prelude)
    assert css.count("{") == css.count("}")
