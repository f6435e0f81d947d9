"""The installable product (issue 10): build the sdist and the wheel, install the wheel in a fresh
virtualenv outside the checkout, and run it from another folder.

``python -m build`` builds the sdist, then the wheel *from the sdist*, so both
are shown to carry the rule packs, the templates, CSS and fonts, and the
collector. The fresh virtualenv is what ``pipx install`` makes; the run
happens in a folder that is neither the checkout nor the virtualenv, with a
copy of the sample, and its JSON must equal the checkout's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SAMPLE = "vmes04-mixte.zip"
IGNORED = shutil.ignore_patterns(".venv", ".git", "out", "build", "dist", "*.egg-info", "__pycache__",
                                 ".pytest_cache", "tmp")


def _run(args: list, cwd: Path, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(root: Path, tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VMES_AUDIT_", "PYTHONPATH"))}
    source = work / "source"
    shutil.copytree(root, source, symlinks=True, ignore=IGNORED)
    _run([sys.executable, "-m", "build", "--outdir", work / "dist", source], work, env)
    (wheel,) = (work / "dist").glob("*.whl")
    (sdist,) = (work / "dist").glob("*.tar.gz")
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", venv], work, env)
    _run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel], work, env)
    elsewhere = work / "ailleurs"
    elsewhere.mkdir()
    shutil.copy(root / "samples" / SAMPLE, elsewhere / SAMPLE)
    return {"wheel": wheel, "sdist": sdist, "venv": venv, "elsewhere": elsewhere, "env": env}


def test_the_wheel_carries_the_data_and_no_link(installed) -> None:
    with zipfile.ZipFile(installed["wheel"]) as wheel:
        names = set(wheel.namelist())
        links = [i.filename for i in wheel.infolist() if (i.external_attr >> 16) & 0o170000 == 0o120000]
    for needed in ("vmes_audit/data/rules/vmes-5.5/pack.yaml", "vmes_audit/data/rules/vmes-5.5/f9-server-permissions.yaml",
                   "vmes_audit/data/reports/report.html.j2", "vmes_audit/data/reports/partials/cover.html.j2",
                   "vmes_audit/data/reports/css/report.css", "vmes_audit/data/reports/fonts/DejaVuSans.ttf",
                   "vmes_audit/data/collector/collect.vbs", "vmes_audit/data/collector/LISEZMOI.txt",
                   "vmes_audit/engine/pack.py", "vmes_audit/base/resources.py"):
        assert needed in names, needed
    assert links == []
    assert not any(n.startswith("vmes_audit/data/collector/src") for n in names)
    with tarfile.open(installed["sdist"]) as sdist:
        members = sdist.getmembers()
    assert not [m.name for m in members if m.issym()]
    assert any(m.name.endswith("analyzer/vmes_audit/data/rules/vmes-5.5/pack.yaml") for m in members)


def test_the_installed_tool_runs_from_another_folder_and_gives_the_checkout_json(installed, root: Path,
                                                                               tmp_path: Path) -> None:
    venv, elsewhere, env = installed["venv"], installed["elsewhere"], installed["env"]
    where = _run([venv / "bin" / "python", "-c", "import vmes_audit; print(vmes_audit.__file__)"], elsewhere, env)
    assert where.stdout.strip().startswith(str(venv)), where.stdout
    args = ["analyze", SAMPLE, "-o", "rapport", "--format", "json,html,pdf", "--date", "2026-12-01",
            "--client", "Client du test"]
    _run([venv / "bin" / "vmes-audit", *args], elsewhere, env)
    local = tmp_path / "local"
    local.mkdir()
    shutil.copy(root / "samples" / SAMPLE, local / SAMPLE)
    _run([Path(sys.executable).parent / "vmes-audit", *args], local, env)
    installed_json = json.loads((elsewhere / "rapport" / "resultats.json").read_text(encoding="utf-8"))
    checkout_json = json.loads((local / "rapport" / "resultats.json").read_text(encoding="utf-8"))
    assert installed_json == checkout_json
    assert installed_json["pack"]["id"] == "vmes-5.5" and installed_json["total"] > 30
    assert (elsewhere / "rapport" / "rapport-vmes.pdf").read_bytes().startswith(b"%PDF-")
    assert (elsewhere / "rapport" / "rapport-vmes.html").read_bytes() == (local / "rapport" / "rapport-vmes.html"
                                                                           ).read_bytes()


def test_the_installed_tool_lists_its_packs_and_makes_a_kit(installed, root: Path) -> None:
    venv, elsewhere, env = installed["venv"], installed["elsewhere"], installed["env"]
    packs = _run([venv / "bin" / "vmes-audit", "rules", "packs"], elsewhere, env)
    assert packs.stdout.startswith("vmes-5.5     VMES 5.5"), packs.stdout
    lint = _run([venv / "bin" / "vmes-audit", "rules", "lint"], elsewhere, env)
    assert ": OK" in lint.stdout
    _run([venv / "bin" / "vmes-audit", "kit", "-o", "kit", "--date", "2026-12-01"], elsewhere, env)
    (kit,) = (elsewhere / "kit").glob("*.zip")
    with zipfile.ZipFile(kit) as archive:
        assert archive.read("collect.vbs") == (root / "collector" / "collect.vbs").read_bytes()
