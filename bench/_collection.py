"""Shared by the benchmarks: write a grown collection as the collector would (manifest rehashed)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path


def write_collection(path: Path, manifest: dict, files: dict[str, bytes]) -> Path:
    """Zip ``files`` and ``manifest.json``, the manifest's sizes and SHA-256 updated for the grown files."""
    for entry in manifest["artifacts"]:
        if entry.get("file") in files:
            entry["sha256"] = hashlib.sha256(files[entry["file"]]).hexdigest()
            entry["size"] = len(files[entry["file"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("manifest.json", json.dumps(manifest))
    path.write_bytes(buffer.getvalue())
    return path
