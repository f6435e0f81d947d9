"""Record text helpers for the network tests."""

from __future__ import annotations

from pathlib import Path

NAME_URL = "https://push.sfr.fr:443/"
ADDRESS_URL = "https://206.124.113.45:443/"
HEADER = "#VMES-RECORDS 1\n"
ADAPTER = """#VMES-RECORDS 1
[Win32_NetworkAdapterConfiguration]
Index=1
Description=VMware Accelerated AMD PCNet Adapter
IPAddress[]=10.1.20.15
IPSubnet[]=255.255.255.0
DefaultIPGateway[]=10.1.20.254
DNSServerSearchOrder[]=10.1.20.10
"""


def write_records(folder: Path, name: str, text: str) -> None:
    """A record file as the collector writes it: UTF-16LE with BOM, CRLF."""
    data = text.replace("\r\n", "\n").replace("\n", "\r\n")
    (folder / f"{name}.txt").write_bytes(b"\xff\xfe" + data.encode("utf-16le"))


def probe(target: str, url: str, **props: str) -> str:
    """One ``probe`` record; properties as keyword arguments (None = ``Name!``)."""
    lines = ["[probe]", f"Target={target}", f"Url={url}", "ProxyMode=system"]
    for key, value in props.items():
        lines.append(f"{key}!" if value is None else f"{key}={value}")
    return "\n".join(lines) + "\n\n"
