"""Write collections as the collector does, for the fact builders' tests.

A collection folder is ``manifest.json`` plus one file per artifact (docs/collection-format.md §1, §2),
each in the bytes Windows wrote:

- record files and ``regedit /e`` exports: UTF-16LE with BOM, CRLF (:func:`utf16`);
- ``systeminfo``, ``whoami``, ``ipconfig`` (cmd.exe redirected): the OEM code page, cp850 on a French
  machine (:func:`oem`), or a committed capture from ``tests/data/captures`` (:func:`capture`).

An artifact is given as its bytes (``status`` ok, encoding guessed from its name), or as a :class:`Step`
for an ``error`` / ``skipped`` step or a chosen encoding. The manifest gets each file's SHA-256 and size,
so the only defect of a collection is the one a test writes.

>>> registry = utf16(RECORDS + "[Win32_Registry]\\nCurrentSize=21\\n")
>>> folder = write_collection(Path(getfixture("tmp_path")), {"wmi_registry": registry})
>>> coll = load(folder); coll.host, coll.mode, coll.artifacts["wmi_registry"].usable
('VMES01', 'vmes', True)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from vmes_audit.collection import Collection, load_inputs
from vmes_audit.collection.artifacts import ARTIFACTS
from vmes_audit.facts.build import build_facts
from vmes_audit.facts.model import Facts

__all__ = ["RECORDS", "REGEDIT", "Step", "utf16", "oem", "capture", "write_collection", "write_loose", "load",
           "facts_of", "rows", "DOMAIN_SID", "SA_SID"]

CAPTURES = Path(__file__).resolve().parents[1] / "data" / "captures"
RECORDS = "#VMES-RECORDS 1\n"
REGEDIT = "Windows Registry Editor Version 5.00\n\n"
# The domain of the samples (corp.exemple.fr) and its service account CORP\VistoAdmin (RID 1102)
DOMAIN_SID = "S-1-5-21-1844237615-1960408961-1801674531"
SA_SID = f"{DOMAIN_SID}-1102"


def utf16(text: str) -> bytes:
    """A record file or a regedit export: UTF-16LE with BOM, CRLF."""
    return b"\xff\xfe" + text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-16le")


def oem(text: str, codepage: str = "cp850") -> bytes:
    """cmd.exe output redirected to a file: the OEM code page, CRLF."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode(codepage)


def capture(name: str) -> bytes:
    """A committed capture, e.g. ``systeminfo_en_2003sp1.txt`` (ASCII, English Windows)."""
    return (CAPTURES / name).read_bytes()


@dataclass
class Step:
    """One step of the manifest: ``error`` or ``skipped`` (no file), or ``ok`` with a chosen encoding."""

    status: str = "ok"
    data: bytes = b""
    encoding: str = ""
    error: str = ""


def _encoding(name: str, data: bytes) -> str:
    if data.startswith(b"\xff\xfe"):
        return "utf-16le"
    return "cp850" if ARTIFACTS[name].kind in ("systeminfo", "whoami_user", "whoami_groups", "ipconfig") else "ascii"


def write_collection(folder: Path, artifacts: dict[str, bytes | Step], *, host: str = "VMES01", mode: str = "vmes",
                     format_version: str = "1.1", run_as: str = "CORP\\VistoAdmin", run_as_sid: str = SA_SID,
                     **manifest: object) -> Path:
    """A collection folder (``folder/<host>``) holding ``manifest.json`` and the artifacts given, in order."""
    target = folder / host
    target.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, given in artifacts.items():
        step = given if isinstance(given, Step) else Step(data=given)
        entry = {"name": name, "file": "", "source": ARTIFACTS[name].command, "status": step.status,
                 "exit_code": None, "duration_ms": 10, "encoding": "", "sha256": "", "size": None,
                 "error": step.error}
        if step.status == "ok":
            entry["file"] = f"{name}.{'reg' if ARTIFACTS[name].kind == 'reg' else 'txt'}"
            entry["encoding"] = step.encoding or _encoding(name, step.data)
            entry["sha256"] = hashlib.sha256(step.data).hexdigest()
            entry["size"] = len(step.data)
            (target / entry["file"]).write_bytes(step.data)
        entries.append(entry)
    data = {"format_version": format_version,
            "collector": {"name": "vmes-audit-ems" if mode == "ems" else "vmes-audit-collector", "version": "1.1.0"},
            "mode": mode, "host": {"name": host}, "started": "2026-11-20T14:02:11+01:00",
            "ended": "2026-11-20T14:03:02+01:00", "run_as": {"name": run_as, "sid": run_as_sid},
            "parameters": {"service_account": "VistoAdmin", "noc_host": "push.sfr.fr", "noc_port": 443,
                           "noc_address": "206.124.113.45", "dry_run": False},
            "artifacts": entries}
    data.update(manifest)
    (target / "manifest.json").write_bytes(json.dumps(data, ensure_ascii=True, indent=1).encode("ascii"))
    return target


def write_loose(folder: Path, files: dict[str, bytes]) -> Path:
    """Loose files without a manifest (§7): each file is matched to its artifact by name."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def load(folder: Path) -> Collection:
    """The one collection of ``folder``."""
    (coll,) = load_inputs([folder]).collections
    return coll


def facts_of(*folders: Path, **options) -> Facts:
    """Every fact table of the collections in ``folders`` (``build_facts`` options: ``today``, ``account``)."""
    return build_facts(load_inputs(list(folders)), **options)


def rows(facts: Facts, table: str, *columns: str) -> list[dict]:
    """The rows of ``table``, restricted to ``columns`` when given."""
    found = facts.table(table).to_dict("records")
    return [{c: r[c] for c in columns} for r in found] if columns else found
