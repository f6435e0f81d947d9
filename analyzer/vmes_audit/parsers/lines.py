r"""Where a line of Windows output ends: at CRLF, and nowhere else.

cmd.exe redirections, regedit exports and PowerShell's ``Out-File`` end every line with CRLF. The
values between them come from names anyone with the right can set — a group's or an
administrator's name in Active Directory, a network card's description, a registry string — and
such a name may hold U+2028, U+2029, U+0085, 0x1C–0x1E, a vertical tab, a form feed or a lone CR or
LF. ``str.splitlines()`` ends a line at every one of them, so a name could write a line of its own
(« BUILTIN\Administrateurs … S-1-5-32-544 », « Role : ViewOnlyAdmin »). Here they stay characters
of their line. A text without a single CRLF (a file a user saved by hand on another system) is
split at LF.

>>> text_lines('"CORP\\Grp\u2028"BUILTIN\\Admins","Alias","S-1-5-32-544"\r\n"x"')
['"CORP\\Grp\u2028"BUILTIN\\Admins","Alias","S-1-5-32-544"', '"x"']
>>> text_lines("a\nb"), text_lines("a\r\nb\nc")
(['a', 'b'], ['a', 'b\nc'])
"""

from __future__ import annotations

__all__ = ["text_lines"]


def text_lines(text: str) -> list[str]:
    """The lines of ``text`` (see the module docstring); the separators are removed, nothing else."""
    return text.split("\r\n") if "\r\n" in text else text.split("\n")
