"""The one zip reader: a customer's archive read as hostile input, never extracted.

:func:`read_zip` returns the readable entries (name -> bytes) and, for every
entry it would not or could not read, a French reason; only an archive whose
central directory cannot be read at all raises :class:`InputError`. Refused
(docs/collection-format.md §1):

- names with a path (``a/b``, ``../x``, ``C:x``, ``\\``), starting with ``.``,
  longer than 128 characters, or holding a control or display-reordering
  character (``\\x1b[2J``, U+202E);
- a name present twice (case-insensitive, as Windows would extract it): a
  contradiction, so *neither* copy is read, never "the last one wins";
- entries over 64 MiB, archives over 1,000 entries or 512 MiB, compression
  ratios over 100;
- entries Python's zipfile cannot read (encryption, a compression method or a
  "version needed to extract" it does not implement, a name flagged UTF-8
  that is not, a bad CRC): named with the reason, the other entries are
  still read.

>>> import io, zipfile
>>> buf = io.BytesIO()
>>> with zipfile.ZipFile(buf, "w") as z:
...     z.writestr("a.txt", b"1"); z.writestr("../a.txt", b"2"); z.writestr("b.txt", b"3"); z.writestr("B.TXT", b"4")
>>> content = read_archive(zipfile.ZipFile(buf), "c.zip")
>>> sorted(content.files), sorted(content.errors), len(content.refused)
(['a.txt'], ['B.TXT', 'b.txt'], 1)
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from vmes_audit.base.encoding import has_control, printable
from vmes_audit.base.errors import InputError, os_error_text

__all__ = ["ZipContent", "read_zip", "read_archive", "entry_name_problem", "LIMITS", "MIB"]

MIB = 1024 * 1024
LIMITS = {
    "entry_bytes": 64 * MIB,  # one artifact
    "total_bytes": 512 * MIB,  # one collection, uncompressed
    "archive_bytes": 576 * MIB,  # one collection's zip: its artifacts (stored at worst) and their headers
    "entries": 1000,
    "ratio": 100,  # uncompressed / compressed
    "loose_file_bytes": 64 * MIB,
    "name_chars": 128,
}

# Everything zipfile (and zlib, bz2, lzma under it) raises on a damaged or exotic archive.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
               RuntimeError, KeyError, IndexError, OverflowError, struct.error, zlib.error, MemoryError)


@dataclass
class ZipContent:
    files: dict[str, bytes] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # entry name -> why it was not read
    refused: list[str] = field(default_factory=list)  # French sentences: entries refused by name
    duplicates: list[str] = field(default_factory=list)  # French sentences: names present twice


def entry_name_problem(name: str) -> str:
    """"" for a name a collector writes, else why it is refused.

    >>> [entry_name_problem(n) == "" for n in ["wmi_os.txt", "../x", "a/b.txt", "C:x", "a\\\\b", ".hidden", "a\\x1bb"]]
    [True, False, False, False, False, False, False]
    """
    if not name:
        return "nom vide"
    if len(name) > LIMITS["name_chars"]:
        return f"nom de {len(name)} caractères"
    if has_control(name):
        return "nom contenant des caractères de contrôle"
    if "\\" in name or ":" in name or "/" in name:
        return "chemin non autorisé dans une collecte"
    if name.startswith("."):  # ".", ".." included
        return "nom caché ou relatif"
    return ""


def _flat_name(name: str) -> str:
    """The file name a refused entry stands for ("../../wmi_os.txt" -> "wmi_os.txt")."""
    return PurePosixPath(name.replace("\\", "/")).name


def read_archive(archive: zipfile.ZipFile, label: str, refused_at: dict[int, str] | None = None) -> ZipContent:
    content = ZipContent()
    infos = archive.infolist()
    if len(infos) > LIMITS["entries"]:
        raise InputError(f"« {label} » contient {len(infos)} entrées (maximum {LIMITS['entries']}) : "
                         "ce n'est pas une collecte vmes-audit.")
    by_name: dict[str, list[zipfile.ZipInfo]] = {}
    for index, info in enumerate(infos):
        name = info.filename
        if info.is_dir():
            continue
        problem = entry_name_problem(name)
        unreadable = (refused_at or {}).get(index)
        if unreadable and not problem:
            content.errors[name] = f"entrée illisible ({unreadable})"  # a valid name: its artifact says why
            continue
        problem = unreadable or problem
        if problem:
            # Collector zips are flat; anything else is refused, never extracted. The refusal is
            # reported even when an entry of the same flat name exists (« ../x » next to « x »).
            flat = printable(_flat_name(name), 80)
            shown = printable(name, 80)
            content.refused.append(f"entrée « {shown} » refusée : {problem}"
                                   + (f" (elle ne remplace pas « {flat} »)" if flat and flat != shown else ""))
            continue
        by_name.setdefault(name.lower(), []).append(info)
    total = 0
    for same in by_name.values():
        name = same[0].filename
        if len(same) > 1:
            names = ", ".join(f"« {printable(i.filename, 80)} »" for i in same)
            content.duplicates.append(f"{len(same)} entrées de même nom dans l'archive ({names}) : "
                                      "contradiction, aucune n'est lue")
            for info in same:
                content.errors[info.filename] = (f"présent {len(same)} fois dans l'archive : contradiction, "
                                                 "aucune copie n'est lue")
            continue
        info = same[0]
        if info.file_size > LIMITS["entry_bytes"]:
            content.errors[name] = f"entrée de {info.file_size} octets, au-delà de la limite de {LIMITS['entry_bytes']}"
            continue
        if info.compress_size and info.file_size / info.compress_size > LIMITS["ratio"]:
            content.errors[name] = "taux de compression anormal (archive piégée ?)"
            continue
        total += info.file_size
        if total > LIMITS["total_bytes"]:
            content.errors[name] = "taille totale de l'archive au-delà de la limite"
            continue
        try:
            with archive.open(info) as handle:
                data = handle.read(LIMITS["entry_bytes"] + 1)
        except _ZIP_ERRORS as exc:
            content.errors[name] = f"entrée illisible ({_zip_reason(exc)})"
            continue
        if len(data) > LIMITS["entry_bytes"]:
            content.errors[name] = "entrée plus grande que sa taille déclarée"
            continue
        content.files[name] = data
    return content


def _zip_reason(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, NotImplementedError) or "compression method" in text:
        return f"méthode de compression ou version de zip non prise en charge : {printable(text, 120)}"
    if "password" in text.lower() or "encrypted" in text.lower():
        return "entrée chiffrée"
    if "CRC" in text or "Bad CRC" in text:
        return "somme de contrôle CRC incorrecte : entrée corrompue"
    return f"{type(exc).__name__} : {printable(text, 160)}"


_CENTRAL = b"PK\x01\x02"
_END = b"PK\x05\x06"


def _tolerate_entries(data: bytes) -> tuple[bytes, dict[int, str]] | None:
    """zipfile refuses a whole archive for one entry whose "version needed to extract" it does not
    implement, or whose name is flagged UTF-8 but is not: a copy of the archive where those central
    directory fields are neutralised, and the reason to refuse each such entry (by position).
    None when the central directory cannot be walked (zip64, damage)."""
    end = data.rfind(_END, max(0, len(data) - 65557))
    if end < 0 or end + 22 > len(data):
        return None
    count, size = struct.unpack_from("<HI", data, end + 10)
    start = end - size
    if start < 0 or count == 0xFFFF or size == 0xFFFFFFFF:
        return None
    buf = bytearray(data)
    reasons: dict[int, str] = {}
    pos = start
    for index in range(count):
        if buf[pos:pos + 4] != _CENTRAL or pos + 46 > end:
            return None
        needed, flags = struct.unpack_from("<HH", buf, pos + 6)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", buf, pos + 28)
        name = bytes(buf[pos + 46:pos + 46 + name_len])
        if needed > zipfile.MAX_EXTRACT_VERSION:
            reasons[index] = (f"version de zip {needed / 10:.1f} non prise en charge (« version needed to "
                              "extract » au-delà de ce que sait lire l'analyseur)")
            struct.pack_into("<H", buf, pos + 6, 20)
        if flags & 0x800:
            try:
                name.decode("utf-8")
            except UnicodeDecodeError:
                reasons[index] = "nom déclaré en UTF-8 mais dont les octets ne sont pas de l'UTF-8"
                struct.pack_into("<H", buf, pos + 8, flags & ~0x800)
        pos += 46 + name_len + extra_len + comment_len
    return (bytes(buf), reasons) if reasons else None


def read_zip(path: Path) -> ZipContent:
    """Read a collection zip; raises :class:`InputError` (French) when it cannot be opened at all.

    An entry that makes zipfile refuse the whole archive (a "version needed" it does not implement,
    a name flagged UTF-8 that is not) is refused alone, with its reason; the others are read.
    """
    label = printable(path.name, 120)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"« {label} » illisible ({os_error_text(exc)}).") from exc
    if size > LIMITS["archive_bytes"]:
        raise InputError(f"« {label} » fait {size} octets, au-delà de ce que peut contenir une collecte : "
                         "ce n'est pas une collecte vmes-audit.")
    refused_at: dict[int, str] = {}
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as exc:
        tolerated = None
        if isinstance(exc, (NotImplementedError, UnicodeDecodeError)):
            try:
                tolerated = _tolerate_entries(path.read_bytes())  # within archive_bytes, checked above
            except OSError:
                tolerated = None
        if tolerated is None:
            if isinstance(exc, UnicodeDecodeError):
                reason = "nom d'entrée déclaré en UTF-8 mais dont les octets ne sont pas de l'UTF-8"
            else:
                reason = _zip_reason(exc)
            raise InputError(f"« {label} » n'est pas une archive zip lisible ({reason}).") from exc
        data, refused_at = tolerated
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except _ZIP_ERRORS as again:
            raise InputError(f"« {label} » n'est pas une archive zip lisible ({_zip_reason(again)}).") from again
    with archive:
        try:
            return read_archive(archive, label, refused_at)
        except InputError:
            raise
        except _ZIP_ERRORS as exc:  # a damaged central directory found while listing
            raise InputError(f"« {label} » n'est pas une archive zip lisible ({_zip_reason(exc)}).") from exc
