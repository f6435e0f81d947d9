r"""``whoami /user`` and ``whoami /groups``: the collecting account and its token groups.

Commands: ``whoami /user /fo csv`` (artifact ``whoami_user``) and
``whoami /groups /fo csv`` (artifact ``whoami_groups``), Windows 2003,
written by cmd.exe in the OEM code page (cp850 on French Windows). The
``/fo list`` and ``/fo table`` forms are read too.

Results:

- :func:`parse_whoami_user` -> :class:`WhoamiUser` (``name``: ``DOMAIN\user``, ``sid``: ``S-1-5-21-…``);
- :func:`parse_whoami_groups` -> list of :class:`WhoamiGroup` (``name``, ``type``,
  ``sid``, ``attributes``: list[str], the comma-separated flags split).

Column headers are localised ("User Name"/"Nom d'utilisateur", "Group Name"/
"Nom du groupe", "Attributes"/"Attributs"), so columns are found by the value
that looks like a SID: the name is the first column, the type the column
before the SID, the attributes the one after.

Sample (``whoami /groups /fo csv``, French, trimmed)::

    "Nom du groupe","Type","SID","Attributs"
    "Tout le monde","Groupe bien connu","S-1-1-0","Groupe obligatoire, Activé par défaut, Groupe activé"
    "BUILTIN\Administrateurs","Alias","S-1-5-32-544","Groupe obligatoire, Activé par défaut, Groupe activé, Propriétaire du groupe"

>>> parse_whoami_user('"User Name","SID"\r\n"contoso\\svc-visto","S-1-5-21-1-2-3-1108"\r\n')
WhoamiUser(name='contoso\\svc-visto', sid='S-1-5-21-1-2-3-1108')
>>> groups = parse_whoami_groups('"Nom du groupe","Type","SID","Attributs"\n'
...     '"BUILTIN\\Administrateurs","Alias","S-1-5-32-544","Groupe obligatoire, Groupe activé"\n')
>>> groups[0].sid, groups[0].type, groups[0].attributes
('S-1-5-32-544', 'Alias', ['Groupe obligatoire', 'Groupe activé'])
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.lines import text_lines
from vmes_audit.windows.sids import is_valid_sid

__all__ = ["WhoamiUser", "WhoamiGroup", "parse_whoami_user", "parse_whoami_groups"]

# "================= ==============================================" (table underline)
_UNDERLINE = re.compile(r"^=+(?: +=+)*\s*$")
# "User Name: contoso\svc-visto"  /  "Nom d'utilisateur : contoso\svc-visto": split at the first
# ":" without a regular expression (a lazy label before "\s*:" is quadratic on a line of spaces)
MAX_LINE = 8192  # a group name and its attributes; anything longer is not whoami output
# "USER INFORMATION" / "----------------" / "INFORMATIONS DE GROUPE"
_TITLE_RULE = re.compile(r"^-{3,}\s*$")


@dataclass(frozen=True)
class WhoamiUser:
    name: str
    sid: str


@dataclass(frozen=True)
class WhoamiGroup:
    name: str
    type: str
    sid: str
    attributes: list[str] = field(default_factory=list)


def _csv_rows(lines: list[str]) -> list[list[str]]:
    """One row per line (a line break inside a group's name stays in its field), every row with the
    header's number of columns: a name cannot add a column, nor a row."""
    rows: list[list[str]] = []
    try:
        for line in lines:
            rows += [row for row in csv.reader([line]) if row]
    except csv.Error as exc:  # a field over the csv module's limit, a NUL byte, a line break outside quotes…
        raise ParseError(f"sortie whoami /fo csv illisible ({exc})") from None
    width = len(rows[0]) if rows else 0
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise ParseError(f"ligne {number} de la sortie whoami /fo csv : {len(row)} colonnes au lieu de {width}")
    return rows


def _table_rows(lines: list[str], underline: int) -> list[list[str]]:
    """Slice the lines after the "=== ===" underline by its column spans."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"=+", lines[underline])]
    rows = [[lines[underline - 1][a:b].strip() for a, b in spans]]  # header
    for line in lines[underline + 1:]:
        if not line.strip():
            break
        cells = [line[a:(spans[i + 1][0] if i + 1 < len(spans) else len(line))].strip()
                 for i, (a, _) in enumerate(spans)]
        rows.append(cells)
    return rows


def _list_rows(lines: list[str]) -> list[list[str]]:
    """One row per blank-line separated block of "Label: value" lines."""
    rows: list[list[str]] = []
    block: list[str] = []
    for line in lines + [""]:
        if not line.strip():
            if block:
                rows.append(block)
            block = []
            continue
        if _TITLE_RULE.match(line):
            block = []  # the line before was a title ("USER INFORMATION")
            continue
        stripped = line.strip()
        colon = stripped.find(":")
        if colon > 0:
            block.append(stripped[colon + 1:].strip())
    return [row for row in rows if any(is_valid_sid(cell) for cell in row)]


def _rows(text: str, artifact: str) -> list[list[str]]:
    lines = [line.rstrip(" \t") for line in text_lines(text.lstrip("\ufeff"))]
    content = [line for line in lines if line.strip()]
    if not content:
        raise ParseError("sortie whoami vide", artifact=artifact)
    longest = max(len(line) for line in content)
    if longest > MAX_LINE:
        raise ParseError(f"ligne de {longest} caractères, au-delà de {MAX_LINE} : ce n'est pas une sortie whoami",
                         artifact=artifact)
    if content[0].lstrip().startswith('"'):
        rows = _csv_rows(content)
    else:
        underline = next((i for i, line in enumerate(lines) if i and _UNDERLINE.match(line)), None)
        rows = _table_rows(lines, underline) if underline is not None else _list_rows(lines)
    if rows and not any(is_valid_sid(cell) for cell in rows[0]):
        rows = rows[1:]  # the header ("User Name","SID" / "Nom d'utilisateur","SID")
    if not rows:
        raise ParseError("aucun SID (S-1-…) dans la sortie whoami : ce n'est pas une sortie "
                         "« whoami /fo csv » lisible", artifact=artifact)
    for number, row in enumerate(rows, start=1):
        if not any(is_valid_sid(cell) for cell in row):
            raise ParseError(f"entrée n° {number} sans SID (S-1-…) : « {', '.join(row)[:60]} »",
                             artifact=artifact)
    return rows


def _sid_index(row: list[str]) -> int:
    return next(i for i, cell in enumerate(row) if is_valid_sid(cell))


def parse_whoami_user(text: str) -> WhoamiUser:
    """Parse ``whoami /user`` output (CSV, list or table; English or French)."""
    rows = _rows(text, "whoami_user")
    if len(rows) != 1:
        raise ParseError(f"{len(rows)} utilisateurs dans la sortie « whoami /user » (un seul attendu)",
                         artifact="whoami_user")
    row = [cell.strip() for cell in rows[0]]
    s = _sid_index(row)
    names = [cell for i, cell in enumerate(row) if i != s and cell]
    return WhoamiUser(name=names[0] if names else "", sid=row[s].upper())


def parse_whoami_groups(text: str) -> list[WhoamiGroup]:
    """Parse ``whoami /groups`` output (CSV, list or table; English or French)."""
    groups = []
    for row in _rows(text, "whoami_groups"):
        row = [cell.strip() for cell in row]
        s = _sid_index(row)
        attributes = row[s + 1] if s + 1 < len(row) else ""
        groups.append(WhoamiGroup(
            name=row[0] if s >= 1 else "",
            type=row[s - 1] if s >= 2 else "",
            sid=row[s].upper(),
            attributes=[a.strip() for a in attributes.split(",") if a.strip()],
        ))
    return groups
