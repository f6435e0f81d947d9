"""Remediations laid out so that their commands paste as they are, from the PDF too.

A remediation (``Finding.remediation``) is prose with *command lines*: indented
lines that are not list items (``engine.command_arguments.is_command_line``)::

    Équivalent en ligne de commande (dsacls, Support Tools) :
      dsacls "DC=corp,DC=local" /I:S /G "CORP\\VistoAdmin:CA;Send As;user"

A PDF reader copies what is drawn: a command that wraps inside the card
pastes as two commands, broken inside an argument (``… /d 0x03200000 /`` then
``f``). So each command is drawn on one line that is never wrapped
(``white-space: pre``), in the largest monospace size at which it fits the
card:

- up to :data:`CARD_NORMAL` characters at 7.2 pt, up to :data:`CARD_SMALL` at 6.2 pt;
- longer, a PowerShell command is broken *between arguments* (before a
  ``-Parameter`` or after a ``|``), each line but the last ending with the
  continuation character `````, which PowerShell joins back;
- longer, any other command (cmd has no continuation that survives quotes
  reliably) goes to the annex « Commandes longues », on a landscape page, in
  the size that fits its whole length on one line; the card names its number.

The widths are the report's CSS ones (``reports/css/report.css``: the card's
command block is 164 mm wide, a landscape annex line 259 mm) with DejaVu
Sans Mono, whose advance is 0.602 em.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vmes_audit.engine.command_arguments import is_command_line

__all__ = ["CommandView", "RemediationBlock", "LongCommand", "remediation_blocks", "powershell_lines",
           "is_powershell", "CARD_NORMAL", "CARD_SMALL", "annex_font_size"]

_MONO_ADVANCE_MM_PER_PT = 0.602 * 0.35278  # one character's width in mm per point of font size
CARD_WIDTH_MM = 164.0  # the card's command block (report.css: .card pre.cmd)
ANNEX_WIDTH_MM = 259.0  # a landscape annex line (report.css: .long-commands pre.cmd)
NORMAL_PT, SMALL_PT, ANNEX_PT, ANNEX_MIN_PT = 7.2, 6.2, 6.6, 3.0
_MARGIN = 3  # characters kept free: rounding, the block's border


def _capacity(width_mm: float, size_pt: float) -> int:
    return int(width_mm / (_MONO_ADVANCE_MM_PER_PT * size_pt)) - _MARGIN


CARD_NORMAL = _capacity(CARD_WIDTH_MM, NORMAL_PT)  # 104 characters
CARD_SMALL = _capacity(CARD_WIDTH_MM, SMALL_PT)  # 121 characters


def annex_font_size(length: int) -> float:
    """The size (pt) at which a command of ``length`` characters fits one landscape line.

    >>> annex_font_size(120), annex_font_size(400)
    (6.6, 3.0)
    """
    if length + _MARGIN <= _capacity(ANNEX_WIDTH_MM, ANNEX_PT) + _MARGIN:
        return ANNEX_PT
    size = ANNEX_WIDTH_MM / (_MONO_ADVANCE_MM_PER_PT * (length + _MARGIN))
    return max(ANNEX_MIN_PT, round(size - 0.05, 1))


# Get-MailboxServer, Add-ADPermission, Set-Mailbox…: a PowerShell cmdlet (Verb-Noun) or a variable.
_POWERSHELL_START = re.compile(r"(?:[A-Z][a-z]+-[A-Za-z]+|\$\w+)(?:\s|$)")


def is_powershell(command: str) -> bool:
    """A PowerShell command line (Exchange Management Shell): starts with a cmdlet or a variable.

    >>> is_powershell('Get-MailboxServer EX01 | Format-List'), is_powershell('dsacls "DC=x" /G "a:CA"')
    (True, False)
    """
    return _POWERSHELL_START.match(command) is not None


def _tokens(command: str) -> list[str]:
    """Words separated by spaces outside double and single quotes (quotes kept in their word)."""
    out, current, quote = [], "", ""
    for ch in command:
        if quote:
            current += ch
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            current += ch
            quote = ch
        elif ch == " ":
            if current:
                out.append(current)
            current = ""
        else:
            current += ch
    if current:
        out.append(current)
    return out


def powershell_lines(command: str, width: int) -> list[str] | None:
    """``command`` broken before ``-Parameter`` words and after ``|``, lines of at most ``width``
    characters ending with " `" (but the last), continuation lines indented by 4 spaces; None
    when a part cannot be made that short or the words do not rebuild the command exactly.

    >>> powershell_lines('Get-X A | Add-Y -User "a b" -Rights R1, R2 -Extended E', 30)
    ['Get-X A |', '    Add-Y -User "a b" `', '    -Rights R1, R2 `', '    -Extended E']
    """
    words = _tokens(command)
    if " ".join(words) != command:  # two spaces in a row, a tab: a break would change the command
        return None
    groups: list[list[str]] = [[]]
    for word in words:
        if groups[-1] and word.startswith("-") and len(word) > 1 and word[1].isalpha():
            groups.append([])
        groups[-1].append(word)
        if word == "|":
            groups.append([])
    parts = [" ".join(g) for g in groups if g]
    lines: list[str] = []
    for part in parts:
        room = width - 2 - (4 if len(lines) > 1 else 0)  # " `" at the end; 4 spaces before a continuation
        if lines and not lines[-1].endswith("|") and len(lines[-1]) + 1 + len(part) <= room:
            lines[-1] += " " + part
        else:
            lines.append(part)
    out = []
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        text = ("    " if i else "") + line + ("" if last or line.endswith("|") else " `")
        if len(text) > width:
            return None
        out.append(text)
    return out


@dataclass(frozen=True)
class CommandView:
    text: str  # the command, one line, exactly as it is to be pasted
    lines: tuple[str, ...]  # as printed: the command, or its PowerShell continuation lines
    size: str  # CSS class: "cmd-normal", "cmd-small"
    annex: int = 0  # its number in the annex « Commandes longues » (0: printed in the card)


@dataclass(frozen=True)
class RemediationBlock:
    kind: str  # "text" or "command"
    text: str = ""  # prose (line breaks kept) for "text"
    command: CommandView | None = None


@dataclass(frozen=True)
class LongCommand:
    number: int
    anchor: str  # "cmd-2"
    text: str
    font_pt: float
    finding_anchor: str  # the card that refers to it
    label: str  # "F10 – … (SRVDC01)"


@dataclass
class LongCommandRegistry:
    """The commands too long for a card, numbered in reading order."""

    items: list[LongCommand] = field(default_factory=list)

    def add(self, text: str, finding_anchor: str, label: str) -> int:
        number = len(self.items) + 1
        self.items.append(LongCommand(number, f"cmd-{number}", text, annex_font_size(len(text)),
                                      finding_anchor, label))
        return number


def _command(text: str, registry: LongCommandRegistry, finding_anchor: str, label: str) -> CommandView:
    if len(text) <= CARD_NORMAL:
        return CommandView(text, (text,), "cmd-normal")
    if len(text) <= CARD_SMALL:
        return CommandView(text, (text,), "cmd-small")
    if is_powershell(text):
        lines = powershell_lines(text, CARD_NORMAL)
        if lines is not None:
            return CommandView(text, tuple(lines), "cmd-normal")
    return CommandView(text, (), "cmd-small", annex=registry.add(text, finding_anchor, label))


def remediation_blocks(remediation: str, registry: LongCommandRegistry, finding_anchor: str = "",
                       label: str = "") -> list[RemediationBlock]:
    """The remediation as prose blocks and command blocks, in order (see the module's docstring)."""
    blocks: list[RemediationBlock] = []
    prose: list[str] = []

    def flush() -> None:
        if prose:
            blocks.append(RemediationBlock("text", text="\n".join(prose)))
            prose.clear()

    for line in remediation.split("\n"):
        if is_command_line(line):
            flush()
            blocks.append(RemediationBlock("command", command=_command(line.strip(), registry, finding_anchor,
                                                                       label)))
        else:
            prose.append(line)
    flush()
    return blocks
