"""Exchange version strings → product, SP, label (domain-facts §2.1, §2.2)."""

from __future__ import annotations

import pytest

from vmes_audit.base.errors import ParseError
from vmes_audit.windows.exchange_versions import parse_dotted_build, parse_exchange_version, parse_serial_numbers


@pytest.mark.parametrize("text, product, sp, label", [
    # AD serialNumber / EMS AdminDisplayVersion, as captured
    ("Version 6.5 (Build 7638.2: Service Pack 2)", "Exchange 2003", 2, "Exchange 2003 SP2"),
    ("Version 6.5 (Build 7638: Service Pack 2)", "Exchange 2003", 2, "Exchange 2003 SP2"),   # ExBPA form
    ("Version 6.5 (Build 7226.6: Service Pack 1)", "Exchange 2003", 1, "Exchange 2003 SP1"),
    ("Version 6.5 (Build 6944.4)", "Exchange 2003", 0, "Exchange 2003 RTM"),
    ("Version 6.0 (Build 6249.4: Service Pack 3)", "Exchange 2000", 3, "Exchange 2000 SP3"),
    ("Version 6.0 (Build 5762.4: Service Pack 2)", "Exchange 2000", 2, "Exchange 2000 SP2"),
    ("Version 6.0 (Build 4417.5)", "Exchange 2000", 0, "Exchange 2000 RTM"),
    ("Version 8.0 (Build 685.24)", "Exchange 2007", 0, "Exchange 2007 RTM"),
    ("Version 8.1 (Build 240.6)", "Exchange 2007", 1, "Exchange 2007 SP1"),     # no SP suffix on 2007
    ("Version 8.1 (Build 30240.6)", "Exchange 2007", 1, "Exchange 2007 SP1"),   # AD serialNumber: build + 30000
    ("Version 8.3 (Build 30083.6)", "Exchange 2007", 3, "Exchange 2007 SP3"),
    ("Version 14.3 (Build 30123.4)", "Exchange 2010", 3, "Exchange 2010 SP3"),
    ("Version 8.2 (Build 176.2)", "Exchange 2007", 2, "Exchange 2007 SP2"),
    ("Version 8.3 (Build 83.6)", "Exchange 2007", 3, "Exchange 2007 SP3"),
    ("Version 14.3 (Build 123.4)", "Exchange 2010", 3, "Exchange 2010 SP3"),
    ("  version 6.5 (build 7638.2:  service pack 2) ", "Exchange 2003", 2, "Exchange 2003 SP2"),
])
def test_version_strings(text, product, sp, label):
    v = parse_exchange_version(text)
    assert (v.product, v.sp, v.label_fr) == (product, sp, label)


def test_sp_from_build_table_without_suffix():
    # No ": Service Pack" suffix on a 2003 string: the §2.1 table decides (7226 = SP1).
    assert parse_exchange_version("Version 6.5 (Build 7226.6)").sp == 1
    # A post-SP2 hotfix build stays SP2.
    assert parse_dotted_build("6.5.7654.4").sp == 2


@pytest.mark.parametrize("build, rollup, label", [
    ("8.1.240.6", 0, "Exchange 2007 SP1"),
    ("8.1.263.1", 1, "Exchange 2007 SP1 (correctif cumulatif 1)"),
    ("8.1.436.0", 10, "Exchange 2007 SP1 (correctif cumulatif 10)"),
    ("8.0.708.3", 1, "Exchange 2007 RTM (correctif cumulatif 1)"),
    ("8.0.813.0", 7, "Exchange 2007 RTM (correctif cumulatif 7)"),
    ("8.1.300.0", 3, "Exchange 2007 SP1 (correctif cumulatif 3)"),   # between UR3 (291.2) and UR4 (311.3)
])
def test_exchange_2007_rollups(build, rollup, label):
    v = parse_dotted_build(build)
    assert (v.rollup, v.label_fr) == (rollup, label)


def test_versions_compare_by_tuple():
    sp1 = parse_exchange_version("Version 6.5 (Build 7226.6: Service Pack 1)")
    sp2 = parse_exchange_version("Version 6.5 (Build 7638.2: Service Pack 2)")
    assert sp1.version_tuple < sp2.version_tuple and sp2.dotted == "6.5.7638.2"


def test_serial_number_is_multi_valued():
    assert parse_serial_numbers(["Autre valeur", "Version 8.1 (Build 240.6)"]).label_fr == "Exchange 2007 SP1"
    with pytest.raises(ParseError, match="aucune valeur"):
        parse_serial_numbers([])


@pytest.mark.parametrize("text, message", [
    ("Version 7.0 (Build 100.1)", "inconnue"),
    ("Version 6.5 (Build 5000.1)", "antérieur à la version finale"),
    ("Version 8.4 (Build 10.1)", "service pack 4 non répertorié"),
    ("Version 8.1 (Build 200.0)", "antérieur au service pack 1"),
    ("Exchange 2003 SP2", "illisible"),
    ("", "illisible"),
])
def test_unknown_versions_raise(text, message):
    with pytest.raises(ParseError, match=message):
        parse_exchange_version(text)


@pytest.mark.parametrize("text", ["Version 8.1 (Build 30311.3)", "Version 8.1 (Build 311.3)"])
def test_no_rollup_is_derived_from_serial_number_or_admin_display_version(text):
    # Both forms keep the service pack's build whatever rollup is installed: printing
    # "correctif cumulatif 4" from them would be invented.
    v = parse_exchange_version(text)
    assert v.rollup is None and v.label_fr == "Exchange 2007 SP1" and v.build == 311
