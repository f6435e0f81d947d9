"""Network facts: the NOC probe, proxy settings and the path to each Exchange server.

Sources: the ``net_noc_probe``, ``net_proxy`` and ``net_exchange_path`` record
files (docs/collection-format.md §6), plus the ``network_adapters`` table (the
VMES machine's own IPv4 addresses and masks). WinHTTP reports failures as error
numbers (``ERROR_WINHTTP_*``, 12001–12185); VBScript sees them as HRESULTs
(``-2147012889``, ``0x80072EE7``, ``80072EE7`` from ``Hex(Err.Number)``, or
``&H80072EE7``), so every form is accepted and normalised to the decimal number.

Tables:

- ``noc_probes``: one row per probe. ``outcome`` is one of ``ok`` (the server
  answered with an HTTP status, 407 excepted), ``proxy_auth`` (HTTP 407),
  ``dns``, ``connect``, ``timeout``, ``tls``, ``http_error`` (5xx or an invalid
  answer), ``other``. ``reachable`` is True only when the probe *proves* a TCP
  connection to the server (an HTTP status, or a TLS or certificate error,
  which needs the server to answer), False otherwise. A probe of the NOC's IP
  address whose only error is "certificate issued for another name" (12038)
  is ``ok``: the certificate names ``push.sfr.fr``, not the address.
  ``source_addresses`` lists the machine's IPv4 addresses (adapters with a
  default gateway first): the source a firewall rule names.
- ``proxies``: one row per source (``ie`` for the running account, ``winhttp``
  for the machine). ``active`` says whether that source sends traffic to a
  proxy. User names and passwords embedded in a proxy string or URL
  (``http://user:pass@proxy:8080``) are removed before anything is stored, and
  ``credentials_removed`` says so.
- ``exchange_paths``: one row per Exchange server probed. ``same_subnet``
  comes from the collector, or is computed from the adapters when the
  collector left it empty; ``local_network`` is the VMES network it was
  compared with (``10.1.20.0/24``). ``mailbox_stores`` is the number of mailbox stores the
  directory lists on that server (``exchange_servers.store_count``; None when the stores were not
  collected or the server is not in the directory's list): a server without any is no MAPI target.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit


from vmes_audit.facts.host import to_int
from vmes_audit.facts.model import Facts, register_table
from vmes_audit.facts.parsed import parsed
from vmes_audit.parsers.numbers import Bound

__all__ = ["build", "winhttp_error", "WINHTTP_ERRORS", "classify_probe", "probe_reachable", "same_subnet",
           "strip_credentials", "split_proxy", "url_host_port", "local_ipv4"]

_PORT = Bound(1, 65535)
_ELAPSED_MS = Bound(0, 86_400_000, "ms")  # one day
register_table("noc_probes", "Tests de connexion HTTPS au NOC depuis la machine VMES",
               "host artifact target url target_host target_port proxy_mode proxy resolved addresses status "
               "error_number error_text elapsed_ms outcome outcome_fr reachable source_addresses",
               bounds={"status": Bound(100, 599), "error_number": Bound(0, 2 ** 32 - 1), "elapsed_ms": _ELAPSED_MS,
                       "target_port": _PORT})
register_table("proxies", "Paramètres de proxy (Internet Explorer du compte, WinHTTP)",
               "host artifact source enabled active server proxy_host proxy_port bypass autoconfig_url autodetect "
               "credentials_removed", bounds={"proxy_port": _PORT})
register_table("exchange_paths", "Chemin réseau de la machine VMES vers chaque serveur Exchange",
               "host artifact server fqdn addresses resolved same_subnet local_address local_network port "
               "port_open elapsed_ms error_text mailbox_stores", bounds={"port": _PORT, "elapsed_ms": _ELAPSED_MS})

# ERROR_WINHTTP_* (winhttp.h): number -> (outcome, French explanation)
WINHTTP_ERRORS: dict[int, tuple[str, str]] = {
    12001: ("other", "plus de ressources WinHTTP disponibles"),
    12002: ("timeout", "délai d'attente dépassé, aucune réponse"),
    12004: ("other", "erreur interne de WinHTTP"),
    12005: ("other", "adresse URL non valide"),
    12006: ("other", "schéma d'URL non reconnu"),
    12007: ("dns", "nom introuvable dans le DNS"),
    12017: ("other", "opération annulée"),
    12029: ("connect", "connexion TCP impossible, port fermé ou filtré"),
    12030: ("connect", "connexion interrompue par le serveur ou un équipement réseau"),
    12037: ("tls", "certificat du serveur expiré"),
    12038: ("tls", "certificat du serveur au nom d'un autre site"),
    12044: ("tls", "le serveur demande un certificat client"),
    12045: ("tls", "certificat du serveur émis par une autorité non reconnue"),
    12057: ("tls", "vérification de révocation du certificat impossible"),
    12152: ("http_error", "réponse invalide du serveur"),
    12157: ("tls", "erreur du canal sécurisé SSL/TLS"),
    12166: ("other", "erreur dans le script de configuration automatique du proxy"),
    12167: ("other", "script de configuration automatique du proxy introuvable"),
    12169: ("tls", "certificat du serveur non valide"),
    12170: ("tls", "certificat du serveur révoqué"),
    12175: ("tls", "échec de la négociation sécurisée SSL/TLS"),
    12180: ("other", "détection automatique du proxy impossible"),
}

_CERT_CN_INVALID = 12038
_HEX_ERROR = re.compile(r"(?:0x|&h)?([0-9a-f]{8})", re.I | re.ASCII)


def winhttp_error(value: Any) -> int | None:
    """The WinHTTP error number from a decimal, a negative HRESULT or its hex forms.

    >>> winhttp_error("12007"), winhttp_error("-2147012889"), winhttp_error("0x80072EE7"), winhttp_error("")
    (12007, 12007, 12007, None)
    >>> winhttp_error("80072EFD"), winhttp_error("&H80072EE2"), winhttp_error(-2147012867), winhttp_error("abc")
    (12029, 12002, 12029, None)
    """
    if value is None or isinstance(value, bool) or str(value).strip() == "":
        return None
    text = str(value).strip()
    if len(text) > 24:  # "-2147012889", "&H80072EE7": never longer
        return None
    match = _HEX_ERROR.fullmatch(text)
    hex_form = match is not None and (not (text.isascii() and text.isdigit()) or text.startswith("8007"))
    number = int(match.group(1), 16) if hex_form and match else to_int(text)
    if number is None:
        return None
    if number < 0:
        number &= 0xFFFFFFFF
    if number > 0xFFFF and (number >> 16) & 0x1FFF == 7:  # FACILITY_WIN32
        number &= 0xFFFF
    return number


def classify_probe(status: int | None, error: int | None, resolved: bool | None,
                   target: str | None = None) -> tuple[str, str]:
    """(outcome, French sentence) of one probe.

    >>> classify_probe(200, None, True)[0], classify_probe(407, None, True)[0], classify_probe(None, 12029, True)[0]
    ('ok', 'proxy_auth', 'connect')
    >>> classify_probe(404, None, True)[0], classify_probe(503, None, True)[0], classify_probe(None, None, False)[0]
    ('ok', 'http_error', 'dns')
    >>> classify_probe(None, 12038, None)[0], classify_probe(None, 12038, None, "address")[0]
    ('tls', 'ok')
    """
    if status is not None:
        if status == 407:
            return "proxy_auth", "le proxy demande une authentification, HTTP 407"
        if 200 <= status < 500:
            return "ok", f"le serveur a répondu par le code HTTP {status}"
        return "http_error", f"le serveur a répondu par une erreur HTTP {status}"
    if error is not None:
        if error == _CERT_CN_INVALID and str(target or "").lower() == "address":
            return "ok", ("le serveur a répondu avec un certificat au nom du NOC, ce qui est normal pour une "
                          f"adresse IP, erreur WinHTTP {error}")
        outcome, text = WINHTTP_ERRORS.get(error, ("other", "erreur réseau"))
        return outcome, f"{text}, erreur WinHTTP {error}"
    if resolved is False:
        return "dns", "nom introuvable dans le DNS"
    return "other", "résultat inconnu"


def probe_reachable(status: int | None, outcome: str) -> bool:
    """True when the probe proves a TCP connection to the server (or the proxy) was made.

    >>> probe_reachable(404, "ok"), probe_reachable(None, "tls"), probe_reachable(None, "connect"), probe_reachable(None, "other")
    (True, True, False, False)
    """
    return status is not None or outcome in ("ok", "tls", "http_error", "proxy_auth")


def _bool(value: Any) -> bool | None:
    """A Boolean as VBScript prints it (``True``, ``Vrai`` on French Windows, ``-1``); None when empty or
    when it is no Boolean (« Tru » is unknown, never False).

    >>> _bool("Vrai"), _bool("False"), _bool("0"), _bool(""), _bool("Tru")
    (True, False, False, None, None)
    """
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().lower()
    if text in ("true", "1", "vrai", "yes", "oui", "-1"):
        return True
    return False if text in ("false", "0", "faux", "no", "non") else None


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def same_subnet(ip: str, mask: str, other: str) -> bool | None:
    """Whether ``other`` is in the network of ``ip``/``mask``.

    >>> same_subnet("10.1.20.15", "255.255.255.0", "10.1.20.30"), same_subnet("10.1.20.15", "255.255.255.0", "10.1.30.3")
    (True, False)
    >>> same_subnet("10.1.20.15", "64", "fe80::1") is None
    True
    """
    try:
        network = ipaddress.IPv4Network(f"{ip}/{mask}", strict=False)
        return ipaddress.IPv4Address(other) in network
    except ValueError:
        return None


_SCHEME = re.compile(r"^\s*[a-z][a-z0-9+.\-]*://", re.I)
_PROTO_PART = re.compile(r"^\s*[a-z]+=", re.I)


def _strip_one(text: str) -> tuple[str, bool]:
    """Drop everything between the scheme and the last "@" (a password may hold "@", "/" or ":")."""
    if "@" not in text:
        return text, False
    scheme = _SCHEME.match(text)
    start = scheme.end() if scheme else len(text) - len(text.lstrip())
    return text[:start] + text[text.rindex("@") + 1:], True


def strip_credentials(value: str | None) -> tuple[str | None, bool]:
    """Remove user names and passwords written into a proxy string or URL; (clean, removed?).

    >>> strip_credentials("http://jdupont:S3cret!@proxy.corp:8080")
    ('http://proxy.corp:8080', True)
    >>> strip_credentials("http=svc:pw@p1:80;https=p2:8443")
    ('http=p1:80;https=p2:8443', True)
    >>> strip_credentials("svc:p@s;s/w0rd@proxy.corp:8080")
    ('proxy.corp:8080', True)
    >>> strip_credentials("proxy.corp:3128"), strip_credentials(None)
    (('proxy.corp:3128', False), (None, False))
    """
    if not value:
        return value, False
    text = str(value)
    parts = text.split(";")
    if len(parts) > 1 and all(_PROTO_PART.match(p) or not p.strip() for p in parts):
        out, removed = [], False
        for part in parts:
            proto, sep, rest = part.partition("=")
            clean, gone = _strip_one(rest)
            out.append(proto + sep + clean)
            removed = removed or gone
        return ";".join(out), removed
    if _PROTO_PART.match(text):  # "https=user:pw@proxy:8443"
        proto, sep, rest = text.partition("=")
        clean, removed = _strip_one(rest)
        return proto + sep + clean, removed
    return _strip_one(text)


def split_proxy(server: str | None) -> tuple[str | None, int | None]:
    """ProxyServer as IE stores it: "proxy:8080" or "http=proxy:8080;https=proxy:8443".

    The HTTPS proxy is the one VMES uses; else the HTTP one.

    >>> split_proxy("http=p1:80;https=p2:8443"), split_proxy("proxy.corp:3128"), split_proxy("")
    (('p2', 8443), ('proxy.corp', 3128), (None, None))
    >>> split_proxy("http://proxy.corp:8080/"), split_proxy("proxy.corp")
    (('proxy.corp', 8080), ('proxy.corp', None))
    """
    if not server:
        return None, None
    chosen = server.strip()
    if "=" in chosen:
        parts = {k.strip().lower(): v for k, v in (p.split("=", 1) for p in chosen.split(";") if "=" in p)}
        chosen = parts.get("https") or parts.get("http") or next(iter(parts.values()), "")
    chosen = chosen.split("://")[-1].strip().rstrip("/")
    host, _, port = chosen.rpartition(":")
    number = to_int(port) if port.isascii() and port.isdigit() else None
    if host and number is not None:
        return host, number  # out of 1-65535: refused by the table's bounds, with the reason
    if host and port.isdigit():
        return host, None  # "proxy:²" or a 5 000-digit port
    return chosen or None, None


_split_proxy = split_proxy  # former name


def url_host_port(url: str | None) -> tuple[str | None, int | None]:
    """Host and port of a probe URL (443 by default for https).

    >>> url_host_port("https://push.sfr.fr:443/"), url_host_port("https://206.124.113.45/"), url_host_port("")
    (('push.sfr.fr', 443), ('206.124.113.45', 443), (None, None))
    """
    if not url:
        return None, None
    try:
        parts = urlsplit(str(url).strip())
        port = parts.port
    except ValueError:
        return None, None
    if parts.hostname is None:
        return None, None
    if port is None:
        port = {"https": 443, "http": 80}.get(parts.scheme.lower())
    return parts.hostname, port


def _ipv4(text: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(text.strip())
    except ValueError:
        return None


def local_ipv4(adapters: list[dict]) -> list[tuple[str, str]]:
    """(address, mask) of the machine's IPv4 addresses, adapters with a default gateway first.

    >>> local_ipv4([{"ip_addresses": ["192.168.5.2"], "ip_subnets": ["255.255.255.0"], "gateways": []},
    ...             {"ip_addresses": ["10.1.20.15", "fe80::1"], "ip_subnets": ["255.255.255.0", "64"],
    ...              "gateways": ["10.1.20.254"]}])
    [('10.1.20.15', '255.255.255.0'), ('192.168.5.2', '255.255.255.0')]
    """
    ordered = sorted(adapters, key=lambda a: 0 if a.get("gateways") else 1)
    out: list[tuple[str, str]] = []
    for adapter in ordered:
        addresses = list(adapter.get("ip_addresses") or [])
        masks = list(adapter.get("ip_subnets") or [])
        for i, address in enumerate(addresses):
            ip = _ipv4(str(address))
            if ip is None or ip.is_loopback or ip.is_unspecified or str(ip).startswith("169.254."):
                continue
            mask = str(masks[i]) if i < len(masks) else ""
            if (str(ip), mask) not in out:
                out.append((str(ip), mask))
    return out


def _compare_subnets(local: list[tuple[str, str]], remote: list[str]) -> tuple[bool | None, str | None, str | None]:
    """(same subnet?, local address, local network) of the best match between local and remote addresses.

    >>> _compare_subnets([("10.1.20.15", "255.255.255.0")], ["10.1.20.30"])
    (True, '10.1.20.15', '10.1.20.0/24')
    >>> _compare_subnets([("10.1.40.15", "255.255.255.0")], ["10.1.20.30"])
    (False, '10.1.40.15', '10.1.40.0/24')
    >>> _compare_subnets([], ["10.1.20.30"])
    (None, None, None)
    """
    first: tuple[str, str] | None = None
    undecided = False
    for ip, mask in local:
        try:
            network = ipaddress.IPv4Network(f"{ip}/{mask}", strict=False)
        except ValueError:
            undecided = True
            continue
        first = first or (ip, str(network))
        for other in remote:
            verdict = same_subnet(ip, mask, other)
            if verdict:
                return True, ip, str(network)
            if verdict is None:
                undecided = True
    if first is None or undecided or not remote:
        return None, first[0] if first else None, first[1] if first else None
    return False, first[0], first[1]


def _records(facts: Facts, host: str, name: str):
    art = facts.artifact(host, name)
    return parsed(art) or [] if art.usable else []


def _adapters(facts: Facts, host: str) -> list[dict]:
    frame = facts.table("network_adapters")
    if frame.empty:
        return []
    return frame[frame["host"] == host].to_dict("records")


def _probe_row(host: str, rec, sources: list[str]) -> dict:
    status = to_int(rec.get("Status"))
    error = winhttp_error(rec.get("ErrorNumber"))
    resolved = _bool(rec.get("Resolved"))
    target = str(rec.get("Target") or "").strip().lower() or None
    outcome, outcome_fr = classify_probe(status, error, resolved, target)
    url, _ = strip_credentials(rec.get("Url") or None)
    proxy, _ = strip_credentials(rec.get("Proxy") or None)
    target_host, target_port = url_host_port(url)
    return {"host": host, "artifact": "net_noc_probe", "target": target, "url": url,
            "target_host": target_host, "target_port": target_port,
            "proxy_mode": rec.get("ProxyMode") or None, "proxy": proxy or None,
            "resolved": resolved, "addresses": _list(rec.get("Addresses")), "status": status,
            "error_number": error, "error_text": rec.get("ErrorText") or None,
            "elapsed_ms": to_int(rec.get("ElapsedMs")), "outcome": outcome, "outcome_fr": outcome_fr,
            "reachable": probe_reachable(status, outcome), "source_addresses": sources}


def _proxy_row(host: str, rec) -> dict:
    server, removed_server = strip_credentials(rec.get("ProxyServer") or None)
    autoconfig, removed_url = strip_credentials(rec.get("AutoConfigURL") or None)
    source = str(rec.get("Source") or "").strip().lower() or None
    enabled = _bool(rec.get("ProxyEnable"))
    proxy_host, proxy_port = split_proxy(server)
    if source == "winhttp":
        # proxycfg / netsh winhttp: a proxy server is set, or "direct access"
        active = bool(proxy_host) and enabled is not False
    else:
        # Internet Explorer: ProxyServer is kept when the box is unticked; absent ProxyEnable = 0
        active = bool(proxy_host) and enabled is True
    return {"host": host, "artifact": "net_proxy", "source": source, "enabled": enabled, "active": active,
            "server": server, "proxy_host": proxy_host, "proxy_port": proxy_port,
            "bypass": rec.get("ProxyOverride") or None, "autoconfig_url": autoconfig,
            "autodetect": _bool(rec.get("AutoDetect")), "credentials_removed": removed_server or removed_url}


def _path_row(host: str, rec, local: list[tuple[str, str]]) -> dict:
    addresses = [a for a in _list(rec.get("Addresses")) if a.strip()]
    computed, local_address, local_network = _compare_subnets(local, addresses)
    collected = _bool(rec.get("SameSubnet"))
    return {"host": host, "artifact": "net_exchange_path", "server": rec.get("Server"),
            "fqdn": rec.get("Fqdn") or None, "addresses": addresses, "resolved": bool(addresses),
            "same_subnet": collected if collected is not None else computed,
            "local_address": local_address, "local_network": local_network,
            "port": to_int(rec.get("Port")), "port_open": _bool(rec.get("PortOpen")),
            "elapsed_ms": to_int(rec.get("ElapsedMs")), "error_text": rec.get("ErrorText") or None}


def build(facts: Facts) -> None:
    from vmes_audit.facts.model import frame

    probes, proxies, paths = [], [], []
    for host in facts.collections_by_host:
        local = local_ipv4(_adapters(facts, host))
        sources = [ip for ip, _ in local]
        for rec in _records(facts, host, "net_noc_probe"):
            if rec.kind.lower() == "probe":
                probes.append(_probe_row(host, rec, sources))
        for rec in _records(facts, host, "net_proxy"):
            if rec.kind.lower() == "proxy":
                row = _proxy_row(host, rec)
                if row["credentials_removed"]:
                    facts.warnings.append(
                        f"Les paramètres de proxy de {host} contenaient un nom d'utilisateur et un mot de passe "
                        "dans une adresse : ils ont été ignorés et ne figurent pas dans ce rapport. Supprimer "
                        "l'archive de collecte après analyse.")
                proxies.append(row)
        for rec in _records(facts, host, "net_exchange_path"):
            if rec.kind.lower() == "path":
                paths.append(_path_row(host, rec, local))
    facts.tables["noc_probes"] = frame("noc_probes", probes)
    facts.tables["proxies"] = frame("proxies", proxies)
    stores = _store_counts(facts)
    for row in paths:
        row["mailbox_stores"] = stores.get(str(row.get("server") or "").strip().upper())
    facts.tables["exchange_paths"] = frame("exchange_paths", paths)


def _store_counts(facts: Facts) -> dict[str, int]:
    """Server name (upper case) -> mailbox stores the directory lists on it, for the servers whose
    stores were collected (``store_count`` not None; the directory facts are built before these)."""
    servers = facts.tables.get("exchange_servers")
    if servers is None or "store_count" not in servers.columns:
        return {}
    counts: dict[str, int] = {}
    for name, count in zip(servers["name"], servers["store_count"]):
        if isinstance(name, str) and isinstance(count, int) and not isinstance(count, bool):
            counts[name.strip().upper()] = count
    return counts
