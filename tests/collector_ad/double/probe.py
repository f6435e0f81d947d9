"""The double's ADSI assumptions, and a field probe's answers that override them.

Each method answers one row of ``docs/adsi-double.md`` for the OS the double models ("2000" or
"2003"): the default is the documented assumption; when an answers file written by
``collector/probe.vbs`` on that OS is given (``VMES_PROBE_FILE``, several files separated by
``os.pathsep``), its answer wins. The file is the collection's record format; its record kinds and
keys are the ones ``docs/field-test.md`` lists (``[probe]``, ``[ado_sd]``, ``[sd_compare]``,
``[second_execute]``, ``[token_groups]``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from vmes_audit.base.encoding import decode_bytes
from vmes_audit.parsers.records import Record, parse_records

__all__ = ["Assumptions", "load_probe_files", "PROBE_ENV"]

PROBE_ENV = "VMES_PROBE_FILE"


def _os_of(version: str | None) -> str | None:
    if not version:
        return None
    if version.startswith("5.0"):
        return "2000"
    if version.startswith("5.2"):
        return "2003"
    return None


def _bool(value) -> bool | None:
    if value in ("True", "False"):
        return value == "True"
    return None


@dataclass
class ProbeAnswers:
    """One answers file: its OS and whether it ran as a plain user (not a local administrator)."""
    os: str | None
    plain_user: bool
    records: list[Record]

    def of(self, kind: str) -> list[Record]:
        return [r for r in self.records if r.kind == kind]


def load_probe_files(spec: str | None = None) -> list[ProbeAnswers]:
    """The answers files named by ``spec`` (default: the ``VMES_PROBE_FILE`` variable)."""
    spec = os.environ.get(PROBE_ENV, "") if spec is None else spec
    out = []
    for name in filter(None, spec.split(os.pathsep)):
        records = parse_records(decode_bytes(Path(name).read_bytes()).text)
        head = next((r for r in records if r.kind == "probe"), None)
        out.append(ProbeAnswers(_os_of(head.get("OsVersion") if head else None),
                                _bool(head.get("IsLocalAdmin") if head else None) is False, records))
    return out


@dataclass
class Assumptions:
    """docs/adsi-double.md, one method per row that depends on the OS; probe answers first."""
    probes: list[ProbeAnswers] = field(default_factory=list)

    @classmethod
    def from_env(cls) -> "Assumptions":
        return cls(load_probe_files())

    def _probe(self, os_name: str) -> ProbeAnswers | None:
        # a plain domain user's answers describe the service account's case (not an administrator)
        matching = [p for p in self.probes if p.os == os_name]
        plain = [p for p in matching if p.plain_user]
        return (plain or matching or [None])[0]

    # A2 -------------------------------------------------------------------------------------
    def has_security_utility(self, os_name: str) -> bool:
        """``CreateObject("ADsSecurityUtility")`` works: Windows Server 2003 only (MSDN: "Windows
        2000: not supported"). Probe: ``[sd_compare] SecUtil`` (``ok`` or an error)."""
        probe = self._probe(os_name)
        answers = [r.get("SecUtil") for r in probe.of("sd_compare")] if probe else []
        answers = [a for a in answers if a]
        if answers:
            return answers[0] == "ok"
        return os_name != "2000"

    # A3 -------------------------------------------------------------------------------------
    def ado_sd_flags(self, os_name: str) -> int | None:
        """The SD-flags value ADO's searches send, or None (no control: the DC assumes all four flags
        and, for an account without SeSecurityPrivilege, leaves nTSecurityDescriptor out).
        Default: none on Windows 2000, 7 (owner+group+DACL) on Windows Server 2003.
        Probe: ``[ado_sd]`` of the account's own object: ``Present`` False -> none; True with
        ``HasSacl`` False -> 7."""
        probe = self._probe(os_name)
        if probe:
            for r in probe.of("ado_sd"):
                present = _bool(r.get("Present"))
                if present is False and not r.get("Error"):
                    return None
                if present is True:
                    return 15 if _bool(r.get("HasSacl")) else 7
        return None if os_name == "2000" else 7

    # A4 -------------------------------------------------------------------------------------
    def adsi_default_mask(self, os_name: str) -> int | None:
        """ADSI's read of nTSecurityDescriptor without ``SetOption(ADS_OPTION_SECURITY_MASK)``: all four
        flags (MSDN ADS_OPTION_SECURITY_MASK), i.e. no usable descriptor for a plain account. Not probed."""
        return None

    # A5 -------------------------------------------------------------------------------------
    def hexstring_is_raw(self, os_name: str) -> bool:
        """``ConvertSecurityDescriptor(sd, IID, HEXSTRING)`` gives the DC's bytes unchanged? Default no
        (ADSI rebuilds the descriptor: same meaning, another layout). Probe: ``[sd_compare] EqualsAdo``."""
        probe = self._probe(os_name)
        if probe:
            answers = [_bool(r.get("EqualsAdo")) for r in probe.of("sd_compare")]
            answers = [a for a in answers if a is not None]
            if answers:
                return all(answers)
        return False

    # A6 -------------------------------------------------------------------------------------
    def second_execute_ok(self, os_name: str) -> bool:
        """A second ``Execute`` on the ADsDSOObject connection while a recordset is open works.
        Default yes. Probe: ``[second_execute] SecondError`` (empty when it worked)."""
        probe = self._probe(os_name)
        if probe:
            for r in probe.of("second_execute"):
                if r.get("SecondError") is not None:
                    return r.get("SecondError") == ""
        return True

    # A7 -------------------------------------------------------------------------------------
    def max_val_range(self, os_name: str) -> int:
        """Values of a multi-valued attribute the DC returns at once (MaxValRange): 1000 on a Windows
        2000 DC, 1500 on 2003 (KB 315071). Not probed (a DC setting, not the member server's)."""
        return 1000 if os_name == "2000" else 1500
