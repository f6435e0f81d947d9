"""The collector's AD half (ad.vbs, ldap.vbs, sd.vbs, account.vbs's tokenGroups) runs under Wine
against every Samba scenario, through the ADSI/ADO double (docs/adsi-double.md).

For each scenario, the reader's collection (tests/samba) and the collector's are analysed as two
customers' zips that differ only in their AD artifacts; the findings must be equal rule by rule, for
the double's Windows Server 2003 and Windows 2000 models. A difference is a bug on one side, or an
ADSI behaviour listed in EXPECTED_DIFFERENCES with its reason (and in the table of the note).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.samba.scenarios import PASSWORD, SCENARIOS

from .compare import RULES, build_collector_zip, findings_by_rule
from .conftest import SUMMARY
from .runner import AD_ARTIFACTS, WineAdRun, run_collector

pytestmark = [pytest.mark.wine, pytest.mark.samba, pytest.mark.slow]

MODES = ("2003", "2000")
# (scenario, mode, rule) -> why the collector's findings may differ from the reader's. Empty: none.
EXPECTED_DIFFERENCES: dict[tuple[str, str, str], str] = {}

_RUNS: dict[str, dict] = {}


def _last_step(stdout: str) -> str:
    steps = re.findall(r"^\[\d+/\d+\] .*$", stdout, re.M)
    return steps[-1] if steps else "(aucune étape affichée)"


def _check_completed(run: WineAdRun) -> None:
    """The test build writes its counters after Main returns: no counters file, the script died."""
    cov = run.out_dir / "coverage.txt"
    assert cov.is_file(), (f"OS {run.mode}: the collector died under Wine (exit {run.returncode}) after "
                           f"« {_last_step(run.stdout)} »\n{run.stdout[-3000:]}")
    assert not run.bridge_log, f"OS {run.mode}: errors in the bridge: {run.bridge_log}"
    assert run.zips, f"OS {run.mode}: no zip\n{run.stdout[-3000:]}"


def _scenario(forest, wine, test_build, tmp_path_factory, name: str) -> dict:
    if name in _RUNS:
        return _RUNS[name]
    scenario = next(s for s in SCENARIOS if s.name == name)
    work = tmp_path_factory.mktemp(f"ad-{name}")

    def during(dc, built):
        runs = {}
        for mode in MODES:
            runs[mode] = run_collector(wine, dc, built.account_dn, PASSWORD, mode=mode, script=test_build.script,
                                       lines=test_build.lines, out_dir=work / f"wine-{mode}")
        return runs

    collected = forest.collect(scenario, work / "reader", during=during)
    runs = collected.during
    for run in runs.values():
        if (run.out_dir / "coverage.txt").is_file():
            test_build.add(run.counts)
    _RUNS[name] = {"collected": collected, "runs": runs, "work": work}
    return _RUNS[name]


@pytest.mark.parametrize("name", [s.name for s in SCENARIOS])
def test_findings_equal_to_the_readers(forest, wine, test_build, tmp_path_factory, name: str) -> None:
    got = _scenario(forest, wine, test_build, tmp_path_factory, name)
    collected, runs, work = got["collected"], got["runs"], got["work"]
    reference = findings_by_rule(collected.zip_path)
    problems = []
    SUMMARY["scenarios"][name] = {}
    for mode, run in runs.items():
        _check_completed(run)
        states = {a["name"]: a["status"] for a in run.manifest["artifacts"]}
        assert set(AD_ARTIFACTS) <= set(states), f"OS {mode}: steps missing: {set(AD_ARTIFACTS) - set(states)}"
        theirs = findings_by_rule(build_collector_zip(collected.source, run, work))
        equal = {rule: theirs[rule] == reference[rule] for rule in RULES}
        SUMMARY["scenarios"][name][mode] = equal
        for rule in RULES:
            key = (name, mode, rule)
            if not equal[rule] and key not in EXPECTED_DIFFERENCES:
                problems.append(f"OS {mode} {rule}: collector {theirs[rule]}, reader {reference[rule]}")
            if equal[rule] and key in EXPECTED_DIFFERENCES:
                problems.append(f"OS {mode} {rule}: listed as an expected difference but equal")
    assert not problems, f"{name}: " + "; ".join(problems)
