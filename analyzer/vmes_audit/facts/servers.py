"""Domain controllers and Exchange servers (checks A1, B1…B4): from AD, EMS and Exchange-server runs."""

from __future__ import annotations

import re

from vmes_audit.base.errors import ParseError
from vmes_audit.facts.ad_records import as_list, cn_of, of_kind, records_of
from vmes_audit.facts.model import Facts
from vmes_audit.facts.parsed import parsed
from vmes_audit.windows.dn import parent_dn
from vmes_audit.windows.exchange_versions import parse_exchange_version, parse_serial_numbers

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


def _conflict(row: dict, other: dict, what: str) -> None:
    """Two sources give one server different versions: keep neither, say which (B1 "Non évaluable")."""
    texts = [v for v in (row.get("version_text"), other.get("version_text")) if v]
    row["version_conflict"] = f"{what} : {' ; '.join(dict.fromkeys(texts))}"
    for column in ("product", "major", "minor", "build", "sp", "label_fr", "is_2007"):
        row[column] = None


def exchange_server_rows(facts: Facts, warnings: list[str]) -> list[dict]:
    """One row per Exchange server, by name; contradictions between records are kept as ``version_conflict``.

    The directory may list the same server twice (a leftover object after a failed setup, a second
    organisation): when the versions differ, the row keeps no version and B1 says why; identical
    duplicates are merged. EMS (``Get-ExchangeServer``) and the server's own run confirm or
    contradict the directory the same way, never by last-one-wins.
    """
    rows: dict[str, dict] = {}
    records, _ = records_of(facts, "ad_exchange_servers")
    for rec in of_kind(records, "server"):
        name = str(rec.get("name") or cn_of(rec.get("distinguishedName")) or "").strip().upper()
        if not name:
            continue
        dn = rec.get("distinguishedName")
        serials = as_list(rec.get("serialNumber"))
        row = {"host": "", "artifact": "ad_exchange_servers", "name": name, "dn": dn,
               "admin_group": cn_of(parent_dn(parent_dn(dn) or "")) if dn else None,
               "legacy_dn": rec.get("legacyExchangeDN"), "roles": rec.get("msExchCurrentServerRoles"),
               "source": "ad", "ems_version": None, "version_conflict": None}
        try:
            row.update(_version_row(parse_serial_numbers(serials), " ; ".join(serials)))
        except ParseError as exc:
            warnings.append(f"Serveur Exchange {name} : version illisible ({exc}).")
            row.update({"version_text": " ; ".join(serials) or None})
        previous = rows.get(name)
        if previous is not None:
            same = previous.get("version_text") == row.get("version_text") and previous.get("major") is not None
            warnings.append(f"Le serveur Exchange {name} figure deux fois dans l'annuaire "
                            f"(« {previous.get('dn')} » et « {dn} »)"
                            + ("." if same else " avec des versions différentes : sa version n'est pas évaluée."))
            if not same:
                _conflict(previous, row, "deux objets serveur de même nom dans l'annuaire")
            continue
        rows[name] = row
    # Exchange 2007: Get-ExchangeServer | Format-List (AdminDisplayVersion : Version 8.1 (Build 240.6))
    for host, art in facts.any_artifact("ems_exchangeserver"):
        objects = parsed(art) if art.usable else None
        for obj in objects or []:
            name = str(obj.get("Name") or "").strip().upper()
            text = str(obj.get("AdminDisplayVersion") or "")
            if not name:
                continue
            try:
                version = parse_exchange_version(text)
            except ParseError:
                version = None
            if name in rows:
                rows[name]["ems_version"] = text
                known = rows[name]
                if version is not None and known.get("major") is not None and (
                        (known["major"], known["minor"], known["sp"]) != (version.major, version.minor, version.sp)):
                    _conflict(known, {"version_text": text}, "l'annuaire et Get-ExchangeServer donnent des versions "
                              "différentes")
                continue
            row = {"host": "", "artifact": "ems_exchangeserver", "name": name,
                   "dn": obj.get("DistinguishedName"), "admin_group": None, "legacy_dn": obj.get("ExchangeLegacyDN"),
                   "roles": obj.get("ServerRole"), "source": "ems", "ems_version": text, "version_conflict": None}
            row.update(_version_row(version, text) if version else {"version_text": text})
            rows[name] = row
    # An Exchange-server run (collect.vbs /exchange) names its host's version too.
    for host, art in facts.any_artifact("exchange_version"):
        for rec in of_kind(parsed(art) if art.usable else None, "server"):
            name = str(rec.get("name") or host).strip().upper()
            serials = as_list(rec.get("serialNumber"))
            try:
                version = parse_serial_numbers(serials)
            except ParseError:
                version = None
            if name in rows:
                known = rows[name]
                if version is not None and known.get("major") is not None and (
                        (known["major"], known["minor"], known["sp"]) != (version.major, version.minor, version.sp)):
                    _conflict(known, {"version_text": " ; ".join(serials)},
                              f"la collecte du serveur {name} et l'annuaire donnent des versions différentes")
                continue
            row = {"host": host, "artifact": "exchange_version", "name": name,
                   "dn": rec.get("distinguishedName"), "admin_group": None,
                   "legacy_dn": rec.get("legacyExchangeDN"), "roles": None, "source": "exchange",
                   "ems_version": None, "version_conflict": None}
            row.update(_version_row(version, " ; ".join(serials)) if version else
                       {"version_text": " ; ".join(serials) or None})
            rows[name] = row
    for name, row in rows.items():
        if name in facts.collections_by_host:
            row["host"] = name
    return list(rows.values())
