"""The collection manifest (``manifest.json``), validated strictly, and read as hostile input.

See ``docs/collection-format.md`` §2 for every field and for what the
analyzer does with a manifest it did not write: a JSON key given twice is a
contradiction (:class:`DuplicateKey`), lone surrogates are replaced, strings
longer than 4,000 characters cut, dates without offset read as UTC, an
invalid ``run_as.sid`` ignored with a note.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vmes_audit.collection.zipread import MIB
from vmes_audit.base.encoding import clean_text, decode_bytes, printable

__all__ = ["Manifest", "ArtifactEntry", "SUPPORTED_MAJOR", "RunAs", "read_manifest", "check_manifest", "utc",
           "DuplicateKey"]

SUPPORTED_MAJOR = 1
_MANIFEST_BYTES = 4 * MIB
_TEXT_LIMIT = 4000  # characters of a manifest string kept (an `error` text is a sentence, not a megabyte)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CollectorInfo(_Strict):
    name: str
    version: str


class HostInfo(_Strict):
    name: str = Field(min_length=1, max_length=255)
    dns_domain: str | None = None


class RunAs(_Strict):
    name: str
    sid: str = ""


class Parameters(_Strict):
    service_account: str = "VistoAdmin"
    noc_host: str | None = None
    noc_port: int | None = None
    noc_address: str | None = None
    dry_run: bool = False
    client: str | None = None  # 1.1: from the parameter file
    pack: str | None = None  # 1.1: the pack the kit was made for
    params_file: str | None = None  # 1.1: parameter file the collector read


class ArtifactEntry(_Strict):
    """One step of the collector. A null ``file``, ``source``, ``encoding``, ``sha256`` or ``error`` (a
    VBScript ``Null`` written as JSON ``null``) is read as "": it says nothing, and one such field
    must not make the whole manifest unusable."""

    name: str = Field(pattern=r"^[a-z0-9_]{1,64}$")
    file: str = Field(default="", max_length=128)
    source: str = ""
    status: Literal["ok", "error", "skipped"]
    exit_code: int | None = None
    duration_ms: int = Field(default=0, ge=0)
    encoding: str = ""
    sha256: str = Field(default="", pattern=r"^([0-9a-f]{64})?$")
    size: int | None = Field(default=None, ge=0)
    error: str = ""

    @field_validator("file", "source", "encoding", "sha256", "error", mode="before")
    @classmethod
    def _null_is_empty(cls, value: object) -> object:
        return "" if value is None else value


class Manifest(_Strict):
    format_version: str = Field(pattern=r"^\d+\.\d+$")
    collector: CollectorInfo
    mode: Literal["vmes", "exchange", "ems"]
    host: HostInfo
    started: datetime
    ended: datetime
    run_as: RunAs
    parameters: Parameters = Parameters()
    artifacts: list[ArtifactEntry] = Field(default_factory=list, max_length=1000)

    @property
    def major_version(self) -> int:
        return int(self.format_version.split(".")[0])

    def artifact(self, name: str) -> ArtifactEntry | None:
        for entry in self.artifacts:
            if entry.name == name:
                return entry
        return None


class DuplicateKey(ValueError):
    """A JSON key given twice in one object: a contradiction (json.loads would keep the last one)."""


def _clean(value):
    if isinstance(value, str):
        value = clean_text(value)
        if len(value) > _TEXT_LIMIT:
            total = f"{len(value):,}".replace(",", "\u202f")
            value = f"{value[:_TEXT_LIMIT]} … [texte tronqué : {total} caractères au total]"
    return value


def _json_object(pairs: list[tuple[str, object]]) -> dict:
    """JSON object hook: a key given twice is a contradiction (json.loads keeps the last one)."""
    out: dict = {}
    for key, value in pairs:
        key = clean_text(key)
        if key in out:
            raise DuplicateKey(f"clé « {printable(key, 40)} » présente deux fois dans le même objet")
        out[key] = [_clean(v) for v in value] if isinstance(value, list) else _clean(value)
    return out


def read_manifest(raw: bytes, origin: str) -> tuple[Manifest | None, str]:
    """The manifest, or (None, why). A key given twice raises :class:`DuplicateKey`: a contradiction,
    which the caller records as a problem of the collection."""
    if len(raw) > _MANIFEST_BYTES:
        return None, f"{origin} : manifeste illisible (fichier de {len(raw)} octets, au-delà de {_MANIFEST_BYTES})"
    try:
        text = decode_bytes(raw).text
        data = json.loads(text, object_pairs_hook=_json_object)
        manifest = Manifest.model_validate(data)
    except DuplicateKey:
        raise
    except (ValueError, ValidationError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None, f"{origin} : manifeste illisible ({printable(first, 200)})"
    if manifest.major_version != SUPPORTED_MAJOR:
        return None, (f"{origin} : version de format {printable(manifest.format_version, 20)} non prise en charge "
                      f"(attendue : {SUPPORTED_MAJOR}.x)")
    return manifest, ""


def utc(moment: datetime) -> datetime:
    """Aware moments in UTC; a moment without offset (the format requires one) is read as UTC. A moment
    whose UTC form is beyond datetime's range (9999-12-31T23:59:59-23:59) stays as it is: aware, it still
    compares and subtracts right."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:
        return moment


def check_manifest(coll, manifest: Manifest) -> Manifest:
    """Per-field oddities that leave the rest of the manifest usable."""
    origin = coll.origin
    naive = [name for name in ("started", "ended") if getattr(manifest, name).tzinfo is None]
    if naive:
        coll.warnings.append(f"{origin} : date{'s' if len(naive) > 1 else ''} du manifeste sans décalage UTC "
                             f"({', '.join(naive)}) : lue{'s' if len(naive) > 1 else ''} comme heure UTC")
    sid = manifest.run_as.sid
    if sid:
        from vmes_audit.windows.sids import is_valid_sid  # the SID syntax, owned by security/

        if not is_valid_sid(sid):
            coll.anomalies.append(f"SID du compte collecteur illisible « {printable(sid, 60)} » : ignoré "
                                  "(la vérification H1 compare alors les noms)")
            manifest = manifest.model_copy(update={"run_as": RunAs(name=manifest.run_as.name, sid="")})
    return manifest
