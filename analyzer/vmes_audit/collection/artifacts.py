"""The artifact catalogue: every artifact name the collector writes, declared once.

The name is the file's base name in the zip, the manifest key, the parser's
registration and what a rule lists in ``requires:``. Each declaration also
says what a sound collection holds (docs/collection-format.md §4):

- ``modes``: the collection modes whose collector writes it (``vmes``,
  ``exchange``, ``ems``); an ``ok`` artifact under another mode contradicts the
  manifest's mode;
- ``expected``: every collector of those modes since format 1.0 declares it,
  so its absence from a manifest is a gap (check H2), not "nothing found";
- ``skippable``: ``skipped`` is a normal status for it (``whoami`` on Windows
  2000); for any other artifact ``skipped`` is a gap too;
- ``empty_ok``: zero records (zero objects) can be true (no hotfix, no
  permission); when False, an empty file is an interrupted or emptied step
  and the artifact is *unreadable*: "no Domain Users" or "no service" is never
  evidence;
- ``required_kinds``: record kinds that must be present (the ``summary`` an
  interrupted AD search never writes, the ``group`` record of ``local_admins``);
- ``unique_kinds``: record kinds that can appear only once (one
  ``Win32_OperatingSystem``): a second one is a contradiction, never "the first
  one wins".

:func:`vmes_audit.facts.parsed.parsed` enforces the last three, in one place.
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
    modes: tuple[str, ...] = ("vmes",)
    expected: bool = False
    skippable: bool = False
    empty_ok: bool = True
    required_kinds: tuple[str, ...] = ()
    unique_kinds: tuple[str, ...] = ()


_VE = ("vmes", "exchange")


def _spec(name: str, kind: str, label: str, modes: tuple[str, ...] = ("vmes",), *, expected: bool = False,
          skippable: bool = False, empty_ok: bool = True, required: str = "", unique: str = "") -> ArtifactSpec:
    return ArtifactSpec(name, kind, label, modes, expected, skippable, empty_ok, tuple(required.split()),
                        tuple(unique.split()))


_SPECS = [
    # Windows 2000 has no systeminfo.exe, whoami.exe, Win32_TerminalServiceSetting (§2): "skipped" there.
    _spec("systeminfo", "systeminfo", "sortie de systeminfo", _VE, expected=True, skippable=True),
    _spec("wmi_os", "records", "WMI Win32_OperatingSystem", _VE, expected=True, empty_ok=False,
          required="Win32_OperatingSystem", unique="Win32_OperatingSystem"),
    _spec("wmi_computersystem", "records", "WMI Win32_ComputerSystem", _VE, expected=True, empty_ok=False,
          required="Win32_ComputerSystem", unique="Win32_ComputerSystem"),
    _spec("wmi_processor", "records", "WMI Win32_Processor", expected=True, empty_ok=False,
          required="Win32_Processor"),
    _spec("wmi_logicaldisk", "records", "WMI Win32_LogicalDisk", expected=True, empty_ok=False,
          required="Win32_LogicalDisk"),  # the system drive is a fixed disk
    _spec("wmi_networkadapter", "records", "WMI Win32_NetworkAdapter", expected=True, empty_ok=False,
          required="Win32_NetworkAdapter"),  # the collector reached the domain: one adapter is connected
    _spec("wmi_networkadapterconfig", "records", "WMI Win32_NetworkAdapterConfiguration", expected=True,
          empty_ok=False, required="Win32_NetworkAdapterConfiguration"),
    _spec("wmi_registry", "records", "WMI Win32_Registry", expected=True, empty_ok=False,
          required="Win32_Registry", unique="Win32_Registry"),
    _spec("wmi_service", "records", "WMI Win32_Service", _VE, expected=True, empty_ok=False,
          required="Win32_Service"),  # a running Windows has dozens of services
    _spec("wmi_terminalservice", "records", "WMI Win32_TerminalServiceSetting", expected=True, skippable=True,
          empty_ok=False, required="Win32_TerminalServiceSetting", unique="Win32_TerminalServiceSetting"),
    _spec("wmi_qfe", "records", "WMI Win32_QuickFixEngineering", _VE, expected=True),  # a fresh install has none
    _spec("reg_values", "records", "valeurs de registre (StdRegProv)", _VE, expected=True, empty_ok=False,
          required="value"),  # one record per value read, Missing=True when absent
    # .reg exports: a header alone is "key absent", which is evidence (§4)
    _spec("reg_exchange_setup", "reg", "registre Exchange\\Setup", _VE, expected=True),
    _spec("reg_updates", "reg", "registre Updates", _VE),
    _spec("reg_uninstall", "reg", "registre Uninstall", _VE, expected=True),
    _spec("reg_uninstall_wow64", "reg", "registre Uninstall (32 bits)", skippable=True),  # 32-bit Windows
    _spec("reg_hotfix", "reg", "registre Windows NT\\Hotfix"),
    _spec("reg_terminal_server", "reg", "registre Terminal Server", expected=True),
    _spec("reg_internet_settings", "reg", "registre Internet Settings (HKCU)"),
    _spec("reg_winhttp", "reg", "registre WinHTTP"),
    _spec("reg_mapi_profiles", "reg", "profils MAPI (HKCU)"),
    _spec("file_versions", "records", "versions de fichiers", _VE, empty_ok=False,
          required="file"),  # one record per path, Exists=False when absent
    _spec("whoami_user", "whoami_user", "whoami /user", expected=True, skippable=True),
    _spec("whoami_groups", "whoami_groups", "whoami /groups", expected=True, skippable=True),
    # a real account's token always holds Domain Users (or Users) and Everyone
    _spec("token_groups", "records", "groupes du jeton (ADSI)", empty_ok=False, required="group"),
    # the local Administrators group always holds the built-in Administrator
    _spec("local_admins", "records", "membres du groupe Administrateurs local", expected=True, empty_ok=False,
          required="group member", unique="group"),
    _spec("ipconfig", "ipconfig", "ipconfig /all", expected=True),
    _spec("wmi_accounts", "records", "comptes et groupes locaux bien connus (WMI)", empty_ok=False),
    _spec("exchange_version", "records", "version Exchange (ADSI)", ("exchange",), expected=True),
    # Active Directory (§5): plausibility of their content is declared with the directory facts
    _spec("ad_rootdse", "records", "AD : RootDSE", expected=True, required="rootdse", unique="rootdse"),
    _spec("ad_domain", "records", "AD : domaine", expected=True, required="domain", unique="domain"),
    _spec("ad_partitions", "records", "AD : partitions", expected=True),
    _spec("ad_domain_controllers", "records", "AD : contrôleurs de domaine", expected=True),
    _spec("ad_service_account", "records", "AD : compte de service", expected=True),
    # tokenGroups of a real account: never empty (Domain Users)
    _spec("ad_service_account_groups", "records", "AD : groupes du compte de service", expected=True,
          empty_ok=False, required="group"),
    _spec("ad_exchange_org", "records", "AD : organisation Exchange", expected=True),
    _spec("ad_exchange_servers", "records", "AD : serveurs Exchange", expected=True),
    # at least the domain head's descriptor (or its Error record)
    _spec("ad_acl", "records", "AD : listes de contrôle d'accès", expected=True, required="sd"),
    # §5.2: an AD search that must end with its summary and does not was interrupted
    _spec("ad_admincount_users", "records", "AD : utilisateurs protégés (adminCount=1)", expected=True,
          required="summary", unique="summary"),
    _spec("ad_mail_containers", "records", "AD : conteneurs des utilisateurs de messagerie",
          required="summary", unique="summary"),
    _spec("ad_exchange_stores", "records", "AD : banques et groupes de stockage Exchange"),
    _spec("ad_mail_users_protected", "records", "AD : utilisateurs de messagerie à héritage désactivé",
          required="summary", unique="summary"),
    # each probe writes one record per target: an empty file is an interrupted step
    _spec("net_noc_probe", "records", "test de connexion au NOC", expected=True, empty_ok=False, required="probe"),
    # one record per source (ie, winhttp), even without a proxy
    _spec("net_proxy", "records", "paramètres de proxy", expected=True, empty_ok=False, required="proxy"),
    _spec("net_exchange_path", "records", "chemin réseau vers Exchange", skippable=True),
    _spec("ems_exchangeserver", "formatlist", "EMS Get-ExchangeServer", ("ems",), expected=True,
          empty_ok=False),  # the EMS runs on an Exchange 2007 server: it lists at least itself
    _spec("ems_exchangeadministrator", "formatlist", "EMS Get-ExchangeAdministrator", ("ems",), expected=True,
          empty_ok=False),  # the organisation administrator who installed Exchange is always listed
    _spec("ems_adpermission", "formatlist", "EMS Get-ADPermission", ("ems",), expected=True),
    _spec("ems_mailbox", "formatlist", "EMS Get-Mailbox", ("ems",), expected=True),
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
