"""Record files: the structured format the collector writes for WMI and ADSI.

Format (``docs/collection-format.md`` §3), UTF-16LE with BOM, CRLF::

    #VMES-RECORDS 1
    [Win32_OperatingSystem]
    Caption=Microsoft(R) Windows(R) Server 2003, Standard Edition
    OtherTypeDescription!
    MUILanguages[]=fr-FR

Each record becomes a :class:`Record`: its ``kind`` (the bracketed name) and
an ordered ``dict`` of properties whose values are ``str``, ``None`` (``Name!``)
or ``list[str]`` (``Name[]=…``; ``Name[]!`` is an empty list).

>>> recs = parse_records("#VMES-RECORDS 1\\r\\n[x]\\r\\nA=1\\\\n2\\r\\nB!\\r\\nC[]=u\\r\\nC[]=v\\r\\n")
>>> recs[0].kind, recs[0].props
('x', {'A': '1\\n2', 'B': None, 'C': ['u', 'v']})
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vmes_audit.base.errors import ParseError

__all__ = ["Record", "parse_records", "unescape", "escape", "MAX_LINE"]

HEADER = "#VMES-RECORDS 1"
# Longest line a collector writes: a security descriptor in hex (a DACL is at
# most 64 KiB, so about 140 000 hex digits); ten times that is still a sane bound.
MAX_LINE = 1 << 20

# A property line:  Name=value | Name! | Name[]=value | Name[]!
# e.g. "serialNumber[]=Version 6.5 (Build 7638.2: Service Pack 2)"
_PROP = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)(?P<arr>\[\])?(?:(?P<null>!)|=(?P<value>.*))$")
# A record start: "[Win32_OperatingSystem]"
_KIND = re.compile(r"^\[(?P<kind>[A-Za-z_][A-Za-z0-9_.\-]*)\]$")
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|.)")


@dataclass
class Record:
    kind: str
    props: dict[str, str | None | list[str]] = field(default_factory=dict)
    line: int = 0

    def get(self, name: str, default=None):
        """Case-insensitive property lookup (WMI and LDAP names are case-insensitive)."""
        if name in self.props:
            return self.props[name]
        lowered = name.lower()
        for key, value in self.props.items():
            if key.lower() == lowered:
                return value
        return default


def unescape(value: str, *, line: int | None = None) -> str:
    r"""Undo the collector's escaping.

    >>> unescape(r"C:\\WINDOWS\tx\u0001")
    'C:\\WINDOWS\tx\x01'
    """

    def repl(m: re.Match[str]) -> str:
        code = m.group(1)
        if code == "\\":
            return "\\"
        if code == "n":
            return "\n"
        if code == "r":
            return "\r"
        if code == "t":
            return "\t"
        if code.startswith("u") and len(code) == 5:
            point = int(code[1:], 16)
            # the collector escapes only characters below U+0020; a lone surrogate cannot be written out
            return "\ufffd" if 0xD800 <= point <= 0xDFFF else chr(point)
        raise ParseError(f"séquence d'échappement inconnue « \\{code} »", line=line)

    if "\\" not in value:
        return value
    return _ESCAPE.sub(repl, value)


def escape(value: str) -> str:
    r"""The collector's escaping, for writing samples and tests.

    >>> escape("a\\b\nc")
    'a\\\\b\\nc'
    """
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def parse_records(text: str, *, artifact: str | None = None) -> list[Record]:
    """Parse a record file's text (already decoded).

    Linear in the text's length: lines are split on LF only (a value may hold
    U+2028 or U+0085, which ``str.splitlines`` would take for line ends), no
    line may exceed :data:`MAX_LINE` characters, and a property set twice in
    one record is an error (never "the last one wins").

    >>> parse_records("#VMES-RECORDS 1\\n[x]\\nA=1\\na=2\\n")
    Traceback (most recent call last):
    ...
    vmes_audit.base.errors.ParseError: propriété « a » répétée dans le même enregistrement (ligne 4)
    """
    lines = text.split("\n")  # decode_bytes already replaced lone surrogates; escapes are unescape()'s
    if not lines or lines[0].strip().lstrip("\ufeff") != HEADER:
        raise ParseError(f"en-tête « {HEADER} » absent : ce n'est pas un fichier d'enregistrements",
                         artifact=artifact, line=1)
    records: list[Record] = []
    current: Record | None = None
    seen: dict[str, str] = {}  # lower-case property name -> "scalar" | "array", in the current record
    kind_match, prop_match = _KIND.match, _PROP.match
    heads: dict[str, tuple[str, str | None]] = {}  # "Name" / "Name[]" -> (name, "[]" or None)
    for number, raw in enumerate(lines[1:], start=2):
        if len(raw) > MAX_LINE:
            raise ParseError(f"ligne de {len(raw)} caractères, au-delà de la limite de {MAX_LINE} : "
                             "fichier tronqué ou modifié", artifact=artifact, line=number)
        line = raw.rstrip("\r")
        if not line or line[0] == "#" or line.isspace():
            continue
        if line[0] == "[":
            kind = kind_match(line)
            if kind:
                current = Record(kind.group("kind"), line=number)
                records.append(current)
                seen = {}
                continue
        # Fast path: the head before "=" (or the "!") is one already validated by _PROP.
        head, eq, raw_value = line.partition("=")
        if not eq:
            head, raw_value = line[:-1], None
            if line[-1] != "!":
                head = ""
        known = heads.get(head)
        if known is not None:
            name, arr = known
            null = raw_value is None
        else:
            prop = prop_match(line)
            if not prop:
                raise ParseError(f"ligne illisible « {line[:60]} »", artifact=artifact, line=number)
            name, arr, null, raw_value = prop.groups()
            if len(heads) < 4096:
                heads[head] = (name, arr)
        if current is None:
            raise ParseError("propriété hors de tout enregistrement", artifact=artifact, line=number)
        form = "array" if arr else "scalar"
        key = name.lower()
        previous = seen.get(key)
        if previous is not None and (previous != form or form == "scalar"):
            problem = "répétée dans le même enregistrement" if previous == form else "à la fois simple et multiple"
            raise ParseError(f"propriété « {name} » {problem}", artifact=artifact, line=number)
        seen[key] = form
        value = None if null else (raw_value if "\\" not in raw_value else unescape(raw_value, line=number))
        if form == "array":
            items = current.props.setdefault(name, [])
            if value is not None:
                items.append(value)  # type: ignore[union-attr]
        else:
            current.props[name] = value
    return records


def write_records(records: list[tuple[str, dict]], comments: list[str] | None = None) -> str:
    """Serialise records (kind, props) exactly as the collector does (CRLF).

    >>> write_records([("x", {"A": "1", "B": None, "C": ["u"]})]).splitlines()
    ['#VMES-RECORDS 1', '[x]', 'A=1', 'B!', 'C[]=u', '']
    """
    out = [HEADER]
    out += [f"#{c}" for c in comments or []]
    for kind, props in records:
        out.append(f"[{kind}]")
        for name, value in props.items():
            if isinstance(value, (list, tuple)):
                if not value:
                    out.append(f"{name}[]!")
                for item in value:
                    out.append(f"{name}[]={escape(str(item))}")
            elif value is None:
                out.append(f"{name}!")
            else:
                out.append(f"{name}={escape(str(value))}")
        out.append("")
    return "\r\n".join(out) + "\r\n"
