"""Benchmark: time `analyze` on the bundled samples (JSON only, and with PDF) and on a large synthetic collection.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_analyze.py [--repeat N]``).
Prints one line per scenario: median and min wall time over N runs, and output sizes.
Numbers depend on the machine; the README and the issue notes quote them with the machine's size.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "analyzer"))

from vmes_audit.assessment.run import run_assessment  # noqa: E402
from _collection import write_collection  # noqa: E402
from vmes_audit.parsers.records import write_records  # noqa: E402
from vmes_audit.report.render import write_outputs  # noqa: E402


def big_collection(path: Path, programs: int = 3000, services: int = 1500) -> Path:
    """A VMES collection with a very large Uninstall export and service list (worst realistic case x10)."""
    source = zipfile.ZipFile(ROOT / "samples" / "vmes01-2003-conforme.zip")
    manifest = json.loads(source.read("manifest.json"))
    files = {e["file"]: source.read(e["file"]) for e in manifest["artifacts"] if e["status"] == "ok"}
    reg = ["Windows Registry Editor Version 5.00", "",
           "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall]", ""]
    for i in range(programs):
        reg += [f"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{{{i:08X}-0000-0000-0000-000000000000}}]",
                f'"DisplayName"="Logiciel de test n°{i}"', f'"DisplayVersion"="1.{i}.0"', '"Publisher"="Éditeur"',
                '"UninstallString"=hex(2):43,00,3a,00,5c,00,78,00,2e,00,65,00,78,00,65,00,00,00', ""]
    files["reg_uninstall.reg"] = b"\xff\xfe" + "\r\n".join(reg).encode("utf-16le")
    recs = [("Win32_Service", {"Name": f"Svc{i}", "DisplayName": f"Service {i}", "State": "Running",
                               "StartMode": "Auto", "StartName": "LocalSystem", "PathName": "C:\\x.exe"})
            for i in range(services)]
    files["wmi_service.txt"] = b"\xff\xfe" + write_records(recs).encode("utf-16le")
    return write_collection(path, manifest, files)


def measure(label: str, inputs: list[Path], formats: set[str], repeat: int) -> None:
    times = []
    sizes: dict[str, int] = {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            result = run_assessment(inputs)
            written = write_outputs(result.report, Path(out), formats)
            times.append(time.perf_counter() - start)
            sizes = {k: v.stat().st_size for k, v in written.items()}
    input_size = sum(p.stat().st_size for p in inputs)
    size_text = ", ".join(f"{k} {v / 1024:.0f} Ko" for k, v in sorted(sizes.items()))
    print(f"{label:<48} median {statistics.median(times):6.2f} s  min {min(times):6.2f} s  "
          f"(n={repeat}, entrée {input_size / 1024:.0f} Ko ; {size_text})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    samples = sorted((ROOT / "samples").glob("*.zip"))
    print(f"vmes-audit benchmark, {len(samples)} samples, Python {sys.version.split()[0]}")
    run_assessment([samples[0]])  # warm-up: imports, template compilation
    for sample in samples:
        measure(f"{sample.name} (JSON)", [sample], {"json"}, args.repeat)
        measure(f"{sample.name} (JSON+HTML+PDF)", [sample], {"json", "html", "pdf"}, max(2, args.repeat // 2))
    measure("all samples in one assessment (JSON)", samples, {"json"}, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        big = big_collection(Path(tmp) / "big.zip")
        measure("synthetic: 3 000 programs, 1 500 services (JSON)", [big], {"json"}, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
