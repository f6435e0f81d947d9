r"""Distinguished names: split into RDNs (honouring ``\,`` escapes), parent, compare.

>>> parent_dn(r"CN=Dupont\, Jean,OU=Ventes,DC=corp,DC=local")
'OU=Ventes,DC=corp,DC=local'
>>> normalize_dn("CN=EXCH01, CN=Servers ,DC=Corp")
'cn=exch01,cn=servers,dc=corp'
>>> is_ancestor("DC=corp,DC=local", "CN=Users,DC=corp,DC=local")
True
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["split_dn", "normalize_dn", "parent_dn", "is_ancestor", "depth_below", "rdn_value", "canonical_name"]


def split_dn(dn: str) -> list[str]:
    r"""RDNs of ``dn``, left to right, stripped; a backslash escapes the next character.

    >>> split_dn(r"CN=a\,b,DC=x")
    ['CN=a\\,b', 'DC=x']
    """
    if "\\" not in dn:
        # No escape: a plain split gives the same RDNs, several times faster.
        return [p.strip() for p in dn.replace(";", ",").split(",") if p.strip()]
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for ch in dn:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch in ",;":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    tail = "".join(current).strip()
    if tail or parts:
        parts.append(tail)
    return [p for p in parts if p]


@lru_cache(maxsize=65536)
def normalize_dn(dn: str) -> str:
    """Case-insensitive key of a DN: RDNs stripped, spaces around ``=`` removed, lower-cased.

    Cached: a large organisation's tables normalise the same few thousand DNs
    tens of thousands of times (measured by ``bench/bench_ratios.py``).
    """
    out = []
    for rdn in split_dn(dn):
        name, sep, value = rdn.partition("=")
        out.append(f"{name.strip()}{sep}{value.strip()}".lower())
    return ",".join(out)


def parent_dn(dn: str) -> str | None:
    """The DN of the parent object (original case), or ``None`` for a one-RDN DN."""
    rdns = split_dn(dn)
    return ",".join(rdns[1:]) if len(rdns) > 1 else None


def depth_below(ancestor: str, dn: str) -> int | None:
    """How many levels ``dn`` lies below ``ancestor`` (0 = same object), ``None`` if not below.

    >>> depth_below("DC=corp", "CN=x,CN=Users,DC=corp")
    2
    """
    a, d = split_dn(normalize_dn(ancestor)), split_dn(normalize_dn(dn))
    if len(d) < len(a) or d[len(d) - len(a):] != a:
        return None
    return len(d) - len(a)


def is_ancestor(ancestor: str, dn: str) -> bool:
    """True when ``ancestor`` is a strict ancestor of ``dn``."""
    depth = depth_below(ancestor, dn)
    return depth is not None and depth > 0


def rdn_value(rdn: str) -> str:
    r"""The value of one RDN, its escapes undone (RFC 4514: ``\,`` and ``\2C`` are both a comma).

    >>> rdn_value(r"CN=Dupont\, Jean"), rdn_value(r"OU=R\26D"), rdn_value("DC=corp")
    ('Dupont, Jean', 'R&D', 'corp')
    """
    text = rdn.partition("=")[2].strip()
    out = bytearray()
    i = 0
    while i < len(text):
        pair = text[i + 1:i + 3]
        if text[i] == "\\" and len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair):
            out.append(int(pair, 16))  # \XX: one byte of the UTF-8 value
            i += 3
        elif text[i] == "\\" and i + 1 < len(text):
            out += text[i + 1].encode("utf-8")
            i += 2
        else:
            out += text[i].encode("utf-8")
            i += 1
    return out.decode("utf-8", errors="replace")


def canonical_name(dn: str) -> str | None:
    r"""The canonical name Active Directory tools print for ``dn`` (Exchange 2007's ``Identity``):
    the DNS domain, then each container from the top, ``/`` inside a name escaped as ``\/``.
    None when ``dn`` has no domain part.

    >>> canonical_name("CN=VistoAdmin,OU=Comptes de service,OU=Exemple,DC=ad,DC=exemple-transports,DC=fr")
    'ad.exemple-transports.fr/Exemple/Comptes de service/VistoAdmin'
    >>> canonical_name(r"CN=A/B\, C,CN=Users,DC=corp,DC=local"), canonical_name("CN=x")
    ('corp.local/Users/A\\/B, C', None)
    """
    rdns = split_dn(dn)
    domain = [rdn_value(r) for r in rdns if r.split("=", 1)[0].strip().lower() == "dc"]
    if not domain:
        return None
    path = [rdn_value(r).replace("/", "\\/") for r in rdns if r.split("=", 1)[0].strip().lower() != "dc"]
    return "/".join([".".join(domain)] + list(reversed(path)))
