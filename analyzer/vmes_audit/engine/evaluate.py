"""Evaluate a rule pack against the evidence: one or more findings per rule.

The engine knows nothing of VMES: what to check lives in the pack. Its job is
the bookkeeping a careful engineer would do by hand: pick the subjects (each
VMES machine, each Exchange server, the organisation), check that the
evidence exists, evaluate the outcomes in order with three-valued logic, and
turn missing evidence into "Non évaluable" naming the artifact and its error.
"""

from __future__ import annotations

import re

from typing import Any, Callable, Protocol

import numpy as np
import pandas as pd

from vmes_audit.collection.artifacts import ARTIFACTS
from vmes_audit.engine.columns import (SUBJECT, Scope, SelectionColumns, View, condition_mask, selection_columns,
                                       subject_key)
from vmes_audit.engine.conditions import (EvalContext, SelectionResult, condition_fields,
                                          condition_selections, evaluate)
from vmes_audit.engine.frames import records
from vmes_audit.engine.model import Outcome, Rule, Selection
from vmes_audit.engine.templates import TemplateBudgetExceeded, render_commands, render_text
from vmes_audit.base.errors import internal_error_text
from vmes_audit.facts.model import TABLES
from vmes_audit.base.findings import Finding, Reference, State

__all__ = ["Evidence", "READDRESS", "evaluate_rule", "evaluate_rule_rowwise", "evaluate_rule_safely", "artifact_status_fr", "reflow"]


class Evidence(Protocol):
    """What the engine reads: fact tables and the state of each artifact."""

    def table(self, name: str) -> pd.DataFrame: ...

    def artifact_usable(self, host: str | None, name: str) -> tuple[bool, str]:
        """(usable, French description of its state); host None = any host."""
        ...

    def subjects(self, role: str) -> list[dict[str, Any]]:
        """Host rows of that role (``vmes`` or ``exchange``), or the organisation row."""
        ...


def artifact_status_fr(name: str, status: str, error: str) -> str:
    """French description of why an artifact cannot be used.

    >>> artifact_status_fr("wmi_os", "error", "Accès refusé")
    '« wmi_os » (WMI Win32_OperatingSystem) en erreur lors de la collecte (Accès refusé)'
    """
    detail = f" ({error.strip()})" if error and error.strip() else ""
    spec = ARTIFACTS.get(name)
    label = f"« {name} » ({spec.label_fr})" if spec else f"« {name} »"
    if status == "ok":
        return f"{label} disponible"
    if status == "missing":
        return f"{label} absent de la collecte"
    if status == "skipped":
        return f"{label} non collecté{detail}"
    if status == "unreadable":
        return f"{label} illisible{detail}"
    return f"{label} en erreur lors de la collecte{detail}"


def _frame_rows(frame: pd.DataFrame, host: str | None) -> list[dict[str, Any]]:
    if frame.empty:
        return []
    if host is not None and "host" in frame.columns:
        frame = frame[frame["host"] == host]
    return records(frame)


def _rows(evidence: Evidence, table: str, host: str | None) -> list[dict[str, Any]]:
    """Rows of ``table`` (of ``host``); read once per evidence when it can cache them."""
    rows = getattr(evidence, "rows", None)
    if rows is not None:
        return rows(table, host)
    return _frame_rows(evidence.table(table), host)


def _candidates(evidence: Evidence, table: str, host: str | None, rows: list[dict[str, Any]],
                key: tuple[str, str] | None, subject_row: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows that can satisfy the selection: with an equality on a subject column, only the rows
    whose column equals it (case-insensitive, as ``eq`` compares) plus those where it is not a string
    (null: unknown; a number: compared by ``eq``'s own rules). Keeps a per-subject selection linear in
    the table's size instead of quadratic (200 Exchange servers × their rights)."""
    if key is None:
        return rows
    wanted = subject_row.get(key[1])
    index_of = getattr(evidence, "index", None)
    if not isinstance(wanted, str) or index_of is None:
        return rows
    buckets, others = index_of(table, host, key[0])
    return buckets.get(wanted.lower(), []) + others


def _selection_runner(sel: Selection, evidence: Evidence, host: str | None, ctx: EvalContext):
    def run() -> SelectionResult:
        spec = TABLES.get(sel.table)
        sources = sel.artifacts or (list(spec.artifacts) if spec else [])
        scope_host = host if sel.same_host else None
        states = [evidence.artifact_usable(scope_host, a) for a in sources]
        if sources and not any(ok for ok, _ in states):
            return SelectionResult([], [], False, " ; ".join(text for _, text in states))
        rows = _candidates(evidence, sel.table, scope_host, _rows(evidence, sel.table, scope_host),
                           subject_key(sel.where), ctx.row)
        if sel.artifacts:
            rows = [r for r in rows if r.get("artifact") in sel.artifacts]
        matched, uncertain = [], []
        row_ctx = _row_ctx(ctx)
        for row in rows:
            verdict = True if sel.where is None else evaluate(sel.where, row_ctx, row)
            if verdict is True:
                matched.append(row)
            elif verdict is None:
                uncertain.append(row)
        return SelectionResult(matched, uncertain, True, table=sel.table, missing_fields=set(row_ctx.missing))

    return run


def _row_ctx(ctx: EvalContext) -> EvalContext:
    # Per-row checks must not report a row's null column as a missing subject field.
    return EvalContext(row=ctx.row, params=ctx.params, selections=ctx.selections, _cache=ctx._cache)


class _Selections(dict):
    """``sel.NAME`` in templates: the matching rows of a selection, computed on demand."""

    def __init__(self, ctx: EvalContext):
        super().__init__()
        self._ctx = ctx

    def __getattr__(self, name: str) -> list[dict[str, Any]]:
        if name.startswith("_") or name not in self._ctx.selections:
            raise AttributeError(name)
        return self._ctx.selection(name).rows

    __getitem__ = __getattr__


def _references(rule: Rule) -> list[Reference]:
    return [Reference(kind=r.kind, id=r.id, title=r.title, url=r.url) for r in rule.references]


def _evidence_artifacts(rule: Rule, row: dict[str, Any], evidence: Evidence, host: str | None) -> list[str]:
    """The artifacts the finding's evidence came from: provenance of the fields read, then tables."""
    names: list[str] = []
    provenance = row.get("provenance") or {}
    fields: set[str] = condition_fields(rule.applies_when)
    selections: set[str] = condition_selections(rule.applies_when)
    for outcome in rule.outcomes:
        fields |= condition_fields(outcome.when)
        selections |= condition_selections(outcome.when)
    for field_name in sorted(fields):
        source = provenance.get(field_name)
        if source and source not in names:
            names.append(source)
    for sel_name in sorted(selections):
        sel = rule.selections.get(sel_name)
        spec = TABLES.get(sel.table) if sel else None
        for name in (sel.artifacts if sel and sel.artifacts else (spec.artifacts if spec else ())):
            if name not in names and evidence.artifact_usable(host, name)[0]:
                names.append(name)
    if not names:
        names = [n for n in rule.requires.all + rule.requires.any if evidence.artifact_usable(host, n)[0]]
    return names


def _base(rule: Rule, host: str, subject: str) -> dict[str, Any]:
    return {"rule_id": rule.id, "catalogue": rule.catalogue, "section": rule.section, "title": rule.title,
            "severity": rule.severity, "host": host, "subject": subject,
            "references": _references(rule), "manual_check": reflow(rule.manual_check)}


def _unknown(rule: Rule, host: str, subject: str, reason: str, evidence_names: list[str],
             context: dict[str, Any] | None = None) -> Finding:
    """A "Non évaluable" finding: the reason, the manual procedure, and the rule's texts
    rendered as far as the (partial) data allows."""
    context = context or {}
    return Finding(**_base(rule, host, subject), state=State.UNKNOWN,
                   message=f"Non évaluable : {reason}.", expected=_safe_render(rule.expected, context),
                   details=_source_notes(rule, context),
                   why=reflow(_safe_render(rule.why, context) or rule.why), remediation="",
                   evidence=evidence_names, question=reflow(_safe_render(rule.question, context)))


def _safe_render(source: str, context: dict[str, Any]) -> str:
    try:
        return render_text(source, context)
    except Exception:  # noqa: BLE001 - a template that needs absent data renders as empty here
        return ""


def _requires_ok(rule: Rule, evidence: Evidence, host: str | None) -> tuple[bool, str]:
    problems: list[str] = []
    for name in rule.requires.all:
        ok, text = evidence.artifact_usable(host, name)
        if not ok:
            problems.append(text)
    if rule.requires.any:
        states = [evidence.artifact_usable(host, name) for name in rule.requires.any]
        if not any(ok for ok, _ in states):
            problems += [text for _, text in states]
    return (not problems), " ; ".join(problems)


def _missing_reason(ctx: EvalContext, row: dict[str, Any]) -> str:
    parts = []
    if ctx.unavailable:
        parts += [reason for reason in ctx.unavailable.values() if reason]
    rejected = row.get("rejected") if isinstance(row.get("rejected"), dict) else {}
    refused = sorted(f for f in ctx.missing if f in rejected)
    absent = sorted(f for f in ctx.missing if f not in rejected)
    parts += [f"donnée « {f} » refusée, {rejected[f]}" for f in refused]
    if absent:
        fields = ", ".join(f"« {f} »" for f in absent)
        parts.append(f"donnée{'s' if len(absent) > 1 else ''} {fields} absente"
                     f"{'s' if len(absent) > 1 else ''} des artefacts collectés")
    return " ; ".join(parts) or "données insuffisantes"


def _source_notes(rule: Rule, row: dict[str, Any]) -> list[str]:
    """Lines saying which weaker source decided a value the rule reads, because a stronger one was broken."""
    notes = row.get("fallbacks") if isinstance(row.get("fallbacks"), dict) else {}
    if not notes:
        return []
    fields: set[str] = condition_fields(rule.applies_when)
    tables: set[str] = set()
    for outcome in rule.outcomes:
        fields |= condition_fields(outcome.when)
    for sel in rule.selections.values():
        tables.add(sel.table)
    if rule.for_each is not None:
        tables.add(rule.for_each.table)
    return [f"Source de « {name} » : {notes[name]}." for name in sorted((fields | tables) & set(notes))]


_LIST_ITEM = re.compile(r"^\d+[.)] ")


def reflow(text: str) -> str:
    r"""Join hard-wrapped prose lines; keep indented lines (commands) and blank lines as they are.

    >>> reflow("Ouvrir la console\net cliquer.\n\n  reg add HKLM\\X /v Y\nFin.")
    'Ouvrir la console et cliquer.\n\n  reg add HKLM\\X /v Y\nFin.'
    >>> reflow("1. Retirer le compte\ndu groupe.\n2. Réactiver l'héritage.")
    "1. Retirer le compte du groupe.\n2. Réactiver l'héritage."
    """
    out: list[str] = []
    for line in text.splitlines():
        # a list item ("1. ", "- ") or an indented line (a command) starts its own line
        prose = line.strip() and not line.startswith((" ", "\t", "-", "*", "•")) and not _LIST_ITEM.match(line)
        previous = out[-1] if out else ""
        if prose and previous.strip() and not previous.startswith((" ", "\t")) and not previous.endswith(":"):
            out[-1] = previous.rstrip() + " " + line.strip()
        else:
            out.append(line.rstrip())
    return "\n".join(out).strip()


def _unknown_like(value: Any) -> Any:
    """A forgotten value: an empty list for a list (templates iterate it), else None."""
    return [] if isinstance(value, (list, tuple)) else None


class _ForgetSelections(dict):
    """``sel.NAME`` for a re-addressed remediation: the rows of a selection over a table of the
    rejected machine, with that machine's own columns (its addresses, its DNS servers) unknown."""

    def __init__(self, inner: Any, hidden: dict[str, list[str]]):
        super().__init__()
        self._inner = inner
        self._hidden = hidden

    def __getattr__(self, name: str) -> list[dict[str, Any]]:
        if name.startswith("_"):
            raise AttributeError(name)
        rows = getattr(self._inner, name)
        columns = self._hidden.get(name)
        return [{**row, **{c: _unknown_like(row.get(c)) for c in columns}} for row in rows] if columns else rows

    __getitem__ = __getattr__


# ``params[READDRESS]``: {"label": French name of the machine the remediation goes to, "hosts": {host:
# {column: value}}}: the remediation of a finding about one of those hosts is rendered with these
# columns replaced (hostname -> « la machine qui hébergera VMES », the rejected machine's addresses ->
# unknown); its state, message and observation stay those of the real machine. Set by the assessment
# for the steps the action plan re-addresses (assessment/run.py, action-plan.yaml `machine:`).
READDRESS = "_readdress"


def _finding(rule: Rule, outcome: Outcome, state: State, host: str, subject: str,
             context: dict[str, Any], evidence_names: list[str], *, row_less: bool = False) -> Finding:
    """``row_less``: a for_each rule with no row; its per-row texts (observed, remediation) are skipped."""
    render = _safe_render if row_less else render_text
    message = render_text(outcome.message, context)
    readdress = (context.get("params") or {}).get(READDRESS) or {}
    overrides = (readdress.get("hosts") or {}).get(host)
    acts = state in (State.FAIL, State.WARN, State.MANUAL) and not row_less
    remediation_context = context
    if overrides and acts:
        remediation_context = {**context, **{k: _unknown_like(context.get(k)) if v is None else v
                                             for k, v in overrides.items()}}
        forget = readdress.get("forget") or {}
        hidden = {name: forget[sel.table] for name, sel in rule.selections.items() if sel.table in forget}
        if hidden and context.get("sel") is not None:
            remediation_context["sel"] = _ForgetSelections(context["sel"], hidden)
    details = _source_notes(rule, context)
    if overrides and acts:
        details.append(f"{context.get('hostname') or host} n'est pas retenue comme machine VMES "
                       f"({readdress.get('why', '')}) : la correction s'applique à {readdress['label']}.")
    return Finding(**_base(rule, host, subject), state=state, message=message,
                   details=details,
                   observed=render(rule.observed, context) if state != State.NA and not row_less else "",
                   expected=render(rule.expected, context),
                   why=reflow(render_text(rule.why, context)),
                   remediation=reflow(render_commands(rule.remediation, remediation_context)) if acts else "",
                   question=reflow(render(rule.question, context)) if state == State.MANUAL else "",
                   evidence=evidence_names, addressed_to=readdress["label"] if overrides and acts else "")


def _evaluate_subject(rule: Rule, evidence: Evidence, params: dict[str, Any], host: str,
                      row: dict[str, Any], subject: str) -> Finding:
    scope_host = host if rule.scope != "organisation" else None
    ok, reason = _requires_ok(rule, evidence, scope_host)
    names = _evidence_artifacts(rule, row, evidence, scope_host)
    ctx = EvalContext(row=row, params=params)
    for name, sel in rule.selections.items():
        ctx.selections[name] = _selection_runner(sel, evidence, scope_host, ctx)
    context = {**{k: v for k, v in row.items() if isinstance(k, str)}, "params": params,
               "sel": _Selections(ctx), "host": host, "subject": subject}

    # Applicability first: a check that does not apply is "Non applicable" even when
    # its own evidence is missing (no Exchange 2007 server: no EMS output needed).
    applies = evaluate(rule.applies_when, ctx) if rule.applies_when is not None else True
    if applies is False:
        return Finding(**_base(rule, host, subject), state=State.NA,
                       message=render_text(rule.not_applicable, context), evidence=names,
                       expected=_safe_render(rule.expected, context))
    if not ok:
        return _unknown(rule, host, subject, reason, rule.requires.all + rule.requires.any, context)
    if applies is None:
        return _unknown(rule, host, subject, "impossible de savoir si la vérification s'applique : "
                        + _missing_reason(ctx, row), names, context)

    for outcome in rule.outcomes:
        if outcome.when is None:
            return _finding(rule, outcome, outcome.state, host, subject, context, names)
        verdict = evaluate(outcome.when, ctx)
        if verdict is None:
            return _unknown(rule, host, subject, _missing_reason(ctx, row), names, context)
        if verdict:
            return _finding(rule, outcome, outcome.state, host, subject, context, names)
    raise AssertionError("the last outcome has no condition")  # guaranteed by the model


def evaluate_rule_safely(rule: Rule, evidence: Evidence, params: dict[str, Any]) -> list[Finding]:
    """Like :func:`evaluate_rule`, but an unexpected error (an engine bug, a value shape no rule
    foresaw) gives one "Non évaluable" finding naming it instead of stopping the report."""
    try:
        return evaluate_rule(rule, evidence, params)
    except TemplateBudgetExceeded as exc:  # a pack in preparation: its template, not the analyzer, is at fault
        return [_unknown(rule, "", "", str(exc), rule.requires.all + rule.requires.any)]
    except Exception as exc:  # noqa: BLE001 - contained: the finding names it
        return [_unknown(rule, "", "", internal_error_text(exc), rule.requires.all + rule.requires.any)]


def evaluate_rule_rowwise(rule: Rule, evidence: Evidence, params: dict[str, Any]) -> list[Finding]:
    """All findings of one rule, evaluated subject by subject and row by row: the reference the
    column-wise engine (:func:`evaluate_rule`) is held to (tests/engine/test_columns.py), and the
    path that writes a « Non évaluable » finding's reason."""
    if rule.scope == "organisation":
        subjects = evidence.subjects("organisation") or [{"host": ""}]
    else:
        subjects = evidence.subjects(rule.scope)
        if not subjects:
            return []  # no machine of that role in this assessment
    findings: list[Finding] = []
    for host_row in subjects:
        host = str(host_row.get("host") or "")
        if rule.for_each is None:
            findings.append(_evaluate_subject(rule, evidence, params, host, host_row, ""))
            continue
        each = rule.for_each
        scope_host = host if rule.scope != "organisation" else None
        ok, reason = _requires_ok(rule, evidence, scope_host)
        if not ok:
            findings.append(_unknown(rule, host, "", reason, rule.requires.all + rule.requires.any))
            continue
        spec = TABLES.get(each.table)
        sources = list(spec.artifacts) if spec else []
        states = [evidence.artifact_usable(scope_host, a) for a in sources]
        if sources and not any(ok for ok, _ in states):
            findings.append(_unknown(rule, host, "", " ; ".join(t for _, t in states), sources))
            continue
        rows = _rows(evidence, each.table, scope_host)
        ctx = EvalContext(row=host_row, params=params)
        if each.where is not None:
            rows = [r for r in rows if evaluate(each.where, _row_ctx(ctx), r) is not False]
        if not rows:
            if each.when_empty is not None:
                context = {**host_row, "params": params, "sel": _Selections(ctx), "host": host, "subject": ""}
                findings.append(_finding(rule, each.when_empty, each.when_empty.state, host, "", context, sources,
                                         row_less=True))
            else:
                findings.append(_unknown(rule, host, "", f"aucune ligne dans la table « {each.table} »", sources))
            continue
        for table_row in rows:
            merged = {**host_row, **table_row, "provenance": host_row.get("provenance", {})}
            subject = render_text(each.subject, {**merged, "params": params})
            row_host = str(table_row.get("host") or host)
            findings.append(_evaluate_subject(rule, evidence, params, row_host, merged, subject))
    return findings


# ------------------------------------------------------------------ column-wise evaluation


class _ColumnSelections(dict):
    """``sel.NAME`` in templates: one subject's matching rows of a column-wise selection."""

    def __init__(self, scope: Scope, sid: int):
        super().__init__()
        self._scope = scope
        self._sid = sid

    def __getattr__(self, name: str) -> list[dict[str, Any]]:
        if name.startswith("_") or name not in self._scope.selections:
            raise AttributeError(name)
        return self._scope.selection(name).rows(self._sid)

    __getitem__ = __getattr__


def _subject_frame(evidence: Evidence, rule: Rule) -> pd.DataFrame:
    """The rule's subjects as a frame (built once per evidence and scope: the tables do not change)."""
    cache = evidence.__dict__.setdefault("_subject_frames", {})
    if rule.scope not in cache:
        rows = evidence.subjects(rule.scope)
        if rule.scope == "organisation" and not rows:
            rows = [{"host": ""}]
        frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(columns=["host"], dtype=object)
        cache[rule.scope] = frame.assign(**{SUBJECT: range(len(frame))})
    return cache[rule.scope]


def _availability(evidence: Evidence, sources: list[str]) -> Callable[[str | None], tuple[bool, str]]:
    def available(host: str | None) -> tuple[bool, str]:
        states = [evidence.artifact_usable(host, a) for a in sources]
        if sources and not any(ok for ok, _ in states):
            return False, " ; ".join(text for _, text in states)
        return True, ""
    return available


def _scope(rule: Rule, evidence: Evidence, params: dict[str, Any], subjects: pd.DataFrame,
           scope_hosts: pd.Series) -> Scope:
    scope = Scope(params)
    for name, sel in rule.selections.items():
        spec = TABLES.get(sel.table)
        sources = list(sel.artifacts or (spec.artifacts if spec else ()))
        hosts = scope_hosts if sel.same_host else pd.Series([None] * len(subjects), index=scope_hosts.index)

        def run(sel: Selection = sel, hosts: pd.Series = hosts, sources: list[str] = sources) -> SelectionColumns:
            return selection_columns(sel, subjects, hosts, evidence.table(sel.table), _availability(evidence, sources),
                                     scope)
        scope.selections[name] = run
    return scope


def _decide(rule: Rule, subjects: pd.DataFrame, scope_hosts: pd.Series, evidence: Evidence,
            params: dict[str, Any]) -> tuple[list[object], Scope]:
    """Per subject: "n/a", "requires" (evidence missing), "unknown", or the index of its outcome."""
    scope = _scope(rule, evidence, params, subjects, scope_hosts)
    view = View(subjects)
    requires = {host: _requires_ok(rule, evidence, host)[0] for host in set(scope_hosts.tolist())}
    applies = (_tri(condition_mask(rule.applies_when, view, scope)) if rule.applies_when is not None
               else [True] * len(subjects))
    decisions: list[object] = [None] * len(subjects)
    open_ = np.ones(len(subjects), dtype=bool)
    for i, host in enumerate(scope_hosts.tolist()):
        if applies[i] is False:
            decisions[i], open_[i] = "n/a", False
        elif not requires[host]:
            decisions[i], open_[i] = "requires", False
        elif applies[i] is None:
            decisions[i], open_[i] = "unknown", False
    for k, outcome in enumerate(rule.outcomes):
        if not open_.any():
            break
        if outcome.when is None:
            for i in np.flatnonzero(open_):
                decisions[i] = k
            break
        mask = _tri(condition_mask(outcome.when, View(subjects[open_]), scope))
        for i, value in zip(np.flatnonzero(open_), mask):
            if value is None:
                decisions[i], open_[i] = "unknown", False
            elif value:
                decisions[i], open_[i] = k, False
    return decisions, scope


def _tri(mask: pd.Series) -> list[bool | None]:
    """A nullable boolean column as Python values: True, False, None (unknown)."""
    return [None if value is pd.NA else bool(value) for value in mask.tolist()]


def _findings(rule: Rule, evidence: Evidence, params: dict[str, Any], subjects: pd.DataFrame,
              scope_hosts: pd.Series, texts: list[str]) -> list[Finding]:
    decisions, scope = _decide(rule, subjects, scope_hosts, evidence, params)
    rows = records(subjects.drop(columns=[SUBJECT]))
    findings = []
    for i, (row, decision, scope_host, subject) in enumerate(zip(rows, decisions, scope_hosts.tolist(), texts)):
        host = str(row.get("host") or "")
        if decision in ("unknown", "requires", "n/a"):
            # the row-wise path writes these findings: the reason names what is missing
            findings.append(_evaluate_subject(rule, evidence, params, host, row, subject))
            continue
        outcome = rule.outcomes[int(decision)]
        context = {**{k: v for k, v in row.items() if isinstance(k, str)}, "params": params,
                   "sel": _ColumnSelections(scope, i), "host": host, "subject": subject}
        names = _evidence_artifacts(rule, row, evidence, scope_host)
        findings.append(_finding(rule, outcome, outcome.state, host, subject, context, names))
    return findings


def evaluate_rule(rule: Rule, evidence: Evidence, params: dict[str, Any]) -> list[Finding]:
    """All findings of one rule (one per subject), its conditions evaluated column-wise over the
    fact frames for all its subjects at once (:mod:`vmes_audit.engine.columns`)."""
    subjects = _subject_frame(evidence, rule)
    if rule.scope != "organisation" and subjects.empty:
        return []  # no machine of that role in this assessment
    scope_hosts = (subjects["host"].map(lambda h: str(h or "")) if rule.scope != "organisation"
                   else pd.Series([None] * len(subjects), index=subjects.index, dtype=object))
    if rule.for_each is None:
        return _findings(rule, evidence, params, subjects, scope_hosts, [""] * len(subjects))
    return _for_each(rule, evidence, params, subjects, scope_hosts)


def _for_each(rule: Rule, evidence: Evidence, params: dict[str, Any], hosts: pd.DataFrame,
              scope_hosts: pd.Series) -> list[Finding]:
    """One subject per row of the for_each table (of the subject's host), joined to its host row with
    ``merge``: the table's columns win, the host's provenance stays."""
    each = rule.for_each
    assert each is not None
    spec = TABLES.get(each.table)
    sources = list(spec.artifacts) if spec else []
    chosen = selection_columns(Selection(table=each.table, where=each.where, same_host=True), hosts, scope_hosts,
                               evidence.table(each.table), _availability(evidence, sources), Scope(params))
    keep = (chosen.mask != False).fillna(True).astype(bool).to_numpy()  # noqa: E712 - unknown rows stay
    table_part = chosen.frame.loc[keep, [SUBJECT, *[c for c in chosen.table_columns if c != "provenance"]]]
    host_part = hosts.drop(columns=[c for c in hosts.columns if c in table_part.columns and c != SUBJECT])
    merged = table_part.merge(host_part, on=SUBJECT, how="left", sort=False)  # in (host, table) order
    counts = merged[SUBJECT].value_counts()
    host_names = [str(h or "") for h in hosts["host"].tolist()]
    findings: list[Finding | None] = []
    slots: list[int] = []  # where each evaluated row's finding goes
    selected: list[int] = []  # the host subjects whose rows are evaluated
    for sid, (host_row, scope_host) in enumerate(zip(records(hosts.drop(columns=[SUBJECT])), scope_hosts.tolist())):
        host = host_names[sid]
        ok, reason = _requires_ok(rule, evidence, scope_host)
        usable, why = _availability(evidence, sources)(scope_host)
        if not ok:
            findings.append(_unknown(rule, host, "", reason, rule.requires.all + rule.requires.any))
        elif not usable:
            findings.append(_unknown(rule, host, "", why, sources))
        elif not counts.get(sid, 0):
            if each.when_empty is not None:
                context = {**host_row, "params": params,
                           "sel": _Selections(EvalContext(row=host_row, params=params)), "host": host, "subject": ""}
                findings.append(_finding(rule, each.when_empty, each.when_empty.state, host, "", context, sources,
                                         row_less=True))
            else:
                findings.append(_unknown(rule, host, "", f"aucune ligne dans la table « {each.table} »", sources))
        else:
            slots += range(len(findings), len(findings) + int(counts[sid]))
            findings += [None] * int(counts[sid])
            selected.append(sid)
    rows = merged[merged[SUBJECT].isin(selected)].reset_index(drop=True)
    if not rows.empty:
        owners = rows[SUBJECT].tolist()
        row_hosts = [None if rule.scope == "organisation" else str(table_host or host_names[owner])
                     for table_host, owner in zip(rows["host"].tolist(), owners)]
        plain = records(rows.drop(columns=[SUBJECT]))
        texts = [render_text(each.subject, {**row, "params": params}) for row in plain]
        frame = rows.assign(**{SUBJECT: range(len(rows))})
        evaluated = _findings(rule, evidence, params, frame, pd.Series(row_hosts, index=frame.index, dtype=object),
                              texts)
        for slot, finding in zip(slots, evaluated):
            findings[slot] = finding
    return [f for f in findings if f is not None]

