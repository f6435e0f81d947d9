"""``host_row``: one reader per artifact, one combiner (provenance, fallbacks, rejected, source_conflicts).

The machine is the samples' VMES01 (Windows Server 2003 SP1, French, VMware, member of corp.exemple.fr),
collected as ``collect.vbs`` writes it; each case changes one artifact.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.facts.collection_folder import RECORDS, REGEDIT, SA_SID, Step, capture, load, oem, utf16, write_collection
from vmes_audit.facts.host import host_row

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "src" / "vmes01-2003-conforme"
NT = "HKLM\\\\SOFTWARE\\\\Microsoft\\\\Windows NT\\\\CurrentVersion"

WMI_OS = RECORDS + """[Win32_OperatingSystem]
Caption=Microsoft(R) Windows(R) Server 2003, Standard Edition
Version=5.2.3790
BuildNumber=3790
CSDVersion=Service Pack 1
ServicePackMajorVersion=1
ProductType=3
OtherTypeDescription!
EncryptionLevel=1
Locale=040c
SystemDrive=C:
CSName=VMES01
"""
WMI_CS = RECORDS + """[Win32_ComputerSystem]
Name=VMES01
Domain=corp.exemple.fr
DomainRole=3
PartOfDomain=True
Manufacturer=VMware, Inc.
Model=VMware Virtual Platform
TotalPhysicalMemory=2146938880
SystemType=X86-based PC
"""
# Windows 2003 before KB932370: one Win32_Processor per logical processor, NumberOfLogicalProcessors null
WMI_CPU = RECORDS + ("[Win32_Processor]\nName=Intel(R) Xeon(TM) CPU 3.00GHz\nMaxClockSpeed=2992\n"
                     "NumberOfLogicalProcessors!\n\n") * 2
WMI_REGISTRY = RECORDS + "[Win32_Registry]\nCurrentSize=21\nMaximumSize=88\n"
WMI_TS = RECORDS + "[Win32_TerminalServiceSetting]\nTerminalServerMode=0\n"
REG_VALUES = RECORDS + f"""[value]\nKey={NT}\nName=ProductName\nType=REG_SZ\nData=Microsoft Windows Server 2003

[value]\nKey={NT}\nName=CurrentVersion\nType=REG_SZ\nData=5.2

[value]\nKey={NT}\nName=CurrentBuildNumber\nType=REG_SZ\nData=3790

[value]\nKey={NT}\nName=CSDVersion\nType=REG_SZ\nData=Service Pack 1

[value]\nKey=HKLM\\\\SOFTWARE\\\\Microsoft\\\\Internet Explorer\nName=Version\nType=REG_SZ\nData=6.0.3790.1830

[value]\nKey=HKLM\\\\SYSTEM\\\\CurrentControlSet\\\\Control\nName=RegistrySizeLimit\nMissing=True

[value]\nKey=HKLM\\\\SYSTEM\\\\CurrentControlSet\\\\Control\\\\Terminal Server\nName=TSAppCompat\nType=REG_DWORD\nData=0
"""
# whoami /user /fo csv on French Windows 2003 (cp850): the name in lower case
WHOAMI = f'"Nom d\'utilisateur","SID"\n"corp\\vistoadmin","{SA_SID}"\n'
EXCHANGE_SETUP = REGEDIT + ('[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Exchange\\Setup]\n'
                            '"Services"="C:\\\\Program Files\\\\Exchsrvr"\n"ServicePackBuild"=dword:00001dd6\n')
ZONEMAP = "[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ZoneMap]\n"
# French systeminfo in cp850: « Mémoire physique totale: 2 047 Mo »
SYSTEMINFO_FR = oem((SAMPLE / "systeminfo.txt").read_text(encoding="utf-8"))


def artifacts(**changes: bytes | Step | None) -> dict[str, bytes | Step]:
    """VMES01's machine artifacts; a change replaces one (None leaves it out of the manifest)."""
    found: dict[str, bytes | Step] = {
        "systeminfo": SYSTEMINFO_FR, "wmi_os": utf16(WMI_OS), "wmi_computersystem": utf16(WMI_CS),
        "wmi_processor": utf16(WMI_CPU), "wmi_registry": utf16(WMI_REGISTRY), "wmi_terminalservice": utf16(WMI_TS),
        "reg_values": utf16(REG_VALUES), "whoami_user": oem(WHOAMI), "reg_exchange_setup": utf16(EXCHANGE_SETUP),
        "reg_internet_settings": utf16(REGEDIT + ZONEMAP + '"IEHarden"=dword:00000001\n')}
    found.update(changes)
    return {name: data for name, data in found.items() if data is not None}


def row_of(tmp_path: Path, **changes: bytes | Step | None) -> dict:
    return host_row(load(write_collection(tmp_path, artifacts(**changes))), "vmes")


def test_every_source_read_gives_the_whole_row(tmp_path: Path) -> None:
    row = row_of(tmp_path)
    wmi = {c: "wmi_os" for c in ("os_caption", "os_version", "os_build", "service_pack", "product_type",
                                 "encryption_level", "system_locale")}
    wmi.update({c: "wmi_computersystem" for c in ("hostname", "architecture", "domain_role", "domain", "part_of_domain",
                                                  "manufacturer", "model", "total_memory_mb", "is_virtual",
                                                  "virtual_platform")})
    wmi.update({c: "wmi_processor" for c in ("processor_name", "processor_mhz", "processor_count", "logical_processors")})
    wmi.update({"ie_version": "reg_values", "ts_app_compat": "reg_values", "registry_current_mb": "wmi_registry",
                "registry_max_mb": "wmi_registry", "ts_mode": "wmi_terminalservice", "run_as": "whoami_user",
                "run_as_sid": "whoami_user", "esm_installed": "reg_exchange_setup", "esm_build": "reg_exchange_setup",
                "run_as_ie_harden": "reg_internet_settings"})
    assert row == {
        "hostname": "VMES01", "os_caption": "Microsoft(R) Windows(R) Server 2003, Standard Edition",
        "os_version": "5.2.3790", "os_build": 3790, "service_pack": 1, "product_type": 3, "encryption_level": 1,
        "system_locale": "fr-FR", "architecture": "x86", "domain_role": "member_server", "domain": "corp.exemple.fr",
        "part_of_domain": True, "manufacturer": "VMware, Inc.", "model": "VMware Virtual Platform",
        "total_memory_mb": 2047, "processor_name": "Intel(R) Xeon(TM) CPU 3.00GHz", "processor_mhz": 2992,
        "processor_count": 2, "logical_processors": 2, "ie_version": "6.0.3790.1830", "registry_current_mb": 21,
        "registry_max_mb": 88, "ts_mode": 0, "ts_app_compat": 0,
        # whoami's token confirms the manifest's account (same SID): the manifest's spelling is shown
        "run_as": "CORP\\VistoAdmin", "run_as_sid": SA_SID, "run_as_account": "VistoAdmin",
        "esm_installed": True, "esm_build": 7638, "run_as_ie_harden": 1, "is_virtual": True,
        "virtual_platform": "VMware", "role": "vmes", "collector_mode": "vmes", "provenance": wmi, "rejected": {},
        "fallbacks": {}, "source_conflicts": []}


BROKEN_OS = utf16("[Win32_OperatingSystem]\nCaption=Microsoft Windows\n")  # no "#VMES-RECORDS 1" header
OS_FROM_REGISTRY = {"os_caption": "Microsoft Windows Server 2003", "os_version": "5.2.3790", "service_pack": 1}


@pytest.mark.parametrize("changes,expected,source,why", [
    # the stronger sources absent from the manifest: French systeminfo (cp850) decides
    ({"wmi_os": None, "reg_values": None},
     {"os_caption": "Microsoft(R) Windows(R) Server 2003, Standard Edition", "os_version": "5.2.3790",
      "service_pack": 1, "system_locale": "fr"},
     "systeminfo", "« wmi_os » absent de la collecte ; « reg_values » absent de la collecte"),
    # WMI failed at collection: the registry decides, before systeminfo
    ({"wmi_os": Step("error", error="0x80041010 Classe non valide")}, OS_FROM_REGISTRY,
     "reg_values", "« wmi_os » en erreur (0x80041010 Classe non valide)"),
    # an English systeminfo (ASCII, « Total Physical Memory: 2,047 MB ») after an unreadable wmi_os
    ({"wmi_os": BROKEN_OS, "reg_values": None, "systeminfo": capture("systeminfo_en_2003sp1.txt")},
     {"os_version": "5.2.3790", "service_pack": 1, "system_locale": "en-us", "domain": "corp.exemple.fr"},
     "systeminfo", "« wmi_os » illisible (contenu illisible : "),
])
def test_a_broken_stronger_source_lets_the_weaker_one_decide_and_says_so(tmp_path, changes, expected, source,
                                                                         why) -> None:
    row = row_of(tmp_path, **changes)
    assert {column: row[column] for column in expected} == expected
    assert row["provenance"]["os_version"] == source and row["rejected"] == {}
    assert row["fallbacks"]["os_version"].startswith(f"valeur lue dans « {source} », source moins sûre, car {why}")


def test_a_step_skipped_on_windows_2000_is_no_broken_source(tmp_path: Path) -> None:
    row = row_of(tmp_path, whoami_user=Step("skipped", error="absent de Windows 2000"),
                 systeminfo=Step("skipped", error="absent de Windows 2000"))
    assert (row["run_as"], row["run_as_sid"], row["provenance"]["run_as"]) == ("CORP\\VistoAdmin", SA_SID, "manifest")
    assert row["fallbacks"] == {}


def _set(text: str, line: str) -> bytes:
    """``text`` with the property of ``line`` (``Name=value``) replaced."""
    name = line.split("=", 1)[0].rstrip("!")
    lines = [line if old.split("=", 1)[0].rstrip("!") == name else old for old in text.splitlines()]
    return utf16("\n".join(lines) + "\n")


@pytest.mark.parametrize("artifact,data,column,reason", [
    ("wmi_os", _set(WMI_OS, "ServicePackMajorVersion=-1"), "service_pack",
     "valeur hors limites : -1 (attendu : de 0 à 9)"),
    ("wmi_os", _set(WMI_OS, "ServicePackMajorVersion=" + "9" * 21), "service_pack", "valeur hors limites : "),
    ("wmi_os", _set(WMI_OS, "BuildNumber=99999"), "os_build", "valeur hors limites : 99999 (attendu : de 0 à 65\u202f535)"),
    ("wmi_os", _set(WMI_OS, "Version=5.2.99999"), "os_version",
     "version hors limites « 5.2.99999 » (chaque nombre entre 0 et 65 535)"),
    ("wmi_computersystem", _set(WMI_CS, "TotalPhysicalMemory=-2146938880"), "total_memory_mb",
     "valeur hors limites : -2146938880 (attendu : un nombre positif)"),
    ("wmi_processor", utf16(WMI_CPU.replace("MaxClockSpeed=2992", "MaxClockSpeed=29920")), "processor_mhz",
     "valeur hors limites : 29920 (attendu : de 1 à 10\u202f000 MHz)"),
    ("wmi_registry", _set(WMI_REGISTRY, "CurrentSize=8192"), "registry_current_mb",
     "valeur hors limites : 8192 (attendu : de 0 à 4\u202f096 Mo)"),
    # EncryptionLevel is a code (0 = 40-bit, 1 = 128-bit, 2 = n-bit), never a number of bits
    ("wmi_os", _set(WMI_OS, "EncryptionLevel=128"), "encryption_level", "valeur hors limites : 128 (attendu : de 0 à 2)"),
    ("wmi_terminalservice", _set(WMI_TS, "TerminalServerMode=2"), "ts_mode",
     "valeur hors limites : 2 (attendu : de 0 à 1)"),
    # a REG_DWORD is 32 bits: 4294967296 cannot have been read from the registry
    ("reg_values", utf16(REG_VALUES.replace("TSAppCompat\nType=REG_DWORD\nData=0", "TSAppCompat\nType=REG_DWORD\n"
                                            "Data=4294967296")), "ts_app_compat", "REG_DWORD valeur hors limites"),
])
def test_a_value_out_of_bounds_is_refused_and_no_weaker_source_replaces_it(tmp_path, artifact, data, column,
                                                                            reason) -> None:
    # systeminfo and the registry would give each of these columns: they are not consulted
    row = row_of(tmp_path, **{artifact: data})
    assert row.get(column) is None and column not in row["provenance"]
    assert row["rejected"][column].startswith(reason) and row["rejected"][column].endswith(f" dans {artifact}")


@pytest.mark.parametrize("changes,column,values,kept", [
    # WMI names another machine than the manifest: a contradiction, WMI's name is kept
    ({"wmi_computersystem": _set(WMI_CS, "Name=APPLI02")}, "hostname",
     {"wmi_computersystem": "APPLI02", "wmi_os": "VMES01", "systeminfo": "VMES01", "manifest": "VMES01"}, "APPLI02"),
    # the token is the built-in Administrator's, the manifest claims the service account
    ({"whoami_user": oem('"Nom d\'utilisateur","SID"\n"vmes01\\administrateur","S-1-5-21-3623811015-3361044348-'
                         '30300820-500"\n')}, "run_as_sid",
     {"whoami_user": "S-1-5-21-3623811015-3361044348-30300820-500", "manifest": SA_SID},
     "S-1-5-21-3623811015-3361044348-30300820-500"),
])
def test_identity_sources_that_disagree_are_listed(tmp_path, changes, column, values, kept) -> None:
    row = row_of(tmp_path, **changes)
    assert row["source_conflicts"] == [{"column": column, "values": values}] and row[column] == kept


def test_spellings_of_one_identity_are_no_conflict(tmp_path: Path) -> None:
    # "vmes01.corp.exemple.fr" is VMES01; a SID in lower case is the same SID
    coll = load(write_collection(tmp_path, artifacts(wmi_os=_set(WMI_OS, "CSName=vmes01.corp.exemple.fr")),
                                 run_as_sid=SA_SID.lower()))
    assert host_row(coll, "vmes")["source_conflicts"] == []


@pytest.mark.parametrize("changes,expected", [
    # an empty and a null caption say nothing: the registry's caption is read, WMI is not broken
    ({"wmi_os": _set(WMI_OS, "Caption=")}, {"os_caption": "Microsoft Windows Server 2003"}),
    ({"wmi_os": _set(WMI_OS, "Caption!")}, {"os_caption": "Microsoft Windows Server 2003"}),
    # no maker nor model anywhere: virtual or not is unknown, never "physical"
    ({"wmi_computersystem": utf16(WMI_CS.replace("Manufacturer=VMware, Inc.", "Manufacturer!")
                                  .replace("Model=VMware Virtual Platform", "Model!")), "systeminfo": None},
     {"is_virtual": None, "virtual_platform": None}),
    ({"wmi_computersystem": utf16(WMI_CS.replace("VMware, Inc.", "Dell Inc.").replace("VMware Virtual Platform",
                                                                                      "PowerEdge 2950"))},
     {"is_virtual": False, "virtual_platform": None}),
    # regedit exported only its header: the key is absent (no Exchange tools, no IEHarden)
    ({"reg_exchange_setup": utf16(REGEDIT), "reg_internet_settings": utf16(REGEDIT)},
     {"esm_installed": False, "esm_build": None, "run_as_ie_harden": 0}),
    ({"reg_exchange_setup": None, "reg_internet_settings": None},
     {"esm_installed": None, "esm_build": None, "run_as_ie_harden": None}),
])
def test_empty_null_and_absent_values(tmp_path, changes, expected) -> None:
    row = row_of(tmp_path, **changes)
    assert {column: row.get(column) for column in expected} == expected
    assert row["fallbacks"] == {}


W2K_SP4 = WMI_OS.replace("Version=5.2.3790", "Version=5.0.2195").replace("BuildNumber=3790", "BuildNumber=2195") \
    .replace("Service Pack 1", "Service Pack 4").replace("ServicePackMajorVersion=1", "ServicePackMajorVersion=4")


@pytest.mark.parametrize("line,service_pack", [
    ("ServicePackMajorVersion=4", 4),
    # CSDVersion says Service Pack 4: an unreadable or null major version is unknown, never SP 0
    ("ServicePackMajorVersion=\u00b2", None),
    ("ServicePackMajorVersion!", None),
])
def test_windows_2000_service_pack_from_wmi_alone(tmp_path, line, service_pack) -> None:
    # Windows 2000: no systeminfo (skipped), the registry values unreadable (header missing)
    row = row_of(tmp_path, wmi_os=_set(W2K_SP4, line), systeminfo=Step("skipped", error="absent de Windows 2000"),
                 reg_values=utf16("[value]\nKey=x\n"))
    assert row.get("service_pack") == service_pack and row["os_version"] == "5.0.2195"


def test_no_service_pack_in_systeminfo_is_service_pack_0(tmp_path: Path) -> None:
    # Windows Server 2003 RTM: « Version du système: 5.2.3790 version 3790 », no Service Pack
    text = (SAMPLE / "systeminfo.txt").read_text(encoding="utf-8").replace("5.2.3790 Service Pack 1 version",
                                                                           "5.2.3790 version")
    row = row_of(tmp_path, wmi_os=None, reg_values=None, systeminfo=oem(text))
    assert (row["service_pack"], row["provenance"]["service_pack"]) == (0, "systeminfo")
