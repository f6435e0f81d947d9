"""A kit's collector runs under Wine with the kit's parameters (issue 10).

The kit ships the released ``collect.vbs`` unchanged; it reads
``collect-params.txt`` next to it (docs/collection-format.md §8), and the
manifest records what it read. Nothing leaves the machine: the kit names a
closed loopback port as its NOC, the first run is limited to one WMI step
(``/only:wmi_os``), and the NOC probe runs only once the manifest has shown
that the collector took the loopback NOC from the file.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vmes_audit.cli.main import app
from vmes_audit.collection.manifest import Manifest
from vmes_audit.base.encoding import decode_bytes
from vmes_audit.parsers.records import parse_records
from tests.collector.conftest import CollectorRun, run_wine, wine_prefix

pytestmark = [pytest.mark.wine, pytest.mark.slow]
RUN_TIMEOUT_S = 420


def _wine_path(path: Path) -> str:
    return "Z:" + str(Path(path).resolve()).replace("/", "\\")


@pytest.fixture(scope="module")
def wine_env(tmp_path_factory) -> dict[str, str]:
    if shutil.which("wine") is None:
        pytest.fail("wine n'est pas installé : apt-get install wine (voir .ci/run)")
    with wine_prefix(tmp_path_factory.mktemp("wineprefix-kit")) as env:
        yield env


def _collect(env: dict[str, str], kit: Path, out: Path, *options: str) -> tuple[Manifest, zipfile.ZipFile, str]:
    out.mkdir(parents=True)
    proc = run_wine(["cscript", "//nologo", _wine_path(kit / "collect.vbs"), f"/out:{_wine_path(out)}", *options],
                    env, timeout=RUN_TIMEOUT_S)
    console = proc.stdout.decode("cp850", errors="replace")
    assert proc.returncode == 0, console + proc.stderr.decode("utf-8", errors="replace")
    # Wine's cscript says nothing when the script dies: the progress file names the step it died in
    CollectorRun(out, proc.returncode, console, proc.stderr.decode("utf-8", errors="replace")).check_completed()
    (zpath,) = out.glob("*.zip")
    archive = zipfile.ZipFile(zpath)
    return Manifest.model_validate(json.loads(archive.read("manifest.json"))), archive, console


def test_the_kits_collector_runs_with_the_kits_parameters(wine_env, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["kit", "-o", str(tmp_path), "--date", "2026-12-01", "--account", "SvcKit",
                                      "--noc", "localhost:9", "--nocaddr", "127.0.0.1",
                                      "--client", "Client Kit Wine"])
    assert result.exit_code == 0, result.output
    (kit_zip,) = tmp_path.glob("*.zip")
    kit = tmp_path / "kit"
    zipfile.ZipFile(kit_zip).extractall(kit)

    manifest, _, console = _collect(wine_env, kit, tmp_path / "run1", "/only:wmi_os")
    given = manifest.parameters
    assert (given.service_account, given.noc_host, given.noc_port, given.noc_address) == \
        ("SvcKit", "localhost", 9, "127.0.0.1"), console
    assert given.client == "Client Kit Wine"
    assert given.pack == "vmes-5.5 1.0.0"
    assert given.params_file == "collect-params.txt"
    assert manifest.format_version == "1.1"

    # The file's NOC is the loopback one: the probe may run now, and targets it.
    manifest, archive, console = _collect(wine_env, kit, tmp_path / "run2", "/only:net_noc_probe")
    entry = manifest.artifact("net_noc_probe")
    assert entry is not None and entry.file, console
    records = parse_records(decode_bytes(archive.read(entry.file), "utf-16le").text, artifact="net_noc_probe")
    urls = {r.get("Url") for r in records if r.kind == "probe"}
    assert urls and all("localhost:9" in u or "127.0.0.1:9" in u for u in urls), urls

    # A command-line option still wins over the file.
    manifest, _, console = _collect(wine_env, kit, tmp_path / "run3", "/only:wmi_os", "/account:Autre")
    assert manifest.parameters.service_account == "Autre", console
    assert manifest.parameters.noc_host == "localhost"
