r"""MAPI profiles of the running account, from the ``reg_mapi_profiles`` export (checks G1, G2).

Input: the values the ``.reg`` parser yields, any objects with ``key``,
``name``, ``type`` and ``value`` attributes (``value``: ``str`` for REG_SZ,
``bytes`` for REG_BINARY, ``int``, or ``list`` for REG_MULTI_SZ). Layout
(``domain-facts.md`` §5)::

    [HKEY_CURRENT_USER\Software\Microsoft\Windows NT\CurrentVersion\Windows Messaging Subsystem\Profiles]
    "DefaultProfile"="VMES"
    [...\Profiles\VMES\9207f3e0a3b11019908b08002b2a56c2]     one section per service / provider
    "001e3d09"=hex:4d,53,45,4d,53,00                            PR_SERVICE_NAME "MSEMS" (ANSI + NUL)
    [...\Profiles\VMES\13dbb0c8aa05101a9bb000aa002fc45a]     global profile section
    "001e6602"=hex:45,58,43,48,30,31,00                         PR_PROFILE_HOME_SERVER "EXCH01"
    "001e6603"=hex:2f,6f,3d,43,6f,72,70,...                     PR_PROFILE_USER (mailbox DN)

Value names are property tags, type first: ``001e`` = ANSI string
(REG_BINARY, ANSI bytes + NUL, or REG_SZ written by admin scripts),
``001f`` = Unicode string (REG_BINARY, UTF-16LE + NUL). The Exchange service
is ``MSEMS`` (its MAPISVC.INF name, as ``CreateMsgService("MSEMS", …)`` in
public MAPI code). The home server and mailbox DN are read from the MSEMS
service section first, then from the global profile section, then from any
other section of the profile. ``DefaultProfile`` under ``…\Profiles`` is
the default profile: this value name is not verified (❌ in §5); without it
no profile is marked default.

>>> from types import SimpleNamespace as V
>>> root = "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"
>>> values = [V(key=root, name="DefaultProfile", type="REG_SZ", value="VMES"),
...           V(key=root + "\\VMES\\9207f3e0a3b11019908b08002b2a56c2", name="001e3d09", type="REG_BINARY", value=b"MSEMS\0"),
...           V(key=root + "\\VMES\\13dbb0c8aa05101a9bb000aa002fc45a", name="001e6602", type="REG_BINARY", value=b"EXCH01\0")]
>>> p = mapi_profiles(values)[0]
>>> p.name, p.is_default, p.services, p.home_server, p.has_exchange
('VMES', True, ['MSEMS'], 'EXCH01', True)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from vmes_audit.base.errors import ParseError

__all__ = ["MapiProfile", "mapi_profiles", "decode_mapi_string", "EXCHANGE_SERVICE", "GLOBAL_SECTION"]

ARTIFACT = "reg_mapi_profiles"
PROFILES_KEY = r"software\microsoft\windows nt\currentversion\windows messaging subsystem\profiles"
GLOBAL_SECTION = "13dbb0c8aa05101a9bb000aa002fc45a"  # pbGlobalProfileSectionGuid
EXCHANGE_SERVICE = "MSEMS"
PR_SERVICE_NAME = "3d09"
PR_PROFILE_HOME_SERVER = "6602"
PR_PROFILE_USER = "6603"
PT_STRING8 = "001e"
PT_UNICODE = "001f"


class RegValueLike(Protocol):
    key: str
    name: str
    type: str
    value: Any


@dataclass
class MapiProfile:
    """One MAPI profile; ``services`` in first-seen order, without duplicates."""

    name: str
    is_default: bool
    services: list[str] = field(default_factory=list)
    home_server: str | None = None
    mailbox_dn: str | None = None

    @property
    def has_exchange(self) -> bool:
        """True when the profile holds the Exchange service (MSEMS)."""
        return any(s.upper() == EXCHANGE_SERVICE for s in self.services)


def decode_mapi_string(tag: str, value: Any, *, key: str = "", ansi_codepage: str = "cp1252") -> str | None:
    """Decode a PT_STRING8 / PT_UNICODE profile value, whatever its registry type.

    >>> decode_mapi_string("001f6602", "E\\0X\\0\\0\\0".encode("latin-1"))
    'EX'
    >>> decode_mapi_string("001e6602", "EXCH01")
    'EXCH01'
    >>> decode_mapi_string("001f6602", b"E\\0X")
    Traceback (most recent call last):
    ...
    vmes_audit.base.errors.ParseError: valeur « 001f6602 » : données UTF-16LE de longueur impaire (3 octets)
    """
    kind = tag[:4].lower()
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if value is None or isinstance(value, int):
        return None
    if isinstance(value, str):  # REG_SZ written by a script
        text = value
    elif isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
        if kind == PT_UNICODE:
            if len(raw) % 2:
                where = f" de « {key} »" if key else ""
                raise ParseError(f"valeur « {tag} »{where} : données UTF-16LE de longueur impaire "
                                 f"({len(raw)} octets)", artifact=ARTIFACT)
            try:
                text = raw.decode("utf-16-le", errors="strict")
            except UnicodeDecodeError:
                where = f" de « {key} »" if key else ""
                raise ParseError(f"valeur « {tag} »{where} : données UTF-16LE invalides", artifact=ARTIFACT) from None
        elif kind == PT_STRING8:
            text = raw.decode(ansi_codepage, errors="replace")
        else:
            return None
    else:
        return None
    text = text.split("\0", 1)[0]  # MAPI stores the terminating NUL
    return text.strip() or None


def _split_key(key: str) -> list[str] | None:
    """Path components below ``…\\Profiles`` (``[]`` for the Profiles key itself), or None."""
    lowered = key.lower().replace("/", "\\")
    pos = lowered.find(PROFILES_KEY)
    if pos < 0:
        return None
    rest = key[pos + len(PROFILES_KEY):].strip("\\")
    return [part for part in rest.split("\\") if part] if rest else []


def mapi_profiles(values: Iterable[RegValueLike], *, keys: Iterable[str] = (),
                  ansi_codepage: str = "cp1252") -> list[MapiProfile]:
    """Every MAPI profile found in the exported values, in first-seen order.

    Values outside ``…\\Windows Messaging Subsystem\\Profiles`` are ignored.
    Pass ``keys`` (``RegFile.keys``) so that a profile whose keys hold no
    value at all is still listed (with no service).
    """
    default: str | None = None
    order: list[str] = []
    names: dict[str, str] = {}
    sections: dict[str, dict[str, dict[str, Any]]] = {}  # profile -> section -> tag -> value
    for key in keys:
        parts = _split_key(str(key))
        if parts and parts[0].lower() not in names:
            names[parts[0].lower()] = parts[0]
            order.append(parts[0].lower())
            sections[parts[0].lower()] = {}
    for item in values:
        parts = _split_key(str(item.key))
        if parts is None:
            continue
        if not parts:
            if str(item.name).lower() == "defaultprofile":
                default = decode_mapi_string("001e", item.value, key=item.key, ansi_codepage=ansi_codepage)
            continue
        profile = parts[0]
        pkey = profile.lower()
        if pkey not in names:
            names[pkey] = profile
            order.append(pkey)
            sections[pkey] = {}
        if len(parts) < 2:
            continue
        section = parts[1].lower()
        sections[pkey].setdefault(section, {})[str(item.name).lower()] = (item.key, item.value)

    def read(section: dict[str, Any], prop: str) -> str | None:
        for ptype in (PT_UNICODE, PT_STRING8):
            tag = ptype + prop
            if tag in section:
                key, value = section[tag]
                text = decode_mapi_string(tag, value, key=key, ansi_codepage=ansi_codepage)
                if text:
                    return text
        return None

    profiles = []
    for pkey in order:
        secs = sections[pkey]
        services: list[str] = []
        exchange_sections: list[str] = []
        for name in sorted(secs):
            service = read(secs[name], PR_SERVICE_NAME)
            if service:
                if service not in services:
                    services.append(service)
                if service.upper() == EXCHANGE_SERVICE:
                    exchange_sections.append(name)
        lookup = exchange_sections + [GLOBAL_SECTION] + sorted(s for s in secs if s not in exchange_sections)
        home = next((v for s in lookup if s in secs for v in [read(secs[s], PR_PROFILE_HOME_SERVER)] if v), None)
        user = next((v for s in lookup if s in secs for v in [read(secs[s], PR_PROFILE_USER)] if v), None)
        is_default = default is not None and default.lower() == pkey
        profiles.append(MapiProfile(names[pkey], is_default, services, home, user))
    return profiles
