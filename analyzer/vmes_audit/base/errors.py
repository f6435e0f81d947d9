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


# What the C library says of an OSError, in French (errno names: the numbers differ between systems).
_OS_ERRORS_FR = {
    "ENOENT": "fichier ou dossier introuvable", "EACCES": "permission refusée", "EPERM": "opération non permise",
    "EEXIST": "le fichier existe déjà", "ENOTDIR": "ce n'est pas un dossier", "EISDIR": "c'est un dossier",
    "ENOSPC": "plus de place sur le disque", "EDQUOT": "quota disque dépassé",
    "EROFS": "système de fichiers en lecture seule", "ELOOP": "lien symbolique refusé ou en boucle",
    "ENAMETOOLONG": "nom trop long", "EMFILE": "trop de fichiers ouverts", "ENFILE": "trop de fichiers ouverts",
    "EIO": "erreur d'entrée-sortie du disque", "EBUSY": "ressource occupée", "EINVAL": "argument invalide",
    "ENOTEMPTY": "dossier non vide", "EXDEV": "périphériques différents", "ETXTBSY": "fichier en cours d'utilisation",
    "EFBIG": "fichier trop gros", "ENODEV": "périphérique introuvable", "ENXIO": "périphérique introuvable",
}


def os_error_text(exc: BaseException) -> str:
    """The reason of an OSError in French, never the C library's English nor "[Errno 2]".

    >>> import errno
    >>> os_error_text(PermissionError(errno.EPERM, "Operation not permitted")), os_error_text(OSError("x"))
    ('opération non permise', 'erreur système')
    """
    import errno as _errno

    number = getattr(exc, "errno", None)
    name = _errno.errorcode.get(number, "") if isinstance(number, int) else ""
    if name in _OS_ERRORS_FR:
        return _OS_ERRORS_FR[name]
    return f"erreur système {name or number}" if (name or number) else "erreur système"


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
