"""Run the right parser on an artifact, once, and turn its failure into artifact state.

A parser that raises marks the artifact *unreadable* with the reason; the
checks that need it become "Non évaluable" and name that reason.
"""

from __future__ import annotations

from typing import Any

from vmes_audit.collection import Artifact
from vmes_audit.collection.artifacts import ARTIFACTS
from vmes_audit.errors import ParseError

__all__ = ["parsed"]

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
    except (ValueError, UnicodeError, IndexError, KeyError, TypeError) as exc:
        # A parser bug or an input shape nobody foresaw: never crash the run.
        art.mark_unreadable(f"contenu illisible ({type(exc).__name__} : {exc})")
        return None
    setattr(art, _CACHE_ATTR, value)
    return value
