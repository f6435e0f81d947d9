"""Reading the directory record files: shared helpers for the AD fact builders."""

from __future__ import annotations

from typing import Any

import re

from vmes_audit.base.errors import ParseError
from vmes_audit.facts.model import Facts
from vmes_audit.facts.parsed import parsed
from vmes_audit.parsers.records import Record
from vmes_audit.windows.dn import split_dn
from vmes_audit.windows.sids import is_valid_sid, normalize_sid, sid_from_hex

__all__ = ["records_of", "of_kind", "first_of", "as_bool", "as_list", "cn_of", "sid_value", "control_of",
           "text_of"]

_HEX = re.compile(r"^(?:[0-9a-fA-F]{2})+$")

def records_of(facts: Facts, name: str) -> tuple[list[Record] | None, str]:
    """Records of artifact ``name`` from whichever host has it usable; (None, reason) otherwise."""
    found = facts.any_artifact(name)
    for host, art in found:
        if art.usable:
            records = parsed(art)
            if records is not None:
                return records, host
    return None, ""


def of_kind(records: list[Record] | None, kind: str) -> list[Record]:
    return [r for r in records or [] if r.kind.lower() == kind.lower()]


def first_of(records: list[Record] | None, kind: str) -> Record | None:
    matches = of_kind(records, kind)
    return matches[0] if matches else None


def as_bool(value: Any) -> bool | None:
    if value is None or str(value).strip() == "":
        return None
    return str(value).strip().lower() in ("true", "1", "vrai")


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def cn_of(dn: str | None) -> str | None:
    """First RDN value: "CN=EXCH01,CN=Servers,..." -> "EXCH01"; "/o=Org/.../cn=EXCH01" -> "EXCH01".

    >>> cn_of("CN=EXCH01,CN=Servers,DC=x"), cn_of("/o=Org/ou=AG/cn=Configuration/cn=Servers/cn=EXCH01")
    ('EXCH01', 'EXCH01')
    """
    if not dn:
        return None
    if dn.startswith("/"):
        return dn.rsplit("=", 1)[-1] if "=" in dn else None
    parts = split_dn(dn)
    return parts[0].split("=", 1)[-1].replace("\\,", ",") if parts else None


def text_of(value: Any) -> str | None:
    """A scalar property as text (a multi-valued one gives its first value), None when absent or empty."""
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def sid_value(value: Any) -> str | None:
    """A SID as format 1.1 writes it (hex of the binary) or as 1.0 did (``S-1-…``); None when empty.

    >>> sid_value("010500000000000515000000dcf4dc3b833d2b46828ba62800020000")
    'S-1-5-21-1004336348-1177238915-682003330-512'
    >>> sid_value("s-1-5-11"), sid_value(""), sid_value(None)
    ('S-1-5-11', None, None)
    >>> sid_value("CORP\\vmes")
    Traceback (most recent call last):
    ...
    vmes_audit.base.errors.ParseError: identifiant de sécurité (SID) illisible « CORP\vmes »
    """
    text = text_of(value)
    if text is None:
        return None
    if is_valid_sid(text):
        return normalize_sid(text)
    if _HEX.match(text):
        return sid_from_hex(text)
    raise ParseError(f"identifiant de sécurité (SID) illisible « {text[:80]} »")


def control_of(rec: Record) -> int | None:
    """The DACL control flags of a record: ``sdControl`` / ``Control`` (decimal) or the control word of
    a hex ``nTSecurityDescriptor`` (bytes 2–3, little-endian). None when absent or unreadable.

    >>> control_of(Record("user", {"nTSecurityDescriptor": "0100149c14000000"})), control_of(Record("user", {"sdControl": "35860"}))
    (39956, 35860)
    """
    for name in ("sdControl", "Control"):
        text = text_of(rec.get(name))
        if text is not None:
            return int(text) & 0xFFFF if re.fullmatch(r"-?\d{1,10}", text) else None
    raw = text_of(rec.get("nTSecurityDescriptor"))
    if raw and len(raw) >= 8 and _HEX.match(raw[:8]):
        return int(raw[6:8] + raw[4:6], 16)
    return None
