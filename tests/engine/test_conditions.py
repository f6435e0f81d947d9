"""Three-valued logic: missing evidence never makes a check pass."""

from __future__ import annotations

import pytest

from vmes_audit.engine.conditions import EvalContext, SelectionResult, evaluate
from vmes_audit.engine.model import AllOf, AnyOf, Count, Every, Exists, Leaf, NoneOf, Not

T = Leaf(field="t", op="is_true")
F = Leaf(field="f", op="is_true")
U = Leaf(field="u", op="is_true")  # u is null


def ctx(**selections) -> EvalContext:
    c = EvalContext(row={"t": True, "f": False, "u": None, "v": "6.0.2900", "n": 5, "s": "Send-As"}, params={"p": 4})
    for name, result in selections.items():
        c.selections[name] = (lambda r=result: r)
    return c


@pytest.mark.parametrize("cond,expected", [
    (AllOf(all=[T, T]), True), (AllOf(all=[T, F]), False), (AllOf(all=[T, U]), None), (AllOf(all=[F, U]), False),
    (AnyOf(any=[F, F]), False), (AnyOf(any=[F, T]), True), (AnyOf(any=[F, U]), None), (AnyOf(any=[T, U]), True),
    (Not(**{"not": T}), False), (Not(**{"not": U}), None),
    (Leaf(field="v", op="version_ge", value="6"), True), (Leaf(field="v", op="version_lt", value="6.0.3790"), True),
    (Leaf(field="v", op="version_eq", value="6.0.2900.0"), True),
    (Leaf(field="n", op="ge", value={"param": "p"}), True), (Leaf(field="n", op="lt", value=5), False),
    (Leaf(field="s", op="in", value=["send-as", "receive-as"]), True),
    (Leaf(field="s", op="matches", value="^send"), True),
    (Leaf(field="u", op="is_null"), True), (Leaf(field="u", op="eq", value=1), None),
])
def test_leaf_and_logic(cond, expected) -> None:
    assert evaluate(cond, ctx()) is expected


def test_missing_field_is_recorded() -> None:
    c = ctx()
    assert evaluate(Leaf(field="absent", op="eq", value=1), c) is None
    assert c.missing == {"absent"}


def test_quantifiers() -> None:
    rows = [{"x": 1}, {"x": 3}]
    c = ctx(full=SelectionResult(rows, [], True), empty=SelectionResult([], [], True),
            maybe=SelectionResult([], [{"x": None}], True), gone=SelectionResult([], [], False, "« wmi » absent"))
    assert evaluate(Exists(exists="full"), c) is True
    assert evaluate(Exists(exists="empty"), c) is False
    assert evaluate(Exists(exists="maybe"), c) is None
    assert evaluate(NoneOf(none="empty"), c) is True
    assert evaluate(Count(count="full", op="eq", value=2), c) is True
    assert evaluate(Every(every="full", check=Leaf(field="x", op="ge", value=1)), c) is True
    assert evaluate(Every(every="full", check=Leaf(field="x", op="ge", value=2)), c) is False
    assert evaluate(Exists(exists="gone"), c) is None
    assert c.unavailable["gone"] == "« wmi » absent"
    assert "sans valeur" in c.unavailable["maybe"]
