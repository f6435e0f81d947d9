"""Pieces of the released collect.vbs that need no directory, run under Wine through a driver.

The driver replaces only the collector's entry point (``Main``); every
function called is the released code. What Wine cannot give (a domain, ADSI
LDAP, ADO's ADsDSOObject provider, ADsSecurityUtility) is listed in the
collector part of the report; here: the hex conversion of binary values
(byte arrays made by MSXML, since ADODB.Stream is unusable under Wine 8), the
control word read from a descriptor's hex, the record escapes, the LDAP
placeholders and escapes, an ADSI object whose every Get fails, the
parameter file, and the digests against Python's.
"""

from __future__ import annotations

import hashlib
import os
import struct
import zlib

import pytest

from vmes_audit.encoding import decode_bytes
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


def _values(output: str) -> dict[str, str]:
    """KEY=value lines printed by a driver."""
    out = {}
    for line in output.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.isupper():
            out[key] = value
    return out


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


def test_binary_values_become_lowercase_hex(wine, tmp_path):
    sid = _sid_bytes("S-1-5-32-544").hex()
    out = wine.run_driver(tmp_path, BYTES_FROM_HEX + f'''
Dim b
b = BytesOf("{sid.upper()}")
WScript.Echo "VT=" & VarType(b)
WScript.Echo "HEX=" & BinHex(b)
WScript.Echo "EMPTY=[" & BinHex(BytesOf("")) & "]"
WScript.Echo "NULL=" & IsNull(BinHex(Null))
WScript.Echo "INTS=" & BinHex(Array(0, 10, 255))
WScript.Echo "FMT=" & FmtScalar(b)
On Error Resume Next
WScript.Echo "STR=" & BinHex("0102")
WScript.Echo "STRERR=" & Err.Number
''')
    v = _values(out)
    assert v["VT"] == "8209", out
    assert v["HEX"] == sid == "01020000000000052000000020020000"
    assert v["EMPTY"] == "[]"
    assert v["NULL"] == "True"
    assert v["INTS"] == "000aff"
    assert v["FMT"] == sid  # any binary attribute written into a record is this hex
    assert v["STRERR"] == "13"  # a non-binary value is an error, never guessed


@pytest.mark.parametrize("control,protected", [(0x9414, True), (0x8004, False), (0x8c14, False), (0x9c04, True)])
def test_control_word_is_read_from_the_descriptor_hex(wine, tmp_path, control, protected):
    sd = _self_relative_sd(control).hex()
    out = wine.run_driver(tmp_path, BYTES_FROM_HEX + f'''
Dim c
c = SdControlFromHex(SafeBinHex(BytesOf("{sd}")))
WScript.Echo "CONTROL=" & c
WScript.Echo "PROTECTED=" & ((c And &H1000) <> 0)
WScript.Echo "SDHEX=" & IsSdHex(SafeBinHex(BytesOf("{sd}")))
WScript.Echo "SHORT=" & IsNull(SdControlFromHex("01001494"))
WScript.Echo "NOTHEX=" & IsNull(SdControlFromHex("zz001494" & String(40, "0")))
WScript.Echo "NULLSD=" & IsNull(SdControlFromHex(SafeBinHex(Null)))
''')
    v = _values(out)
    assert v["CONTROL"] == str(control), out
    assert v["PROTECTED"] == str(protected)
    assert v["SDHEX"] == "True"
    assert v["SHORT"] == v["NOTHEX"] == v["NULLSD"] == "True"  # no descriptor -> "Unknown", never "not protected"


def test_record_escapes_and_the_fast_path(wine, tmp_path):
    out = wine.run_driver(tmp_path, '''
WScript.Echo "ESC=" & RecEscape("C:\\dir" & vbCr & vbLf & vbTab & Chr(1) & "fin")
WScript.Echo "PLAIN=" & RecEscape("01000494" & String(4000, "a"))
''')
    v = _values(out)
    assert v["ESC"] == "C:\\\\dir\\r\\n\\t\\u0001fin"
    assert v["PLAIN"] == "01000494" + "a" * 4000


def test_ldap_placeholders_and_filter_escapes(wine, tmp_path):
    out = wine.run_driver(tmp_path, '''
gAccount = "Visto(Admin)*"
gHost = "EXCH01"
Dim op
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
''')
    v = _values(out)
    assert v["FILTER"].endswith("(&(objectCategory=person)(objectClass=user)(sAMAccountName=Visto\\28Admin\\29\\2a))")
    assert v["TRUSTEE"] == "(sAMAccountName=a\\5cb)"
    assert v["BASE"] == "CN=Servers,CN=Groupe/1,DC=x"
    assert v["ADSPATH"] == "CN=Groupe\\/1,DC=x"
    assert v["PARENT"] == "OU=Ventes,DC=exemple,DC=local"
    assert v["LINE"] == ("LDAP | ad_domain | CN=Partitions,{configNC} | onelevel | "
                         "(&(objectClass=crossRef)(nCName={defaultNC})) | nETBIOSName")
    assert v["MISSING"] == "valeur inconnue pour {defaultNC}"  # RootDSE not read: no silent empty base


def test_an_ad_step_whose_every_read_failed_is_an_error(wine, tmp_path):
    """ad_rootdse (any AD step): each Get failed -> status error with the first failure's text."""
    out = wine.run_driver(tmp_path, f'''
Dim d, o, vals, errs
gCol = "{wine_path(tmp_path)}"
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
''')
    v = _values(out)
    assert v["STATUS"] == "error", out
    assert v["ERROR"].startswith("0x000001B6 ") and v["ERROR"].endswith("(defaultNamingContext)"), v["ERROR"]
    assert v["ERRS"] == "2"
    assert v["STATUS2"] == "ok"
    decoded = decode_bytes((tmp_path / "ad_rootdse.txt").read_bytes(), "utf-16le")
    records = parse_records(decoded.text, artifact="ad_rootdse")
    assert [r.kind for r in records] == ["rootdse"]
    assert records[0].get("defaultNamingContext") is None  # nothing invented: no property at all
    assert "#illisible: defaultNamingContext : 0x000001B6" in decoded.text


def test_parameter_file_reading(wine, tmp_path):
    params = tmp_path / "collect-params.txt"
    params.write_bytes("# Paramètres\r\nACCOUNT = SvcMobile\r\nclient=Société Générale\r\n"
                       "pack=vmes-5.5 1.1.0\r\ncouleur=bleu\r\nsans egal\r\n\r\n".encode("cp1252"))
    out = wine.run_driver(tmp_path, f'''
Dim p, k
Set p = ReadParamsFile("{wine_path(params)}")
For Each k In p.Keys
  WScript.Echo "P_" & UCase(k) & "=" & p(k)
Next
WScript.Echo "FILE=" & gParamsFile
WScript.Echo "CLIENTJSON=" & JStr(p("client"))
''')
    v = _values(out)
    assert v["P_ACCOUNT"] == "SvcMobile"
    assert v["P_PACK"] == "vmes-5.5 1.1.0"
    assert v["CLIENTJSON"] == '"Soci\\u00e9t\\u00e9 G\\u00e9n\\u00e9rale"'  # read as Windows-1252
    assert v["FILE"] == "collect-params.txt"
    assert "P_COULEUR" not in v
    assert "Paramètre inconnu ignoré dans collect-params.txt : couleur" in out
    assert "Ligne ignorée dans collect-params.txt (sans «\u00a0=\u00a0») : sans egal" in out


def test_digests_equal_pythons(wine, tmp_path):
    cases = {
        "vide": b"",
        "un": b"\x00",
        "cinquante-cinq": os.urandom(55),
        "cinquante-six": os.urandom(56),
        "bloc": os.urandom(64),
        "bloc-plus-un": os.urandom(65),
        "utf16": ("\ufeffWindows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE]\r\n"
                  '"Nom"="Société Ā"\r\n' * 40).encode("utf-16le"),
        "octets": bytes(range(256)) * 9 + b"\x81\x8d\x8f\x90\x9d",
    }
    driver = "InitHashTables\nDim crc, sha\n"
    for name, data in cases.items():
        (tmp_path / f"{name}.bin").write_bytes(data)
        p = wine_path(tmp_path / f"{name}.bin")
        driver += (f'DigestFile "{p}", True, crc, sha\nWScript.Echo "{name.upper()}=" & crc & " " & sha\n'
                   f'DigestFile "{p}", False, crc, sha\nWScript.Echo "{name.upper()}_CRC=" & crc & " [" & sha & "]"\n')
    v = _values(wine.run_driver(tmp_path, driver))
    for name, data in cases.items():
        crc = zlib.crc32(data)
        assert v[name.upper()] == f"{crc} {hashlib.sha256(data).hexdigest()}", name
        assert v[f"{name.upper()}_CRC"] == f"{crc} []", name
