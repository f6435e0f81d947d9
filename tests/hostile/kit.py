"""Build hostile and odd inputs from the bundled samples, as a customer's zip could be.

A :class:`SampleZip` is a sample opened in memory: its manifest (a dict) and
its files (name -> bytes). Tests change one thing (a value in a record file,
a manifest field, an extra zip entry) and write a new zip; the manifest's
SHA-256 and sizes are recomputed for the files that changed, so the only
defect is the one the test means.

>>> sample = SampleZip.open("vmes01-2003-conforme")
>>> sample.manifest["host"]["name"], "wmi_os.txt" in sample.files
('VMES01', True)
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def utf16(text: str) -> bytes:
    """Record files and regedit exports: UTF-16LE with BOM, CRLF. A lone surrogate (a mutator's) is written as
    the unpaired code unit Windows can write, not refused by the test kit."""
    return b"\xff\xfe" + text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-16le", "surrogatepass")


@dataclass
class SampleZip:
    manifest: dict
    files: dict[str, bytes]
    # (name, bytes) entries written after the files, never digested: duplicates, traversal, junk.
    extra_entries: list[tuple[str, bytes]] = field(default_factory=list)
    manifest_bytes: bytes | None = None  # written as is instead of the manifest dict

    @classmethod
    def open(cls, name: str) -> "SampleZip":
        with zipfile.ZipFile(SAMPLES / f"{name}.zip") as archive:
            files = {info.filename: archive.read(info) for info in archive.infolist()}
        manifest = json.loads(files.pop("manifest.json"))
        return cls(manifest=manifest, files=files)

    def copy(self) -> "SampleZip":
        return SampleZip(copy.deepcopy(self.manifest), dict(self.files), list(self.extra_entries),
                         self.manifest_bytes)

    # ------------------------------------------------------------ artifacts

    def entry(self, artifact: str) -> dict:
        for entry in self.manifest["artifacts"]:
            if entry["name"] == artifact:
                return entry
        raise KeyError(artifact)

    def text(self, artifact: str) -> str:
        data = self.files[self.entry(artifact)["file"]]
        if data.startswith(b"\xff\xfe"):
            return data[2:].decode("utf-16le")
        return data.decode(self.entry(artifact).get("encoding") or "utf-8")

    def set_text(self, artifact: str, text: str) -> "SampleZip":
        """Replace an artifact's content, re-encoded as the collector writes it."""
        entry = self.entry(artifact)
        encoding = entry.get("encoding") or "utf-16le"
        if encoding == "utf-16le":
            data = utf16(text)
        else:
            data = text.replace("\r\n", "\n").replace("\n", "\r\n").encode(encoding, errors="replace")
        return self.set_bytes(artifact, data)

    def set_bytes(self, artifact: str, data: bytes) -> "SampleZip":
        entry = self.entry(artifact)
        entry["status"] = "ok"
        if not entry.get("file"):
            entry["file"] = f"{artifact}.txt"
        self.files[entry["file"]] = data
        return self

    def set_property(self, artifact: str, name: str, value: str, *, occurrence: int = 0) -> "SampleZip":
        """Set ``Name=value`` in a record file (the ``occurrence``-th line of that property)."""
        lines = self.text(artifact).splitlines()
        pattern = re.compile(rf"^{re.escape(name)}(=|!)", re.I)
        hits = [i for i, line in enumerate(lines) if pattern.match(line)]
        lines[hits[occurrence]] = f"{name}={value}"
        return self.set_text(artifact, "\r\n".join(lines) + "\r\n")

    def drop_records(self, artifact: str) -> "SampleZip":
        """Keep only the header (and comments): a record file with no record."""
        kept = [line for line in self.text(artifact).splitlines() if line.startswith("#")]
        return self.set_text(artifact, "\r\n".join(kept) + "\r\n")

    def drop_artifact(self, artifact: str) -> "SampleZip":
        entry = self.entry(artifact)
        self.manifest["artifacts"].remove(entry)
        self.files.pop(entry.get("file") or "", None)
        return self

    # ----------------------------------------------------------------- write

    def zip_bytes(self) -> bytes:
        for entry in self.manifest["artifacts"]:
            data = self.files.get(entry.get("file") or "")
            if data is not None and entry.get("status") == "ok":
                entry["sha256"] = hashlib.sha256(data).hexdigest()
                entry["size"] = len(data)
        manifest = self.manifest_bytes
        if manifest is None:
            manifest = json.dumps(self.manifest, ensure_ascii=True, indent=1).encode("ascii")
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": a test's extra entries may be
            with zipfile.ZipFile(buffer, "w") as archive:
                for name, data in self.files.items():
                    archive.writestr(name, data)
                archive.writestr("manifest.json", manifest)
                for name, data in self.extra_entries:
                    archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 20, 14, 0, 0)), data)
        return buffer.getvalue()

    def write(self, path: Path) -> Path:
        path.write_bytes(self.zip_bytes())
        return path

    def write_folder(self, folder: Path) -> Path:
        """The same collection unzipped into a folder (also a collection)."""
        data = self.zip_bytes()
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                (folder / info.filename).write_bytes(archive.read(info))
        return folder


def rename_host(sample: SampleZip, host: str) -> SampleZip:
    """The same machine under another NetBIOS name (manifest and WMI/systeminfo names)."""
    old = sample.manifest["host"]["name"]
    sample.manifest["host"]["name"] = host
    for entry in sample.manifest["artifacts"]:
        name = entry.get("file") or ""
        if entry.get("status") != "ok" or name not in sample.files:
            continue
        if entry["name"] in ("wmi_os", "wmi_computersystem", "systeminfo", "ipconfig"):
            sample.set_text(entry["name"], sample.text(entry["name"]).replace(old, host))
    return sample


def record_blocks(text: str) -> tuple[list[str], list[list[str]]]:
    """(header and comment lines, records as lists of lines) of a record file."""
    head: list[str] = []
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("[") and line.endswith("]"):
            blocks.append([line])
        elif blocks:
            if line.strip():
                blocks[-1].append(line)
        else:
            head.append(line)
    return head, blocks


def clone_server(sample: SampleZip, template: str, names: list[str]) -> SampleZip:
    """Add Exchange servers ``names`` to the directory, copies of server ``template`` (its
    ``ad_exchange_servers`` record, its security descriptors in ``ad_acl`` and its network path)."""
    for artifact in ("ad_exchange_servers", "ad_acl", "net_exchange_path"):
        try:
            text = sample.text(artifact)
        except KeyError:
            continue
        head, blocks = record_blocks(text)
        mentions = [b for b in blocks if any(template in line or template.lower() in line for line in b)]
        out = head + ["\r\n".join(b) + "\r\n" for b in blocks]
        for name in names:
            for block in mentions:
                body = "\r\n".join(block).replace(template, name).replace(template.lower(), name.lower())
                out.append(body + "\r\n")
        sample.set_text(artifact, "\r\n".join(out) + "\r\n")
    return sample
