"""Reading the directory record files: shared helpers for the AD fact builders."""

from __future__ import annotations

from typing import Any

from vmes_audit.facts.model import Facts
from vmes_audit.facts.parsed import parsed
from vmes_audit.parsers.records import Record
from vmes_audit.security.dn import split_dn

__all__ = ["records_of", "of_kind", "first_of", "as_bool", "as_list", "cn_of"]

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
