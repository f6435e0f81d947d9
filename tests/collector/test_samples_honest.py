"""The samples stay honest: every artifact in samples/ is one the collectors write, for that
mode and that format version, with the file extension and the encoding the collector uses.
A sample that says format 1.1 must also look like what the 1.1 collector writes (binary values
in hex, security descriptors with their source, summary records, Windows 2000 skips); a 1.0
sample is judged by the 1.0 collector. No Wine needed."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import pytest

from vmes_audit.base.encoding import decode_bytes
from vmes_audit.parsers.records import parse_records, write_records

from .test_format_contract import DOC, ems_artifacts, vbs_artifacts

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "samples").glob("*.zip"))
# How collect.vbs writes each kind of step (Decl proc) -> the encodings it records.
_RECORD_ENCODING = {"utf-16le"}
# Artifacts added by format 1.1 (§5: "... within 1.1"): a 1.0 collector never wrote them.
SINCE_1_1 = {"ad_exchange_stores", "ad_mail_users_protected", "wmi_accounts"}
# 1.1 record files that end with a summary (§5.2): without it the artifact is unreadable.
WITH_SUMMARY = {"ad_admincount_users", "ad_mail_containers", "ad_mail_users_protected"}
# Properties holding raw binaries, written as lowercase hex in 1.1 (§5).
HEX_PROPERTIES = {"objectsid", "sd", "ntsecuritydescriptor"}
_HEX = re.compile(r"^(?:[0-9a-f]{2})*$")
SHA256_MAX_BYTES = 131072


def _cmd_encoding(encoding: str) -> bool:
    return encoding.startswith("cp")  # cmd.exe output: the OEM code page, as recorded


def _load(sample: Path):
    with zipfile.ZipFile(sample) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        files = {name: archive.read(name) for name in archive.namelist()}
    return manifest, files


def test_the_1_1_additions_are_the_documented_ones():
    text = DOC.read_text(encoding="utf-8")
    sentence = text.split("`ad_mail_containers` was added within `format_version` 1.0;")[1].split("(additions")[0]
    assert set(re.findall(r"`([a-z_]+)`", sentence)) == SINCE_1_1


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_sample_artifacts_are_written_by_a_collector(sample: Path) -> None:
    manifest, names = _load(sample)
    mode = manifest["mode"]
    version = manifest["format_version"]
    assert version in ("1.0", "1.1"), f"{sample.name}: format {version}"
    vbs = vbs_artifacts()
    ems = ems_artifacts()
    for art in manifest["artifacts"]:
        name = art["name"]
        if mode == "ems":
            assert name in ems, f"{sample.name}: {name} is not written by collect-ems.ps1"
            expected_ext = "txt"
        else:
            assert name in vbs, f"{sample.name}: {name} is not written by collect.vbs"
            expected_ext, modes = vbs[name]
            assert mode in modes, f"{sample.name}: collect.vbs does not write {name} in mode {mode}"
        assert version != "1.0" or name not in SINCE_1_1, f"{sample.name}: {name} did not exist in format 1.0"
        if art["status"] != "ok":
            continue
        assert art["file"] == f"{name}.{expected_ext}", f"{sample.name}: {art['file']}"
        assert art["file"] in names
        if expected_ext == "reg" or name.startswith(("wmi_", "ad_", "net_", "reg_values", "token_groups",
                                                     "local_admins", "file_versions", "exchange_version",
                                                     "ems_")):
            assert art["encoding"] in _RECORD_ENCODING, f"{sample.name}: {name} in {art['encoding']}"
        else:
            assert _cmd_encoding(art["encoding"]), f"{sample.name}: {name} in {art['encoding']}"


def _records(files, art):
    decoded = decode_bytes(files[art["file"]], "utf-16le")
    return parse_records(decoded.text, artifact=art["name"])


def problems_1_1(label: str, manifest: dict, files: dict[str, bytes]) -> list[str]:
    """What makes a format-1.1 collection unlike what the 1.1 collect.vbs writes."""
    found: list[str] = []
    if not manifest["collector"]["version"].startswith("1.1"):
        found.append(f"{label}: collector {manifest['collector']['version']} for format 1.1")
    artifacts = {a["name"]: a for a in manifest["artifacts"]}
    for name, art in artifacts.items():
        if art["status"] != "ok" or not art["file"]:
            continue
        if art["file"].endswith(".txt") and art["encoding"] == "utf-16le" and \
                name.startswith(("ad_", "token_groups", "exchange_version")):
            records = _records(files, art)
            for rec in records:
                for prop, value in rec.props.items():
                    hex_prop = prop.lower() in HEX_PROPERTIES or (
                        prop == "Sid" and name in ("token_groups", "ad_service_account_groups"))
                    if hex_prop and isinstance(value, str) and not _HEX.match(value):
                        found.append(f"{label}: {name} {rec.kind}.{prop} is not hex: {value[:20]}")
                if rec.kind == "sd":
                    source = rec.get("SdSource")
                    if source not in ("hexstring", "ado", "iads"):
                        found.append(f"{label}: {name} sd {rec.get('ObjectDN')} without SdSource")
                    if not isinstance(rec.get("objectClass"), list):
                        found.append(f"{label}: {name} sd {rec.get('ObjectDN')} without objectClass[]")
                    wanted = ("Owner", "Control") if source == "iads" else ("Sd",)
                    if any(rec.get(p) is None for p in wanted):
                        found.append(f"{label}: {name} sd {rec.get('ObjectDN')} without {'/'.join(wanted)}")
            if name in WITH_SUMMARY and not [r for r in records if r.kind == "summary"]:
                found.append(f"{label}: {name} has no summary record")
        if (art["size"] or 0) <= SHA256_MAX_BYTES and not art["sha256"]:
            found.append(f"{label}: {name} ({art['size']} bytes) has no sha256")
    os_art = artifacts.get("wmi_os")
    if os_art and os_art["status"] == "ok":
        versions = [r.get("Version", "") for r in _records(files, os_art) if r.kind == "Win32_OperatingSystem"]
        if versions and str(versions[0]).startswith("5.0."):
            for name in ("systeminfo", "whoami_user", "whoami_groups", "wmi_terminalservice"):
                art = artifacts.get(name)
                if art and (art["status"], art["error"]) != ("skipped", "absent de Windows 2000"):
                    found.append(f"{label}: {name} on Windows 2000 is {art['status']} ({art['error']})")
    return found


def test_format_1_1_samples_look_like_the_1_1_collector():
    """Applies to every 1.1 sample (the lead regenerates their AD artifacts); 1.0 samples are
    judged by the test above only."""
    found = []
    for sample in SAMPLES:
        manifest, files = _load(sample)
        if manifest["format_version"] == "1.1" and manifest["mode"] != "ems":
            found += problems_1_1(sample.name, manifest, files)
    assert not found, "\n".join(found)


def _synthetic_1_1() -> tuple[dict, dict[str, bytes]]:
    """A small collection as the 1.1 collector writes it (records made with the analyzer's writer)."""
    def art(name, data):
        return {"name": name, "file": f"{name}.txt", "source": "", "status": "ok", "exit_code": None,
                "duration_ms": 1, "encoding": "utf-16le", "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data), "error": ""}

    def rec_file(records):
        return b"\xff\xfe" + write_records(records).encode("utf-16le")

    sd = "01000494" + "00" * 16
    files = {
        "wmi_os.txt": rec_file([("Win32_OperatingSystem", {"Version": "5.0.2195"})]),
        "ad_domain.txt": rec_file([("domain", {"distinguishedName": "DC=x", "objectSid": "010400000000000515000000"})]),
        "ad_acl.txt": rec_file([("sd", {"ObjectDN": "DC=x", "objectClass": ["top", "domainDNS"], "Sd": sd,
                                        "SdSource": "hexstring"})]),
        "ad_mail_users_protected.txt": rec_file([("summary", {"MailUsers": "3", "Protected": "0", "Unknown": "0",
                                                              "Truncated": "False"})]),
    }
    manifest = {"format_version": "1.1", "mode": "vmes", "collector": {"name": "vmes-audit-collector",
                                                                       "version": "1.1.0"},
                "artifacts": [art(n[:-4], d) for n, d in files.items()]}
    manifest["artifacts"].append({"name": "systeminfo", "file": "", "source": "systeminfo /fo list",
                                  "status": "skipped", "exit_code": None, "duration_ms": 0, "encoding": "",
                                  "sha256": "", "size": None, "error": "absent de Windows 2000"})
    return manifest, files


def test_the_1_1_check_accepts_what_the_collector_writes_and_refuses_the_1_0_forms():
    manifest, files = _synthetic_1_1()
    assert problems_1_1("synthetic", manifest, files) == []

    def broken(filename, records, **changes):
        m, f = _synthetic_1_1()
        f[filename] = b"\xff\xfe" + write_records(records).encode("utf-16le")
        for a in m["artifacts"]:
            if a["file"] == filename:
                a["sha256"] = hashlib.sha256(f[filename]).hexdigest()
                a["size"] = len(f[filename])
            if a["name"] in changes:
                a.update(changes[a["name"]])
        return problems_1_1("synthetic", m, f)

    assert any("is not hex" in p for p in broken("ad_domain.txt", [("domain", {"objectSid": "S-1-5-21-1-2-3"})]))
    assert any("without SdSource" in p for p in broken("ad_acl.txt", [("sd", {"ObjectDN": "DC=x", "Owner": "X",
                                                                              "Control": "4",
                                                                              "objectClass": ["top"]})]))
    assert any("no summary" in p for p in broken("ad_mail_users_protected.txt", [("user", {"Control": "4"})]))
    assert any("on Windows 2000" in p for p in broken(
        "wmi_os.txt", [("Win32_OperatingSystem", {"Version": "5.0.2195"})],
        systeminfo={"status": "error", "error": "code retour 1"}))
