"""The ``host`` table: one row per collected machine, reconciled from several artifacts.

Source preference, column by column (:data:`PREFERENCE`): WMI and the
registry first (they are not localized and carry numbers), systeminfo second
(its labels and number formats depend on the Windows language).
``provenance`` maps each column to the artifact its value came from, so a
finding can name its evidence; ``fallbacks`` says, for a column decided by a
weaker source, that the stronger one was broken (« wmi_os illisible : valeur
lue dans systeminfo »), and ``rejected`` holds the values refused as out of
their plausible range (:data:`vmes_audit.facts.model.HOST_BOUNDS`). A refused
value is not replaced by a weaker source: the sources contradict each other,
and the checks that need the column are "Non évaluable".
"""

from __future__ import annotations

import re
from typing import Any

from vmes_audit.collection import Collection
from vmes_audit.facts.model import HOST_BOUNDS, REJECTED
from vmes_audit.facts.parsed import parsed
from vmes_audit.parsers.numbers import DWORD, QWORD, OutOfBounds, parse_int
from vmes_audit.parsers.numbers import to_int as _to_int

__all__ = ["host_row", "DOMAIN_ROLES", "to_int", "first_record", "registry_value", "PREFERENCE", "Refused"]

# Column -> its sources, strongest first (the order host_row() reads them in).
PREFERENCE: dict[str, tuple[str, ...]] = {
    "hostname": ("wmi_computersystem", "wmi_os", "systeminfo", "manifest"),
    "os_caption": ("wmi_os", "reg_values", "systeminfo"),
    "os_version": ("wmi_os", "reg_values", "systeminfo"),
    "os_build": ("wmi_os", "reg_values", "systeminfo"),
    "service_pack": ("wmi_os", "reg_values", "systeminfo"),
    "system_locale": ("wmi_os", "systeminfo"),
    "architecture": ("wmi_os", "wmi_computersystem", "reg_values", "systeminfo"),
    "domain_role": ("wmi_computersystem", "systeminfo"),
    "domain": ("wmi_computersystem", "systeminfo"),
    "part_of_domain": ("wmi_computersystem", "systeminfo"),
    "manufacturer": ("wmi_computersystem", "systeminfo"),
    "model": ("wmi_computersystem", "systeminfo"),
    "total_memory_mb": ("wmi_computersystem", "systeminfo"),
    "processor_name": ("wmi_processor", "systeminfo"),
    "processor_mhz": ("wmi_processor", "systeminfo"),
    "logical_processors": ("wmi_processor", "systeminfo"),
}


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

# (manufacturer pattern, model pattern, platform label)
# "VMware, Inc." / "VMware Virtual Platform" (domain-facts 1.18, verified);
# "Microsoft Corporation" / "Virtual Machine" (Virtual Server, Virtual PC, Hyper-V; 1.19 unverified).
_VIRTUAL = [
    (r"vmware", r"", "VMware"),
    (r"microsoft corporation", r"virtual machine", "Microsoft Virtual Server / Virtual PC / Hyper-V"),
    (r"xen", r"", "Xen"),
    (r"innotek|oracle", r"virtualbox", "VirtualBox"),
    (r"qemu|red hat|nutanix", r"", "KVM / QEMU"),
    (r"parallels", r"", "Parallels"),
    (r"", r"^(bochs|kvm|hvm domu)", "Hyperviseur (KVM/Xen)"),
]


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


def _virtual(manufacturer: str | None, model: str | None) -> tuple[bool | None, str | None]:
    if manufacturer is None and model is None:
        return None, None
    manu = (manufacturer or "").lower()
    mod = (model or "").lower()
    for manu_pat, model_pat, label in _VIRTUAL:
        if (not manu_pat or re.search(manu_pat, manu)) and (not model_pat or re.search(model_pat, mod)):
            if manu_pat or model_pat:
                return True, label
    return False, None


def _version_triplet(version: Any) -> str | Refused | None:
    """"5.2.3790" from "5.2.3790" or "5.2.3790.1830"; components beyond 16 bits are refused.

    >>> _version_triplet("5.2.3790"), _version_triplet("x"), _version_triplet("5.2." + "9" * 400)[:22]
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


def host_row(coll: Collection, role: str) -> dict[str, Any]:
    """Build the host row of one collection (a VMES machine or an Exchange server)."""
    row: dict[str, Any] = {}
    prov: dict[str, str] = {}
    rejected: dict[str, str] = {}

    def put(column: str, value: Any, source: str) -> None:
        if column in rejected or row.get(column) is not None:
            return  # decided, or refused: a weaker source does not overrule a refused value
        if isinstance(value, Refused):
            rejected[column] = f"{value} dans {source}"
            return
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        bound = HOST_BOUNDS.get(column)
        if bound is not None and isinstance(value, int) and not isinstance(value, bool):
            reason = bound.reason(value)
            if reason:
                rejected[column] = f"{reason} dans {source}"
                return
        row[column] = value.strip() if isinstance(value, str) else value
        prov[column] = source

    def put_int(column: str, raw: Any, source: str, divide: int = 1) -> None:
        value = _number(raw)
        if isinstance(value, int) and divide > 1:
            if value < 0:  # a negative count of bytes: refused as written, before any scaling
                value = Refused(f"valeur hors limites : {value} (attendu : un nombre positif)")
            else:
                value //= divide
        put(column, value, source)

    os_rec = first_record(coll, "wmi_os")
    cs_rec = first_record(coll, "wmi_computersystem")
    si_list = parsed(coll.artifacts["systeminfo"]) if "systeminfo" in coll.artifacts else None
    si = si_list[0] if si_list else None
    procs = parsed(coll.artifacts["wmi_processor"]) if "wmi_processor" in coll.artifacts else None

    # --- identity
    if cs_rec is not None:
        put("hostname", cs_rec.get("Name"), "wmi_computersystem")
    if os_rec is not None:
        put("hostname", os_rec.get("CSName"), "wmi_os")
    if si is not None:
        put("hostname", si.hostname, "systeminfo")
    if coll.manifest is not None:
        put("hostname", coll.manifest.host.name, "manifest")

    # --- operating system: WMI, then registry, then systeminfo
    if os_rec is not None:
        put("os_caption", os_rec.get("Caption"), "wmi_os")
        put("os_version", _version_triplet(os_rec.get("Version")), "wmi_os")
        put_int("os_build", os_rec.get("BuildNumber"), "wmi_os")
        put_int("service_pack", os_rec.get("ServicePackMajorVersion"), "wmi_os")
        put_int("product_type", os_rec.get("ProductType"), "wmi_os")
        put_int("encryption_level", os_rec.get("EncryptionLevel"), "wmi_os")
        put("os_other_type", os_rec.get("OtherTypeDescription"), "wmi_os")
        lcid = str(os_rec.get("Locale") or "").lower()
        put("system_locale", _LCIDS.get(lcid, f"lcid:{lcid}" if lcid else None), "wmi_os")
        put("architecture", _arch(None, os_rec.get("OSArchitecture"), None), "wmi_os")
    nt = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
    reg_version = _text(registry_value(coll, nt, "CurrentVersion"))
    reg_build = _text(registry_value(coll, nt, "CurrentBuildNumber"))
    if reg_version and reg_build:
        put("os_version", _version_triplet(f"{reg_version}.{reg_build}"), "reg_values")
        put_int("os_build", reg_build, "reg_values")
    put("os_caption", _text(registry_value(coll, nt, "ProductName")), "reg_values")
    csd = _text(registry_value(coll, nt, "CSDVersion"))
    if csd:
        # "Service Pack 1"
        match = re.search(r"([0-9]+)", csd[:200])
        put_int("service_pack", match.group(1) if match else None, "reg_values")
    if si is not None:
        put("os_caption", si.os_name, "systeminfo")
        put("os_version", _version_triplet(si.os_version), "systeminfo")
        put("os_build", si.os_build, "systeminfo")
        put("service_pack", si.service_pack, "systeminfo")
        put("system_locale", getattr(si, "locale_code", None), "systeminfo")
    # A machine without a service pack: WMI says 0, systeminfo omits it.
    if row.get("service_pack") is None and row.get("os_version") and (os_rec is not None or si is not None):
        put("service_pack", 0, prov.get("os_version", "systeminfo"))

    # --- computer system
    if cs_rec is not None:
        put("domain_role", DOMAIN_ROLES.get(to_int(cs_rec.get("DomainRole"))), "wmi_computersystem")  # type: ignore[arg-type]
        put("domain", cs_rec.get("Domain"), "wmi_computersystem")
        part = cs_rec.get("PartOfDomain")
        if part is not None:
            put("part_of_domain", str(part).lower() == "true", "wmi_computersystem")
        put("manufacturer", cs_rec.get("Manufacturer"), "wmi_computersystem")
        put("model", cs_rec.get("Model"), "wmi_computersystem")
        put_int("total_memory_mb", cs_rec.get("TotalPhysicalMemory"), "wmi_computersystem", divide=1024 * 1024)
        put("architecture", _arch(cs_rec.get("SystemType"), None, None), "wmi_computersystem")
    env_arch = registry_value(coll, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment",
                              "PROCESSOR_ARCHITECTURE")
    put("architecture", _arch(None, None, _text(env_arch)), "reg_values")
    if si is not None:
        put("domain_role", si.domain_role, "systeminfo")
        put("domain", si.domain, "systeminfo")
        put("manufacturer", si.system_manufacturer, "systeminfo")
        put("model", si.system_model, "systeminfo")
        put("total_memory_mb", si.total_memory_mb, "systeminfo")
        put("architecture", si.architecture, "systeminfo")
    if row.get("part_of_domain") is None and row.get("domain_role") is not None:
        put("part_of_domain", row["domain_role"] not in ("standalone_workstation", "standalone_server"),
            prov["domain_role"])

    # --- processors: on 2000/2003 each logical processor is one Win32_Processor instance
    if procs:
        first = procs[0]
        put("processor_name", first.get("Name"), "wmi_processor")
        put_int("processor_mhz", first.get("MaxClockSpeed"), "wmi_processor")
        put("processor_count", len(procs), "wmi_processor")
        declared = [_number(p.get("NumberOfLogicalProcessors")) for p in procs]
        refused = next((d for d in declared if isinstance(d, Refused)), None)
        if refused is not None:
            put("logical_processors", refused, "wmi_processor")
        elif all(isinstance(d, int) for d in declared):
            put("logical_processors", sum(declared), "wmi_processor")  # type: ignore[arg-type]
        else:
            put("logical_processors", len(procs), "wmi_processor")
    if si is not None:
        put("processor_name", si.processors[0] if si.processors else None, "systeminfo")
        put("processor_mhz", si.processor_mhz, "systeminfo")
        put("logical_processors", len(si.processors) or None, "systeminfo")

    is_virtual, platform = _virtual(row.get("manufacturer"), row.get("model"))
    if is_virtual is not None:
        put("is_virtual", is_virtual, prov.get("manufacturer", "systeminfo"))
        put("virtual_platform", platform, prov.get("manufacturer", "systeminfo"))

    # --- Internet Explorer and IE ESC (HKLM, reg_values)
    put("ie_version", _text(registry_value(coll, "HKLM\\SOFTWARE\\Microsoft\\Internet Explorer", "Version")),
        "reg_values")
    esc = "HKLM\\SOFTWARE\\Microsoft\\Active Setup\\Installed Components\\"
    put("ie_esc_admin", registry_value(coll, esc + "{A509B1A7-37EF-4b3f-8CFC-4F3A74704073}", "IsInstalled"),
        "reg_values")
    put("ie_esc_users", registry_value(coll, esc + "{A509B1A8-37EF-4b3f-8CFC-4F3A74704073}", "IsInstalled"),
        "reg_values")

    # --- registry size (Windows 2000): Win32_Registry in MB, RegistrySizeLimit in bytes
    reg_rec = first_record(coll, "wmi_registry")
    if reg_rec is not None:
        put_int("registry_current_mb", reg_rec.get("CurrentSize"), "wmi_registry")
        put_int("registry_max_mb", reg_rec.get("MaximumSize"), "wmi_registry")
    put("registry_size_limit", registry_value(coll, "HKLM\\SYSTEM\\CurrentControlSet\\Control",
                                              "RegistrySizeLimit"), "reg_values")

    # --- Terminal Services: WMI TerminalServerMode (1 = application server), registry TSAppCompat
    ts_rec = first_record(coll, "wmi_terminalservice")
    if ts_rec is not None:
        put_int("ts_mode", ts_rec.get("TerminalServerMode"), "wmi_terminalservice")
    put("ts_app_compat", registry_value(coll, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server",
                                        "TSAppCompat"), "reg_values")

    # --- who collected
    if coll.manifest is not None:
        put("run_as", coll.manifest.run_as.name, "manifest")
        put("run_as_sid", coll.manifest.run_as.sid, "manifest")
    if row.get("run_as"):
        row["run_as_account"] = str(row["run_as"]).split("\\")[-1].split("@")[0]

    row["role"] = role
    row["collector_mode"] = coll.mode
    row["provenance"] = prov
    row[REJECTED] = rejected
    row["fallbacks"] = fallback_notes(coll, prov)
    return row


def _broken(coll: Collection, name: str) -> str:
    """French description of why artifact ``name`` could not be used, "" when it was usable or not expected."""
    from vmes_audit.collection.artifacts import ARTIFACTS

    if name == "manifest":
        return ""
    art = coll.artifacts.get(name)
    if art is None:
        spec = ARTIFACTS.get(name)
        expected = coll.manifest is not None and spec is not None and coll.mode in spec.modes
        return f"« {name} » absent de la collecte" if expected else ""
    if art.usable:
        return ""
    if art.status == "skipped":
        return ""  # not applicable on this machine (whoami on Windows 2000): nothing is broken
    detail = f" ({art.error[:200]})" if art.error else ""
    state = "illisible" if art.status == "unreadable" else "en erreur"
    return f"« {name} » {state}{detail}"


def fallback_notes(coll: Collection, prov: dict[str, str],
                   preference: dict[str, tuple[str, ...]] | None = None) -> dict[str, str]:
    """Column -> note, for the columns a weaker source decided because a stronger one was broken."""
    notes: dict[str, str] = {}
    for column, source in prov.items():
        order = (preference or PREFERENCE).get(column, ())
        if source not in order:
            continue
        broken = [text for text in (_broken(coll, name) for name in order[: order.index(source)]) if text]
        if broken:
            notes[column] = (f"valeur lue dans « {source} », source moins sûre, car "
                             f"{' ; '.join(broken)}")
    return notes
