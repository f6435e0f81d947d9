"""The fast ``records()`` of the engine gives exactly what ``DataFrame.to_dict("records")`` gives."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from vmes_audit.collection import load_inputs
from vmes_audit.engine.frames import records
from vmes_audit.facts.build import build_facts
from vmes_audit.facts.model import TABLES


def _typed(rows: list[dict]) -> list[dict]:
    return [{k: ("nan",) if isinstance(v, float) and math.isnan(v) else (type(v), repr(v)) for k, v in r.items()}
            for r in rows]


@pytest.mark.parametrize("sample", ["vmes01-2003-conforme.zip", "srvdc01-2000-non-conforme.zip",
                                    "vmes04-mixte.zip", "loose-workgroup"])
def test_records_equal_to_dict_on_every_fact_table(samples_dir: Path, sample: str) -> None:
    facts = build_facts(load_inputs([samples_dir / sample]))
    for name in TABLES:
        frame = facts.table(name)
        expected = frame.to_dict("records") if not frame.empty else []
        assert _typed(records(frame)) == _typed(expected), name


def test_records_turn_numpy_scalars_into_python_ones() -> None:
    frame = pd.DataFrame({"n": [1, 2], "x": [1.5, float("nan")], "b": [True, False], "s": ["a", None]})
    assert _typed(records(frame)) == _typed(frame.to_dict("records"))
    assert type(records(frame)[0]["n"]) is int and type(records(frame)[0]["b"]) is bool
