"""``questionnaire.yaml``: the questions for the customer, as a file to fill in and send back.

Written by ``analyze`` (the report's « À vérifier » points) and by ``kit`` (the
questions known before any collection); read back by ``analyze --answers``
(``engine/answers.py``). It speaks to the customer only: what to answer and
how, never an instruction meant for presales. UTF-8 with a BOM and CRLF line
ends, so that the Notepad of a Windows 2000 or 2003 server opens it right.

Every value is written as a double-quoted YAML string (JSON's escapes, which
YAML reads), so a host or a question cannot change the file's structure.
"""

from __future__ import annotations

import json
from datetime import date

from vmes_audit.base.findings import AssessmentReport, State, ordered_findings
from vmes_audit.engine.answers import QuestionItem

__all__ = ["questionnaire_text", "questionnaire_bytes", "report_questions", "FORMAT"]

FORMAT = "vmes-audit 1"


def _q(value: str) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def report_questions(report: AssessmentReport) -> list[QuestionItem]:
    """The report's « À vérifier » findings as questions, in reading order."""
    from vmes_audit.report.view import customer_question

    return [QuestionItem(catalogue=f.catalogue, rule_id=f.rule_id, host=f.subject or f.host,
                         question=" ".join(customer_question(f).split()), expected=" ".join(f.expected.split()),
                         parameter=f.asks)
            for f in ordered_findings(report) if f.state == State.MANUAL]


def questionnaire_text(items: list[QuestionItem], *, client: str, pack: str, vmes_release: str,
                       made_on: date | None, origin: str) -> str:
    """The file's text (``origin``: "Rapport du 06/12/2026" or "Kit de collecte du 01/12/2026")."""
    lines = [
        f"# Questionnaire de l'audit des prérequis VMES {vmes_release}" + (f" – {client}" if client else ""),
        f"# {origin} (référentiel {pack}).",
        "#",
        "# La collecte ne peut pas établir les points ci-dessous. Pour chaque question :",
        "#   reponse  : votre réponse en quelques mots, ou le nombre demandé ;",
        "#   conforme : oui si le prérequis est rempli, non sinon (sauf pour une question qui",
        "#              demande un nombre : la réponse suffit).",
        "# Indiquez qui répond (nom et fonction) et la date, enregistrez le fichier (UTF-8) et",
        "# renvoyez-le à votre contact avant-vente. Ne modifiez pas les lignes controle, regle",
        "# et hote : elles relient chaque réponse à son contrôle.",
        "",
        f"questionnaire: {_q(FORMAT)}",
        f"client: {_q(client)}",
        f"pack: {_q(pack)}",
        *([f"rapport_du: {made_on.isoformat()}"] if made_on else []),
        'repondu_par: ""        # nom et fonction de la personne qui répond',
        "date:                  # date des réponses, AAAA-MM-JJ",
    ]
    if not items:
        lines += ["# Aucune question : tous les points vérifiables l'ont été par la collecte.", "questions: []"]
        return "\r\n".join(lines) + "\r\n"
    lines.append("questions:")
    for number, item in enumerate(items, start=1):
        lines += [
            f"  # Q{number}. {item.catalogue}" + (f" – {item.host}" if item.host else ""),
            f"  - controle: {_q(item.catalogue)}",
            f"    regle: {_q(item.rule_id)}",
            f"    hote: {_q(item.host)}",
        ]
        if item.parameter:
            lines.append(f"    parametre: {_q(item.parameter)}")
        lines.append(f"    question: {_q(item.question)}")
        if item.expected and not item.parameter:
            lines.append(f"    attendu: {_q(item.expected)}")
        if item.parameter:
            lines.append("    reponse:           # un nombre")
        else:
            lines += ['    reponse: ""', "    conforme:          # oui ou non"]
        lines.append("")
    return "\r\n".join(lines).rstrip("\r\n") + "\r\n"


def questionnaire_bytes(text: str) -> bytes:
    return "\ufeff".encode("utf-8") + text.encode("utf-8")


def report_questionnaire(report: AssessmentReport) -> bytes:
    """``questionnaire.yaml`` of a report."""
    from vmes_audit.assessment.compare import parse_fr_date

    try:
        made_on = parse_fr_date(report.generated_on)
    except ValueError:
        made_on = None
    text = questionnaire_text(report_questions(report), client=report.client,
                              pack=f"{report.pack_id} {report.pack_version}", vmes_release=report.vmes_release,
                              made_on=made_on, origin=f"Rapport du {report.generated_on}")
    return questionnaire_bytes(text)
