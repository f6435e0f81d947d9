"""French formatting of numbers, dates and names for the report, locale-free.

The report must print the same bytes on every machine, so nothing here calls
``locale`` or ``strftime`` with a locale: French conventions are written out.

- integers: narrow no-break space (U+202F) as thousands separator;
- dates: ``dd/mm/yyyy`` (and ``dd/mm/yyyy hh:mm:ss`` for timestamps);
- the typographic spaces the templates use before ``: ; ! ?``.

>>> format_int(1234567)
'1\\u202f234\\u202f567'
>>> format_bytes(3_456_789)
'3\\u202f456\\u202f789 octets'
>>> format_date("2008-05-01")
'01/05/2008'
>>> format_date("2024-03-05T14:02:11Z")
'05/03/2024 14:02:11'
>>> format_date("05/03/2024")
'05/03/2024'
>>> file_name(r"C:\\Collectes\\vmes01.zip")
'vmes01.zip'
>>> format_duration_ms(12345)
'12\\u202f345\\xa0ms'
"""

from __future__ import annotations

import re

NBSP = "\u00a0"  # before ":" and inside « guillemets »
NNBSP = "\u202f"  # before ";", "!", "?" and as thousands separator

# 2024-03-05, 2024-03-05T14:02:11, 2024-03-05 14:02:11.123+01:00, …Z
_ISO_DATE = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)


def format_int(value: int | float | str | None) -> str:
    """Integer with French thousands separator; other values unchanged (as text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        sign = "-" if value < 0 else ""
        return sign + f"{abs(value):,}".replace(",", NNBSP)
    if isinstance(value, float):
        if value.is_integer():
            return format_int(int(value))
        whole, _, frac = f"{value:.2f}".partition(".")
        return format_int(int(whole)) + "," + frac
    return str(value)


def format_bytes(size: int | None) -> str:
    """``3 456 789 octets``; empty when unknown."""
    if size is None:
        return ""
    return f"{format_int(size)} octets"


def format_duration_ms(duration: int | None) -> str:
    """``12 345 ms``; empty when the collector did not record it."""
    if duration is None:
        return ""
    return f"{format_int(duration)}{NBSP}ms"


def format_date(value: str) -> str:
    """ISO date or timestamp to ``dd/mm/yyyy[ hh:mm:ss]``; anything else unchanged."""
    match = _ISO_DATE.match(value.strip()) if value else None
    if not match:
        return value
    text = f"{match['d']}/{match['m']}/{match['y']}"
    if match["time"]:
        text += f" {match['time']}"
    return text


def file_name(path: str) -> str:
    """The last component of a Windows or POSIX path: the report never shows
    where the user kept the collection on disk."""
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1] if path else path


def guillemets(text: str) -> str:
    """« text » with no-break spaces inside.

    >>> guillemets("Serveurs")
    '«\\xa0Serveurs\\xa0»'
    """
    return f"«{NBSP}{text}{NBSP}»"


_SPACED = (("« ", "«" + NBSP), (" »", NBSP + "»"))


def french_spacing(text: str) -> str:
    """Non-breaking spaces where French typography wants them, so that a line never starts with
    « : », « ; » or a closing guillemet: inside « guillemets » and before « : » (NBSP), before
    « ; », « ! » and « ? » (narrow NBSP). Only a space *followed by* a space or the end of the text
    is replaced before a sign, so URLs, paths and commands (``C:\\``, ``https://``, ``a;b``) are untouched.

    >>> french_spacing("« Envoyer comme » ; vu ?") == "«" + NBSP + "Envoyer comme" + NBSP + "»" + NNBSP + "; vu" + NNBSP + "?"
    True
    >>> french_spacing("Observé : oui") == "Observé" + NBSP + ": oui"
    True
    >>> french_spacing("https://x.fr:443 ; C:\\\\WINDOWS") == "https://x.fr:443" + NNBSP + "; C:\\\\WINDOWS"
    True
    """
    if not text or not isinstance(text, str):
        return text
    for plain, fixed in _SPACED:
        text = text.replace(plain, fixed)
    out = []
    length = len(text)
    for i, ch in enumerate(text):
        if ch == " " and i + 1 < length and text[i + 1] in ":;!?" and (i + 2 == length or text[i + 2] in " \n\u00a0"):
            out.append(NBSP if text[i + 1] == ":" else NNBSP)
        else:
            out.append(ch)
    return "".join(out)
