"""Three-valued evaluation of rule conditions.

A condition is True, False or None (unknown: the data it needs is missing).
``all`` is False as soon as one part is False, else None if one part is None;
``any`` is True as soon as one part is True, else None if one part is None.
So missing evidence can never make a check pass silently: it propagates to
the outcome, and the engine reports "Non évaluable" naming what is missing.

>>> ctx = EvalContext(row={"os_version": "5.2.3790", "ram": None}, params={"min": 1000})
>>> evaluate(Leaf(field="os_version", op="version_ge", value="5.2"), ctx)
True
>>> evaluate(Leaf(field="ram", op="ge", value=ParamRef(param="min")), ctx) is None, sorted(ctx.missing)
(True, ['ram'])

A value the fact builder refused as implausible (``rejected``) is unknown even to ``is_null``:

>>> refused = {"sp": None, "rejected": {"sp": "valeur hors limites : -1"}}
>>> evaluate(Leaf(field="sp", op="is_null"), EvalContext(row=refused, params={})) is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from vmes_audit.engine.model import (AllOf, AnyOf, Condition, Count, Every, Exists, FieldRef, Leaf, NoneOf,
                                     Not, Op, ParamRef, SubjectRef)

__all__ = ["EvalContext", "SelectionResult", "evaluate", "parse_version", "compare"]

Tri = bool | None


@dataclass
class SelectionResult:
    """Rows of a selection: those that match, those that might (unknown), and availability."""

    rows: list[dict[str, Any]]
    uncertain: list[dict[str, Any]]
    available: bool
    reason: str = ""  # why not available
    table: str = ""
    missing_fields: set[str] = field(default_factory=set)  # columns found null in uncertain rows

    def uncertainty(self) -> str:
        """French sentence for rows that could not be decided (and why a value was refused, if it was)."""
        columns = ", ".join(f"« {c} »" for c in sorted(self.missing_fields)) or "certaines colonnes"
        text = (f"{len(self.uncertain)} ligne(s) de la table « {self.table} » sans valeur pour {columns} "
                "dans les artefacts collectés")
        notes = []
        for row in self.uncertain:
            rejected = row.get("rejected") if isinstance(row.get("rejected"), dict) else {}
            for column in sorted(self.missing_fields & set(rejected)):
                note = f"« {column} » : {rejected[column]}"
                if note not in notes:
                    notes.append(note)
        if notes:
            text += f" ({' ; '.join(notes[:5])}{' ; …' if len(notes) > 5 else ''})"
        return text


@dataclass
class EvalContext:
    row: dict[str, Any]
    params: dict[str, Any]
    selections: dict[str, Callable[[], SelectionResult]] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)  # fields found null
    unavailable: dict[str, str] = field(default_factory=dict)  # selection -> reason
    _cache: dict[str, SelectionResult] = field(default_factory=dict)

    def selection(self, name: str) -> SelectionResult:
        if name not in self._cache:
            self._cache[name] = self.selections[name]()
        return self._cache[name]


# "6.0.3790.1830" (ASCII digits: "²" or "٣" are no version)
_VERSION = re.compile(r"[0-9]+(?:\.[0-9]+)*", re.ASCII)
_VERSION_PART_DIGITS = 9  # every real version component fits (builds are 16 bits, revisions 32)
_MATCH_TEXT = 65536  # characters of a value a `matches` condition reads
_VERSION_TEXT = 4096  # a version is read from the beginning of a value, never from megabytes of it


def parse_version(value: Any) -> tuple[int, ...] | None:
    """Dotted numeric version, ignoring surrounding text; None when absent or a component is out of range.

    >>> parse_version("6.0.3790.1830"), parse_version("Version 6.5 (Build 7638.2)"), parse_version(5)
    ((6, 0, 3790, 1830), (6, 5), (5,))
    >>> parse_version("5." + "9" * 5000) is None, parse_version(-1) is None
    (True, True)
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int) and value < 0:
        return None
    match = _VERSION.search(str(value)[:_VERSION_TEXT])
    if not match:
        return None
    parts = match.group(0).split(".")
    if len(parts) > 8 or any(len(p) > _VERSION_PART_DIGITS for p in parts):
        return None
    return tuple(int(p) for p in parts)


def _vcmp(left: tuple[int, ...], right: tuple[int, ...]) -> int:
    width = max(len(left), len(right))
    a = left + (0,) * (width - len(left))
    b = right + (0,) * (width - len(right))
    return (a > b) - (a < b)


def _resolve(value: Any, ctx: EvalContext, row: dict[str, Any]) -> Any:
    if isinstance(value, ParamRef):
        if value.param not in ctx.params:
            raise KeyError(f"paramètre inconnu : {value.param}")
        return ctx.params[value.param]
    if isinstance(value, FieldRef):
        return row.get(value.field)
    if isinstance(value, SubjectRef):
        return ctx.row.get(value.subject)
    return value


def _norm(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def compare(op: Op, left: Any, right: Any) -> Tri:
    """Apply ``op``; None when ``left`` is null or not comparable."""
    if op is Op.IS_NULL:
        return left is None
    if op is Op.NOT_NULL:
        return left is not None
    if left is None or right is None and op not in (Op.IS_TRUE, Op.IS_FALSE):
        return None  # a reference to absent data (parameter, subject column) is unknown too
    if op is Op.IS_TRUE:
        return _truthy(left)
    if op is Op.IS_FALSE:
        truth = _truthy(left)
        return None if truth is None else not truth
    if op in (Op.EQ, Op.NE):
        equal = _norm(left) == _norm(right)
        if not equal and isinstance(right, (int, float)) and isinstance(left, str) and len(left) < 64:
            try:
                equal = float(left) == float(right)
            except (ValueError, OverflowError):
                pass
        return equal if op is Op.EQ else not equal
    if op in (Op.IN, Op.NOT_IN):
        member = _norm(left) in [_norm(v) for v in right]
        return member if op is Op.IN else not member
    if op in (Op.LT, Op.LE, Op.GT, Op.GE):
        try:
            a, b = float(left), float(right)
        except (TypeError, ValueError, OverflowError):
            return None
        if a != a or b != b:  # NaN compares false both ways: unknown, not a pass
            return None
        return {Op.LT: a < b, Op.LE: a <= b, Op.GT: a > b, Op.GE: a >= b}[op]
    if op.value.startswith("version_"):
        a, b = parse_version(left), parse_version(right)
        if a is None or b is None:
            return None
        c = _vcmp(a, b)
        return {Op.VERSION_LT: c < 0, Op.VERSION_LE: c <= 0, Op.VERSION_GT: c > 0,
                Op.VERSION_GE: c >= 0, Op.VERSION_EQ: c == 0}[op]
    if op in (Op.MATCHES, Op.NOT_MATCHES):
        # the pattern is the pack's; the text is the customer's, bounded so a rule's regex stays fast
        found = re.search(str(right), str(left)[:_MATCH_TEXT], re.I) is not None
        return found if op is Op.MATCHES else not found
    if op in (Op.CONTAINS, Op.NOT_CONTAINS):
        if isinstance(left, (list, tuple, set)):
            found = _norm(right) in [_norm(v) for v in left]
        else:
            found = str(right).lower() in str(left).lower()
        return found if op is Op.CONTAINS else not found
    raise ValueError(f"unsupported operator {op}")


def _truthy(value: Any) -> Tri:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "oui", "vrai"):
        return True
    if text in ("false", "0", "no", "non", "faux", ""):
        return False
    return None


def _all(values: list[Tri]) -> Tri:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _any(values: list[Tri]) -> Tri:
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


def evaluate(cond: Condition, ctx: EvalContext, row: dict[str, Any] | None = None) -> Tri:
    """Evaluate ``cond`` against ``row`` (default: the subject row)."""
    row = ctx.row if row is None else row
    if isinstance(cond, Leaf):
        if cond.field.startswith("params."):
            left = ctx.params.get(cond.field[len("params."):])
        elif cond.field.startswith("subject."):
            left = ctx.row.get(cond.field[len("subject."):])
        else:
            left = row.get(cond.field)
            if left is None and _refused(row, cond.field):
                # a value refused as implausible is not an absent one: "is_null" cannot use it either
                ctx.missing.add(cond.field)
                return None
        if left is None and cond.op not in (Op.IS_NULL, Op.NOT_NULL):
            ctx.missing.add(cond.field)
            return None
        return compare(cond.op, left, _resolve(cond.value, ctx, row))
    if isinstance(cond, (AllOf, AnyOf)):
        # The null fields and unavailable selections of the members count only when they leave the
        # whole condition unknown: {all: [not_null x, gt x 0]} with x null is false, nothing missing.
        missing, unavailable = ctx.missing, ctx.unavailable
        ctx.missing, ctx.unavailable = set(), {}
        try:
            members = cond.all if isinstance(cond, AllOf) else cond.any
            result = (_all if isinstance(cond, AllOf) else _any)([evaluate(c, ctx, row) for c in members])
        finally:
            inner_missing, inner_unavailable = ctx.missing, ctx.unavailable
            ctx.missing, ctx.unavailable = missing, unavailable
        if result is None:
            ctx.missing |= inner_missing
            for name, reason in inner_unavailable.items():
                ctx.unavailable.setdefault(name, reason)
        return result
    if isinstance(cond, Not):
        inner = evaluate(cond.not_, ctx, row)
        return None if inner is None else not inner
    if isinstance(cond, (Exists, NoneOf, Count, Every)):
        name = {Exists: "exists", NoneOf: "none", Count: "count", Every: "every"}[type(cond)]
        sel_name = getattr(cond, name)
        result = ctx.selection(sel_name)
        if not result.available:
            ctx.unavailable[sel_name] = result.reason
            return None
        if result.uncertain and not (result.rows and isinstance(cond, (Exists, NoneOf))):
            ctx.unavailable.setdefault(sel_name, result.uncertainty())
        if isinstance(cond, Exists):
            return True if result.rows else (None if result.uncertain else False)
        if isinstance(cond, NoneOf):
            return False if result.rows else (None if result.uncertain else True)
        if isinstance(cond, Count):
            target = _resolve(cond.value, ctx, row)
            low = len(result.rows)
            high = low + len(result.uncertain)
            at_low = compare(Op(cond.op), low, target)
            at_high = compare(Op(cond.op), high, target)
            return at_low if at_low == at_high else None
        values = [evaluate(cond.check, ctx, r) for r in result.rows]
        if result.uncertain:
            values.append(None)
        return _all(values)
    raise TypeError(f"unknown condition {cond!r}")


def _refused(row: dict[str, Any], column: str) -> bool:
    """True when the fact builder refused ``column``'s value (out of its plausible range)."""
    rejected = row.get("rejected")
    return isinstance(rejected, dict) and column in rejected


def condition_fields(cond: Condition | None) -> set[str]:
    """Subject fields a condition reads (quantifier checks read table rows, not the subject).

    >>> sorted(condition_fields(AllOf(all=[Leaf(field="a", op="is_null"), Not(**{"not": Leaf(field="b", op="is_true")})])))
    ['a', 'b']
    """
    if cond is None:
        return set()
    if isinstance(cond, Leaf):
        return set() if cond.field.startswith(("params.", "subject.")) else {cond.field}
    if isinstance(cond, AllOf):
        return set().union(*(condition_fields(c) for c in cond.all))
    if isinstance(cond, AnyOf):
        return set().union(*(condition_fields(c) for c in cond.any))
    if isinstance(cond, Not):
        return condition_fields(cond.not_)
    return set()


def condition_selections(cond: Condition | None) -> set[str]:
    """Selection names a condition uses."""
    if cond is None:
        return set()
    if isinstance(cond, (Exists, NoneOf, Count, Every)):
        name = getattr(cond, {Exists: "exists", NoneOf: "none", Count: "count", Every: "every"}[type(cond)])
        inner = condition_selections(cond.check) if isinstance(cond, Every) else set()
        return {name} | inner
    if isinstance(cond, AllOf):
        return set().union(*(condition_selections(c) for c in cond.all))
    if isinstance(cond, AnyOf):
        return set().union(*(condition_selections(c) for c in cond.any))
    if isinstance(cond, Not):
        return condition_selections(cond.not_)
    return set()
