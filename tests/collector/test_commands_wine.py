r"""External commands run by their full path, quoted: ``"cmd.exe" /c ""C:\...\ipconfig.exe" /all"``
(issue 17: with 8.3 names disabled, or a system folder whose path holds a space, an unquoted
path breaks; a bare name is looked up in the current folder first, where anything may lie).

The released collect.vbs runs under Wine with its entry point replaced by a driver that calls
``CommandLine``, ``CmdC`` and ``RunCommand``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import wine_path

pytestmark = [pytest.mark.wine, pytest.mark.slow]

DRIVER = r'''
gTmp = "{tmp}"
WScript.Echo "L1|" & CommandLine("ipconfig /all")
WScript.Echo "L2|" & CommandLine("systeminfo /fo list")
WScript.Echo "L3|" & CommandLine("regedit")
WScript.Echo "L4|" & CommandLine("""C:\Program Files\x\y.exe"" /a")
WScript.Echo "L5|" & CmdC(CommandLine("whoami /user /fo csv"))
Dim rc, et, ok
ok = RunCommand("hostname", "{out_plant}", 60, rc, et)
WScript.Echo "P|" & ok & "|" & rc & "|" & et
gSysDir = "{spaced}"
WScript.Echo "S0|" & CmdC(CommandLine("sonde.cmd un deux"))
ok = RunCommand("sonde.cmd un deux", "{out_spaced}", 60, rc, et)
WScript.Echo "S|" & ok & "|" & et
'''


def _lines(out: str) -> dict[str, str]:
    return {line.split("|", 1)[0]: line.split("|", 1)[1] for line in out.splitlines() if "|" in line}


def test_commands_run_by_full_quoted_path(wine, tmp_path):
    work = tmp_path / "travail"        # the working folder cscript (and its commands) inherit
    work.mkdir()
    marker = tmp_path / "planted.txt"
    # A planted hostname.cmd in the working folder: cmd runs it for a bare "hostname".
    (work / "hostname.cmd").write_bytes(f"@echo planted>{wine_path(marker)}\r\n@echo PLANTE\r\n".encode("ascii"))
    spaced = tmp_path / "dossier avec espace"  # a system folder whose path holds a space
    spaced.mkdir()
    system32 = Path(wine.env["WINEPREFIX"]) / "drive_c" / "windows" / "system32"
    shutil.copy(system32 / "cmd.exe", spaced / "cmd.exe")
    (spaced / "sonde.cmd").write_bytes(b"@echo SONDE %1 %2\r\n")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out_plant, out_spaced = tmp_path / "hostname.txt", tmp_path / "sonde.txt"
    driver = DRIVER.format(tmp=wine_path(tmp), out_plant=wine_path(out_plant), spaced=wine_path(spaced),
                           out_spaced=wine_path(out_spaced))
    got = _lines(wine.run_driver(tmp_path, driver, cwd=work))

    assert got["L1"] == r'"C:\windows\system32\ipconfig.exe" /all'
    assert got["L2"] == r'"C:\windows\system32\systeminfo.exe" /fo list'
    assert got["L3"] == r'"C:\windows\regedit.exe"'
    assert got["L4"] == r'"C:\Program Files\x\y.exe" /a'
    assert got["L5"] == r'"C:\windows\system32\cmd.exe" /c ""C:\windows\system32\whoami.exe" /user /fo csv"'
    # The real hostname ran, not the planted one.
    assert got["P"].startswith("True|0|"), got
    assert not marker.exists(), "a bare command name ran the hostname.cmd planted in the working folder"
    assert b"PLANTE" not in out_plant.read_bytes() and out_plant.read_bytes().strip()
    # cmd.exe and the command both under a path with a space.
    assert got["S0"] == f'"{wine_path(spaced)}\\cmd.exe" /c ""{wine_path(spaced)}\\sonde.cmd" un deux"'
    assert got["S"].startswith("True"), got
    assert out_spaced.read_bytes().strip() == b"SONDE un deux"
