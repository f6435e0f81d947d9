"""The fact tables and what the engine needs to know about their evidence.

Every table is a pandas DataFrame with a ``host`` column (upper-case NetBIOS
name; ``""`` for organisation-wide facts) and an ``artifact`` column naming
the artifact each row came from. :data:`TABLES` documents each table: its
columns, the artifacts that can feed it and the plausible range of its
numeric columns.

Plausibility bounds are declared here, once per column (``bounds=``): a value
outside them is not a fact but a sign of a corrupt or edited collection. The
table builder (:func:`check_bounds`, called by every ``frame()``) replaces it
by None and writes the reason in the row's ``rejected`` column (column ->
« valeur hors limites : -1 (attendu : de 0 à 9) »), so every check that
needs the value is "Non évaluable" and says why. Integers beyond 64 bits are
refused in every column, declared or not.

>>> row = {"host": "H", "service_pack": -1, "os_build": 3790}
>>> check_bounds("host", row); row["service_pack"], row["os_build"], row["rejected"]["service_pack"]
(None, 3790, 'valeur hors limites : -1 (attendu : de 0 à 9)')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from vmes_audit.collection import Artifact, Assessment, Collection
from vmes_audit.collection.artifacts import ARTIFACTS
from vmes_audit.parsers.numbers import INT64, Bound

__all__ = ["TableSpec", "TABLES", "Facts", "register_table", "check_bounds", "records", "frame", "present", "Bound", "REJECTED"]

REJECTED = "rejected"  # column -> French reason, for values refused as implausible


@dataclass(frozen=True)
class TableSpec:
    name: str
    description_fr: str
    columns: tuple[str, ...]
    artifacts: tuple[str, ...]
    bounds: dict[str, Bound] = field(default_factory=dict)


TABLES: dict[str, TableSpec] = {}


def register_table(name: str, description: str, columns: str, bounds: dict[str, Bound] | None = None,
                   *, derived: bool = False) -> None:
    """Declare a fact table: its French description, columns, and the plausible range of its numeric
    columns (a ``rejected`` column is added when there are any). Its source artifacts are those whose
    catalogue entry (``collector/artifacts.toml``, ``tables``) names it: a selection over the table is
    unknown when none of them is usable. A ``derived`` table (built from the manifests and the other
    tables, as the claims are) has no source of its own: it is always available."""
    cols = tuple(columns.split())
    if bounds:
        unknown = set(bounds) - set(cols)
        if unknown:
            raise ValueError(f"bounds for unknown columns of {name}: {sorted(unknown)}")
        if REJECTED not in cols:
            cols += (REJECTED,)
    sources = () if derived else tuple(artifact for artifact, spec in ARTIFACTS.items() if name in spec.tables)
    TABLES[name] = TableSpec(name, description, cols, sources, dict(bounds or {}))


def check_bounds(table: str, row: dict) -> None:
    """Refuse, in place, the numbers of ``row`` outside their declared bounds (and beyond 64 bits)."""
    spec = TABLES.get(table)
    bounds = spec.bounds if spec else {}
    # a snapshot: refusing a value may add the row's REJECTED column
    numeric = [(column, value) for column, value in row.items()
               if column != REJECTED and isinstance(value, (int, float)) and not isinstance(value, bool)]
    for column, value in numeric:
        bound = bounds.get(column, INT64)
        if value != value:  # NaN: no comparison can use it
            reason = "valeur non numérique (NaN)"
        else:
            reason = bound.reason(int(value)) if isinstance(value, int) or abs(value) < 1e300 else \
                "valeur hors limites"
        if reason:
            row[column] = None
            if spec is not None and REJECTED in spec.columns:
                rejected = row.get(REJECTED)
                if not isinstance(rejected, dict):
                    rejected = row[REJECTED] = {}
                rejected.setdefault(column, reason)


_table = register_table

# Plausibility bounds (docs/collection-format.md §9). Physical limits, not product requirements:
# the requirements live in the rule pack.
HOST_BOUNDS = {
    "os_build": Bound(0, 65535),  # BuildNumber is 16 bits (3790, 7601, 26100)
    "service_pack": Bound(0, 9),  # Windows NT 4.0 had 6, Windows 2000 4, Windows Server 2003 2
    "product_type": Bound(1, 3),  # workstation, domain controller, server
    # Win32_OperatingSystem.EncryptionLevel is a code, not a number of bits: 0 = 40-bit, 1 = 128-bit,
    # 2 = n-bit (domain-facts 1.10)
    "encryption_level": Bound(0, 2),
    "total_memory_mb": Bound(1, 64 * 1024 * 1024, "Mo"),  # 64 Tio
    "processor_mhz": Bound(1, 10_000, "MHz"),
    "processor_count": Bound(1, 1024),
    "logical_processors": Bound(1, 4096),
    "registry_size_limit": Bound(0, 2 ** 32 - 1, "octets"),  # a REG_DWORD
    "registry_current_mb": Bound(0, 4096, "Mo"),
    "registry_max_mb": Bound(0, 4096, "Mo"),
    "ts_mode": Bound(0, 1),
    "ts_app_compat": Bound(0, 2 ** 32 - 1),
    "ie_esc_admin": Bound(0, 1),
    "ie_esc_users": Bound(0, 1),
}


_table("host", "Une ligne par machine collectée (WMI et registre préférés à systeminfo)",
       "host hostname role collector_mode os_caption os_version os_build service_pack architecture "
       "domain_role domain part_of_domain manufacturer model is_virtual virtual_platform total_memory_mb "
       "processor_name processor_mhz processor_count logical_processors system_locale product_type "
       "encryption_level os_other_type ie_version ie_esc_admin ie_esc_users registry_size_limit "
       "registry_current_mb registry_max_mb ts_mode ts_app_compat run_as run_as_account run_as_sid "
       "format_version manifest_status manifest_error artifacts_total artifacts_failed artifacts_failed_count "
       "artifacts_newer artifacts_newer_count "
       "sa_local_admin sa_local_admin_via sa_local_admin_note sa_home_server sa_legacy_dn esm_installed esm_build run_as_sid_matches_sa "
       "run_as_ie_harden domain_netbios sa_sid artifacts_usable_count collection_problems collection_problems_count judged "
       "source_conflicts fallbacks provenance",
       bounds=HOST_BOUNDS)
_NTFS_MB = 256 * 1024 * 1024  # 256 Tio: the largest NTFS volume of Windows Server 2003 (2^32 clusters of 64 Kio)
_table("disks", "Disques fixes", "host artifact drive filesystem size_mb free_mb is_system",
       bounds={"size_mb": Bound(0, _NTFS_MB, "Mo"), "free_mb": Bound(0, _NTFS_MB, "Mo")})
_table("network_adapters", "Cartes réseau connectées et leur configuration IP",
       "host artifact index name connection_id speed_mbps mac ip_addresses ip_subnets gateways dns_servers",
       # Win32_NetworkAdapter.Speed is 2^63-1 when Windows does not know it: that is no speed
       bounds={"speed_mbps": Bound(0, 400_000, "Mbit/s"), "index": Bound(0, 2 ** 32 - 1)})
_table("hotfixes", "Correctifs installés (Windows et Exchange)",
       "host artifact kb product sp_label description installed_on")
_table("services", "Services Windows", "host artifact name display_name state start_mode start_name path")
_table("software", "Logiciels installés (clés Uninstall)",
       "host artifact key display_name display_version publisher install_location")
_table("registry", "Valeurs de registre collectées",
       "host artifact key name type value",
       bounds={"value": Bound(0, 2 ** 64 - 1)})  # REG_DWORD / REG_QWORD are unsigned
_table("files", "Versions de fichiers", "host artifact path exists version size",
       bounds={"size": Bound(0, 2 ** 63 - 1, "octets")})
_table("local_admins", "Membres du groupe Administrateurs local (S-1-5-32-544)",
       "host artifact name domain sid member_class")
_table("token_groups", "Groupes du jeton du compte qui a lancé la collecte",
       "host artifact sid name attributes")


@dataclass
class Facts:
    """The fact tables of one assessment, plus the collections they came from."""

    assessment: Assessment
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    # host -> collections of that host (after naming loose collections)
    collections_by_host: dict[str, list[Collection]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    today: date | None = None  # the report's date: collection dates are judged against it (check H4)
    service_account: str | None = None  # the account the analysis is about (--account, else the collector's)

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


# ``DataFrame.to_dict("records")`` indexes the frame column by column under pandas 3: on the wide
# host table it costs more than evaluating the rules. Casting to ``object`` once gives the same rows
# (tests/product/test_fast_records.py checks both on every fact table of the samples).
def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")``, same keys, values and types.

    >>> records(pd.DataFrame({"host": ["VMES01"], "memory_mb": [1024]}))
    [{'host': 'VMES01', 'memory_mb': 1024}]
    """
    if frame.empty:
        return []
    columns = list(frame.columns)
    return [dict(zip(columns, row)) for row in frame.to_numpy(dtype=object).tolist()]


def frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """A fact table with exactly its declared columns; missing values are None; numbers outside
    their declared bounds (and beyond 64 bits) refused, with the reason in ``rejected``.

    >>> frame("disks", [{"size_mb": 40960}, {"size_mb": None}])["size_mb"].tolist()
    [40960, None]
    """
    columns = list(TABLES[name].columns)
    for row in rows:
        check_bounds(name, row)
    if not rows:
        return pd.DataFrame(columns=columns)
    # Object columns built directly (a value stays the Python object the builder wrote: an int is
    # not turned into a float by a missing value beside it); NaN and pandas' missing markers -> None.
    # About 30 times faster than letting pandas infer dtypes and converting back.
    data = {column: [present(row.get(column)) for row in rows] for column in columns}
    return pd.DataFrame(data, columns=columns, dtype=object)


def present(value: object) -> object:
    """A cell's value with pandas' missing markers (NaN, NaT, NA) as None."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value
