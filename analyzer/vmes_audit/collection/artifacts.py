"""The artifact catalogue: every artifact name the collector writes, declared once.

The declarations are ``collector/artifacts.toml`` (packaged as ``vmes_audit/data/collector``), which
the collector's build reads too. The name is the file's base name in the zip, the manifest key, the
parser's registration and what a rule lists in ``requires:``. Each declaration also says what a
sound collection holds (docs/collection-format.md §4):

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

from vmes_audit.base.resources import artifact_catalogue

__all__ = ["ArtifactSpec", "ARTIFACTS", "infer_loose_artifact", "format_tuple"]


@dataclass(frozen=True)
class ArtifactSpec:
    name: str
    kind: str  # the parser: systeminfo | records | reg | whoami_user | whoami_groups | ipconfig | formatlist
    label_fr: str  # what the report calls it
    modes: tuple[str, ...] = ("vmes",)
    expected: bool = False
    skippable: bool = False
    empty_ok: bool = True
    required_kinds: tuple[str, ...] = ()
    unique_kinds: tuple[str, ...] = ()
    since: str = "1.0"  # the collection format version that introduced it
    tables: tuple[str, ...] = ()  # the fact tables it feeds
    collector: str = ""  # the collector's procedure (cmd, wmi, regexport, ad…) or "ems"
    command: str = ""  # the command, query or registry key the collector uses


def _spec(name: str, entry: dict) -> ArtifactSpec:
    return ArtifactSpec(name=name, kind=entry["parser"], label_fr=entry["label_fr"], modes=tuple(entry["modes"]),
                        expected=bool(entry.get("expected", False)), skippable=bool(entry.get("skippable", False)),
                        empty_ok=bool(entry.get("empty_ok", True)), required_kinds=tuple(entry.get("required", ())),
                        unique_kinds=tuple(entry.get("unique", ())), since=str(entry["since"]),
                        tables=tuple(entry.get("tables", ())), collector=entry["collector"],
                        command=entry.get("command", ""))


# collector/artifacts.toml, the one catalogue the collector's build reads too.
ARTIFACTS: dict[str, ArtifactSpec] = {name: _spec(name, entry) for name, entry in artifact_catalogue().items()}


def format_tuple(version: str) -> tuple[int, ...]:
    """``"1.10"`` -> (1, 10): format versions compare as numbers.

    >>> format_tuple("1.1") < format_tuple("1.10")
    True
    """
    return tuple(int(part) for part in version.split(".") if part.isdigit())


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
