"""The artifact catalogue: every artifact name the collector writes, declared once.

The name is the file's base name in the zip, the manifest key, the parser's
registration and what a rule lists in ``requires:``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ArtifactSpec", "ARTIFACTS", "infer_loose_artifact"]


@dataclass(frozen=True)
class ArtifactSpec:
    name: str
    kind: str  # systeminfo | records | reg | whoami_user | whoami_groups | ipconfig | formatlist
    label_fr: str  # what the report calls it


_SPECS = [
    ArtifactSpec("systeminfo", "systeminfo", "sortie de systeminfo"),
    ArtifactSpec("wmi_os", "records", "WMI Win32_OperatingSystem"),
    ArtifactSpec("wmi_computersystem", "records", "WMI Win32_ComputerSystem"),
    ArtifactSpec("wmi_processor", "records", "WMI Win32_Processor"),
    ArtifactSpec("wmi_logicaldisk", "records", "WMI Win32_LogicalDisk"),
    ArtifactSpec("wmi_networkadapter", "records", "WMI Win32_NetworkAdapter"),
    ArtifactSpec("wmi_networkadapterconfig", "records", "WMI Win32_NetworkAdapterConfiguration"),
    ArtifactSpec("wmi_registry", "records", "WMI Win32_Registry"),
    ArtifactSpec("wmi_service", "records", "WMI Win32_Service"),
    ArtifactSpec("wmi_terminalservice", "records", "WMI Win32_TerminalServiceSetting"),
    ArtifactSpec("wmi_qfe", "records", "WMI Win32_QuickFixEngineering"),
    ArtifactSpec("reg_values", "records", "valeurs de registre (StdRegProv)"),
    ArtifactSpec("reg_exchange_setup", "reg", "registre Exchange\\Setup"),
    ArtifactSpec("reg_updates", "reg", "registre Updates"),
    ArtifactSpec("reg_uninstall", "reg", "registre Uninstall"),
    ArtifactSpec("reg_uninstall_wow64", "reg", "registre Uninstall (32 bits)"),
    ArtifactSpec("reg_hotfix", "reg", "registre Windows NT\\Hotfix"),
    ArtifactSpec("reg_terminal_server", "reg", "registre Terminal Server"),
    ArtifactSpec("reg_internet_settings", "reg", "registre Internet Settings (HKCU)"),
    ArtifactSpec("reg_winhttp", "reg", "registre WinHTTP"),
    ArtifactSpec("reg_mapi_profiles", "reg", "profils MAPI (HKCU)"),
    ArtifactSpec("file_versions", "records", "versions de fichiers"),
    ArtifactSpec("whoami_user", "whoami_user", "whoami /user"),
    ArtifactSpec("whoami_groups", "whoami_groups", "whoami /groups"),
    ArtifactSpec("token_groups", "records", "groupes du jeton (ADSI)"),
    ArtifactSpec("local_admins", "records", "membres du groupe Administrateurs local"),
    ArtifactSpec("ipconfig", "ipconfig", "ipconfig /all"),
    ArtifactSpec("wmi_accounts", "records", "comptes et groupes locaux bien connus (WMI)"),
    ArtifactSpec("exchange_version", "records", "version Exchange (ADSI)"),
    ArtifactSpec("ad_rootdse", "records", "AD : RootDSE"),
    ArtifactSpec("ad_domain", "records", "AD : domaine"),
    ArtifactSpec("ad_partitions", "records", "AD : partitions"),
    ArtifactSpec("ad_domain_controllers", "records", "AD : contrôleurs de domaine"),
    ArtifactSpec("ad_service_account", "records", "AD : compte de service"),
    ArtifactSpec("ad_service_account_groups", "records", "AD : groupes du compte de service"),
    ArtifactSpec("ad_exchange_org", "records", "AD : organisation Exchange"),
    ArtifactSpec("ad_exchange_servers", "records", "AD : serveurs Exchange"),
    ArtifactSpec("ad_acl", "records", "AD : listes de contrôle d'accès"),
    ArtifactSpec("ad_admincount_users", "records", "AD : utilisateurs protégés (adminCount=1)"),
    ArtifactSpec("ad_mail_containers", "records", "AD : conteneurs des utilisateurs de messagerie"),
    ArtifactSpec("ad_exchange_stores", "records", "AD : banques et groupes de stockage Exchange"),
    ArtifactSpec("ad_mail_users_protected", "records", "AD : utilisateurs de messagerie à héritage désactivé"),
    ArtifactSpec("net_noc_probe", "records", "test de connexion au NOC"),
    ArtifactSpec("net_proxy", "records", "paramètres de proxy"),
    ArtifactSpec("net_exchange_path", "records", "chemin réseau vers Exchange"),
    ArtifactSpec("ems_exchangeserver", "formatlist", "EMS Get-ExchangeServer"),
    ArtifactSpec("ems_exchangeadministrator", "formatlist", "EMS Get-ExchangeAdministrator"),
    ArtifactSpec("ems_adpermission", "formatlist", "EMS Get-ADPermission"),
    ArtifactSpec("ems_mailbox", "formatlist", "EMS Get-Mailbox"),
]

ARTIFACTS: dict[str, ArtifactSpec] = {spec.name: spec for spec in _SPECS}

# Loose files a customer may send by hand: file name pattern -> artifact.
_LOOSE_NAMES = [
    (re.compile(r"^systeminfo.*\.(txt|csv|log)$", re.I), "systeminfo"),
    (re.compile(r"^ipconfig.*\.(txt|log)$", re.I), "ipconfig"),
    (re.compile(r"^whoami.*group.*\.(txt|csv)$", re.I), "whoami_groups"),
    (re.compile(r"^whoami.*user.*\.(txt|csv)$", re.I), "whoami_user"),
]
# .reg files named anything: the first key tells which export it is.
_REG_ROOTS = [
    ("hkey_local_machine\\software\\microsoft\\exchange\\setup", "reg_exchange_setup"),
    ("hkey_local_machine\\software\\microsoft\\updates", "reg_updates"),
    ("hkey_local_machine\\software\\wow6432node\\microsoft\\windows\\currentversion\\uninstall", "reg_uninstall_wow64"),
    ("hkey_local_machine\\software\\microsoft\\windows\\currentversion\\uninstall", "reg_uninstall"),
    ("hkey_local_machine\\software\\microsoft\\windows nt\\currentversion\\hotfix", "reg_hotfix"),
    ("hkey_local_machine\\system\\currentcontrolset\\control\\terminal server", "reg_terminal_server"),
    ("hkey_current_user\\software\\microsoft\\windows\\currentversion\\internet settings", "reg_internet_settings"),
    ("hkey_local_machine\\software\\microsoft\\windows\\currentversion\\internet settings\\connections", "reg_winhttp"),
    ("hkey_current_user\\software\\microsoft\\windows nt\\currentversion\\windows messaging subsystem\\profiles", "reg_mapi_profiles"),
]


def infer_loose_artifact(file_name: str, head_text: str) -> str | None:
    """Guess the artifact of a loose file from its name, or a .reg file's first key.

    >>> infer_loose_artifact("SystemInfo-VMES01.txt", "")
    'systeminfo'
    >>> infer_loose_artifact("export.reg", "Windows Registry Editor Version 5.00\\r\\n\\r\\n[HKEY_LOCAL_MACHINE\\\\SOFTWARE\\\\Microsoft\\\\Exchange\\\\Setup]")
    'reg_exchange_setup'
    >>> infer_loose_artifact("wmi_os.txt", "") , infer_loose_artifact("notes.docx", "")
    ('wmi_os', None)
    """
    base = file_name.rsplit(".", 1)[0].lower()
    if base in ARTIFACTS:
        return base
    for pattern, name in _LOOSE_NAMES:
        if pattern.match(file_name):
            return name
    if file_name.lower().endswith(".reg"):
        match = re.search(r"^\[([^\]\r\n]+)\]", head_text, re.M)
        if match:
            key = match.group(1).lower()
            for root, name in _REG_ROOTS:
                if key.startswith(root):
                    return name
    return None
