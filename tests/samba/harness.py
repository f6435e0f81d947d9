"""A Samba 4 AD DC for the tests, inside a private network namespace.

``SambaDC`` provisions a domain into a temporary folder, extends its schema
with ``exchange_schema.ldif`` (offline, one entry per ``ldbmodify``), then
starts ``samba`` in the foreground under ``unshare -n`` with only ``lo`` up:
the server binds 127.0.0.1 of its own namespace, so nothing it does can reach
another address, and the host's services never see it. The test process
reaches it without leaving the host namespace: :meth:`SambaDC.connect` opens
the LDAP socket in a short-lived thread that ``setns()``-es into
``/proc/<samba pid>/ns/net`` (namespaces are per thread, and a socket keeps
the namespace it was created in), then hands the bound connection back.

Pitfalls measured with Samba 4.17 (Debian 12), each handled below:

- the simple binds the reader uses need ``ldap server require strong auth = no``;
- ``--dns-backend=NONE`` writes no ``dns forwarder``; ``server services`` is
  reduced to ``ldap`` (no dnsupdate, nbt, kdc, rpc...), TLS is off;
- pid, lock, ncalrpc and winbindd socket folders and the log go into the
  temporary folder, never into /var or /run;
- an ordinary user gets ``nTSecurityDescriptor`` only with the SD-flags
  control (OID 1.2.840.113556.1.4.801, value 7 = owner + group + DACL);
- every provision makes a new domain SID: nothing in the tests hard-codes one.

Stopping sends SIGTERM to the PID we started (then SIGKILL after a timeout);
``samba`` ends its own children. :func:`samba_processes` lets the session
check that none outlives it.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import ldap3

__all__ = ["SambaDC", "SambaError", "SD_FLAGS_CONTROL", "sd_flags_control", "samba_processes"]

HERE = Path(__file__).resolve().parent
SCHEMA_LDIF = HERE / "exchange_schema.ldif"
_CLONE_NEWNET = 0x40000000
SD_FLAGS_OID = "1.2.840.113556.1.4.801"


class SambaError(RuntimeError):
    """The test directory could not be provisioned, started or reached."""


def sd_flags_control(flags: int = 7) -> tuple[str, bool, bytes]:
    """LDAP_SERVER_SD_FLAGS_OID control: BER SEQUENCE { INTEGER flags } (7 = owner, group, DACL)."""
    return (SD_FLAGS_OID, True, bytes([0x30, 0x03, 0x02, 0x01, flags]))


SD_FLAGS_CONTROL = sd_flags_control(7)


def samba_processes(namespaces: set[str] | None = None) -> list[int]:
    """PIDs of the processes named ``samba`` (``pgrep -x samba``); with ``namespaces``, only those in
    one of these network namespaces (``/proc/PID/ns/net``): the ones a harness started, not another
    test session's running beside it on the same machine."""
    out = subprocess.run(["pgrep", "-x", "samba"], capture_output=True, text=True)
    pids = [int(p) for p in out.stdout.split()]
    if namespaces is None:
        return pids
    return [pid for pid in pids if _net_namespace(pid) in namespaces]


def _net_namespace(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/ns/net")
    except OSError:  # ended meanwhile, or not ours to read
        return ""


def _missing_tools() -> list[str]:
    return [t for t in ("samba", "samba-tool", "ldbmodify", "unshare", "ip") if shutil.which(t) is None]


@dataclass
class Timings:
    provision_s: float = 0.0
    schema_s: float = 0.0
    start_s: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)


class SambaDC:
    """One provisioned forest root domain, started in its own network namespace."""

    def __init__(self, root: Path, *, realm: str = "CORP.EXEMPLE.TEST", netbios: str = "CORP",
                 host: str = "DC01", admin_password: str = "Vm3s-Audit!Samba",
                 domain_sid: str | None = None) -> None:
        self.root = Path(root)
        # None: the provision draws one (the tests); a sample's regeneration pins its own (samples/regenerate_ad.py)
        self.requested_domain_sid = domain_sid
        self.realm = realm
        self.netbios = netbios
        self.host = host
        self.admin_password = admin_password
        self.domain_dn = ",".join(f"DC={part}" for part in realm.lower().split("."))
        self.config_dn = f"CN=Configuration,{self.domain_dn}"
        self.schema_dn = f"CN=Schema,{self.config_dn}"
        self.admin_dn = f"CN=Administrator,CN=Users,{self.domain_dn}"
        self.process: subprocess.Popen | None = None
        # the network namespace of every start (unshare makes one each time): what a leftover is sought in
        self.namespaces: set[str] = set()
        self.timings = Timings()
        self.domain_sid = ""

    # ------------------------------------------------------------ files
    @property
    def sam_ldb(self) -> Path:
        return self.root / "private" / "sam.ldb"

    @property
    def conf(self) -> Path:
        return self.root / "etc" / "run.conf"

    @property
    def log_file(self) -> Path:
        return self.root / "log" / "samba.log"

    def _run(self, argv: list[str], what: str, **kw) -> subprocess.CompletedProcess:
        done = subprocess.run(argv, capture_output=True, text=True, **kw)
        if done.returncode != 0:
            raise SambaError(f"{what} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
        return done

    # ------------------------------------------------------------ provision
    def provision(self) -> None:
        missing = _missing_tools()
        if missing:
            raise SambaError("missing tools for the Samba tests: " + ", ".join(missing)
                             + " (apt-get install samba samba-ad-dc samba-ad-provision ldb-tools iproute2)")
        started = time.monotonic()
        self.root.mkdir(parents=True, exist_ok=True)
        # --dns-backend=NONE: no internal DNS, hence no "dns forwarder" copied from resolv.conf.
        self._run(["samba-tool", "domain", "provision", f"--realm={self.realm}", f"--domain={self.netbios}",
                   f"--host-name={self.host}", f"--adminpass={self.admin_password}", "--server-role=dc",
                   "--dns-backend=NONE", f"--targetdir={self.root}",
                   *([f"--domain-sid={self.requested_domain_sid}"] if self.requested_domain_sid else []),
                   "--option=interfaces=127.0.0.1", "--option=bind interfaces only=yes"],
                  "samba-tool domain provision")
        self.timings.provision_s = time.monotonic() - started
        for folder in ("run", "run/ncalrpc", "run/winbindd", "log", "cache"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self._write_conf()
        self.domain_sid = self._read_domain_sid()
        if self.requested_domain_sid and self.domain_sid != self.requested_domain_sid:
            raise SambaError(f"provisioned domain SID {self.domain_sid}, not the requested {self.requested_domain_sid}")

    def _write_conf(self) -> None:
        r = self.root
        self.conf.write_text(f"""# Written by tests/samba/harness.py: a DC for the tests only, on 127.0.0.1 of its own namespace.
[global]
\tnetbios name = {self.host}
\trealm = {self.realm}
\tworkgroup = {self.netbios}
\tserver role = active directory domain controller
\tserver services = ldap
\tinterfaces = 127.0.0.1
\tbind interfaces only = yes
\tldap server require strong auth = no
\ttls enabled = no
\tprivate dir = {r}/private
\tstate directory = {r}/state
\tcache directory = {r}/cache
\tlock directory = {r}
\tpid directory = {r}/run
\tncalrpc dir = {r}/run/ncalrpc
\twinbindd socket directory = {r}/run/winbindd
\tbinddns dir = {r}/bind-dns
\tlog file = {r}/log/samba.log
\tlogging = file
\tlog level = 0
""", encoding="ascii")

    def _read_domain_sid(self) -> str:
        out = self._run(["ldbsearch", "-H", str(self.sam_ldb), "-s", "base", "-b", self.domain_dn, "objectSid"],
                        "ldbsearch objectSid").stdout
        match = re.search(r"^objectSid: (S-1-5-21-[0-9-]+)$", out, re.M)
        if not match:
            raise SambaError(f"no domain SID in {self.sam_ldb}")
        return match.group(1)

    def ldb_modify(self, ldif: str, *, schema: bool = False, relax: bool = False, what: str = "ldbmodify") -> None:
        """Apply one LDIF change to the database file directly (as the system: no access check).

        ``relax`` adds the LDB relax control (a crossRef naming a partition this DC does not hold).
        """
        argv = ["ldbmodify", "-H", str(self.sam_ldb)] + (["--controls=relax:0"] if relax else [])
        if schema:
            argv.append("--option=dsdb:schema update allowed=true")
        self._run(argv, what, input=ldif)

    def apply_schema(self, path: Path = SCHEMA_LDIF) -> int:
        """Apply the Exchange schema extension, one entry per ldbmodify. Returns the number of entries."""
        started = time.monotonic()
        text = path.read_text(encoding="utf-8").replace("${SCHEMADN}", self.schema_dn) \
            .replace("${CONFIGDN}", self.config_dn)
        entries = [e for e in re.split(r"\n\s*\n", text)
                   if any(line.startswith("dn:") for line in e.splitlines())]
        for entry in entries:
            dn = next(line for line in entry.splitlines() if line.startswith("dn:"))
            self.ldb_modify(entry + "\n", schema=True, what=f"schema entry {dn}")
        self.timings.schema_s = time.monotonic() - started
        return len(entries)

    # ------------------------------------------------------------ run
    def start(self, timeout: float = 30.0, *, tls: bool = False) -> None:
        """``tls``: also serve LDAPS on 636 (Samba generates a self-signed certificate at that start,
        about a second; only the tests that reset passwords need it)."""
        started = time.monotonic()
        conf = self.conf.read_text(encoding="ascii")
        self.conf.write_text(re.sub(r"tls enabled = \w+", f"tls enabled = {'yes' if tls else 'no'}", conf),
                             encoding="ascii")
        log = open(self.root / "log" / "stdout.log", "wb")
        # unshare execs the shell, which execs samba: the PID we keep is samba's own.
        self.process = subprocess.Popen(
            ["unshare", "--net", "--", "sh", "-c",
             f'ip link set lo up && exec samba --foreground --no-process-group -s "{self.conf}"'],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SambaError(f"samba exited with {self.process.returncode}: {self._log_tail()}")
            try:
                conn = self.connect(self.admin_dn, self.admin_password)
                conn.unbind()
                self.namespaces.add(_net_namespace(self.process.pid))
                self.timings.start_s = time.monotonic() - started
                return
            except Exception as exc:  # not listening yet
                last_error = exc
                time.sleep(0.2)
        self.stop()
        raise SambaError(f"samba did not answer on 127.0.0.1:389 within {timeout} s ({last_error}): {self._log_tail()}")

    def _log_tail(self) -> str:
        texts = []
        for name in ("stdout.log", "samba.log"):
            path = self.root / "log" / name
            if path.is_file():
                texts.append(path.read_text(errors="replace")[-1500:])
        return "\n".join(texts)

    @property
    def pid(self) -> int:
        if self.process is None:
            raise SambaError("samba is not started")
        return self.process.pid

    def in_namespace(self, fn):
        """Run ``fn()`` in a thread that joined samba's network namespace; return its result."""
        result: dict[str, object] = {}

        def target() -> None:
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                fd = os.open(f"/proc/{self.pid}/ns/net", os.O_RDONLY)
                try:
                    if libc.setns(fd, _CLONE_NEWNET) != 0:
                        err = ctypes.get_errno()
                        raise OSError(err, f"setns: {os.strerror(err)}")
                finally:
                    os.close(fd)
                result["value"] = fn()
            except BaseException as exc:  # handed back to the caller's thread
                result["error"] = exc

        thread = threading.Thread(target=target, name="samba-netns")
        thread.start()
        thread.join()
        if "error" in result:
            raise result["error"]  # type: ignore[misc]
        return result["value"]

    def connect(self, user_dn: str | None = None, password: str | None = None, *, port: int = 389,
                tls: bool = False) -> ldap3.Connection:
        """A simple-bound LDAP connection to 127.0.0.1:<port> of samba's namespace (3268: global catalog).

        ``tls``: LDAPS on 636 (Samba's self-signed certificate, generated at its first start, is not
        verified: the peer is our own process on loopback). Samba accepts password resets only there.
        """
        user_dn = user_dn or self.admin_dn
        password = password if password is not None else self.admin_password

        def open_connection() -> ldap3.Connection:
            if tls:
                server = ldap3.Server("127.0.0.1", port=636, use_ssl=True, get_info=ldap3.NONE, connect_timeout=5,
                                      tls=ldap3.Tls(validate=ssl.CERT_NONE))
            else:
                server = ldap3.Server("127.0.0.1", port=port, get_info=ldap3.NONE, connect_timeout=5)
            return ldap3.Connection(server, user=user_dn, password=password, auto_bind=True,
                                    raise_exceptions=False, receive_timeout=30, auto_referrals=False)

        return self.in_namespace(open_connection)

    def _descendants(self) -> list[int]:
        """PIDs of every process below samba's root process (its prefork tasks and workers)."""
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        found, todo = [], [self.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                found.append(child)
                todo.append(child)
        return found

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM to samba's PID, then wait for it and for each of its children, by PID."""
        if self.process is None:
            return
        family = self._descendants() if self.process.poll() is None else []
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        deadline = time.monotonic() + timeout
        for pid in family:
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            if Path(f"/proc/{pid}").exists():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.process = None
