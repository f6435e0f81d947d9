"""Per-machine tables: disks, network adapters, hotfixes, services, software,
registry values, file versions, local administrators, token groups.

Each function takes one collection and its host name and returns rows
(dicts with the columns of :data:`vmes_audit.facts.model.TABLES`).
"""

from __future__ import annotations

import re
from typing import Any

from vmes_audit.collection import Collection
from vmes_audit.facts.host import first_record, to_int
from vmes_audit.facts.parsed import parsed

__all__ = ["disk_rows", "adapter_rows", "hotfix_rows", "service_rows", "software_rows",
           "registry_rows", "file_rows", "local_admin_rows", "token_group_rows"]

_MB = 1024 * 1024
# "KB891509", "Q323255", "KB 887828"
_KB = re.compile(r"\b(?:KB|Q)\s?(\d{5,7})\b", re.I)


def _records(coll: Collection, artifact: str):
    art = coll.artifacts.get(artifact)
    return (parsed(art) or []) if art is not None else []


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def disk_rows(coll: Collection, host: str) -> list[dict]:
    os_rec = first_record(coll, "wmi_os")
    system_drive = str(os_rec.get("SystemDrive") or "").upper() if os_rec is not None else ""
    rows = []
    for rec in _records(coll, "wmi_logicaldisk"):
        size = to_int(rec.get("Size"))
        free = to_int(rec.get("FreeSpace"))
        drive = str(rec.get("DeviceID") or "").upper()
        rows.append({"host": host, "artifact": "wmi_logicaldisk", "drive": drive,
                     "filesystem": rec.get("FileSystem"),
                     "size_mb": size // _MB if size is not None else None,
                     "free_mb": free // _MB if free is not None else None,
                     "is_system": (drive == system_drive) if system_drive else None})
    return rows


def adapter_rows(coll: Collection, host: str) -> list[dict]:
    configs = {to_int(r.get("Index")): r for r in _records(coll, "wmi_networkadapterconfig")}
    rows = []
    for rec in _records(coll, "wmi_networkadapter"):
        index = to_int(rec.get("Index"))
        cfg = configs.pop(index, None)
        speed = to_int(rec.get("Speed"))
        rows.append({"host": host, "artifact": "wmi_networkadapter", "index": index,
                     "name": rec.get("Name"), "connection_id": rec.get("NetConnectionID"),
                     "speed_mbps": speed // 1_000_000 if speed else None,
                     "mac": rec.get("MACAddress"),
                     "ip_addresses": _list(cfg.get("IPAddress")) if cfg is not None else [],
                     "ip_subnets": _list(cfg.get("IPSubnet")) if cfg is not None else [],
                     "gateways": _list(cfg.get("DefaultIPGateway")) if cfg is not None else [],
                     "dns_servers": _list(cfg.get("DNSServerSearchOrder")) if cfg is not None else []})
    for index, cfg in configs.items():  # IP-enabled configuration without an adapter row
        rows.append({"host": host, "artifact": "wmi_networkadapterconfig", "index": index,
                     "name": cfg.get("Description"), "connection_id": None, "speed_mbps": None,
                     "mac": cfg.get("MACAddress"), "ip_addresses": _list(cfg.get("IPAddress")),
                     "ip_subnets": _list(cfg.get("IPSubnet")), "gateways": _list(cfg.get("DefaultIPGateway")),
                     "dns_servers": _list(cfg.get("DNSServerSearchOrder"))})
    if not rows and "ipconfig" in coll.artifacts:
        config = parsed(coll.artifacts["ipconfig"])
        for adapter in getattr(config, "adapters", []) or []:
            if getattr(adapter, "media_disconnected", False):
                continue
            rows.append({"host": host, "artifact": "ipconfig", "index": None, "name": adapter.description,
                         "connection_id": adapter.name, "speed_mbps": None, "mac": adapter.physical_address,
                         "ip_addresses": [ip for ip, _ in adapter.ipv4],
                         "ip_subnets": [mask for _, mask in adapter.ipv4],
                         "gateways": list(adapter.gateways), "dns_servers": list(adapter.dns_servers)})
    return rows


def hotfix_rows(coll: Collection, host: str) -> list[dict]:
    rows = []
    for rec in _records(coll, "wmi_qfe"):
        hotfix_id = str(rec.get("HotFixID") or "")
        match = _KB.search(hotfix_id)
        rows.append({"host": host, "artifact": "wmi_qfe", "kb": f"KB{match.group(1)}" if match else hotfix_id,
                     "product": "Windows", "sp_label": rec.get("ServicePackInEffect"),
                     "description": rec.get("Description"), "installed_on": rec.get("InstalledOn")})
    if "systeminfo" in coll.artifacts:
        for info in parsed(coll.artifacts["systeminfo"]) or []:
            for entry in info.hotfixes:
                match = _KB.search(entry)
                if match:
                    rows.append({"host": host, "artifact": "systeminfo", "kb": f"KB{match.group(1)}",
                                 "product": "Windows", "sp_label": None, "description": entry,
                                 "installed_on": None})
    # HKLM\SOFTWARE\Microsoft\Updates\<Product>\<SP label>\<KBnnnnnn>
    # e.g. [HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Updates\Exchange Server 2003\SP2\KB891509]
    updates = coll.artifacts.get("reg_updates")
    reg = parsed(updates) if updates is not None else None
    if reg is not None:
        for key in reg.keys:
            parts = key.split("\\")
            lowered = [p.lower() for p in parts]
            if "updates" not in lowered:
                continue
            rest = parts[lowered.index("updates") + 1:]
            if len(rest) >= 2 and _KB.fullmatch(rest[-1].replace(" ", "")):
                match = _KB.fullmatch(rest[-1].replace(" ", ""))
                rows.append({"host": host, "artifact": "reg_updates", "kb": f"KB{match.group(1)}",
                             "product": rest[0], "sp_label": rest[1] if len(rest) >= 3 else None,
                             "description": reg.get(key, "PackageName") or reg.get(key, "Description"),
                             "installed_on": reg.get(key, "InstalledDate")})
    hotfix = coll.artifacts.get("reg_hotfix")
    reg = parsed(hotfix) if hotfix is not None else None
    if reg is not None:
        for key in reg.keys:
            leaf = key.rsplit("\\", 1)[-1]
            match = _KB.fullmatch(leaf.replace(" ", ""))
            if match:
                rows.append({"host": host, "artifact": "reg_hotfix", "kb": f"KB{match.group(1)}",
                             "product": "Windows", "sp_label": None,
                             "description": reg.get(key, "Comments"), "installed_on": reg.get(key, "InstalledDate")})
    return rows


def service_rows(coll: Collection, host: str) -> list[dict]:
    return [{"host": host, "artifact": "wmi_service", "name": rec.get("Name"),
             "display_name": rec.get("DisplayName"), "state": rec.get("State"),
             "start_mode": rec.get("StartMode"), "start_name": rec.get("StartName"),
             "path": rec.get("PathName")}
            for rec in _records(coll, "wmi_service")]


def software_rows(coll: Collection, host: str) -> list[dict]:
    rows = []
    for artifact in ("reg_uninstall", "reg_uninstall_wow64"):
        art = coll.artifacts.get(artifact)
        reg = parsed(art) if art is not None else None
        if reg is None:
            continue
        for key in reg.keys:
            name = reg.get(key, "DisplayName")
            if not name:
                continue
            rows.append({"host": host, "artifact": artifact, "key": key.rsplit("\\", 1)[-1],
                         "display_name": str(name), "display_version": reg.get(key, "DisplayVersion"),
                         "publisher": reg.get(key, "Publisher"),
                         "install_location": reg.get(key, "InstallLocation")})
    return rows


def _reg_key_short(key: str) -> str:
    """Normalise hive names to their short form.

    >>> _reg_key_short("HKEY_LOCAL_MACHINE\\\\SOFTWARE\\\\Microsoft")
    'HKLM\\\\SOFTWARE\\\\Microsoft'
    """
    for long, short in (("HKEY_LOCAL_MACHINE", "HKLM"), ("HKEY_CURRENT_USER", "HKCU"),
                        ("HKEY_CLASSES_ROOT", "HKCR"), ("HKEY_USERS", "HKU")):
        if key.upper().startswith(long):
            return short + key[len(long):]
    return key


def registry_rows(coll: Collection, host: str) -> list[dict]:
    rows = []
    for rec in _records(coll, "reg_values"):
        if str(rec.get("Missing") or "").lower() == "true":
            continue
        value = rec.get("Data")
        if str(rec.get("Type") or "").upper() in ("REG_DWORD", "REG_QWORD"):
            value = to_int(value)
        rows.append({"host": host, "artifact": "reg_values", "key": _reg_key_short(str(rec.get("Key") or "")),
                     "name": str(rec.get("Name") or ""), "type": rec.get("Type"), "value": value})
    for artifact, art in sorted(coll.artifacts.items()):
        if not artifact.startswith("reg_") or artifact == "reg_values":
            continue
        reg = parsed(art)
        if reg is None:
            continue
        for value in reg.values:
            rows.append({"host": host, "artifact": artifact, "key": _reg_key_short(value.key),
                         "name": value.name, "type": value.type, "value": value.value})
    return rows


def file_rows(coll: Collection, host: str) -> list[dict]:
    return [{"host": host, "artifact": "file_versions", "path": rec.get("Path"),
             "exists": str(rec.get("Exists") or "").lower() == "true",
             "version": rec.get("Version") or None, "size": to_int(rec.get("Size"))}
            for rec in _records(coll, "file_versions") if rec.kind.lower() == "file"]


def _sid(value) -> str | None:
    """A SID as format 1.1 writes it (hex) or 1.0 did (``S-1-…``); None when empty or unreadable."""
    from vmes_audit.errors import ParseError
    from vmes_audit.facts.ad_records import sid_value

    try:
        return sid_value(value)
    except ParseError:
        return None


def local_admin_rows(coll: Collection, host: str) -> list[dict]:
    return [{"host": host, "artifact": "local_admins", "name": rec.get("Name"), "domain": rec.get("Domain"),
             "sid": _sid(rec.get("Sid")), "member_class": rec.get("Class")}
            for rec in _records(coll, "local_admins") if rec.kind.lower() == "member"]


def token_group_rows(coll: Collection, host: str) -> list[dict]:
    rows = []
    art = coll.artifacts.get("whoami_groups")
    groups = parsed(art) if art is not None else None
    for group in groups or []:
        rows.append({"host": host, "artifact": "whoami_groups", "sid": group.sid, "name": group.name,
                     "attributes": group.attributes})
    seen = {r["sid"] for r in rows}
    for rec in _records(coll, "token_groups"):
        sid = _sid(rec.get("Sid"))
        if sid and sid not in seen:
            rows.append({"host": host, "artifact": "token_groups", "sid": sid, "name": rec.get("Name"),
                         "attributes": None})
    return rows
