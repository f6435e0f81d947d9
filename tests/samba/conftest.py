"""Session fixtures of the Samba tests: one forest, each scenario collected once.

Every test module here carries the ``samba`` marker.
"""

from __future__ import annotations

import time

import pytest

from .forest import Collected, Forest
from .scenarios import BY_NAME

_TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="session")
def forest(tmp_path_factory):
    """The provisioned forest; on teardown, no samba process we started may remain."""
    started = time.monotonic()
    f = Forest(tmp_path_factory.mktemp("samba"))
    f.prepare()
    _TIMINGS.update(f.timings)
    yield f
    f.close()
    _TIMINGS["session_s"] = time.monotonic() - started
    leftover = f.leftover_processes()
    assert not leftover, f"samba processes outlived the session: {leftover}"


@pytest.fixture(scope="session")
def collected(forest, tmp_path_factory):
    """``collected(name)``: the scenario's collection, built on first use and kept for the session."""
    cache: dict[str, Collected] = {}
    out = tmp_path_factory.mktemp("collections")

    def get(name: str) -> Collected:
        if name not in cache:
            cache[name] = forest.collect(BY_NAME[name], out)
            _TIMINGS[f"scenario {name}"] = cache[name].seconds
        return cache[name]
    return get


def pytest_terminal_summary(terminalreporter) -> None:
    if not _TIMINGS:
        return
    scenarios = [v for k, v in _TIMINGS.items() if k.startswith("scenario ")]
    terminalreporter.write_sep("-", "Samba harness")
    terminalreporter.write_line(
        f"provision {_TIMINGS.get('provision_s', 0):.1f} s, schema {_TIMINGS.get('schema_s', 0):.1f} s, "
        f"{len(scenarios)} scenario(s) {sum(scenarios):.1f} s (max {max(scenarios, default=0):.1f} s), "
        f"whole Samba session {_TIMINGS.get('session_s', 0):.1f} s")
