"""A real run interrupted while weasyprint renders the PDF leaves nothing behind (issue 13).

The analyzer runs in its own process with a private ``TMPDIR``; once weasyprint
has stored the report's fonts in its ``weasyprint-*`` folder (rendering has
begun), the test sends SIGINT (Ctrl-C) or SIGTERM and checks the exit code,
the French message, an empty temporary directory and an untouched output folder.

The planted PDF has no report identity file: without ``--force`` the run would refuse the folder
(exit 3) as soon as it reached it, which under load can come before the signal (the PDF process warms
weasyprint up, fonts folder included, while the analysis runs). With ``--force`` the folder is still
replaced only at the end, so an interrupted run must leave it as it was.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _wait_for_rendering(temp: Path, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(temp.glob("vmes-audit-*/weasyprint-*")):
            return
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before rendering: {proc.communicate()}")
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("weasyprint never started rendering")


@pytest.mark.parametrize("signum,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_pdf_rendering_leaves_nothing(samples_dir: Path, tmp_path: Path, signum, code) -> None:
    temp, out = tmp_path / "tmp", tmp_path / "out"
    temp.mkdir()
    out.mkdir()
    (out / "rapport-vmes.pdf").write_bytes(b"%PDF- rapport precedent")
    env = dict(os.environ, TMPDIR=str(temp))
    proc = subprocess.Popen([sys.executable, "-m", "vmes_audit.cli.main", "analyze",
                             str(samples_dir / "srvdc01-2000-non-conforme.zip"), "-o", str(out),
                             "--format", "json,pdf", "--force"],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for_rendering(temp, proc)
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, (stdout, stderr)
    assert "analyse interrompue : les fichiers temporaires sont supprimés" in stderr.decode("utf-8")
    assert "Traceback" not in stderr.decode("utf-8")
    assert list(temp.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["rapport-vmes.pdf"]
    assert (out / "rapport-vmes.pdf").read_bytes() == b"%PDF- rapport precedent"
