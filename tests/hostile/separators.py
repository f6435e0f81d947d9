r"""The Unicode-separator family (issue 18): a line break inside a value never becomes structure.

A name set by someone on the customer's side (a group, an administrator, a network card, a registry
string) may hold a character that ``str.splitlines()`` takes for a line end. The mutation appends,
to one line of a real capture, such a separator followed by a copy of another line of the same text
(the forgery: « BUILTIN\Administrateurs … S-1-5-32-544 », « Role : ViewOnlyAdmin »). The property
compares that text with a control text where the same place holds plain characters of the same
length: a parser that treats the separator as data sees the same structure in both (the same
records and keys, the same SIDs, the same number of adapters, hotfixes or registry values), or
refuses the forged text (ParseError: the artifact becomes unreadable, which is fail-closed). The
control text holds the same payload with each separator replaced by a space, so both lines differ
only where a parser could take a name for a line end.
"""

from __future__ import annotations

import random
from dataclasses import fields, is_dataclass
from typing import Any

from vmes_audit.base.errors import ParseError
from vmes_audit.facts.parsed import _parser_for

__all__ = ["SEPARATORS", "forge", "shape", "check"]

SEPARATORS = ["\u2028", "\u2029", "\u0085", "\x1c", "\x1d", "\x1e", "\x0b", "\x0c", "\r", "\n"]
# the line-oriented parsers whose inputs hold names from the customer's side
KINDS = ("records", "systeminfo", "ipconfig", "reg", "whoami_user", "whoami_groups", "formatlist")


# The collector's record files escape every control character of a value (docs/collection-format.md §3):
# a raw LF is always a line end there, never a name's character.
_NOT_IN_A_VALUE = {"records": ("\n", "\r")}


def forge(rng: random.Random, text: str, kind: str = "") -> tuple[str, str] | None:
    """(forged text, control text), or None when the text has fewer than two lines."""
    crlf = "\r\n" in text
    lines = text.split("\r\n") if crlf else text.split("\n")
    candidates = [i for i, line in enumerate(lines) if line.strip()]
    if len(candidates) < 2:
        return None
    target, source = rng.sample(candidates, 2)
    separator = rng.choice([s for s in SEPARATORS if s not in _NOT_IN_A_VALUE.get(kind, ()) and (crlf or s != "\n")])
    payload = separator + lines[source]
    if rng.random() < 0.5:
        payload = separator + payload  # a blank line first: ends an object or a record
    forged, control = list(lines), list(lines)
    forged[target] = lines[target] + payload
    control[target] = lines[target] + payload.replace(separator, " ")
    joiner = "\r\n" if crlf else "\n"
    return joiner.join(forged), joiner.join(control)


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def shape(kind: str, parsed: Any) -> Any:
    """What a forged line could change: structure, never the text of one value."""
    if kind == "records":
        return [(r.kind, sorted(r.props)) for r in parsed]
    if kind == "formatlist":
        return [sorted(obj) for obj in parsed]
    if kind == "whoami_user":
        return parsed.sid
    if kind == "whoami_groups":
        return [g.sid for g in parsed]
    if kind == "reg":
        return (len(parsed.keys), len(parsed.values), len(parsed.deleted_keys))
    if kind == "ipconfig":
        return [sorted(k for k, v in _plain(a).items() if v not in (None, [], "")) for a in parsed.adapters]
    if kind == "systeminfo":
        return [{k: (len(v) if isinstance(v, list) else v is None) for k, v in _plain(info).items()}
                for info in parsed]
    raise ValueError(kind)


def check(kind: str, forged: str, control: str) -> str:
    """"refused", "same" or "control refused"; raises AssertionError when the forgery changed the shape."""
    parser = _parser_for(kind)
    try:
        got = parser(forged)
    except ParseError:
        return "refused"
    try:
        expected = parser(control)
    except ParseError:
        raise AssertionError(f"{kind}: the forged text parses, the control text of the same shape does not")
    assert shape(kind, got) == shape(kind, expected), f"{kind}: a separator inside a value changed the structure"
    return "same"
