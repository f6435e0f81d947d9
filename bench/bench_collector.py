"""Benchmark the VBScript collector under Wine: wall time and zip size per mode.

Run: ``.venv/bin/python bench/bench_collector.py [--repeat N]`` (needs ``wine``).
The NOC probe targets a closed loopback port, so nothing leaves the machine.
Wine is slower than Windows at VBScript string work (SHA-256, CRC-32), so the
figures are an upper bound for a real Windows 2003 server of similar power.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VBS = ROOT / "collector" / "collect.vbs"


def wine_path(path: Path) -> str:
    return "Z:" + str(path.resolve()).replace("/", "\\")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wine") is None:
        print("wine absent : benchmark du collecteur impossible")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, WINEPREFIX=str(Path(tmp) / "prefix"), WINEDEBUG="-all",
                   WINEDLLOVERRIDES="mscoree,mshtml=")
        env.pop("DISPLAY", None)
        start = time.perf_counter()
        subprocess.run(["wineboot", "-i"], env=env, capture_output=True, timeout=300)
        print(f"wineboot (one-off prefix creation): {time.perf_counter() - start:.1f} s")
        for label, options in (("vmes", []), ("/exchange", ["/exchange"]), ("/dryrun", ["/dryrun"])):
            times, sizes = [], []
            for i in range(args.repeat):
                out = Path(tmp) / f"{label.strip('/')}-{i}"
                out.mkdir()
                start = time.perf_counter()
                subprocess.run(["wine", "cscript", "//nologo", wine_path(VBS), f"/out:{wine_path(out)}",
                                "/noc:localhost:9", "/nocaddr:127.0.0.1", *options],
                               env=env, capture_output=True, timeout=900)
                times.append(time.perf_counter() - start)
                sizes += [z.stat().st_size for z in out.glob("*.zip")]
            size = f", zip {statistics.median(sizes) / 1024:.0f} Ko" if sizes else ", pas de zip"
            print(f"collect.vbs {label:<10} median {statistics.median(times):6.1f} s  "
                  f"min {min(times):6.1f} s (n={args.repeat}){size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
