"""The data vmes-audit ships with its code: rule packs, report templates, collector files.

They live in the repository's top-level ``rules/``, ``reports/`` and
``collector/`` folders. ``analyzer/vmes_audit/data/`` holds one symbolic link
to each, so the package data of ``pyproject.toml`` puts real copies of the
files in the wheel and the sdist (``vmes_audit/data/rules/vmes-5.5/…``) while
the repository keeps a single copy. They are found here through
``importlib.resources``, the same way in a checkout (editable install) and in
an installed wheel: never by walking up from this file to a repository that a
wheel does not have.

The analyzer needs real folders (jinja2 loads templates from one, weasyprint
resolves fonts against one), so the package must be installed as files, which
``pip`` and ``pipx`` always do; a zipped install is reported as incomplete.

Two environment variables point elsewhere, for development and tests:
``VMES_AUDIT_RULES`` (a folder of packs) and ``VMES_AUDIT_REPORTS`` (a
templates folder).
"""

from __future__ import annotations

import importlib.resources
import tomllib
import os
from pathlib import Path

from vmes_audit.base.errors import AuditError

__all__ = ["ResourceError", "data_folder", "rules_folder", "reports_folder", "collector_file",
           "artifact_catalogue", "COLLECTOR_FILES", "ARTIFACT_CATALOGUE", "ENV_RULES", "ENV_REPORTS"]

ENV_RULES = "VMES_AUDIT_RULES"
ENV_REPORTS = "VMES_AUDIT_REPORTS"
# The released collector, as the customer kit ships it (docs/collection-format.md §8).
COLLECTOR_FILES = ("collect.cmd", "collect.vbs", "collect-ems.ps1", "LISEZMOI.txt")
# The artifact catalogue the collector is built from and the analyzer reads (collector/artifacts.toml).
ARTIFACT_CATALOGUE = "artifacts.toml"


class ResourceError(AuditError):
    """A file vmes-audit ships is missing: the installation is incomplete."""


def _broken(what: str) -> ResourceError:
    return ResourceError(
        f"fichiers de vmes-audit introuvables ({what}) : l'installation est incomplète. "
        "Réinstallez vmes-audit (« pipx reinstall vmes-audit », ou « make » dans une copie du dépôt).")


def data_folder(name: str) -> Path:
    """``vmes_audit/data/<name>`` as a folder on disk (``rules``, ``reports``, ``collector``)."""
    folder = importlib.resources.files("vmes_audit").joinpath("data", name)
    if not isinstance(folder, Path):  # e.g. imported from a zip: no folder to give jinja2 or weasyprint
        raise _broken(f"vmes_audit/data/{name} n'est pas un dossier")
    if not folder.is_dir():
        raise _broken(f"dossier vmes_audit/data/{name} absent")
    return folder.resolve()  # in a checkout, the top-level folder the link points to


def rules_folder() -> Path:
    """The folder that holds the installed rule packs (one sub-folder per pack)."""
    override = os.environ.get(ENV_RULES)
    return Path(override) if override else data_folder("rules")


def reports_folder() -> Path:
    """The folder of the report templates, CSS and fonts."""
    override = os.environ.get(ENV_REPORTS)
    if override:
        return Path(override).resolve()
    folder = data_folder("reports")
    if not (folder / "report.html.j2").is_file():
        raise _broken("reports/report.html.j2")
    return folder


def collector_file(name: str) -> bytes:
    """The bytes of one released collector file (``collect.vbs``, ``LISEZMOI.txt``…)."""
    if name not in COLLECTOR_FILES:
        raise ValueError(f"not a released collector file: {name!r}")
    path = data_folder("collector") / name
    if not path.is_file():
        raise _broken(f"collector/{name}")
    return path.read_bytes()


def artifact_catalogue() -> dict[str, dict]:
    """``collector/artifacts.toml``: artifact name -> its declaration (docs/collection-format.md §4)."""
    path = data_folder("collector") / ARTIFACT_CATALOGUE
    if not path.is_file():
        raise _broken(f"collector/{ARTIFACT_CATALOGUE}")
    with path.open("rb") as handle:
        return tomllib.load(handle)
