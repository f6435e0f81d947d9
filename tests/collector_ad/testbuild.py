"""A TEST build of collect.vbs: the released text, the AD modules' lines instrumented with counters,
and the ADSI/ADO double appended (``double/adsi_double.vbs``). Never written to ``collector/``.

Instrumented modules: ``ad.vbs``, ``ldap.vbs``, ``sd.vbs``, and in ``account.vbs`` the tokenGroups
procedures (``StepTokenGroups``, ``WriteTokenGroups``); ``StepLocalAdmins`` and ``RunAsName``/
``RunAsSid`` are the machine half of that module (WinNT:// and WMI), not the directory.

An *executable line* is a statement line inside a procedure: not blank, not a comment, not a
declaration (``Dim``, ``Const``), not a procedure's first or last line, not a continuation of the
previous line, and not a block keyword that only closes or separates a block (``Else``, ``ElseIf``,
``End If``, ``Case`` without a statement, ``End Select``, ``Next``, ``Loop``). ``CovHit k`` is
inserted on its own line before each; ``Case x: stmt`` becomes ``Case x: CovHit k: stmt``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOUBLE = Path(__file__).resolve().parent / "double"
sys.path.insert(0, str(ROOT / "collector"))
import build as collector_build  # noqa: E402  (collector/build.py, standard library only)

INSTRUMENTED = ("account.vbs", "ldap.vbs", "ad.vbs", "sd.vbs")
ACCOUNT_PROCS = ("StepTokenGroups", "WriteTokenGroups")
ENTRY = "' Point d'entree\nMain\nWScript.Quit 0\n"

_PROC_START = re.compile(r"^(?:Private\s+|Public\s+)?(Function|Sub)\s+(\w+)", re.I)
_PROC_END = re.compile(r"^End\s+(Function|Sub)\b", re.I)
_STRUCTURAL = re.compile(r"^(?:Else|ElseIf\b.*|End\s+If|End\s+Select|Next(?:\s+\w+)?|Loop(?:\s+.*)?|Wend|End\s+With|"
                         r"Dim\b.*|Const\b.*|ReDim\b(?!\s+Preserve).*)$", re.I)
_CASE = re.compile(r"^(\s*Case\b[^:']*?)(:\s*)(.+)$", re.I)


@dataclass(frozen=True)
class Line:
    module: str
    number: int          # 1-based line of collector/src/<module>
    text: str
    proc: str


def _instrument(module: str, text: str, lines: list[Line]) -> str:
    out = []
    proc = None
    continued = False
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        was_continued = continued
        continued = stripped.endswith(" _")
        if proc is None:
            m = _PROC_START.match(stripped)
            if m:
                proc = m.group(2)
            out.append(line)
            continue
        if _PROC_END.match(stripped):
            proc = None
            out.append(line)
            continue
        wanted = module != "account.vbs" or proc in ACCOUNT_PROCS
        if (not wanted or was_continued or not stripped or stripped.startswith("'")
                or _STRUCTURAL.match(stripped)):
            out.append(line)
            continue
        if re.match(r"^Case\b", stripped, re.I):
            m = _CASE.match(line)
            if not m or m.group(3).lstrip().startswith("'"):
                out.append(line)
                continue
            lines.append(Line(module, number, stripped, proc))
            out.append(f"{m.group(1)}{m.group(2)}CovHit {len(lines) - 1}: {m.group(3)}")
            continue
        lines.append(Line(module, number, stripped, proc))
        indent = line[:len(line) - len(line.lstrip())]
        out.append(f"{indent}CovHit {len(lines) - 1}")
        out.append(line)
    return "\n".join(out)


def build_test_collector(target: Path) -> list[Line]:
    """Write the test build to ``target`` (ASCII, CRLF); return the instrumented lines, by counter index."""
    text = collector_build.build_text()
    header = re.compile(r"^' -+ module : src/(\S+) -+\n", re.M)
    pieces = header.split(text)
    lines: list[Line] = []
    out = [pieces[0]]
    marker = iter(header.finditer(text))
    for i in range(1, len(pieces), 2):
        name, body = pieces[i], pieces[i + 1]
        out.append(next(marker).group(0))
        out.append(_instrument(name, body, lines) if name in INSTRUMENTED else body)
    built = "".join(out)
    assert built.count(ENTRY) == 1, "collect.vbs entry point not found"
    built = built.replace(ENTRY, f"' Point d'entree (test build)\nDblCovStart {len(lines)}\nMain\nDblCovEnd\n"
                                 "WScript.Quit 0\n")
    # The SHA-256 of hash.vbs takes about 17 s per 120 KB under Wine 8 (ad_acl): the test build
    # computes only the CRC-32 (as the released collector does above SHA256_MAX_BYTES); the
    # comparison re-encodes the artifacts with samples/build_samples.py, which digests them itself.
    built, n = re.subn(r"^Const SHA256_MAX_BYTES = \d+$", "Const SHA256_MAX_BYTES = 0", built, flags=re.M)
    assert n == 1, "SHA256_MAX_BYTES not found in collect.vbs"
    built += "\n" + (DOUBLE / "adsi_double.vbs").read_text(encoding="ascii")
    target.write_bytes(built.replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii"))
    return lines


def read_counters(path: Path, lines: list[Line]) -> tuple[list[int], int]:
    """(count per instrumented line, bridge requests) from the file DblCovEnd wrote."""
    raw = path.read_text(encoding="ascii").split("\n")
    counts = [int(v) for v in raw[:len(lines)]]
    requests = next((int(v.split()[1]) for v in raw[len(lines):] if v.startswith("requests ")), 0)
    return counts, requests
