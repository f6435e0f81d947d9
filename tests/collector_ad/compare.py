"""The analyzer's findings from the collector's AD artifacts (Wine + double) against the reader's.

Both zips hold the same machine artifacts (the scenario's sample, rewritten for the scenario's
directory by ``tests/samba/collection.py``); they differ only in the AD artifacts and
``token_groups``: the reader's on one side, what the collector wrote under Wine on the other (its
record files as written, re-encoded by ``samples/build_samples.py`` exactly as the reader's are, and
each artifact's status and error from the collector's own manifest.json).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.samba.collection import build_zip

from .runner import AD_ARTIFACTS, WineAdRun

__all__ = ["collector_source", "findings_by_rule", "RULES"]

RULES = "A1 A2 B1 B2 B3 B4 B5 F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 F11 G1 G2".split()


def collector_source(reader_source: Path, run: WineAdRun, target: Path) -> Path:
    """A copy of the scenario's source folder whose AD artifacts are the collector's."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(reader_source, target)
    spec = yaml.safe_load((target / "collection.yaml").read_text(encoding="utf-8"))
    arts = spec["artifacts"]
    entries = {a["name"]: a for a in run.manifest["artifacts"]}
    for name in AD_ARTIFACTS:
        (target / f"{name}.txt").unlink(missing_ok=True)
        got = entries.get(name)
        assert got is not None, f"the collector did not run {name}:\n{run.stdout}"
        entry: dict = {"source": got.get("source", ""), "duration_ms": got.get("duration_ms", 0)}
        if got["status"] == "ok" and got.get("file"):
            raw = (run.folder / got["file"]).read_bytes()
            text = raw.decode("utf-16") if got.get("encoding") == "utf-16le" else raw.decode("utf-8")
            (target / f"{name}.txt").write_text(text.replace("\r\n", "\n"), encoding="utf-8")
            entry.update({"file": f"{name}.txt", "encoding": "utf-16le"})
        else:
            entry.update({"status": got["status"], "error": got.get("error", "")})
        arts[name] = entry
    spec["output"] = spec["output"].replace(".zip", f"-wine-{run.mode}.zip")
    (target / "collection.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False),
                                            encoding="utf-8")
    return target


def findings_by_rule(zip_path: Path) -> dict[str, list[str]]:
    """Catalogue number -> sorted states of the rule's findings."""
    from vmes_audit.assessment.run import run_assessment
    from vmes_audit.engine.pack import load_pack

    ids = {rule.id: rule.catalogue for rule in load_pack().rules}
    result = run_assessment([zip_path])
    out: dict[str, list[str]] = {r: [] for r in RULES}
    for f in result.report.findings:
        cat = ids.get(f.rule_id)
        if cat in out:
            out[cat].append(f.state.value)
    return {k: sorted(v) for k, v in out.items()}


def build_collector_zip(reader_source: Path, run: WineAdRun, work: Path) -> Path:
    return build_zip(collector_source(reader_source, run, work / f"{reader_source.name}-wine-{run.mode}"), work)
