"""Reading folder inputs: one symbolic-link policy, files read without following links.

A folder given on the command line (a collection folder, a folder of
collections, loose files) is read without ever following a symbolic link: a
link inside it — to a file, a zip or a sub-folder — is skipped and named in a
warning, so nothing outside the folder given is read; files are opened with
``O_NOFOLLOW`` so a link swapped in after the listing is not followed either.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from vmes_audit.base.errors import os_error_text
from vmes_audit.collection.zipread import LIMITS
from vmes_audit.base.encoding import printable

__all__ = ["folder_entries", "read_folder_files", "folder_sha256", "read_no_follow", "sha256_file"]


def sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def read_no_follow(path: Path, limit: int) -> bytes:
    """Read a regular file without following a symbolic link (O_NOFOLLOW: no race with a swapped link)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError("ce n'est pas un fichier ordinaire")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(f"fichier de plus de {limit} octets, au-delà de la limite")
    return data


def folder_entries(folder: Path, warnings: list[str]) -> list[Path]:
    """The children of ``folder``, links excluded (and named)."""
    out = []
    for child in sorted(folder.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_symlink():
            warnings.append(f"{printable(folder.name, 80)} : lien symbolique « {printable(child.name, 80)} » "
                            "ignoré (un lien n'est jamais suivi hors du dossier indiqué)")
            continue
        out.append(child)
    return out


def read_folder_files(children: list[Path]) -> tuple[dict[str, bytes], dict[str, str]]:
    files: dict[str, bytes] = {}
    errors: dict[str, str] = {}
    for child in children:
        if not child.is_file():
            continue
        try:
            files[child.name] = read_no_follow(child, LIMITS["loose_file_bytes"])
        except OSError as exc:
            errors[child.name] = printable(os_error_text(exc), 200)
    return files, errors


def folder_sha256(children: list[Path], files: dict[str, bytes]) -> tuple[str, int]:
    """The digest of a folder input: each file's name and SHA-256, from the bytes ``read_folder_files``
    already holds (a file it could not take, e.g. over the size limit, is hashed from disk if it can be)."""
    digest = hashlib.sha256()
    size = 0
    for child in children:
        if not child.is_file():
            continue
        data = files.get(child.name)
        if data is not None:
            file_digest, file_size = hashlib.sha256(data).hexdigest(), len(data)
        else:
            try:
                file_digest, file_size = sha256_file(child)
            except OSError:
                continue
        digest.update(f"{child.name}\0{file_digest}\n".encode("utf-8", "replace"))
        size += file_size
    return digest.hexdigest(), size
