"""A rule's conditions evaluated column-wise over the fact frames, for all its subjects at once.

A condition becomes a pandas ``boolean`` column (a *mask*) over a frame: ``True``, ``False`` or
``<NA>``. pandas' nullable booleans follow Kleene's three-valued logic, which is exactly the
engine's: ``all`` is false as soon as one part is false, else unknown if one part is unknown; ``any``
the other way round; ``not`` keeps unknown unknown. So missing evidence propagates to the outcome and
can never make a check pass.

- Leaves compare a column (or a parameter) with a value, row by row, with the engine's one
  comparison (``conditions.compare``: case-insensitive text, dotted versions, numbers…); a value the
  fact builder refused (``rejected``) is unknown.
- A selection (``exists``, ``none``, ``count``, ``every``) joins its table to the subjects with
  ``merge`` — on the host for ``same_host``, on the subject column an equality names
  (``{field: server, op: eq, value: {subject: name}}``, lower-cased), otherwise every pair — evaluates
  its ``where`` over the joined frame, and reduces per subject with ``groupby``.
- Outcomes are taken in order: a subject gets the first outcome whose mask is true; an unknown mask
  before it leaves the subject undecided (« Non évaluable »).

Row dicts are made only for what a finding shows (``SelectionColumns.rows``): the engine's texts.

>>> from vmes_audit.engine.model import Leaf
>>> frame = pd.DataFrame({"memory_mb": [512, 2048, None]}, dtype=object)
>>> condition_mask(Leaf(field="memory_mb", op="ge", value=1000), View(frame), Scope({})).tolist()
[False, True, <NA>]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from vmes_audit.engine.conditions import compare
from vmes_audit.facts.model import present
from vmes_audit.engine.model import (AllOf, AnyOf, Condition, Count, Every, Exists, FieldRef, Leaf, NoneOf, Not,
                                     Op, ParamRef, Selection, SubjectRef)

__all__ = ["View", "Scope", "SelectionColumns", "condition_mask", "selection_columns", "mask_of", "subject_key",
           "SUBJECT"]

SUBJECT = "_s"  # the subject's position, in a subject frame and in a selection's joined frame
_SUBJECT_PREFIX = "§"  # a subject's columns inside a selection's joined frame


def mask_of(values: list[bool | None], index: pd.Index) -> pd.Series:
    """A nullable boolean column: None becomes <NA>."""
    return pd.Series(pd.array([pd.NA if v is None else v for v in values], dtype="boolean"), index=index)


@dataclass
class View:
    """A frame the conditions read: its rows' columns, and (in a selection's joined frame) the
    columns of the subject each row was joined to, prefixed with ``§``."""

    frame: pd.DataFrame
    joined: bool = False  # a selection's frame: plain fields are the table's, subject refs are prefixed

    def column(self, name: str) -> pd.Series:
        if name in self.frame.columns:
            return self.frame[name]
        return pd.Series([None] * len(self.frame), index=self.frame.index, dtype=object)

    def subject_column(self, name: str) -> pd.Series:
        return self.column(_SUBJECT_PREFIX + name if self.joined else name)

    def subjects(self) -> np.ndarray:
        return self.frame[SUBJECT].to_numpy()

    def refused(self, name: str) -> np.ndarray:
        """Rows whose ``rejected`` names the column: refused as implausible, so unknown."""
        if "rejected" not in self.frame.columns:
            return np.zeros(len(self.frame), dtype=bool)
        return np.array([isinstance(r, dict) and name in r for r in self.frame["rejected"]], dtype=bool)


@dataclass
class Scope:
    """What a condition may refer to besides its frame: the parameters, and the per-subject results
    of the rule's selections (computed on demand, once)."""

    params: dict[str, Any]
    selections: dict[str, Callable[[], "SelectionColumns"]] = field(default_factory=dict)
    _cache: dict[str, "SelectionColumns"] = field(default_factory=dict)

    def selection(self, name: str) -> "SelectionColumns":
        if name not in self._cache:
            self._cache[name] = self.selections[name]()
        return self._cache[name]


def _value_column(value: Any, view: View, scope: Scope) -> tuple[pd.Series | None, Any]:
    """(a column, or None and a scalar) for a leaf's right-hand side."""
    if isinstance(value, ParamRef):
        if value.param not in scope.params:
            raise KeyError(f"paramètre inconnu : {value.param}")
        return None, scope.params[value.param]
    if isinstance(value, FieldRef):
        return view.column(value.field), None
    if isinstance(value, SubjectRef):
        return view.subject_column(value.subject), None
    return None, value


def _leaf(cond: Leaf, view: View, scope: Scope) -> pd.Series:
    index = view.frame.index
    if cond.field.startswith("params."):
        left = pd.Series([scope.params.get(cond.field[len("params."):])] * len(index), index=index, dtype=object)
        refused = np.zeros(len(index), dtype=bool)
    elif cond.field.startswith("subject."):
        left = view.subject_column(cond.field[len("subject."):])
        refused = np.zeros(len(index), dtype=bool)
    else:
        left = view.column(cond.field)
        refused = view.refused(cond.field)
    column, scalar = _value_column(cond.value, view, scope)
    rights = column.tolist() if column is not None else [scalar] * len(index)
    op = cond.op
    values = [None if bad else compare(op, present(l), present(r))
              for l, r, bad in zip(left.tolist(), rights, refused)]
    return mask_of(values, index)


def condition_mask(cond: Condition, view: View, scope: Scope) -> pd.Series:
    """The condition over every row of ``view``: a nullable boolean column (Kleene logic)."""
    index = view.frame.index
    if isinstance(cond, Leaf):
        return _leaf(cond, view, scope)
    if isinstance(cond, AllOf):
        result = condition_mask(cond.all[0], view, scope)
        for member in cond.all[1:]:
            result = result & condition_mask(member, view, scope)
        return result
    if isinstance(cond, AnyOf):
        result = condition_mask(cond.any[0], view, scope)
        for member in cond.any[1:]:
            result = result | condition_mask(member, view, scope)
        return result
    if isinstance(cond, Not):
        return ~condition_mask(cond.not_, view, scope)
    if isinstance(cond, (Exists, NoneOf, Count, Every)):
        name = {Exists: "exists", NoneOf: "none", Count: "count", Every: "every"}[type(cond)]
        per_subject = scope.selection(getattr(cond, name)).quantify(cond, scope)
        return pd.Series(per_subject.reindex(view.subjects()).to_numpy(), index=index).astype("boolean")
    raise TypeError(f"unknown condition {cond!r}")


@dataclass
class SelectionColumns:
    """A selection for every subject: the joined frame, its ``where`` mask, and each subject's availability."""

    frame: pd.DataFrame  # the table's rows joined to their subjects (``_s``), subject columns prefixed
    mask: pd.Series  # the where, over ``frame``
    available: pd.Series  # per subject id: bool
    reasons: pd.Series  # per subject id: why it is not available
    subject_ids: pd.Index
    table_columns: list[str]

    def _counts(self) -> tuple[pd.Series, pd.Series]:
        """Per subject id: its rows the where keeps, and its rows the where cannot decide (groupby)."""
        if len(self.subject_ids) == 1:
            values = self.mask.to_numpy(dtype=object, na_value=None)
            true = sum(1 for v in values if v is True)
            unknown = sum(1 for v in values if v is None)
            return (pd.Series([true], index=self.subject_ids), pd.Series([unknown], index=self.subject_ids))
        subjects = self.frame[SUBJECT].to_numpy()
        keys = pd.Series(self.mask.to_numpy(dtype=object, na_value=None), dtype=object)
        true = (keys == True).groupby(subjects).sum() if len(subjects) else pd.Series(dtype=int)  # noqa: E712
        unknown = keys.isna().groupby(subjects).sum() if len(subjects) else pd.Series(dtype=int)
        return (true.reindex(self.subject_ids, fill_value=0).astype(int),
                unknown.reindex(self.subject_ids, fill_value=0).astype(int))

    def quantify(self, cond: Exists | NoneOf | Count | Every, scope: Scope) -> pd.Series:
        """Per subject id: the quantifier's value (a nullable boolean)."""
        true, unknown = self._counts()
        out: list[bool | None] = []
        if isinstance(cond, Every):
            matched = self.mask.fillna(False).astype(bool).to_numpy()
            check = condition_mask(cond.check, View(self.frame[matched], joined=True), scope)
            check_subjects = self.frame[SUBJECT][matched].to_numpy()
            false = (check == False).fillna(False).astype(bool).groupby(check_subjects).sum()  # noqa: E712
            na = check.isna().groupby(check_subjects).sum()
        for sid in self.subject_ids:
            if not self.available[sid]:
                out.append(None)
            elif isinstance(cond, Exists):
                out.append(True if true[sid] else (None if unknown[sid] else False))
            elif isinstance(cond, NoneOf):
                out.append(False if true[sid] else (None if unknown[sid] else True))
            elif isinstance(cond, Count):
                target = cond.value if not isinstance(cond.value, ParamRef) else scope.params[cond.value.param]
                low, high = int(true[sid]), int(true[sid]) + int(unknown[sid])
                at_low, at_high = compare(Op(cond.op), low, target), compare(Op(cond.op), high, target)
                out.append(at_low if at_low == at_high else None)
            else:
                if int(false.get(sid, 0)):
                    out.append(False)
                elif int(na.get(sid, 0)) or unknown[sid]:
                    out.append(None)
                else:
                    out.append(True)
        return pd.Series(pd.array([pd.NA if v is None else v for v in out], dtype="boolean"), index=self.subject_ids)

    def rows(self, sid: Any) -> list[dict[str, Any]]:
        """The matching rows of one subject, as the table's row dicts (for the finding's texts)."""
        if not self.available[sid]:
            return []
        chosen = self.frame[(self.frame[SUBJECT] == sid).to_numpy() & self.mask.fillna(False).astype(bool).to_numpy()]
        if chosen.empty:
            return []
        columns = self.table_columns
        return [dict(zip(columns, map(present, values))) for values in chosen[columns].to_numpy(dtype=object).tolist()]


def subject_key(cond: Condition | None) -> tuple[str, str] | None:
    """(row field, subject field) of a ``{field: F, op: eq, value: {subject: S}}`` that the whole where
    needs (the condition itself, or one member of its top ``all``)."""
    leaves = [cond] if isinstance(cond, Leaf) else (cond.all if isinstance(cond, AllOf) else [])
    for leaf in leaves:
        if (isinstance(leaf, Leaf) and leaf.op is Op.EQ and isinstance(leaf.value, SubjectRef)
                and not leaf.field.startswith(("params.", "subject."))):
            return leaf.field, leaf.value.subject
    return None


def subject_fields(cond: Condition | None) -> set[str]:
    """The subject's columns a selection's where reads (``subject.X`` fields, ``{subject: X}`` values)."""
    if cond is None:
        return set()
    if isinstance(cond, Leaf):
        found = {cond.field[len("subject."):]} if cond.field.startswith("subject.") else set()
        if isinstance(cond.value, SubjectRef):
            found.add(cond.value.subject)
        return found
    if isinstance(cond, (AllOf, AnyOf)):
        return set().union(*(subject_fields(c) for c in (cond.all if isinstance(cond, AllOf) else cond.any)))
    if isinstance(cond, Not):
        return subject_fields(cond.not_)
    if isinstance(cond, Every):
        return subject_fields(cond.check)
    return set()


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else None


def selection_columns(sel: Selection, subjects: pd.DataFrame, scope_hosts: pd.Series, table: pd.DataFrame,
                      availability: Callable[[str | None], tuple[bool, str]], scope: Scope) -> SelectionColumns:
    """Join ``table`` to ``subjects`` (whose ids are ``subjects[_s]``) and evaluate the selection's where.

    ``scope_hosts``: per subject id, the host its rows are restricted to (None: every host); the
    rows of that host when ``sel.same_host``. ``availability(host)``: whether the selection's
    artifacts can be read for that host, and why not.
    """
    ids = pd.Index(subjects[SUBJECT].tolist())
    states = {host: availability(host) for host in set(scope_hosts.tolist())}
    available = pd.Series([states[h][0] for h in scope_hosts.tolist()], index=ids)
    reasons = pd.Series([states[h][1] for h in scope_hosts.tolist()], index=ids)
    if sel.artifacts and "artifact" in table.columns:
        table = table[table["artifact"].isin(sel.artifacts)]
    table_columns = list(table.columns)
    wanted = [c for c in sorted(subject_fields(sel.where)) if c in subjects.columns]
    left = pd.DataFrame({SUBJECT: subjects[SUBJECT].to_numpy(), "_host": scope_hosts.to_numpy(),
                         **{_SUBJECT_PREFIX + c: subjects[c].to_numpy() for c in wanted}})
    right = table.reset_index(drop=True)
    right["_order"] = np.arange(len(right))
    by_host = sel.same_host and "host" in right.columns
    if by_host:
        right["_host"] = right["host"]
    # A subject restricted to a host takes that host's rows, a subject of the organisation every row.
    groups = [(left[left["_host"].notna()], ["_host"]), (left[left["_host"].isna()], [])] if by_host \
        else [(left, [])]
    key = subject_key(sel.where)
    parts: list[pd.DataFrame] = []
    for group, keys in groups:
        if key is not None and key[0] in right.columns:
            # The rows whose column equals the subject's (lower-cased) first, then those where it is no
            # text (null: unknown; a number: compared by eq's own rules); the others cannot match.
            field_name, subject_field = key
            wanted = group.get(_SUBJECT_PREFIX + subject_field, pd.Series([None] * len(group), index=group.index))
            group = group.assign(_key=[_lower(v) for v in wanted.tolist()])
            keyed = right.assign(_key=[_lower(v) for v in right[field_name].tolist()])
            strings = keyed["_key"].notna().to_numpy()
            with_key = group["_key"].notna().to_numpy()
            parts.append(_join(group[with_key], keyed[strings], keys + ["_key"]).assign(_part=0))
            parts.append(_join(group[with_key], keyed[~strings], keys).assign(_part=1))
            parts.append(_join(group[~with_key], keyed, keys).assign(_part=0))
        else:
            parts.append(_join(group, right, keys).assign(_part=0))
    parts = [part for part in parts if not part.empty]
    if len(parts) == 1 and len(ids) == 1:
        joined = parts[0].sort_values(["_part", "_order"], kind="stable").reset_index(drop=True)
    elif parts:
        joined = pd.concat(parts, ignore_index=True)
        joined = joined.sort_values([SUBJECT, "_part", "_order"], kind="stable").reset_index(drop=True)
    else:
        joined = pd.DataFrame(columns=list(dict.fromkeys([SUBJECT, "_order", "_part", *table_columns, *left.columns])),
                              dtype=object)
    view = View(joined, joined=True)
    mask = (condition_mask(sel.where, view, scope) if sel.where is not None
            else mask_of([True] * len(joined), joined.index))
    return SelectionColumns(frame=joined, mask=mask, available=available, reasons=reasons, subject_ids=ids,
                            table_columns=table_columns)


def _join(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Every (subject, row) pair that agrees on ``keys``; every pair when there is none."""
    if left.empty or right.empty:
        return pd.DataFrame()
    if len(left) == 1:
        # one subject (the usual VMES machine, the organisation): a filter, not a merge
        chosen = right
        for key in keys:
            wanted = left[key].iloc[0]
            chosen = chosen[(chosen[key] == wanted).to_numpy()] if wanted is not None else chosen.iloc[0:0]
        extra = {c: left[c].iloc[0] for c in left.columns if c not in chosen.columns}
        return chosen.assign(**extra)
    if keys:
        return left.merge(right, on=keys, how="inner", sort=False)
    return left.drop(columns=[c for c in ("_host", "_key") if c in left.columns and c in right.columns]) \
        .merge(right, how="cross")
