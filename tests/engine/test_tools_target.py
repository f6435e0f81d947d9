"""B3 (issue 19): the Exchange tools follow the newest Exchange 2000/2003 server, a remediation never loops
and never names a level B1 rejects.

Following the remediation (tools brought to the level it names, servers brought to the level it names
first) must end in « Conforme » for every organisation shape, and no level B1 calls unsupported
(Exchange 2000 before SP3, Exchange 2003 RTM) may be given as a target."""

from __future__ import annotations

import re

import pytest

from vmes_audit.engine.evaluate import evaluate_rule
from vmes_audit.engine.evidence import CaseEvidence
from vmes_audit.engine.model import RuleCase
from vmes_audit.engine.pack import load_pack

BUILDS = {"Exchange 2000 SP2": (0, 2, 5762), "Exchange 2000 SP3": (0, 3, 6249), "Exchange 2003": (5, 0, 6944),
          "Exchange 2003 SP1": (5, 1, 7226), "Exchange 2003 SP2": (5, 2, 7638)}
UNSUPPORTED = ("Exchange 2000 SP2", "Exchange 2003")  # B1 fails them


def _server(name: str, label: str) -> dict:
    minor, sp, build = BUILDS[label]
    return {"name": name, "major": 6, "minor": minor, "sp": sp, "build": build, "label_fr": label}


def _b3(servers: list[dict], esm_build: int | None):
    rule = next(r for r in load_pack().rules if r.id == "b3-esm-same-service-pack")
    host = {"esm_installed": esm_build is not None, "esm_build": esm_build, "architecture": "x86"}
    case = RuleCase(name="b3", expect="pass", host=host, tables={"exchange_servers": servers})
    (finding,) = evaluate_rule(rule, CaseEvidence(case), {"service_account": "VistoAdmin"})
    return finding


def _levels(remediation: str) -> tuple[str | None, str | None]:
    """(level the servers must reach first, level the tools must reach) named by the remediation."""
    servers = re.search(r"serveurs (Exchange 200[03]) au Service Pack (\d)", remediation)
    tools = re.search(r"Service Pack (\d) d'(Exchange 200[03])", remediation) or \
        re.search(r"réinstaller les outils au niveau du serveur le plus récent \((Exchange 200[03])( SP\d)?\)", remediation)
    server_level = f"{servers.group(1)} SP{servers.group(2)}" if servers else None
    if tools is None:
        return server_level, None
    if tools.re.pattern.startswith("Service"):
        return server_level, f"{tools.group(2)} SP{tools.group(1)}"
    return server_level, tools.group(1) + (tools.group(2) or "")


@pytest.mark.parametrize("servers,tools", [
    (["Exchange 2000 SP3", "Exchange 2003 SP2"], None),
    (["Exchange 2000 SP3", "Exchange 2003 SP2"], "Exchange 2000 SP3"),
    (["Exchange 2000 SP3", "Exchange 2003 SP2"], "Exchange 2003 SP1"),
    (["Exchange 2003 SP1", "Exchange 2003 SP2"], "Exchange 2003 SP1"),
    (["Exchange 2000 SP2"], None),
    (["Exchange 2000 SP2"], "Exchange 2000 SP2"),
    (["Exchange 2003"], "Exchange 2003"),
    (["Exchange 2003 SP1"], "Exchange 2003 SP2"),
])
def test_following_the_remediation_ends_in_conforme(servers: list[str], tools: str | None) -> None:
    rows = [_server(f"EX{i}", label) for i, label in enumerate(servers)]
    finding = _b3(rows, BUILDS[tools][2] if tools else None)
    for _ in range(3):
        if finding.state.value == "pass":
            break
        assert finding.state.value == "fail", finding.message
        server_level, tools_level = _levels(finding.remediation)
        assert tools_level, finding.remediation
        assert server_level not in UNSUPPORTED and tools_level not in UNSUPPORTED, finding.remediation
        if server_level:  # the servers of that product below it first
            for row in rows:
                if row["label_fr"].startswith(server_level[:13]) and row["build"] < BUILDS[server_level][2]:
                    row.update(_server(row["name"], server_level))
        finding = _b3(rows, BUILDS[tools_level][2])
    assert finding.state.value == "pass", (servers, tools, finding.message, finding.remediation)


def test_mixed_2000_sp3_2003_sp2_with_the_2003_sp2_tools_passes() -> None:
    finding = _b3([_server("EX2000", "Exchange 2000 SP3"), _server("EX2003", "Exchange 2003 SP2")], 7638)
    assert finding.state.value == "pass" and "EX2000" in finding.message
