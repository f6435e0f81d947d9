"""What the double models, each against the DC's own answer (one scenario, its DC running):

- range retrieval: with the double's page at 2 values, the Pre-Windows 2000 Compatible Access
  members the collector writes are every member the DC holds (the ADO column alone is empty);
- ``SdSource=hexstring`` on Windows Server 2003 is ADSI's re-encoding: other bytes than the DC's,
  the same owner, group, control and ACEs;
- ADO's SD flags per OS: on Windows 2000 the ADO way gives no descriptor (``iads`` is written); a
  probe answers file saying Windows 2000's ADO returns owner + group + DACL makes it ``ado``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.samba.descriptors import SecurityDescriptor
from tests.samba.directory import Directory
from tests.samba.harness import SD_FLAGS_CONTROL
from tests.samba.scenarios import BY_NAME, PASSWORD

from vmes_audit.parsers.records import parse_records

from .double.probe import Assumptions, load_probe_files
from .runner import run_collector
from .test_probe_reader import PROBE_2000, _write

pytestmark = [pytest.mark.wine, pytest.mark.samba, pytest.mark.slow]

_DONE: dict = {}


def _records(run, name: str):
    entry = next(a for a in run.manifest["artifacts"] if a["name"] == name)
    assert entry["status"] == "ok", f"{name}: {entry}\n{run.stdout[-2000:]}"
    return parse_records((run.folder / entry["file"]).read_bytes().decode("utf-16"))


@pytest.fixture(scope="module")
def behaviours(forest, wine, test_build, tmp_path_factory):
    work = tmp_path_factory.mktemp("double-behaviours")

    def during(dc, built):
        d = Directory.open(dc)
        group = f"CN=Pre-Windows 2000 Compatible Access,CN=Builtin,{dc.domain_dn}"
        for member in [built.account_dn] + [f"CN={n},OU=Utilisateurs,OU=Exemple,{dc.domain_dn}"
                                             for n in ("Jean Dupont", "Marie Martin", "Paul Durand")]:
            d.add_member(group, member)
        members = [v.decode() for v in d.get(group, ["member"])["member"]]
        raw = {}
        for dn in (dc.domain_dn, f"CN=AdminSDHolder,CN=System,{dc.domain_dn}"):
            d.conn.search(dn, "(objectClass=*)", "BASE", attributes=["nTSecurityDescriptor"],
                          controls=[SD_FLAGS_CONTROL])
            raw[dn] = d.conn.response[0]["raw_attributes"]["nTSecurityDescriptor"][0]
        d.conn.unbind()
        common = dict(script=test_build.script, lines=test_build.lines)
        runs = {
            "ranges": run_collector(wine, dc, built.account_dn, PASSWORD, mode="2003", only="ad_domain",
                                    range_page=2, out_dir=work / "ranges", **common),
            "acl2003": run_collector(wine, dc, built.account_dn, PASSWORD, mode="2003", only="ad_acl",
                                     out_dir=work / "acl2003", assumptions=Assumptions(), **common),
            "acl2000": run_collector(wine, dc, built.account_dn, PASSWORD, mode="2000", only="ad_acl",
                                     out_dir=work / "acl2000", assumptions=Assumptions(), **common),
            "acl2000probe": run_collector(
                wine, dc, built.account_dn, PASSWORD, mode="2000", only="ad_acl", out_dir=work / "acl2000probe",
                assumptions=Assumptions(load_probe_files(_write(work / "probe-w2k.txt", PROBE_2000))), **common),
        }
        return members, raw, runs

    collected = forest.collect(BY_NAME["ex2003-conforme"], work / "reader", during=during)
    members, raw, runs = collected.during
    for run in runs.values():
        if (run.out_dir / "coverage.txt").is_file():
            test_build.add(run.counts)
    return members, raw, runs


def test_range_retrieval_reads_every_member(behaviours) -> None:
    members, _, runs = behaviours
    assert len(members) >= 5, members           # more than two pages of two values
    group = next(r for r in _records(runs["ranges"], "ad_domain") if r.kind == "builtingroup")
    assert sorted(group.get("member")) == sorted(members)


def test_hexstring_is_adsi_reencoding(behaviours) -> None:
    _, raw, runs = behaviours
    sds = {r.get("ObjectDN"): r for r in _records(runs["acl2003"], "ad_acl") if r.kind == "sd"}
    for dn, dc_bytes in raw.items():
        rec = sds[dn]
        assert rec.get("SdSource") == "hexstring"
        written = bytes.fromhex(rec.get("Sd"))
        assert written != dc_bytes, "the double should model ADSI's re-encoding, not the DC's bytes"
        ours, theirs = SecurityDescriptor.from_bytes(written), SecurityDescriptor.from_bytes(dc_bytes)
        assert (ours.owner, ours.group, ours.dacl) == (theirs.owner, theirs.group, theirs.dacl)
        assert ours.control & ~0x0010 == theirs.control & ~0x0010


def test_ado_sd_flags_per_os_and_probe(behaviours) -> None:
    _, raw, runs = behaviours
    sources = {name: {r.get("SdSource") for r in _records(runs[name], "ad_acl") if r.kind == "sd"}
               for name in ("acl2000", "acl2000probe")}
    # Windows 2000 by default: ADO sends no SD flags -> no descriptor -> the IADs walk
    assert sources["acl2000"] == {"iads"}, sources
    # the probe says Windows 2000's ADO returned owner + group + DACL: the double follows it
    assert sources["acl2000probe"] == {"ado"}, sources
    sds = {r.get("ObjectDN"): r for r in _records(runs["acl2000probe"], "ad_acl") if r.kind == "sd"}
    for dn, dc_bytes in raw.items():
        assert bytes.fromhex(sds[dn].get("Sd")) == dc_bytes      # ADO: the DC's raw bytes
