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
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COLLECT_VBS = REPO / "collector" / "collect.vbs"
RUN_TIMEOUT_S = 420
ENTRY_POINT = "' Point d'entree\r\nMain\r\nWScript.Quit 0\r\n"
PROGRESS_FILE = "collecte-en-cours.txt"  # docs/collection-format.md §1.1
DRIVER_START = "<<pilote:debut>>"
DRIVER_END = "<<pilote:fin>>"


class CollectorDied(AssertionError):
    """The VBScript died and Wine 8's cscript said nothing (no message, exit code 0).

    Raised by :meth:`CollectorRun.check_completed` (and by ``WineEnv.collect`` / ``run_driver``
    unless told to expect it); ``step`` names the last step the collector had begun, or is
    empty when it died before its first one (a compile error does that: nothing runs)."""

    def __init__(self, message: str, step: str = ""):
        super().__init__(message)
        self.step = step


def last_step_begun(folder: Path) -> tuple[str, str]:
    """(step name, "N/T label") from a collection folder's progress file, or ("", "") when absent."""
    path = folder / PROGRESS_FILE
    if not path.is_file():
        return "", ""
    text = path.read_bytes().decode("utf-16")
    props = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    return props.get("Step", "?"), f"{props.get('Number', '?')}/{props.get('Total', '?')} {props.get('Label', '')}"


def wine_path(path: Path) -> str:
    """Linux path -> the Z: drive path Wine maps to it."""
    return "Z:" + str(Path(path).resolve()).replace("/", "\\")


def run_wine(args: list[str], env: dict[str, str], timeout: int = RUN_TIMEOUT_S, cwd: Path | None = None
             ) -> subprocess.CompletedProcess:
    """``wine *args``, its output read from files, not pipes: Wine's system processes (services.exe,
    winedevice.exe…) started by a run live on with the persistent wineserver (``wine_prefix``) and
    inherit the run's output; a pipe would never reach its end and the run would seem to hang."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.run(["wine", *args], env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                              timeout=timeout, cwd=cwd)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out.read(), err.read())


@dataclass
class WineEnv:
    env: dict[str, str]

    def run(self, args: list[str], timeout: int = RUN_TIMEOUT_S, cwd: Path | None = None
            ) -> subprocess.CompletedProcess:
        return run_wine(args, self.env, timeout, cwd)

    def collect(self, out_dir: Path, *options: str, script: Path = COLLECT_VBS, cwd: Path | None = None,
                expect_death: bool = False) -> "CollectorRun":
        """Run the collector; ``cwd`` is the working folder of cscript and of the commands it starts.

        Raises :class:`CollectorDied` when the script did not reach its end (``expect_death`` returns
        the run unchecked)."""
        out_dir.mkdir(parents=True, exist_ok=True)
        proc = self.run(["cscript", "//nologo", wine_path(script), f"/out:{wine_path(out_dir)}", *options], cwd=cwd)
        run = CollectorRun(out_dir, proc.returncode, proc.stdout.decode("cp850", errors="replace"),
                           proc.stderr.decode("utf-8", errors="replace"), dry_run="/dryrun" in options)
        if not expect_death:
            run.check_completed()
        return run

    def run_driver(self, tmp_dir: Path, driver: str, timeout: int = RUN_TIMEOUT_S, script: Path = COLLECT_VBS,
                   cwd: Path | None = None) -> str:
        """Run `driver` (VBScript, LF line ends) in place of the released collector's entry point.

        The driver is framed by two console markers (removed from the text returned): a missing
        start marker is a compile error, a missing end marker a runtime error that Wine hid; both
        raise :class:`CollectorDied`."""
        text = script.read_bytes().decode("ascii")
        assert text.count(ENTRY_POINT) == 1, "collect.vbs entry point not found"
        # A driver's own clean "WScript.Quit 0" lines (before its Subs, say) also say the end.
        body = ("\n" + driver.rstrip() + "\n").replace("\nWScript.Quit 0\n",
                                                       f'\nWScript.Echo "{DRIVER_END}"\nWScript.Quit 0\n')
        framed = f'WScript.Echo "{DRIVER_START}"{body}WScript.Echo "{DRIVER_END}"\n'
        path = tmp_dir / "driver.vbs"
        path.write_bytes(text.replace(ENTRY_POINT, framed.replace("\n", "\r\n") + "WScript.Quit 0\r\n")
                         .encode("ascii"))
        proc = self.run(["cscript", "//nologo", wine_path(path)], timeout=timeout, cwd=cwd)
        out = proc.stdout.decode("cp850", errors="replace")
        if DRIVER_START not in out:
            raise CollectorDied("le pilote de test n'a pas démarré : erreur de compilation du VBScript "
                                f"(Wine 8 n'affiche rien, code retour {proc.returncode})\n{out}")
        if DRIVER_END not in out:
            last = [line for line in out.splitlines() if line.strip()][-1:]
            raise CollectorDied("le pilote de test s'est arrêté en cours de route : erreur d'exécution non "
                                f"interceptée (Wine 8 n'affiche rien) ; dernière ligne écrite : {last}\n{out}")
        return out.replace(DRIVER_START + "\r\n", "").replace(DRIVER_END + "\r\n", "") \
                  .replace(DRIVER_START + "\n", "").replace(DRIVER_END + "\n", "")

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
    dry_run: bool = False

    def check_completed(self) -> None:
        """Raise :class:`CollectorDied` unless the collector reached its last statement.

        A real run is complete when its collection folder holds no progress file (the collector
        deletes it last) and its manifest was written; a dry run writes no folder, so only a
        console with nothing on it tells there (the compile error case)."""
        if self.dry_run:
            if not self.stdout.strip():
                raise CollectorDied(f"le collecteur (/dryrun) n'a rien écrit : erreur de compilation du VBScript "
                                    f"(Wine 8 n'affiche rien, code retour {self.returncode})")
            return
        folders = [p for p in self.out_dir.iterdir() if p.is_dir()] if self.out_dir.is_dir() else []
        if not folders:
            raise CollectorDied("le collecteur est mort avant sa première étape (aucun dossier de collecte : "
                                "erreur de compilation du VBScript, ou erreur avant la création du dossier ; "
                                f"Wine 8 n'affiche rien, code retour {self.returncode})\n{self.stdout}")
        for folder in folders:
            step, detail = last_step_begun(folder)
            if step:
                raise CollectorDied(f"le collecteur est mort pendant l'étape « {step} » ({detail}) : "
                                    f"erreur d'exécution non interceptée, que Wine 8 tait (code retour "
                                    f"{self.returncode})\n{self.stdout}", step=step)
            if not (folder / "manifest.json").is_file():
                raise CollectorDied(f"le dossier {folder.name} n'a ni manifest.json ni fichier d'avancement : "
                                    f"collecte interrompue avant sa première étape\n{self.stdout}")

    @property
    def zips(self) -> list[Path]:
        return sorted(self.out_dir.glob("*.zip"))

    @property
    def folder(self) -> Path:
        folders = [p for p in self.out_dir.iterdir() if p.is_dir()]
        assert len(folders) == 1, f"un seul dossier de collecte attendu : {folders}\n{self.stdout}"
        return folders[0]


@contextlib.contextmanager
def wine_prefix(prefix: Path):
    """A booted Wine prefix whose wineserver stays up until the ``with`` block ends: the environment to
    run ``wine`` with.

    Without it each ``wine`` start boots a wineserver and the prefix's system processes again (about
    10 s on 2 busy cores, against 0.3-0.6 s with the server up): the Wine tests would spend most of
    their time starting. The server runs in the foreground (``-f``) as our child, persistent (``-p``);
    at the end ``wineserver -k`` ends this prefix's Wine processes and the server is waited for, then
    killed by its PID if it is still there."""
    prefix.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, WINEPREFIX=str(prefix), WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=")
    env.pop("DISPLAY", None)
    # wineboot first, with the server it starts itself (wineboot waits for every process of the prefix: it
    # would wait for ever with a persistent server), until that server has ended (wineserver -w)
    subprocess.run(["wineboot", "-i"], env=env, capture_output=True, timeout=300)
    subprocess.run(["wineserver", "-w"], env=env, capture_output=True, timeout=120)
    server = subprocess.Popen(["wineserver", "-f", "-p"], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # the prefix's system processes start now, with no pipe of ours
        subprocess.run(["wine", "cmd", "/c", "exit"], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        yield env
    finally:
        subprocess.run(["wineserver", "-k"], env=env, capture_output=True, timeout=60)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def wine(tmp_path_factory) -> WineEnv:
    if shutil.which("wine") is None:
        pytest.skip("wine n'est pas installé (PATH) : tests du collecteur VBScript ignorés")
    with wine_prefix(tmp_path_factory.mktemp("wineprefix")) as env:
        yield WineEnv(env)


# Tests never send traffic off this machine: the NOC probe of a full run targets a
# closed loopback port (the discard port) instead of the real NOC.
LOOPBACK_NOC = ("/noc:localhost:9", "/nocaddr:127.0.0.1")


@pytest.fixture(scope="session")
def vmes_run(wine, tmp_path_factory) -> CollectorRun:
    return wine.collect(tmp_path_factory.mktemp("vmes"), *LOOPBACK_NOC)


@pytest.fixture(scope="session")
def exchange_run(wine, tmp_path_factory) -> CollectorRun:
    return wine.collect(tmp_path_factory.mktemp("exch"), "/exchange", "/account:SvcMobile", *LOOPBACK_NOC)
