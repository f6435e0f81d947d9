"""Mutations of real inputs, driven by a seed: what a customer's zip (or an attacker) can hold.

Every mutator takes a :class:`random.Random` and returns a changed copy; the
same seed gives the same input, so a failure found by the fuzz tests
(``test_fuzz.py``, hypothesis draws the seed and shrinks it) or by the long
run (``run_fuzz.py``) is replayed exactly.

>>> import random
>>> text = mutate_text(random.Random(1), "Caption=Windows\\r\\nServicePackMajorVersion=1\\r\\n")
>>> isinstance(text, str)
True
"""

from __future__ import annotations

import json
import random
import re
import struct
import zipfile

__all__ = ["mutate_text", "mutate_manifest", "mutate_zip_entries", "corrupt_zip_bytes", "NASTY_STRINGS",
           "CODEC_NAMES"]

# Values that broke, or could break, a parser or the report.
NASTY_STRINGS = [
    "9" * 5000, "-" + "9" * 400, "-1", "²", "٣٤", "１２", "0x10", "1e400", "nan", "inf", "", " ", "\t",
    "\\ud800", "\\udfff\\ud800", "\\u0000", "\\x", "\\", "\u2028", "\u0085", "\u202e", "\x1b[2J\x1b[31m",
    "<script>alert(1)</script>", "{{ 7*7 }}", "=cmd|' /C calc'!A0", "S-1-5-21-xyz", "S-1-" + "9" * 40,
    "W" * 40000, ":" * 3000 + " " * 3000, " " * 5000 + "x", "[01]: " * 500, "Service Pack " + "9" * 300,
    "5.2." + "9" * 500, "9" * 30 + ".0", "True", "False", "null", "é" * 100, "\ufeff", "\x00",
]
CODEC_NAMES = ["base64", "zlib", "rot13", "rot_13", "hex", "bz2", "uu", "quopri", "utf-32", "utf-7",
               "cp65001", "cp1252", "cp850", "oem:850", "ansi:1252", "latin-1", "x" * 100, "", "UTF-16LE",
               "unicode", "idna", "punycode", "mbcs", "undefined"]

_NUMBER = re.compile(r"[0-9]+")


def _pick(rng: random.Random) -> str:
    return rng.choice(NASTY_STRINGS)


def mutate_text(rng: random.Random, text: str, rounds: int | None = None) -> str:
    """A few random edits of ``text``: numbers replaced, lines duplicated, dropped, padded, cut…"""
    lines = text.split("\n")
    for _ in range(rounds if rounds is not None else rng.randint(1, 4)):
        if not lines:
            lines = [""]
        i = rng.randrange(len(lines))
        action = rng.randrange(12)
        line = lines[i]
        if action == 0:  # a number replaced by something nasty
            numbers = list(_NUMBER.finditer(line))
            if numbers:
                m = rng.choice(numbers)
                line = line[:m.start()] + _pick(rng) + line[m.end():]
            lines[i] = line
        elif action == 1:  # the value after "=" or ":" replaced
            for sep in ("=", ":"):
                if sep in line:
                    head = line.split(sep, 1)[0]
                    lines[i] = f"{head}{sep}{_pick(rng)}\r"
                    break
        elif action == 2:
            lines.insert(i, line)  # duplicated line (a property set twice, a second record header…)
        elif action == 3:
            del lines[i]
        elif action == 4:
            lines[i] = line + _pick(rng)
        elif action == 5:
            lines.insert(i, _pick(rng))
        elif action == 6:  # cut the file
            lines = lines[:i]
        elif action == 7:
            lines[i] = line[: rng.randrange(len(line) + 1)]
        elif action == 8:  # a random character anywhere
            pos = rng.randrange(len(line) + 1)
            lines[i] = line[:pos] + chr(rng.randrange(0x110000)) + line[pos:]
        elif action == 9:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == 10:  # only the header and comments left (an interrupted step)
            lines = [entry for entry in lines if entry.startswith("#")] or lines[:1]
        else:
            lines[i] = line.replace(" ", rng.choice([" " * 200, "\u00a0", "\t", ""]))
    return "\n".join(lines)


def _random_json(rng: random.Random, depth: int = 0):
    kind = rng.randrange(9 if depth < 2 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([-1, 0, 1, 2 ** 63, -(2 ** 70), 10 ** 400, 1000000])
    if kind == 3:
        return rng.choice([1.5, -0.0, 1e308])
    if kind in (4, 5):
        return _pick(rng)
    if kind == 6:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(3))]
    return {rng.choice(["name", "x", "mode", ""]): _random_json(rng, depth + 1) for _ in range(rng.randrange(3))}


def _paths(value, prefix=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield prefix + (key,)
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield prefix + (index,)
            yield from _paths(item, prefix + (index,))


def mutate_manifest(rng: random.Random, manifest: dict) -> bytes:
    """The manifest's bytes with random fields changed, removed or given twice."""
    data = json.loads(json.dumps(manifest))
    for _ in range(rng.randint(1, 3)):
        if not isinstance(data, dict):
            break
        action = rng.randrange(8)
        paths = list(_paths(data))
        entries = data.get("artifacts") if isinstance(data.get("artifacts"), list) else []
        entries = [e for e in entries if isinstance(e, dict)]
        if action == 0 and entries:
            rng.choice(entries)["encoding"] = rng.choice(CODEC_NAMES)
        elif action == 1:
            data["mode"] = rng.choice(["vmes", "exchange", "ems", "VMES", "", None, 3])
        elif action == 2:
            data[rng.choice(["started", "ended"])] = rng.choice([
                "2026-11-21T10:00:00", "2026-11-21T10:00:00+14:00", "garbage", "9999-12-31T23:59:59-23:59",
                "0001-01-01T00:00:00", 12, None])
        elif action == 3 and entries:
            data["artifacts"].append(dict(rng.choice(entries)))  # declared twice
        elif action == 4:
            if not isinstance(data.get("run_as"), dict):
                data["run_as"] = {}
            data["run_as"]["sid"] = _pick(rng)
        elif action in (5, 6) and paths:
            path = rng.choice(paths)
            target = data
            for key in path[:-1]:
                target = target[key]
            if action == 5:
                target[path[-1]] = _random_json(rng)
            elif isinstance(target, dict):
                target.pop(path[-1], None)
        else:
            data["artifacts"] = []
    text = json.dumps(data, ensure_ascii=rng.random() < 0.8)
    if rng.random() < 0.2:  # a key given twice, textually ("mode" twice)
        text = text.replace('"mode":', '"mode": "exchange", "mode":', 1)
    encoded = text.encode("utf-8", "surrogatepass")
    return encoded if rng.random() < 0.9 else encoded[: rng.randrange(len(encoded) + 1)]


def mutate_zip_entries(rng: random.Random, entries: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Entry-level tricks: duplicates, traversal, control characters, a second manifest."""
    entries = list(entries)
    for _ in range(rng.randint(1, 3)):
        name, data = rng.choice(entries)
        action = rng.randrange(7)
        if action == 0:
            entries.append((name, data[::-1] or b"x"))  # same name, different content
        elif action == 1:
            entries.append(("../" + name, b"evil"))
        elif action == 2:
            entries.append((f"\x1b[2J{name}", data))
        elif action == 3:
            entries.append(("manifest.json", b'{"mode": "exchange"}'))
        elif action == 4:
            entries.append((name.upper(), data))
        elif action == 5:
            entries.append(("sub/" + name, data))
        else:
            entries = [(n, d) for n, d in entries if n != name]
    return entries


def corrupt_zip_bytes(rng: random.Random, data: bytes) -> bytes:
    """Byte-level damage: CRC, "version needed", compression method, UTF-8 flag, truncation."""
    buf = bytearray(data)
    action = rng.randrange(6)
    headers = [m.start() for m in re.finditer(rb"PK\x01\x02", bytes(buf))]  # central directory entries
    if action == 0 and len(buf) > 100:
        pos = rng.randrange(30, len(buf) - 30)
        buf[pos] ^= 0xFF
    elif action == 1 and headers:
        pos = rng.choice(headers)
        struct.pack_into("<H", buf, pos + 6, rng.choice([63, 99, 0xFFFF]))  # version needed to extract
    elif action == 2 and headers:
        pos = rng.choice(headers)
        struct.pack_into("<H", buf, pos + 10, rng.choice([1, 6, 97, 99]))  # compression method
    elif action == 3 and headers:
        pos = rng.choice(headers)
        flags = struct.unpack_from("<H", buf, pos + 8)[0]
        struct.pack_into("<H", buf, pos + 8, flags | 0x800)  # "names are UTF-8"
        name_len = struct.unpack_from("<H", buf, pos + 28)[0]
        if name_len:
            buf[pos + 46] = 0xFF  # not UTF-8
    elif action == 4:
        buf = buf[: rng.randrange(len(buf) + 1)]
    elif headers:
        pos = rng.choice(headers)
        struct.pack_into("<H", buf, pos + 8, 0x1)  # encrypted
    return bytes(buf)


def zip_of(entries: list[tuple[str, bytes]]) -> bytes:
    import io

    import warnings

    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": duplicates are the point
        with zipfile.ZipFile(out, "w") as archive:
            for name, data in entries:
                archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 20, 14, 0, 0)), data)
    return out.getvalue()
