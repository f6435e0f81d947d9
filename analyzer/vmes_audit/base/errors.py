"""Errors a user can meet carry a French message; the CLI prints it as is."""

from __future__ import annotations

from pydantic import ValidationError


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


def internal_error_text(exc: BaseException) -> str:
    """French sentence for an unexpected exception (never a traceback in the report)."""
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"erreur interne de l'analyseur ({type(exc).__name__}{' : ' + detail if detail else ''})"


_PYDANTIC_FR = {
    "missing": "champ absent",
    "string_type": "texte attendu",
    "bool_type": "booléen attendu",
    "list_type": "liste attendue",
    "dict_type": "objet attendu",
    "model_type": "objet attendu",
    "enum": "valeur inconnue",
    "string_pattern_mismatch": "format inattendu",
    "string_too_long": "texte trop long",
    "too_long": "liste trop longue",
    "int_type": "entier attendu",
    "int_parsing": "entier attendu",
}


def validation_message(exc: ValidationError, limit: int = 5) -> str:
    """The first problems of a pydantic error, in French: ``findings.3.state : valeur inconnue (« x »)``."""
    parts = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "racine"
        text = _PYDANTIC_FR.get(err["type"], "valeur invalide")
        value = err.get("input")
        if err["type"] != "missing" and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            shown = str(value)
            shown = shown if len(shown) <= 40 else shown[:39] + "…"
            text += f" (« {shown} »)"
        parts.append(f"{loc} : {text}")
    more = len(exc.errors()) - limit
    if more > 0:
        parts.append(f"et {more} autre(s) problème(s)")
    return " ; ".join(parts)
