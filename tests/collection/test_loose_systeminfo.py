"""``facts --table host`` on a folder holding only a systeminfo capture, in every Windows encoding."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vmes_audit.collection import load_inputs
from vmes_audit.facts.build import build_facts

CAPTURES = Path(__file__).resolve().parents[1] / "data" / "captures"


@pytest.mark.parametrize("capture,expected", [
    ("systeminfo_en_2003sp1.txt", {"os_version": "5.2.3790", "os_build": 3790, "service_pack": 1,
                                     "architecture": "x86", "domain_role": "member_server"}),
    ("systeminfo_fr_cp850.txt", {"os_version": "5.2.3790", "service_pack": 2, "domain_role": "member_server",
                                 "total_memory_mb": 4095, "processor_mhz": 2992, "system_locale": "fr"}),
    ("systeminfo_fr_utf16.txt", {"os_version": "5.2.3790", "service_pack": 2, "domain_role": "member_server",
                                 "total_memory_mb": 4095, "processor_mhz": 2992, "system_locale": "fr"}),
])
def test_host_table_from_loose_systeminfo(tmp_path: Path, capture: str, expected: dict) -> None:
    source = CAPTURES / capture
    if not source.exists():
        pytest.fail(f"capture {capture} missing from tests/data/captures")
    shutil.copy(source, tmp_path / "systeminfo.txt")
    facts = build_facts(load_inputs([tmp_path]))
    host = facts.table("host").to_dict("records")
    assert len(host) == 1
    row = host[0]
    for column in ("hostname", "os_caption", "os_version", "os_build", "service_pack", "architecture",
                   "domain_role", "domain", "manufacturer", "model", "is_virtual", "total_memory_mb",
                   "processor_mhz", "logical_processors", "system_locale"):
        assert column in row
    assert row["hostname"] and row["os_version"] and isinstance(row["os_build"], int)
    assert isinstance(row["total_memory_mb"], int) and row["total_memory_mb"] > 0
    for column, value in expected.items():
        assert row[column] == value, column
    assert row["provenance"]["os_version"] == "systeminfo"
