"""Pseudonymisation survivors on randomised names (issue 18): a seed plants a random customer name in
a sample (``pseudofuzz.py``: the slot — an Exchange server, the VMES host, the DNS domain, an OU, an
e-mail address, a proxy setting, a MAPI profile, a storage group, an IPv6 address, the client, the
earlier audit's host, the Exchange organisation — and the style — accents, underscores, digits, very
short, very long, a French word), ``analyze --pseudonymise`` runs, and no output may show the name:
either the outputs are clean or the run refused to write (exit code 6).

Bounded for CI (``FUZZ_PSEUDONYMISE_EXAMPLES``, 30 by default: each example is a whole analysis);
the long run is ``tests/hostile/run_fuzz.py --cases N`` (family « pseudonymisation »).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.pseudofuzz import SLOTS, STYLES, make_case, run_case


@pytest.fixture(scope="module")
def baseline_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pseudo-base")


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("FUZZ_PSEUDONYMISE_EXAMPLES", "30")), deadline=None, database=None,
          print_blob=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_no_randomised_customer_name_survives(seed: int, baseline_folder: Path, tmp_path_factory) -> None:
    case = make_case(seed)
    outcome = run_case(case, tmp_path_factory.mktemp("p"), baseline_folder)
    assert outcome.kind in ("propre", "refusé (code 6)"), (
        f"graine {seed} : {case.slot}, style {case.style}, nom {case.name!r} : {outcome.kind}\n{outcome.detail}")


def test_every_slot_and_style_is_drawn() -> None:
    """The generator reaches every slot and style (a slot that never runs tests nothing)."""
    cases = [make_case(seed) for seed in range(400)]
    assert {c.slot for c in cases} == set(SLOTS)
    assert {c.style for c in cases} == set(STYLES)
    short = [c for c in cases if c.style == "short" and c.slot == "serveur Exchange"]
    long = [c for c in cases if c.style == "long" and c.slot == "domaine DNS"]
    assert all(len(c.name) <= 2 for c in short) and all(len(c.name) == 63 for c in long)


def test_oracle_weighs_a_short_name_against_the_intact_report() -> None:
    """Seed 38029 drew the DNS domain « fr »: the NOC's public host push.sfr.fr:443 is no leak, since
    the intact collection's report writes it just as often; one more « fr » at a host's place is."""
    from tests.hostile.pseudofuzz import fold, leaks

    noc = "GET https://push.sfr.fr:443/ : HTTP 404"
    baseline = (fold(noc), noc)
    assert leaks("fr", (fold(noc), noc), baseline) == []
    leaked = noc + " ; contrôleur dc1.fr.fr:389"
    assert leaks("fr", (fold(leaked), leaked), baseline)
