"""Benchmark: the rule engine alone, column-wise (pandas masks, merge, groupby) against the row-wise
reference, side by side in one process, on the same facts.

Run: ``.venv/bin/python bench/bench_engine.py [--repeat N]``.

For each scenario the facts are built once; then every rule of the pack is evaluated with
``evaluate_rule`` (column-wise) and with ``evaluate_rule_rowwise`` (the engine the product had),
interleaved, ``--repeat`` times. Printed: the median and minimum CPU time (``time.process_time``) of
one whole pack evaluation per engine, and their ratio. Scenarios: the demo sample, the mixed
organisation (vmes04 + ems-sante-exs07), and the synthetic large organisation of
``bench_ratios.py`` (200 mail containers, 30 Exchange servers, 20 000 ACEs, 500 adminCount users).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "analyzer"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_ratios import large_organisation  # noqa: E402
from vmes_audit.collection import load_inputs  # noqa: E402
from vmes_audit.engine.evaluate import evaluate_rule, evaluate_rule_rowwise  # noqa: E402
from vmes_audit.engine.evidence import FactsEvidence  # noqa: E402
from vmes_audit.engine.pack import load_pack  # noqa: E402
from vmes_audit.engine.requirements import add_assessment_tables  # noqa: E402
from vmes_audit.facts.build import build_facts  # noqa: E402

SAMPLES = ROOT / "samples"


def _pack_time(engine, pack, facts, params) -> float:
    evidence = FactsEvidence(facts)  # fresh caches: each run pays for its own rows and indexes
    start = time.process_time()
    for rule in pack.ordered_rules():
        engine(rule, evidence, params)
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    pack = load_pack()
    params = pack.default_params()
    with tempfile.TemporaryDirectory() as tmp:
        scenarios = {
            "démo (srvdc01)": [SAMPLES / "srvdc01-2000-non-conforme.zip"],
            "organisation mixte (vmes04 + ems-sante-exs07)": [SAMPLES / "vmes04-mixte.zip",
                                                              SAMPLES / "ems-sante-exs07.zip"],
            "grande organisation synthétique": [large_organisation(Path(tmp) / "large.zip")],
        }
        print(f"{'scénario':<48} {'colonnes (méd./min)':>22} {'lignes (méd./min)':>22} {'rapport':>8}")
        for label, paths in scenarios.items():
            facts = build_facts(load_inputs(paths), date(2026, 12, 1))
            if pack.pack.assessment is not None:
                add_assessment_tables(pack.pack.assessment.requires, facts)
            column, rowwise = [], []
            for _ in range(args.repeat):
                column.append(_pack_time(evaluate_rule, pack, facts, params))
                rowwise.append(_pack_time(evaluate_rule_rowwise, pack, facts, params))
            cm, rm = statistics.median(column), statistics.median(rowwise)
            print(f"{label:<48} {cm * 1000:>9.0f} / {min(column) * 1000:>5.0f} ms "
                  f"{rm * 1000:>9.0f} / {min(rowwise) * 1000:>5.0f} ms {cm / rm:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
