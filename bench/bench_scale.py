"""Benchmark of the scale cases: many VMES hosts, many Exchange servers, long values.

Run: ``.venv/bin/python bench/bench_scale.py [--pdf] [--quick]``.

Each scenario is built from ``samples/vmes01-2003-conforme.zip`` (tests/hostile/kit.py):

- *hosts*: N copies of the VMES machine under different names, analysed together;
- *servers*: the directory lists N Exchange servers (copies of EXCH01 with their
  security descriptors and network paths);
- *value length*: the OS caption (``wmi_os`` Caption) is L characters long, one word.

For each size the script prints the wall time of ``run_assessment`` plus the
report writers (JSON and HTML; with ``--pdf`` also the PDF), and the time per
unit (per host, per server, per 1 000 characters). Linear growth shows as a
roughly constant time per unit once the fixed cost is amortised.
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
sys.path.insert(0, str(ROOT))

from tests.hostile.kit import SampleZip, clone_server, rename_host  # noqa: E402
from vmes_audit.assessment.run import run_assessment  # noqa: E402
from vmes_audit.report.render import write_outputs  # noqa: E402

BASE = "vmes01-2003-conforme"


def timed(paths: list[Path], formats: set[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            result = run_assessment(paths, today=date(2026, 11, 26))
            write_outputs(result.report, Path(out), formats)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def scenario_hosts(tmp: Path, n: int) -> list[Path]:
    return [rename_host(SampleZip.open(BASE), f"VMES{i:03d}").write(tmp / f"h{n}-{i}.zip") for i in range(n)]


def scenario_servers(tmp: Path, n: int) -> list[Path]:
    sample = clone_server(SampleZip.open(BASE), "EXCH01", [f"EXS{i:04d}" for i in range(n - 1)])
    return [sample.write(tmp / f"s{n}.zip")]


def scenario_caption(tmp: Path, length: int) -> list[Path]:
    sample = SampleZip.open(BASE).set_property("wmi_os", "Caption", "W" * length)
    return [sample.write(tmp / f"c{length}.zip")]


def run(label: str, unit: str, sizes: list[int], build, formats: set[str], repeat: int, scale: float = 1) -> None:
    print(f"\n{label} ({', '.join(sorted(formats))})")
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            paths = build(Path(tmp), size)
            seconds = timed(paths, formats, repeat)
            base = base if base is not None else (size, seconds)
            extra = ""
            if size != base[0]:
                marginal = (seconds - base[1]) / ((size - base[0]) / scale)
                extra = f"   marginal {marginal * 1000:8.1f} ms/{unit}"
            print(f"  {size:>7} : {seconds:7.2f} s   {seconds / (size / scale) * 1000:8.1f} ms/{unit}{extra}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pdf", action="store_true", help="include the PDF writer")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one run each")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", choices=["hosts", "servers", "caption"], action="append",
                        help="run only these scenarios (repeatable)")
    args = parser.parse_args()
    only = set(args.only or ["hosts", "servers", "caption"])
    formats = {"json", "html"} | ({"pdf"} if args.pdf else set())
    print(f"vmes-audit scale benchmark, Python {sys.version.split()[0]}")
    timed([ROOT / "samples" / f"{BASE}.zip"], formats, 1)  # warm-up
    hosts = [1, 5, 10, 20] if args.quick else [1, 10, 20, 40]
    servers = [1, 50, 100, 200] if args.quick else [1, 100, 200, 500, 1000]
    lengths = [1000, 10000, 20000] if args.quick else [1000, 10000, 20000, 40000]
    if "hosts" in only:
        run("VMES hosts in one assessment", "hôte", hosts, scenario_hosts, formats, args.repeat)
    if "servers" in only:
        run("Exchange servers in the directory", "serveur", servers, scenario_servers, formats, args.repeat)
    if "caption" in only:
        run("OS caption length", "1 000 car.", lengths, scenario_caption, formats, args.repeat, scale=1000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
