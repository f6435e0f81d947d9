"""Load the inputs of one assessment: collection zips, collection folders, loose files.

Everything here treats its input as hostile (the zip comes from a customer by
e-mail): entry names are checked, sizes are bounded before reading, a broken
entry makes its artifact *unreadable* with the reason. Contradictions are
never resolved silently (docs/collection-format.md §1, §2): two entries or two
manifests of the same name, a JSON key given twice, an artifact declared
twice, a mode the content contradicts are *problems* of the collection
(check H2 fails, the collection is not counted as judged), and the
artifacts concerned are unreadable.

Partial failure stays partial: an input that cannot be read at all (a broken
zip among several, a folder of nothing) is listed in
:attr:`Assessment.broken` and the others are analysed; only when *no* input
can be read does :func:`load_inputs` raise :class:`InputError`.

Folder inputs never follow symbolic links: a link inside a folder given on
the command line (to a file, a zip or a sub-folder) is skipped and named in a
warning, so nothing outside the folder the user gave is ever read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from vmes_audit.collection.artifacts import ARTIFACTS, infer_loose_artifact
from vmes_audit.collection.folders import (folder_entries, folder_sha256, read_folder_files, read_no_follow,
                                           sha256_file)
from vmes_audit.collection.manifest import ArtifactEntry, DuplicateKey, Manifest, check_manifest, read_manifest, utc
from vmes_audit.collection.zipread import LIMITS, ZipContent, read_zip
from vmes_audit.base.encoding import DecodedText, declared_encoding_problem, decode_bytes, printable
from vmes_audit.base.errors import InputError
from vmes_audit.base.findings import InputInfo

__all__ = ["Artifact", "Collection", "Assessment", "load_inputs", "LIMITS"]

MANIFEST = "manifest.json"
# Written by collect.vbs before each step, deleted as its very last statement
# (docs/collection-format.md §1.1): present, the collector died in that step.
PROGRESS_FILE = "collecte-en-cours.txt"


def _died_message(origin: str, data: bytes) -> str:
    """The French refusal of a collection whose collector died, naming the last step it began."""
    props: dict[str, str] = {}
    try:
        text = decode_bytes(data[:8192], "utf-16le").text
    except Exception:  # noqa: BLE001 - a damaged progress file still says the collector died
        text = ""
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            props.setdefault(key.strip(), value.strip())
    step = printable(props.get("Step", ""), 64)
    label = printable(props.get("Label", ""), 120)
    where = "à une étape que son fichier d'avancement, illisible, ne dit pas"
    if step:
        where = f"pendant l'étape « {step} »"
        if props.get("Number") and props.get("Total"):
            where += f" ({printable(props['Number'], 8)}/{printable(props['Total'], 8)}"
            where += f", {label})" if label else ")"
    return (f"« {origin} » : le collecteur s'est arrêté avant la fin, {where} ; la collecte est incomplète "
            f"et n'est pas analysée ({PROGRESS_FILE} est encore présent). Relancez le collecteur sur cette "
            "machine et notez le dernier message affiché ; si l'arrêt se répète à la même étape, signalez-le "
            "avec ce dossier.")


def _progress_name(names) -> str | None:
    return next((n for n in names if n.lower() == PROGRESS_FILE), None)


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
    # Contradictions: check H2 fails and the collection is not judged (assessment requirements).
    problems: list[str] = field(default_factory=list)
    # Gaps that do not contradict anything (a refused foreign entry): check H2 lists them.
    anomalies: list[str] = field(default_factory=list)

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
    broken: list[InputInfo] = field(default_factory=list)  # inputs that could not be read at all (error set)


# --------------------------------------------------------------- collection


def _check_digest(art: Artifact) -> None:
    entry = art.entry
    if entry is None or art.data is None:
        return
    if entry.size is not None and entry.size != len(art.data):
        art.mark_unreadable(f"taille {len(art.data)} octets au lieu de {entry.size} annoncés par le manifeste")
    elif entry.sha256 and hashlib.sha256(art.data).hexdigest() != entry.sha256:
        art.mark_unreadable("l'empreinte SHA-256 ne correspond pas au manifeste (fichier modifié ou tronqué)")


def _mode_problem(coll: Collection) -> str:
    """The manifest's mode against the artifacts it holds (an ``ok`` VMES artifact under ``exchange``…)."""
    foreign: dict[str, list[str]] = {}
    for art in coll.artifacts.values():
        spec = ARTIFACTS.get(art.name)
        if spec is None or art.status != "ok" or coll.mode in spec.modes:
            continue
        foreign.setdefault(" / ".join(spec.modes), []).append(art.name)
    if not foreign:
        return ""
    kinds = {"vmes": "machine VMES", "exchange": "serveur Exchange", "ems": "Exchange Management Shell",
             "vmes / exchange": "machine VMES ou serveur Exchange"}
    parts = [f"{kinds.get(modes, modes)} : {', '.join(sorted(names)[:8])}{' …' if len(names) > 8 else ''}"
             for modes, names in sorted(foreign.items())]
    return (f"le manifeste déclare le mode « {coll.mode} », mais la collecte contient des éléments propres "
            f"à un autre type de collecte ({' ; '.join(parts)}) : contradiction, les vérifications de cette "
            "collecte ne sont pas retenues pour le verdict")


def _build_collection(origin: str, files: dict[str, bytes], errors: dict[str, str],
                      problems: list[str] | None = None, anomalies: list[str] | None = None) -> Collection:
    """Assemble a collection from its readable files and per-file read errors."""
    problems = list(problems or [])
    manifest, warning = (None, "")
    if MANIFEST in files:
        try:
            manifest, warning = read_manifest(files.pop(MANIFEST), origin)
        except DuplicateKey as exc:
            warning = f"{origin} : manifeste contradictoire ({exc})"
            problems.append(f"manifeste contradictoire : {exc}, aucune des deux valeurs n'est retenue")
    elif MANIFEST in errors:
        warning = f"{origin} : manifeste illisible ({errors.pop(MANIFEST)})"
    if manifest is None:
        coll = _loose_collection(origin, files, errors)
        coll.problems += problems
        coll.anomalies += anomalies or []
        if warning:
            coll.manifest_error = warning
            coll.warnings.insert(0, warning + " ; fichiers lus d'après leur nom")
        return coll

    coll = Collection(origin=origin, manifest=manifest, host=manifest.host.name.strip().upper()[:255],
                      mode=manifest.mode, problems=problems, anomalies=list(anomalies or []))
    manifest = coll.manifest = check_manifest(coll, manifest)
    names: dict[str, int] = {}
    used_files: dict[str, list[str]] = {}
    for entry in manifest.artifacts:
        names[entry.name] = names.get(entry.name, 0) + 1
        if entry.file:
            used_files.setdefault(entry.file.lower(), []).append(entry.name)
    listed: set[str] = set()
    for entry in manifest.artifacts:
        listed.add(entry.file)
        art = Artifact(name=entry.name, file=entry.file, status=entry.status, entry=entry, error=entry.error)
        if entry.status == "ok":
            if entry.file in files:
                art.data = files[entry.file]
                _check_digest(art)
            elif entry.file in errors:
                art.mark_unreadable(errors[entry.file])
            else:
                art.mark_unreadable(f"fichier « {printable(entry.file, 80)} » annoncé par le manifeste mais "
                                    "absent de l'archive")
            encoding_problem = declared_encoding_problem(entry.encoding)
            if encoding_problem and art.usable:
                art.mark_unreadable(encoding_problem)
        if entry.name not in ARTIFACTS:
            coll.warnings.append(f"{origin} : artefact inconnu « {entry.name} » ignoré")
            continue
        if names[entry.name] > 1:
            if entry.name not in coll.artifacts:
                coll.problems.append(f"artefact « {entry.name} » déclaré {names[entry.name]} fois dans le "
                                     "manifeste : contradiction, aucune déclaration n'est retenue")
            art.data = None
            art.mark_unreadable(f"déclaré {names[entry.name]} fois dans le manifeste : contradiction")
        elif entry.file and len(used_files[entry.file.lower()]) > 1:
            shared = used_files[entry.file.lower()]
            if entry.name == shared[0]:
                coll.problems.append(f"le fichier « {printable(entry.file, 80)} » est déclaré pour plusieurs "
                                     f"artefacts ({', '.join(shared)}) : contradiction")
            art.data = None
            art.mark_unreadable(f"fichier « {printable(entry.file, 80)} » partagé avec un autre artefact")
        coll.artifacts[entry.name] = art
    if not manifest.artifacts:
        coll.anomalies.append("le manifeste ne déclare aucun élément collecté")
    for name in sorted(set(errors) - listed):
        coll.warnings.append(f"{origin} : « {printable(name, 80)} » : {errors[name]}")
    extra = sorted(set(files) - listed)
    if extra:
        coll.warnings.append(f"{origin} : fichiers non déclarés dans le manifeste ignorés : "
                             f"{', '.join(printable(e, 60) for e in extra[:10])}{' …' if len(extra) > 10 else ''}")
    mode_problem = _mode_problem(coll)
    if mode_problem:
        coll.problems.append(mode_problem)
    return coll


def _loose_collection(origin: str, files: dict[str, bytes], errors: dict[str, str]) -> Collection:
    coll = Collection(origin=origin, manifest=None, host=None, mode="loose")
    coll.warnings.append(f"{origin} : collecte sans manifeste, provenance non garantie "
                         "(fichiers reconnus d'après leur nom)")
    unknown = []
    candidates: dict[str, list[tuple[str, bytes]]] = {}
    for name, data in sorted(files.items()):
        head = decode_bytes(data[:4096]).text
        artifact = infer_loose_artifact(name, head)
        if artifact is None:
            unknown.append(name)
            continue
        candidates.setdefault(artifact, []).append((name, data))
    for artifact, found in candidates.items():
        first_name, first_data = found[0]
        art = Artifact(name=artifact, file=first_name, status="ok", data=first_data)
        different = [n for n, d in found[1:] if d != first_data]
        if different:
            shown = ", ".join(f"« {printable(n, 60)} »" for n, _ in found)
            coll.problems.append(f"plusieurs fichiers différents pour {artifact} ({shown}) : contradiction, "
                                 "aucun n'est retenu")
            art.data = None
            art.mark_unreadable(f"fichiers contradictoires : {shown}")
        elif len(found) > 1:
            coll.warnings.append(f"{origin} : {', '.join(printable(n, 60) for n, _ in found[1:])} : copie "
                                 f"identique de « {printable(first_name, 60)} », ignorée")
        coll.artifacts[artifact] = art
    for name, err in sorted(errors.items()):
        coll.warnings.append(f"{origin} : « {printable(name, 80)} » illisible ({err})")
    if unknown:
        coll.warnings.append(f"{origin} : fichiers non reconnus ignorés : "
                             f"{', '.join(printable(u, 60) for u in unknown[:10])}{' …' if len(unknown) > 10 else ''}")
    return coll


def _zip_collection(path: Path) -> Collection:
    content: ZipContent = read_zip(path)
    if not content.files and not content.errors and not content.refused and not content.duplicates:
        raise InputError(f"« {printable(path.name, 120)} » est une archive vide.")
    origin = printable(path.name, 120)
    progress = _progress_name(content.files)
    if progress is not None:
        raise InputError(_died_message(origin, content.files[progress]))
    problems = list(content.duplicates)
    has_manifest = MANIFEST in content.files or MANIFEST in content.errors
    coll = _build_collection(origin, content.files, content.errors, problems, content.refused)
    if not has_manifest and not coll.artifacts:
        # As for a folder: an archive of unrelated files is not a collection to judge (a damaged
        # manifest.json is a damaged collection: its report says what is broken).
        raise InputError(f"« {origin} » ne contient aucune collecte : ni manifest.json lisible, ni fichier "
                         "reconnu (systeminfo.txt, ipconfig.txt, export .reg…). Est-ce bien l'archive écrite par "
                         "le collecteur vmes-audit ?")
    coll.warnings += [f"{origin} : {text}" for text in content.duplicates + content.refused]
    return coll


# -------------------------------------------------------------------- inputs


def _broken_input(path: Path, exc: InputError) -> InputInfo:
    try:
        sha, size = sha256_file(path) if path.is_file() else ("", 0)
    except OSError:
        sha, size = "", 0
    return InputInfo(path=printable(path.name, 120), sha256=sha, size=size, kind="illisible",
                     error=str(exc))


@dataclass
class _Loaded:
    """What inputs gave: ``collections[i]`` was read from ``inputs[i]`` (unreadable inputs in ``broken``)."""

    collections: list[Collection] = field(default_factory=list)
    inputs: list[InputInfo] = field(default_factory=list)
    broken: list[InputInfo] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, other: "_Loaded") -> None:
        self.collections += other.collections
        self.inputs += other.inputs
        self.broken += other.broken
        self.warnings += other.warnings


def _load_zip(path: Path) -> _Loaded:
    loaded = _Loaded()
    coll = _zip_collection(path)  # read_zip refuses an archive larger than a collection can be
    sha, size = sha256_file(path)
    loaded.collections.append(coll)
    loaded.inputs.append(InputInfo(path=printable(path.name, 120), sha256=sha, size=size, kind="zip"))
    return loaded


def _load_path(path: Path) -> _Loaded:
    if not path.exists():
        raise InputError(f"« {printable(str(path), 200)} » n'existe pas.")
    if path.is_file():
        if not _looks_like_zip(path):
            raise InputError(f"« {printable(path.name, 120)} » n'est pas une archive zip de collecte "
                             "(pour des fichiers isolés, indiquez le dossier qui les contient).")
        return _load_zip(path)
    if not path.is_dir():
        raise InputError(f"« {printable(str(path), 200)} » n'est ni un fichier ni un dossier.")

    loaded = _Loaded()
    children = folder_entries(path, loaded.warnings)
    progress = _progress_name(c.name for c in children if c.is_file())
    if progress is not None:
        try:
            data = read_no_follow(path / progress, 65536)
        except OSError:
            data = b""
        raise InputError(_died_message(printable(path.name, 120), data))
    if any(c.name == MANIFEST and c.is_file() for c in children) or (path / MANIFEST).is_symlink():
        files, errors = read_folder_files(children)
        if (path / MANIFEST).is_symlink():
            errors[MANIFEST] = "lien symbolique, jamais suivi"
        sha, size = folder_sha256(children, files)  # before _build_collection takes the manifest out
        coll = _build_collection(printable(path.name, 120), files, errors)
        coll.warnings += loaded.warnings
        loaded.warnings = []
        loaded.collections.append(coll)
        loaded.inputs.append(InputInfo(path=printable(path.name, 120), sha256=sha, size=size, kind="dossier"))
        return loaded

    # A folder of collections (zips and collection folders), or of loose files.
    zips = [c for c in children if c.is_file() and c.suffix.lower() == ".zip"]
    subfolders = [c for c in children if c.is_dir() and ((c / MANIFEST).is_file() or (c / PROGRESS_FILE).is_file())]
    for child in zips + subfolders:
        try:
            loaded.add(_load_path(child))
        except InputError as exc:
            # One broken zip does not stop the folder: it is listed, the others are analysed.
            loaded.broken.append(_broken_input(child, exc))
    loose_children = [c for c in children if c.is_file() and c.suffix.lower() != ".zip"]
    if loose_children:
        files, errors = read_folder_files(loose_children)
        sha, size = folder_sha256(loose_children, files)
        loose = _loose_collection(printable(path.name, 120), files, errors)
        if loose.artifacts:
            loaded.collections.append(loose)
            loaded.inputs.append(InputInfo(path=printable(path.name, 120), sha256=sha, size=size,
                                           kind="fichiers isolés"))
        elif not loaded.collections and not loaded.broken:
            raise InputError(f"Le dossier « {printable(path.name, 120)} » ne contient aucun fichier reconnu "
                             "(ni collecte zip, ni manifeste, ni sortie connue comme systeminfo.txt).")
    if not loaded.collections and not loaded.broken:
        raise InputError(f"Le dossier « {printable(path.name, 120)} » ne contient aucune collecte.")
    return loaded


def _looks_like_zip(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError:
        return False
    # local file header, empty archive, spanned archive; zipfile.is_zipfile also accepts files whose
    # end-of-central-directory record is found at their end (self-extracting .exe…)
    return head in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08") or _is_zipfile(path)


def _is_zipfile(path: Path) -> bool:
    import zipfile

    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return False


def _merge_by_host(collections: list[Collection], warnings: list[str]) -> list[Collection]:
    """One collection per (host, mode): the most recent is kept and the report says so."""
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
        ended_new, ended_old = utc(coll.manifest.ended), utc(previous.manifest.ended)
        if ended_new == ended_old:
            newer, older = previous, coll
            newer.problems.append(f"deux collectes « {coll.mode} » de {coll.host} terminées au même instant "
                                  f"(« {older.origin} » et « {newer.origin} ») : impossible de savoir laquelle "
                                  f"est la bonne ; « {newer.origin} » est lue, sans être retenue pour le verdict")
        else:
            newer, older = (coll, previous) if ended_new > ended_old else (previous, coll)
        warnings.append(f"Deux collectes « {coll.mode} » pour {coll.host} : « {newer.origin} » (la plus récente) "
                        f"est retenue, « {older.origin} » est ignorée.")
        if newer is coll:
            result[result.index(previous)] = coll
            kept[key] = coll
    return result


def _drop_copies(loaded: _Loaded) -> None:
    """Inputs with the same bytes (``X.zip`` and ``X (1).zip``) count once, with a notice: the second
    copy would otherwise look like a second collection of the same machine, ended at the same instant."""
    seen: dict[str, str] = {}
    collections, inputs = [], []
    for coll, info in zip(loaded.collections, loaded.inputs, strict=True):
        if info.sha256 and info.sha256 in seen:
            loaded.warnings.append(f"« {info.path} » est une copie identique (même empreinte SHA-256) de "
                                   f"« {seen[info.sha256]} » : elle n'est lue qu'une fois.")
            continue
        if info.sha256:
            seen[info.sha256] = info.path
        collections.append(coll)
        inputs.append(info)
    loaded.collections, loaded.inputs = collections, inputs


def load_inputs(paths: list[Path]) -> Assessment:
    """Load every input of one assessment and merge the collections by host.

    Raises :class:`InputError` only when no input at all could be read.
    """
    if not paths:
        raise InputError("Aucune entrée indiquée : donnez au moins une collecte (zip ou dossier).")
    loaded = _Loaded()
    failures: list[str] = []
    for path in paths:
        path = Path(path)
        try:
            loaded.add(_load_path(path))
        except InputError as exc:
            failures.append(str(exc))
            loaded.broken.append(_broken_input(path, exc))
    if not loaded.collections:
        if len(failures) == 1:
            raise InputError(failures[0])
        raise InputError("Aucune entrée n'a pu être lue :\n" + "\n".join(f"  - {f}" for f in failures
                                                                         or [b.error for b in loaded.broken]))
    _drop_copies(loaded)
    warnings = list(loaded.warnings)
    for broken in loaded.broken:
        warnings.append(f"Entrée illisible, non analysée : {broken.error}")
    result = _merge_by_host(loaded.collections, warnings)
    for coll in result:
        warnings += coll.warnings
        warnings += [f"{coll.origin} : {problem}" for problem in coll.problems]
    return Assessment(collections=result, inputs=loaded.inputs + loaded.broken, warnings=warnings,
                      broken=loaded.broken)
