r"""Lenient readers of every artifact format, for the pseudonymisation's harvest
(``pseudonymise_harvest.py``): each yields ``(record kind, [(label, value), …])``
and never raises, since an artifact a parser refused is read all the same (its
error message may quote it).

======================  ========================================================
format                  one record
======================  ========================================================
record files            a ``[kind]`` block; ``Name=value`` and ``Name[]=value``,
                        escapes undone
systeminfo, ipconfig,   a ``Label . . . : value`` line, continuation lines
Format-List             added; a blank line ends a Format-List object
whoami ``/fo csv``      ``"domain\name","S-1-…"`` (well-known SIDs skipped)
``.reg`` exports        a value by name (``hex:`` strings decoded, text runs of
                        binary values); a MAPI profile's key is ``("profil",
                        name)``; its strings by property tag: ``mapi:personne``
                        (3001, 6607), ``mapi:compte`` (3a00), ``mapi:serveur``
                        (6602, 6608), ``texte`` (3003, 6603, 6612, 3d0b: DNs,
                        addresses)
======================  ========================================================
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from vmes_audit.workflows.pseudonymise_names import builtin_sid

__all__ = ["artifact_fields"]

_RECORD_LINE = re.compile(r"^([^=!\[\]#][^=!\[]*?)(?:\[\])?=(.*)$")


def _record_fields(text: str) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Record files (``#VMES-RECORDS 1``): one (kind, fields) per record, escapes undone."""
    from vmes_audit.parsers.records import unescape

    kind, fields = "", []
    for line in text.splitlines():
        if line.startswith("[") and line.rstrip().endswith("]"):
            if fields:
                yield kind, fields
            kind, fields = line.strip()[1:-1].strip().lower(), []
            continue
        match = _RECORD_LINE.match(line)
        if match:
            try:
                value = unescape(match.group(2))
            except Exception:  # noqa: BLE001 - a bad escape: the value as written
                value = match.group(2)
            fields.append((match.group(1).strip(), value))
    if fields:
        yield kind, fields


# "Adresse IP. . . . . . . . . . . . : 10.1.20.15", "Nom de l'hôte:   VMES05", "Name      : EXCH07"
_COLON_LINE = re.compile(r"^\s*([^\s:][^:]*?)[\s.]*:\s?(.*)$")
_CONTINUATION = re.compile(r"^\s{8,}(\S.*)$")


def _colon_fields(text: str) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """systeminfo, ipconfig, Format-List: label and value, continuation lines added to the value;
    a blank line ends a Format-List object."""
    fields: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip():
            if fields:
                yield "", fields
            fields = []
            continue
        continued = _CONTINUATION.match(line)
        match = _COLON_LINE.match(line)
        if continued and fields and (not match or " : " not in line and ". :" not in line):
            fields.append((fields[-1][0], continued.group(1).strip()))
        elif match and len(match.group(1)) <= 80:
            fields.append((match.group(1).strip(), match.group(2).strip()))
    if fields:
        yield "", fields


def _csv_fields(text: str) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """whoami /fo csv: ``"btp\\vistoadmin","S-1-5-21-…"`` (the name first, its SID after)."""
    for row in csv.reader(text.splitlines()):
        if row and "\\" in row[0]:
            sid = next((cell for cell in row if cell.upper().startswith("S-1-")), "")
            if not builtin_sid(sid):
                yield "", [("user", row[0])]


_REG_KEY = re.compile(r"^\[(.*)\]\s*$")
_REG_VALUE = re.compile(r'^("(?:[^"\\]|\\.)*"|@)=(.*)$')
_PROFILES = "windows messaging subsystem\\profiles\\"
# MAPI property tags (type first): strings that name a person, a server or an address
_MAPI_NAMES = {"3001": "personne", "3a00": "compte", "6602": "serveur", "6608": "serveur", "6607": "personne",
               "3003": "texte", "6603": "texte", "6612": "texte", "3d0b": "texte"}


def _reg_string(data: str) -> str:
    if data.startswith('"'):
        return data[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    match = re.match(r"^hex(?:\((\w+)\))?:(.*)$", data, re.S)
    if not match:
        return ""
    try:
        raw = bytes(int(b, 16) for b in re.split(r"[,\s\\]+", match.group(2)) if b)
    except ValueError:
        return ""
    odd = raw[1::2]  # UTF-16LE text: (almost) every other byte is zero
    if match.group(1) in ("1", "2", "7") or len(raw) >= 4 and odd.count(0) >= 0.9 * len(odd):
        return raw[:len(raw) // 2 * 2].decode("utf-16le", "replace").replace("\x00", "\n")
    # ANSI strings and binary blobs (WinHttpSettings, DefaultConnectionSettings): the text runs in them
    return "\n".join(run.decode("cp1252") for run in re.findall(rb"[\x20-\x7e\xa0-\xff]{3,}", raw))


def _reg_fields(artifact: str, text: str) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """``.reg`` exports: values by name; MAPI profiles by property tag; a profile's key is its name."""
    lines: list[str] = []
    for line in text.splitlines():  # a value continued with a trailing backslash
        if lines and lines[-1].endswith("\\") and not lines[-1].endswith('\\"'):
            lines[-1] = lines[-1][:-1] + line.strip()
        else:
            lines.append(line)
    key = ""
    for line in lines:
        match = _REG_KEY.match(line)
        if match:
            key = match.group(1)
            lower = key.lower()
            if _PROFILES in lower:
                yield "", [("profil", key[lower.index(_PROFILES) + len(_PROFILES):].split("\\")[0])]
            continue
        match = _REG_VALUE.match(line)
        if not match:
            continue
        name = match.group(1).strip('"')
        value = _reg_string(match.group(2))
        if artifact == "reg_mapi_profiles":
            if name.lower() == "defaultprofile":
                yield "", [("profil", value)]
                continue
            tag = name[-4:].lower() if re.fullmatch(r"[0-9a-fA-F]{8}", name) else ""
            kind = _MAPI_NAMES.get(tag)
            if kind == "texte":
                yield "", [("texte", value)]
            elif kind:
                yield "", [(f"mapi:{kind}", value.strip("\n"))]
            continue
        yield "", [(name, value)]


def artifact_fields(artifact: str, kind: str, text: str) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    if text.startswith("#VMES-RECORDS"):
        yield from _record_fields(text)
    elif kind == "reg" or text.startswith(("Windows Registry Editor", "REGEDIT4")):
        yield from _reg_fields(artifact, text)
    elif kind in ("whoami_user", "whoami_groups"):
        yield from _csv_fields(text)
    else:
        yield from _colon_fields(text)
