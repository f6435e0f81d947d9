"""The customer's answers: the questionnaire, filled in, turns « À vérifier » into a state.

Some prerequisites no collection can establish: RAID and redundant power
(C5), the planned number of users (C7), the proxy's credentials (E3). The
report's questions are written to ``questionnaire.yaml`` (``analyze``, and the
customer kit before any collection); the customer or presales fill it in and
``analyze --answers questionnaire.yaml`` reads it back::

    repondu_par: "M. Durand, DSI"        # who answers (each question may say otherwise)
    date: 2026-12-02                     # when
    questions:
      - controle: C5
        regle: c5-raid-power
        hote: VMES01
        question: "VMES01 a-t-elle des disques en RAID et une alimentation redondante ?"
        reponse: "RAID 1, deux alimentations"
        conforme: oui                    # oui: the prerequisite is met; non: it is not
      - controle: C7
        regle: c7-sizing
        parametre: users                 # this question gives a value to the rule pack
        question: "Combien d'utilisateurs mobiles sont prévus ?"
        reponse: 350

Two kinds of question, told apart from the rule pack alone:

- a *parameter* question: the rule is « À vérifier » because a pack parameter
  still has its "not given" default (C7: ``when: {field: params.users, op: eq,
  value: 0}`` and ``users`` defaults to 0). The answer is that parameter's
  value, and the rule itself decides (as with ``--users``);
- any other question: the answer says whether the prerequisite is met
  (``conforme: oui`` → « Conforme », ``non`` → « Non conforme »), in the
  customer's words (``reponse``), with who and when.

Only « À vérifier » findings take an answer: what the collection could not read
(« Non évaluable ») is never decided by a declaration. Every id is checked
against the pack (a rule id, a former id or a catalogue id such as ``C5``;
an unknown one is an error naming the closest); the file goes through
``user_yaml`` (size and alias limits); an answer that decides nothing is said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from vmes_audit.base.errors import InputError
from vmes_audit.base.findings import Answer, Finding, State
from vmes_audit.engine.model import Leaf, Op, Rule
from vmes_audit.engine.user_yaml import as_date, load_user_yaml
from vmes_audit.facts.model import TABLES
from vmes_audit.engine.waivers import PackIds, resolve_rule_ids

__all__ = ["AnswersFile", "AnswerItem", "ResolvedAnswers", "QuestionItem", "load_answers", "resolve_answers",
           "apply_answers", "asked_parameter", "pack_questions", "ANSWERS_WHAT", "YES", "NO"]

ANSWERS_WHAT = "Le fichier de réponses"
YES = ("oui", "o", "yes", "y", "vrai", "true", "1")
NO = ("non", "n", "no", "faux", "false", "0")


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


class AnswerItem(BaseModel):
    """One question of the questionnaire, as the customer gives it back."""

    model_config = ConfigDict(extra="forbid")
    controle: str = ""  # catalogue id (C5); used when ``regle`` is empty
    regle: str = ""  # rule id
    hote: str = ""  # the host the question is about ("": every host)
    question: str = ""  # the question, for the reader (not read back)
    attendu: str = ""  # what the prerequisite expects, for the reader (not read back)
    parametre: str = ""  # written by vmes-audit for a parameter question (the pack decides, not this)
    reponse: Any = None  # the customer's words, or the parameter's value
    conforme: Any = None  # oui / non (not for a parameter question)
    commentaire: str = ""
    repondu_par: str = ""  # overrides the file's
    date: Any = None  # overrides the file's

    _texts = field_validator("controle", "regle", "hote", "question", "attendu", "parametre", "commentaire",
                             "repondu_par", mode="before")(_text)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return as_date(value)

    @field_validator("reponse", mode="before")
    @classmethod
    def _reponse(cls, value: Any) -> Any:
        if isinstance(value, (list, dict)):
            raise ValueError("une réponse est un texte ou un nombre")
        if isinstance(value, bool):
            return "oui" if value else "non"
        return value

    @field_validator("conforme", mode="before")
    @classmethod
    def _conforme(cls, value: Any) -> bool | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError(f"« {str(value)[:40]} » : oui ou non attendu")

    @property
    def answered(self) -> bool:
        return self.reponse not in (None, "") or self.conforme is not None

    @property
    def text(self) -> str:
        return "" if self.reponse is None else str(self.reponse).strip()


class AnswersFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    questionnaire: str = ""  # "vmes-audit 1": the format, written by vmes-audit
    client: str = ""
    pack: str = ""
    rapport_du: Any = None
    repondu_par: str = ""
    date: Any = None
    questions: list[AnswerItem] = []

    _texts = field_validator("questionnaire", "client", "pack", "repondu_par", mode="before")(_text)

    @field_validator("date", "rapport_du", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return as_date(value)

    @field_validator("questions", mode="before")
    @classmethod
    def _questions(cls, value: Any) -> Any:
        return [] if value is None else value


@dataclass(frozen=True)
class _Resolved:
    number: int  # 1-based position in the file
    item: AnswerItem
    rule_ids: tuple[str, ...]
    parameter: str  # the pack parameter the question gives ("" for a yes/no question)
    value: Any  # the parameter's value (parameter questions)
    by: str
    on: str  # dd/mm/yyyy or ""


@dataclass
class ResolvedAnswers:
    """The answers checked against the pack: the parameters they give, and the rest."""

    source: str
    items: list[_Resolved] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def parameters(self) -> dict[str, Any]:
        return {r.parameter: r.value for r in self.items if r.parameter}


def load_answers(path: Path) -> AnswersFile:
    """The answers file, its structure checked (French messages, exit code 2 in the CLI)."""
    path = Path(path)
    data = load_user_yaml(path, ANSWERS_WHAT)
    if data is None:
        return AnswersFile()
    if isinstance(data, list):  # only the questions
        data = {"questions": data}
    if not isinstance(data, dict):
        raise InputError(f"{ANSWERS_WHAT} « {path.name} » doit être le questionnaire écrit par vmes-audit "
                         "(questionnaire.yaml), complété : voir « vmes-audit analyze --help ».")
    try:
        return AnswersFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{ANSWERS_WHAT} « {path.name} » : {_problems(exc)}.") from None


_TYPES_FR = {"missing": "champ absent", "string_type": "texte attendu", "list_type": "liste de questions attendue",
             "dict_type": "objet attendu", "model_type": "objet attendu (controle, regle, hote, reponse…)"}


def _problems(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = list(err["loc"])
        where = "racine"
        if loc[:1] == ["questions"] and len(loc) >= 2 and isinstance(loc[1], int):
            where = f"question n° {loc[1] + 1}" + (f", champ « {loc[2]} »" if len(loc) > 2 else "")
        elif loc:
            where = f"champ « {loc[0]} »"
        if err["type"] == "extra_forbidden":
            text = ("champ inconnu (champs d'une question : controle, regle, hote, reponse, conforme, "
                    "commentaire, repondu_par, date)")
        elif err["type"] == "value_error":
            text = str(err.get("ctx", {}).get("error", "")) or "valeur invalide"
        else:
            text = _TYPES_FR.get(err["type"], "valeur invalide")
        parts.append(f"{where} : {text}")
    return " ; ".join(parts)


def asked_parameter(rule: Rule, defaults: dict[str, Any]) -> str:
    """The pack parameter a rule asks the customer for: its « À vérifier » outcome fires when the
    parameter still has its default (``{field: params.users, op: eq, value: 0}``, default 0)."""
    for outcome in rule.outcomes:
        when = outcome.when
        if outcome.state != State.MANUAL or not isinstance(when, Leaf) or when.op != Op.EQ:
            continue
        if when.field.startswith("params."):
            name = when.field[len("params."):]
            if name in defaults and defaults[name] == when.value:
                return name
    return ""


_INTEGER = re.compile(r"^\s*(\d[\d\s\u00a0\u202f.]*)")


def _parameter_value(item: AnswerItem, default: Any, where: str) -> Any:
    text = item.text
    if isinstance(default, bool):
        if text.casefold() in YES:
            return True
        if text.casefold() in NO:
            return False
        raise InputError(f"{where} : réponse « {text[:40]} » : oui ou non attendu.")
    if isinstance(default, int):
        match = _INTEGER.match(text)
        digits = re.sub(r"[\s\u00a0\u202f.]", "", match.group(1)) if match else ""
        if not digits:
            raise InputError(f"{where} : réponse « {text[:40]} » : un nombre entier est attendu "
                             "(par exemple 350).")
        value = int(digits)
        if value <= 0:
            raise InputError(f"{where} : réponse « {text[:40]} » : un nombre supérieur à 0 est attendu.")
        return value
    return text


def resolve_answers(answers: AnswersFile, pack: Any, source: str = "") -> ResolvedAnswers:
    """Check every id against the pack and read the parameters' values; InputError on a problem."""
    defaults = pack.default_params()
    rules = {r.id: r for r in pack.rules}
    out = ResolvedAnswers(source=source)
    what = f"{ANSWERS_WHAT}{f' « {source} »' if source else ''}"
    for number, item in enumerate(answers.questions, start=1):
        where = f"{what}, question n° {number}"
        name = item.regle or item.controle
        if not name:
            raise InputError(f"{where} : indiquez le contrôle (regle ou controle), tel que le questionnaire "
                             "écrit par vmes-audit le donne.")
        rule_ids = resolve_rule_ids(name, pack, where)
        if not item.answered:
            continue
        parameter = next((p for p in (asked_parameter(rules[r], defaults) for r in rule_ids) if p), "")
        value = _parameter_value(item, defaults[parameter], where) if parameter else None
        if not parameter and item.conforme is None:
            out.warnings.append(f"Réponse à la question n° {number} ({name}) sans « conforme : oui » ou "
                                "« conforme : non » : le point reste « À vérifier ».")
            continue
        by = item.repondu_par or answers.repondu_par
        day = item.date or answers.date
        out.items.append(_Resolved(number=number, item=item, rule_ids=rule_ids, parameter=parameter, value=value,
                                   by=by, on=day.strftime("%d/%m/%Y") if day else ""))
    if out.items and not any(r.by for r in out.items):
        out.warnings.append("Réponses du questionnaire sans répondant : indiquez « repondu_par » (nom et "
                            "fonction) pour que le rapport dise qui a répondu.")
    return out


def _matches(resolved: _Resolved, finding: Finding) -> bool:
    host = resolved.item.hote
    return finding.rule_id in resolved.rule_ids and (not host or host.upper() in (
        finding.host.upper(), finding.subject.upper()))


def apply_answers(findings: list[Finding], answers: ResolvedAnswers) -> tuple[list[Finding], list[str]]:
    """« À vérifier » findings decided by an answer, each carrying it (who, when); a parameter
    question's findings (already evaluated with the value) only carry it."""
    warnings = list(answers.warnings)
    used: set[int] = set()
    out: list[Finding] = []
    for finding in findings:
        resolved = next((r for r in answers.items if _matches(r, finding)), None)
        if resolved is None or (not resolved.parameter and finding.state != State.MANUAL):
            out.append(finding)
            continue
        used.add(resolved.number)
        item = resolved.item
        answer = Answer(text=item.text or ("oui" if item.conforme else "non"), comment=item.commentaire,
                        by=resolved.by, on=resolved.on)
        if resolved.parameter:
            out.append(finding.model_copy(update={"answer": answer}))
            continue
        said = f" : {item.text}" if item.text else ""
        if item.conforme:
            update = {"state": State.PASS, "message": f"Le client confirme que le prérequis est rempli{said}."}
        else:
            update = {"state": State.FAIL, "message": f"Le client indique que le prérequis n'est pas rempli{said}."}
        out.append(finding.model_copy(update={**update, "answer": answer}))
    for resolved in answers.items:
        if resolved.number not in used:
            name = resolved.item.regle or resolved.item.controle
            where = f" sur {resolved.item.hote}" if resolved.item.hote else ""
            warnings.append(f"Réponse sans effet (question n° {resolved.number}, {name}{where}) : aucun point "
                            "« À vérifier » de ce contrôle dans cette analyse.")
    return out, warnings


@dataclass(frozen=True)
class QuestionItem:
    """A question of the questionnaire file (report/questionnaire.py writes them)."""

    catalogue: str
    rule_id: str
    host: str
    question: str
    expected: str
    parameter: str = ""


# The kit's questionnaire goes out before any collection: a rule's question names the machine as this,
# and every other column of the host table is unknown.
KIT_MACHINE = "la future machine VMES"
_HOST_COLUMNS = TABLES["host"].columns if "host" in TABLES else ()


def pack_questions(pack: Any) -> list[QuestionItem]:
    """The questions known before any collection: rules that are always « À vérifier » (every
    outcome is), and the parameter questions (C7), worded for the future VMES machine."""
    from jinja2 import TemplateError

    from vmes_audit.engine.templates import render_text

    defaults = pack.default_params()
    out = []
    for rule in pack.ordered_rules():
        parameter = asked_parameter(rule, defaults)
        always = all(o.state == State.MANUAL for o in rule.outcomes)
        if not (parameter or always) or not rule.question:
            continue
        context = {**dict.fromkeys(_HOST_COLUMNS), "hostname": KIT_MACHINE, "params": defaults, "host": "",
                   "subject": ""}
        try:
            question = " ".join(render_text(rule.question, context).split())
            expected = " ".join(render_text(rule.expected, context).split())
        except (TemplateError, TypeError, ValueError):
            question, expected = f"Pouvez-vous confirmer : {rule.title} ?", ""
        out.append(QuestionItem(catalogue=rule.catalogue, rule_id=rule.id, host="",
                                question=question[:1].upper() + question[1:], expected=expected,
                                parameter=parameter))
    return out
