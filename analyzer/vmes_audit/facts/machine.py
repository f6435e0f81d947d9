"""Per-machine tables: disks, network adapters, hotfixes, services, software,
registry values, file versions, local administrators, token groups.

Each function takes one collection and its host name and returns rows
(dicts with the columns of :data:`vmes_audit.facts.model.TABLES`).
"""

from __future__ import annotations

import re
from typing import Any

from vmes_audit.collection import Collection
from vmes_audit.facts.ad_records import sid_value
from vmes_audit.facts.host import first_record, to_int
from vmes_audit.facts.model import REJECTED
from vmes_audit.facts.parsed import parsed
from vmes_audit.parsers.numbers import DWORD, QWORD, OutOfBounds, parse_int
from vmes_audit.base.errors import ParseError

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


def _scaled(row: dict, column: str, raw: Any, divide: int, what: str) -> None:
    """Set ``row[column]`` to ``raw`` (an untrusted integer) divided by ``divide``, or refuse it with the reason.
    The table's declared bounds are checked when the table is built (facts.frame)."""
    try:
        value = parse_int(raw)
    except OutOfBounds as exc:
        row[column] = None
        row.setdefault(REJECTED, {})[column] = f"{what} : {exc}"
        return
    if value is not None and value < 0:  # refused as written, before any scaling
        row[column] = None
        row.setdefault(REJECTED, {})[column] = f"{what} : valeur hors limites : {value} (attendu : un nombre positif)"
        return
    row[column] = value // divide if value is not None else None


def disk_rows(coll: Collection, host: str) -> list[dict]:
    os_rec = first_record(coll, "wmi_os")
    system_drive = str(os_rec.get("SystemDrive") or "").upper() if os_rec is not None else ""
    rows = []
    for rec in _records(coll, "wmi_logicaldisk"):
        drive = str(rec.get("DeviceID") or "").upper()
        row = {"host": host, "artifact": "wmi_logicaldisk", "drive": drive, "filesystem": rec.get("FileSystem"),
               "is_system": (drive == system_drive) if system_drive else None}
        _scaled(row, "size_mb", rec.get("Size"), _MB, "Size")
        _scaled(row, "free_mb", rec.get("FreeSpace"), _MB, "FreeSpace")
        if isinstance(row["size_mb"], int) and isinstance(row["free_mb"], int) and row["free_mb"] > row["size_mb"]:
            row.setdefault(REJECTED, {})["free_mb"] = (f"espace libre ({row['free_mb']} Mo) supérieur à la taille "
                                                       f"du disque ({row['size_mb']} Mo) : valeurs contradictoires")
            row["free_mb"] = None
        rows.append(row)
    return rows


def adapter_rows(coll: Collection, host: str) -> list[dict]:
    configs = {to_int(r.get("Index")): r for r in _records(coll, "wmi_networkadapterconfig")}
    rows = []
    for rec in _records(coll, "wmi_networkadapter"):
        index = to_int(rec.get("Index"))
        cfg = configs.pop(index, None)
        row = {"host": host, "artifact": "wmi_networkadapter", "index": index,
               "name": rec.get("Name"), "connection_id": rec.get("NetConnectionID"),
               "mac": rec.get("MACAddress"),
               "ip_addresses": _list(cfg.get("IPAddress")) if cfg is not None else [],
               "ip_subnets": _list(cfg.get("IPSubnet")) if cfg is not None else [],
               "gateways": _list(cfg.get("DefaultIPGateway")) if cfg is not None else [],
               "dns_servers": _list(cfg.get("DNSServerSearchOrder")) if cfg is not None else []}
        _scaled(row, "speed_mbps", rec.get("Speed"), 1_000_000, "Speed")  # bit/s -> Mbit/s
        if row["speed_mbps"] == 0:
            row["speed_mbps"] = None  # 0 bit/s on a connected adapter: Windows does not know the speed
        rows.append(row)
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
        kind = str(rec.get("Type") or "").upper()
        row = {"host": host, "artifact": "reg_values", "key": _reg_key_short(str(rec.get("Key") or "")),
               "name": str(rec.get("Name") or ""), "type": rec.get("Type")}
        if kind in ("REG_DWORD", "REG_QWORD"):
            try:
                value = parse_int(value, DWORD if kind == "REG_DWORD" else QWORD)
            except OutOfBounds as exc:
                value = None
                row[REJECTED] = {"value": f"{kind} {exc}"}
        row["value"] = value
        rows.append(row)
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
    rows = []
    for rec in _records(coll, "file_versions"):
        if rec.kind.lower() != "file":
            continue
        row = {"host": host, "artifact": "file_versions", "path": rec.get("Path"),
               "exists": str(rec.get("Exists") or "").lower() == "true", "version": rec.get("Version") or None}
        _scaled(row, "size", rec.get("Size"), 1, "Size")
        rows.append(row)
    return rows


def _sid(value: Any) -> str | None:
    """A SID as ``S-1-…`` from the record's text (1.0) or hex (1.1); None when empty; ParseError when invalid."""
    if value is not None and not isinstance(value, str):
        raise ParseError(f"SID multiple ou de type inattendu « {str(value)[:60]} »")
    return sid_value(value)


def _sid_rows(coll: Collection, artifact: str, kind: str, build) -> list[dict]:
    """Rows of the records of ``kind``; one invalid SID makes the whole artifact unreadable
    (a membership list with a member nobody can identify cannot prove anything)."""
    art = coll.artifacts.get(artifact)
    rows = []
    for rec in _records(coll, artifact):
        if rec.kind.lower() != kind:
            continue
        try:
            sid = _sid(rec.get("Sid"))
        except ParseError as exc:
            if art is not None:
                art.mark_unreadable(f"contenu illisible : {exc} (ligne {rec.line})")
            return []
        rows.append(build(rec, sid))
    return rows


def local_admin_rows(coll: Collection, host: str) -> list[dict]:
    return _sid_rows(coll, "local_admins", "member", lambda rec, sid: {
        "host": host, "artifact": "local_admins", "name": rec.get("Name"), "domain": rec.get("Domain"),
        "sid": sid, "member_class": rec.get("Class")})


def token_group_rows(coll: Collection, host: str) -> list[dict]:
    rows = []
    art = coll.artifacts.get("whoami_groups")
    groups = parsed(art) if art is not None else None
    for group in groups or []:
        rows.append({"host": host, "artifact": "whoami_groups", "sid": group.sid, "name": group.name,
                     "attributes": group.attributes})
    seen = {r["sid"] for r in rows}
    for row in _sid_rows(coll, "token_groups", "group", lambda rec, sid: {
            "host": host, "artifact": "token_groups", "sid": sid, "name": rec.get("Name"), "attributes": None}):
        if row["sid"] and row["sid"] not in seen:
            seen.add(row["sid"])
            rows.append(row)
    return rows
