"""The per-machine tables (``facts/machine.py``): each builder on the record files, exports and command
outputs the collector writes, the exact rows it makes, and the broken values it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.facts.collection_folder import (DOMAIN_SID, RECORDS, REGEDIT, Step, capture, load, oem, utf16,
                                           write_collection)
from vmes_audit.facts import machine
from vmes_audit.facts.model import frame

HKLM = "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft"
DISKS = RECORDS + """[Win32_LogicalDisk]
DeviceID=C:
FileSystem=NTFS
Size=21467942912
FreeSpace=14032752640

[Win32_LogicalDisk]
DeviceID=d:
FileSystem=NTFS
Size=42935885824
FreeSpace=40133541888
"""


def collection(tmp_path: Path, **artifacts: bytes | Step):
    return load(write_collection(tmp_path, artifacts))


@pytest.mark.parametrize("os_text,changes,expected", [
    # C: is the system drive (Win32_OperatingSystem.SystemDrive); « d: » is upper-cased
    ("SystemDrive=C:", {}, [("C:", 20473, 13382, True, {}), ("D:", 40946, 38274, False, {})]),
    # without wmi_os nobody knows which disk holds the system
    (None, {}, [("C:", 20473, 13382, None, {}), ("D:", 40946, 38274, None, {})]),
    # a negative size, refused as written; free space above the size: both sides contradict each other
    ("SystemDrive=C:", {"Size=21467942912": "Size=-21467942912", "FreeSpace=40133541888": "FreeSpace=52935885824"},
     [("C:", None, 13382, True, {"size_mb": "Size : valeur hors limites : -21467942912 (attendu : un nombre positif)"}),
      ("D:", 40946, None, False, {"free_mb": "espace libre (50483 Mo) supérieur à la taille du disque (40946 Mo) : "
                                             "valeurs contradictoires"})]),
    # a null free space is unknown, not 0
    ("SystemDrive=C:", {"FreeSpace=14032752640": "FreeSpace!"}, [("C:", 20473, None, True, {}),
                                                                ("D:", 40946, 38274, False, {})]),
])
def test_disk_rows(tmp_path, os_text, changes, expected) -> None:
    text = DISKS
    for old, new in changes.items():
        text = text.replace(old, new)
    found = {"wmi_logicaldisk": utf16(text)}
    if os_text:
        found["wmi_os"] = utf16(RECORDS + f"[Win32_OperatingSystem]\nCSName=VMES01\n{os_text}\n")
    rows = machine.disk_rows(collection(tmp_path, **found), "VMES01")
    assert [(r["drive"], r["size_mb"], r["free_mb"], r["is_system"], r.get("rejected", {})) for r in rows] == expected
    assert {(r["host"], r["artifact"], r["filesystem"]) for r in rows} == {("VMES01", "wmi_logicaldisk", "NTFS")}


ADAPTERS = RECORDS + """[Win32_NetworkAdapter]
Index=1
Name=VMware Accelerated AMD PCNet Adapter
Speed=1000000000
MACAddress=00:50:56:8A:3C:11
NetConnectionID=Connexion au réseau local

[Win32_NetworkAdapter]
Index=2
Name=Broadcom NetXtreme Gigabit Ethernet
Speed=9223372036854775807
NetConnectionID=Connexion au réseau local 2
"""
CONFIGS = RECORDS + """[Win32_NetworkAdapterConfiguration]
Index=1
Description=VMware Accelerated AMD PCNet Adapter
IPAddress[]=10.1.20.15
IPSubnet[]=255.255.255.0
DefaultIPGateway[]=10.1.20.254
DNSServerSearchOrder[]=10.1.20.10
DNSServerSearchOrder[]=10.1.20.11

[Win32_NetworkAdapterConfiguration]
Index=7
Description=Carte réseau de bouclage Microsoft
IPAddress[]=192.168.56.1
IPSubnet[]=255.255.255.0
DefaultIPGateway[]!
DNSServerSearchOrder[]!
"""


def test_adapter_rows_join_wmi_adapters_and_their_configuration(tmp_path: Path) -> None:
    rows = machine.adapter_rows(collection(tmp_path, wmi_networkadapter=utf16(ADAPTERS),
                                           wmi_networkadapterconfig=utf16(CONFIGS)), "VMES01")
    assert [(r["artifact"], r["index"], r["connection_id"], r["ip_addresses"], r["gateways"], r["dns_servers"])
            for r in rows] == [
        ("wmi_networkadapter", 1, "Connexion au réseau local", ["10.1.20.15"], ["10.1.20.254"],
         ["10.1.20.10", "10.1.20.11"]),
        ("wmi_networkadapter", 2, "Connexion au réseau local 2", [], [], []),
        # an IP-enabled configuration without its adapter row (the loopback adapter): kept from the configuration
        ("wmi_networkadapterconfig", 7, None, ["192.168.56.1"], [], [])]
    # Speed = 2^63-1 is Windows' "unknown": the table refuses it, never 9 223 372 036 854 Mbit/s
    table = frame("network_adapters", rows)
    assert table["speed_mbps"].tolist() == [1000, None, None]
    assert table["rejected"].tolist()[1] == {"speed_mbps": "valeur hors limites : 9223372036854 (attendu : de 0 à "
                                                           "400\u202f000 Mbit/s)"}


def test_adapter_rows_from_ipconfig_when_wmi_has_none(tmp_path: Path) -> None:
    # French ipconfig /all (cp850); « Statut du média : Média déconnecté » adapters are skipped
    rows = machine.adapter_rows(collection(tmp_path, ipconfig=capture("ipconfig_fr_cp850.txt")), "VMES-FR")
    assert [(r["artifact"], r["connection_id"], r["mac"], r["ip_addresses"], r["ip_subnets"], r["gateways"],
             r["dns_servers"]) for r in rows] == [
        ("ipconfig", "Connexion au réseau local", "00-50-56-9A-12-34", ["192.168.20.15"], ["255.255.255.0"],
         ["192.168.20.1"], ["192.168.20.2", "192.168.20.3"])]


def test_hotfix_rows_from_wmi_systeminfo_and_the_registry(tmp_path: Path) -> None:
    qfe = RECORDS + ("[Win32_QuickFixEngineering]\nHotFixID=File 1\nDescription!\nInstalledOn!\nServicePackInEffect=SP2\n\n"
                     "[Win32_QuickFixEngineering]\nHotFixID=Q323255\nDescription=Update\nInstalledOn=20/06/2006\n")
    updates = REGEDIT + (f"{HKLM}\\Updates\\Exchange Server 2003\\SP3\\KB924334]\n"
                         '"Description"="Correctif pour Exchange Server 2003 (KB924334)"\n"InstalledDate"="14/02/2007"\n\n'
                         f"{HKLM}\\Updates\\Windows Server 2003\\SP2]\n")
    systeminfo = "Nom de l'hôte:   VMES01\nCorrectif(s):   2 Corrections installées.\n" \
                 "                [01]: File 1\n                [02]: KB890046 - Update\n"
    rows = machine.hotfix_rows(collection(tmp_path, wmi_qfe=utf16(qfe), systeminfo=oem(systeminfo),
                                          reg_updates=utf16(updates),
                                          reg_hotfix=Step(data=capture("reg_hotfix_regedit4.reg"), encoding="cp1252")),
                               "VMES01")
    assert [(r["artifact"], r["kb"], r["product"], r["sp_label"], r["description"], r["installed_on"])
            for r in rows] == [
        ("wmi_qfe", "File 1", "Windows", "SP2", None, None),
        ("wmi_qfe", "KB323255", "Windows", None, "Update", "20/06/2006"),
        ("systeminfo", "KB890046", "Windows", None, "KB890046", None),
        ("reg_updates", "KB924334", "Exchange Server 2003", "SP3", "Correctif pour Exchange Server 2003 (KB924334)",
         "14/02/2007"),
        # REGEDIT4 (regedit /a, cp1252): « Mise à jour » decoded
        ("reg_hotfix", "KB890046", "Windows", None, "Mise à jour de sécurité pour Windows Server 2003 (KB890046)",
         None),
        ("reg_hotfix", "KB893756", "Windows", None, None, None)]


def test_service_and_software_rows(tmp_path: Path) -> None:
    services = RECORDS + ("[Win32_Service]\nName=MSExchangeIS\nDisplayName=Banque d'informations Microsoft Exchange\n"
                          "State=Running\nStartMode=Auto\nStartName=LocalSystem\n"
                          "PathName=\"C:\\\\Program Files\\\\Exchsrvr\\\\bin\\\\store.exe\"\n")
    uninstall = REGEDIT + (f"{HKLM}\\Windows\\CurrentVersion\\Uninstall\\VMware Tools]\n"
                           '"DisplayName"="VMware Tools"\n"DisplayVersion"="3.1.2.7519"\n"Publisher"="VMware, Inc."\n\n'
                           f"{HKLM}\\Windows\\CurrentVersion\\Uninstall\\{{2A8A1E0C-0000}}]\n"  # no DisplayName: hidden
                           '"SystemComponent"=dword:00000001\n')
    coll = collection(tmp_path, wmi_service=utf16(services), reg_uninstall=utf16(uninstall),
                      reg_uninstall_wow64=Step("skipped", error="Windows 32 bits"))
    assert machine.service_rows(coll, "VMES01") == [
        {"host": "VMES01", "artifact": "wmi_service", "name": "MSExchangeIS",
         "display_name": "Banque d'informations Microsoft Exchange", "state": "Running", "start_mode": "Auto",
         "start_name": "LocalSystem", "path": '"C:\\Program Files\\Exchsrvr\\bin\\store.exe"'}]
    assert machine.software_rows(coll, "VMES01") == [
        {"host": "VMES01", "artifact": "reg_uninstall", "key": "VMware Tools", "display_name": "VMware Tools",
         "display_version": "3.1.2.7519", "publisher": "VMware, Inc.", "install_location": None}]


def test_registry_rows_from_values_and_exports(tmp_path: Path) -> None:
    control = "Key=HKLM\\\\SYSTEM\\\\CurrentControlSet\\\\Control"
    values = RECORDS + (f"[value]\n{control}\nName=RegistrySizeLimit\nMissing=True\n\n"
                        f"[value]\n{control}\nName=SystemStartOptions\nType=REG_SZ\nData= NOEXECUTE=OPTOUT FASTDETECT\n\n"
                        f"[value]\n{control}\\\\Terminal Server\nName=TSAppCompat\nType=REG_DWORD\nData=-1\n\n"
                        f"[value]\n{control}\\\\Nls\nName=Langs\nType=REG_MULTI_SZ\nData[]=fr-FR\nData[]=en-US\n")
    export = REGEDIT + ("[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server]\n"
                        '"fDenyTSConnections"=dword:00000000\n')
    rows = machine.registry_rows(collection(tmp_path, reg_values=utf16(values), reg_terminal_server=utf16(export)),
                                 "VMES01")
    control_key = "HKLM\\SYSTEM\\CurrentControlSet\\Control"
    assert [(r["artifact"], r["key"], r["name"], r["type"], r["value"], r.get("rejected")) for r in rows] == [
        # RegistrySizeLimit: Missing=True, no row (absent, not 0)
        ("reg_values", control_key, "SystemStartOptions", "REG_SZ", " NOEXECUTE=OPTOUT FASTDETECT", None),
        # a REG_DWORD cannot be negative: refused
        ("reg_values", control_key + "\\Terminal Server", "TSAppCompat", "REG_DWORD", None,
         {"value": "REG_DWORD valeur hors limites : -1 (attendu : de 0 à 4\u202f294\u202f967\u202f295)"}),
        ("reg_values", control_key + "\\Nls", "Langs", "REG_MULTI_SZ", ["fr-FR", "en-US"], None),
        # HKEY_LOCAL_MACHINE shortened as reg_values writes it
        ("reg_terminal_server", control_key + "\\Terminal Server", "fDenyTSConnections", "REG_DWORD", 0, None)]


def test_file_rows(tmp_path: Path) -> None:
    files = RECORDS + ("[file]\nPath=C:\\\\WINDOWS\\\\system32\\\\mapi32.dll\nExists=True\nVersion=1.0.2536.0\nSize=123392\n\n"
                       "[file]\nPath=C:\\\\Program Files\\\\ExchangeMAPI\\\\emsmdb32.dll\nExists=False\nVersion!\nSize!\n\n"
                       "[file]\nPath=C:\\\\Program Files\\\\Exchsrvr\\\\bin\\\\cdo.dll\nExists=True\nVersion=\nSize=-5\n")
    rows = machine.file_rows(collection(tmp_path, file_versions=utf16(files)), "VMES01")
    assert [(r["path"], r["exists"], r["version"], r["size"], r.get("rejected")) for r in rows] == [
        ("C:\\WINDOWS\\system32\\mapi32.dll", True, "1.0.2536.0", 123392, None),
        ("C:\\Program Files\\ExchangeMAPI\\emsmdb32.dll", False, None, None, None),
        ("C:\\Program Files\\Exchsrvr\\bin\\cdo.dll", True, None, None,
         {"size": "Size : valeur hors limites : -5 (attendu : un nombre positif)"})]


ADMINS_HEAD = RECORDS + "[group]\nName=Administrateurs\nSid=S-1-5-32-544\n\n"


def _member(name: str, sid: str) -> str:
    return f"[member]\nName={name}\nDomain=CORP\nSid={sid}\nClass=Group\nAdsPath=WinNT://CORP/{name}\n\n"


@pytest.mark.parametrize("sid,expected", [
    # format 1.1: the hex of the member's objectSid; 1.0: its S-1-… text; empty when ADSI could not read it
    ("0105000000000005150000002fd5ec6d8177d974235f636b00020000", f"{DOMAIN_SID}-512"),
    (f"{DOMAIN_SID}-512", f"{DOMAIN_SID}-512"),
    ("", None),
])
def test_local_admin_sids_in_both_formats(tmp_path, sid, expected) -> None:
    coll = collection(tmp_path, local_admins=utf16(ADMINS_HEAD + _member("Domain Admins", sid)))
    assert machine.local_admin_rows(coll, "VMES01") == [
        {"host": "VMES01", "artifact": "local_admins", "name": "Domain Admins", "domain": "CORP", "sid": expected,
         "member_class": "Group"}]


def test_a_member_nobody_can_identify_makes_the_list_unreadable(tmp_path: Path) -> None:
    text = ADMINS_HEAD + _member("Domain Admins", f"{DOMAIN_SID}-512") + _member("GG-VMES-Admins", "CORP\\\\GG-VMES-Admins")
    coll = collection(tmp_path, local_admins=utf16(text))
    assert machine.local_admin_rows(coll, "VMES01") == []
    assert coll.artifacts["local_admins"].status == "unreadable"
    assert "SID) illisible « CORP\\GG-VMES-Admins »" in coll.artifacts["local_admins"].error


def test_token_group_rows_whoami_first_then_the_directory_token(tmp_path: Path) -> None:
    whoami = ('"Nom du groupe","Type","SID","Attributs"\n'
              '"BUILTIN\\Administrateurs","Alias","S-1-5-32-544","Groupe obligatoire, Activé par défaut, Groupe activé"\n'
              f'"CORP\\Domain Users","Groupe","{DOMAIN_SID}-513","Groupe obligatoire, Activé par défaut, Groupe activé"\n')
    # tokenGroups (hex, 1.1): Domain Users again, and GG-VMES-Admins (RID 1103) whoami did not list
    token = RECORDS + ("[group]\nSid=0105000000000005150000002fd5ec6d8177d974235f636b01020000\nName=CORP\\\\Domain Users\n\n"
                       "[group]\nSid=0105000000000005150000002fd5ec6d8177d974235f636b4f040000\nName=CORP\\\\GG-VMES-Admins\n")
    rows = machine.token_group_rows(collection(tmp_path, whoami_groups=oem(whoami), token_groups=utf16(token)), "VMES01")
    attributes = ["Groupe obligatoire", "Activé par défaut", "Groupe activé"]
    assert [(r["artifact"], r["sid"], r["name"], r["attributes"]) for r in rows] == [
        ("whoami_groups", "S-1-5-32-544", "BUILTIN\\Administrateurs", attributes),
        ("whoami_groups", f"{DOMAIN_SID}-513", "CORP\\Domain Users", attributes),
        ("token_groups", f"{DOMAIN_SID}-1103", "CORP\\GG-VMES-Admins", None)]
