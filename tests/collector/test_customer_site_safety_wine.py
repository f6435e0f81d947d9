r"""Nothing from data reaches a command line on the customer's machine (issue 18, part 1).

A host name comes from ``collect-params.txt``, from the command line, or from
the directory (an Exchange server's name or ``networkAddress``, which any
Exchange administrator can set). Before the fix, a NOC value
``localhost&echo …>file&rem`` went into ``ping -n 1 -w 1000 <host>`` inside a
``.cmd`` file whenever ``Win32_PingStatus`` did not answer (always on Windows
2000, and under Wine), and cmd ran the second command.

Each test plants a payload that would create a marker file, runs the released
collector under Wine, and checks that the marker does not exist and that the
collection says, in French, why the value was refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vmes_audit.collection.manifest import Manifest
from vmes_audit.base.encoding import decode_bytes
from vmes_audit.parsers.records import parse_records

from .conftest import COLLECT_VBS, wine_path

pytestmark = [pytest.mark.wine, pytest.mark.slow]


def _payload(marker: Path) -> str:
    """A cmd payload that creates ``marker`` if it ever runs."""
    return f"localhost&echo pwned>{wine_path(marker)}&rem"


# The collector splits /noc: and /exchserver: at ':' (the port) and ',': these payloads name their
# marker relative to the working folder the tests give cscript, whose commands inherit it.
RELATIVE_PAYLOAD = "localhost&echo pwned>pwned.txt&rem"


def _artifact(run, name: str):
    manifest = Manifest.model_validate_json((run.folder / "manifest.json").read_bytes())
    art = manifest.artifact(name)
    assert art is not None, run.stdout
    return art


def test_a_hostile_noc_on_the_command_line_never_runs(wine, tmp_path: Path) -> None:
    marker = tmp_path / "pwned.txt"
    run = wine.collect(tmp_path / "out", "/only:net_noc_probe", f"/noc:{RELATIVE_PAYLOAD}", "/nocaddr:127.0.0.1",
                       cwd=tmp_path)
    assert not marker.exists(), "the NOC value ran as a command"
    art = _artifact(run, "net_noc_probe")
    assert art.status == "error" and "nom d'hôte refusé" in art.error, art


def test_a_hostile_noc_in_the_parameter_file_never_runs(wine, tmp_path: Path) -> None:
    marker = tmp_path / "pwned.txt"
    kit = tmp_path / "kit"
    kit.mkdir()
    shutil.copy(COLLECT_VBS, kit / "collect.vbs")
    (kit / "collect-params.txt").write_bytes(
        f"account=VistoAdmin\r\nnoc={RELATIVE_PAYLOAD}\r\nnocaddr=127.0.0.1\r\n".encode("cp1252"))
    run = wine.collect(tmp_path / "out", "/only:net_noc_probe", script=kit / "collect.vbs", cwd=tmp_path)
    assert not marker.exists(), "the NOC value of collect-params.txt ran as a command"
    art = _artifact(run, "net_noc_probe")
    assert art.status == "error" and "nom d'hôte refusé" in art.error, art


def test_a_hostile_exchange_server_option_never_runs(wine, tmp_path: Path) -> None:
    run = wine.collect(tmp_path / "out", "/only:net_exchange_path", f"/exchserver:{RELATIVE_PAYLOAD}", cwd=tmp_path)
    art = _artifact(run, "net_exchange_path")
    assert art.status == "ok", art
    (path,) = parse_records(decode_bytes((run.folder / art.file).read_bytes()).text, artifact="net_exchange_path")
    assert "nom d'hôte refusé" in path.get("ErrorText") and path.get("PortOpen") is None
    assert not (tmp_path / "pwned.txt").exists(), "the /exchserver value ran as a command"


# The collector's own Resolve and net_exchange_path step, fed with the names an Exchange
# administrator can write into the directory (the server's cn, dNSHostName or networkAddress).
DRIVER = r'''
Dim gTestNames, i, addrs, r
InitHashTables
ParseArgs
DeclareArtifacts
DetectPlatform
PrepareFolders
gTestNames = Array({names})
For i = 0 To UBound(gTestNames)
  r = Resolve(gTestNames(i), addrs)
  WScript.Echo "RESOLVE|" & i & "|" & r & "|" & (UBound(addrs) + 1) & "|" & gResolveError
Next
gExchServers = Array()
For i = 0 To UBound(gTestNames)
  gExchServers = PushArr(gExchServers, Array("EXCH" & i, gTestNames(i), 135))
Next
gExchServersKnown = True
Dim d, k
For k = 0 To gDeclCount - 1
  If gDecl(k)("name") = "net_exchange_path" Then Set d = gDecl(k)
Next
Set gCur = NewResult(d)
gRecValues = 0
StepNetExchangePath
CloseRecords
WScript.Echo "STEP|" & gCur("status") & "|" & gCur("error")
WScript.Echo "DONE"
'''


def _vbs_string(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def test_hostile_exchange_server_names_from_the_directory_never_run(wine, tmp_path: Path) -> None:
    markers = [tmp_path / f"pwned-{i}.txt" for i in range(4)]
    names = [
        _payload(markers[0]),                                   # cmd separator
        f"exch01|echo pwned>{wine_path(markers[1])}",           # pipe
        f"exch01\" & echo pwned>{wine_path(markers[2])} & \"",  # quote breaking
        f"exch01' OR Address='x|echo pwned>{wine_path(markers[3])}",  # WQL, then cmd
        "exch01.corp.example",                                  # a real name: resolved or not, never refused
        "192.0.2.300",                                          # not an IPv4 address
    ]
    out = wine.run_driver(tmp_path, DRIVER.replace("{names}", ", ".join(_vbs_string(n) for n in names)))
    assert "DONE" in out, out
    assert not [m for m in markers if m.exists()], "a directory name ran as a command"
    lines = {int(l.split("|")[1]): l.split("|") for l in out.splitlines() if l.startswith("RESOLVE|")}
    for i in (0, 1, 2, 3, 5):
        assert lines[i][2] == "False" and "nom d'hôte refusé" in lines[i][4], lines[i]
    assert "refusé" not in lines[4][4], lines[4]
    assert "STEP|ok|" in out, out
    (records_file,) = tmp_path.glob("**/net_exchange_path.txt")
    paths = parse_records(decode_bytes(records_file.read_bytes()).text, artifact="net_exchange_path")
    assert [p.get("Server") for p in paths] == [f"EXCH{i}" for i in range(len(names))]
    for i in (0, 1, 2, 3, 5):
        assert "nom d'hôte refusé" in paths[i].get("ErrorText") and paths[i].get("PortOpen") is None, paths[i]
