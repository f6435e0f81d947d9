"""Rule packs by id or folder, ``rules packs``, the pack named in the outputs, collection format support."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from vmes_audit.cli.main import app
from vmes_audit.engine.pack import PackNotFound, installed_packs, resolve_pack
from vmes_audit.base.resources import ENV_RULES

runner = CliRunner()


def _pack_copy(root: Path, target: Path, **changes) -> Path:
    folder = target / "vmes-5.5-preparation"
    shutil.copytree(root / "rules" / "vmes-5.5", folder)
    meta = yaml.safe_load((folder / "pack.yaml").read_text(encoding="utf-8"))
    meta.update(changes)
    (folder / "pack.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    return folder


def test_the_installed_pack_is_found_through_the_package(root: Path) -> None:
    (info,) = installed_packs()
    assert (info.id, info.vmes_release, info.version) == ("vmes-5.5", "5.5", "1.0.0")
    assert info.path.resolve() == (root / "rules" / "vmes-5.5").resolve()
    assert resolve_pack("vmes-5.5") == info.path and resolve_pack(None) == info.path


def test_a_folder_or_an_id(tmp_path: Path, root: Path, monkeypatch) -> None:
    folder = _pack_copy(root, tmp_path)
    assert resolve_pack(str(folder)) == folder
    monkeypatch.chdir(tmp_path)
    assert resolve_pack("vmes-5.5-preparation") == Path("vmes-5.5-preparation")  # a folder, not an id
    assert resolve_pack("./vmes-5.5-preparation") == Path("vmes-5.5-preparation")
    with pytest.raises(PackNotFound) as err:
        resolve_pack("vmes-6.0")
    assert "pack de règles « vmes-6.0 » introuvable" in str(err.value) and "installés : vmes-5.5" in str(err.value)


def test_the_default_pack_is_the_newest_vmes_release(tmp_path: Path, root: Path, monkeypatch) -> None:
    _pack_copy(root, tmp_path, id="vmes-5.6", vmes_release="5.6")
    shutil.copytree(root / "rules" / "vmes-5.5", tmp_path / "vmes-5.5")
    monkeypatch.setenv(ENV_RULES, str(tmp_path))
    assert [p.id for p in installed_packs()] == ["vmes-5.5", "vmes-5.6"]
    assert resolve_pack(None).name == "vmes-5.5-preparation"  # the folder holding vmes-5.6
    assert resolve_pack("vmes-5.5").name == "vmes-5.5"


def test_rules_packs_lists_id_release_version_date() -> None:
    result = runner.invoke(app, ["rules", "packs"])
    assert result.exit_code == 0, result.output
    assert result.output.split()[:7] == ["vmes-5.5", "VMES", "5.5", "version", "1.0.0", "du", "26/11/2026"]
    data = json.loads(runner.invoke(app, ["rules", "packs", "--format", "json"]).output)
    assert data[0]["id"] == "vmes-5.5" and data[0]["date"] == "2026-11-26" and data[0]["format_versions"] == ["1.0",
                                                                                                                "1.1"]


def test_an_invalid_installed_pack_is_listed_as_such(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "casse").mkdir()
    (tmp_path / "casse" / "pack.yaml").write_text("id: [", encoding="utf-8")
    monkeypatch.setenv(ENV_RULES, str(tmp_path))
    result = runner.invoke(app, ["rules", "packs"])
    assert "casse        invalide : pack.yaml : YAML illisible" in result.output


def test_the_report_and_the_json_name_the_pack(samples_dir: Path, tmp_path: Path, root: Path) -> None:
    folder = _pack_copy(root, tmp_path, id="vmes-5.5-essai", version="1.1.0-rc1")
    result = runner.invoke(app, ["analyze", str(samples_dir / "vmes01-2003-conforme.zip"), "-o", str(tmp_path / "o"),
                                 "--format", "json,html", "--pack", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Pack de règles : vmes-5.5-essai version 1.1.0-rc1 (VMES 5.5)" in result.output
    data = json.loads((tmp_path / "o" / "resultats.json").read_text(encoding="utf-8"))
    assert data["pack"]["id"] == "vmes-5.5-essai" and data["pack"]["version"] == "1.1.0-rc1"
    html = (tmp_path / "o" / "rapport-vmes.html").read_text(encoding="utf-8")
    assert "vmes-5.5-essai version&nbsp;1.1.0-rc1" in html or "vmes-5.5-essai version\u00a01.1.0-rc1" in html
    by_id = runner.invoke(app, ["analyze", str(samples_dir / "vmes01-2003-conforme.zip"), "-o",
                                str(tmp_path / "p"), "--format", "json", "--pack", "vmes-5.5"])
    assert by_id.exit_code == 0 and "Pack de règles : vmes-5.5 version 1.0.0" in by_id.output


def _with_format(samples_dir: Path, target: Path, version: str) -> Path:
    source = zipfile.ZipFile(samples_dir / "vmes01-2003-conforme.zip")
    manifest = json.loads(source.read("manifest.json"))
    manifest["format_version"] = version
    with zipfile.ZipFile(target, "w") as archive:
        for info in source.infolist():
            if info.filename != "manifest.json":
                archive.writestr(info.filename, source.read(info.filename))
        archive.writestr("manifest.json", json.dumps(manifest))
    return target


def test_a_format_the_pack_does_not_read_gets_a_clear_french_message(samples_dir: Path, tmp_path: Path,
                                                                      root: Path) -> None:
    folder = _pack_copy(root, tmp_path, format_versions=["1.1"])
    collection = _with_format(samples_dir, tmp_path / "VMES-VMES01-ancien.zip", "1.0")
    result = runner.invoke(app, ["analyze", str(collection), "-o", str(tmp_path / "o"), "--format", "json",
                                 "--pack", str(folder)])
    assert result.exit_code == 2, result.output
    assert ("le pack de règles vmes-5.5 1.0.0 ne lit pas les collectes au format de « VMES-VMES01-ancien.zip » "
            "(format 1.0) (formats lus : 1.1)") in result.output
    assert "vmes-audit rules packs" in result.output and not (tmp_path / "o").exists()


def test_a_newer_minor_format_is_read_with_a_warning(samples_dir: Path, tmp_path: Path) -> None:
    collection = _with_format(samples_dir, tmp_path / "VMES-VMES01-futur.zip", "1.7")
    result = runner.invoke(app, ["analyze", str(collection), "-o", str(tmp_path / "o"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "Avertissement : La collecte « VMES-VMES01-futur.zip » est au format 1.7, plus récent" in result.output
    data = json.loads((tmp_path / "o" / "resultats.json").read_text(encoding="utf-8"))
    assert any("format 1.7" in w for w in data["warnings"])
