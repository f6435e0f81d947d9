"""Pieces of the released collect.vbs behind the AD fixes, run under Wine with a driver (no directory)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.wine, pytest.mark.slow]


def test_pusharr_keeps_objects(wine, tmp_path) -> None:
    """WalkDacl collects one Dictionary per ACE with PushArr: the second one needs Set (error 450 before)."""
    out = wine.run_driver(tmp_path, '''
Dim a, d1, d2, en
a = Array()
Set d1 = CreateObject("Scripting.Dictionary")
d1("k") = "un"
Set d2 = CreateObject("Scripting.Dictionary")
d2("k") = "deux"
On Error Resume Next
a = PushArr(a, d1)
a = PushArr(a, d2)
a = PushArr(a, "trois")
en = Err.Number
On Error GoTo 0
WScript.Echo "err=" & en
If en = 0 Then WScript.Echo "n=" & (UBound(a) + 1) & " " & a(0)("k") & " " & a(1)("k") & " " & a(2)
''')
    assert "err=0" in out and "n=3 un deux trois" in out, out
