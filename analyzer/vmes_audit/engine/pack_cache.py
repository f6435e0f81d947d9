"""A cache of validated packs: the second ``analyze`` skips YAML parsing, validation and lint.

Loading ``rules/vmes-5.5`` parses 80 YAML files, validates them with pydantic
and lints the whole pack (every template parsed, every cross-reference
checked): about 0.1 s of a 0.5 s analysis. A pack that passed all of that is
stored, pickled, under a key made of the analyzer's version and the name and
bytes of every file of the pack, so any edit to the pack (or a new analyzer)
is a miss and goes through the full load again. Only packs without a single
problem are stored; ``rules lint`` never reads the cache.

Where: ``$VMES_AUDIT_CACHE`` if set (``off`` disables the cache), else
``$XDG_CACHE_HOME/vmes-audit`` or ``~/.cache/vmes-audit`` (``%LOCALAPPDATA%``
on Windows). The folder is created private (0700). A cache entry is read only
if it belongs to the current user and nobody else can write it, since
unpickling runs code: the same trust as the user's own installation. The
``templates`` sub-folder is jinja2's bytecode cache of the rule templates
(``templates.py``), under the same conditions. Any
failure to read or write the cache falls back to the full load, silently.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from jinja2 import FileSystemBytecodeCache

from vmes_audit import __version__

__all__ = ["cache_folder", "private_folder", "pack_key", "load_cached", "store", "template_bytecode_cache"]

ENV_CACHE = "VMES_AUDIT_CACHE"
_FORMAT = 1  # bump when what is pickled changes shape


def cache_folder() -> Path | None:
    setting = os.environ.get(ENV_CACHE, "")
    if setting.lower() in ("off", "0", "non", "no"):
        return None
    if setting:
        return Path(setting)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "vmes-audit" / "cache"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "vmes-audit"


def private_folder(name: str) -> Path | None:
    """``<cache>/<name>``, created private; None when the cache is off or not ours."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        target = folder / name
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
        return target if _trusted(folder) and _trusted(target) else None
    except OSError:
        return None


def pack_key(folder: Path, model_sources: tuple[Path, ...] = ()) -> str:
    """A digest of the analyzer version, of the models the entry is made of (``model_sources``,
    their source files), and of every YAML file of the pack (names and bytes).

    The source of the model modules is part of the key: a field added to ``Pack`` or
    ``Rule`` during development, without a new version number, is a miss, never an
    old object missing the field.
    """
    digest = hashlib.sha256(f"vmes-audit {__version__} cache {_FORMAT}\n".encode())
    for source in model_sources:
        digest.update(Path(source).read_bytes())
    for path in sorted(folder.glob("*.yaml")):
        data = path.read_bytes()
        digest.update(f"{path.name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _trusted(path: Path) -> bool:
    if not hasattr(os, "getuid"):
        return True  # Windows: the per-user LOCALAPPDATA folder is private by default
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def load_cached(key: str) -> Any | None:
    folder = cache_folder()
    if folder is None:
        return None
    path = folder / "packs" / f"pack-{key}.pickle"
    try:
        if not path.is_file() or not _trusted(path) or not _trusted(path.parent):
            return None
        with path.open("rb") as handle:
            return pickle.load(handle)  # noqa: S301 - a private, per-user cache written by store()
    except Exception:  # noqa: BLE001 - a damaged or foreign entry only costs a full load
        return None


def store(key: str, value: Any) -> None:
    folder = private_folder("packs")
    if folder is None:
        return
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".pack-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, folder / f"pack-{key}.pickle")
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except Exception:  # noqa: BLE001 - a read-only home or a full disk only costs a full load next time
        return


class _QuietBytecodeCache(FileSystemBytecodeCache):
    """jinja2's bytecode cache, where a folder gone or read-only only means compiling again."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a damaged entry is a miss
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def template_bytecode_cache() -> FileSystemBytecodeCache | None:
    """The cache of compiled rule templates (``templates.py``): ``<cache>/templates``."""
    folder = private_folder("templates")
    return _QuietBytecodeCache(str(folder)) if folder is not None else None
