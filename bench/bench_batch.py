"""Benchmark of ``vmes-audit batch``: N customer folders → N PDFs, against the target of issue 11:
wall time ≤ 1.1 × (time of one PDF × N / cores).

Run: ``.venv/bin/python bench/bench_batch.py [--customers 100] [--workers CORES] [--repeat 1]``.

"Time of one PDF" is the mean, over the sample organisations, of one customer analysed and
its PDF written in this process (imports and templates warm); the batch runs the N
customers (the organisations in turn) in worker processes, start-up included. Prints both,
the target and the verdict; exits 1 when the target is missed. The machine's other load
counts: run it on an idle machine. The CPU time per PDF (this process for one PDF, the worker
processes for the batch) is printed too: it does not depend on the other load, and shows
what the batch adds (process start-up, imports) to the work itself.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "analyzer"))

from vmes_audit.assessment.run import run_assessment  # noqa: E402
from vmes_audit.workflows.batch import run_batch  # noqa: E402
from vmes_audit.report.render import write_outputs  # noqa: E402

ORGANISATIONS = [
    ["vmes01-2003-conforme.zip", "exch01-2003sp2.zip"], ["vmes03-2007.zip", "ems-exch07.zip"],
    ["vmes04-mixte.zip", "ems-sante-exs07.zip"], ["srvdc01-2000-non-conforme.zip"], ["vmes05-echecs-2003.zip"],
    ["vmes06-echecs-2007.zip", "ems-exlog07.zip"], ["vmes02-2003-proxy.zip"], ["vmes07-2003sp2-tse.zip"],
]
TODAY = date(2026, 12, 1)


def customers(root: Path, count: int) -> Path:
    for i in range(count):
        folder = root / f"client-{i + 1:03d}"
        folder.mkdir(parents=True)
        for sample in ORGANISATIONS[i % len(ORGANISATIONS)]:
            shutil.copy(ROOT / "samples" / sample, folder / sample)
    return root


def one_pdf(folder: Path, out: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one customer analysed and its PDF written, in this process."""
    start, cpu = time.perf_counter(), time.process_time()
    result = run_assessment([folder], client=folder.name, today=TODAY)
    write_outputs(result.report, out, {"pdf"})
    return time.perf_counter() - start, time.process_time() - cpu


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1, help="single-PDF measures per organisation")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1795996800")
    with tempfile.TemporaryDirectory() as tmp:
        root = customers(Path(tmp) / "clients", args.customers)
        folders = sorted(root.iterdir())[:len(ORGANISATIONS)]
        load_before = os.getloadavg()[0]
        one_pdf(folders[0], Path(tmp) / "warm")  # imports, fonts, templates
        measures = [one_pdf(f, Path(tmp) / "single" / f.name) for f in folders for _ in range(args.repeat)]
        singles = [wall for wall, _ in measures]
        single, single_cpu = statistics.mean(singles), statistics.mean(cpu for _, cpu in measures)
        start, cpu = time.perf_counter(), children_cpu()
        results = run_batch(root, Path(tmp) / "sortie", {"pdf"}, workers=args.workers, today=TODAY)
        batch, batch_cpu = time.perf_counter() - start, children_cpu() - cpu
        load_after = os.getloadavg()[0]
        written = sum(1 for r in results if r.ok and (Path(tmp) / "sortie" / r.report_file).is_file())
    target = 1.1 * single * args.customers / args.workers
    print(f"vmes-audit batch benchmark, Python {sys.version.split()[0]}, {os.cpu_count()} cœur(s), "
          f"{args.workers} processus")
    print(f"un PDF (moyenne sur {len(singles)} analyses, {len(ORGANISATIONS)} organisations) : {single:6.2f} s "
          f"(min {min(singles):.2f} s, max {max(singles):.2f} s)")
    print(f"batch de {args.customers} clients → {written} PDF : {batch:7.1f} s")
    print(f"temps CPU par PDF : seul {single_cpu:.2f} s, dans le batch {batch_cpu / args.customers:.2f} s "
          f"(surcoût des processus {100 * (batch_cpu / args.customers / single_cpu - 1):+.0f} %)")
    print(f"charge de la machine (moyenne sur 1 min) : {load_before:.1f} avant, {load_after:.1f} après "
          f"({os.cpu_count()} cœur(s) ; au-delà, la mesure du temps écoulé est faussée par les autres processus)")
    print(f"objectif 1,1 × {single:.2f} s × {args.customers} / {args.workers} = {target:7.1f} s : "
          f"{'atteint' if batch <= target and written == args.customers else 'MANQUÉ'} "
          f"(rapport {batch / (single * args.customers / args.workers):.2f})")
    return 0 if batch <= target and written == args.customers else 1


if __name__ == "__main__":
    sys.exit(main())
