"""samples/regenerate_ad.py: a sample's AD artifacts regenerated from a scenario (into a temporary folder)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.samba


def _script():
    spec = importlib.util.spec_from_file_location("regenerate_ad", ROOT / "samples" / "regenerate_ad.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_regenerates_vmes01_from_the_compliant_scenario(forest, tmp_path) -> None:
    from .collection import _load_build_samples
    from vmes_audit.collection import load_inputs

    sample = "vmes01-2003-conforme"
    target = _script().regenerate(forest, "ex2003-conforme", sample, tmp_path)
    original = ROOT / "samples" / "src" / sample
    spec = yaml.safe_load((target / "collection.yaml").read_text(encoding="utf-8"))
    assert spec["manifest"]["format_version"] == "1.1" and spec["output"] == f"{sample}.zip"
    header = (target / "collection.yaml").read_text(encoding="utf-8").split("output:")[0]
    assert '"ex2003-conforme"' in header                                    # the regeneration note
    assert "A compliant VMES machine" in header                            # the sample's own description kept
    ad = sorted(p.name for p in target.glob("ad_*.txt"))
    assert "ad_exchange_stores.txt" in ad and "ad_mail_users_protected.txt" in ad
    for name in ad:
        text = (target / name).read_bytes()
        assert b"\r\n" not in text and text.startswith(b"#VMES-RECORDS 1\n"), name
    # machine artifacts that name no directory object are the sample's own
    for name in ("systeminfo.txt", "wmi_os.txt", "reg_exchange_setup.reg", "file_versions.txt"):
        assert (target / name).read_bytes() == (original / name).read_bytes(), name
    zip_name, data = _load_build_samples().build_one(target)
    (tmp_path / zip_name).write_bytes(data)
    coll = load_inputs([tmp_path / zip_name]).collections[0]
    assert coll.manifest.format_version == "1.1"
    assert all(coll.artifacts[p[:-4]].usable for p in ad)
