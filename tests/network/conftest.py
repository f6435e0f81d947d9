"""Helpers for the network tests: write record files as the collector does and build facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.network.records import ADAPTER, write_records
from vmes_audit.collection import load_inputs
from vmes_audit.facts.build import build_facts
from vmes_audit.facts.model import Facts


@pytest.fixture
def loose(tmp_path: Path):
    """Build facts from a loose folder named VMES01 holding the given record files."""

    def make(files: dict[str, str], adapters: bool = True) -> tuple[Path, Facts]:
        folder = tmp_path / "VMES01"
        folder.mkdir(exist_ok=True)
        if adapters:
            write_records(folder, "wmi_networkadapterconfig", ADAPTER)
        for name, text in files.items():
            write_records(folder, name, text)
        return folder, build_facts(load_inputs([folder]))

    return make
