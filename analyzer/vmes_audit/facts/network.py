"""Network facts: the NOC probe, proxy settings and the path to each Exchange server.

Sources: the ``net_noc_probe``, ``net_proxy`` and ``net_exchange_path`` record
files (docs/collection-format.md §6). WinHTTP reports failures as error numbers
(``ERROR_WINHTTP_*``, 12001–12185); VBScript sees them as HRESULTs
(``0x80072EE7`` = 12007), so both forms are accepted and normalised.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from vmes_audit.facts.host import to_int
from vmes_audit.facts.model import Facts, register_table
from vmes_audit.facts.parsed import parsed

__all__ = ["build", "winhttp_error", "WINHTTP_ERRORS", "classify_probe", "same_subnet"]

register_table("noc_probes", "Tests de connexion HTTPS au NOC depuis la machine VMES",
               "host artifact target url proxy_mode proxy resolved addresses status error_number error_text "
               "elapsed_ms outcome outcome_fr", "net_noc_probe")
register_table("proxies", "Paramètres de proxy (Internet Explorer du compte, WinHTTP)",
               "host artifact source enabled server proxy_host proxy_port bypass autoconfig_url autodetect",
               "net_proxy")
register_table("exchange_paths", "Chemin réseau de la machine VMES vers chaque serveur Exchange",
               "host artifact server fqdn addresses same_subnet port port_open elapsed_ms error_text",
               "net_exchange_path")

# ERROR_WINHTTP_* (winhttp.h): number -> (outcome, French explanation)
WINHTTP_ERRORS: dict[int, tuple[str, str]] = {
    12002: ("timeout", "délai d'attente dépassé (aucune réponse)"),
    12005: ("other", "adresse (URL) non valide"),
    12006: ("other", "schéma d'URL non reconnu"),
    12007: ("dns", "nom introuvable dans le DNS"),
    12029: ("connect", "connexion TCP impossible (port fermé ou filtré)"),
    12030: ("connect", "connexion interrompue par le serveur ou un équipement réseau"),
    12037: ("tls", "certificat du serveur expiré"),
    12038: ("tls", "certificat du serveur au nom d'un autre site"),
    12044: ("tls", "le serveur demande un certificat client"),
    12045: ("tls", "certificat du serveur émis par une autorité non reconnue"),
    12152: ("http_error", "réponse invalide du serveur"),
    12157: ("tls", "erreur du canal sécurisé (SSL/TLS)"),
    12166: ("other", "erreur dans le script de configuration automatique du proxy"),
    12167: ("other", "script de configuration automatique du proxy introuvable"),
    12169: ("tls", "certificat du serveur non valide"),
    12175: ("tls", "échec de la négociation sécurisée (SSL/TLS)"),
    12180: ("other", "détection automatique du proxy impossible"),
}


def winhttp_error(value: Any) -> int | None:
    """The WinHTTP error number from a decimal, a negative HRESULT or 0x8007xxxx.

    >>> winhttp_error("12007"), winhttp_error("-2147012889"), winhttp_error("0x80072EE7"), winhttp_error("")
    (12007, 12007, 12007, None)
    """
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    try:
        number = int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        return None
    if number < 0:
        number &= 0xFFFFFFFF
    if number > 0xFFFF and (number >> 16) & 0x1FFF == 7:  # FACILITY_WIN32
        number &= 0xFFFF
    return number


def classify_probe(status: int | None, error: int | None, resolved: bool | None) -> tuple[str, str]:
    """(outcome, French sentence) of one probe.

    >>> classify_probe(200, None, True)[0], classify_probe(407, None, True)[0], classify_probe(None, 12029, True)[0]
    ('ok', 'proxy_auth', 'connect')
    """
    if status is not None:
        if status == 407:
            return "proxy_auth", "le proxy demande une authentification (HTTP 407)"
        if 200 <= status < 500:
            return "ok", f"le serveur a répondu (HTTP {status})"
        return "http_error", f"le serveur a répondu par une erreur (HTTP {status})"
    if error is not None:
        outcome, text = WINHTTP_ERRORS.get(error, ("other", "erreur réseau"))
        return outcome, f"{text} (erreur WinHTTP {error})"
    if resolved is False:
        return "dns", "nom introuvable dans le DNS"
    return "other", "résultat inconnu"


def _bool(value: Any) -> bool | None:
    if value is None or str(value).strip() == "":
        return None
    return str(value).strip().lower() in ("true", "1", "vrai", "yes")


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def same_subnet(ip: str, mask: str, other: str) -> bool | None:
    """Whether ``other`` is in the network of ``ip``/``mask``.

    >>> same_subnet("10.1.20.15", "255.255.255.0", "10.1.20.30"), same_subnet("10.1.20.15", "255.255.255.0", "10.1.30.3")
    (True, False)
    """
    try:
        network = ipaddress.IPv4Network(f"{ip}/{mask}", strict=False)
        return ipaddress.IPv4Address(other) in network
    except ValueError:
        return None


def _split_proxy(server: str | None) -> tuple[str | None, int | None]:
    """ProxyServer as IE stores it: "proxy:8080" or "http=proxy:8080;https=proxy:8443".

    >>> _split_proxy("http=p1:80;https=p2:8443"), _split_proxy("proxy.corp:3128"), _split_proxy("")
    (('p2', 8443), ('proxy.corp', 3128), (None, None))
    """
    if not server:
        return None, None
    chosen = server.strip()
    if "=" in chosen:
        parts = dict(p.split("=", 1) for p in chosen.split(";") if "=" in p)
        chosen = parts.get("https") or parts.get("http") or next(iter(parts.values()), "")
    chosen = chosen.split("://")[-1].strip().rstrip("/")
    host, _, port = chosen.rpartition(":")
    if host and port.isdigit():
        return host, int(port)
    return chosen or None, None


def _records(facts: Facts, host: str, name: str):
    art = facts.artifact(host, name)
    return parsed(art) or [] if art.usable else []


def build(facts: Facts) -> None:
    from vmes_audit.facts import frame

    probes, proxies, paths = [], [], []
    for host in facts.collections_by_host:
        for rec in _records(facts, host, "net_noc_probe"):
            if rec.kind.lower() != "probe":
                continue
            status = to_int(rec.get("Status"))
            error = winhttp_error(rec.get("ErrorNumber"))
            resolved = _bool(rec.get("Resolved"))
            outcome, outcome_fr = classify_probe(status, error, resolved)
            probes.append({"host": host, "artifact": "net_noc_probe", "target": rec.get("Target"),
                           "url": rec.get("Url"), "proxy_mode": rec.get("ProxyMode"), "proxy": rec.get("Proxy") or None,
                           "resolved": resolved, "addresses": _list(rec.get("Addresses")), "status": status,
                           "error_number": error, "error_text": rec.get("ErrorText") or None,
                           "elapsed_ms": to_int(rec.get("ElapsedMs")), "outcome": outcome, "outcome_fr": outcome_fr})
        for rec in _records(facts, host, "net_proxy"):
            if rec.kind.lower() != "proxy":
                continue
            server = rec.get("ProxyServer") or None
            proxy_host, proxy_port = _split_proxy(server)
            proxies.append({"host": host, "artifact": "net_proxy", "source": rec.get("Source"),
                            "enabled": _bool(rec.get("ProxyEnable")), "server": server, "proxy_host": proxy_host,
                            "proxy_port": proxy_port, "bypass": rec.get("ProxyOverride") or None,
                            "autoconfig_url": rec.get("AutoConfigURL") or None,
                            "autodetect": _bool(rec.get("AutoDetect"))})
        for rec in _records(facts, host, "net_exchange_path"):
            if rec.kind.lower() != "path":
                continue
            paths.append({"host": host, "artifact": "net_exchange_path", "server": rec.get("Server"),
                          "fqdn": rec.get("Fqdn") or None, "addresses": _list(rec.get("Addresses")),
                          "same_subnet": _bool(rec.get("SameSubnet")), "port": to_int(rec.get("Port")),
                          "port_open": _bool(rec.get("PortOpen")), "elapsed_ms": to_int(rec.get("ElapsedMs")),
                          "error_text": rec.get("ErrorText") or None})
    facts.tables["noc_probes"] = frame("noc_probes", probes)
    facts.tables["proxies"] = frame("proxies", proxies)
    facts.tables["exchange_paths"] = frame("exchange_paths", paths)
