"""The collection manifest (``manifest.json``), validated strictly.

See ``docs/collection-format.md`` §2 for every field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Manifest", "ArtifactEntry", "SUPPORTED_MAJOR"]

SUPPORTED_MAJOR = 1


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
