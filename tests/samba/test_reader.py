"""The directory reader: its declared operations, and what it writes from a real directory.

The descriptors are decoded here with :mod:`descriptors` (independent of the analyzer), so that
these tests pass whatever the analyzer's format 1.1 support is: they check that Samba computed
the inherited ACEs and that the reader wrote them as §5 says.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from .descriptors import ID, SE_DACL_PROTECTED, SecurityDescriptor, sid_from_bytes
from .organisation import GUID
from .reader import OPERATIONS, DirectoryReader, operation_lines
from .scenarios import ACCOUNT, PASSWORD
from tests.collector.conftest import run_wine, wine_prefix

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "collection-format.md"
COLLECT_VBS = ROOT / "collector" / "collect.vbs"


def _split(line: str) -> tuple[str, ...]:
    """A dry-run / doc line as fields; attributes compared without their spacing."""
    fields = [f.strip() for f in line.split(" | ")]
    if fields[0] == "LDAP" and len(fields) == 6:
        fields[5] = ",".join(a.strip() for a in fields[5].split(","))
    return tuple(fields)


def doc_operation_lines() -> list[str]:
    """The §5.1 table of docs/collection-format.md as dry-run lines (one SD line per ad_acl template)."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("### 5.1"):text.index("### 5.2")]
    lines = []
    for row in section.splitlines():
        if not row.startswith("| `"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
        artifact, kind, base, scope, filter_, attrs = cells
        artifact = artifact.strip("`")
        if kind == "SD":
            for template in re.findall(r"`([^`]+)`", base.split(" (")[0]):
                lines.append(f"SD | {artifact} | {template}")
            continue
        filter_ = filter_.strip("`").replace("\\|", "|")
        lines.append(" | ".join(["LDAP", artifact, base.strip("`"), scope, filter_, attrs]))
    return lines


def test_declared_operations_are_the_documented_table() -> None:
    assert [_split(l) for l in operation_lines()] == [_split(l) for l in doc_operation_lines()]


def test_operation_lines_round_trip() -> None:
    for op, line in zip(OPERATIONS, operation_lines()):
        fields = _split(line)
        assert fields[0] == op.kind and fields[1] == op.artifact and fields[2] == op.base


def _dry_run_lines(env: dict[str, str], *extra: str) -> list[str]:
    proc = run_wine(["cscript", "//nologo", "Z:" + str(COLLECT_VBS).replace("/", "\\"), "/dryrun", *extra], env,
                    timeout=600)
    out = proc.stdout.decode("cp850", errors="replace")
    return [l.strip() for l in out.splitlines() if re.match(r"\s*(LDAP|SD)\s+\|", l)]


@pytest.mark.wine
@pytest.mark.slow
def test_declared_operations_are_the_collector_dry_run(tmp_path) -> None:
    # the VMES machine's run and an Exchange server's (/exchange: exchange_version)
    if shutil.which("wine") is None:
        raise RuntimeError("wine is not installed")
    with wine_prefix(tmp_path / "wineprefix") as env:
        printed = _dry_run_lines(env) + _dry_run_lines(env, "/exchange")
    assert printed, "the dry run printed no LDAP | / SD | line"
    assert sorted(set(_split(l) for l in printed)) == sorted(set(_split(l) for l in operation_lines()))


# ---------------------------------------------------------------- against the directory

def _records(collected, scenario: str, artifact: str):
    from vmes_audit.parsers.records import parse_records

    path = collected(scenario).source / f"{artifact}.txt"
    return parse_records(path.read_text(encoding="utf-8"))


def _sds(collected, scenario: str) -> dict[str, SecurityDescriptor]:
    return {r.get("ObjectDN"): SecurityDescriptor.from_bytes(bytes.fromhex(r.get("Sd")))
            for r in _records(collected, scenario, "ad_acl") if r.kind == "sd" and r.get("Sd")}


@pytest.mark.samba
def test_every_ad_artifact_is_a_valid_record_file_and_the_zip_loads(collected) -> None:
    from vmes_audit.collection import load_inputs

    c = collected("ex2003-conforme")
    assert all(a.status == "ok" for a in c.artifacts.values()), {a.name: a.error for a in c.artifacts.values()}
    for name in c.artifacts:
        assert _records(collected, "ex2003-conforme", name), name
    for name in ("ad_mail_containers", "ad_mail_users_protected", "ad_admincount_users"):
        assert _records(collected, "ex2003-conforme", name)[-1].kind == "summary", name
    with zipfile.ZipFile(c.zip_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        raw = archive.read("ad_acl.txt")
    assert manifest["format_version"] == "1.1"
    assert raw.startswith(b"\xff\xfe") and "\r\n" in raw.decode("utf-16")
    assessment = load_inputs([c.zip_path])
    artifacts = assessment.collections[0].artifacts
    assert all(artifacts[name].usable for name in c.artifacts), [n for n in c.artifacts if not artifacts[n].usable]


@pytest.mark.samba
def test_binary_values_are_hex_of_the_raw_bytes(collected) -> None:
    c = collected("ex2003-admins-du-domaine-imbriques")
    domain = _records(collected, c.scenario.name, "ad_domain")[0]
    assert sid_from_bytes(bytes.fromhex(domain.get("objectSid"))) == c.domain_sid
    user = _records(collected, c.scenario.name, "ad_service_account")[0]
    assert sid_from_bytes(bytes.fromhex(user.get("objectSid"))) == c.account_sid
    tokens = {sid_from_bytes(bytes.fromhex(g.get("Sid"))): g.get("Name")
              for g in _records(collected, c.scenario.name, "ad_service_account_groups")}
    # Domain Admins reached through GG-Support-N1 -> GG-Support-N2: Samba expands the nesting
    assert {tokens.get(f"{c.domain_sid}-512"), tokens.get(f"{c.domain_sid}-513")} == {"Domain Admins", "Domain Users"}
    assert {"GG-Support-N1", "GG-Support-N2"} <= set(tokens.values())
    # SDProp's stamp: adminCount=1 and a protected descriptor
    sd = SecurityDescriptor.from_bytes(bytes.fromhex(user.get("nTSecurityDescriptor")))
    assert user.get("adminCount") == "1" and sd.control & SE_DACL_PROTECTED


@pytest.mark.samba
def test_samba_computes_the_inherited_aces(collected) -> None:
    c = collected("ex2003-conforme")
    sds = _sds(collected, c.scenario.name)
    org, server, store = sds[c.objects["org"]], sds[c.objects["server"]], sds[c.objects["store"]]
    da = f"{c.domain_sid}-512"
    deny = [a for a in org.explicit_aces() if a.sid == da and not a.is_allow]
    assert {a.object_type for a in deny} == {GUID["Send-As"], GUID["Receive-As"]}
    for child in (server, store):     # the organisation's deny reaches the server and the store, inherited
        inherited = {a.object_type for a in child.dacl if a.sid == da and not a.is_allow and a.flags & ID}
        assert inherited == {GUID["Send-As"], GUID["Receive-As"]}
    # the vendor's explicit allows on the server come first on the server, and first on the store too
    mine = [a for a in store.dacl if a.sid == c.account_sid and a.object_type == GUID["Send-As"]]
    assert mine and mine[0].is_allow and mine[0].flags & ID
    first_deny = next(i for i, a in enumerate(store.dacl) if a.sid == da and not a.is_allow)
    assert store.dacl.index(mine[0]) < first_deny
    # every mailbox store, storage group and information store is read (issue 9 item 2)
    stores = _records(collected, c.scenario.name, "ad_exchange_stores")
    assert {r.get("objectClass")[-1] for r in stores} == {"msExchInformationStore", "msExchStorageGroup",
                                                          "msExchPrivateMDB"}
    assert all(r.get("distinguishedName") in sds for r in stores)


@pytest.mark.samba
def test_deny_on_the_store_is_collected(collected) -> None:
    c = collected("ex2003-refus-sur-la-banque")
    store = _sds(collected, c.scenario.name)[c.objects["store"]]
    denies = [a for a in store.explicit_aces() if a.sid == c.account_sid and not a.is_allow]
    assert {a.object_type for a in denies} == {GUID["Send-As"], GUID["Receive-As"]}


@pytest.mark.samba
def test_without_a_role_the_organisation_descriptor_is_unreadable(collected) -> None:
    c = collected("ex2003-sans-delegation")
    assert c.objects["org"] not in _sds(collected, c.scenario.name)
    # recorded as not returned (E_ADS_PROPERTY_NOT_FOUND, as ADSI reports it): evidence for F7
    unreadable = {r.get("ObjectDN"): r for r in _records(collected, c.scenario.name, "ad_acl")
                  if r.kind == "sd" and not r.get("Sd")}
    assert unreadable[c.objects["org"]].get("ErrorCode") == "8000500D"


@pytest.mark.samba
def test_mail_users_protected_by_hand_are_counted(collected) -> None:
    c = collected("ex2003-heritage-desactive")
    records = _records(collected, c.scenario.name, "ad_mail_users_protected")
    users = [r for r in records if r.kind == "user"]
    summary = records[-1]
    assert [u.get("distinguishedName").split(",")[0] for u in users] == ["CN=Marie Martin"]
    assert users[0].get("adminCount") is None and int(users[0].get("Control")) & SE_DACL_PROTECTED
    assert (summary.get("MailUsers"), summary.get("Protected"), summary.get("Unknown")) == ("4", "1", "0")
    containers = {r.get("distinguishedName"): r.get("MailUsers")
                  for r in _records(collected, c.scenario.name, "ad_mail_containers") if r.kind == "container"}
    domain_dn = _domain_dn(c)
    assert containers == {f"OU=Comptes de service,OU=Exemple,{domain_dn}": "1",
                          f"OU=Utilisateurs,OU=Exemple,{domain_dn}": "3"}


def _domain_dn(c) -> str:
    """CN=VistoAdmin,OU=Comptes de service,OU=Exemple,<domain> -> <domain>."""
    return c.objects["account"].split(",", 3)[-1]


@pytest.mark.samba
def test_adminsdholder_grant_reaches_protected_users(collected) -> None:
    c = collected("ex2003-adminsdholder-send-as")
    users = [r for r in _records(collected, c.scenario.name, "ad_admincount_users") if r.kind == "user"]
    assert [u.get("sAMAccountName") for u in users] == ["adm-jmartin"]
    sd = SecurityDescriptor.from_bytes(bytes.fromhex(users[0].get("nTSecurityDescriptor")))
    assert sd.protected
    assert any(a.sid == c.account_sid and a.object_type == GUID["Send-As"] and a.is_allow for a in sd.dacl)


@pytest.mark.samba
def test_reader_issues_only_declared_operations(collected) -> None:
    issued = {op for name in ("ex2003-conforme", "ex2003-adminsdholder-send-as") for op, _ in collected(name).issued}
    assert issued <= set(OPERATIONS)
    fallback = {op for op in OPERATIONS if op.artifact == "exchange_version"
                or (op.artifact == "ad_acl" and op.kind == "LDAP")}
    assert set(OPERATIONS) - fallback <= issued, set(OPERATIONS) - fallback - issued


@pytest.mark.samba
def test_trustee_searches_and_exchange_mode(forest, tmp_path) -> None:
    """The IADs fallback's two trustee searches (domain, then global catalog on 3268) and /exchange."""
    from .directory import Directory
    from .scenarios import base_2003

    forest._restore()
    forest.dc.start()
    try:
        built = base_2003(Directory.open(forest.dc))
        conn = forest.dc.connect(built.account_dn, PASSWORD)
        reader = DirectoryReader(conn, ACCOUNT, gc_connect=lambda: forest.dc.connect(
            built.account_dn, PASSWORD, port=3268))
        reader.read_all()
        assert reader.resolve_trustee("GG-VMES-Admins") is not None
        assert reader.resolve_trustee("Inconnu-Ailleurs") is None
        assert [op.base for op, _ in reader.issued[-2:]] == ["{defaultNC}", "GC://{rootDomainNC}"]
        version = reader.exchange_version("EXCH01")
        assert version.status == "ok" and version.records[0][0] == "server"
        assert dict(version.records[0][1])["serialNumber"] == ["Version 6.5 (Build 7638.2: Service Pack 2)"]
        # samba listens on 127.0.0.1 of its own namespace only
        listening = subprocess.run(["nsenter", f"--net=/proc/{forest.dc.pid}/ns/net", "ss", "-Hltn"],
                                   capture_output=True, text=True, check=True).stdout
        addresses = {line.split()[3].rsplit(":", 1)[0] for line in listening.splitlines() if line.strip()}
        assert addresses == {"127.0.0.1"}, listening
        assert os.readlink(f"/proc/{forest.dc.pid}/ns/net") != os.readlink("/proc/self/ns/net")
    finally:
        forest.dc.stop()
