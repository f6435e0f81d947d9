"""Running the test build of the collector under Wine against the Samba DC, through the double."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.collector.conftest import WineEnv, run_wine, wine_path

from .double.bridge import Bridge
from .double.probe import Assumptions
from .testbuild import DOUBLE, Line, read_counters

__all__ = ["WineAdRun", "run_collector", "AD_ARTIFACTS"]

AD_ARTIFACTS = ("token_groups", "ad_rootdse", "ad_domain", "ad_partitions", "ad_domain_controllers",
                "ad_service_account", "ad_service_account_groups", "ad_exchange_org", "ad_exchange_servers",
                "ad_exchange_stores", "ad_mail_containers", "ad_mail_users_protected", "ad_acl",
                "ad_admincount_users")


@dataclass
class WineAdRun:
    mode: str
    out_dir: Path
    returncode: int
    stdout: str
    counts: list[int]
    requests: int
    seconds: float
    bridge_log: list[str] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        folders = [p for p in self.out_dir.iterdir() if p.is_dir()]
        assert len(folders) == 1, f"one collection folder expected in {self.out_dir}: {folders}\n{self.stdout}"
        return folders[0]

    @property
    def manifest(self) -> dict:
        return json.loads((self.folder / "manifest.json").read_text(encoding="utf-8-sig"))

    @property
    def zips(self) -> list[Path]:
        return sorted(self.out_dir.glob("*.zip"))


def run_collector(wine: WineEnv, dc, user_dn: str, password: str, *, mode: str, script: Path, lines: list[Line],
                  out_dir: Path, account: str = "VistoAdmin", only: str = "ad,token_groups",
                  assumptions: Assumptions | None = None, range_page: int | None = None,
                  extra: tuple[str, ...] = (), faults: dict[str, int] | None = None) -> WineAdRun:
    """One collector run: the bridge started on 127.0.0.1, cscript under Wine, the bridge stopped."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cov = out_dir / "coverage.txt"
    bridge = Bridge(dc, user_dn, password, os=mode, assumptions=assumptions or Assumptions.from_env(),
                    range_page=range_page, faults=dict(faults or {}))
    url = bridge.start()
    started = time.monotonic()
    try:
        env = dict(wine.env, VMES_DOUBLE_URL=url, VMES_DOUBLE_JS=wine_path(DOUBLE / "adsi_double.js"),
                   VMES_DOUBLE_COV=wine_path(cov))
        args = ["cscript", "//nologo", wine_path(script), f"/out:{wine_path(out_dir)}", f"/account:{account}",
                *([f"/only:{only}"] if only else []), *extra]
        proc = run_wine(args, env, timeout=600)
    finally:
        bridge.stop()
    seconds = time.monotonic() - started
    stdout = proc.stdout.decode("cp850", errors="replace")
    counts, requests = read_counters(cov, lines) if cov.is_file() else ([0] * len(lines), 0)
    return WineAdRun(mode, out_dir, proc.returncode, stdout, counts, requests, seconds, list(bridge.log))
