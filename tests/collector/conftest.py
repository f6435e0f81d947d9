r"""Run ``collector/collect.vbs`` under Wine.

One Wine prefix serves the whole test session (``wineboot`` takes 10-60 s);
each collector run writes into its own temporary folder. Wine is driven with
``WINEDEBUG=-all`` and the console output is decoded from cp850, the OEM code
page cscript writes in (Wine uses cp437/850 for the console, whose accented
letters coincide).

``WineEnv.run_driver`` runs the *released* collect.vbs with its entry point
(``Main``) replaced by a test driver: the driver calls the collector's own
functions, so a unit test exercises exactly the code the customer runs.
``WineEnv.windows_2000()`` makes Wine report Windows 2000 to cscript.exe
(``HKCU\Software\Wine\AppDefaults\cscript.exe\Version``) for the time of
a ``with`` block.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COLLECT_VBS = REPO / "collector" / "collect.vbs"
RUN_TIMEOUT_S = 420
ENTRY_POINT = "' Point d'entree\r\nMain\r\nWScript.Quit 0\r\n"


def wine_path(path: Path) -> str:
    """Linux path -> the Z: drive path Wine maps to it."""
    return "Z:" + str(Path(path).resolve()).replace("/", "\\")


@dataclass
class WineEnv:
    env: dict[str, str]

    def run(self, args: list[str], timeout: int = RUN_TIMEOUT_S, cwd: Path | None = None
            ) -> subprocess.CompletedProcess:
        return subprocess.run(["wine", *args], env=self.env, capture_output=True, timeout=timeout, cwd=cwd)

    def collect(self, out_dir: Path, *options: str, script: Path = COLLECT_VBS, cwd: Path | None = None
                ) -> "CollectorRun":
        """Run the collector; ``cwd`` is the working folder of cscript and of the commands it starts."""
        out_dir.mkdir(parents=True, exist_ok=True)
        proc = self.run(["cscript", "//nologo", wine_path(script), f"/out:{wine_path(out_dir)}", *options], cwd=cwd)
        return CollectorRun(out_dir, proc.returncode, proc.stdout.decode("cp850", errors="replace"),
                            proc.stderr.decode("utf-8", errors="replace"))

    def run_driver(self, tmp_dir: Path, driver: str, timeout: int = RUN_TIMEOUT_S) -> str:
        """Run `driver` (VBScript, LF line ends) in place of the released collector's entry point."""
        text = COLLECT_VBS.read_bytes().decode("ascii")
        assert text.count(ENTRY_POINT) == 1, "collect.vbs entry point not found"
        script = tmp_dir / "driver.vbs"
        script.write_bytes(text.replace(ENTRY_POINT, driver.replace("\n", "\r\n") + "\r\nWScript.Quit 0\r\n")
                           .encode("ascii"))
        proc = self.run(["cscript", "//nologo", wine_path(script)], timeout=timeout)
        return proc.stdout.decode("cp850", errors="replace")

    @contextlib.contextmanager
    def windows_2000(self):
        key = "HKCU\\Software\\Wine\\AppDefaults\\cscript.exe"
        self.run(["reg", "add", key, "/v", "Version", "/d", "win2k", "/f"], timeout=120)
        try:
            yield
        finally:
            self.run(["reg", "delete", key, "/f"], timeout=120)


@dataclass
class CollectorRun:
    out_dir: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def zips(self) -> list[Path]:
        return sorted(self.out_dir.glob("*.zip"))

    @property
    def folder(self) -> Path:
        folders = [p for p in self.out_dir.iterdir() if p.is_dir()]
        assert len(folders) == 1, f"un seul dossier de collecte attendu : {folders}\n{self.stdout}"
        return folders[0]


@pytest.fixture(scope="session")
def wine(tmp_path_factory) -> WineEnv:
    if shutil.which("wine") is None:
        pytest.skip("wine n'est pas installé (PATH) : tests du collecteur VBScript ignorés")
    prefix = tmp_path_factory.mktemp("wineprefix")
    env = dict(os.environ, WINEPREFIX=str(prefix), WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=")
    env.pop("DISPLAY", None)
    subprocess.run(["wineboot", "-i"], env=env, capture_output=True, timeout=300)
    return WineEnv(env)


# Tests never send traffic off this machine: the NOC probe of a full run targets a
# closed loopback port (the discard port) instead of the real NOC.
LOOPBACK_NOC = ("/noc:localhost:9", "/nocaddr:127.0.0.1")


@pytest.fixture(scope="session")
def vmes_run(wine, tmp_path_factory) -> CollectorRun:
    return wine.collect(tmp_path_factory.mktemp("vmes"), *LOOPBACK_NOC)


@pytest.fixture(scope="session")
def exchange_run(wine, tmp_path_factory) -> CollectorRun:
    return wine.collect(tmp_path_factory.mktemp("exch"), "/exchange", "/account:SvcMobile", *LOOPBACK_NOC)
