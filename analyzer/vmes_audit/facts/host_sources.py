"""What each artifact says about its machine: one reader per source of the ``host`` table.

A reader takes one collection and returns ``{column: value}`` for the columns
its artifact can tell (``None`` or an absent key: it says nothing; a
:class:`Refused` value: it says something implausible). It never decides
between sources: ``facts/host.py`` combines the readers, strongest source
first, and notes where they disagree (insights-core's combiner pattern:
each reader declares its input, the combiner is the one writer of the table).

>>> from vmes_audit.collection import Collection
>>> sorted(SOURCES)[:4]
['ipconfig', 'manifest', 'reg_exchange_setup', 'reg_internet_settings']
>>> wmi_os(Collection(origin="x", manifest=None, host="X", mode="vmes"))
{}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from vmes_audit.collection import Collection
from vmes_audit.facts.parsed import parsed
from vmes_audit.parsers.numbers import DWORD, QWORD, OutOfBounds, parse_int
from vmes_audit.parsers.numbers import to_int as _to_int

__all__ = ["Refused", "SOURCES", "DOMAIN_ROLES", "first_record", "registry_value", "to_int", "Reading"]

Reading = dict[str, Any]


class Refused(str):
    """A value refused as implausible; the string is the French reason."""


# Win32_ComputerSystem.DomainRole (DSROLE_MACHINE_ROLE)
DOMAIN_ROLES = {
    0: "standalone_workstation",
    1: "member_workstation",
    2: "standalone_server",
    3: "member_server",
    4: "backup_dc",
    5: "primary_dc",
}

# Windows LCID (Win32_OperatingSystem.Locale, hex) -> short locale
_LCIDS = {"040c": "fr-FR", "080c": "fr-BE", "0c0c": "fr-CA", "100c": "fr-CH", "140c": "fr-LU",
          "0409": "en-US", "0809": "en-GB", "0407": "de-DE", "0410": "it-IT", "0c0a": "es-ES",
          "0413": "nl-NL", "0816": "pt-PT"}

_NT = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
_ESC = "HKLM\\SOFTWARE\\Microsoft\\Active Setup\\Installed Components\\"


def to_int(value: Any) -> int | None:
    """Parse an integer from WMI text, tolerating blanks and signs; None when absent or beyond 64 bits.

    >>> to_int("1073201152"), to_int(" 3 "), to_int(None), to_int("abc"), to_int(5), to_int("9" * 5000)
    (1073201152, 3, None, None, 5, None)
    """
    return _to_int(value)


def _number(value: Any) -> int | Refused | None:
    """An integer, None (absent or not a number) or the reason it was refused (too many digits)."""
    try:
        return parse_int(value)
    except OutOfBounds as exc:
        return Refused(str(exc))


def _bytes_to_mb(value: Any) -> int | Refused | None:
    number = _number(value)
    if isinstance(number, int) and not isinstance(number, Refused):
        if number < 0:  # a negative count of bytes: refused as written, before any scaling
            return Refused(f"valeur hors limites : {number} (attendu : un nombre positif)")
        return number // (1024 * 1024)
    return number


def first_record(coll: Collection, artifact: str, kind: str | None = None):
    art = coll.artifacts.get(artifact)
    if art is None:
        return None
    records = parsed(art)
    if not records:
        return None
    for rec in records:
        if kind is None or rec.kind.lower() == kind.lower():
            return rec
    return None


def registry_value(coll: Collection, key: str, name: str) -> Any:
    """A value from the ``reg_values`` records (case-insensitive key and name); None if absent."""
    art = coll.artifacts.get("reg_values")
    records = parsed(art) if art is not None else None
    if not records:
        return None
    for rec in records:
        rec_key = str(rec.get("Key") or "")
        if rec_key.lower() == key.lower() and str(rec.get("Name") or "").lower() == name.lower():
            if str(rec.get("Missing") or "").lower() == "true":
                return None
            data = rec.get("Data")
            kind = str(rec.get("Type") or "").upper()
            if kind in ("REG_DWORD", "REG_QWORD"):
                try:
                    return parse_int(data, DWORD if kind == "REG_DWORD" else QWORD)
                except OutOfBounds as exc:
                    return Refused(f"{kind} {exc}")
            return data
    return None


def _arch(system_type: str | None, os_arch: str | None, env_arch: str | None) -> str | None:
    """x86 or x64 from WMI SystemType ("X86-based PC"), OSArchitecture or PROCESSOR_ARCHITECTURE.

    >>> _arch("X86-based PC", None, None), _arch(None, "64 bits", None), _arch(None, None, "AMD64")
    ('x86', 'x64', 'x64')
    """
    for raw in (os_arch, env_arch, system_type):
        if not raw:
            continue
        text = str(raw).lower()
        if "64" in text and ("x64" in text or "amd64" in text or "64-bit" in text or "64 bit" in text
                             or "64 bits" in text or "ia64" in text or text.strip() == "64"):
            return "x64"
        if "x86" in text or "32" in text:
            return "x86"
    return None


def version_triplet(version: Any) -> str | Refused | None:
    """"5.2.3790" from "5.2.3790" or "5.2.3790.1830"; components beyond 16 bits are refused.

    >>> version_triplet("5.2.3790"), version_triplet("x"), version_triplet("5.2." + "9" * 400)[:22]
    ('5.2.3790', None, 'version hors limites «')
    """
    if not isinstance(version, str) or isinstance(version, Refused):
        return None
    # "5.2.3790"  (Win32_OperatingSystem.Version)
    match = re.match(r"^\s*([0-9]+)\.([0-9]+)\.([0-9]+)", version[:400], re.ASCII)
    if not match:
        return None
    if any(len(part) > 5 or int(part) > 65535 for part in match.groups()):
        return Refused(f"version hors limites « {version[:40]}{'…' if len(version) > 40 else ''} » "
                       "(chaque nombre entre 0 et 65 535)")
    return ".".join(str(int(part)) for part in match.groups())


def _text(value: Any) -> str | None:
    """A registry string value, None when absent or refused."""
    return None if isinstance(value, Refused) or not isinstance(value, str) else value


# --------------------------------------------------------------------------- readers


def wmi_os(coll: Collection) -> Reading:
    rec = first_record(coll, "wmi_os")
    if rec is None:
        return {}
    lcid = str(rec.get("Locale") or "").lower()
    return {"hostname": rec.get("CSName"), "os_caption": rec.get("Caption"),
            "os_version": version_triplet(rec.get("Version")), "os_build": _number(rec.get("BuildNumber")),
            "service_pack": _number(rec.get("ServicePackMajorVersion")),
            "product_type": _number(rec.get("ProductType")), "encryption_level": _number(rec.get("EncryptionLevel")),
            "os_other_type": rec.get("OtherTypeDescription"),
            "system_locale": _LCIDS.get(lcid, f"lcid:{lcid}" if lcid else None),
            "architecture": _arch(None, rec.get("OSArchitecture"), None)}


def wmi_computersystem(coll: Collection) -> Reading:
    rec = first_record(coll, "wmi_computersystem")
    if rec is None:
        return {}
    part = rec.get("PartOfDomain")
    return {"hostname": rec.get("Name"), "domain_role": DOMAIN_ROLES.get(to_int(rec.get("DomainRole"))),  # type: ignore[arg-type]
            "domain": rec.get("Domain"), "part_of_domain": str(part).lower() == "true" if part is not None else None,
            "manufacturer": rec.get("Manufacturer"), "model": rec.get("Model"),
            "total_memory_mb": _bytes_to_mb(rec.get("TotalPhysicalMemory")),
            "architecture": _arch(rec.get("SystemType"), None, None)}


def reg_values(coll: Collection) -> Reading:
    out: Reading = {}
    version, build = _text(registry_value(coll, _NT, "CurrentVersion")), _text(registry_value(coll, _NT, "CurrentBuildNumber"))
    if version and build:
        out["os_version"] = version_triplet(f"{version}.{build}")
        out["os_build"] = _number(build)
    out["os_caption"] = _text(registry_value(coll, _NT, "ProductName"))
    csd = _text(registry_value(coll, _NT, "CSDVersion"))
    if csd:
        # "Service Pack 1"
        match = re.search(r"([0-9]+)", csd[:200])
        out["service_pack"] = _number(match.group(1)) if match else None
    env = registry_value(coll, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment",
                         "PROCESSOR_ARCHITECTURE")
    out["architecture"] = _arch(None, None, _text(env))
    out["ie_version"] = _text(registry_value(coll, "HKLM\\SOFTWARE\\Microsoft\\Internet Explorer", "Version"))
    out["ie_esc_admin"] = registry_value(coll, _ESC + "{A509B1A7-37EF-4b3f-8CFC-4F3A74704073}", "IsInstalled")
    out["ie_esc_users"] = registry_value(coll, _ESC + "{A509B1A8-37EF-4b3f-8CFC-4F3A74704073}", "IsInstalled")
    out["registry_size_limit"] = registry_value(coll, "HKLM\\SYSTEM\\CurrentControlSet\\Control", "RegistrySizeLimit")
    out["ts_app_compat"] = registry_value(coll, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server",
                                          "TSAppCompat")
    return out


def systeminfo(coll: Collection) -> Reading:
    art = coll.artifacts.get("systeminfo")
    infos = parsed(art) if art is not None else None
    if not infos:
        return {}
    si = infos[0]
    return {"hostname": si.hostname, "os_caption": si.os_name, "os_version": version_triplet(si.os_version),
            "os_build": si.os_build, "service_pack": si.service_pack,
            "system_locale": getattr(si, "locale_code", None), "domain_role": si.domain_role, "domain": si.domain,
            "manufacturer": si.system_manufacturer, "model": si.system_model,
            "total_memory_mb": si.total_memory_mb, "architecture": si.architecture,
            "processor_name": si.processors[0] if si.processors else None, "processor_mhz": si.processor_mhz,
            "logical_processors": len(si.processors) or None}


def ipconfig(coll: Collection) -> Reading:
    art = coll.artifacts.get("ipconfig")
    config = parsed(art) if art is not None else None
    return {"hostname": config.hostname} if config else {}


def wmi_processor(coll: Collection) -> Reading:
    art = coll.artifacts.get("wmi_processor")
    procs = parsed(art) if art is not None else None
    if not procs:
        return {}
    # on 2000/2003 each logical processor is one Win32_Processor instance
    declared = [_number(p.get("NumberOfLogicalProcessors")) for p in procs]
    refused = next((d for d in declared if isinstance(d, Refused)), None)
    if refused is not None:
        logical: Any = refused
    elif all(isinstance(d, int) for d in declared):
        logical = sum(declared)  # type: ignore[arg-type]
    else:
        logical = len(procs)
    return {"processor_name": procs[0].get("Name"), "processor_mhz": _number(procs[0].get("MaxClockSpeed")),
            "processor_count": len(procs), "logical_processors": logical}


def wmi_registry(coll: Collection) -> Reading:
    rec = first_record(coll, "wmi_registry")
    if rec is None:
        return {}
    # Win32_Registry sizes are in MB
    return {"registry_current_mb": _number(rec.get("CurrentSize")), "registry_max_mb": _number(rec.get("MaximumSize"))}


def wmi_terminalservice(coll: Collection) -> Reading:
    rec = first_record(coll, "wmi_terminalservice")
    # TerminalServerMode: 1 = application server, 0 = remote administration
    return {"ts_mode": _number(rec.get("TerminalServerMode"))} if rec is not None else {}


def manifest(coll: Collection) -> Reading:
    """The collector's own claims: the machine it ran on and the account that ran it."""
    if coll.manifest is None:
        return {}
    return {"hostname": coll.manifest.host.name, "run_as": coll.manifest.run_as.name,
            "run_as_sid": coll.manifest.run_as.sid}


def whoami_user(coll: Collection) -> Reading:
    """``whoami /user``: the account that ran the collector, from its token (evidence, Windows 2003)."""
    art = coll.artifacts.get("whoami_user")
    user = parsed(art) if art is not None else None
    return {"run_as": user.name, "run_as_sid": user.sid} if user else {}


def _registry_export(coll: Collection, artifact: str):
    art = coll.artifacts.get(artifact)
    return parsed(art) if art is not None else None


def reg_exchange_setup(coll: Collection) -> Reading:
    """``HKLM\\SOFTWARE\\Microsoft\\Exchange\\Setup``: the Exchange tools (B3), and their service pack build."""
    reg = _registry_export(coll, "reg_exchange_setup")
    if reg is None:
        return {}
    builds = [v.value for v in reg.values if v.name.lower() == "servicepackbuild"]
    return {"esm_installed": bool(reg.values), "esm_build": to_int(builds[0]) if builds else None}


def reg_internet_settings(coll: Collection) -> Reading:
    """IE Enhanced Security of the account that ran the collector (HKCU ``…\\ZoneMap`` ``IEHarden``)."""
    reg = _registry_export(coll, "reg_internet_settings")
    if reg is None:
        return {}
    harden = [v.value for v in reg.values
              if v.key.lower().endswith("\\zonemap") and v.name.lower() == "ieharden"]
    return {"run_as_ie_harden": to_int(harden[0]) if harden else 0}


SOURCES: dict[str, Callable[[Collection], Reading]] = {
    "wmi_os": wmi_os, "wmi_computersystem": wmi_computersystem, "reg_values": reg_values,
    "systeminfo": systeminfo, "ipconfig": ipconfig, "wmi_processor": wmi_processor,
    "wmi_registry": wmi_registry, "wmi_terminalservice": wmi_terminalservice, "manifest": manifest,
    "whoami_user": whoami_user, "reg_exchange_setup": reg_exchange_setup,
    "reg_internet_settings": reg_internet_settings,
}
