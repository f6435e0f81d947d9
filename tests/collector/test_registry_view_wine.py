r"""The registry exports see the 64-bit view whatever the bitness of the cscript that runs the
collector, and the existence check looks at the same view as the export (issue 17).

Windows facts this rests on (Microsoft documentation, see docs/collection-format.md §4.1):
a 32-bit process that starts ``%windir%\regedit.exe`` gets ``%windir%\SysWOW64\regedit.exe``
(File System Redirector), Server 2003 has no ``Sysnative``; StdRegProv honours
``__ProviderArchitecture=64``; CIMWin32 (``Win32_Process``) has only a 64-bit version on 64-bit
Windows, so a process it creates is not redirected.

Wine 8 here is wine64 only (no 32-bit cscript can run), but its registry has both views
(``reg /reg:32``, ``/reg:64``). The tests make one key in each view only, then run the released
code through a driver: as a 64-bit cscript (the direct route), and with ``gIsWow`` forced (the
route a 32-bit cscript takes: regedit started by Win32_Process.Create, which Wine 8 carries out).
What Wine cannot show is the redirection itself: that the direct route *would* have exported the
32-bit view from a real 32-bit cscript.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import wine_path

pytestmark = [pytest.mark.wine, pytest.mark.slow]

KEY64 = r"HKEY_LOCAL_MACHINE\SOFTWARE\VmesVueSoixanteQuatre"
KEY32 = r"HKEY_LOCAL_MACHINE\SOFTWARE\VmesVueTrenteDeux"

DRIVER = r'''
DetectPlatform
WScript.Echo "P|" & gIs64 & "|" & gIsWow
gCol = "{col}"
gTmp = "{tmp}"
gTimeout = 60
Sub T(name, key)
  Dim d
  Set d = CreateObject("Scripting.Dictionary")
  d("name") = name
  d("ext") = "reg"
  Set gCur = NewResult(d)
  On Error Resume Next
  StepRegExport name, key
  If Err.Number <> 0 Then Fail ErrText(Err.Number, Err.Description)
  Err.Clear
  On Error GoTo 0
  WScript.Echo "R|" & name & "|" & RegExportRoute(key) & "|" & gCur("status") & "|" & gCur("error") & "|" & gCur("source")
End Sub
WScript.Echo "E|" & RegKeyExists("{key64}") & "|" & RegKeyExists("{key32}")
T "direct64", "{key64}"
T "direct32", "{key32}"
T "hkcu", "HKEY_CURRENT_USER\Software\Wine"
gIsWow = True
T "wow64", "{key64}"
T "wow32", "{key32}"
T "wowhkcu", "HKEY_CURRENT_USER\Software\Wine"
' StdRegProv answers "access denied" (5): an error of the step, neither "absent" nor a regedit.
Dim denied
On Error Resume Next
denied = KeyExistsFromRc(5, "{key64}")
WScript.Echo "R|refusee|direct|error|" & Err.Description & "|"
Err.Clear
On Error GoTo 0
' StdRegProv unusable and a 32-bit cscript: the check cannot see the 64-bit view, and says so.
gReg = Empty
gRegMode = "regread"
gRegErr = "test"
T "wowsansstdregprov", "{key64}"

'''


@pytest.fixture(scope="module")
def exported(wine, tmp_path_factory):
    wine.run(["reg", "add", KEY64, "/v", "Nom", "/d", "soixante-quatre", "/f", "/reg:64"], timeout=120)
    wine.run(["reg", "add", KEY32, "/v", "Nom", "/d", "trente-deux", "/f", "/reg:32"], timeout=120)
    try:
        assert wine.run(["reg", "query", KEY64, "/reg:32"], timeout=120).returncode != 0
        tmp = tmp_path_factory.mktemp("vue")
        (tmp / "col").mkdir()
        (tmp / "tmp").mkdir()
        out = wine.run_driver(tmp, DRIVER.format(col=wine_path(tmp / "col"), tmp=wine_path(tmp / "tmp"),
                                                 key64=KEY64, key32=KEY32))
    finally:
        wine.run(["reg", "delete", KEY64, "/f", "/reg:64"], timeout=120)
        wine.run(["reg", "delete", KEY32, "/f", "/reg:32"], timeout=120)
    rows = {}
    for line in out.splitlines():
        parts = line.split("|")
        if parts[0] == "R":
            rows[parts[1]] = parts[2:]
        elif parts[0] in ("P", "E"):
            rows[parts[0]] = parts[1:]
    return tmp / "col", rows


def _reg_text(path: Path) -> str:
    return path.read_bytes().decode("utf-16")


def test_wine64_is_a_64_bit_cscript(exported):
    _, rows = exported
    assert rows["P"] == ["True", "False"]


def test_existence_check_looks_at_the_64_bit_view(exported):
    _, rows = exported
    assert rows["E"] == ["True", "False"]


def test_direct_route_exports_the_64_bit_view(exported):
    col, rows = exported
    route, status, error, _ = rows["direct64"]
    assert (route, status, error) == ("direct", "ok", "")
    assert '"Nom"="soixante-quatre"' in _reg_text(col / "direct64.reg")
    # A key of the 32-bit view only is absent for both the check and the export.
    route, status, error, _ = rows["direct32"]
    assert status == "ok" and error.startswith("clé absente")
    assert "trente-deux" not in _reg_text(col / "direct32.reg")


def test_32_bit_cscript_exports_through_win32_process_create(exported):
    col, rows = exported
    route, status, error, source = rows["wow64"]
    assert (route, status, error) == ("wmi64", "ok", ""), rows["wow64"]
    assert "Win32_Process.Create" in source
    assert '"Nom"="soixante-quatre"' in _reg_text(col / "wow64.reg")
    assert rows["wow32"][1] == "ok" and rows["wow32"][2].startswith("clé absente")
    # HKCU is not redirected by WOW64: the direct route stays.
    assert rows["wowhkcu"][:2] == ["direct", "ok"]


def test_access_denied_is_an_error_not_an_absent_key(exported):
    col, rows = exported
    _, status, error, _ = rows["refusee"]
    assert "code 5, accès refusé" in error and "absente" not in error, rows["refusee"]


def test_unverifiable_64_bit_view_is_an_error_not_a_32_bit_export(exported):
    col, rows = exported
    route, status, error, _ = rows["wowsansstdregprov"]
    assert status == "error" and "vue 64 bits" in error and "system32\\cscript.exe" in error, rows
    assert not (col / "wowsansstdregprov.reg").exists()
