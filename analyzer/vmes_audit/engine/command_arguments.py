r"""Values from the customer's data inside the report's paste-ready commands.

A remediation prints commands with real names in them, to be pasted at the
customer's site::

    Get-MailboxServer EXCH01 | Add-ADPermission -User "CORP\VistoAdmin" ...
    dsacls "OU=Mail,DC=corp,DC=local" /I:S /G "CORP\VistoAdmin:CA;Send As;user"

Those names come from the collection: a server's ``cn`` or an OU's name can be
set by any Exchange or domain administrator, and a collection can be forged.
``EXCH01; Remove-Item C:\ -Recurse`` pasted into the Exchange Management
Shell would run. So every value a template interpolates is marked while the
remediation renders (``templates.render_commands``), and on a *command line*
(an indented line that is not a list item) each marked value must match the
grammar of where it stands:

- between double quotes: anything printable but ``" $ ` % ! ^ & | < > ( ) ; :``,
  the Unicode quotes PowerShell also honours (‘ ’ ‚ ‛ “ ” „), and a trailing
  backslash (``\"`` escapes the quote for the program's argument parser).
  ``& | < >`` and parentheses stay refused inside quotes because a quoted
  string handed to ``cmd /k "…"`` is parsed again; ``;`` and ``:`` separate
  the fields of a ``dsacls /G`` grant;
- unquoted: letters, digits, ``. - _`` only, not starting with ``-`` or ``/``
  (a value must not become a switch: ``net user x /delete``).

A value that does not match is replaced by ``<valeur-refusée>`` (``<`` and
``>`` make both cmd and PowerShell refuse to run the line) and the
remediation ends with a sentence saying so. Prose lines print values as they
are (the report escapes markup).

>>> guard_commands("  net user \ue000svc\ue001 /active:yes")
'  net user svc /active:yes'
>>> print(guard_commands("  Get-MailboxServer \ue000EX01; Remove-Item C:\\\ue001 | Format-List"))
  Get-MailboxServer <valeur-refusée> | Format-List
<BLANKLINE>
Attention : une valeur lue dans la collecte contient des caractères qui changeraient le sens de la commande ; elle est remplacée par <valeur-refusée> : saisissez-la à la main après vérification.
>>> guard_commands('  dsacls "\ue000OU=Mail Users,DC=corp\ue001" /G x')
'  dsacls "OU=Mail Users,DC=corp" /G x'
>>> guard_commands("- source : \ue000A & B\ue001")
'- source : A & B'
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MARK_OPEN", "MARK_CLOSE", "mark", "guard_commands", "REFUSED", "REFUSED_NOTE", "is_command_line"]

MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # private-use code points: never in a rule's text
REFUSED = "<valeur-refusée>"
REFUSED_NOTE = ("Attention : une valeur lue dans la collecte contient des caractères qui changeraient le sens de "
                f"la commande ; elle est remplacée par {REFUSED} : saisissez-la à la main après vérification.")

_LIST_ITEM = re.compile(r"(?:[-*•] |\d+[.)] )")
_MARKED = re.compile(f"{MARK_OPEN}(.*?){MARK_CLOSE}", re.S)
_QUOTED_FORBIDDEN = set('"$`%!^&|<>();:') | set("\u2018\u2019\u201a\u201b\u201c\u201d\u201e")
_UNQUOTED = re.compile(r"[^\W_][\w.\-]*", re.UNICODE)


def mark(value: object) -> str:
    """jinja2 ``finalize``: a value printed by ``{{ … }}``, between marks (marks inside it removed)."""
    text = "" if value is None else str(value)
    return MARK_OPEN + text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "") + MARK_CLOSE


def is_command_line(line: str) -> bool:
    """An indented line that is not a list item: a command printed verbatim (``engine.evaluate.reflow``)."""
    return line[:1] in (" ", "\t") and bool(line.strip()) and not _LIST_ITEM.match(line.strip())


def _printable(value: str) -> bool:
    return all(unicodedata.category(ch)[0] not in "CZ" or ch == " " for ch in value)


def _allowed(value: str, quoted: bool) -> bool:
    if not value or not _printable(value):
        return False
    if quoted:
        return not (set(value) & _QUOTED_FORBIDDEN) and not value.endswith("\\")
    return _UNQUOTED.fullmatch(value) is not None


def _guard_line(line: str) -> tuple[str, bool]:
    out, refused, quoted, pos = [], False, False, 0
    for match in _MARKED.finditer(line):
        literal = line[pos:match.start()]
        quoted ^= literal.count('"') % 2 == 1
        out.append(literal)
        value = match.group(1)
        if _allowed(value, quoted):
            out.append(value)
        else:
            out.append(REFUSED)
            refused = True
        pos = match.end()
    out.append(line[pos:])
    return "".join(out), refused


def guard_commands(text: str) -> str:
    """Check every marked value of every command line, then remove the marks."""
    lines, refused = [], False
    for line in text.split("\n"):
        if is_command_line(line):
            line, bad = _guard_line(line)
            refused |= bad
        else:
            line = line.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")
        lines.append(line)
    text = "\n".join(lines)
    return f"{text.rstrip()}\n\n{REFUSED_NOTE}" if refused else text
