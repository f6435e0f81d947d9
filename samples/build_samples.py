"""Build the sample collection zips from their readable sources.

Each folder ``samples/src/<name>/`` holds ``collection.yaml`` (the manifest
fields and, per artifact, its file, source, encoding and status) and the
artifact files in UTF-8 with LF line ends, so that they read well in a diff.
This script writes ``samples/<name>.zip`` exactly as the collector would:
each artifact re-encoded in its declared encoding (``cp850`` for cmd.exe
output, ``utf-16le`` with BOM for record files and ``regedit`` exports) with
CRLF line ends, the manifest in ASCII JSON with its SHA-256 and sizes, and
*stored* zip entries with a fixed timestamp, so a rebuild is byte-identical.

Usage: ``python samples/build_samples.py [--check]`` (``--check`` fails if a
committed zip differs from its sources).
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"


def encode_artifact(text: str, encoding: str) -> bytes:
    """Re-encode a UTF-8/LF source file as Windows wrote it (CRLF, BOM for UTF-16LE)."""
    text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if encoding == "utf-16le":
        return b"\xff\xfe" + text.encode("utf-16le")
    if encoding == "utf-8-bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding)


def _spec(folder: Path) -> tuple[dict, list[Path]]:
    """The folder's collection.yaml and where its artifact files are looked for. A *variant*
    (``variant_of: <sample folder>``) is its base sample with a few changes: its own files replace
    the base's files of the same name, ``manifest`` entries replace the base's (one level deep), and
    ``artifacts`` entries replace or add the base's entries; ``output`` names the variant's zip."""
    spec = yaml.safe_load((folder / "collection.yaml").read_text(encoding="utf-8"))
    base_name = spec.get("variant_of")
    if not base_name:
        return spec, [folder]
    base, places = _spec(SRC / base_name)
    manifest = dict(base["manifest"])
    for key, value in (spec.get("manifest") or {}).items():
        manifest[key] = {**manifest[key], **value} if isinstance(value, dict) and isinstance(
            manifest.get(key), dict) else value
    artifacts = {**base["artifacts"], **(spec.get("artifacts") or {})}
    merged = {**base, **{k: v for k, v in spec.items() if k not in ("variant_of", "manifest", "artifacts")},
              "manifest": manifest, "artifacts": artifacts}
    return merged, [folder, *places]


def _source(places: list[Path], name: str) -> Path:
    return next((p / name for p in places if (p / name).is_file()), places[0] / name)


def build_one(folder: Path) -> tuple[str, bytes]:
    spec, places = _spec(folder)
    manifest = dict(spec["manifest"])
    files: list[tuple[str, bytes]] = []
    entries = []
    for name, art in spec["artifacts"].items():
        status = art.get("status", "ok")
        entry = {"name": name, "file": art.get("file", "") if status == "ok" else "",
                 "source": art.get("source", ""), "status": status, "exit_code": art.get("exit_code"),
                 "duration_ms": art.get("duration_ms", 0), "encoding": art.get("encoding", ""),
                 "sha256": "", "size": None, "error": art.get("error", "")}
        if status == "ok":
            raw = _source(places, art["file"]).read_text(encoding="utf-8")
            data = encode_artifact(raw, art["encoding"])
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            entry["size"] = len(data)
            files.append((art["file"], data))
        entries.append(entry)
    # Deliberately broken samples may ship extra raw files (e.g. a corrupt artifact).
    for extra in spec.get("raw_files", []):
        files.append((extra["name"], bytes.fromhex(extra["hex"]) if "hex" in extra
                      else encode_artifact(extra["text"], extra.get("encoding", "ascii"))))
    manifest["artifacts"] = entries
    if spec.get("manifest_override") is not None:
        manifest_bytes = spec["manifest_override"].encode("ascii")
    else:
        manifest_bytes = (json.dumps(manifest, ensure_ascii=True, indent=1) + "\r\n").encode("ascii")
    buffer = io.BytesIO()
    stamp = tuple(int(x) for x in (manifest["started"][:4], manifest["started"][5:7], manifest["started"][8:10],
                                   manifest["started"][11:13], manifest["started"][14:16], 0))
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in files + [("manifest.json", manifest_bytes)]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 0  # MS-DOS, as the VBScript collector writes
            info.external_attr = 0x20  # archive bit
            archive.writestr(info, data)
    return spec.get("output", folder.name + ".zip"), buffer.getvalue()


def main(argv: list[str]) -> int:
    check = "--check" in argv
    status = 0
    for folder in sorted(p for p in SRC.iterdir() if (p / "collection.yaml").is_file()):
        name, data = build_one(folder)
        target = HERE / name
        if check:
            if not target.is_file() or target.read_bytes() != data:
                print(f"{target.name}: out of date with {folder.relative_to(HERE)}; run samples/build_samples.py")
                status = 1
            continue
        target.write_bytes(data)
        print(f"{target.relative_to(HERE.parent)}: {len(data)} bytes")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
