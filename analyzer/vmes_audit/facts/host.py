"""The ``host`` table: one row per collected machine, combined from what each artifact says.

Each artifact is read by its own reader (:mod:`vmes_audit.facts.host_sources`); this module is the one
place that combines them. Source preference, column by column (:data:`PREFERENCE`): WMI and the
registry first (they are not localized and carry numbers), systeminfo second (its labels and number
formats depend on the Windows language), the collector's own claims (the manifest) last; for the
account that ran the collector, the token (``whoami /user``) before the manifest's claim.
``provenance`` maps each column to the artifact its value came from, so a finding can name its
evidence; ``fallbacks`` says, for a column decided by a weaker source, that the stronger one was
broken (« wmi_os illisible : valeur lue dans systeminfo »), and ``rejected`` holds the values
refused as out of their plausible range (:data:`vmes_audit.facts.model.HOST_BOUNDS`). A refused
value is not replaced by a weaker source: the sources contradict each other, and the checks that
need the column are "Non évaluable". ``source_conflicts`` lists, for the columns that name the
machine or its collecting account (:data:`IDENTITY_COLUMNS`), what each source says when they
disagree (``facts/claims.py``, check H4).
"""

from __future__ import annotations

import re
from typing import Any

from vmes_audit.collection import Collection
from vmes_audit.facts.host_sources import (DOMAIN_ROLES, SOURCES, Refused, first_record, registry_value,
                                           to_int)
from vmes_audit.facts.model import HOST_BOUNDS, REJECTED
from vmes_audit.windows.sids import is_valid_sid, normalize_sid

__all__ = ["host_row", "DOMAIN_ROLES", "to_int", "first_record", "registry_value", "PREFERENCE", "Refused",
           "IDENTITY_COLUMNS", "fallback_notes"]

# Column -> its sources, strongest first.
PREFERENCE: dict[str, tuple[str, ...]] = {
    "hostname": ("wmi_computersystem", "wmi_os", "systeminfo", "ipconfig", "manifest"),
    "os_caption": ("wmi_os", "reg_values", "systeminfo"),
    "os_version": ("wmi_os", "reg_values", "systeminfo"),
    "os_build": ("wmi_os", "reg_values", "systeminfo"),
    "service_pack": ("wmi_os", "reg_values", "systeminfo"),
    "product_type": ("wmi_os",),
    "encryption_level": ("wmi_os",),
    "os_other_type": ("wmi_os",),
    "system_locale": ("wmi_os", "systeminfo"),
    "architecture": ("wmi_os", "wmi_computersystem", "reg_values", "systeminfo"),
    "domain_role": ("wmi_computersystem", "systeminfo"),
    "domain": ("wmi_computersystem", "systeminfo"),
    "part_of_domain": ("wmi_computersystem",),
    "manufacturer": ("wmi_computersystem", "systeminfo"),
    "model": ("wmi_computersystem", "systeminfo"),
    "total_memory_mb": ("wmi_computersystem", "systeminfo"),
    "processor_name": ("wmi_processor", "systeminfo"),
    "processor_mhz": ("wmi_processor", "systeminfo"),
    "processor_count": ("wmi_processor",),
    "logical_processors": ("wmi_processor", "systeminfo"),
    "ie_version": ("reg_values",),
    "ie_esc_admin": ("reg_values",),
    "ie_esc_users": ("reg_values",),
    "registry_current_mb": ("wmi_registry",),
    "registry_max_mb": ("wmi_registry",),
    "registry_size_limit": ("reg_values",),
    "ts_mode": ("wmi_terminalservice",),
    "ts_app_compat": ("reg_values",),
    "run_as": ("whoami_user", "manifest"),
    "run_as_sid": ("whoami_user", "manifest"),
    "esm_installed": ("reg_exchange_setup",),
    "esm_build": ("reg_exchange_setup",),
    "run_as_ie_harden": ("reg_internet_settings",),
}

# Columns that name the machine or the account that collected: every source that gives one is
# compared, and a disagreement is a contradiction of the collection (check H4), whichever wins.
IDENTITY_COLUMNS = ("hostname", "run_as_sid")

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


def _identity(column: str, value: Any) -> str | None:
    """The comparable form of an identity value: a NetBIOS name (first DNS label, upper case), a SID."""
    if not isinstance(value, str) or isinstance(value, Refused) or not value.strip():
        return None
    text = value.strip()
    if column == "hostname":
        return text.split(".")[0].upper()
    return normalize_sid(text) if is_valid_sid(text) else text.upper()


def _conflicts(readings: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """``{"column": "hostname", "values": {"manifest": "VMES01", "wmi_computersystem": "APPLI02"}}`` for
    each identity column whose sources disagree.

    >>> _conflicts({"manifest": {"hostname": "vmes01"}, "wmi_computersystem": {"hostname": "VMES01"},
    ...             "wmi_os": {}, "systeminfo": {}, "ipconfig": {"hostname": "appli02.corp.fr"}, "whoami_user": {}})
    [{'column': 'hostname', 'values': {'wmi_computersystem': 'VMES01', 'ipconfig': 'APPLI02', 'manifest': 'VMES01'}}]
    """
    out = []
    for column in IDENTITY_COLUMNS:
        said = {source: _identity(column, readings[source].get(column)) for source in PREFERENCE[column]
                if source in readings}
        said = {source: value for source, value in said.items() if value}
        if len(set(said.values())) > 1:
            out.append({"column": column, "values": said})
    return out


def host_row(coll: Collection, role: str) -> dict[str, Any]:
    """Combine the readers of one collection (a VMES machine or an Exchange server) into its row."""
    readings = {name: reader(coll) for name, reader in SOURCES.items()}
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

    for column, sources in PREFERENCE.items():
        for source in sources:
            put(column, readings[source].get(column), source)

    # Derived columns. A machine without a service pack: WMI says 0 and its CSDVersion is null, systeminfo
    # omits it. A null or unreadable ServicePackMajorVersion beside « CSDVersion=Service Pack 4 » is unknown.
    os_record = first_record(coll, "wmi_os")
    wmi_says_none = os_record is not None and not str(os_record.get("CSDVersion") or "").strip()
    if row.get("service_pack") is None and "service_pack" not in rejected and row.get("os_version") \
            and (wmi_says_none or readings["systeminfo"]):
        put("service_pack", 0, prov.get("os_version", "systeminfo"))
    if row.get("part_of_domain") is None and row.get("domain_role") is not None:
        put("part_of_domain", row["domain_role"] not in ("standalone_workstation", "standalone_server"),
            prov["domain_role"])
    is_virtual, platform = _virtual(row.get("manufacturer"), row.get("model"))
    if is_virtual is not None:
        put("is_virtual", is_virtual, prov.get("manufacturer", "systeminfo"))
        put("virtual_platform", platform, prov.get("manufacturer", "systeminfo"))
    claimed = readings["manifest"]
    if prov.get("run_as") == "whoami_user" and claimed.get("run_as") and \
            _identity("run_as_sid", claimed.get("run_as_sid")) == _identity("run_as_sid", row.get("run_as_sid")):
        # whoami prints names in lower case ("corp\\vistoadmin"); the token's SID confirms the
        # manifest's account, whose spelling is shown
        row["run_as"] = str(claimed["run_as"]).strip()
    if row.get("run_as"):
        row["run_as_account"] = str(row["run_as"]).split("\\")[-1].split("@")[0]

    row["role"] = role
    row["collector_mode"] = coll.mode
    row["provenance"] = prov
    row[REJECTED] = rejected
    row["fallbacks"] = fallback_notes(coll, prov)
    row["source_conflicts"] = _conflicts(readings)
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
