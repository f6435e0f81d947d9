"""Errors a user can meet carry a French message; the CLI prints it as is."""

from __future__ import annotations


class AuditError(Exception):
    """Base class: ``str(err)`` is a French sentence for the presales engineer."""


class InputError(AuditError):
    """An input given on the command line cannot be read at all."""


class ParseError(AuditError):
    """An artifact's content is not in the format its parser expects.

    ``artifact`` names the artifact; ``line`` is the 1-based line, if known.
    """

    def __init__(self, message: str, *, artifact: str | None = None, line: int | None = None):
        self.artifact = artifact
        self.line = line
        where = f" (ligne {line})" if line else ""
        super().__init__(f"{message}{where}")


class PackError(AuditError):
    """A rule pack is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Pack de règles invalide :\n" + "\n".join(f"  - {p}" for p in problems))
