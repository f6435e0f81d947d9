"""Decode the bytes of a collected artifact into text.

Windows writes the artifacts we read in a handful of encodings:

- ``systeminfo > f.txt`` from cmd.exe: the OEM code page, no BOM
  (cp850 on French Windows: ``4e 6f 6d 20 64 65 20 6c 27 68 93 74 65`` is
  ``Nom de l'hôte``; NBSP is 0xFF);
- PowerShell ``Out-File`` and ``regedit /e``: UTF-16LE with BOM ``FF FE``;
- FileSystemObject ``CreateTextFile(..., True)``: UTF-16LE with BOM;
- a customer's editor: UTF-8 (with or without BOM) or cp1252.

Order of decisions: BOM first, then the encoding the manifest declares, then
UTF-16 without BOM (every other byte NUL), then strict UTF-8, then a choice
between cp850 and cp1252 by which gives French letters rather than box
drawing or control characters.

>>> decode_bytes("Nom de l'h\\x93te".encode("latin-1")).text
"Nom de l'hôte"
>>> decode_bytes(b"\\xff\\xfeA\\x00").encoding
'utf-16le'
>>> decode_bytes("Mémoire".encode("cp1252")).encoding
'cp1252'
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

__all__ = ["DecodedText", "decode_bytes", "normalize_encoding_name", "declared_encoding_problem", "clean_text",
           "printable", "has_control"]

# Letters a French or English Windows text plausibly contains.
_FRENCH_LETTERS = set("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŒÆ«»°€’")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    had_bom: bool


# The encodings docs/collection-format.md §2 documents: utf-16le, ascii, utf-8, cpNNN
# (an OEM or ANSI code page). "oem:850", "unicode" and the like are spellings of them.
_CODE_PAGE = re.compile(r"^cp[0-9]{3,5}$", re.ASCII)
_ALIASES = {"unicode": "utf-16le", "utf-16": "utf-16le", "utf16": "utf-16le", "utf-16-le": "utf-16le",
            "utf16le": "utf-16le", "utf8": "utf-8", "us-ascii": "ascii", "utf-8-bom": "utf-8"}


def normalize_encoding_name(name: str | None) -> str | None:
    """Map a manifest encoding label to a Python codec name; None unless the format documents it.

    Only text encodings the collection format lists are accepted: a manifest
    naming ``base64``, ``zlib`` or ``rot13`` (codecs Python knows, but that are
    not text encodings) gets None, never a codec lookup.

    >>> normalize_encoding_name("CP850"), normalize_encoding_name("oem:850"), normalize_encoding_name("unicode")
    ('cp850', 'cp850', 'utf-16le')
    >>> normalize_encoding_name("base64"), normalize_encoding_name("rot13"), normalize_encoding_name("latin-1")
    (None, None, None)
    """
    if not name or len(name) > 32:
        return None
    label = name.strip().lower().replace("_", "-")
    label = re.sub(r"^(oem|ansi):?", "cp", label)
    label = _ALIASES.get(label, label)
    if label not in ("utf-16le", "ascii", "utf-8") and not _CODE_PAGE.match(label):
        return None
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    return {"utf-16-le": "utf-16le", "utf-16-be": "utf-16be"}.get(info.name, info.name)


def declared_encoding_problem(name: str | None) -> str:
    """"" when the manifest's encoding is empty or documented, else the French reason.

    >>> declared_encoding_problem("cp850"), declared_encoding_problem("")
    ('', '')
    >>> declared_encoding_problem("base64")
    'encodage déclaré « base64 » non prévu par le format de collecte (utf-16le, ascii, utf-8 ou cpNNN)'
    """
    if not name or not name.strip() or normalize_encoding_name(name):
        return ""
    shown = name.strip()[:32]
    return f"encodage déclaré « {shown} » non prévu par le format de collecte (utf-16le, ascii, utf-8 ou cpNNN)"


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Replace lone UTF-16 surrogates (``\\ud800`` in a JSON string or a record escape) by U+FFFD.

    A Python string may hold them, but no file can be written with them: the
    report, the JSON and the PDF would fail on the first one.

    >>> clean_text("a" + chr(0xD800) + "b") == "a\ufffdb", clean_text("déjà")
    (True, 'déjà')
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def _score_single_byte(text: str) -> int:
    score = 0
    for ch in text:
        if ch in _FRENCH_LETTERS:
            score += 2
        elif ch == "\u00a0":
            score += 1
        elif "\u2500" <= ch <= "\u25ff" or ch in "ƒ¤¦§¨¬®¯±²³´µ¶·¸¹º¼½¾":
            score -= 3
        elif ord(ch) < 32 and ch not in "\r\n\t":
            score -= 5
    return score


def decode_bytes(data: bytes, declared: str | None = None) -> DecodedText:
    """Decode ``data``; never raises, replacing undecodable bytes as a last resort.

    Only a documented encoding (:func:`normalize_encoding_name`) is ever used
    from ``declared``; anything else is ignored and the bytes are detected.
    """
    if data.startswith(codecs.BOM_UTF16_LE):
        return DecodedText(data[2:].decode("utf-16le", errors="replace"), "utf-16le", True)
    if data.startswith(codecs.BOM_UTF16_BE):
        return DecodedText(data[2:].decode("utf-16be", errors="replace"), "utf-16be", True)
    if data.startswith(codecs.BOM_UTF8):
        return DecodedText(data[3:].decode("utf-8", errors="replace"), "utf-8", True)

    codec = normalize_encoding_name(declared)
    if codec and codec not in ("utf-16le", "utf-16be"):
        try:
            return DecodedText(clean_text(data.decode(codec)), codec, False)
        except (UnicodeDecodeError, LookupError):
            pass  # the declaration is wrong; fall through to detection

    sample = data[:4096]
    if len(sample) >= 4 and sample[1::2].count(0) > 0.4 * (len(sample) // 2):
        return DecodedText(data.decode("utf-16le", errors="replace"), "utf-16le", False)
    try:
        return DecodedText(data.decode("utf-8"), "ascii" if data.isascii() else "utf-8", False)
    except UnicodeDecodeError:
        pass
    candidates = []
    for cand in ("cp850", "cp1252"):
        text = data.decode(cand, errors="replace")
        candidates.append((_score_single_byte(text), cand, text))
    # cp850 first on ties: that is what cmd.exe writes on a French server.
    best = max(candidates, key=lambda c: c[0])
    return DecodedText(best[2], best[1], False)


def _is_control(ch: str) -> bool:
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return True
    # bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) reorder what a terminal
    # or a PDF shows ("txt.exe" written backwards); zero-width and BOM characters hide text
    return 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 or code in (0x200B, 0x200E, 0x200F, 0xFEFF)


def has_control(text: str) -> bool:
    """True when ``text`` holds a control or display-reordering character.

    >>> has_control("wmi_os.txt"), has_control("a\\x1b[31mb"), has_control("abc\\u202etxt.exe")
    (False, True, True)
    """
    return any(_is_control(ch) for ch in text)


def printable(text: str, limit: int = 0) -> str:
    r"""``text`` with every control character shown as an escape (``\x1b``, ``\u202e``), so that a
    name read from a customer's zip can never drive a terminal or reorder a line; cut to ``limit``.

    >>> printable("a\x1b[2Jb\r\nc"), printable("abcdef", 3)
    ('a\\x1b[2Jb\\x0d\\x0ac', 'abc…')
    """
    if limit and len(text) > limit:
        text = text[:limit] + "…"
    if not has_control(text):
        return text
    out = []
    for ch in text:
        if _is_control(ch):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
