"""The column-wise engine gives exactly the row-wise reference's findings (issue 21: pandas does the work).

``evaluate_rule`` evaluates a rule's conditions as nullable boolean columns over the fact frames,
joining selections with ``merge``; ``evaluate_rule_rowwise`` walks the same rule subject by subject
and row by row, the engine the product had. Both must agree on every finding, field by field: on
every rule case, on every bundled sample and organisation, and on mutated samples.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.e2e.test_samples import ORGANISATIONS, SAMPLES
from tests.hostile.test_fuzz import _mutated_zip
from vmes_audit.base.errors import InputError
from vmes_audit.collection import load_inputs
from vmes_audit.engine.columns import Scope, View, condition_mask
from vmes_audit.engine.evaluate import evaluate_rule, evaluate_rule_rowwise
from vmes_audit.engine.evidence import CaseEvidence, FactsEvidence
from vmes_audit.engine.model import AllOf, AnyOf, Leaf, Not
from vmes_audit.engine.pack import load_pack
from vmes_audit.engine.requirements import add_assessment_tables
from vmes_audit.facts.build import build_facts

PACK = load_pack()
DEFAULTS = PACK.default_params()


def _same(rule, evidence, params) -> None:
    column = [f.model_dump() for f in evaluate_rule(rule, evidence, params)]
    rowwise = [f.model_dump() for f in evaluate_rule_rowwise(rule, evidence, params)]
    assert column == rowwise, rule.id


@pytest.mark.parametrize("rule_id,case_name", [(r.id, c.name) for r in PACK.rules for c in PACK.cases.get(r.id, [])])
def test_every_rule_case(rule_id: str, case_name: str) -> None:
    rule = PACK.rule(rule_id)
    case = next(c for c in PACK.cases[rule_id] if c.name == case_name)
    _same(rule, CaseEvidence(case), {**DEFAULTS, **case.params})


def _evidence(paths: list[Path], today: date = date(2026, 12, 1)) -> FactsEvidence:
    facts = build_facts(load_inputs(paths), today)
    if PACK.pack.assessment is not None:
        add_assessment_tables(PACK.pack.assessment.requires, facts)
    return FactsEvidence(facts)


_INPUTS = {**{name: [SAMPLES / z for z in zips] for name, zips in ORGANISATIONS.items()},
           **{p.stem: [p] for p in sorted(SAMPLES.glob("*.zip"))}, "loose-workgroup": [SAMPLES / "loose-workgroup"]}


@pytest.mark.parametrize("name", sorted(_INPUTS))
def test_every_sample_and_organisation(name: str) -> None:
    evidence = _evidence(_INPUTS[name])
    for rule in PACK.ordered_rules():
        _same(rule, evidence, DEFAULTS)


@settings(max_examples=15, deadline=None, database=None)
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_mutated_samples(seed: int, tmp_path_factory) -> None:
    path = _mutated_zip(seed, tmp_path_factory.mktemp("m"))
    try:
        evidence = _evidence([path])
    except InputError:
        return
    rng = random.Random(seed)
    for rule in rng.sample(PACK.ordered_rules(), 12):
        _same(rule, evidence, DEFAULTS)


def test_kleene_logic_of_the_masks() -> None:
    """all/any/not over unknown follow the engine's three-valued logic (conditions.evaluate)."""
    import pandas as pd

    frame = pd.DataFrame({"a": [1, 1, None, None, 0], "b": [1, None, None, 0, 0]}, dtype=object)
    view, scope = View(frame), Scope({})
    a, b = Leaf(field="a", op="eq", value=1), Leaf(field="b", op="eq", value=1)
    assert condition_mask(AllOf(all=[a, b]), view, scope).tolist() == [True, pd.NA, pd.NA, False, False]
    assert condition_mask(AnyOf(any=[a, b]), view, scope).tolist() == [True, True, pd.NA, pd.NA, False]
    assert condition_mask(Not(**{"not": a}), view, scope).tolist() == [False, False, pd.NA, pd.NA, True]


def test_a_refused_value_is_unknown_even_to_is_null() -> None:
    import pandas as pd

    frame = pd.DataFrame({"sp": [None, None, 2], "rejected": [{"sp": "hors limites : -1"}, {}, {}]}, dtype=object)
    view, scope = View(frame), Scope({})
    assert condition_mask(Leaf(field="sp", op="is_null"), view, scope).tolist() == [pd.NA, True, False]
    assert condition_mask(Leaf(field="sp", op="ge", value=1), view, scope).tolist() == [pd.NA, pd.NA, True]


def test_refused_values_of_the_hostile_samples(tmp_path: Path) -> None:
    """Values refused as implausible on real rows: both engines say « Non évaluable » alike."""
    from tests.hostile.kit import SampleZip

    sample = SampleZip.open("vmes01-2003-conforme")
    sample.set_property("wmi_os", "ServicePackMajorVersion", "-1")
    sample.set_property("wmi_computersystem", "TotalPhysicalMemory", "9" * 30)
    evidence = _evidence([sample.write(tmp_path / "c.zip")])
    assert any(isinstance(r, dict) and r for r in evidence.facts.table("host")["rejected"])
    for rule in PACK.ordered_rules():
        _same(rule, evidence, DEFAULTS)
