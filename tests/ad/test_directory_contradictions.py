"""Contradictory or broken directory evidence never improves the verdict (issue 14, directory part).

Each test copies a sample's readable sources, breaks one thing the way a careless script or an odd
directory would, rebuilds the zip exactly as the collector writes it (``samples/build_samples.py``),
and compares with the intact sample.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from vmes_audit.assessment.run import run_assessment

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "samples"))
from build_samples import build_one  # noqa: E402

RANK = {"pret": 0, "pret_sous_reserve": 1, "non_pret": 2}


def _mutated(tmp_path: Path, sample: str, artifact_file: str, change) -> Path:
    folder = tmp_path / sample
    shutil.copytree(REPO / "samples" / "src" / sample, folder)
    path = folder / artifact_file
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    name, data = build_one(folder)
    out = tmp_path / name
    out.write_bytes(data)
    return out


def _states(result, catalogue: str) -> list[str]:
    return sorted(f.state.value for f in result.report.findings if f.catalogue == catalogue)


def test_same_server_twice_with_different_versions_is_not_evaluated(tmp_path: Path) -> None:
    # The directory lists EXCH01 a second time (a leftover object) as Exchange 5.5 SP4.
    def add_duplicate(text: str) -> str:
        return text + ("\n[server]\ndistinguishedName=CN=EXCH01,CN=Servers,CN=Site,CN=Administrative Groups,"
                       "CN=Exemple Assurances,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,"
                       "DC=exemple,DC=fr\nname=EXCH01\nserialNumber[]=Version 5.5 (Build 2653: Service Pack 4)\n")
    broken = run_assessment([_mutated(tmp_path, "vmes01-2003-conforme", "ad_exchange_servers.txt", add_duplicate)])
    intact = run_assessment([REPO / "samples" / "vmes01-2003-conforme.zip"])
    assert _states(intact, "B1") == ["pass"]
    b1 = [f for f in broken.report.findings if f.catalogue == "B1"]
    assert [f.state.value for f in b1] == ["unknown"], [f.message for f in b1]
    assert "contradictoire" in b1[0].message and "5.5" in b1[0].message
    assert any("figure deux fois" in w for w in broken.report.warnings)
    assert RANK[broken.report.verdict.value] >= RANK[intact.report.verdict.value]


def test_identical_duplicate_server_is_merged(tmp_path: Path) -> None:
    def add_same(text: str) -> str:
        body = text.split("[server]", 1)[1]
        return text + "\n[server]" + body
    result = run_assessment([_mutated(tmp_path, "vmes01-2003-conforme", "ad_exchange_servers.txt", add_same)])
    assert _states(result, "B1") == ["pass"]


def test_malformed_sid_in_the_token_makes_only_token_checks_unknown(tmp_path: Path) -> None:
    def break_sid(text: str) -> str:
        # the first group SID (hex of the binary, format 1.1) loses bytes: not a SID any more
        return re.sub(r"^Sid=([0-9a-f]{16})[0-9a-f]+$", r"Sid=\1", text, count=1, flags=re.M)
    broken = run_assessment([_mutated(tmp_path, "vmes01-2003-conforme", "ad_service_account_groups.txt", break_sid)])
    states = {f.catalogue: f.state.value for f in broken.report.findings}
    assert states["F3"] == "unknown" and states["F2"] == "unknown"
    assert states["B1"] == "pass" and states["A1"] == "pass"  # the rest of the directory is still evaluated
    assert broken.report.verdict.value == "non_pret"


def test_broken_descriptor_of_one_server_leaves_the_others(tmp_path: Path) -> None:
    def break_server(text: str) -> str:
        head, sep, rest = text.partition("ObjectDN=CN=EXCH01,")
        # EXCH01's binary descriptor is cut short (a truncated capture)
        return head + sep + re.sub(r"^Sd=([0-9a-f]{60})[0-9a-f]+$", r"Sd=\1", rest, count=1, flags=re.M)
    broken = run_assessment([_mutated(tmp_path, "vmes01-2003-conforme", "ad_acl.txt", break_server)])
    f9 = [f for f in broken.report.findings if f.catalogue == "F9"]
    assert [f.state.value for f in f9] == ["unknown"], [f.message for f in f9]
    assert "illisible" in f9[0].message and "EXCH01" in f9[0].message
    states = {f.catalogue: f.state.value for f in broken.report.findings}
    assert states["F10"] in ("pass", "manual")  # the domain head and containers are unaffected


@pytest.mark.parametrize("empty_all", [True, False])
def test_rootdse_with_no_value_is_an_error(tmp_path: Path, empty_all: bool) -> None:
    def empty(text: str) -> str:
        lines = text.splitlines()
        out = [ln if "=" not in ln or (not empty_all and ln.startswith("defaultNamingContext")) else
               ln.split("=", 1)[0] + "!" for ln in lines]
        return "\n".join(out) + "\n"
    result = run_assessment([_mutated(tmp_path, "vmes01-2003-conforme", "ad_rootdse.txt", empty)])
    status = {a.name: a for a in result.report.artifacts}
    if empty_all:
        assert status["ad_rootdse"].status == "unreadable" and "RootDSE" in status["ad_rootdse"].error
    else:
        assert status["ad_rootdse"].status == "ok"


def test_a_server_version_with_thousands_of_digits_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    def huge(text: str) -> str:
        return re.sub(r"^serialNumber\[\]=.*$", "serialNumber[]=Version 6.5 (Build " + "9" * 5000 + ")", text,
                      count=1, flags=re.M)
    result = run_assessment([_mutated(tmp_path, "vmes01-2003-conforme", "ad_exchange_servers.txt", huge)])
    b1 = [f for f in result.report.findings if f.catalogue == "B1"]
    assert [f.state.value for f in b1] == ["unknown"], [f.message for f in b1]
    assert any("version illisible" in w for w in result.report.warnings)


def test_a_server_whose_dn_has_one_rdn_is_kept(tmp_path: Path) -> None:
    def one_rdn(text: str) -> str:
        return re.sub(r"^distinguishedName=CN=EXCH01,.*$", "distinguishedName=CN=EXCH01", text, count=1, flags=re.M)
    result = run_assessment([_mutated(tmp_path, "vmes01-2003-conforme", "ad_exchange_servers.txt", one_rdn)])
    assert _states(result, "B1") == ["pass"]
