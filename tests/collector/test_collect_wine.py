"""End-to-end runs of collect.vbs under Wine: vmes mode, /exchange, /dryrun, Windows 2000, parameter file.

What Wine 8 gives the collector (checked by these tests, see LISEZMOI):
WMI classes with values, regedit /e (UTF-16LE), whoami without SID, an empty
systeminfo, no ADSI LDAP provider (every ad_* artifact is an error whose text
carries 0x800401E4), no local groups in Win32_Group and no Win32_SystemAccount
instance (wmi_accounts is an error that says so).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile

import pytest

from vmes_audit.collection.manifest import Manifest
from vmes_audit.base.encoding import decode_bytes
from vmes_audit.parsers.records import parse_records

from . import contract
from .conftest import COLLECT_VBS

pytestmark = [pytest.mark.wine, pytest.mark.slow]

VMES_ARTIFACTS = {
    "systeminfo", "wmi_os", "wmi_computersystem", "wmi_processor", "wmi_logicaldisk",
    "wmi_networkadapter", "wmi_networkadapterconfig", "wmi_registry", "wmi_service",
    "wmi_terminalservice", "wmi_qfe", "reg_values", "reg_exchange_setup", "reg_updates",
    "reg_uninstall", "reg_uninstall_wow64", "reg_hotfix", "reg_terminal_server",
    "reg_internet_settings", "reg_winhttp", "reg_mapi_profiles", "file_versions",
    "whoami_user", "whoami_groups", "token_groups", "local_admins", "ipconfig", "wmi_accounts",
    "ad_rootdse", "ad_domain", "ad_partitions", "ad_domain_controllers", "ad_service_account",
    "ad_service_account_groups", "ad_exchange_org", "ad_exchange_servers", "ad_exchange_stores",
    "ad_mail_containers", "ad_mail_users_protected", "ad_acl", "ad_admincount_users",
    "net_proxy", "net_noc_probe", "net_exchange_path",
}
SHA256_MAX_BYTES = 131072
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
    assert manifest.format_version == "1.1"
    assert manifest.collector.name == "vmes-audit-collector"
    assert manifest.collector.version == "1.1.0"
    assert manifest.parameters.dry_run is False
    assert manifest.parameters.params_file == "" and manifest.parameters.client is None
    assert manifest.started.utcoffset() is not None and manifest.started <= manifest.ended
    assert {a.name for a in manifest.artifacts} == expected
    for art in manifest.artifacts:
        assert art.status in ("ok", "error", "skipped")
        if art.status != "ok":
            assert art.error, f"{art.name}: statut {art.status} sans message"
        if art.file:
            data = (run.folder / art.file).read_bytes()
            assert art.size == len(data), art.name
            if len(data) <= SHA256_MAX_BYTES:  # §2: above, integrity is the zip entry's CRC-32
                assert art.sha256 == hashlib.sha256(data).hexdigest(), art.name
            else:
                assert art.sha256 == "", art.name
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
    assert len(ad) == 13
    for art in ad:
        assert art.status == "error"
        assert re.match(r"0x[0-9A-F]{8} ", art.error), art.error
        # the manifest's source is the artifact's operations, as §5.1 writes them
        own = "ad_mail_containers" if art.name == "ad_mail_users_protected" else art.name  # shared search
        lines = [line.strip() for line in contract.doc_ldap_lines("vmes") if f"| {own} |" in line]
        if art.name == "ad_mail_users_protected":
            lines = lines[:1]
        assert art.source == " ; ".join(lines), art.name
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


def test_wmi_accounts_says_wine_has_none(vmes_run):
    art = _manifest(vmes_run).artifact("wmi_accounts")
    assert art.status == "error" and "aucun compte" in art.error
    assert art.source == ("SELECT Name, Domain, SID FROM Win32_SystemAccount ; "
                          "SELECT Name, Domain, SID FROM Win32_Group WHERE LocalAccount=True")


def test_console_progress_in_french(vmes_run):
    assert re.search(r"\[1/44\] Syst.me : systeminfo \.\.\. (OK|ERREUR)", vmes_run.stdout)
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


@pytest.mark.parametrize("mode,options", [("vmes", []), ("exchange", ["/exchange"])])
def test_dryrun_ldap_lines_are_the_contract_table(wine, tmp_path, mode, options):
    """The directory-test reader compares itself with these lines: exactly §5.1's, in its order."""
    run = wine.collect(tmp_path / "dry", "/dryrun", *options)
    printed = contract.LINE.findall(run.stdout.replace("\r\n", "\n"))
    assert printed == contract.doc_ldap_lines(mode)


def test_windows_2000_skips_what_it_does_not_have(wine, tmp_path):
    """Windows 2000 (Version 5.0): systeminfo, whoami and Win32_TerminalServiceSetting are
    "skipped" without being tried (§2), and the network adapters use AdapterTypeId=0."""
    with wine.windows_2000():
        run = wine.collect(tmp_path / "w2k", "/only:systeminfo,whoami,wmi_terminalservice,wmi_os,wmi_networkadapter")
    assert run.returncode == 0, run.stdout
    manifest = _manifest(run)
    (os_rec,) = _records(run, "wmi_os")
    assert os_rec.get("Version").startswith("5.0.")
    for name, source in (("systeminfo", "systeminfo /fo list"), ("whoami_user", "whoami /user /fo csv"),
                         ("whoami_groups", "whoami /groups /fo csv"),
                         ("wmi_terminalservice", "SELECT * FROM Win32_TerminalServiceSetting")):
        art = manifest.artifact(name)
        assert (art.status, art.error, art.file, art.source) == ("skipped", "absent de Windows 2000", "", source)
    assert manifest.artifact("wmi_networkadapter").source == "SELECT * FROM Win32_NetworkAdapter WHERE AdapterTypeId=0"


def test_parameter_file_next_to_the_script(wine, tmp_path):
    """collect-params.txt next to collect.vbs sets the defaults (§8); a command-line option wins."""
    kit = tmp_path / "kit"
    kit.mkdir()
    shutil.copy(COLLECT_VBS, kit / "collect.vbs")
    (kit / "collect-params.txt").write_bytes(
        "# Paramètres de collecte préparés par l'avant-vente (vmes-audit kit)\r\n"
        "account=SvcKit\r\nnoc=localhost:9\r\nnocaddr=127.0.0.1\r\n"
        "client=Société Exemple\r\npack=vmes-5.5 1.1.0\r\ncouleur=bleu\r\n".encode("cp1252"))
    run = wine.collect(tmp_path / "out1", "/only:net_proxy", script=kit / "collect.vbs")
    params = json.loads((run.folder / "manifest.json").read_bytes())["parameters"]
    assert params == {"service_account": "SvcKit", "noc_host": "localhost", "noc_port": 9,
                      "noc_address": "127.0.0.1", "dry_run": False, "client": "Société Exemple",
                      "pack": "vmes-5.5 1.1.0", "params_file": "collect-params.txt"}
    assert "Paramètres lus dans collect-params.txt (client Société Exemple, dossier vmes-5.5 1.1.0)" in run.stdout
    assert "Paramètre inconnu ignoré dans collect-params.txt : couleur" in run.stdout
    _manifest(run)  # the analyzer's model accepts it

    run = wine.collect(tmp_path / "out2", "/only:net_proxy", "/account:SvcLigne", "/noc:127.0.0.1:9",
                       script=kit / "collect.vbs")
    params = json.loads((run.folder / "manifest.json").read_bytes())["parameters"]
    assert params["service_account"] == "SvcLigne"
    assert (params["noc_host"], params["noc_port"]) == ("127.0.0.1", 9)
    # /noc: without /nocaddr: names another NOC: the file's address (of the file's NOC) is not used
    assert params["noc_address"] == "127.0.0.1"
    assert "nocaddr de collect-params.txt est ignor" in run.stdout
