"""Benchmark, side by side: the report of two versions of vmes-audit (issue 20).

For each version, ``vmes-audit analyze … --format pdf`` is run as a presales
engineer runs it (a new process: imports, analysis, rendering, PDF), on the
demo sample and on the compliant organisation, alternating the two versions
round after round so that the load of the machine weighs on both alike. It
prints the median and minimum wall times, the ratio after / before, the
processor time (user + system, the PDF's process included: less sensitive to
the load of a shared machine than the wall time), and the page count of each PDF.

    .venv/bin/python bench/bench_report_before_after.py                  # before = e0b0482, after = this tree
    .venv/bin/python bench/bench_report_before_after.py --before main --rounds 7
    .venv/bin/python bench/bench_report_before_after.py --before bc0c3d1 --format json --large

``--format json`` times the JSON analysis alone (no rendering); ``--large`` adds the synthetic large
organisation of ``bench_ratios.py`` (200 mail containers, 30 Exchange servers, 20 000 ACEs, 500
adminCount users). A version from before the layering (``vmes_audit.cli`` as a module) is run through
its own entry point.

The *before* version is ``git archive`` of a commit, unpacked in a temporary
folder (no worktree is added to the repository); the *after* version is the
tree this script belongs to, as it is on disk. Both run with this
environment's Python and libraries (``PYTHONPATH`` puts the version's
``analyzer/`` first), with the same ``--date``, and each is run once before
timing (imports compiled, rule pack cached).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BEFORE = "e0b0482"  # main when issue 20 started
CASES = {
    "démo (srvdc01-2000-non-conforme)": ["srvdc01-2000-non-conforme.zip"],
    "conforme (vmes01 + exch01)": ["vmes01-2003-conforme.zip", "exch01-2003sp2.zip"],
}


def unpack(commit: str, into: Path) -> Path:
    """The tree of ``commit`` (``git archive``), unpacked under ``into``."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit],
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(into, filter="fully_trusted")  # our own repository's tree, symbolic links included
    return into


def pages(pdf: Path) -> str:
    """Number of pages of a PDF (poppler's ``pdfinfo``), "?" without it."""
    try:
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "?"
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return found.group(1) if found else "?"


def entry(tree: Path) -> str:
    """The version's typer application: ``vmes_audit.cli.main`` since the layering, ``vmes_audit.cli`` before."""
    return "vmes_audit.cli.main" if (tree / "analyzer" / "vmes_audit" / "cli" / "main.py").exists() else "vmes_audit.cli"


def run(tree: Path, samples: list[str], out: Path, fmt: str = "pdf") -> tuple[float, float]:
    """Wall time and processor time (this process's children: the analysis and its PDF process)."""
    env = {**os.environ, "PYTHONPATH": str(tree / "analyzer")}
    command = [sys.executable, "-c", f"import sys; from {entry(tree)} import app; sys.exit(app())",
               "analyze", *[str(s if Path(s).is_absolute() else ROOT / "samples" / s) for s in samples],
               "-o", str(out), "--format", fmt,
               "--date", "2026-12-06", "--client", "Banc d'essai"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"échec de l'analyse avec {tree} :\n{done.stderr}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=DEFAULT_BEFORE, help="commit of the earlier version (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each version and case")
    parser.add_argument("--format", choices=("pdf", "json"), default="pdf", help="what analyze writes")
    parser.add_argument("--large", action="store_true", help="add the synthetic large organisation")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        cases = dict(CASES)
        if args.large:
            sys.path.insert(0, str(ROOT / "bench"))
            from bench_ratios import large_organisation

            cases["grande organisation synthétique"] = [str(large_organisation(Path(tmp) / "grande.zip"))]
        trees = {"avant": unpack(args.before, Path(tmp) / "before"), "après": ROOT}
        outs = {(version, case): Path(tmp) / f"out-{i}-{j}" for i, version in enumerate(trees)
                for j, case in enumerate(cases)}
        times: dict[tuple[str, str], list[float]] = {key: [] for key in outs}
        cpu: dict[tuple[str, str], list[float]] = {key: [] for key in outs}
        for version, tree in trees.items():  # warm-up: compiled imports, pack cache
            for case, samples in cases.items():
                run(tree, samples, outs[version, case], args.format)
        for _ in range(args.rounds):
            for case, samples in cases.items():
                for version, tree in trees.items():
                    wall, processor = run(tree, samples, outs[version, case], args.format)
                    times[version, case].append(wall)
                    cpu[version, case].append(processor)
        print(f"vmes-audit analyze --format {args.format}, avant = {args.before}, après = {ROOT.name} "
              f"({args.rounds} passages alternés, Python {sys.version.split()[0]}, {os.cpu_count()} cœurs)")
        for case in cases:
            before, after = times["avant", case], times["après", case]
            cpu_before, cpu_after = statistics.median(cpu["avant", case]), statistics.median(cpu["après", case])
            print(f"{case}\n"
                  f"  avant : {statistics.median(before):5.2f} s (min {min(before):5.2f}), processeur {cpu_before:5.2f} s, "
                  f"{pages(outs['avant', case] / 'rapport-vmes.pdf') if args.format == 'pdf' else '-'} pages\n"
                  f"  après : {statistics.median(after):5.2f} s (min {min(after):5.2f}), processeur {cpu_after:5.2f} s, "
                  f"{pages(outs['après', case] / 'rapport-vmes.pdf') if args.format == 'pdf' else '-'} pages\n"
                  f"  après/avant : durée {statistics.median(after) / statistics.median(before):.0%} "
                  f"(min {min(after) / min(before):.0%}), processeur {cpu_after / cpu_before:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
