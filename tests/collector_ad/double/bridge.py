"""The Python half of the ADSI/ADO test double: a small HTTP bridge on 127.0.0.1 that answers the
VBScript/JScript half (``adsi_double.vbs``, ``adsi_double.js``) from the Samba DC.

Every ADSI bind, ``GetInfoEx``/``Get`` and ADO search the collector makes under Wine becomes one POST
of a JSON request here; the bridge asks the DC through the harness's connections (opened in samba's
network namespace by :meth:`SambaDC.connect`), bound as the account the collection runs under, and
answers with typed values the JScript half turns into the Variants Windows returns. What ADSI does
on the member server (SD-flags per OS, re-encoding of descriptors, trustee names, ranges, HRESULTs)
is decided here, each point once, after ``docs/adsi-double.md``; a probe answers file
(``VMES_PROBE_FILE``, see :mod:`probe`) overrides the defaults.

The server is started by the test and stopped by :meth:`Bridge.stop` (``shutdown`` of its own thread).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer

import ldap3

from tests.samba.descriptors import SecurityDescriptor, sid_from_bytes, sid_to_bytes
from tests.samba.harness import sd_flags_control

from .probe import Assumptions

__all__ = ["Bridge", "HR", "reencode_descriptor"]

# ADSI / ADO error codes the double raises (docs/adsi-double.md)
HR = {
    "E_ADS_PROPERTY_NOT_FOUND": 0x8000500D,
    "NO_SUCH_OBJECT": 0x80072030,          # HRESULT_FROM_WIN32(ERROR_DS_NO_SUCH_OBJECT)
    "INVALID_DN_SYNTAX": 0x80072032,       # HRESULT_FROM_WIN32(ERROR_DS_INVALID_DN_SYNTAX)
    "ADO_TABLE_DOES_NOT_EXIST": 0x80040E37,  # DB_E_NOTABLE: ADsDSOObject, search base not found
    "ADO_ERRORS_OCCURRED": 0x80040E14,     # DB_E_ERRORSINCOMMAND: bad filter / command text
    "SERVER_DOWN": 0x8007203A,             # HRESULT_FROM_WIN32(ERROR_DS_SERVER_DOWN)
}
_LDAP_TO_HR = {32: HR["NO_SUCH_OBJECT"], 34: HR["INVALID_DN_SYNTAX"], 50: 0x80072098, 1: 0x80072020}
_SCOPES = {"base": ldap3.BASE, "onelevel": ldap3.LEVEL, "subtree": ldap3.SUBTREE}

# Well-known SIDs as LookupAccountSid names them on a French Windows (the sample machines' language).
WELL_KNOWN = {
    "S-1-1-0": "Tout le monde", "S-1-3-0": "CREATEUR PROPRIETAIRE", "S-1-5-7": "AUTORITE NT\\ANONYMOUS LOGON",
    "S-1-5-9": "AUTORITE NT\\ENTERPRISE DOMAIN CONTROLLERS", "S-1-5-10": "AUTORITE NT\\SELF",
    "S-1-5-11": "AUTORITE NT\\Utilisateurs authentifiés", "S-1-5-18": "AUTORITE NT\\SYSTEM",
    "S-1-5-4": "AUTORITE NT\\INTERACTIF", "S-1-5-15": "AUTORITE NT\\Cette organisation",
}
# RootDSE attributes are not in the schema: ADSI returns each as a string (docs/adsi-double.md)
_ROOTDSE = {"defaultnamingcontext", "configurationnamingcontext", "schemanamingcontext",
            "rootdomainnamingcontext", "dnshostname", "domainfunctionality", "forestfunctionality",
            "domaincontrollerfunctionality", "servername", "dsservicename", "namingcontexts",
            "supportedcontrol", "supportedldapversion", "currenttime", "highestcommittedusn"}


def reencode_descriptor(raw: bytes) -> bytes:
    """What ``ConvertSecurityDescriptor(sd, ADS_SD_FORMAT_IID, ADS_SD_FORMAT_HEXSTRING)`` gives back:
    ADSI rebuilds an absolute descriptor from its IADsSecurityDescriptor (owner, group, control, the
    DACL's ACEs in order) and makes it self-relative with MakeSelfRelativeSD, which lays out the DACL
    before owner and group. The semantics (owner, group, control, every ACE) equal the DC's; the byte
    layout does not. No SACL: the read asked for owner + group + DACL."""
    import struct

    sd = SecurityDescriptor.from_bytes(raw)
    revision, _, control, owner_off, group_off, _sacl, dacl_off = struct.unpack_from("<BBHIIII", raw, 0)
    dacl = b""
    if dacl_off:
        size = struct.unpack_from("<H", raw, dacl_off + 2)[0]
        dacl = raw[dacl_off:dacl_off + size]
    owner = sid_to_bytes(sd.owner) if sd.owner else b""
    group = sid_to_bytes(sd.group) if sd.group else b""
    off = 20
    d_off = off if dacl else 0
    off += len(dacl)
    o_off = off if owner else 0
    off += len(owner)
    g_off = off if group else 0
    control = (control | 0x8000) & ~0x0010          # self-relative; no SACL present
    return struct.pack("<BBHIIII", 1, 0, control, o_off, g_off, 0, d_off) + dacl + owner + group


@dataclass
class _Syntax:
    multi: bool
    kind: str            # s (string), i (integer), b (boolean), x (octets), sd, l (large integer)


@dataclass
class Bridge:
    """One collector run's double: the DC, the account, the OS modelled, the probe's answers."""
    dc: object                                  # tests.samba.harness.SambaDC
    user_dn: str
    password: str
    os: str = "2003"                            # "2000" or "2003"
    assumptions: Assumptions = field(default_factory=Assumptions)
    range_page: int | None = None               # the DC's MaxValRange as the double models it
    # fault injection (error paths of the collector): "down" (every bind, read and search fails with
    # 0x8007203A), "bind:<text>", "search:<text>" (a bind / ADO command containing the text fails),
    # "read:<attribute>" (Get/GetEx of that attribute fails), "convert" (ConvertSecurityDescriptor
    # fails); each maps to the HRESULT raised
    faults: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    log: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._conn = self.dc.connect(self.user_dn, self.password)
        self._gc = None
        self._syntax: dict[str, _Syntax] = {}
        self._names: dict[str, str] = {}
        self._server: HTTPServer | None = None
        self._thread: threading.Thread | None = None
        if self.range_page is None:
            self.range_page = self.assumptions.max_val_range(self.os)

    # ------------------------------------------------------------ server
    def start(self) -> str:
        bridge = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    answer = bridge.handle(json.loads(body.decode("utf-8")))
                except Exception as exc:  # a bridge bug: the JScript half raises it as E_FAIL
                    answer = {"hr": 0x80004005, "text": f"bridge: {type(exc).__name__}: {exc}"}
                    bridge.log.append(answer["text"])
                data = json.dumps(answer).encode("ascii")
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="adsi-double-bridge", daemon=True)
        self._thread.start()
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(10)
            self._server = None
        for conn in (self._conn, self._gc):
            if conn is not None:
                conn.unbind()

    # ------------------------------------------------------------ requests
    def handle(self, req: dict) -> dict:
        with self._lock:
            self.requests += 1
            op = req.get("op")
            if op == "config":
                return self.config()
            if "down" in self.faults and op in ("bind", "read", "search"):
                return {"hr": self.faults["down"]}
            for key, hr in self.faults.items():
                kind, _, text = key.partition(":")
                if (kind == "bind" and op == "bind" and text.lower() in req["path"].lower()) or \
                        (kind == "search" and op == "search" and text in req["command"]):
                    return {"hr": hr}
            if op == "bind":
                return self.bind(req["path"])
            if op == "read":
                return self.read(req["path"], req["attrs"], req.get("mask"))
            if op == "search":
                return self.search(req["command"])
            if op == "names":
                return {"names": [self.account_name(s) for s in req["sids"]]}
            return {"hr": 0x80004001, "text": f"unknown op {op}"}

    def config(self) -> dict:
        return {"os": self.os, "secutil": self.assumptions.has_security_utility(self.os),
                "user_dn": self.user_dn, "computer": "VMES01",
                "second_execute": self.assumptions.second_execute_ok(self.os),
                "hexstring_raw": self.assumptions.hexstring_is_raw(self.os),
                "convert_hr": self.faults.get("convert", 0)}

    @staticmethod
    def _split_path(path: str) -> tuple[str, str]:
        """"LDAP://CN=a\\/b,DC=x" -> ("LDAP", "CN=a/b,DC=x"); a server name before "/" is not used."""
        m = re.match(r"^(LDAP|GC)://(.*)$", path, re.I | re.S)
        if not m:
            raise ValueError(f"not an ADsPath: {path}")
        rest = m.group(2)
        return m.group(1).upper(), rest.replace("\\/", "/")

    def _connection(self, provider: str):
        if provider == "GC":
            if self._gc is None:
                self._gc = self.dc.connect(self.user_dn, self.password, port=3268)
            return self._gc
        return self._conn

    def _base_search(self, provider: str, dn: str, attrs: list[str], controls=None):
        conn = self._connection(provider)
        base = "" if dn.lower() == "rootdse" else dn
        ok = conn.search(base, "(objectClass=*)", ldap3.BASE, attributes=attrs or ["1.1"], controls=controls)
        if not ok:
            code = conn.result.get("result")
            if code == 0:
                return None, HR["NO_SUCH_OBJECT"]
            return None, _LDAP_TO_HR.get(code, 0x80072020)
        entries = [e for e in conn.response if e.get("type") == "searchResEntry"]
        if not entries:
            return None, HR["NO_SUCH_OBJECT"]
        return entries[0], 0

    def bind(self, path: str) -> dict:
        """GetObject: ADSI reads the object's objectClass to bind; a missing object fails here."""
        provider, dn = self._split_path(path)
        entry, hr = self._base_search(provider, dn, ["objectClass"])
        if hr:
            return {"hr": hr}
        return {"ok": 1, "dn": entry["dn"] if dn.lower() != "rootdse" else ""}

    # ------------------------------------------------------------ schema and values
    def syntax(self, attr: str) -> _Syntax:
        key = attr.lower()
        if key in _ROOTDSE:
            return _Syntax(key in ("namingcontexts", "supportedcontrol", "supportedldapversion"), "s")
        if key not in self._syntax:
            schema = self.dc.schema_dn
            self._conn.search(schema, f"(lDAPDisplayName={attr})", ldap3.LEVEL,
                              attributes=["isSingleValued", "oMSyntax", "attributeSyntax"])
            found = [e for e in self._conn.response if e.get("type") == "searchResEntry"]
            if not found:
                self._syntax[key] = _Syntax(False, "s")
            else:
                raw = found[0]["raw_attributes"]
                single = raw.get("isSingleValued", [b"TRUE"])[0] == b"TRUE"
                om = int(raw.get("oMSyntax", [b"64"])[0])
                kind = {1: "b", 2: "i", 10: "i", 4: "x", 65: "l", 66: "sd"}.get(om, "s")
                self._syntax[key] = _Syntax(not single, kind)
        return self._syntax[key]

    def _typed(self, attr: str, raw: bytes, *, adsi: bool) -> list:
        kind = self.syntax(attr).kind
        if kind == "sd":
            return self._sd_value(raw) if adsi else ["x", raw.hex()]
        if kind == "x":
            return ["x", raw.hex()]
        if kind == "i":
            value = int(raw)
            return ["i", value - (1 << 32) if value >= 1 << 31 else value]
        if kind == "b":
            return ["b", raw.upper() == b"TRUE"]
        if kind == "l":
            value = int(raw) & ((1 << 64) - 1)
            hi, lo = value >> 32, value & 0xFFFFFFFF
            return ["l", hi - (1 << 32) if hi >= 1 << 31 else hi, lo - (1 << 32) if lo >= 1 << 31 else lo]
        return ["s", raw.decode("utf-8")]

    def account_name(self, sid: str) -> str:
        """LookupAccountSid on the member server, as ADSI uses it for IADsAccessControlEntry.Trustee."""
        if sid in WELL_KNOWN:
            return WELL_KNOWN[sid]
        if sid not in self._names:
            name = sid                                    # not resolved: ADSI shows the SID string
            self._conn.search(self.dc.domain_dn, f"(objectSid={sid})", ldap3.SUBTREE, attributes=["sAMAccountName"])
            found = [e for e in self._conn.response if e.get("type") == "searchResEntry"]
            if len(found) == 1 and found[0]["raw_attributes"].get("sAMAccountName"):
                sam = found[0]["raw_attributes"]["sAMAccountName"][0].decode("utf-8")
                dom = "BUILTIN" if sid.startswith("S-1-5-32-") else self.dc.netbios
                name = f"{dom}\\{sam}"
            self._names[sid] = name
        return self._names[sid]

    def _sd_value(self, raw: bytes) -> list:
        sd = SecurityDescriptor.from_bytes(raw)
        aces = []
        for ace in sd.dacl:
            flags = (1 if ace.object_type else 0) | (2 if ace.inherited_object_type else 0)
            mask = ace.mask - (1 << 32) if ace.mask >= 1 << 31 else ace.mask
            aces.append([ace.type, ace.flags, mask, flags,
                         "{" + ace.object_type.upper() + "}" if ace.object_type else "",
                         "{" + ace.inherited_object_type.upper() + "}" if ace.inherited_object_type else "",
                         self.account_name(ace.sid)])
        return ["sd", {"owner": self.account_name(sd.owner) if sd.owner else "",
                       "group": self.account_name(sd.group) if sd.group else "",
                       "control": sd.control, "hex": reencode_descriptor(raw).hex(), "rawhex": raw.hex(),
                       "aces": aces}]

    @staticmethod
    def _values(entry: dict, attr: str) -> list[bytes] | None:
        for key, vals in entry["raw_attributes"].items():
            if key.lower() == attr.lower() or key.lower().startswith(attr.lower() + ";range="):
                return list(vals)
        return None

    def _sd_controls(self, mask: int | None):
        """The SD-flags control ADSI sends for a read: the object's ADS_OPTION_SECURITY_MASK, or none
        (the DC then assumes all four flags: MS-ADTS 3.1.1.4.4)."""
        return [sd_flags_control(mask)] if mask else None

    def read(self, path: str, attrs: list[str], mask: int | None) -> dict:
        """GetInfoEx: the attributes asked, ADSI's cache form; ``attr;range=L-*`` gives the values from
        L, ``range_page`` at most (absent beyond the last)."""
        provider, dn = self._split_path(path)
        plain, ranges = [], {}
        for a in attrs:
            m = re.match(r"^([^;]+);range=(\d+)-(\*|\d+)$", a, re.I)
            if m:
                ranges[m.group(1).lower()] = int(m.group(2))
                plain.append(m.group(1))
            else:
                plain.append(a)
        wants_sd = any(a.lower() == "ntsecuritydescriptor" for a in plain)
        entry, hr = self._base_search(provider, dn, plain, self._sd_controls(
            mask if mask is not None else self.assumptions.adsi_default_mask(self.os)) if wants_sd else None)
        if hr:
            return {"hr": hr}
        out = {}
        for a in plain:
            vals = self._values(entry, a)
            if not vals:
                continue
            syn = self.syntax(a)
            start = ranges.get(a.lower())
            if syn.multi and start is not None:
                vals = vals[start:start + self.range_page]
                if not vals:
                    continue
            elif syn.multi:
                vals = vals[:self.range_page]
            out[a.lower()] = {"multi": syn.multi, "vals": [self._typed(a, v, adsi=True) for v in vals]}
        for a in plain:
            if f"read:{a.lower()}" in {k.lower() for k in self.faults}:
                out[a.lower()] = {"hr": next(hr for k, hr in self.faults.items() if k.lower() == f"read:{a.lower()}")}
        return {"attrs": out}

    def search(self, command: str) -> dict:
        """ADO (ADsDSOObject) command "<ADsPath>;filter;attrs;scope": every row, fields in the asked order."""
        parts = command.split(";")
        if len(parts) != 4 or not (parts[0].startswith("<") and parts[0].endswith(">")):
            return {"hr": HR["ADO_ERRORS_OCCURRED"]}
        provider, base = self._split_path(parts[0][1:-1])
        filter_, attrs, scope = parts[1], [a.strip() for a in parts[2].split(",")], parts[3].strip().lower()
        if scope not in _SCOPES:
            return {"hr": HR["ADO_ERRORS_OCCURRED"]}
        conn = self._connection(provider)
        controls = None
        if any(a.lower() == "ntsecuritydescriptor" for a in attrs):
            controls = self._sd_controls(self.assumptions.ado_sd_flags(self.os))
        try:
            entries = conn.extend.standard.paged_search(base, filter_, _SCOPES[scope], attributes=attrs,
                                                        paged_size=500, controls=controls, generator=False)
        except ldap3.core.exceptions.LDAPException:
            return {"hr": HR["ADO_ERRORS_OCCURRED"]}
        code = conn.result.get("result")
        if code == 32:
            return {"hr": HR["ADO_TABLE_DOES_NOT_EXIST"]}
        if code not in (0, None):
            return {"hr": _LDAP_TO_HR.get(code, 0x80040E14)}
        rows = []
        for entry in entries:
            if entry.get("type") != "searchResEntry":
                continue
            row = {}
            for a in attrs:
                if a.lower() == "adspath":
                    row[a.lower()] = ["s", f"{provider}://{entry['dn'].replace('/', chr(92) + '/')}"]
                    continue
                vals = self._values(entry, a)
                syn = self.syntax(a)
                if a.lower() == "distinguishedname" and not vals:
                    vals = [entry["dn"].encode("utf-8")]
                if not vals:
                    row[a.lower()] = None
                elif syn.multi and len(vals) > self.range_page:
                    # the DC sends attr;range=0-(page-1): ADO finds no column of the asked name
                    row[a.lower()] = None
                elif syn.multi:
                    row[a.lower()] = {"multi": True, "vals": [self._typed(a, v, adsi=False) for v in vals]}
                else:
                    row[a.lower()] = self._typed(a, vals[0], adsi=False)
            rows.append(row)
        return {"rows": rows, "fields": [a.lower() for a in attrs]}
