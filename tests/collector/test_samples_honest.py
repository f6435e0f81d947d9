"""The samples stay honest: every artifact in samples/ is one the collectors write, for
that mode, with the file extension and the encoding the collector uses. No Wine needed."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from .test_format_contract import ems_artifacts, vbs_artifacts

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "samples").glob("*.zip"))
# How collect.vbs writes each kind of step (Decl proc) -> the encodings it records.
_RECORD_ENCODING = {"utf-16le"}


def _cmd_encoding(encoding: str) -> bool:
    return encoding.startswith("cp")  # cmd.exe output: the OEM code page, as recorded


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_sample_artifacts_are_written_by_a_collector(sample: Path) -> None:
    with zipfile.ZipFile(sample) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
    mode = manifest["mode"]
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
