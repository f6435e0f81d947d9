r"""PowerShell ``Format-List`` output of the Exchange Management Shell (Exchange 2007).

Commands (``collect-ems.ps1``, ``Out-File`` so UTF-16LE with BOM, CRLF):
``Get-ExchangeServer | Format-List`` (``ems_exchangeserver``),
``Get-ExchangeAdministrator | Format-List`` (``ems_exchangeadministrator``),
``Get-MailboxServer | Get-ADPermission -User <account> | Format-List``
(``ems_adpermission``), ``Get-Mailbox <account> | Format-List`` (``ems_mailbox``).

Result: one ``dict`` per object, keys as printed (``AccessRights``), values:

- ``str`` for scalars (``""`` when the property is empty or null);
- ``list[str]`` for ``{a, b}`` collections (``{}`` is ``[]``). PowerShell
  prints at most ``$FormatEnumerationLimit`` items (4 by default) and then
  ``...``: such a truncated list ends with the element ``"..."``.

Layout rules honoured: lines end with CRLF, and only CRLF ends a line (``Out-File``; a lone LF or
CR, U+2028, U+0085 or 0x1E inside a name is data, so a name cannot forge a line); objects are
separated by blank lines; keys are padded
to the longest key of the object and followed by `` : ``; a value longer than
the width wraps onto lines indented to the value column, which are appended to
the value: without a space when the previous line fills the width (the widest
line of the file) and the break falls between two letters or digits (a word
cut in the middle), with a space otherwise (a break at a space). A break at a
space that falls exactly on the last column between two letters looks like a
word cut and loses its space: the text gives no way to tell them apart.

Sample (``Get-ADPermission | Format-List``, trimmed)::

    User              : CONTOSO\svc-visto
    Identity          : CN=EXCH07,CN=Servers,CN=Exchange Administrative Group
                        (FYDIBOHF23SPDLT),CN=Administrative Groups,...
    Deny              : False
    AccessRights      : {ExtendedRight}
    ExtendedRights    : {Receive-As}
    IsInherited       : False

An empty text (the command found nothing) gives ``[]``; a non-empty text with
no ``Key : value`` line raises :class:`~vmes_audit.base.errors.ParseError`.

>>> objs = parse_format_list("\r\nUser         : CONTOSO\\svc\r\nAccessRights : {ExtendedRight}\r\n"
...                          "Properties   : {}\r\n\r\nUser         : CONTOSO\\adm\r\n")
>>> objs[0]
{'User': 'CONTOSO\\svc', 'AccessRights': ['ExtendedRight'], 'Properties': []}
>>> len(objs), normalize_right("send as"), normalize_role("ViewOnlyAdministrator")
(2, 'Send-As', 'ViewOnlyAdmin')
"""

from __future__ import annotations

import re

from vmes_audit.base.errors import ParseError
from vmes_audit.parsers.lines import text_lines

__all__ = ["parse_format_list", "normalize_right", "normalize_role"]

ARTIFACT = "ems"

# "AdminDisplayVersion             : Version 8.1 (Build 240.6)"  /  "Properties        :"
_KEY_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w.\-]*)(?P<pad> *): ?(?P<value>.*)$")
# "{ncacn_vns_spp:EXCH07, netbios:EXCH07}"  /  "{}"  /  "{a, b, c, d...}"
_LIST = re.compile(r"^\{(?P<items>.*)\}$", re.DOTALL)
# What PowerShell pads with: a line of only these is blank (str.strip() would also take U+2028, 0x1E…)
_BLANKS = " \t"


def _to_value(text: str) -> str | list[str]:
    match = _LIST.match(text)
    if not match:
        return text
    items = match.group("items").strip()
    if not items:
        return []
    parts = [part.strip() for part in items.split(", ")]
    if parts[-1].endswith("...") and parts[-1] != "...":
        parts[-1] = parts[-1][:-3].rstrip()
        parts.append("...")
    return parts


def parse_format_list(text: str) -> list[dict[str, str | list[str]]]:
    """Parse ``Format-List`` text (already decoded) into one dict per object."""
    # Out-File ends every line with CRLF, and only there: any other separator (a lone LF or CR,
    # U+2028, U+0085, 0x1E…) is part of a value (an administrator's name), never a new line.
    lines = [line.rstrip(" ") for line in text_lines(text.lstrip("\ufeff"))]
    if not any(line.strip(_BLANKS) for line in lines):
        return []
    width = max(len(line) for line in lines)
    objects: list[dict[str, str | list[str]]] = []
    current: dict[str, list[str]] | None = None
    last_len = 0

    def close() -> None:
        if current is not None:
            objects.append({key: _to_value(_join(parts)) for key, parts in current.items()})

    def _join(parts: list[str]) -> str:
        return "".join(parts).strip()

    for number, line in enumerate(lines, start=1):
        if not line.strip(_BLANKS):
            close()
            current = None
            continue
        if line[0] == " ":
            # "                    (FYDIBOHF23SPDLT),CN=Administrative Groups,..."
            if current is None or not current:
                raise ParseError(f"ligne de suite sans propriété avant elle « {line.strip()[:60]} »",
                                 artifact=ARTIFACT, line=number)
            key = next(reversed(current))
            # A full-width line between two letters/digits was cut inside a word
            # ("CN=Exchan" + "geAdministrativeGroup"); any other break was at a
            # space that PowerShell dropped ("{a, b," + "c}", "a=" + ";p=").
            previous, following = current[key][-1], line.strip()
            cut_in_word = (last_len >= width and previous[-1:].isalnum()
                           and following[:1].isalnum())
            separator = "" if cut_in_word else " "
            current[key].append(separator + line.strip())
            last_len = len(line)
            continue
        match = _KEY_LINE.match(line)
        if not match:
            raise ParseError(f"ligne illisible « {line[:60]} » : ce n'est pas une sortie "
                             "Format-List", artifact=ARTIFACT, line=number)
        if current is None:
            current = {}
        key = match.group("key")
        if key in current:
            raise ParseError(f"propriété « {key} » répétée dans le même objet",
                             artifact=ARTIFACT, line=number)
        current[key] = [match.group("value")]
        last_len = len(line)
    close()
    if not objects:
        raise ParseError("aucune ligne « Propriété : valeur » : ce n'est pas une sortie "
                         "Format-List", artifact=ARTIFACT)
    return objects


# Right spellings (lower case, spaces and hyphens removed) -> AD CN spelling.
_RIGHTS = {
    "sendas": "Send-As",
    "receiveas": "Receive-As",
    "administerinformationstore": "ms-Exch-Store-Admin",
    "msexchstoreadmin": "ms-Exch-Store-Admin",
    "viewinformationstorestatus": "ms-Exch-Store-Visible",
    "msexchstorevisible": "ms-Exch-Store-Visible",
    "createnamedproperties": "ms-Exch-Store-Create-Named-Properties",
    "createnamedpropertiesintheinformationstore": "ms-Exch-Store-Create-Named-Properties",
    "msexchstorecreatenamedproperties": "ms-Exch-Store-Create-Named-Properties",
}

# Exchange 2007 DelegateRoleType names (OrgAdmin, RecipientAdmin, ServerAdmin,
# ViewOnlyAdmin, PublicFolderAdmin) and the long spellings seen in scripts.
_ROLES = {
    "orgadmin": "OrgAdmin", "orgadministrator": "OrgAdmin",
    "organizationadmin": "OrgAdmin", "organizationadministrator": "OrgAdmin",
    "exchangeorganizationadministrator": "OrgAdmin",
    "recipientadmin": "RecipientAdmin", "recipientadministrator": "RecipientAdmin",
    "exchangerecipientadministrator": "RecipientAdmin",
    "serveradmin": "ServerAdmin", "serveradministrator": "ServerAdmin",
    "exchangeserveradministrator": "ServerAdmin",
    "viewonlyadmin": "ViewOnlyAdmin", "viewonlyadministrator": "ViewOnlyAdmin",
    "exchangeviewonlyadministrator": "ViewOnlyAdmin",
    "publicfolderadmin": "PublicFolderAdmin", "publicfolderadministrator": "PublicFolderAdmin",
    "exchangepublicfolderadministrator": "PublicFolderAdmin",
}


def _squash(name: str) -> str:
    return re.sub(r"[\s\-_]+", "", name).lower()


def normalize_right(name: str) -> str:
    """Canonical CN spelling of an extended right; unknown names come back stripped.

    >>> normalize_right("Receive As"), normalize_right("MS-EXCH-STORE-ADMIN")
    ('Receive-As', 'ms-Exch-Store-Admin')
    >>> normalize_right("View information store status"), normalize_right(" GenericRead ")
    ('ms-Exch-Store-Visible', 'GenericRead')
    """
    return _RIGHTS.get(_squash(name), name.strip())


def normalize_role(name: str) -> str:
    """Canonical Exchange 2007 role name (``DelegateRoleType`` spelling).

    >>> normalize_role("viewonlyadmin"), normalize_role("Organization Administrator")
    ('ViewOnlyAdmin', 'OrgAdmin')
    """
    return _ROLES.get(_squash(name), name.strip())
