"""Pieces of the released collect.vbs that need no directory, run under Wine through a driver.

The driver replaces only the collector's entry point (``Main``); every
function called is the released code. What Wine cannot give (a domain, ADSI
LDAP, ADO's ADsDSOObject provider, ADsSecurityUtility) is listed in the
collector part of the report; here: the hex conversion of binary values
(byte arrays made by MSXML, since ADODB.Stream is unusable under Wine 8), the
control word read from a descriptor's hex, the record escapes, the LDAP
placeholders and escapes, an ADSI object whose every Get fails, the
parameter file, and the digests against Python's.

All cases run in one cscript start (a Sub each, errors reported per case).
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import zlib
from pathlib import Path

import pytest

from vmes_audit.base.encoding import decode_bytes
from vmes_audit.parsers.records import parse_records

from .conftest import wine_path

pytestmark = [pytest.mark.wine, pytest.mark.slow]

BYTES_FROM_HEX = '''
Function BytesOf(h)
  ' un vrai tableau VT_ARRAY|VT_UI1, comme ADSI et ADO en rendent
  Dim doc, el
  Set doc = WScript.CreateObject("Microsoft.XMLDOM")
  Set el = doc.createElement("x")
  el.dataType = "bin.hex"
  el.text = h
  BytesOf = el.nodeTypedValue
End Function
'''


def _sid_bytes(sid: str) -> bytes:
    parts = sid.split("-")
    subs = [int(p) for p in parts[3:]]
    return struct.pack("<BB", int(parts[1]), len(subs)) + int(parts[2]).to_bytes(6, "big") + \
        b"".join(struct.pack("<I", s) for s in subs)


def _self_relative_sd(control: int) -> bytes:
    """A self-relative SECURITY_DESCRIPTOR (MS-DTYP 2.4.6): owner, group, one-ACE DACL."""
    owner, group = _sid_bytes("S-1-5-32-544"), _sid_bytes("S-1-5-18")
    ace_sid = _sid_bytes("S-1-5-11")
    ace = struct.pack("<BBHI", 0, 0, 8 + len(ace_sid), 0x20094) + ace_sid  # ACCESS_ALLOWED_ACE
    acl = struct.pack("<BBHHH", 2, 0, 8 + len(ace), 1, 0) + ace
    off_owner = 20
    off_group = off_owner + len(owner)
    off_dacl = off_group + len(group)
    header = struct.pack("<BBHIIII", 1, 0, control, off_owner, off_group, 0, off_dacl)
    return header + owner + group + acl


SID_544 = _sid_bytes("S-1-5-32-544").hex()
CONTROLS = {"PROT": (0x9414, True), "PLAIN": (0x8004, False), "INHERIT": (0x8C14, False), "BOTH": (0x9C04, True)}
DIGEST_INPUTS = {
    "vide": b"",
    "un": b"\x00",
    "cinquantecinq": os.urandom(55),
    "cinquantesix": os.urandom(56),
    "bloc": os.urandom(64),
    "blocplusun": os.urandom(65),
    "utf16": ("\ufeffWindows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE]\r\n"
              '"Nom"="Société Ā"\r\n' * 40).encode("utf-16le"),
    "octets": bytes(range(256)) * 9 + b"\x81\x8d\x8f\x90\x9d",
}
INPUTS: dict[str, bytes] = {f"{name}.bin": data for name, data in DIGEST_INPUTS.items()}
INPUTS["collect-params.txt"] = ("# Paramètres\r\nACCOUNT = SvcMobile\r\nclient=Société Générale\r\n"
                                "pack=vmes-5.5 1.1.0\r\ncouleur=bleu\r\nsans egal\r\n\r\n").encode("cp1252")
CASES: dict[str, str] = {}

CASES["binhex"] = f'''
Dim b
b = BytesOf("{SID_544.upper()}")
WScript.Echo "VT=" & VarType(b)
WScript.Echo "HEX=" & BinHex(b)
WScript.Echo "EMPTY=[" & BinHex(BytesOf("")) & "]"
WScript.Echo "NULL=" & IsNull(BinHex(Null))
WScript.Echo "INTS=" & BinHex(Array(0, 10, 255))
WScript.Echo "FMT=" & FmtScalar(b)
On Error Resume Next
WScript.Echo "STR=" & BinHex("0102")
WScript.Echo "STRERR=" & Err.Number
Err.Clear
'''
for key, (control, _) in CONTROLS.items():
    sd = _self_relative_sd(control).hex()
    CASES[f"control_{key.lower()}"] = f'''
Dim c
c = SdControlFromHex(SafeBinHex(BytesOf("{sd}")))
WScript.Echo "CONTROL_{key}=" & c
WScript.Echo "PROTECTED_{key}=" & ((c And &H1000) <> 0)
WScript.Echo "SDHEX_{key}=" & IsSdHex(SafeBinHex(BytesOf("{sd}")))
'''
CASES["control_invalid"] = '''
WScript.Echo "SHORT=" & IsNull(SdControlFromHex("01001494"))
WScript.Echo "NOTHEX=" & IsNull(SdControlFromHex("zz001494" & String(40, "0")))
WScript.Echo "NULLSD=" & IsNull(SdControlFromHex(SafeBinHex(Null)))
WScript.Echo "ODDHEX=" & IsSdHex(String(41, "a"))
WScript.Echo "SHORTHEX=" & IsSdHex(String(38, "a"))
WScript.Echo "UPPERHEX=" & IsSdHex(String(40, "A"))
'''
CASES["escapes"] = '''
WScript.Echo "ESC=" & RecEscape("C:\\dir" & vbCr & vbLf & vbTab & Chr(1) & "fin")
WScript.Echo "PLAIN=" & RecEscape("01000494" & String(4000, "a"))
'''
CASES["ldap"] = '''
Dim op
gAccount = "Visto(Admin)*"
gHost = "EXCH01"
DeclareLdapQueries
Set op = LdapOpOf("svc")
WScript.Echo "FILTER=" & Expand(op("filter"), Vars("", ""), True)
WScript.Echo "TRUSTEE=" & Expand("(sAMAccountName={trustee})", Vars("trustee", "a\\b"), True)
WScript.Echo "BASE=" & Expand("CN=Servers,{adminGroupDN}", Vars("adminGroupDN", "CN=Groupe/1,DC=x"), False)
WScript.Echo "ADSPATH=" & AdsEsc("CN=Groupe/1,DC=x")
WScript.Echo "PARENT=" & ParentDn("CN=Dupont\\, Jean,OU=Ventes,DC=exemple,DC=local")
WScript.Echo "LINE=" & LdapLine(LdapOpOf("domain_crossref"))
On Error Resume Next
WScript.Echo Expand("{defaultNC}", Vars("", ""), False)
WScript.Echo "MISSING=" & Err.Description
Err.Clear
'''
CASES["nothing_read"] = '''
Dim d, o, vals, errs
gCol = "{TMP}"
Set d = CreateObject("Scripting.Dictionary")
d("name") = "ad_rootdse"
d("ext") = "txt"
Set gCur = NewResult(d)
gRecValues = 0
gAdFirstErr = ""
OpenRecords "ad_rootdse", "test"
' un objet sans Get ni GetEx : chaque lecture echoue, comme un RootDSE muet
Set o = CreateObject("Scripting.Dictionary")
Set vals = ReadAttrs(o, Split("defaultNamingContext,configurationNamingContext", ","), errs)
RecKind "rootdse"
WriteReadAttrs vals, errs, "defaultNamingContext,configurationNamingContext"
CloseRecords
FailIfNothingRead
WScript.Echo "STATUS=" & gCur("status")
WScript.Echo "ERROR=" & gCur("error")
WScript.Echo "ERRS=" & errs.Count
' une seule valeur lue suffit : l'etape reste "ok"
Set gCur = NewResult(d)
gRecValues = 1
FailIfNothingRead
WScript.Echo "STATUS2=" & gCur("status")
'''
CASES["params"] = '''
Dim p, k
Set p = ReadParamsFile("{TMP}\\collect-params.txt")
For Each k In p.Keys
  WScript.Echo "P_" & UCase(k) & "=" & p(k)
Next
WScript.Echo "FILE=" & gParamsFile
WScript.Echo "CLIENTJSON=" & JStr(p("client"))
'''
CASES["stdregprov"] = '''
Dim outp, rc
gIs64 = True
ConnectReg
WScript.Echo "REGMODE=" & gRegMode
WScript.Echo "REGCTX=" & IsObject(gRegCtx)
WScript.Echo "REGWHY=" & gRegErr
' ExecMethod_ avec le contexte __ProviderArchitecture=64 : Wine le sait faire pour GetStringValue
rc = RegCall("GetStringValue", HKLM, "SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage", "OEMCP", outp)
WScript.Echo "REGRC=" & rc
WScript.Echo "REGVAL=" & outp.sValue
'''
CASES["digests"] = "Dim crc, sha\nInitHashTables\n" + "".join(
    f'DigestFile "{{TMP}}\\{name}.bin", True, crc, sha\nWScript.Echo "D_{name.upper()}=" & crc & " " & sha\n'
    f'DigestFile "{{TMP}}\\{name}.bin", False, crc, sha\nWScript.Echo "C_{name.upper()}=" & crc & " [" & sha & "]"\n'
    for name in DIGEST_INPUTS)


def _values(output: str) -> dict[str, str]:
    """KEY=value lines printed by the driver."""
    out = {}
    for line in output.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.replace("_", "").isalnum() and key.isupper():
            out[key] = value
    return out


@pytest.fixture(scope="module")
def units(wine, tmp_path_factory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("units")
    for name, data in INPUTS.items():
        (tmp / name).write_bytes(data)
    subs, calls = [], []
    for name, body in CASES.items():
        subs.append(f"Sub Case_{name}()\n{body.replace('{TMP}', wine_path(tmp))}\nEnd Sub\n")
        calls.append(f'Err.Clear\nCase_{name}\nIf Err.Number <> 0 Then WScript.Echo "ERR_{name.upper()}=" & '
                     f'Err.Number & " " & Err.Description\n')
    out = wine.run_driver(tmp, BYTES_FROM_HEX + "On Error Resume Next\n" + "".join(calls) + "WScript.Quit 0\n"
                          + "".join(subs))
    values = _values(out)
    values["_OUT"] = out
    values["_TMP"] = str(tmp)
    return values


def test_every_case_ran(units):
    errors = {k: v for k, v in units.items() if k.startswith("ERR_")}
    assert not errors, errors
    assert "STATUS2" in units and "D_OCTETS" in units, units["_OUT"]


def test_binary_values_become_lowercase_hex(units):
    assert units["VT"] == "8209"
    assert units["HEX"] == SID_544 == "01020000000000052000000020020000"
    assert units["EMPTY"] == "[]"
    assert units["NULL"] == "True"
    assert units["INTS"] == "000aff"
    assert units["FMT"] == SID_544  # any binary attribute written into a record is this hex
    assert units["STRERR"] == "13"  # a non-binary value is an error, never guessed


@pytest.mark.parametrize("key", sorted(CONTROLS))
def test_control_word_is_read_from_the_descriptor_hex(units, key):
    control, protected = CONTROLS[key]
    assert units[f"CONTROL_{key}"] == str(control)
    assert units[f"PROTECTED_{key}"] == str(protected)
    assert units[f"SDHEX_{key}"] == "True"


def test_no_descriptor_gives_no_control_word(units):
    # -> "Unknown" in ad_mail_users_protected, never "not protected"
    assert units["SHORT"] == units["NOTHEX"] == units["NULLSD"] == "True"
    assert units["ODDHEX"] == units["SHORTHEX"] == units["UPPERHEX"] == "False"  # what is kept as Sd


def test_record_escapes_and_the_fast_path(units):
    assert units["ESC"] == "C:\\\\dir\\r\\n\\t\\u0001fin"
    assert units["PLAIN"] == "01000494" + "a" * 4000


def test_ldap_placeholders_and_filter_escapes(units):
    assert units["FILTER"] == "(&(objectCategory=person)(objectClass=user)(sAMAccountName=Visto\\28Admin\\29\\2a))"
    assert units["TRUSTEE"] == "(sAMAccountName=a\\5cb)"
    assert units["BASE"] == "CN=Servers,CN=Groupe/1,DC=x"
    assert units["ADSPATH"] == "CN=Groupe\\/1,DC=x"
    assert units["PARENT"] == "OU=Ventes,DC=exemple,DC=local"
    assert units["LINE"] == ("LDAP | ad_domain | CN=Partitions,{configNC} | onelevel | "
                             "(&(objectClass=crossRef)(nCName={defaultNC})) | nETBIOSName")
    assert units["MISSING"] == "valeur inconnue pour {defaultNC}"  # RootDSE not read: no silent empty base


def test_an_ad_step_whose_every_read_failed_is_an_error(units):
    """ad_rootdse (any AD step): each Get failed -> status error with the first failure's text."""
    assert units["STATUS"] == "error"
    assert units["ERROR"].startswith("0x000001B6 ") and units["ERROR"].endswith("(defaultNamingContext)")
    assert units["ERRS"] == "2"
    assert units["STATUS2"] == "ok"
    decoded = decode_bytes((Path(units["_TMP"]) / "ad_rootdse.txt").read_bytes(), "utf-16le")
    records = parse_records(decoded.text, artifact="ad_rootdse")
    assert [r.kind for r in records] == ["rootdse"]
    assert records[0].get("defaultNamingContext") is None  # nothing invented: no property at all
    assert "#illisible: defaultNamingContext : 0x000001B6" in decoded.text


def test_parameter_file_reading(units):
    assert units["P_ACCOUNT"] == "SvcMobile"
    assert units["P_PACK"] == "vmes-5.5 1.1.0"
    assert units["CLIENTJSON"] == '"Soci\\u00e9t\\u00e9 G\\u00e9n\\u00e9rale"'  # read as Windows-1252
    assert units["FILE"] == "collect-params.txt"
    assert "P_COULEUR" not in units
    assert "Paramètre inconnu ignoré dans collect-params.txt : couleur" in units["_OUT"]
    assert "Ligne ignorée dans collect-params.txt (sans «\u00a0=\u00a0») : sans egal" in units["_OUT"]


def test_stdregprov_is_called_with_the_64_bit_context(units):
    """Each StdRegProv call goes through ExecMethod_ with the context (issue 9 item 10). Under
    Wine the names EnumValues returns are unreadable (COM array of BSTR): the probe says so
    and the collector falls back to WScript.Shell.RegRead."""
    assert units["REGCTX"] == "True"
    assert units["REGRC"] == "0" and units["REGVAL"].isdigit()
    assert units["REGMODE"] == "regread"
    assert units["REGWHY"].startswith("0x")  # why, as Windows (here Wine) said it: recorded in reg_values


def test_every_stdregprov_call_carries_the_context():
    src = (Path(__file__).resolve().parents[2] / "collector" / "src" / "registry.vbs").read_text(encoding="ascii")
    assert not re.search(r"gReg\.(EnumValues|EnumKey|Get\w+Value)\(", src), "direct method call without context"
    calls = re.findall(r"gReg\.ExecMethod_\(([^)]*)\)", src)
    assert calls == ["method, inp, 0, gRegCtx", "method, inp"]  # the second only when there is no context
    assert 'If IsObject(gRegCtx) Then' in src


@pytest.mark.parametrize("name", sorted(DIGEST_INPUTS))
def test_digests_equal_pythons(units, name):
    data = DIGEST_INPUTS[name]
    crc = zlib.crc32(data)
    assert units[f"D_{name.upper()}"] == f"{crc} {hashlib.sha256(data).hexdigest()}"
    assert units[f"C_{name.upper()}"] == f"{crc} []"
