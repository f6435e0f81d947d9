"""End-to-end runs of collect.vbs under Wine: vmes mode, /exchange, /dryrun.

What Wine 8 gives the collector (checked by these tests, see LISEZMOI):
WMI classes with values, regedit /e (UTF-16LE), whoami without SID, an empty
systeminfo, no ADSI LDAP provider (every ad_* artifact is an error whose text
carries 0x800401E4), no local groups in Win32_Group.
"""

from __future__ import annotations

import hashlib
import re
import zipfile

import pytest

from vmes_audit.collection.manifest import Manifest
from vmes_audit.encoding import decode_bytes
from vmes_audit.parsers.records import parse_records

pytestmark = [pytest.mark.wine, pytest.mark.slow]

VMES_ARTIFACTS = {
    "systeminfo", "wmi_os", "wmi_computersystem", "wmi_processor", "wmi_logicaldisk",
    "wmi_networkadapter", "wmi_networkadapterconfig", "wmi_registry", "wmi_service",
    "wmi_terminalservice", "wmi_qfe", "reg_values", "reg_exchange_setup", "reg_updates",
    "reg_uninstall", "reg_uninstall_wow64", "reg_hotfix", "reg_terminal_server",
    "reg_internet_settings", "reg_winhttp", "reg_mapi_profiles", "file_versions",
    "whoami_user", "whoami_groups", "token_groups", "local_admins", "ipconfig",
    "ad_rootdse", "ad_domain", "ad_partitions", "ad_domain_controllers", "ad_service_account",
    "ad_service_account_groups", "ad_exchange_org", "ad_exchange_servers", "ad_acl",
    "ad_admincount_users", "ad_mail_containers", "net_proxy", "net_noc_probe", "net_exchange_path",
}
EXCHANGE_ARTIFACTS = {
    "systeminfo", "wmi_os", "wmi_computersystem", "wmi_service", "wmi_qfe", "reg_values",
    "reg_exchange_setup", "reg_updates", "reg_uninstall", "file_versions", "exchange_version",
}


def _manifest(run) -> Manifest:
    return Manifest.model_validate_json((run.folder / "manifest.json").read_bytes())


def _records(run, name):
    data = (run.folder / f"{name}.txt").read_bytes()
    decoded = decode_bytes(data, "utf-16le")
    assert decoded.encoding == "utf-16le" and decoded.had_bom
    return parse_records(decoded.text, artifact=name)


@pytest.mark.parametrize("run_name", ["vmes_run", "exchange_run"])
def test_zip_is_valid_and_matches_folder(request, run_name):
    run = request.getfixturevalue(run_name)
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(run.zips) == 1, run.stdout
    zpath = run.zips[0]
    prefix = "EXCH-" if run_name == "exchange_run" else "VMES-"
    assert re.fullmatch(prefix + r"[A-Z0-9_-]+-\d{8}-\d{6}\.zip", zpath.name)
    with zipfile.ZipFile(zpath) as z:
        assert z.testzip() is None
        names = z.namelist()
        assert names[-1] == "manifest.json"
        for info in z.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            assert "/" not in info.filename and "\\" not in info.filename
            assert z.read(info) == (run.folder / info.filename).read_bytes()


@pytest.mark.parametrize("run_name,expected,mode", [
    ("vmes_run", VMES_ARTIFACTS, "vmes"), ("exchange_run", EXCHANGE_ARTIFACTS, "exchange")])
def test_manifest_lists_every_artifact_with_hash(request, run_name, expected, mode):
    run = request.getfixturevalue(run_name)
    manifest = _manifest(run)
    assert manifest.mode == mode
    assert manifest.format_version == "1.0"
    assert manifest.collector.name == "vmes-audit-collector"
    assert manifest.parameters.dry_run is False
    assert manifest.started.utcoffset() is not None and manifest.started <= manifest.ended
    assert {a.name for a in manifest.artifacts} == expected
    for art in manifest.artifacts:
        assert art.status in ("ok", "error", "skipped")
        if art.status != "ok":
            assert art.error, f"{art.name}: statut {art.status} sans message"
        if art.file:
            data = (run.folder / art.file).read_bytes()
            assert art.size == len(data), art.name
            assert art.sha256 == hashlib.sha256(data).hexdigest(), art.name
            assert art.encoding, art.name
        else:
            assert art.status != "ok" or art.name == "net_exchange_path", art.name


def test_record_files_parse(vmes_run):
    manifest = _manifest(vmes_run)
    for art in manifest.artifacts:
        if art.file and art.encoding == "utf-16le" and art.file.endswith(".txt"):
            _records(vmes_run, art.name)  # raises ParseError on any malformed line


def test_wmi_os_matches_what_wine_reports(wine, vmes_run):
    (os_rec,) = _records(vmes_run, "wmi_os")
    assert os_rec.kind == "Win32_OperatingSystem"
    ver = wine.run(["cmd", "/c", "ver"]).stdout.decode("cp850", errors="replace")
    m = re.search(r"(\d+\.\d+\.\d+)", ver)
    assert m, ver
    assert os_rec.get("Version") == m.group(1)
    assert os_rec.get("BuildNumber") == m.group(1).split(".")[2]
    assert os_rec.get("Caption")


def test_reg_exports_are_utf16_regedit(vmes_run):
    manifest = _manifest(vmes_run)
    exported = [a for a in manifest.artifacts if a.name.startswith("reg_") and a.name != "reg_values"]
    assert any(a.status == "ok" for a in exported)
    absent = 0
    for art in exported:
        if art.status == "ok":
            data = (vmes_run.folder / art.file).read_bytes()
            assert art.encoding == "utf-16le"
            assert data[:2] == b"\xff\xfe"
            text = data[2:].decode("utf-16le")
            assert text.startswith("Windows Registry Editor Version 5.00")
            if "absente" in art.error:  # an absent key is evidence: header-only export
                absent += 1
                assert text.strip() == "Windows Registry Editor Version 5.00"
        elif art.status == "skipped":
            assert "32 bits" in art.error
    # Wine has no Exchange: at least Exchange\Setup is absent and exported as such
    assert manifest.artifact("reg_exchange_setup").status == "ok" and absent >= 1


def test_reg_values_records(vmes_run):
    values = _records(vmes_run, "reg_values")
    assert all(r.kind == "value" for r in values)
    by_name = {(r.get("Key"), r.get("Name")): r for r in values}
    cur = by_name[("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", "CurrentVersion")]
    (os_rec,) = _records(vmes_run, "wmi_os")
    assert os_rec.get("Version").startswith(cur.get("Data"))
    exch = by_name[("HKLM\\SOFTWARE\\Microsoft\\Exchange\\Setup", "Services")]
    assert exch.get("Missing") == "True"


def test_ad_artifacts_fail_with_adsi_text(vmes_run):
    manifest = _manifest(vmes_run)
    ad = [a for a in manifest.artifacts if a.name.startswith("ad_")]
    assert len(ad) == 11
    for art in ad:
        assert art.status == "error"
        assert re.match(r"0x[0-9A-F]{8} ", art.error), art.error
    path = manifest.artifact("net_exchange_path")
    assert path.status == "skipped" and "annuaire" in path.error


def test_whoami_and_local_admins(vmes_run):
    manifest = _manifest(vmes_run)
    who = manifest.artifact("whoami_user")
    assert who.status in ("ok", "skipped")
    if who.status == "ok":
        assert who.exit_code == 0 and who.encoding.startswith("cp")
    admins = manifest.artifact("local_admins")
    # Wine's Win32_Group has no instances: the collector says so, it never guesses a name
    assert admins.status == "error" and "S-1-5-32-544" in admins.error


def test_console_progress_in_french(vmes_run):
    assert re.search(r"\[1/41\] Syst.me : systeminfo \.\.\. (OK|ERREUR)", vmes_run.stdout)
    assert "Archive cr" in vmes_run.stdout


def test_exchange_mode_writes_exchange_version(exchange_run):
    manifest = _manifest(exchange_run)
    assert manifest.parameters.service_account == "SvcMobile"
    ev = manifest.artifact("exchange_version")
    assert ev.status == "error" and ev.error


def test_dryrun_prints_plan_and_writes_nothing(wine, tmp_path):
    run = wine.collect(tmp_path / "dry", "/dryrun")
    assert run.returncode == 0
    assert "SIMULATION" in run.stdout
    assert "SELECT * FROM Win32_OperatingSystem" in run.stdout
    assert "regedit /e" in run.stdout and "LDAP" in run.stdout and "WinHTTP" in run.stdout
    assert "aucune donn" in run.stdout
    assert list((tmp_path / "dry").iterdir()) == []
