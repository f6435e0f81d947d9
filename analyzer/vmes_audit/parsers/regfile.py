r"""``.reg`` files exported by ``regedit /e`` (artifacts ``reg_*``).

Command: ``regedit /e <file> "HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Exchange\Setup"``
(UTF-16LE with BOM, CRLF, header ``Windows Registry Editor Version 5.00``);
``regedit /a`` and Windows 9x/NT4 tools write ``REGEDIT4`` in the ANSI code
page (cp1252 on French and English Windows).

Result: :class:`RegFile` with

- ``version``: ``"5"`` or ``"4"``;
- ``keys``: every ``[key]`` in file order, full path as written;
- ``values``: :class:`RegValue` (``key``, ``name``, ``type``, ``value``), where
  ``name`` is ``""`` for the default value ``@`` and ``type``/``value`` are:

  ================== ===================== ===========================================
  written as          type                  value
  ================== ===================== ===========================================
  ``"text"``          REG_SZ                str, ``\\`` and ``\"`` unescaped
  ``dword:0000001c``  REG_DWORD             int
  ``hex(2):…``        REG_EXPAND_SZ         str (UTF-16LE in v5, cp1252 in v4), NUL dropped
  ``hex(7):…``        REG_MULTI_SZ          list[str] (same decoding)
  ``hex(b):…``        REG_QWORD             int, little-endian
  ``hex:…``           REG_BINARY            bytes
  ``hex(0):…``        REG_NONE              bytes
  ``hex(1):…``        REG_SZ                str (same decoding as hex(2))
  ``hex(4):…``        REG_DWORD             int, little-endian
  ``hex(n):…``        REG_TYPE_<n>          bytes (n as written, e.g. ``REG_TYPE_8``)
  ``-``               DELETED               None (a deletion, only in hand-written files)
  ================== ===================== ===========================================

- ``deleted_keys``: the ``[-HKEY_…]`` lines (never in a ``regedit /e`` export);
- ``get(key, name, default=None)``: the decoded data, like ``dict.get``;
  ``find(key, name)``: the :class:`RegValue` or None; ``subkeys(key)``: the
  direct children's full paths. Lookups ignore case and accept ``HKLM``-style
  abbreviations.

Long hex data continues on the next lines: the line ends with ``\`` and the
next one starts with two spaces. ``;`` lines are comments.

Sample (trimmed)::

    Windows Registry Editor Version 5.00

    [HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Exchange\Setup]
    "Services"="C:\\Program Files\\Exchsrvr"
    "ServicePackBuild"=dword:00001c4a
    "Components"=hex(7):41,00,64,00,6d,00,69,00,6e,00,00,00,00,00

>>> reg = parse_reg('Windows Registry Editor Version 5.00\r\n\r\n'
...                 '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Exchange\\Setup]\r\n'
...                 '"Services"="C:\\\\Program Files\\\\Exchsrvr"\r\n'
...                 '"ServicePackBuild"=dword:00001c4a\r\n'
...                 '"Components"=hex(7):41,00,64,00,6d,00,\\\r\n'
...                 '  69,00,6e,00,00,00,00,00\r\n')
>>> reg.get("HKLM\\Software\\Microsoft\\Exchange\\Setup", "servicepackbuild")
7242
>>> reg.find("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Exchange\\Setup", "Services").value
'C:\\Program Files\\Exchsrvr'
>>> reg.values[2].type, reg.values[2].value
('REG_MULTI_SZ', ['Admin'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Iterator
from typing import Any

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.lines import text_lines

__all__ = ["RegFile", "RegValue", "parse_reg"]

ARTIFACT = "reg"

HEADER_V5 = "Windows Registry Editor Version 5.00"
HEADER_V4 = "REGEDIT4"

_ROOTS = {
    "HKLM": "HKEY_LOCAL_MACHINE",
    "HKCU": "HKEY_CURRENT_USER",
    "HKCR": "HKEY_CLASSES_ROOT",
    "HKU": "HKEY_USERS",
    "HKCC": "HKEY_CURRENT_CONFIG",
}

_HEX_TYPES = {0: "REG_NONE", 1: "REG_SZ", 2: "REG_EXPAND_SZ", 3: "REG_BINARY",
              4: "REG_DWORD", 7: "REG_MULTI_SZ", 11: "REG_QWORD"}


@dataclass(frozen=True)
class RegValue:
    key: str
    name: str
    type: str
    value: Any


def _key_id(key: str) -> str:
    """Case-folded full path with the root abbreviation expanded."""
    root, _, rest = key.strip().strip("\\").partition("\\")
    root = _ROOTS.get(root.upper(), root)
    return f"{root}\\{rest}".rstrip("\\").lower() if rest else root.lower()


@dataclass(frozen=True)
class RegFile:
    version: str
    keys: list[str] = field(default_factory=list)
    values: list[RegValue] = field(default_factory=list)
    deleted_keys: list[str] = field(default_factory=list)
    _index: dict[tuple[str, str], RegValue] = field(default_factory=dict, init=False, repr=False,
                                                    compare=False)

    def find(self, key: str, name: str) -> RegValue | None:
        """The :class:`RegValue` ``name`` ("" for the default) of ``key``; None if absent.

        Case-insensitive; ``HKLM``, ``HKCU``, ``HKCR``, ``HKU`` abbreviations are
        accepted. When a file sets the same value twice, the last one wins, as
        regedit imports it.
        """
        if not self._index and self.values:  # built on first use
            for value in self.values:
                self._index[(_key_id(value.key), value.name.lower())] = value
        return self._index.get((_key_id(key), name.lower()))

    def get(self, key: str, name: str, default: Any = None) -> Any:
        r"""The decoded data of value ``name`` of ``key`` (like ``dict.get``), else ``default``.

        Same lookup rules as :meth:`find`; a deleted value (``"x"=-``) gives ``default``.

        >>> reg = parse_reg('REGEDIT4\n[HKEY_USERS\\A]\n"N"=dword:00000010\n')
        >>> reg.get("hku\\a", "n"), reg.get("hku\\a", "missing", 0)
        (16, 0)
        """
        found = self.find(key, name)
        if found is None or found.type == "DELETED":
            return default
        return found.value

    def subkeys(self, key: str) -> list[str]:
        r"""Full paths (as written) of the direct children of ``key`` present in the file.

        >>> reg = RegFile("5", keys=["HKEY_USERS\\A", "HKEY_USERS\\A\\B", "HKEY_USERS\\A\\B\\C"])
        >>> reg.subkeys("hku\\a")
        ['HKEY_USERS\\A\\B']
        """
        parent = _key_id(key)
        depth = parent.count("\\") + 1
        return [k for k in self.keys
                if _key_id(k).startswith(parent + "\\") and _key_id(k).count("\\") == depth]


# "[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Exchange\Setup]"  /  "[-HKEY_CURRENT_USER\Software\Old]"
_KEY = re.compile(r"^\[(?P<deleted>-)?(?P<key>HKEY_[^\]]*|HK[A-Z]{1,3}\\[^\]]*)\]\s*$", re.IGNORECASE)
# '"Services"="C:\\Program Files\\Exchsrvr"'  /  '@="{3FA7DEB3-…}"'  /  '"Obsolete"=-'
_VALUE = re.compile(r'^(?:@|"(?P<name>(?:[^"\\]|\\.)*)")\s*=\s*(?P<data>.*)$')
# '"C:\\Program Files\\Exchsrvr"'
_STRING = re.compile(r'^"(?P<text>(?:[^"\\]|\\.)*)"\s*$')
# 'dword:00001c4a'
_DWORD = re.compile(r"^dword:(?P<hex>[0-9a-fA-F]{1,8})\s*$")
# 'hex(7):41,00,00,00'  /  'hex:01,02'  /  'hex(b):4a,1c,00,00,00,00,00,00'
_HEX = re.compile(r"^hex(?:\((?P<type>[0-9a-fA-F]+)\))?:(?P<bytes>[0-9a-fA-F,\s]*)$")
# '\\' and '\"' inside '"Serveur \"Exchange\" de test"' (regedit escapes nothing else)
_ESCAPE = re.compile(r"\\(.)")


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: m.group(1), text)


def _decode_text(data: bytes, version: str) -> str:
    if version == "5":
        if len(data) % 2:
            data = data[:-1]
        return data.decode("utf-16le", errors="replace")
    return data.decode("cp1252", errors="replace")


def _decode_hex(type_code: int | None, data: bytes, version: str) -> tuple[str, Any]:
    if type_code is None or type_code == 3:
        return "REG_BINARY", data
    name = _HEX_TYPES.get(type_code, f"REG_TYPE_{type_code:x}")
    if type_code in (1, 2):
        return name, _decode_text(data, version).split("\x00", 1)[0]
    if type_code == 7:
        text = _decode_text(data, version)
        items = text.split("\x00")
        # "a\0b\0\0": the list ends at the first empty string (the terminator)
        return name, items[: items.index("")] if "" in items else items
    if type_code in (4, 11) and data:
        return name, int.from_bytes(data, "little")
    return name, data


# '"Blob"=hex:00,01,02,\'  then  '  03,04'  (regedit wraps hex data near column 80)
_HEX_START = re.compile(r'^(?:@|"(?:[^"\\]|\\.)*")\s*=\s*hex(?:\([0-9a-fA-F]+\))?:')


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) with "\\"-continued hex lines joined.

    Linear in the text's length: whether a logical line is hex data (and so may continue) is
    decided once, on its first physical line, and the pieces are joined once at its end.
    """
    pending: list[str] = []
    start = 0
    continues = False
    for number, raw in enumerate(text_lines(text), start=1):
        line = raw.rstrip()
        if pending:
            pending.append(line.strip())
        else:
            start = number
            pending = [line]
            continues = bool(_HEX_START.match(line.strip()))
        if continues and line.endswith("\\"):
            pending[-1] = pending[-1][:-1]
            continue
        yield start, "".join(pending)
        pending = []
    if pending:
        yield start, "".join(pending)


def parse_reg(text: str) -> RegFile:
    """Parse a ``.reg`` file's text (already decoded)."""
    text = text.lstrip("\ufeff")
    lines = text_lines(text)
    first = next((line.strip() for line in lines if line.strip()), "")
    if first == HEADER_V5:
        version = "5"
    elif first == HEADER_V4:
        version = "4"
    else:
        raise ParseError(f"en-tête « {HEADER_V5} » ou « {HEADER_V4} » absent : "
                         "ce n'est pas un fichier .reg exporté par regedit", artifact=ARTIFACT, line=1)
    keys: list[str] = []
    deleted: list[str] = []
    values: list[RegValue] = []
    current: str | None = None
    header_seen = False
    for number, line in _logical_lines(text):
        stripped = line.strip()
        if not stripped or stripped.startswith(";"):
            continue
        if not header_seen:
            header_seen = True  # the header line checked above
            continue
        key = _KEY.match(stripped)
        if key:
            if key.group("deleted"):
                deleted.append(key.group("key"))
                current = None
            else:
                current = key.group("key")
                keys.append(current)
            continue
        value = _VALUE.match(stripped)
        if not value:
            raise ParseError(f"ligne illisible « {stripped[:60]} »", artifact=ARTIFACT, line=number)
        if current is None:
            raise ParseError("valeur hors de toute clé [HKEY_…]", artifact=ARTIFACT, line=number)
        name = _unescape(value.group("name")) if value.group("name") is not None else ""
        data = value.group("data").strip()
        values.append(RegValue(current, name, *_decode_data(data, version, number)))
    return RegFile(version=version, keys=keys, values=values, deleted_keys=deleted)


def _decode_data(data: str, version: str, number: int) -> tuple[str, Any]:
    if data == "-":
        return "DELETED", None
    string = _STRING.match(data)
    if string:
        return "REG_SZ", _unescape(string.group("text"))
    dword = _DWORD.match(data)
    if dword:
        return "REG_DWORD", int(dword.group("hex"), 16)
    hexdata = _HEX.match(data)
    if hexdata:
        digits = [b for b in re.split(r"[,\s]+", hexdata.group("bytes")) if b]
        if any(len(b) > 2 for b in digits):
            raise ParseError(f"octet hexadécimal invalide dans « {data[:40]} »",
                             artifact=ARTIFACT, line=number)
        raw = bytes(int(b, 16) for b in digits)
        type_code = int(hexdata.group("type"), 16) if hexdata.group("type") else None
        return _decode_hex(type_code, raw, version)
    raise ParseError(f"donnée de valeur illisible « {data[:40]} »", artifact=ARTIFACT, line=number)
