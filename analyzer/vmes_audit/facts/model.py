"""The fact tables and what the engine needs to know about their evidence.

Every table is a pandas DataFrame with a ``host`` column (upper-case NetBIOS
name; ``""`` for organisation-wide facts) and an ``artifact`` column naming
the artifact each row came from. :data:`TABLES` documents each table: its
columns and the artifacts that can feed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from vmes_audit.collection import Artifact, Assessment, Collection

__all__ = ["TableSpec", "TABLES", "Facts", "register_table"]


@dataclass(frozen=True)
class TableSpec:
    name: str
    description_fr: str
    columns: tuple[str, ...]
    artifacts: tuple[str, ...]


TABLES: dict[str, TableSpec] = {}


def register_table(name: str, description: str, columns: str, artifacts: str) -> None:
    """Declare a fact table: its French description, columns and source artifacts (space-separated)."""
    TABLES[name] = TableSpec(name, description, tuple(columns.split()), tuple(artifacts.split()))


_table = register_table


_table("host", "Une ligne par machine collectée (WMI et registre préférés à systeminfo)",
       "host hostname role collector_mode os_caption os_version os_build service_pack architecture "
       "domain_role domain part_of_domain manufacturer model is_virtual virtual_platform total_memory_mb "
       "processor_name processor_mhz processor_count logical_processors system_locale product_type "
       "encryption_level os_other_type ie_version ie_esc_admin ie_esc_users registry_size_limit "
       "registry_current_mb registry_max_mb ts_mode ts_app_compat run_as run_as_account run_as_sid "
       "format_version manifest_status manifest_error artifacts_total artifacts_failed artifacts_failed_count "
       "sa_local_admin sa_local_admin_via sa_home_server sa_legacy_dn esm_installed esm_build run_as_sid_matches_sa "
       "run_as_ie_harden domain_netbios "
       "sa_sid provenance",
       "wmi_os wmi_computersystem wmi_processor systeminfo reg_values wmi_registry wmi_terminalservice")
_table("disks", "Disques fixes", "host artifact drive filesystem size_mb free_mb is_system", "wmi_logicaldisk")
_table("network_adapters", "Cartes réseau connectées et leur configuration IP",
       "host artifact index name connection_id speed_mbps mac ip_addresses ip_subnets gateways dns_servers",
       "wmi_networkadapter wmi_networkadapterconfig ipconfig")
_table("hotfixes", "Correctifs installés (Windows et Exchange)",
       "host artifact kb product sp_label description installed_on", "wmi_qfe systeminfo reg_hotfix reg_updates")
_table("services", "Services Windows", "host artifact name display_name state start_mode start_name path",
       "wmi_service")
_table("software", "Logiciels installés (clés Uninstall)",
       "host artifact key display_name display_version publisher install_location",
       "reg_uninstall reg_uninstall_wow64")
_table("registry", "Valeurs de registre collectées",
       "host artifact key name type value", "reg_values reg_exchange_setup reg_updates reg_uninstall "
       "reg_uninstall_wow64 reg_hotfix reg_terminal_server reg_internet_settings reg_winhttp reg_mapi_profiles")
_table("files", "Versions de fichiers", "host artifact path exists version size", "file_versions")
_table("local_admins", "Membres du groupe Administrateurs local (S-1-5-32-544)",
       "host artifact name domain sid member_class", "local_admins")
_table("token_groups", "Groupes du jeton du compte qui a lancé la collecte",
       "host artifact sid name attributes", "whoami_groups token_groups")


@dataclass
class Facts:
    """The fact tables of one assessment, plus the collections they came from."""

    assessment: Assessment
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    # host -> collections of that host (after naming loose collections)
    collections_by_host: dict[str, list[Collection]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def table(self, name: str) -> pd.DataFrame:
        frame = self.tables.get(name)
        if frame is None:
            spec = TABLES.get(name)
            columns = list(spec.columns) if spec else ["host", "artifact"]
            return pd.DataFrame(columns=columns)
        return frame

    def hosts(self, role: str | None = None) -> list[str]:
        frame = self.table("host")
        if role is not None and not frame.empty:
            frame = frame[frame["role"] == role]
        return [str(h) for h in frame["host"].tolist()] if not frame.empty else []

    def artifact(self, host: str, name: str) -> Artifact:
        """The artifact ``name`` of ``host``, from any of its collections (status after parsing)."""
        best: Artifact | None = None
        for coll in self.collections_by_host.get(host, []):
            art = coll.artifacts.get(name)
            if art is None:
                continue
            if art.usable:
                return art
            best = best or art
        if best is not None:
            return best
        return Artifact(name=name, file="", status="missing", error="artefact absent de la collecte")

    def any_artifact(self, name: str) -> list[tuple[str, Artifact]]:
        """Every collected instance of artifact ``name``, across hosts."""
        found = []
        for host, colls in self.collections_by_host.items():
            for coll in colls:
                if name in coll.artifacts:
                    found.append((host, coll.artifacts[name]))
        return found
