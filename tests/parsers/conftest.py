"""Parser tests read captures as the analyzer does: bytes, then ``decode_bytes``."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from vmes_audit.base.encoding import DecodedText, decode_bytes

CAPTURES = Path(__file__).resolve().parent.parent / "data" / "captures"


def read_capture(name: str) -> DecodedText:
    return decode_bytes((CAPTURES / name).read_bytes())


@pytest.fixture(scope="session")
def capture() -> Callable[[str], DecodedText]:
    """``capture("systeminfo_fr_cp850.txt")`` -> DecodedText (text, encoding, had_bom)."""
    return read_capture
