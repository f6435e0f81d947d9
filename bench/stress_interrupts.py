"""Stress: interrupt ``analyze`` (SIGINT / SIGTERM, alternately) at varying moments of PDF rendering.

Run: ``.venv/bin/python bench/stress_interrupts.py [--runs N]``. Each run must exit 130 (SIGINT) or
143 (SIGTERM), leave the output folder and its private TMPDIR empty. Prints the failures and their
count; exit status 1 if there is any. (Before ``vmes_audit/base/interrupts.py``: 3 failures in 32 runs.)
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "srvdc01-2000-non-conforme.zip"


def one_run(index: int) -> str | None:
    """The failure of one interrupted run, or None."""
    with tempfile.TemporaryDirectory() as tmp:
        temp, out = Path(tmp) / "tmp", Path(tmp) / "out"
        temp.mkdir()
        out.mkdir()
        proc = subprocess.Popen([sys.executable, "-m", "vmes_audit.cli.main", "analyze", str(SAMPLE), "-o", str(out),
                                 "--format", "json,pdf"], env=dict(os.environ, TMPDIR=str(temp)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        while not any(temp.glob("vmes-audit-*/weasyprint-*")) and proc.poll() is None:
            time.sleep(0.02)
        time.sleep((index % 16) * 0.02)  # 0 to 300 ms into the rendering
        signum = signal.SIGINT if index % 2 else signal.SIGTERM
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=120)
        expected = 130 if signum == signal.SIGINT else 143
        if proc.returncode != expected or any(out.iterdir()) or any(temp.iterdir()):
            return (f"run {index} ({signal.Signals(signum).name}): exit {proc.returncode} (expected {expected}), "
                    f"output {sorted(p.name for p in out.iterdir())}, TMPDIR {sorted(p.name for p in temp.iterdir())}\n"
                    f"{stderr.decode(errors='replace')[-1500:]}")
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=32)
    args = parser.parse_args()
    failures = [text for text in (one_run(i) for i in range(args.runs)) if text]
    for text in failures:
        print(text)
    print(f"{len(failures)} failure(s) in {args.runs} interrupted runs")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
