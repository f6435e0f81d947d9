"""Untrusted numbers: the one place where collected text becomes an integer.

Everything the collector writes is text, and a customer's zip can hold
anything in it: ``ServicePackMajorVersion=99999…`` (thousands of digits, over
Python's int-to-str limit), ``-1``, a superscript ``²`` (``"²".isdigit()``
is true but ``int("²")`` fails), Arabic-Indic digits, a DWORD of 40 bits.
:func:`parse_int` reads only ASCII decimal integers of at most
:data:`MAX_DIGITS` digits (a ``uint64`` has 20) and checks an optional
:class:`Bound`; beyond either it raises :class:`OutOfBounds`, whose message
is the French reason shown in the report (« valeur hors limites … »).
:func:`to_int` is the lenient form for callers that only need "a number or
nothing": it never raises.

Bounds per fact column are declared once, in :mod:`vmes_audit.facts.model`.

>>> parse_int(" 3 "), parse_int(None), parse_int("abc"), parse_int("²"), parse_int(7)
(3, None, None, None, 7)
>>> parse_int("-1", Bound(0, 20))
Traceback (most recent call last):
...
vmes_audit.parsers.numbers.OutOfBounds: valeur hors limites : -1 (attendu : de 0 à 20)
>>> to_int("9" * 5000) is None, to_int("0x10"), to_int("4294967296", DWORD)
(True, None, None)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Bound", "OutOfBounds", "parse_int", "to_int", "MAX_DIGITS", "DWORD", "QWORD", "INT64",
           "describe_number"]

MAX_DIGITS = 20  # len(str(2**64 - 1)): no Windows counter, size or identifier is longer



def _fr(number: int) -> str:
    """Thousands with a narrow no-break space (plain function: no import of the report layer)."""
    sign = "-" if number < 0 else ""
    return sign + f"{abs(number):,}".replace(",", "\u202f")


def describe_number(text: str) -> str:
    """A short, bounded rendering of an untrusted number for a message.

    >>> describe_number("9" * 5000)
    'un nombre de 5\\u202f000 chiffres'
    >>> describe_number("-1")
    '-1'
    """
    digits = text.lstrip("+-")
    if len(digits) > MAX_DIGITS:
        return f"un nombre de {_fr(len(digits))} chiffres"
    return text


@dataclass(frozen=True)
class Bound:
    """Plausible range of a value (inclusive); ``None`` = no limit on that side."""

    lo: int | None = None
    hi: int | None = None
    unit: str = ""

    def reason(self, value: int) -> str:
        """"" when ``value`` is inside, else the French reason."""
        if (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi):
            return ""
        return f"valeur hors limites : {describe_number(str(value))} (attendu : {self.describe()})"

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.lo is not None and self.hi is not None:
            return f"de {_fr(self.lo)} à {_fr(self.hi)}{unit}"
        if self.lo is not None:
            return f"au moins {_fr(self.lo)}{unit}"
        if self.hi is not None:
            return f"au plus {_fr(self.hi)}{unit}"
        return "un entier"


INT64 = Bound(-(2 ** 63), 2 ** 64 - 1)  # anything WMI can hold (sint64 .. uint64)
DWORD = Bound(0, 2 ** 32 - 1)  # REG_DWORD
QWORD = Bound(0, 2 ** 64 - 1)  # REG_QWORD


class OutOfBounds(ValueError):
    """A number outside its plausible range; ``str()`` is the French reason."""


def parse_int(value: Any, bound: Bound | None = None) -> int | None:
    """The integer in ``value`` (text or int), None when it holds no integer.

    Raises :class:`OutOfBounds` for more than :data:`MAX_DIGITS` digits or a
    value outside ``bound``. Booleans are not numbers.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        # ASCII digits only: "²".isdigit() and "٣".isdigit() are true too
        digits = text[1:] if text[:1] in ("+", "-") else text
        if not digits or not (digits.isascii() and digits.isdigit()):
            return None
        if len(digits) > MAX_DIGITS:
            raise OutOfBounds(f"valeur hors limites : {describe_number(text)}")
        number = int(text)
    else:
        return None
    if bound is not None:
        reason = bound.reason(number)
        if reason:
            raise OutOfBounds(reason)
    return number


def to_int(value: Any, bound: Bound | None = INT64) -> int | None:
    """Like :func:`parse_int` but never raises: an out-of-range value gives None.

    >>> to_int("1073201152"), to_int(" 3 "), to_int(None), to_int("abc"), to_int(5), to_int("-2")
    (1073201152, 3, None, None, 5, -2)
    """
    try:
        return parse_int(value, bound)
    except OutOfBounds:
        return None
