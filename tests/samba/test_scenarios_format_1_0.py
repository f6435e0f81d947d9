"""The same scenarios in the 1.0 forms of §5 (S-1 SIDs, IADs-style ace records), through the analyzer.

The analyzer still reads collections of format 1.0 (the collector's earlier releases, and samples kept
in it): the directory Samba built, read by the reader and written in the 1.0 forms, must give every
expected state, the same as in format 1.1.
"""

from __future__ import annotations

import pytest

from .collection import build_zip, downgrade_source
from .test_scenarios import assert_states, cases

pytestmark = pytest.mark.samba

_RESULTS: dict[str, object] = {}


def _result(collected, name: str):
    if name not in _RESULTS:
        from vmes_audit.assessment.run import run_assessment

        c = collected(name)
        folder = downgrade_source(c.source, c.source.with_name(c.source.name + "-1.0"), c.artifacts)
        _RESULTS[name] = run_assessment([build_zip(folder, folder.parent)])
    return _RESULTS[name]


@pytest.mark.parametrize(("name", "catalogue", "expected"), list(cases()))
def test_rule_state_in_the_1_0_forms(collected, name: str, catalogue: str, expected) -> None:
    assert_states(_result(collected, name), name, catalogue, expected)
