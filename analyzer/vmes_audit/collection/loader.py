"""Load the inputs of one assessment: collection zips, collection folders, loose files.

Everything here treats its input as hostile (the zip comes from a customer by
e-mail): entry names are checked, sizes are bounded before reading, a broken
entry makes its artifact *unreadable* with the reason, and only an input that
cannot be read at all raises :class:`InputError`.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from vmes_audit.collection.artifacts import ARTIFACTS, infer_loose_artifact
from vmes_audit.collection.manifest import SUPPORTED_MAJOR, ArtifactEntry, Manifest
from vmes_audit.encoding import DecodedText, decode_bytes
from vmes_audit.errors import InputError
from vmes_audit.models import InputInfo

__all__ = ["Artifact", "Collection", "Assessment", "load_inputs", "LIMITS"]

MIB = 1024 * 1024
LIMITS = {
    "entry_bytes": 64 * MIB,  # one artifact
    "total_bytes": 512 * MIB,  # one collection, uncompressed
    "entries": 1000,
    "ratio": 100,  # uncompressed / compressed
    "loose_file_bytes": 64 * MIB,
}


@dataclass
class Artifact:
    """One artifact of one collection, read or not."""

    name: str
    file: str
    status: str  # ok | error | skipped | missing | unreadable
    entry: ArtifactEntry | None = None
    data: bytes | None = None
    error: str = ""
    _decoded: DecodedText | None = field(default=None, repr=False)

    @property
    def usable(self) -> bool:
        return self.status == "ok" and self.data is not None

    def text(self) -> str:
        if self.data is None:
            raise ValueError(f"artifact {self.name} has no data")
        if self._decoded is None:
            declared = self.entry.encoding if self.entry else None
            self._decoded = decode_bytes(self.data, declared)
        return self._decoded.text

    @property
    def encoding(self) -> str:
        if self._decoded is not None:
            return self._decoded.encoding
        return self.entry.encoding if self.entry else ""

    def mark_unreadable(self, reason: str) -> None:
        self.status = "unreadable"
        self.error = reason


@dataclass
class Collection:
    """One host's collection (a zip, a folder, or loose files)."""

    origin: str  # file or folder name, for messages
    manifest: Manifest | None
    host: str | None  # upper-case NetBIOS name; None for loose files until facts name it
    mode: str  # vmes | exchange | ems | loose
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    manifest_error: str = ""  # why the manifest could not be used ("" when fine or absent)

    def artifact(self, name: str) -> Artifact:
        art = self.artifacts.get(name)
        if art is None:
            return Artifact(name=name, file="", status="missing",
                            error="artefact absent de la collecte")
        return art


@dataclass
class Assessment:
    collections: list[Collection]
    inputs: list[InputInfo]
    warnings: list[str] = field(default_factory=list)


def _sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _safe_entry_name(name: str) -> bool:
    """A zip entry name we accept: flat, no traversal, no drive, no backslash.

    >>> [_safe_entry_name(n) for n in ["wmi_os.txt", "../x", "a/b.txt", "C:x", "a\\\\b", ".hidden"]]
    [True, False, False, False, False, False]
    """
    if not name or len(name) > 128 or "\\" in name or ":" in name or "\x00" in name:
        return False
    path = PurePosixPath(name)
    return len(path.parts) == 1 and not name.startswith(".") and name not in ("..", ".")


def _read_manifest(raw: bytes, origin: str) -> tuple[Manifest | None, str]:
    try:
        text = decode_bytes(raw).text
        data = json.loads(text)
        manifest = Manifest.model_validate(data)
    except (ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None, f"{origin} : manifeste illisible ({first[:200]})"
    if manifest.major_version != SUPPORTED_MAJOR:
        return None, (f"{origin} : version de format {manifest.format_version} non prise en charge "
                      f"(attendue : {SUPPORTED_MAJOR}.x)")
    return manifest, ""


def _check_digest(art: Artifact) -> None:
    entry = art.entry
    if entry is None or art.data is None:
        return
    if entry.size is not None and entry.size != len(art.data):
        art.mark_unreadable(f"taille {len(art.data)} octets au lieu de {entry.size} annoncés par le manifeste")
    elif entry.sha256 and hashlib.sha256(art.data).hexdigest() != entry.sha256:
        art.mark_unreadable("l'empreinte SHA-256 ne correspond pas au manifeste (fichier modifié ou tronqué)")


def _build_collection(origin: str, files: dict[str, bytes], errors: dict[str, str]) -> Collection:
    """Assemble a collection from its readable files and per-file read errors."""
    manifest, warning = (None, "")
    if "manifest.json" in files:
        manifest, warning = _read_manifest(files.pop("manifest.json"), origin)
    elif "manifest.json" in errors:
        warning = f"{origin} : manifeste illisible ({errors.pop('manifest.json')})"
    if manifest is None:
        coll = _loose_collection(origin, files, errors)
        if warning:
            coll.manifest_error = warning
            coll.warnings.insert(0, warning + " ; fichiers lus d'après leur nom")
        return coll

    coll = Collection(origin=origin, manifest=manifest, host=manifest.host.name.strip().upper(),
                      mode=manifest.mode)
    listed: set[str] = set()
    for entry in manifest.artifacts:
        listed.add(entry.file)
        art = Artifact(name=entry.name, file=entry.file, status=entry.status, entry=entry,
                       error=entry.error)
        if entry.status == "ok":
            if entry.file in files:
                art.data = files[entry.file]
                _check_digest(art)
            elif entry.file in errors:
                art.mark_unreadable(errors[entry.file])
            else:
                art.mark_unreadable(f"fichier « {entry.file} » annoncé par le manifeste mais absent de l'archive")
        if entry.name not in ARTIFACTS:
            coll.warnings.append(f"{origin} : artefact inconnu « {entry.name} » ignoré")
            continue
        coll.artifacts[entry.name] = art
    for name in sorted(set(errors) - listed):
        coll.warnings.append(f"{origin} : {errors[name]}")
    extra = sorted(set(files) - listed)
    if extra:
        coll.warnings.append(f"{origin} : fichiers non déclarés dans le manifeste ignorés : {', '.join(extra[:10])}")
    return coll


def _loose_collection(origin: str, files: dict[str, bytes], errors: dict[str, str]) -> Collection:
    coll = Collection(origin=origin, manifest=None, host=None, mode="loose")
    coll.warnings.append(f"{origin} : collecte sans manifeste, provenance non garantie "
                         "(fichiers reconnus d'après leur nom)")
    unknown = []
    for name, data in sorted(files.items()):
        head = decode_bytes(data[:4096]).text
        artifact = infer_loose_artifact(name, head)
        if artifact is None:
            unknown.append(name)
            continue
        if artifact in coll.artifacts:
            coll.warnings.append(f"{origin} : « {name} » ignoré, {artifact} déjà fourni")
            continue
        coll.artifacts[artifact] = Artifact(name=artifact, file=name, status="ok", data=data)
    for name, err in sorted(errors.items()):
        coll.warnings.append(f"{origin} : « {name} » illisible ({err})")
    if unknown:
        coll.warnings.append(f"{origin} : fichiers non reconnus ignorés : {', '.join(unknown[:10])}")
    return coll


def _read_zip(path: Path) -> Collection:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"« {path.name} » n'est pas une archive zip lisible ({exc}).") from exc
    files: dict[str, bytes] = {}
    errors: dict[str, str] = {}
    with archive:
        infos = archive.infolist()
        if len(infos) > LIMITS["entries"]:
            raise InputError(f"« {path.name} » contient {len(infos)} entrées (maximum {LIMITS['entries']}) : "
                             "ce n'est pas une collecte vmes-audit.")
        total = 0
        for info in infos:
            name = info.filename
            if info.is_dir():
                continue
            if not _safe_entry_name(name):
                # Collector zips are flat; anything else is refused, never extracted.
                errors[PurePosixPath(name.replace("\\", "/")).name or "?"] = (
                    f"entrée « {name[:80]} » refusée : chemin non autorisé dans une collecte")
                continue
            if info.file_size > LIMITS["entry_bytes"]:
                errors[name] = f"entrée de {info.file_size} octets, au-delà de la limite de {LIMITS['entry_bytes']}"
                continue
            if info.compress_size and info.file_size / info.compress_size > LIMITS["ratio"]:
                errors[name] = "taux de compression anormal (archive piégée ?)"
                continue
            total += info.file_size
            if total > LIMITS["total_bytes"]:
                errors[name] = "taille totale de l'archive au-delà de la limite"
                continue
            try:
                with archive.open(info) as handle:
                    data = handle.read(LIMITS["entry_bytes"] + 1)
                if len(data) > LIMITS["entry_bytes"]:
                    errors[name] = "entrée plus grande que sa taille déclarée"
                    continue
                files[name] = data
            except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, EOFError) as exc:
                errors[name] = f"entrée corrompue ({exc})"
    if not files and not errors:
        raise InputError(f"« {path.name} » est une archive vide.")
    return _build_collection(path.name, files, errors)


def _read_folder_files(folder: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    files: dict[str, bytes] = {}
    errors: dict[str, str] = {}
    for child in sorted(folder.iterdir()):
        if not child.is_file() or child.is_symlink() or child.name.startswith("."):
            continue
        try:
            size = child.stat().st_size
            if size > LIMITS["loose_file_bytes"]:
                errors[child.name] = f"fichier de {size} octets, au-delà de la limite"
                continue
            files[child.name] = child.read_bytes()
        except OSError as exc:
            errors[child.name] = str(exc)
    return files, errors


def _folder_sha256(folder: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for child in sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink()):
        file_digest, file_size = _sha256_file(child)
        digest.update(f"{child.name}\0{file_digest}\n".encode())
        size += file_size
    return digest.hexdigest(), size


def _load_path(path: Path) -> tuple[list[Collection], list[InputInfo]]:
    if not path.exists():
        raise InputError(f"« {path} » n'existe pas.")
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise InputError(f"« {path.name} » n'est pas une archive zip de collecte "
                             "(pour des fichiers isolés, indiquez le dossier qui les contient).")
        sha, size = _sha256_file(path)
        return [_read_zip(path)], [InputInfo(path=path.name, sha256=sha, size=size, kind="zip")]
    if not path.is_dir():
        raise InputError(f"« {path} » n'est ni un fichier ni un dossier.")

    if (path / "manifest.json").is_file():
        files, errors = _read_folder_files(path)
        sha, size = _folder_sha256(path)
        return [_build_collection(path.name, files, errors)], [
            InputInfo(path=path.name, sha256=sha, size=size, kind="dossier")]

    # A folder of collections (zips and collection folders), or of loose files.
    collections: list[Collection] = []
    inputs: list[InputInfo] = []
    children = sorted(path.iterdir())
    zips = [c for c in children if c.is_file() and c.suffix.lower() == ".zip"]
    subfolders = [c for c in children if c.is_dir() and (c / "manifest.json").is_file()]
    for child in zips + subfolders:
        sub_collections, sub_inputs = _load_path(child)
        collections += sub_collections
        inputs += sub_inputs
    loose_files = [c for c in children if c.is_file() and c.suffix.lower() != ".zip"]
    if loose_files:
        files, errors = _read_folder_files(path)
        files = {k: v for k, v in files.items() if not k.lower().endswith(".zip")}
        loose = _loose_collection(path.name, files, errors)
        if loose.artifacts:
            sha, size = _folder_sha256(path)
            collections.append(loose)
            inputs.append(InputInfo(path=path.name, sha256=sha, size=size, kind="fichiers isolés"))
        elif not collections:
            raise InputError(f"Le dossier « {path.name} » ne contient aucun fichier reconnu "
                             "(ni collecte zip, ni manifeste, ni sortie connue comme systeminfo.txt).")
    if not collections:
        raise InputError(f"Le dossier « {path.name} » ne contient aucune collecte.")
    return collections, inputs


def load_inputs(paths: list[Path]) -> Assessment:
    """Load every input of one assessment and merge the collections by host."""
    if not paths:
        raise InputError("Aucune entrée indiquée : donnez au moins une collecte (zip ou dossier).")
    collections: list[Collection] = []
    inputs: list[InputInfo] = []
    for path in paths:
        found, infos = _load_path(Path(path))
        collections += found
        inputs += infos
    warnings: list[str] = []
    # Merge by host: one collection per (host, mode); a second one of the same
    # kind replaces nothing silently, the most recent is kept and the report says so.
    kept: dict[tuple[str, str], Collection] = {}
    result: list[Collection] = []
    for coll in collections:
        if coll.host is None:
            result.append(coll)
            continue
        key = (coll.host, coll.mode)
        previous = kept.get(key)
        if previous is None:
            kept[key] = coll
            result.append(coll)
            continue
        newer, older = (coll, previous) if coll.manifest.ended >= previous.manifest.ended else (previous, coll)
        warnings.append(f"Deux collectes « {coll.mode} » pour {coll.host} : « {newer.origin} » (la plus récente) "
                        f"est retenue, « {older.origin} » est ignorée.")
        if newer is coll:
            result[result.index(previous)] = coll
            kept[key] = coll
    for coll in result:
        warnings += coll.warnings
    return Assessment(collections=result, inputs=inputs, warnings=warnings)
