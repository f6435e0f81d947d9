"""The two speed ratios of issue 10, measured in one run, as a presales engineer would see them.

Run: ``make bench`` or ``.venv/bin/python bench/bench_ratios.py [--repeat N]``.

1. ``vmes-audit analyze --format json`` on the mixed-organisation sample
   (``vmes04-mixte.zip`` + ``ems-sante-exs07.zip``) divided by the bare import
   of the libraries that command needs (``python -c "import pandas, jinja2,
   yaml, typer; from pydantic import BaseModel"``: pydantic's package is lazy,
   ``BaseModel`` is what loads it). Target: at most 1.5.
2. The same command on a synthetic large organisation, built here as a
   collection (200 mail containers, 30 Exchange servers, 20 000 ACEs, 500
   adminCount users, from ``vmes01-2003-conforme.zip``), divided by the demo
   sample of ``make demo`` (``srvdc01-2000-non-conforme.zip``). Target: at most 2.

Every measure is a fresh process (interpreter start included, as on the
command line), the scenarios interleaved, and the median of ``--repeat`` runs
and the minimum of ``--repeat`` runs are kept, in wall time and in CPU time
(user + system of the child process): on a shared machine the CPU time and
the minimum (as ``timeit`` advises) are the steadier figures. Figures depend on
the machine and its load (printed): quote them with it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
BARE_IMPORT = "import pandas, jinja2, yaml, typer; from pydantic import BaseModel"

from vmes_audit.base.encoding import decode_bytes  # noqa: E402
from _collection import write_collection  # noqa: E402
from vmes_audit.parsers.records import parse_records, write_records  # noqa: E402


def _records(archive: zipfile.ZipFile, name: str) -> list[tuple[str, dict]]:
    text = decode_bytes(archive.read(name), "utf-16le").text
    return [(r.kind, dict(r.props)) for r in parse_records(text, artifact=name)]


def _utf16(records: list[tuple[str, dict]], comment: str) -> bytes:
    return b"\xff\xfe" + write_records(records, [comment]).encode("utf-16le")


def large_organisation(path: Path, containers: int = 200, servers: int = 30, aces: int = 20_000,
                       admin_users: int = 500) -> Path:
    """vmes01 grown to a large organisation, every artifact still in the collector's format."""
    source = zipfile.ZipFile(SAMPLES / "vmes01-2003-conforme.zip")
    manifest = json.loads(source.read("manifest.json"))
    files = {e["file"]: source.read(e["file"]) for e in manifest["artifacts"] if e["status"] == "ok" and e["file"]}
    domain = "DC=corp,DC=exemple,DC=fr"
    sid = "S-1-5-21-1844237615-1960408961-1801674531"

    server_records = _records(source, "ad_exchange_servers.txt")
    (kind, model), = [(k, p) for k, p in server_records if k == "server"]
    grown_servers = []
    for n in range(1, servers + 1):
        name = f"EXCH{n:02d}"
        props = {key: (value.replace("EXCH01", name).replace("exch01", name.lower()) if isinstance(value, str)
                       else [v.replace("EXCH01", name).replace("exch01", name.lower()) for v in value]
                       if isinstance(value, list) else value) for key, value in model.items()}
        grown_servers.append((kind, props))
    files["ad_exchange_servers.txt"] = _utf16(grown_servers, "source: synthetic large organisation")

    acl = _records(source, "ad_acl.txt")
    server_dn = model["distinguishedName"]
    server_aces = [(k, p) for k, p in acl if p.get("ObjectDN") == server_dn]
    grown_acl = [(k, p) for k, p in acl if p.get("ObjectDN") != server_dn]
    for _, props in grown_servers:
        dn = props["distinguishedName"]
        grown_acl += [(k, {**p, "ObjectDN": dn}) for k, p in server_aces]
    container_dns = [f"OU=Site {n:03d},OU=Exemple,{domain}" for n in range(containers)]
    per_container = max(1, (aces - sum(1 for k, _ in grown_acl if k == "ace")) // containers)
    for dn in container_dns:
        grown_acl.append(("sd", {"ObjectDN": dn, "Owner": "CORP\\Admins du domaine", "Control": "35860"}))
        for index in range(per_container):
            grown_acl.append(("ace", {
                "ObjectDN": dn, "Index": str(index), "AceType": "5" if index % 3 else "0",
                "AceFlags": "2", "AccessMask": "256" if index % 3 else "131220", "Flags": "3" if index % 3 else "0",
                "ObjectType": "ab721a54-1e2f-11d0-9819-00aa0040529b" if index % 3 else "",
                "InheritedObjectType": "bf967aba-0de6-11d0-a285-00aa003049e2" if index % 3 else "",
                "Trustee": f"CORP\\Groupe {index}", "TrusteeSid": f"{sid}-{5000 + index}"}))
    files["ad_acl.txt"] = _utf16(grown_acl, "source: synthetic large organisation")

    mail = [("container", {"distinguishedName": dn, "MailUsers": "25", "sdControl": "35860"}) for dn in container_dns]
    mail.append(("summary", {"Containers": str(containers), "MailUsers": str(25 * containers), "Truncated": "False"}))
    files["ad_mail_containers.txt"] = _utf16(mail, "source: synthetic large organisation")

    users = [("user", {"distinguishedName": f"CN=Admin {n:03d},{container_dns[n % containers]}",
                       "sAMAccountName": f"adm{n:03d}", "sdControl": "39956"}) for n in range(admin_users)]
    users.append(("summary", {"Count": str(admin_users), "Truncated": "False"}))
    files["ad_admincount_users.txt"] = _utf16(users, "source: synthetic large organisation")

    return write_collection(path, manifest, files)


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "vmes-audit"
    return [str(script)] if script.exists() else [sys.executable, "-m", "vmes_audit.cli.main"]


# An installed product has its bytecode cached; PYTHONDONTWRITEBYTECODE in the
# caller's shell would make every run recompile the analyzer (about 0.1 s).
_CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system, from the child's rusage) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, capture_output=True, env=_CHILD_ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"échec de {' '.join(command)} :\n{proc.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        big = large_organisation(work / "VMES-GRANDE-ORGANISATION.zip")
        analyze = [*_cli(), "analyze", "-o", str(work / "out"), "--format", "json", "--date", "2026-12-01"]
        scenarios = {
            "import des bibliothèques": [sys.executable, "-c", BARE_IMPORT],
            "analyze --format json, organisation mixte": [*analyze, str(SAMPLES / "vmes04-mixte.zip"),
                                                          str(SAMPLES / "ems-sante-exs07.zip")],
            "analyze --format json, échantillon de démo": [*analyze, str(SAMPLES / "srvdc01-2000-non-conforme.zip")],
            "analyze --format json, grande organisation": [*analyze, str(big)],
        }
        for command in scenarios.values():  # warm the file cache, the bytecode and the pack cache
            _measure(command, work)
        wall: dict[str, list[float]] = {label: [] for label in scenarios}
        cpu: dict[str, list[float]] = {label: [] for label in scenarios}
        for _ in range(args.repeat):
            for label, command in scenarios.items():
                w, c = _measure(command, work)
                wall[label].append(w)
                cpu[label].append(c)
    keys = list(scenarios)
    print(f"vmes-audit : rapports de temps (médianes de {args.repeat} exécutions, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cœurs, charge {os.getloadavg()[0]:.1f})")
    print(f"  {'':<46} {'écoulé (médiane, min)':>22} {'CPU (médiane, min)':>20}")
    for label in keys:
        print(f"  {label:<46} {statistics.median(wall[label]):9.3f}s {min(wall[label]):7.3f}s "
              f"{statistics.median(cpu[label]):9.3f}s {min(cpu[label]):7.3f}s")
    for title, (num, den), target in (("JSON / import des bibliothèques", (1, 0), "1,5"),
                                      ("grande organisation / démo", (3, 2), "2")):
        parts = []
        for name, pick in (("médianes", statistics.median), ("minimums", min)):
            w, c = (pick(series[keys[num]]) / pick(series[keys[den]]) for series in (wall, cpu))
            parts.append(f"{name} {w:.2f} écoulé / {c:.2f} CPU")
        print(f"Rapport {title} (objectif ≤ {target}) : " + " ; ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
