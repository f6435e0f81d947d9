"""ipconfig /all parser: Windows 2000 and 2003, English and French (cp850)."""

from __future__ import annotations

import pytest

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.ipconfig import IpAdapter, IpConfig, parse_ipconfig

CASES = [
    ("ipconfig_en_2003.txt", "ascii", IpConfig("VMES01", "contoso.local", [
        IpAdapter("Local Area Connection", "VMware Accelerated AMD PCNet Adapter", "00-0C-29-3A-5B-7C",
                  False, [("192.168.10.20", "255.255.255.0"), ("192.168.10.21", "255.255.255.0")],
                  ["192.168.10.1"], ["192.168.10.5", "192.168.10.6"], False),
        IpAdapter("Local Area Connection 2", "Intel(R) PRO/1000 MT Network Connection",
                  "00-0C-29-3A-5B-86", None, [], [], [], True),
    ])),
    ("ipconfig_w2k.txt", "ascii", IpConfig("exch2k", "contoso.local", [
        IpAdapter("Local Area Connection", "Compaq NC3163 Fast Ethernet NIC", "00-08-02-AB-CD-EF",
                  True, [("192.168.10.30", "255.255.255.0")], ["192.168.10.1", "192.168.10.254"],
                  ["192.168.10.5", "192.168.10.6", "10.0.0.53"], False),
    ])),
    ("ipconfig_fr_cp850.txt", "cp850", IpConfig("VMES-FR", "exemple.local", [
        IpAdapter("Connexion au réseau local", "Carte AMD PCNET Family Ethernet PCI", "00-50-56-9A-12-34",
                  False, [("192.168.20.15", "255.255.255.0")], ["192.168.20.1"],
                  ["192.168.20.2", "192.168.20.3"], False),
        IpAdapter("Connexion au réseau local 2", "Carte Intel(R) PRO/1000 MT pour serveur",
                  "00-50-56-9A-12-35", None, [], [], [], True),
    ])),
]


@pytest.mark.parametrize("name, encoding, expected", CASES, ids=[c[0] for c in CASES])
def test_capture(capture, name, encoding, expected):
    decoded = capture(name)
    assert decoded.encoding == encoding
    assert parse_ipconfig(decoded.text) == expected
    assert parse_ipconfig(decoded.text.replace("\r\n", "\n")) == expected


VISTA_FR = """
Configuration IP de Windows

   Nom de l'hôte . . . . . . . . . . : POSTE7
   Suffixe DNS principal . . . . . . :

Carte réseau sans fil Connexion réseau sans fil :

   Statut du média. . . . . . . . . . . . : Média déconnecté
   Description. . . . . . . . . . . . . . : Intel(R) WiFi Link 5100

Carte Ethernet Connexion au réseau local :

   Description. . . . . . . . . . . . . . : Intel(R) 82567LM Gigabit Network Connection
   Adresse physique . . . . . . . . . . . : 00-1E-4F-AA-BB-CC
   DHCP activé. . . . . . . . . . . . . . : Oui
   Adresse IPv6 de liaison locale. . . . .: fe80::8c3a:1d2e:3f4b:5a6c%11(préféré)
   Adresse IPv4. . . . . . . . . . . . . .: 10.1.2.34(préféré)
   Masque de sous-réseau. . . . . . . . . : 255.255.254.0
   Passerelle par défaut. . . . . . . . . : fe80::1%11
                                       10.1.2.1
   Serveurs DNS. . .  . . . . . . . . . . : 10.1.0.10
                                       10.1.0.11
"""

VISTA_EN = """
Windows IP Configuration

   Host Name . . . . . . . . . . . . : WKS7
   Primary Dns Suffix  . . . . . . . : contoso.local

Ethernet adapter Local Area Connection:

   IPv4 Address. . . . . . . . . . . : 10.1.2.35(Preferred)
   Subnet Mask . . . . . . . . . . . : 255.255.254.0
   DNS Servers . . . . . . . . . . . : fec0:0:0:ffff::1%1
                                       10.1.0.10
"""


def test_vista_suffixes_and_ipv6_continuations():
    cfg = parse_ipconfig(VISTA_FR)
    assert cfg.hostname == "POSTE7" and cfg.primary_dns_suffix is None
    wifi, lan = cfg.adapters
    assert (wifi.name, wifi.media_disconnected) == ("Connexion réseau sans fil", True)
    assert lan.dhcp_enabled is True
    assert lan.ipv4 == [("10.1.2.34", "255.255.254.0")]
    assert lan.gateways == ["fe80::1%11", "10.1.2.1"]
    assert lan.dns_servers == ["10.1.0.10", "10.1.0.11"]
    en = parse_ipconfig(VISTA_EN).adapters[0]
    assert en.ipv4 == [("10.1.2.35", "255.255.254.0")]
    assert en.dns_servers == ["fec0:0:0:ffff::1%1", "10.1.0.10"]


@pytest.mark.parametrize("text", [
    "", "\r\n\r\n", "'ipconfig' n'est pas reconnu en tant que commande interne\r\n",
    "Windows IP Configuration\r\n\r\n",
    "Windows IP Configuration\r\n\r\nthis is not an adapter line\r\n",
])
def test_garbage_raises_french_parse_error(text):
    with pytest.raises(ParseError) as err:
        parse_ipconfig(text)
    assert "ipconfig" in str(err.value) or "illisible" in str(err.value)
