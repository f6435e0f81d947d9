"""The LDAP operations of docs/collection-format.md §5.1, as the dry run must print them.

``doc_ldap_lines(mode)`` renders the section's table into the machine-readable
lines (``      LDAP | artifact | base | scope | filter | attrs`` and
``      SD   | artifact | template``), in the table's order, for the mode's
dry run; ``catalogue_lines(text)`` renders the collector's own catalogue
(``LdapOp`` declarations of ldap.vbs) the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "collection-format.md"
LINE = re.compile(r"^      (?:LDAP|SD  ) \| .*$", re.M)
_LDAPOP = re.compile(r'^\s*LdapOp\s+(.*)$', re.M)
_VBS_STRING = re.compile(r'"((?:[^"]|"")*)"')


def _cells(row: str) -> list[str]:
    # split on unescaped pipes; "\|" inside a filter is a literal pipe
    inner = row.strip().strip("|")
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


def _code(cell: str) -> str:
    return cell.strip().strip("`")


def doc_rows() -> list[tuple[str, str, str, str, str, str]]:
    """(artifact, kind, base, scope, filter, attrs) per operation, attributes joined by ','."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("### 5.1 The LDAP queries")[1].split("### 5.2")[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        artifact, kind, base, scope, filt, attrs = _cells(line)[:6]
        artifact, kind = _code(artifact), kind.strip()
        attrs = ",".join(a.strip() for a in attrs.split(",") if a.strip())
        if kind == "SD":
            for template in (t for t in re.findall(r"`([^`]+)`", base) if t != "SD"):
                rows.append((artifact, "SD", template, "", "", ""))
        else:
            rows.append((artifact, "LDAP", _code(base), scope.strip(), _code(filt), attrs))
    return rows


def render(row: tuple[str, str, str, str, str, str]) -> str:
    artifact, kind, base, scope, filt, attrs = row
    if kind == "SD":
        return f"      SD   | {artifact} | {base}"
    return f"      LDAP | {artifact} | {base} | {scope} | {filt} | {attrs}"


def doc_ldap_lines(mode: str = "vmes") -> list[str]:
    rows = doc_rows()
    if mode == "exchange":
        chosen = [r for r in rows if r[0] == "ad_rootdse"] + [r for r in rows if r[0] == "exchange_version"]
    else:
        chosen = [r for r in rows if r[0] != "exchange_version"]
    return [render(r) for r in chosen]


def catalogue_rows(vbs_text: str) -> list[tuple[str, str, str, str, str, str]]:
    """The collector's LdapOp declarations: (artifact, kind, base, scope, filter, attrs)."""
    rows = []
    for m in _LDAPOP.finditer(vbs_text):
        values = [v.replace('""', '"') for v in _VBS_STRING.findall(m.group(1))]
        if len(values) != 7:
            continue  # the Sub LdapOp(...) definition itself
        _id, artifact, kind, base, scope, filt, attrs = values
        rows.append((artifact, kind, base, scope, filt, attrs))
    return rows
