"""collector/probe.vbs is one file a person runs alone, so it carries copies of some of the collector's
functions. Those that write or read the collection's record format, or that the collector fixed after
running them (issue 17: PushArr without Set died at the second object), must stay the collector's code:
compared here with collector/src/*.vbs, comments and blank lines aside. The probe's own simpler variants
(Main, Fr, ErrText, Nap, BinHex, IsHex, UChr) are listed apart with why."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = ["RecEscape", "PushArr", "HexN", "Pad2", "Say", "ByValue", "AdsEsc", "Env"]
# the probe's own: its entry point and messages, no step context for errors, no clock module, and
# BinHex / IsHex / UChr reduced to the byte arrays and ASCII the probe handles
PROBE_VARIANTS = {"Main", "Fr", "ErrText", "Nap", "BinHex", "IsHex", "UChr"}


def _functions(text: str) -> dict[str, list[str]]:
    found = {}
    for m in re.finditer(r"(?ims)^(?:public |private )?(function|sub) (\w+)\b.*?^end \1\b", text):
        found[m.group(2)] = [line.strip() for line in m.group(0).splitlines()
                             if line.strip() and not line.strip().startswith("'")]
    return found


PROBE = _functions((REPO / "collector" / "probe.vbs").read_text(encoding="ascii"))
SOURCES: dict[str, list[str]] = {}
for path in sorted((REPO / "collector" / "src").glob("*.vbs")):
    SOURCES.update(_functions(path.read_text(encoding="latin-1")))


@pytest.mark.parametrize("name", SHARED)
def test_the_probe_runs_the_collectors_code(name: str) -> None:
    assert PROBE[name] == SOURCES[name], f"probe.vbs's {name} differs from collector/src's"


def test_every_function_of_both_is_shared_or_a_listed_variant() -> None:
    common = set(PROBE) & set(SOURCES)
    assert common == set(SHARED) | PROBE_VARIANTS, common ^ (set(SHARED) | PROBE_VARIANTS)
