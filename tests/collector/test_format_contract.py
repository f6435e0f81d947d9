"""The collectors write exactly the artifacts docs/collection-format.md names.

collect.vbs declares each artifact once (``Decl "name", "ext", ...``);
collect-ems.ps1 lists its EMS artifacts in ``$Artifacts``. Every declared
name must be documented, and every documented name must be written by one of
the two collectors. No Wine needed.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "collection-format.md"
VBS = REPO / "collector" / "collect.vbs"
EMS = REPO / "collector" / "collect-ems.ps1"

# Decl "wmi_os", "txt", "WMI : systeme", "wmi", "SELECT * FROM Win32_OperatingSystem", "vmes exchange"
_DECL = re.compile(r'^\s*Decl\s+"(?P<name>[a-z0-9_]+)",\s*"(?P<ext>\w+)",.*,\s*"(?P<modes>[a-z ]+)"\s*$', re.M)
# | `wmi_os` | `.txt` | ...
_DOC_ROW = re.compile(r"^\|\s*`(?P<name>[a-z0-9_]+)`\s*\|(?P<rest>.*)$", re.M)


def vbs_artifacts() -> dict[str, tuple[str, set[str]]]:
    text = VBS.read_text(encoding="ascii")
    return {m["name"]: (m["ext"], set(m["modes"].split())) for m in _DECL.finditer(text)}


def ems_artifacts() -> set[str]:
    text = EMS.read_text(encoding="utf-8-sig")
    return set(re.findall(r'^\s*@\{\s*Name\s*=\s*"(ems_[a-z_]+)"', text, re.M))


def documented() -> dict[str, str]:
    """name -> documented extension (".txt"/".reg"; "" when the row gives none)."""
    out = {}
    text = DOC.read_text(encoding="utf-8")
    artifacts_part = text.split("## 4. Artifacts")[1].split("## 7.")[0]  # §4-§6 only
    for m in _DOC_ROW.finditer(artifacts_part):
        ext = re.match(r"\s*`\.(\w+)`", m["rest"])
        out[m["name"]] = ext.group(1) if ext else ""
    return out


def test_vbs_declares_artifacts():
    arts = vbs_artifacts()
    assert len(arts) >= 40
    assert "net_noc_probe" in arts and "exchange_version" in arts


def test_every_written_artifact_is_documented():
    docs = documented()
    undocumented = sorted(set(vbs_artifacts()) - set(docs)) + sorted(ems_artifacts() - set(docs))
    assert not undocumented, f"artefacts écrits mais absents de collection-format.md : {undocumented}"


def test_every_documented_artifact_is_written():
    docs = documented()
    written = set(vbs_artifacts()) | ems_artifacts()
    missing = sorted(n for n in docs if n not in written)
    assert not missing, f"artefacts documentés qu'aucun collecteur n'écrit : {missing}"


def test_extensions_match_the_doc():
    docs = documented()
    wrong = {n: (ext, docs[n]) for n, (ext, _) in vbs_artifacts().items() if docs.get(n) and docs[n] != ext}
    assert not wrong, f"extension différente de la documentation : {wrong}"


def test_exchange_mode_set_matches_the_doc():
    text = DOC.read_text(encoding="utf-8")
    section = text.split("### Exchange server (mode `exchange`")[1].split("###")[0]
    listed = set(re.findall(r"`([a-z0-9_]+)`", section.split("plus:")[0]))
    listed |= {m["name"] for m in _DOC_ROW.finditer(section)}
    in_exchange = {n for n, (_, modes) in vbs_artifacts().items() if "exchange" in modes}
    assert in_exchange == listed, (sorted(in_exchange - listed), sorted(listed - in_exchange))
