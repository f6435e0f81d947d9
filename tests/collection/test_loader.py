"""Hostile and broken inputs: a clear French error, or the artifact marked unreadable; never a crash."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from vmes_audit.collection import load_inputs
from vmes_audit.collection import loader
from vmes_audit.base.errors import InputError
from vmes_audit.facts.build import build_facts


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def _manifest(**changes) -> bytes:
    data = {"format_version": "1.0", "collector": {"name": "vmes-audit-collector", "version": "1.0.0"},
            "mode": "vmes", "host": {"name": "VMES09"}, "started": "2026-11-20T14:02:11+01:00",
            "ended": "2026-11-20T14:03:02+01:00", "run_as": {"name": "CORP\\VistoAdmin", "sid": ""},
            "artifacts": [{"name": "wmi_registry", "file": "wmi_registry.txt", "status": "ok",
                           "encoding": "utf-16le"}]}
    data.update(changes)
    return json.dumps(data).encode("ascii")


RECORDS = "#VMES-RECORDS 1\r\n[Win32_Registry]\r\nCurrentSize=21\r\nMaximumSize=88\r\n".encode("utf-16")


def test_not_a_zip(tmp_path: Path) -> None:
    bad = tmp_path / "collecte.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(InputError, match="n'est pas une archive zip"):
        load_inputs([bad])


def test_missing_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="n'existe pas"):
        load_inputs([tmp_path / "absent.zip"])


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="ne contient aucune collecte"):
        load_inputs([tmp_path])


def test_folder_of_unknown_files(tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(InputError, match="aucun fichier reconnu"):
        load_inputs([tmp_path])


def test_path_traversal_entry_is_refused_not_extracted(tmp_path: Path) -> None:
    path = _zip(tmp_path / "c.zip", {"manifest.json": _manifest(), "wmi_registry.txt": RECORDS,
                                     "../../etc/evil.txt": b"x", "sub/dir.txt": b"y"})
    assessment = load_inputs([path])
    coll = assessment.collections[0]
    assert coll.artifacts["wmi_registry"].usable
    assert not (tmp_path.parent.parent / "etc" / "evil.txt").exists()
    refused = [w for w in assessment.warnings if "refusée" in w]
    assert len(refused) == 2, assessment.warnings
    assert any("../../etc/evil.txt" in w for w in refused)


def test_sha_mismatch_marks_artifact_unreadable(tmp_path: Path) -> None:
    manifest = json.loads(_manifest())
    manifest["artifacts"][0]["sha256"] = "0" * 64
    path = _zip(tmp_path / "c.zip", {"manifest.json": json.dumps(manifest).encode(), "wmi_registry.txt": RECORDS})
    art = load_inputs([path]).collections[0].artifacts["wmi_registry"]
    assert art.status == "unreadable"
    assert "SHA-256" in art.error


def test_declared_file_missing_from_zip(tmp_path: Path) -> None:
    path = _zip(tmp_path / "c.zip", {"manifest.json": _manifest()})
    art = load_inputs([path]).collections[0].artifacts["wmi_registry"]
    assert art.status == "unreadable" and "absent de l'archive" in art.error


def test_corrupt_entry_crc(tmp_path: Path) -> None:
    path = _zip(tmp_path / "c.zip", {"manifest.json": _manifest(), "wmi_registry.txt": RECORDS})
    data = bytearray(path.read_bytes())
    offset = data.find(RECORDS[:8])
    data[offset + 20] ^= 0xFF  # flip a byte inside the stored entry: CRC no longer matches
    path.write_bytes(bytes(data))
    art = load_inputs([path]).collections[0].artifacts["wmi_registry"]
    assert art.status == "unreadable"


def test_oversized_entry(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(loader.LIMITS, "entry_bytes", 10)
    path = _zip(tmp_path / "c.zip", {"manifest.json": b"{}", "wmi_registry.txt": RECORDS})
    coll = load_inputs([path]).collections[0]
    assert "wmi_registry" not in coll.artifacts or not coll.artifacts["wmi_registry"].usable


def test_zip_bomb_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", _manifest())
        archive.writestr("wmi_registry.txt", b"\x00" * 5_000_000)
    art = load_inputs([path]).collections[0].artifacts["wmi_registry"]
    assert art.status == "unreadable" and "compression" in art.error


def test_invalid_manifest_falls_back_to_file_names(tmp_path: Path) -> None:
    path = _zip(tmp_path / "c.zip", {"manifest.json": b"{not json", "wmi_registry.txt": RECORDS})
    assessment = load_inputs([path])
    coll = assessment.collections[0]
    assert coll.mode == "loose" and coll.artifacts["wmi_registry"].usable
    assert "manifeste illisible" in coll.manifest_error


def test_unsupported_major_version(tmp_path: Path) -> None:
    path = _zip(tmp_path / "c.zip", {"manifest.json": _manifest(format_version="2.0"), "wmi_registry.txt": RECORDS})
    coll = load_inputs([path]).collections[0]
    assert "non prise en charge" in coll.manifest_error


def test_hostile_markup_in_manifest_is_kept_as_text(tmp_path: Path) -> None:
    path = _zip(tmp_path / "c.zip", {"manifest.json": _manifest(host={"name": "<script>alert(1)</script>"}),
                                     "wmi_registry.txt": RECORDS})
    coll = load_inputs([path]).collections[0]
    assert coll.host == "<SCRIPT>ALERT(1)</SCRIPT>"


def test_unparseable_artifact_becomes_unreadable_not_a_crash(tmp_path: Path) -> None:
    path = _zip(tmp_path / "c.zip", {"manifest.json": _manifest(), "wmi_registry.txt": b"garbage\r\n"})
    facts = build_facts(load_inputs([path]))
    art = facts.artifact("VMES09", "wmi_registry")
    assert art.status == "unreadable" and "illisible" in art.error


def test_folder_of_collections_is_one_assessment(tmp_path: Path, samples_dir: Path) -> None:
    import shutil

    for name in ("vmes01-2003-conforme.zip", "srvdc01-2000-non-conforme.zip"):
        shutil.copy(samples_dir / name, tmp_path / name)
    assessment = load_inputs([tmp_path])
    assert sorted(c.host for c in assessment.collections) == ["SRVDC01", "VMES01"]
    assert len(assessment.inputs) == 2


def test_same_host_twice_keeps_the_latest(tmp_path: Path) -> None:
    older = _zip(tmp_path / "a.zip", {"manifest.json": _manifest(ended="2026-11-20T14:03:02+01:00"),
                                      "wmi_registry.txt": RECORDS})
    newer = _zip(tmp_path / "b.zip", {"manifest.json": _manifest(ended="2026-11-22T10:00:00+01:00"),
                                      "wmi_registry.txt": RECORDS})
    assessment = load_inputs([older, newer])
    assert [c.origin for c in assessment.collections] == ["b.zip"]
    assert any("la plus récente" in w for w in assessment.warnings)
