"""Every rule of every pack runs its pass and fail cases; a rule without cases fails here."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from vmes_audit.engine.cases import run_case
from vmes_audit.engine.pack import load_pack, rules_root

PACKS = sorted(p.parent for p in rules_root().glob("*/pack.yaml"))


@lru_cache(maxsize=None)
def _pack(folder: Path):
    return load_pack(folder, strict=False)


def _all_cases():
    for folder in PACKS:
        loaded = _pack(folder)
        for rule in loaded.rules:
            cases = loaded.cases.get(rule.id, [])
            if not cases:
                yield pytest.param(folder, rule.id, None, id=f"{folder.name}:{rule.id}:SANS-CAS")
            for case in cases:
                yield pytest.param(folder, rule.id, case.name, id=f"{folder.name}:{rule.id}:{case.name}")


def test_there_are_packs() -> None:
    assert PACKS, "no rule pack found under rules/"


@pytest.mark.parametrize("folder,rule_id,case_name", list(_all_cases()))
def test_rule_case(folder: Path, rule_id: str, case_name: str | None) -> None:
    loaded = _pack(folder)
    rule = loaded.rule(rule_id)
    assert case_name is not None, f"{rule_id} has no cases file ({rule_id}.cases.yaml)"
    case = next(c for c in loaded.cases[rule_id] if c.name == case_name)
    problem = run_case(rule, case, loaded.default_params())
    assert problem is None, problem


@pytest.mark.parametrize("folder", PACKS, ids=[p.name for p in PACKS])
def test_pack_lints_clean(folder: Path) -> None:
    assert _pack(folder).problems == []
