"""The pseudonymisation harvests names from every artifact format, by field and by form, readable or
not (``workflows/pseudonymise_harvest.py``, ``pseudonymise_readers.py``): one real-format excerpt per
format, and the names it must yield (and the Windows or software names it must not)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vmes_audit.workflows.pseudonymise_harvest import harvest_collections
from vmes_audit.workflows.pseudonymise_names import NameRegistry


def _hex(text: str, encoding: str = "cp1252", end: bytes = b"\0") -> str:
    return ",".join(f"{b:02x}" for b in (text.encode(encoding) + end))


CASES = {
    # artifact: (text, names it must yield, names it must not)
    "net_proxy": ("#VMES-RECORDS 1\r\n[proxy]\r\nSource=ie\r\n"
                  "ProxyServer=http=relais.zone.lan:3128;https=sslgate.filtre.lan:8443\r\n"
                  "ProxyOverride=<local>;*.intranet.lan;10.77.66.55;hoteprive;192.168.9.*\r\n"
                  "AutoConfigURL=http://pacserv.reseau.lan/wpad.dat\r\n",
                  ["relais", "zone.lan", "sslgate", "filtre.lan", "intranet.lan", "10.77.66.55", "hoteprive",
                   "192.168.9.*", "pacserv", "reseau.lan"], ["<local>", "http", "wpad.dat"]),
    "reg_internet_settings": ("Windows Registry Editor Version 5.00\r\n\r\n"
                              "[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n"
                              '"ProxyServer"="cache.agence.lan:8080"\r\n"ProxyOverride"="<local>;srvintra"\r\n',
                              ["cache", "agence.lan", "srvintra"], []),
    "reg_winhttp": ("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\"
                    "CurrentVersion\\Internet Settings\\Connections]\r\n\"WinHttpSettings\"=hex:18,00,00,00,00,00,00,"
                    "00,03,00,00,00,16,00,00,00," + _hex("passerelle.site.lan:80", end=b"") + ",00,00,00,00\r\n",
                    ["passerelle", "site.lan"], []),
    "reg_mapi_profiles": ("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Microsoft\\"
                          "Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles]\r\n"
                          '"DefaultProfile"="Jean-Baptiste Poquelin"\r\n\r\n[HKEY_CURRENT_USER\\Software\\Microsoft\\'
                          "Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles\\Jean-Baptiste Poquelin\\"
                          '13dbb0c8aa05101a9bb000aa002fc45a]\r\n"001e6602"=hex:' + _hex("EXPARIS") + "\r\n"
                          '"001e3001"=hex:' + _hex("Boîte aux lettres - Armande Béjart") + "\r\n"
                          '"001f3001"=hex:' + _hex("Microsoft Exchange Server", "utf-16le", b"\0\0") + "\r\n",
                          ["Jean-Baptiste Poquelin", "EXPARIS", "Armande Béjart"], ["Microsoft Exchange Server"]),
    "systeminfo": ("Nom de l'hôte:                              SRVCOMPTA\r\n"
                   "Propriétaire enregistré:                    Molière Jean\r\n"
                   "Organisation enregistrée:                   Illustre Théâtre\r\n"
                   "Domaine:                                    theatre.lan\r\n"
                   "Serveur d'ouverture de session:             \\\\DCTHEATRE\r\n"
                   "Carte(s) réseau:                            1 carte(s) installée(s).\r\n"
                   "                                            Adresse(s) IP\r\n"
                   "                                            [01]: 10.8.8.8\r\n"
                   "                                            [02]: fe80::20c:29ff:fe4b:1a2c\r\n",
                   ["SRVCOMPTA", "Molière Jean", "Illustre Théâtre", "theatre.lan", "DCTHEATRE", "10.8.8.8",
                    "fe80::20c:29ff:fe4b:1a2c"], []),
    "ipconfig": ("Configuration IP de Windows\r\n\r\n   Nom de l'hôte . . . . . . . . . . : SRVCOMPTA\r\n"
                 "   Suffixe DNS principal . . . . . . : theatre.lan\r\n"
                 "   Liste de recherche du suffixe DNS : theatre.lan\r\n"
                 "                                       tournee_sud.lan\r\n",
                 ["SRVCOMPTA", "theatre.lan", "tournee_sud.lan"], []),
    "whoami_groups": ('"Nom du groupe","Type","SID","Attributs"\r\n'
                      '"THEATRE\\GG-Comediens","Groupe","S-1-5-21-1-2-3-1110","Groupe obligatoire"\r\n'
                      '"BUILTIN\\Administrateurs","Alias","S-1-5-32-544","Groupe obligatoire"\r\n',
                      ["THEATRE", "GG-Comediens", "1-2-3"], ["Administrateurs"]),
    "ems_mailbox": ("\r\nDatabase                      : EXPARIS\\SG Direction Financière\\BAL Comptabilité\r\n"
                    "OrganizationalUnit            : theatre.lan/Comptes « Troupe »\r\n"
                    "EmailAddresses                : {SMTP:gérard.léveillé@theatre.fr}\r\n",
                    ["EXPARIS", "SG Direction Financière", "BAL Comptabilité", "Comptes « Troupe »", "gérard.léveillé",
                     "theatre.fr"], []),
    "ad_service_account": ("#VMES-RECORDS 1\r\n[user]\r\ndistinguishedName=CN=Scapin,OU=Valets « de comédie »,"
                           "DC=tournee_sud,DC=theatre,DC=fr\r\nsAMAccountName=scapin\r\n",
                           ["Scapin", "Valets « de comédie »", "tournee_sud.theatre.fr", "scapin"], []),
    "wmi_service": ("#VMES-RECORDS 1\r\n[Win32_Service]\r\nName=Sauvegarde\r\nDisplayName=Agent de sauvegarde\r\n"
                    "StartName=THEATRE\\svc-sauve\r\nPathName=C:\\Program Files\\Agent\\agent.exe 10.1.2.3\r\n"
                    "[Win32_Service]\r\nName=Alerter\r\nStartName=LocalSystem\r\n",
                    ["svc-sauve"], ["Sauvegarde", "Agent de sauvegarde", "Alerter", "LocalSystem", "10.1.2.3"]),
}


def _collection(artifact: str, text: str) -> SimpleNamespace:
    art = SimpleNamespace(name=artifact, data=text.encode("utf-8"), error="", text=lambda: text)
    return SimpleNamespace(manifest=None, host=None, artifacts={artifact: art})


@pytest.mark.parametrize("artifact", sorted(CASES))
def test_every_format_yields_its_names(artifact: str) -> None:
    text, names, windows = CASES[artifact]
    registry = NameRegistry()
    registry.add("domaine", "THEATRE")  # a NetBIOS domain known from elsewhere: THEATRE\account
    harvest_collections(registry, [_collection(artifact, text)])
    found = {n.original.casefold() for n in registry.names.values()}
    assert {n.casefold() for n in names} <= found, sorted(found)
    assert not {n.casefold() for n in windows} & found, sorted(found)
