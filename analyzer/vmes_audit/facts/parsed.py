"""Run the right parser on an artifact, once, and turn its failure into artifact state.

A parser that raises marks the artifact *unreadable* with the reason; the
checks that need it become "Non évaluable" and name that reason. So does
content the catalogue (:mod:`vmes_audit.collection.artifacts`) declares
implausible: zero records where a real machine always has some, a missing
``summary`` record, a record kind that must be unique seen twice. This is the
one place where that is enforced.
"""

from __future__ import annotations

from typing import Any

from vmes_audit.collection import Artifact
from vmes_audit.collection.artifacts import ARTIFACTS, ArtifactSpec
from vmes_audit.base.errors import ParseError

__all__ = ["parsed", "implausible"]

_CACHE_ATTR = "_parsed_value"


def _parser_for(kind: str):
    # Imported lazily: a parser module that fails to import must not stop the others.
    if kind == "records":
        from vmes_audit.parsers.records import parse_records
        return parse_records
    if kind == "systeminfo":
        from vmes_audit.parsers.systeminfo import parse_systeminfo
        return parse_systeminfo
    if kind == "reg":
        from vmes_audit.parsers.regfile import parse_reg
        return parse_reg
    if kind == "whoami_user":
        from vmes_audit.parsers.whoami import parse_whoami_user
        return parse_whoami_user
    if kind == "whoami_groups":
        from vmes_audit.parsers.whoami import parse_whoami_groups
        return parse_whoami_groups
    if kind == "ipconfig":
        from vmes_audit.parsers.ipconfig import parse_ipconfig
        return parse_ipconfig
    if kind == "formatlist":
        from vmes_audit.parsers.formatlist import parse_format_list
        return parse_format_list
    raise KeyError(kind)


def parsed(art: Artifact) -> Any | None:
    """The parsed content of ``art``, or None when it is not usable (its status says why)."""
    if not art.usable:
        return None
    if hasattr(art, _CACHE_ATTR):
        return getattr(art, _CACHE_ATTR)
    spec = ARTIFACTS.get(art.name)
    if spec is None:
        art.mark_unreadable("type d'artefact inconnu")
        return None
    try:
        text = art.text()
        parser = _parser_for(spec.kind)
        value = parser(text)
    except ParseError as exc:
        art.mark_unreadable(f"contenu illisible : {exc}")
        return None
    except (ValueError, UnicodeError, IndexError, KeyError, TypeError, OverflowError, RecursionError) as exc:
        # A parser bug or an input shape nobody foresaw: never crash the run.
        art.mark_unreadable(f"contenu illisible ({type(exc).__name__} : {str(exc)[:200]})")
        return None
    problem = implausible(spec, value)
    if problem:
        art.mark_unreadable(problem)
        return None
    setattr(art, _CACHE_ATTR, value)
    return value


def implausible(spec: ArtifactSpec, value: Any) -> str:
    """Why ``value`` (a parser's result) cannot be a real collection of ``spec``, or ""."""
    if isinstance(value, list):
        if not value and not spec.empty_ok:
            return (f"aucun enregistrement : une liste vide n'est pas plausible pour {spec.label_fr} "
                    "(étape interrompue ou fichier vidé)")
        kinds: dict[str, int] = {}
        for item in value:
            kind = getattr(item, "kind", None)
            if isinstance(kind, str):
                kinds[kind.lower()] = kinds.get(kind.lower(), 0) + 1
        for kind in spec.required_kinds:
            if not kinds.get(kind.lower()):
                return (f"enregistrement « {kind} » absent : l'étape de collecte a été interrompue "
                        "ou le fichier modifié")
        for kind in spec.unique_kinds:
            if kinds.get(kind.lower(), 0) > 1:
                return (f"{kinds[kind.lower()]} enregistrements « {kind} » au lieu d'un seul : "
                        "contradiction, aucun n'est retenu")
    return ""
