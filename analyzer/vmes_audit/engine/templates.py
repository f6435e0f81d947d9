"""Rule prose templates: jinja2 in a sandbox, with French formatting filters.

Rule files are ours, but the values they print come from the customer's
machine; the sandbox keeps a template from reaching Python internals, and the
report escapes the result (autoescape) when it renders HTML.

A pack in preparation is written by presales: every rendering runs on a budget
(``template_budget.py``), and a template past it raises
:class:`TemplateBudgetExceeded`, a jinja2 ``TemplateError`` with the French reason.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from jinja2 import FunctionLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from vmes_audit.engine.command_arguments import guard_commands, mark
from vmes_audit.engine.pack_cache import template_bytecode_cache
from vmes_audit.engine.template_budget import (
    BUDGET,
    BudgetedEnvironment,
    TemplateBudgetExceeded,
    budgeted_filter,
    render_within_budget,
)

__all__ = ["render_text", "render_commands", "check_template", "ROLE_FR", "TemplateError", "TemplateBudgetExceeded",
           "BUDGET"]

NNBSP = "\u202f"  # French thousands separator (narrow no-break space)
NBSP = "\u00a0"

ROLE_FR = {
    "standalone_workstation": "station de travail autonome",
    "member_workstation": "station de travail membre d'un domaine",
    "standalone_server": "serveur autonome (hors domaine)",
    "member_server": "serveur membre du domaine",
    "backup_dc": "contrôleur de domaine (secondaire)",
    "primary_dc": "contrôleur de domaine principal",
}


def fr_number(value: Any, decimals: int = 0) -> str:
    """1234567 -> '1 234 567' with narrow no-break spaces; decimals with a comma.

    >>> fr_number(1234.5, 1)
    '1\\u202f234,5'
    """
    if value is None:
        return "?"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{number:,.{decimals}f}"
    return text.replace(",", NNBSP).replace(".", ",")


def _mo(value: Any) -> str:
    return f"{fr_number(value)}{NBSP}Mo" if value is not None else "?"


def _go(value_mb: Any) -> str:
    if value_mb is None:
        return "?"
    return f"{fr_number(float(value_mb) / 1024, 1)}{NBSP}Go"


def _mhz(value: Any) -> str:
    return f"{fr_number(value)}{NBSP}MHz" if value is not None else "?"


def _role_fr(value: Any) -> str:
    return ROLE_FR.get(str(value), str(value) if value is not None else "rôle inconnu")


def _de(value: Any) -> str:
    """French "de" with elision before a vowel: "de VMES01", "d'APPLI02", "d'EXCH01".

    >>> _de("APPLI02"), _de("VMES01"), _de("Édouard")
    ("d'APPLI02", 'de VMES01', "d'Édouard")
    """
    text = str(value) if value is not None else "?"
    return f"d'{text}" if text[:1].upper() in "AEIOUYÉÈÊÀÂÎÔÛ" else f"de {text}"


def _yesno(value: Any) -> str:
    if value is None:
        return "inconnu"
    return "oui" if value in (True, 1, "1", "True", "true") else "non"


def _join_fr(values: Any, last: str = " et ") -> str:
    items = [str(v) for v in (values or []) if v is not None]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + last + items[-1]


def _or_unknown(value: Any, text: str = "inconnu") -> Any:
    return text if value is None or value == "" else value


def _sp(value: Any) -> str:
    """Service pack label: 0 -> 'sans service pack', 4 -> 'SP4'."""
    if value is None:
        return "service pack inconnu"
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    return "sans service pack" if number == 0 else f"SP{number}"


# Sources by name (the SHA-1 of the text), so that templates go through a loader and
# jinja2's bytecode cache (pack_cache.py): compiling the pack's 160 templates costs
# ~0.1 s, every run, without it.
_SOURCES: dict[str, str] = {}


def _source(name: str):
    source = _SOURCES.get(name)
    return None if source is None else (source, None, lambda: True)


def _make_env(**options: Any) -> SandboxedEnvironment:
    env = BudgetedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False,
                               trim_blocks=True, lstrip_blocks=True, loader=FunctionLoader(_source),
                               bytecode_cache=template_bytecode_cache(), cache_size=4096, **options)
    env.filters.update({"fr_number": fr_number, "mo": _mo, "go": _go, "mhz": _mhz, "role_fr": _role_fr,
                        "yesno": _yesno, "de": _de, "join_fr": _join_fr, "or_unknown": _or_unknown, "sp": _sp})
    env.filters = {name: budgeted_filter(name, function) for name, function in env.filters.items()}
    return env


@lru_cache(maxsize=1)
def _env() -> SandboxedEnvironment:
    return _make_env()


@lru_cache(maxsize=1)
def _marking_env() -> SandboxedEnvironment:
    """Every ``{{ … }}`` value between marks, for ``command_arguments.guard_commands``."""
    return _make_env(finalize=mark)


@lru_cache(maxsize=2048)
def _compile(source: str, marking: bool = False):
    # Template names differ between the two environments: the bytecode cache is keyed by name and
    # source, and the marking environment's code calls finalize.
    digest = hashlib.sha1(source.encode("utf-8"), usedforsecurity=False).hexdigest()
    name = ("m" if marking else "") + "b1" + digest  # b1: compiled with the budget's loop steps
    _SOURCES[name] = source
    return (_marking_env() if marking else _env()).get_template(name)


def render_text(source: str, context: dict[str, Any]) -> str:
    """Render a rule template; raises jinja2.TemplateError on a template bug."""
    if not source:
        return ""
    if "{" not in source and "\r" not in source:
        # No markup: jinja2 would return the text as it is, after copying the context.
        return source.strip()
    return render_within_budget(_compile(source), context).strip()


def render_commands(source: str, context: dict[str, Any]) -> str:
    r"""Render a text that may hold paste-ready commands (remediation): every value printed on a
    command line must match the grammar of its place, else it is replaced (``command_arguments``).

    >>> print(render_commands("Sur {{ name }} :\n  Get-MailboxServer {{ name }} | Format-List", {"name": "EX01;calc"}))
    Sur EX01;calc :
      Get-MailboxServer <valeur-refusée> | Format-List
    <BLANKLINE>
    Attention : une valeur lue dans la collecte contient des caractères qui changeraient le sens de la commande ; elle est remplacée par <valeur-refusée> : saisissez-la à la main après vérification.
    """
    if not source:
        return ""
    if "{" not in source and "\r" not in source:
        return source.strip()
    return guard_commands(render_within_budget(_compile(source, True), context)).strip()


def check_template(source: str) -> str | None:
    """Syntax check for lint: the error text, or None."""
    try:
        _env().parse(source)
    except TemplateError as exc:
        return str(exc)
    return None
