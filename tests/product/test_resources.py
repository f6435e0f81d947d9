"""The shipped data (rules, report templates, collector) is found through importlib.resources and all packaged."""

from __future__ import annotations

import importlib.resources
import tomllib
from pathlib import Path

import pytest

from vmes_audit.base import resources
from vmes_audit.base.resources import ARTIFACT_CATALOGUE, COLLECTOR_FILES, ResourceError, collector_file, reports_folder, rules_folder

PACKAGE = Path(importlib.resources.files("vmes_audit"))


def test_the_data_folders_are_links_to_the_top_level_folders(root: Path) -> None:
    for name in ("rules", "reports", "collector"):
        link = root / "analyzer" / "vmes_audit" / "data" / name
        assert link.is_symlink(), f"{link} must stay a link: the repository keeps one copy of {name}/"
        assert link.resolve() == (root / name).resolve()


def test_the_resources_are_the_repository_folders_in_a_checkout(root: Path, monkeypatch) -> None:
    monkeypatch.delenv(resources.ENV_RULES, raising=False)
    monkeypatch.delenv(resources.ENV_REPORTS, raising=False)
    assert rules_folder() == (root / "rules").resolve()
    assert reports_folder() == (root / "reports").resolve()
    for name in COLLECTOR_FILES:
        assert collector_file(name) == (root / "collector" / name).read_bytes()
    with pytest.raises(ValueError):
        collector_file("../pyproject.toml")


def _packaged(root: Path) -> set[str]:
    """The files the pyproject package-data patterns put in the wheel, relative to the package."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["vmes_audit"]
    return {str(p.relative_to(PACKAGE)) for pattern in patterns for p in PACKAGE.glob(pattern) if p.is_file()}


def test_every_shipped_file_is_in_the_package_data(root: Path) -> None:
    """A file added to rules/ or reports/ that no pattern takes would be missing from the wheel only."""
    expected = {f"data/{p.relative_to(root)}" for folder in ("rules", "reports")
                for p in (root / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    collector = {f"data/collector/{name}" for name in (*COLLECTOR_FILES, ARTIFACT_CATALOGUE)}
    expected |= collector
    packaged = _packaged(root)
    assert expected - packaged == set(), "add a package-data pattern in pyproject.toml"
    # the released files and the artifact catalogue the analyzer reads; never collector/src
    assert {p for p in packaged if p.startswith("data/collector/")} == collector


def test_a_missing_data_folder_is_a_french_installation_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(resources.ENV_REPORTS, raising=False)
    monkeypatch.setattr(resources.importlib.resources, "files", lambda package: tmp_path)
    with pytest.raises(ResourceError) as err:
        reports_folder()
    assert "l'installation est incomplète" in str(err.value) and "pipx reinstall vmes-audit" in str(err.value)


def test_environment_overrides(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(resources.ENV_RULES, str(tmp_path))
    monkeypatch.setenv(resources.ENV_REPORTS, str(tmp_path))
    assert rules_folder() == tmp_path and reports_folder() == tmp_path.resolve()
