"""Exchange versions from ``serialNumber`` (AD) or ``AdminDisplayVersion`` (EMS).

Inputs (``domain-facts.md`` §2.2)::

    Version 6.0 (Build 6249.4: Service Pack 3)     Exchange 2000 SP3
    Version 6.5 (Build 7638.2: Service Pack 2)     Exchange 2003 SP2 (EMS transcript)
    Version 6.5 (Build 7638: Service Pack 2)       Exchange 2003 SP2 (ExBPA text)
    Version 8.1 (Build 240.6)                      Exchange 2007 SP1 (EMS AdminDisplayVersion): no ": Service Pack"
    Version 8.1 (Build 30240.6)                    the same server's serialNumber in AD: build + 30000

Product from the major.minor prefix (5.5, 6.0 = 2000, 6.5 = 2003, 8.x = 2007,
14.x = 2010, 15.0/15.1/15.2 = 2013/2016/2019). Service pack: the
": Service Pack N" suffix when present, else the build table of §2.1 for
2000/2003 (highest SP build not above the build: post-SP hotfix builds such
as 6.5.7654 stay SP2); for 2007 and 2010 the minor version *is* the SP
(8.1 = SP1). From Exchange 2007 on, AD's ``serialNumber`` stores the build
plus 30000 ("Version 8.1 (Build 30240.6)"); the EMS form does not. Neither
says the update rollup (both keep the service pack's build): a rollup is only
derived from a *file* version (:func:`parse_dotted_build`), never from these.

>>> v = parse_exchange_version("Version 6.5 (Build 7638.2: Service Pack 2)")
>>> v.product, v.sp, v.label_fr, v.dotted
('Exchange 2003', 2, 'Exchange 2003 SP2', '6.5.7638.2')
>>> parse_exchange_version("Version 8.1 (Build 240.6)").label_fr
'Exchange 2007 SP1'
>>> v = parse_exchange_version("Version 8.1 (Build 30240.6)")
>>> v.label_fr, v.dotted, v.rollup
('Exchange 2007 SP1', '8.1.240.6', None)
>>> parse_dotted_build("8.1.311.3").label_fr
'Exchange 2007 SP1 (correctif cumulatif 4)'
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from vmes_audit.base.errors import ParseError

__all__ = ["ExchangeVersion", "parse_exchange_version", "parse_serial_numbers", "parse_dotted_build",
           "exchange_version"]

_PRODUCTS = {
    (5, 5): "Exchange 5.5", (6, 0): "Exchange 2000", (6, 5): "Exchange 2003",
    (15, 0): "Exchange 2013", (15, 1): "Exchange 2016", (15, 2): "Exchange 2019",
}
_PRODUCTS_BY_MAJOR = {8: "Exchange 2007", 14: "Exchange 2010"}

# domain-facts §2.1 (✅): build of each service pack, 2000 and 2003.
_LEGACY_SP_BUILDS: dict[tuple[int, int], list[tuple[int, int]]] = {
    (6, 0): [(4417, 0), (4712, 1), (5762, 2), (6249, 3)],
    (6, 5): [(6944, 0), (7226, 1), (7638, 2)],
}

# Exchange 2007 (major 8): minor = SP; first the SP build, then the rollup
# builds UR1, UR2, … (righel/ms-exchange-version-nse, which copies
# Microsoft's build list; RTM, SP1 first and last rollups confirmed in §2.1).
_E2007: dict[int, tuple[tuple[int, int], list[tuple[int, int]]]] = {
    0: ((685, 24), [(708, 3), (711, 2), (730, 1), (744, 0), (754, 0), (783, 2), (813, 0)]),
    1: ((240, 6), [(263, 1), (278, 2), (291, 2), (311, 3), (336, 1), (340, 1), (359, 2), (375, 2),
                   (393, 1), (436, 0)]),
    2: ((176, 2), [(217, 3), (234, 1), (247, 2), (254, 0), (305, 3)]),
    3: ((83, 6), [(106, 2), (137, 3), (159, 2), (192, 1), (213, 1), (245, 2), (264, 0), (279, 3),
                  (297, 2), (298, 3), (327, 1), (342, 4), (348, 2), (379, 2), (389, 2), (406, 0),
                  (417, 1), (445, 0), (459, 0), (468, 0), (485, 1), (502, 0), (517, 0)]),
}

# "Version 6.5 (Build 7638.2: Service Pack 2)" / "Version 8.1 (Build 240.6)"
# (bounded digit runs, ASCII only: a value from a customer's directory is never an unbounded integer)
_VERSION = re.compile(
    r"^\s*Version\s+(?P<major>[0-9]{1,3})\.(?P<minor>[0-9]{1,3})\s*\(\s*Build\s+(?P<build>[0-9]{1,6})"
    r"(?:\.(?P<rev>[0-9]{1,6}))?\s*(?::\s*Service\s+Pack\s+(?P<sp>[0-9]{1,2})\s*)?\)\s*$", re.IGNORECASE)
# "8.1.263.1" (file or EMS build), "6.5.7638"
_DOTTED = re.compile(r"^\s*([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,6})(?:\.([0-9]{1,6}))?\s*$")


@dataclass(frozen=True)
class ExchangeVersion:
    """A parsed Exchange version; ``label_fr`` is what the report prints."""

    product: str
    major: int
    minor: int
    build: int
    sp: int
    label_fr: str
    revision: int | None = None
    rollup: int | None = None

    @property
    def dotted(self) -> str:
        """``6.5.7638.2`` (revision omitted when unknown)."""
        base = f"{self.major}.{self.minor}.{self.build}"
        return base if self.revision is None else f"{base}.{self.revision}"

    @property
    def version_tuple(self) -> tuple[int, int, int, int]:
        """For ordering comparisons: (major, minor, build, revision or 0)."""
        return (self.major, self.minor, self.build, self.revision or 0)


def exchange_version(major: int, minor: int, build: int, revision: int | None = None,
                     sp_suffix: int | None = None, *, source: str | None = None,
                     derive_rollup: bool = True) -> ExchangeVersion:
    """Build an :class:`ExchangeVersion` from numbers; unknown versions raise :class:`ParseError`.

    >>> exchange_version(6, 0, 4417).label_fr
    'Exchange 2000 RTM'
    >>> exchange_version(6, 5, 6000)
    Traceback (most recent call last):
    ...
    vmes_audit.base.errors.ParseError: build Exchange 6.5.6000 inconnu : antérieur à la version finale (RTM) du produit
    """
    shown = source or f"{major}.{minor}.{build}"
    product = _PRODUCTS.get((major, minor)) or _PRODUCTS_BY_MAJOR.get(major)
    if product is None:
        raise ParseError(f"version Exchange « {shown} » inconnue (version {major}.{minor} non répertoriée)")
    rollup = None
    if (major, minor) in _LEGACY_SP_BUILDS:
        table = _LEGACY_SP_BUILDS[(major, minor)]
        if build < table[0][0]:
            raise ParseError(f"build Exchange {major}.{minor}.{build} inconnu : antérieur à la version "
                             "finale (RTM) du produit")
        sp = sp_suffix if sp_suffix is not None else table[bisect_right([b for b, _ in table], build) - 1][1]
    elif major == 8:
        if minor not in _E2007:
            raise ParseError(f"version Exchange 2007 « {shown} » inconnue (service pack {minor} non répertorié)")
        base, rollups = _E2007[minor]
        here = (build, revision or 0)
        if here < (base[0], 0):
            raise ParseError(f"build Exchange {major}.{minor}.{build} inconnu : antérieur au service pack "
                             f"{minor} d'Exchange 2007")
        sp, rollup = minor, (bisect_right(rollups, here) if derive_rollup else None)
    elif major == 14:
        sp = minor
    elif (major, minor) == (5, 5):
        if sp_suffix is None:
            raise ParseError(f"version Exchange 5.5 « {shown} » sans niveau de service pack")
        sp = sp_suffix
    else:  # 2013 and later: cumulative updates, no service packs
        sp = 0
    if major >= 15:
        label = f"{product} (build {build}{'' if revision is None else f'.{revision}'})"
    else:
        label = f"{product} SP{sp}" if sp else f"{product} RTM"
        if rollup:
            label += f" (correctif cumulatif {rollup})"
    return ExchangeVersion(product, major, minor, build, sp, label, revision, rollup)


def parse_exchange_version(text: str) -> ExchangeVersion:
    """Parse one ``serialNumber`` / ``AdminDisplayVersion`` value.

    >>> parse_exchange_version("Version 6.0 (Build 6249.4: Service Pack 3)").label_fr
    'Exchange 2000 SP3'
    >>> parse_exchange_version("6.5.7638")
    Traceback (most recent call last):
    ...
    vmes_audit.base.errors.ParseError: version Exchange « 6.5.7638 » illisible : forme « Version 6.5 (Build 7638.2: Service Pack 2) » attendue
    """
    m = _VERSION.match(text or "")
    if not m:
        raise ParseError(f"version Exchange « {text} » illisible : forme "
                         "« Version 6.5 (Build 7638.2: Service Pack 2) » attendue")
    rev = m.group("rev")
    sp = m.group("sp")
    major, build = int(m.group("major")), int(m.group("build"))
    if major >= 8 and build >= 30000:
        build -= 30000  # AD's serialNumber of Exchange 2007 and later
    return exchange_version(major, int(m.group("minor")), build,
                            int(rev) if rev is not None else None, int(sp) if sp is not None else None,
                            source=text.strip(), derive_rollup=False)


def parse_serial_numbers(values: Iterable[str] | str) -> ExchangeVersion:
    """The version among the values of the multi-valued ``serialNumber``.

    The first value of the form ``Version …`` is parsed (ExBPA matches the
    prefix the same way); other values are ignored. None parseable → :class:`ParseError`.

    >>> parse_serial_numbers(["", "Version 6.5 (Build 7226.6: Service Pack 1)"]).label_fr
    'Exchange 2003 SP1'
    """
    items = [values] if isinstance(values, str) else list(values)
    for value in items:
        if value and value.strip().lower().startswith("version"):
            return parse_exchange_version(value)
    raise ParseError("aucune valeur « Version … » dans serialNumber : version Exchange inconnue "
                     f"({', '.join(repr(v) for v in items) or 'attribut vide'})")


def parse_dotted_build(text: str) -> ExchangeVersion:
    """Parse a dotted build (``8.1.263.1``, a file version of ExSetup.exe or store.exe).

    >>> parse_dotted_build("6.5.7654.4").label_fr    # post-SP2 hotfix build
    'Exchange 2003 SP2'
    """
    m = _DOTTED.match(text or "")
    if not m:
        raise ParseError(f"numéro de build Exchange « {text} » illisible : forme « 8.1.263.1 » attendue")
    major, minor, build, rev = m.groups()
    return exchange_version(int(major), int(minor), int(build), int(rev) if rev is not None else None,
                            source=text.strip())
