"""Domain controllers and Exchange servers (checks A1, B1…B4): from AD, EMS and Exchange-server runs."""

from __future__ import annotations

import re

from vmes_audit.errors import ParseError
from vmes_audit.facts.ad_records import as_list, cn_of, of_kind, records_of
from vmes_audit.facts.model import Facts
from vmes_audit.facts.parsed import parsed
from vmes_audit.security.dn import parent_dn
from vmes_audit.security.exchange_versions import parse_exchange_version, parse_serial_numbers

__all__ = ["domain_controller_rows", "exchange_server_rows"]

def _dc_family(version: str | None) -> str | None:
    """operatingSystemVersion "5.2 (3790)" -> "Windows Server 2003".

    >>> _dc_family("5.0 (2195)"), _dc_family("6.0 (6002)"), _dc_family(None)
    ('Windows 2000', 'Windows Server 2008', None)
    """
    match = re.match(r"\s*(\d+)\.(\d+)", version or "")
    if not match:
        return None
    return {(4, 0): "Windows NT 4.0", (5, 0): "Windows 2000", (5, 2): "Windows Server 2003",
            (6, 0): "Windows Server 2008", (6, 1): "Windows Server 2008 R2"}.get(
        (int(match.group(1)), int(match.group(2))), f"Windows {match.group(1)}.{match.group(2)}")


def _sp_number(text: str | None) -> int:
    match = re.search(r"(\d+)", text or "")
    return int(match.group(1)) if match else 0


def domain_controller_rows(facts: Facts) -> list[dict]:
    records, _ = records_of(facts, "ad_domain_controllers")
    rows = []
    for rec in of_kind(records, "dc"):
        version = rec.get("operatingSystemVersion")
        rows.append({"host": "", "artifact": "ad_domain_controllers", "name": rec.get("name"),
                     "dns_host_name": rec.get("dNSHostName"), "os": rec.get("operatingSystem"),
                     "os_version": version, "os_sp": rec.get("operatingSystemServicePack"),
                     "sp": _sp_number(rec.get("operatingSystemServicePack")), "family": _dc_family(version)})
    return rows


def _version_row(version, text: str) -> dict:
    return {"version_text": text, "product": version.product, "major": version.major, "minor": version.minor,
            "build": version.build, "sp": version.sp, "label_fr": version.label_fr,
            "is_2007": version.major == 8}


def exchange_server_rows(facts: Facts, warnings: list[str]) -> list[dict]:
    rows: dict[str, dict] = {}
    records, _ = records_of(facts, "ad_exchange_servers")
    for rec in of_kind(records, "server"):
        name = str(rec.get("name") or cn_of(rec.get("distinguishedName")) or "").upper()
        dn = rec.get("distinguishedName")
        serials = as_list(rec.get("serialNumber"))
        row = {"host": "", "artifact": "ad_exchange_servers", "name": name, "dn": dn,
               "admin_group": cn_of(parent_dn(parent_dn(dn))) if dn else None,
               "legacy_dn": rec.get("legacyExchangeDN"), "roles": rec.get("msExchCurrentServerRoles"),
               "source": "ad", "ems_version": None}
        try:
            row.update(_version_row(parse_serial_numbers(serials), " ; ".join(serials)))
        except ParseError as exc:
            warnings.append(f"Serveur Exchange {name} : version illisible ({exc}).")
            row.update({"version_text": " ; ".join(serials) or None})
        rows[name] = row
    # Exchange 2007: Get-ExchangeServer | Format-List (AdminDisplayVersion : Version 8.1 (Build 240.6))
    for host, art in facts.any_artifact("ems_exchangeserver"):
        objects = parsed(art) if art.usable else None
        for obj in objects or []:
            name = str(obj.get("Name") or "").upper()
            text = str(obj.get("AdminDisplayVersion") or "")
            if not name:
                continue
            try:
                version = parse_exchange_version(text)
            except ParseError:
                version = None
            if name in rows:
                rows[name]["ems_version"] = text
                continue
            row = {"host": "", "artifact": "ems_exchangeserver", "name": name,
                   "dn": obj.get("DistinguishedName"), "admin_group": None, "legacy_dn": obj.get("ExchangeLegacyDN"),
                   "roles": obj.get("ServerRole"), "source": "ems", "ems_version": text}
            row.update(_version_row(version, text) if version else {"version_text": text})
            rows[name] = row
    # An Exchange-server run (collect.vbs /exchange) names its host's version too.
    for host, art in facts.any_artifact("exchange_version"):
        for rec in of_kind(parsed(art) if art.usable else None, "server"):
            name = str(rec.get("name") or host).upper()
            if name not in rows:
                serials = as_list(rec.get("serialNumber"))
                row = {"host": host, "artifact": "exchange_version", "name": name,
                       "dn": rec.get("distinguishedName"), "admin_group": None,
                       "legacy_dn": rec.get("legacyExchangeDN"), "roles": None, "source": "exchange",
                       "ems_version": None}
                try:
                    row.update(_version_row(parse_serial_numbers(serials), " ; ".join(serials)))
                except ParseError:
                    row["version_text"] = " ; ".join(serials) or None
                rows[name] = row
    for name, row in rows.items():
        if name in facts.collections_by_host:
            row["host"] = name
    return list(rows.values())
