"""The long fuzz run, launched by hand: counts of cases and of outcomes by kind, per target.

Run: ``.venv/bin/python tests/hostile/run_fuzz.py [--cases N] [--seed S] [--pipeline M] [--forgeries F]
[--pseudonymise P]``.

Same mutators as ``test_fuzz.py`` (``mutate.py``), many more cases, and the issue-18 families:
Unicode separators inside values (``separators.py``, N cases per parser), homonyms and lookalike
names, manifest claims (``forgeries.py``, F whole analyses each; an ``AssertionError`` there is a
forgery that passed). For each
target the script prints how many cases ran and how each ended: ``ok``, the
documented failure (``ParseError`` for a parser, ``InputError`` for the
loader), or any other exception by type — which is a bug; the first seed of
each bug kind is printed so it can be replayed. Exit code 1 when a bug kind
was seen.

Family « pseudonymisation » (``pseudofuzz.py``, ``test_fuzz_pseudonymise.py``):
``--pseudonymise`` whole ``analyze --pseudonymise`` runs (default ``--cases`` / 100)
with a randomised customer name planted in a sample, counted by slot: ``propre``
(no output shows the name), ``refusé (code 6)`` (the run wrote nothing), or a bug
(``BUG fuite``: an output shows it; ``BUG code de sortie``). Replay one seed with
``make_case(seed)`` and ``run_case``.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "analyzer"))
sys.path.insert(0, str(ROOT))

from tests.hostile import forgeries, separators  # noqa: E402
from tests.hostile import test_fuzz as fuzz  # noqa: E402
from tests.hostile.pseudofuzz import make_case, run_case  # noqa: E402
from tests.hostile.kit import SampleZip  # noqa: E402
from tests.hostile.mutate import CODEC_NAMES, mutate_manifest, mutate_text  # noqa: E402
from vmes_audit.collection.loader import load_inputs  # noqa: E402
from vmes_audit.collection.manifest import DuplicateKey, read_manifest  # noqa: E402
from vmes_audit.base.encoding import decode_bytes  # noqa: E402
from vmes_audit.base.errors import InputError, ParseError  # noqa: E402
from vmes_audit.facts.parsed import _parser_for  # noqa: E402


class _Refused(Exception):
    """``analyze --pseudonymise`` refused to write (exit code 6): a correct outcome."""


class _Leak(Exception):
    """A planted name in an output, or an unexpected exit code."""


class _Contained(Exception):
    """An internal error the analysis contained: the report was written, the checks concerned are
    "Non évaluable"; counted apart from the uncontained ones."""


def _outcome(call) -> str:
    try:
        call()
    except _Contained as exc:
        return f"erreur interne contenue ({exc})"
    except _Refused:
        return "refusé (code 6)"
    except _Leak as exc:
        return "BUG fuite" if str(exc).startswith("FUITE") else f"BUG {str(exc).split(' : ')[0]}"
    except ParseError:
        return "ParseError (documenté)"
    except InputError:
        return "InputError (documenté)"
    except DuplicateKey:
        return "clé en double (documenté)"
    except Exception as exc:  # noqa: BLE001 - what we count
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return f"BUG {type(exc).__name__} @ {Path(where.filename).name}:{where.lineno}"
    return "ok"


def _separator_case(kind: str, case: tuple[str, str]) -> None:
    """A forged line break inside a value: refused (ParseError) or the same structure as the control."""
    outcome = separators.check(kind, *case)
    if outcome == "refused":
        raise ParseError("forgery refused")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20000, help="cases per parser target")
    parser.add_argument("--pipeline", type=int, default=300, help="whole analyses of mutated zips")
    parser.add_argument("--forgeries", type=int, default=200,
                        help="whole analyses per forgery family (homonyms and lookalikes, manifest claims)")
    parser.add_argument("--pseudonymise", type=int, default=None,
                        help="analyses with a randomised customer name (default: --cases / 100)")
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()
    master = random.Random(args.seed)
    results: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    first_seed: dict[tuple[str, str], int] = {}
    started = time.perf_counter()

    def run(target: str, seed: int, call) -> None:
        outcome = _outcome(call)
        results[target][outcome] += 1
        if outcome.startswith(("BUG", "erreur interne")):
            first_seed.setdefault((target, outcome), seed)

    for kind in fuzz.KINDS:
        for _ in range(args.cases):
            seed = master.randrange(2 ** 32)
            rng = random.Random(seed)
            text = mutate_text(rng, rng.choice(fuzz.CORPUS[kind]), rounds=rng.randint(1, 8))
            run(f"parser {kind}", seed, lambda: _parser_for(kind)(text))
    for kind in separators.KINDS:
        for _ in range(args.cases):
            seed = master.randrange(2 ** 32)
            rng = random.Random(seed)
            case = separators.forge(rng, rng.choice(fuzz.CORPUS[kind]), kind)
            if case is not None:
                run(f"séparateurs {kind}", seed, lambda: _separator_case(kind, case))
    for _ in range(args.cases):
        seed = master.randrange(2 ** 32)
        rng = random.Random(seed)
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(2048)))
        run("decode_bytes", seed, lambda: decode_bytes(data, rng.choice(CODEC_NAMES + [None])).text.encode())
    samples = [SampleZip.open(n) for n in ("vmes01-2003-conforme", "exch01-2003sp2", "ems-exch07")]
    for _ in range(args.cases):
        seed = master.randrange(2 ** 32)
        rng = random.Random(seed)
        raw = mutate_manifest(rng, rng.choice(samples).manifest)
        run("manifest", seed, lambda: read_manifest(raw, "c.zip"))
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.cases // 10):
            seed = master.randrange(2 ** 32)
            path = fuzz._mutated_zip(seed, Path(tmp))
            run("chargement (zip)", seed, lambda: load_inputs([path]))
            path.unlink()
        for family in forgeries.FAMILIES:
            for _ in range(args.forgeries):
                seed = master.randrange(2 ** 32)
                run(family, seed, lambda: forgeries.run(family, seed, Path(tmp)))
        for _ in range(args.pipeline):
            seed = master.randrange(2 ** 32)
            path = fuzz._mutated_zip(seed, Path(tmp))
            intact = fuzz.intact_verdict(fuzz._base_of(seed))

            def whole() -> None:
                report = fuzz._analyse(path)
                if fuzz.VERDICT_RANK[report.verdict.value] < fuzz.VERDICT_RANK[intact]:
                    raise AssertionError(f"verdict {report.verdict.value} meilleur que {intact}")
                internal = [w for w in report.warnings if "erreur interne" in w]
                if internal:  # contained (report written, checks "Non évaluable"), but a bug all the same
                    raise _Contained(internal[0].split(")")[0][:90])
            run("analyse complète", seed, whole)
            path.unlink()
        styles: collections.Counter = collections.Counter()
        count = args.pseudonymise if args.pseudonymise is not None else args.cases // 100
        for _ in range(count):
            seed = master.randrange(2 ** 32)
            case = make_case(seed)
            styles[case.style] += 1

            def pseudonymised() -> None:
                with tempfile.TemporaryDirectory(dir=tmp) as one:
                    outcome = run_case(case, Path(one), Path(tmp) / "pseudo-base")
                if outcome.kind == "refusé (code 6)":
                    raise _Refused()
                if outcome.kind != "propre":
                    raise _Leak(f"{outcome.kind} : {case.name!r} : {outcome.detail[:160]}")
            run(f"pseudonymisation : {case.slot}", seed, pseudonymised)
        if count:
            print("pseudonymisation, styles des noms : " + ", ".join(f"{k} {v}" for k, v in styles.most_common()))
    total = sum(sum(c.values()) for c in results.values())
    print(f"{total} cas en {time.perf_counter() - started:.0f} s (graine {args.seed})")
    for target, counter in results.items():
        parts = ", ".join(f"{k} : {v}" for k, v in counter.most_common())
        print(f"  {target:<46} {sum(counter.values()):>7} cas  {parts}")
    for (target, outcome), seed in sorted(first_seed.items()):
        print(f"  à rejouer : {target} / {outcome} : graine {seed}")
    return 1 if first_seed else 0


if __name__ == "__main__":
    sys.exit(main())
