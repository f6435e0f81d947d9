"""The double follows a field probe's answers over its defaults (docs/adsi-double.md, double/probe.py)."""

from __future__ import annotations

from tests.collector_ad.double.probe import Assumptions, load_probe_files

# A hand-made answers file of collector/probe.vbs (docs/field-test.md): Windows 2000 SP4, a plain
# domain user, whose ADO returned owner + group + DACL (against the double's default), with
# ADsSecurityUtility absent, and a second Execute refused.
PROBE_2000 = """#VMES-RECORDS 1
#source: probe.vbs 1
[probe]
ProbeVersion=1
Host=W2KSRV
OsVersion=5.0.2195
IsLocalAdmin=False

[ado_sd]
Object=self
Dn=CN=Jean Test,CN=Users,DC=corp,DC=exemple,DC=test
Error=
Present=True
VarType=8209
HasSacl=False

[sd_compare]
Object=self
SecUtil=0x800A01AD Le composant ActiveX ne peut pas créer l'objet
HexString!
EqualsAdo!

[second_execute]
FirstError=
SecondError=0x80040E05 L'objet est déjà ouvert.
"""

PROBE_2003 = """#VMES-RECORDS 1
[probe]
OsVersion=5.2.3790
IsLocalAdmin=False

[ado_sd]
Object=self
Error=
Present=False

[sd_compare]
Object=self
SecUtil=ok
EqualsAdo=True
"""


def _write(path, text: str) -> str:
    # as the probe writes it: UTF-16LE with BOM, CRLF
    path.write_bytes(b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16le"))
    return str(path)


def test_defaults_without_probe() -> None:
    a = Assumptions()
    assert (a.has_security_utility("2000"), a.has_security_utility("2003")) == (False, True)
    assert (a.ado_sd_flags("2000"), a.ado_sd_flags("2003")) == (None, 7)
    assert not a.hexstring_is_raw("2003")
    assert a.second_execute_ok("2000") and a.second_execute_ok("2003")
    assert (a.max_val_range("2000"), a.max_val_range("2003")) == (1000, 1500)


def test_probe_answers_win_over_defaults(tmp_path, monkeypatch) -> None:
    spec = ":".join([_write(tmp_path / "w2k.txt", PROBE_2000), _write(tmp_path / "w2k3.txt", PROBE_2003)])
    monkeypatch.setenv("VMES_PROBE_FILE", spec)
    a = Assumptions.from_env()
    assert [p.os for p in a.probes] == ["2000", "2003"]
    # Windows 2000: ADO returned the descriptor without SACL -> 7; no ADsSecurityUtility; no second Execute
    assert a.ado_sd_flags("2000") == 7
    assert a.has_security_utility("2000") is False
    assert a.second_execute_ok("2000") is False
    # Windows Server 2003: ADO returned nothing; the hex string equals ADO's bytes
    assert a.ado_sd_flags("2003") is None
    assert a.has_security_utility("2003") is True
    assert a.hexstring_is_raw("2003") is True
    assert a.second_execute_ok("2003") is True          # not asked in that file: the default


def test_probe_of_another_os_is_not_used(tmp_path) -> None:
    a = Assumptions(load_probe_files(_write(tmp_path / "w2k.txt", PROBE_2000)))
    assert a.ado_sd_flags("2003") == 7 and a.second_execute_ok("2003")
