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

__all__ = ["DecodedText", "decode_bytes", "normalize_encoding_name"]

# Letters a French or English Windows text plausibly contains.
_FRENCH_LETTERS = set("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŒÆ«»°€’")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    had_bom: bool


def normalize_encoding_name(name: str | None) -> str | None:
    """Map a manifest encoding label to a Python codec name.

    >>> normalize_encoding_name("CP850"), normalize_encoding_name("oem:850")
    ('cp850', 'cp850')
    >>> normalize_encoding_name("unicode")
    'utf-16le'
    """
    if not name:
        return None
    label = name.strip().lower().replace("_", "-")
    label = re.sub(r"^(oem|ansi):?", "cp", label)
    aliases = {"unicode": "utf-16le", "utf-16": "utf-16le", "utf16": "utf-16le",
               "utf-16-le": "utf-16le", "utf8": "utf-8", "us-ascii": "ascii"}
    label = aliases.get(label, label)
    try:
        canonical = codecs.lookup(label).name
    except LookupError:
        return None
    return {"utf-16-le": "utf-16le", "utf-16-be": "utf-16be"}.get(canonical, canonical)


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
    """Decode ``data``; never raises, replacing undecodable bytes as a last resort."""
    if data.startswith(codecs.BOM_UTF16_LE):
        return DecodedText(data[2:].decode("utf-16le", errors="replace"), "utf-16le", True)
    if data.startswith(codecs.BOM_UTF16_BE):
        return DecodedText(data[2:].decode("utf-16be", errors="replace"), "utf-16be", True)
    if data.startswith(codecs.BOM_UTF8):
        return DecodedText(data[3:].decode("utf-8", errors="replace"), "utf-8", True)

    codec = normalize_encoding_name(declared)
    if codec and codec not in ("utf-16le", "utf-16be"):
        try:
            return DecodedText(data.decode(codec), codec, False)
        except UnicodeDecodeError:
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
