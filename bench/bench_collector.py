"""Benchmark the VBScript collector under Wine: wall time per mode, and hashing of a 3 MB export.

Run: ``.venv/bin/python bench/bench_collector.py [--repeat N] [--mb 3]`` (needs ``wine``).

1. One run per mode (vmes, /exchange, /dryrun) in a fresh Wine prefix: median
   and min wall time, zip size.
2. The hashing question of issue 10 (item 4): the prefix's Uninstall key is
   filled until ``regedit /e`` writes about 3 MB, then
   - the collector runs ``/only:reg_uninstall`` (wall time, and what the
     manifest says: size, sha256 present or empty);
   - ``DigestFile`` of the released collect.vbs (entry point replaced by a
     timing driver, nothing else changed) hashes that export with CRC-32 only
     (what the collector does above SHA256_MAX_BYTES), and a 256 KiB slice of
     it with CRC-32 + SHA-256 (``--full-sha``: the whole file, ~5 minutes);
     the throughput of each, the time for a file at the limit, and the time
     SHA-256 would take on the whole export (linear in the size).

The NOC probe targets a closed loopback port, so nothing leaves the machine.
Wine's VBScript is slower than Windows' (each built-in call scans every name
of the script), so the figures are an upper bound for a Windows 2003 server
of similar power.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VBS = ROOT / "collector" / "collect.vbs"
ENTRY = "' Point d'entree\r\nMain\r\nWScript.Quit 0\r\n"
UNINSTALL = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"


def wine_path(path: Path) -> str:
    return "Z:" + str(path.resolve()).replace("/", "\\")


def sha_limit() -> int:
    text = (ROOT / "collector" / "src" / "hash.vbs").read_text(encoding="ascii")
    return int(re.search(r"^Const SHA256_MAX_BYTES = (\d+)", text, re.M).group(1))


def fill_uninstall(env: dict[str, str], tmp: Path, megabytes: float) -> None:
    """Import enough Uninstall subkeys that the UTF-16 export is about `megabytes` MB."""
    entry = ('[{key}\\BenchApp{n:05d}]\r\n"DisplayName"="Application de test {n} (vmes-audit bench)"\r\n'
             '"DisplayVersion"="{n}.2.3.4567"\r\n"Publisher"="Editeur de test SA"\r\n'
             '"InstallLocation"="C:\\\\Program Files\\\\Bench\\\\App{n:05d}\\\\"\r\n'
             '"UninstallString"="MsiExec.exe /X{{0000{n:04X}-1111-2222-3333-444455556666}}"\r\n'
             '"EstimatedSize"=dword:00001000\r\n\r\n')
    per_entry = len(entry.format(key=UNINSTALL, n=1)) * 2  # the export is UTF-16LE
    count = int(megabytes * 1_000_000 / per_entry) + 1
    reg = tmp / "bench-uninstall.reg"
    reg.write_text("REGEDIT4\r\n\r\n" + "".join(entry.format(key=UNINSTALL, n=n) for n in range(count)),
                   encoding="ascii", newline="")
    subprocess.run(["wine", "regedit", "/s", wine_path(reg)], env=env, capture_output=True, timeout=600)


def run_driver(env: dict[str, str], tmp: Path, driver: str) -> str:
    text = VBS.read_bytes().decode("ascii")
    if text.count(ENTRY) != 1:
        raise SystemExit("collect.vbs : point d'entree introuvable (rebuild collector/build.py)")
    script = tmp / "bench-driver.vbs"
    script.write_bytes(text.replace(ENTRY, driver.replace("\n", "\r\n") + "\r\nWScript.Quit 0\r\n").encode("ascii"))
    proc = subprocess.run(["wine", "cscript", "//nologo", wine_path(script)], env=env, capture_output=True,
                          timeout=3600)
    return proc.stdout.decode("cp850", errors="replace")


def collect(env: dict[str, str], out: Path, *options: str) -> float:
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    subprocess.run(["wine", "cscript", "//nologo", wine_path(VBS), f"/out:{wine_path(out)}",
                    "/noc:localhost:9", "/nocaddr:127.0.0.1", *options],
                   env=env, capture_output=True, timeout=3600)
    return time.perf_counter() - start


def bench_modes(env: dict[str, str], tmp: Path, repeat: int) -> None:
    for label, options in (("vmes", []), ("/exchange", ["/exchange"]), ("/dryrun", ["/dryrun"])):
        times, sizes = [], []
        for i in range(repeat):
            out = tmp / f"{label.strip('/')}-{i}"
            times.append(collect(env, out, *options))
            sizes += [z.stat().st_size for z in out.glob("*.zip")]
        size = f", zip {statistics.median(sizes) / 1024:.0f} Ko" if sizes else ", pas de zip"
        print(f"collect.vbs {label:<10} median {statistics.median(times):6.1f} s  "
              f"min {min(times):6.1f} s (n={repeat}){size}")


def bench_hashing(env: dict[str, str], tmp: Path, megabytes: float, full_sha: bool) -> None:
    start = time.perf_counter()
    fill_uninstall(env, tmp, megabytes)
    print(f"registre : cle Uninstall remplie en {time.perf_counter() - start:.1f} s")
    out = tmp / "uninstall"
    wall = collect(env, out, "/only:reg_uninstall")
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="ascii"))
    art = next(a for a in manifest["artifacts"] if a["name"] == "reg_uninstall")
    size = art["size"] or 0
    limit = sha_limit()
    print(f"collect.vbs /only:reg_uninstall : {wall:.1f} s au total ; reg_uninstall.reg {size / 1e6:.2f} Mo, "
          f"export {art['duration_ms'] / 1000:.1f} s, sha256 "
          f"{'present' if art['sha256'] else 'vide'} (limite SHA256_MAX_BYTES = {limit} octets)")
    export = folder / "reg_uninstall.reg"
    sliced = tmp / "slice.reg"
    sliced.write_bytes(export.read_bytes()[:262144])
    sha_file = export if full_sha else sliced
    sha_size = sha_file.stat().st_size
    driver = (
        "InitHashTables\nDim crc, sha, t0\n"
        f't0 = Timer\nDigestFile "{wine_path(export)}", False, crc, sha\nWScript.Echo "CRC " & (Timer - t0)\n'
        f't0 = Timer\nDigestFile "{wine_path(sha_file)}", True, crc, sha\nWScript.Echo "SHA " & (Timer - t0)\n'
    )
    figures = dict(line.split() for line in run_driver(env, tmp, driver).splitlines() if line[:3] in ("CRC", "SHA"))
    crc_s, both_s = float(figures["CRC"].replace(",", ".")), float(figures["SHA"].replace(",", "."))
    rate = sha_size / both_s
    print(f"empreinte de l'export ({size / 1e6:.2f} Mo) sous Wine : CRC-32 seul {crc_s:.1f} s "
          f"({size / 1024 / crc_s:.0f} Ko/s) : c'est ce que fait le collecteur au-dela de {limit // 1024} Kio")
    print(f"  CRC-32 + SHA-256 sur {sha_size // 1024} Kio : {both_s:.1f} s ({rate / 1024:.1f} Ko/s) ; "
          f"fichier de {limit // 1024} Kio : {limit / rate:.1f} s ; l'export entier : {size / rate:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mb", type=float, default=3.0, help="taille visee de l'export Uninstall (Mo)")
    parser.add_argument("--skip-modes", action="store_true", help="seulement la mesure des empreintes")
    parser.add_argument("--full-sha", action="store_true", help="SHA-256 sur l'export entier (environ 5 minutes)")
    args = parser.parse_args()
    if shutil.which("wine") is None:
        print("wine absent : benchmark du collecteur impossible")
        return 1
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        env = dict(os.environ, WINEPREFIX=str(tmp / "prefix"), WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=")
        env.pop("DISPLAY", None)
        start = time.perf_counter()
        subprocess.run(["wineboot", "-i"], env=env, capture_output=True, timeout=300)
        print(f"wineboot (one-off prefix creation): {time.perf_counter() - start:.1f} s")
        if not args.skip_modes:
            bench_modes(env, tmp, args.repeat)
        bench_hashing(env, tmp, args.mb, args.full_sha)
    return 0


if __name__ == "__main__":
    sys.exit(main())
