"""The released collect.vbs is exactly the build of collector/src/*.vbs, and that build is sound.

The customer's security team reads collect.vbs; we edit the modules. A test
that the committed file equals the build (the pattern of Microsoft's
HealthChecker) keeps the two from drifting. The static checks below stand in
for running code Wine cannot run (the Active Directory part).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from . import contract, vbs_lint

REPO = Path(__file__).resolve().parents[2]
COLLECTOR = REPO / "collector"
_spec = importlib.util.spec_from_file_location("collector_build", COLLECTOR / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


def released_text() -> str:
    return (COLLECTOR / "collect.vbs").read_bytes().decode("ascii")


def test_committed_collect_vbs_equals_the_build():
    assert (COLLECTOR / "collect.vbs").read_bytes() == build.build_bytes(), \
        "collect.vbs differs from collector/src: run python3 collector/build.py"


def test_release_is_ascii_crlf_with_a_generated_header():
    data = (COLLECTOR / "collect.vbs").read_bytes()
    data.decode("ascii")
    assert b"\n" not in data.replace(b"\r\n", b"")
    head = data.decode("ascii").split("\r\n")[:6]
    version = re.search(r'Const COLLECTOR_VERSION = "([0-9.]+)"', data.decode("ascii")).group(1)
    assert version == "1.1.0"
    assert any(f"vmes-audit-collector {version} (format de collecte 1.1)" in line for line in head)
    assert any("FICHIER GENERE par collector/build.py" in line for line in head)
    # every module is announced, in the build's order
    announced = re.findall(r"module : src/(\w+\.vbs)", data.decode("ascii"))
    assert tuple(announced) == build.MODULES


def test_every_module_is_in_the_build():
    assert sorted(build.MODULES) == sorted(p.name for p in (COLLECTOR / "src").glob("*.vbs"))


@pytest.mark.parametrize("module,text,message", [
    ("x.vbs", "Sub A()\nEnd Sub\nA\n", "outside a procedure"),
    ("x.vbs", "Dim T(3)\n", "fixed-size array"),
    ("main.vbs", "A\nDim T(3)\n", None),  # main.vbs holds the entry point and may size arrays
])
def test_module_level_statements_outside_main_are_refused(module, text, message):
    if message is None:
        build._check_top_level(module, text)
        return
    with pytest.raises(build.BuildError, match=message):
        build._check_top_level(module, text)


def test_non_ascii_module_is_refused(tmp_path, monkeypatch):
    (tmp_path / "x.vbs").write_bytes("' pr\u00e9requis\n".encode("utf-8"))
    monkeypatch.setattr(build, "SRC", tmp_path)
    with pytest.raises(build.BuildError, match="x.vbs:1: non-ASCII"):
        build._module_text("x.vbs")


def test_check_mode_detects_a_stale_release(tmp_path, monkeypatch):
    stale = tmp_path / "collect.vbs"
    stale.write_bytes(build.build_bytes() + b"' edited by hand\r\n")
    monkeypatch.setattr(build, "OUTPUT", stale)
    assert build.main(["--check"]) == 1
    stale.write_bytes(build.build_bytes())
    assert build.main(["--check"]) == 0


# --- static checks of the released script ------------------------------------------------

def test_released_script_passes_the_static_check():
    problems = vbs_lint.check(released_text())
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("snippet,expected", [
    ("Sub A()\n  x = 1\nEnd Sub\n", "« x » n'est ni déclaré"),
    ("Sub A(v)\nEnd Sub\nSub B()\n  A 1, 2\nEnd Sub\n", "A attend 1 argument(s), appelé avec 2"),
    ("Function F(a, b)\nEnd Function\nSub B()\n  Dim y\n  y = F(1)\nEnd Sub\n", "F attend 2 argument(s)"),
    ("Sub A()\n  Dim K, k\nEnd Sub\n", "« k » déclaré deux fois"),
    ("Dim g\nDim G\n", "déclaré deux fois au niveau du module"),
])
def test_the_static_check_can_fail(snippet, expected):
    problems = vbs_lint.check(snippet)
    assert any(expected in str(p) for p in problems), problems


def test_a_local_hides_a_procedure_of_the_same_name():
    assert vbs_lint.check("Function ErrText(a, b)\nEnd Function\nSub A(errText)\n  errText = \"\"\nEnd Sub\n") == []


def test_no_byte_string_functions_nor_eval():
    """Binaries are converted by MSXML, never read with AscB/MidB (absent under Wine 8, and the
    interpretation belongs to the analyzer); no code is built at run time."""
    code = "\n".join(line for _, line in vbs_lint.logical_lines(released_text()))
    found = sorted(set(re.findall(r"(?<![.\w])(AscB|MidB|LenB|ChrB|InStrB|LeftB|RightB|Eval|Execute|ExecuteGlobal)\b",
                                  code, re.I)))
    assert not found, found


# --- the LDAP catalogue is the contract's table ---------------------------------------------

def test_ldap_catalogue_equals_the_contract_table():
    catalogue = [contract.render(r) for r in contract.catalogue_rows(released_text())]
    documented = [contract.render(r) for r in contract.doc_rows()]
    assert catalogue == documented


def test_contract_table_is_parsed_as_expected():
    rows = contract.doc_rows()
    assert ("ad_exchange_stores", "LDAP", "{exchangeBase}", "subtree",
            "(|(objectClass=msExchInformationStore)(objectClass=msExchStorageGroup)(objectClass=msExchPrivateMDB))",
            "distinguishedName,name,objectClass") in rows
    assert sum(1 for r in rows if r[:2] == ("ad_acl", "SD")) == 9  # domain head, AdminSDHolder, Microsoft Exchange container, organisation, admin group, Servers, server, store, container
    assert contract.doc_ldap_lines("exchange")[0].startswith("      LDAP | ad_rootdse | RootDSE | base |")


def test_sha256_limit_is_the_documented_one():
    src = (COLLECTOR / "src" / "hash.vbs").read_text(encoding="ascii")
    limit = int(re.search(r"^Const SHA256_MAX_BYTES = (\d+)", src, re.M).group(1))
    doc = contract.DOC.read_text(encoding="utf-8")
    assert f"larger than {limit:,} bytes" in doc, "§2 must state the SHA-256 size limit"
