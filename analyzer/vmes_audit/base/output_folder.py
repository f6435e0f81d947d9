"""Writing the report files: whole or not at all, never through a planted link.

Presales write reports into shared or temporary folders, where someone else may
have left ``resultats.json`` as a symbolic link to a file of their choosing. So:

- the output folder is refused when it is itself a symbolic link, and opened
  once (``O_NOFOLLOW``): every later operation is relative to that open folder,
  so swapping the folder for a link mid-run changes nothing;
- each file is written to a hidden temporary name in that folder
  (``.resultats.json.3f9c….tmp``, ``O_CREAT | O_EXCL | O_NOFOLLOW``), then moved
  over its final name by ``os.replace``, which replaces a directory entry and
  never writes into an existing file; all files are moved at the end, after
  every format has been produced, so an interrupted run changes no report;
- a final name that is a symbolic link (or a folder, a device…) is refused
  before anything is rendered, and checked again just before the move, with
  a French message naming the file; its target is never opened;
- temporary files are removed on every exit path, ``KeyboardInterrupt`` included.

Windows has no ``dir_fd``: there the same steps run on paths (``lstat`` before
each move), which keeps everything but the protection against a folder
swapped during the run.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from vmes_audit.base import interrupts
from vmes_audit.base.errors import AuditError, os_error_text

__all__ = ["OutputError", "OutputFolder", "scratch_directory", "write_file", "write_files"]

_DIR_FD = all(f in os.supports_dir_fd for f in (os.open, os.stat, os.replace, os.unlink))
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class OutputError(AuditError):
    """The report cannot be written where it was asked: the message says why, in French."""


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


class OutputFolder:
    """The ``-o`` folder of one run. Use as a context manager::

        with OutputFolder(out, ["resultats.json"]) as folder:
            with folder.staged("resultats.json") as handle:
                handle.write(data)
            folder.commit()          # every staged file moves into place
    """

    def __init__(self, path: Path, names: list[str]) -> None:
        self.path = Path(path)
        self._names = list(names)
        self._fd: int | None = None
        self._staged: dict[str, str] = {}  # final name -> temporary name

    # -- opening ---------------------------------------------------------------------
    def __enter__(self) -> OutputFolder:
        self._open()
        try:
            self._refuse_unsafe_targets(self._names)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.discard()
        self.close()

    def _open(self) -> None:
        path = self.path
        if path.is_symlink():
            raise OutputError(f"le dossier de sortie « {path} » est un lien symbolique (vers « {_link_target(path)} ») : "
                              "il n'est pas suivi. Indiquez le dossier réel avec -o, ou supprimez le lien.")
        if path.exists() and not path.is_dir():
            raise OutputError(f"« {path} » existe et n'est pas un dossier : indiquez un dossier de sortie avec -o.")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"impossible de créer le dossier de sortie « {path} » ({os_error_text(exc)}).") from exc
        if not _DIR_FD:
            return
        try:
            self._fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW | _CLOEXEC)
        except OSError as exc:
            if path.is_symlink():
                raise OutputError(f"le dossier de sortie « {path} » est devenu un lien symbolique pendant "
                                  "l'analyse : rien n'a été écrit.") from exc
            raise OutputError(f"impossible d'ouvrir le dossier de sortie « {path} » ({os_error_text(exc)}).") from exc

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    # -- low-level operations relative to the open folder ------------------------------
    def _lstat(self, name: str) -> os.stat_result | None:
        try:
            if self._fd is not None:
                return os.stat(name, dir_fd=self._fd, follow_symlinks=False)
            return os.lstat(self.path / name)
        except FileNotFoundError:
            return None

    def _unlink(self, name: str) -> None:
        if self._fd is not None:
            os.unlink(name, dir_fd=self._fd)
        else:
            os.unlink(self.path / name)

    def _refuse_unsafe_targets(self, names: list[str]) -> None:
        problems = []
        for name in names:
            info = self._lstat(name)
            if info is None or stat.S_ISREG(info.st_mode):
                continue
            if stat.S_ISLNK(info.st_mode):
                problems.append(f"« {self.path / name} » est un lien symbolique (vers « {_link_target(self.path / name)} »)")
            else:
                problems.append(f"« {self.path / name} » existe et n'est pas un fichier ordinaire")
        if problems:
            raise OutputError("rapport non écrit, pour ne pas écraser un autre fichier : " + " ; ".join(problems)
                              + ". Supprimez ces entrées ou choisissez un autre dossier de sortie (-o).")

    # -- writing ---------------------------------------------------------------------
    @contextmanager
    def staged(self, name: str) -> Iterator[BinaryIO]:
        """A binary file to write ``name``'s content into; moved into place by :meth:`commit`."""
        if name in self._staged:
            raise ValueError(f"{name} is already staged")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY
        temporary = f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            if self._fd is not None:
                fd = os.open(temporary, flags, 0o644, dir_fd=self._fd)
            else:
                fd = os.open(self.path / temporary, flags, 0o644)
        except OSError as exc:
            raise OutputError(f"impossible d'écrire dans « {self.path} » ({os_error_text(exc)}).") from exc
        self._staged[name] = temporary
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())

    def commit(self) -> list[Path]:
        """Move every staged file over its final name; returns the final paths."""
        interrupts.check()  # a Ctrl-C a finalizer swallowed during rendering still cancels the run
        self._refuse_unsafe_targets(list(self._staged))
        done = []
        for name, temporary in list(self._staged.items()):
            if self._fd is not None:
                os.replace(temporary, name, src_dir_fd=self._fd, dst_dir_fd=self._fd)
            else:
                os.replace(self.path / temporary, self.path / name)
            del self._staged[name]
            done.append(self.path / name)
        return done

    def read_existing(self, name: str, limit: int) -> bytes | None:
        """The bytes of a regular file of the folder (never read through a link); None when it is
        absent, not a regular file or larger than ``limit``."""
        info = self._lstat(name)
        if info is None or not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        flags = os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _BINARY
        try:
            fd = os.open(name, flags, dir_fd=self._fd) if self._fd is not None else os.open(self.path / name, flags)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as handle:
            return handle.read(limit + 1)[:limit]

    def existing(self, names: list[str]) -> list[str]:
        """Those of ``names`` that are regular files of the folder."""
        return [n for n in names if (info := self._lstat(n)) is not None and stat.S_ISREG(info.st_mode)]

    def remove_stale(self, name: str) -> bool:
        """Remove a previous run's ``name`` (a regular file only): this run could not produce it."""
        info = self._lstat(name)
        if info is None or not stat.S_ISREG(info.st_mode):
            return False
        self._unlink(name)
        return True

    def discard(self) -> None:
        """Remove the temporary files not moved into place (every exit path calls this)."""
        for temporary in list(self._staged.values()):
            try:
                self._unlink(temporary)
            except OSError:
                pass
        self._staged.clear()


def write_files(folder: Path, files: dict[str, bytes]) -> dict[str, Path]:
    """Write ``files`` (name -> bytes) into ``folder``, all of them or none; the final paths by name."""
    with OutputFolder(Path(folder), list(files)) as out:
        for name, data in files.items():
            with out.staged(name) as handle:
                handle.write(data)
        return {path.name: path for path in out.commit()}


def write_file(path: Path, data: bytes) -> Path:
    """Write one file whole, never through a symbolic link."""
    path = Path(path)
    return write_files(path.parent, {path.name: data})[path.name]


@contextmanager
def scratch_directory() -> Iterator[Path]:
    """A private temporary folder for the run, removed on every exit path.

    ``tempfile`` creates everything inside it while the run lasts (weasyprint
    stores the report's fonts in a ``weasyprint-*`` folder of the temporary
    directory and removes it only when its objects are collected, which an
    interrupt skips), so removing this folder removes whatever a library left.
    """
    previous = tempfile.tempdir
    folder = Path(tempfile.mkdtemp(prefix="vmes-audit-"))
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(folder, ignore_errors=True)
