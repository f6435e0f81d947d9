"""One provisioned forest for the session, restored from a snapshot for each scenario.

Provisioning and the schema extension run once (about 6 s); the folder is
then copied aside. Each scenario restores that copy into the same path
(Samba's files name their partitions by path), starts ``samba``, builds its
organisation, lets the reader collect it as the service account, writes the
VMES machine collection's zip, and stops ``samba``: scenarios never see each
other's objects and every one starts from the same domain SID.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .collection import MachineIdentity, build_zip, write_source
from .directory import Directory
from .harness import SambaDC, samba_processes
from .reader import Artifact, DirectoryReader
from .scenarios import ACCOUNT, PASSWORD, Scenario

__all__ = ["Forest", "Collected"]


@dataclass
class Collected:
    scenario: Scenario
    zip_path: Path
    source: Path
    artifacts: dict[str, Artifact]
    identity: MachineIdentity
    domain_sid: str
    account_sid: str
    issued: list
    seconds: float
    objects: dict[str, str] = field(default_factory=dict)      # role -> DN (org, server, store…)
    during: object = None       # what ``collect(during=...)`` returned (tests/collector_ad: the Wine runs)


class Forest:
    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.dc = SambaDC(self.workdir / "dc")
        self.snapshot = self.workdir / "dc.snapshot"
        self.timings: dict[str, float] = {}
        self._before: set[int] = set()

    def prepare(self) -> None:
        started = time.monotonic()
        self._before = set(samba_processes())
        self.dc.provision()
        self.dc.apply_schema()
        shutil.copytree(self.dc.root, self.snapshot, symlinks=True)
        self.timings["provision_s"] = self.dc.timings.provision_s
        self.timings["schema_s"] = self.dc.timings.schema_s
        self.timings["prepare_s"] = time.monotonic() - started

    def _restore(self) -> None:
        shutil.rmtree(self.dc.root)
        shutil.copytree(self.snapshot, self.dc.root, symlinks=True)

    def leftover_processes(self) -> list[int]:
        return sorted(set(samba_processes(self.dc.namespaces)) - self._before)

    def collect(self, scenario: Scenario, out_dir: Path, during=None) -> Collected:
        """``during(dc, built)``, if given, runs after the reader, while the scenario's DC still runs."""
        started = time.monotonic()
        self._restore()
        self.dc.start()
        try:
            d = Directory.open(self.dc)
            built = scenario.build(d)
            conn = self.dc.connect(built.account_dn, PASSWORD)
            reader = DirectoryReader(conn, ACCOUNT, gc_connect=lambda: self.dc.connect(
                built.account_dn, PASSWORD, port=3268))
            artifacts = reader.read_all()
            tokens = reader.token_groups()
            account_sid = d.sid_of(built.account_dn)
            members = [("Domain Admins", d.rid(512), "Group")]
            members += [(d.get(g, ["name"])["name"][0].decode(), d.sid_of(g), "Group") for g in built.local_admin_groups]
            user = d.get(built.account_dn, ["legacyExchangeDN"])
            identity = MachineIdentity(netbios_domain=self.dc.netbios, dns_domain=self.dc.realm.lower(),
                                       account=ACCOUNT, account_sid=account_sid, token_groups=tokens,
                                       local_admin_members=members, home_server=built.home.name,
                                       mailbox_dn=user["legacyExchangeDN"][0].decode(),
                                       home_server_dn=built.home.legacy_dn)
            objects = {"org": built.org.dn, "admin_group": built.org.admin_group_dn, "server": built.home.dn,
                       "store": built.home.stores[0], "storage_group": built.home.storage_groups[0],
                       "information_store": built.home.information_store, "account": built.account_dn}
            conn.unbind()
            d.conn.unbind()
            extra = during(self.dc, built) if during is not None else None
        finally:
            self.dc.stop()
        source = write_source(out_dir / scenario.name, scenario.base_sample, artifacts, identity,
                              output=f"VMES-{scenario.name}.zip")
        zip_path = build_zip(source, out_dir)
        return Collected(scenario, zip_path, source, artifacts, identity, self.dc.domain_sid, account_sid,
                         reader.issued, time.monotonic() - started, objects, extra)

    @contextlib.contextmanager
    def running(self, *, tls: bool = False):
        """The provisioned forest (schema applied, no scenario), started; stopped by PID afterwards."""
        self._restore()
        self.dc.start(tls=tls)
        try:
            yield Directory.open(self.dc)
        finally:
            self.dc.stop()

    def close(self) -> None:
        self.dc.stop()
