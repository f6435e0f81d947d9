"""Rule prose templates: jinja2 in a sandbox, with French formatting filters.

Rule files are ours, but the values they print come from the customer's
machine; the sandbox keeps a template from reaching Python internals, and the
report escapes the result (autoescape) when it renders HTML.

A pack in preparation (``analyze --pack <folder>``) is written by presales,
and a template can ask for unbounded work (``{% for i in range(100000) %}{% for
j in range(100000) %}…``, ``'x' * 10**10``, ``10 ** 10 ** 8``). So every
rendering runs on a budget (:data:`BUDGET`), counted where the sandbox sees the
template work: each loop iteration, call, attribute or item read, filter, the
size of every ``range()``, of every value printed, of the text produced and of
a ``*``, ``**``, ``%`` or ``+`` result before it is computed, numeric arguments
(``center(10**9)``, ``'{:>999999999}'.format``), the nesting of macro calls,
and a wall-clock limit. Past it, :class:`TemplateBudgetExceeded` (a jinja2
``TemplateError``) says in French what was exceeded: the rule's finding is
« Non évaluable » with that reason, and ``rules lint`` reports the rule's case.

>>> render_text("{{ total_memory_mb | mo }}", {"total_memory_mb": 2047})
'2\\u202f047\\xa0Mo'
>>> render_text("{{ domain_role | role_fr }}", {"domain_role": "primary_dc"})
'contrôleur de domaine principal'
"""

from __future__ import annotations

import hashlib
import re
import time
from contextvars import ContextVar
from functools import lru_cache, wraps
from typing import Any

from jinja2 import FunctionLoader, StrictUndefined, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from vmes_audit.engine.command_arguments import guard_commands, mark
from vmes_audit.engine.pack_cache import template_bytecode_cache

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


# -- the budget of one rendering ------------------------------------------------------------------
# The pack's longest texts (F10 with 200 containers, F11 with 500 users) use a few thousand steps and
# produce a few tens of thousands of characters: the limits leave them two orders of magnitude.
BUDGET = {
    "steps": 500_000,  # loop iterations, calls, attribute and item reads, filters, range() elements
    "characters": 1_000_000,  # text produced, values printed, strings and lists built
    "argument": 100_000,  # a number given to a filter or a method (center, indent, truncate, format width)
    "depth": 50,  # nested macro and loop() calls
    "seconds": 10.0,
}


class TemplateBudgetExceeded(SecurityError):
    """A rule template asked for more work than a report sentence needs (a pack in preparation)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"le modèle de texte de la règle dépasse le budget d'un texte de rapport ({what}) : "
                         "corrigez ce modèle dans le pack (boucles imbriquées, range() ou répétition trop grands)")


class _Budget:
    __slots__ = ("steps", "characters", "depth", "deadline")

    def __init__(self) -> None:
        self.steps = self.characters = self.depth = 0
        self.deadline = time.monotonic() + BUDGET["seconds"]

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > BUDGET["steps"]:
            raise TemplateBudgetExceeded(f"plus de {fr_number(BUDGET['steps'])} opérations")
        if self.steps & 0xFF == 0 and time.monotonic() > self.deadline:
            raise TemplateBudgetExceeded(f"plus de {fr_number(BUDGET['seconds'])} s de calcul")

    def size(self, length: int, what: str = "texte produit", unit: str = "caractères") -> None:
        if length > BUDGET["characters"]:
            raise TemplateBudgetExceeded(f"{what} de {fr_number(length)} {unit}, {fr_number(BUDGET['characters'])} "
                                         "au plus")

    def printed(self, length: int) -> None:
        self.characters += length
        self.size(self.characters)


_CURRENT: ContextVar[_Budget | None] = ContextVar("vmes_template_budget", default=None)


def _budget() -> _Budget:
    budget = _CURRENT.get()
    if budget is None:  # a template rendered outside render_text/render_commands: its own budget
        budget = _Budget()
        _CURRENT.set(budget)
    return budget


def _argument(value: Any, where: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > BUDGET["argument"]:
        raise TemplateBudgetExceeded(f"argument {fr_number(value)} pour {where}, {fr_number(BUDGET['argument'])} au plus")


_WIDTH = re.compile(r"%[-#0 +]*(\d+)|%[-#0 +]*\d*\.(\d+)|\{[^{}]*?:[^{}]*?(\d+)[^{}]*?\}")


def _format_widths(text: Any, where: str) -> None:
    """``'%0999999999d'`` or ``'{:>999999999}'``: a width that allocates gigabytes."""
    if isinstance(text, str) and any(c.isdigit() for c in text):
        for match in _WIDTH.finditer(text):
            for number in match.groups():
                if number:
                    _argument(int(number), where)


def _sized(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 0


def _binop(name: str, left: Any, right: Any) -> None:
    """Refuse a ``*``, ``**``, ``%`` or ``+`` whose result would be too large, before computing it."""
    budget = _budget()
    budget.step()
    if name == "*":
        for seq, count in ((left, right), (right, left)):
            if _sized(seq) and isinstance(count, int):
                budget.size(_sized(seq) * max(count, 0), "répétition", "éléments")
    elif name == "**":
        if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            if right * abs(left).bit_length() > 4 * BUDGET["argument"]:
                raise TemplateBudgetExceeded(f"puissance {fr_number(left)} ** {fr_number(right)}")
    elif name == "%":
        _format_widths(left, "un format %")
    elif name == "+":  # a list grown in a loop copies itself each time: its size counts as work
        grown = _sized(left) + _sized(right)
        budget.size(grown, "concaténation", "éléments")
        budget.step(grown // 64)


# filters and methods whose numeric arguments size what they build
_WIDTH_FILTERS = frozenset({"center", "indent", "wordwrap", "truncate", "batch", "slice"})
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


def _budgeted_filter(name: str, function: Any) -> Any:
    # a filter marked pass_context / pass_eval_context / pass_environment gets that first
    offset = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0

    @wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.step()
        value, parameters = (args[offset], args[offset + 1:]) if len(args) > offset else (None, ())
        if name in _WIDTH_FILTERS:
            for number in list(parameters) + list(kwargs.values()):
                _argument(number, f"« {name} »")
        if name == "format":
            _format_widths(value, "« format »")
        if name == "replace" and len(parameters) >= 2 and _sized(value):
            old, new = str(parameters[0]), str(parameters[1])
            grown = (len(value) + 1) * len(new) if not old else len(value) * max(1, len(new)) // max(1, len(old))
            budget.size(len(value) + grown, "« replace »")
        result = function(*args, **kwargs)
        budget.size(_sized(result), f"résultat de « {name} »", "éléments")
        return result

    return run


def _budgeted_range(*args: Any) -> range:
    for value in args:
        _argument(value, "range()")
    numbers = range(*args)
    _budget().step(len(numbers))
    return numbers


def _each(iterable: Any) -> Any:
    """A loop's items, one step each."""
    budget = _budget()
    for item in iterable:
        budget.step()
        yield item


class _BudgetedEnvironment(SandboxedEnvironment):
    """The sandbox, counting the template's work (:data:`BUDGET`)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        finalize = options.pop("finalize", None)

        def printed(value: Any) -> Any:  # every {{ … }}: its size counts, inside {% set %} blocks too
            value = finalize(value) if finalize is not None else value
            _budget().printed(len(value) if isinstance(value, str) else 8)
            return value

        super().__init__(finalize=printed, **options)
        self.globals["range"] = _budgeted_range
        self.globals["vmes_budget_each"] = _each

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Every ``{% for %}`` iterates through :func:`_each` (one step per item)."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name("vmes_budget_each", "load"), [loop.iter], [], None, None,
                                   lineno=loop.lineno)
        return tree

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        _binop(operator_name, left, right)
        return super().call_binop(context, operator_name, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        _budget().step()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _budget().step()
        return super().getitem(obj, argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        budget = _budget()
        budget.step()
        target = getattr(__obj, "__wrapped__", __obj)
        name, owner = getattr(target, "__name__", ""), getattr(target, "__self__", None)
        if name in _WIDTH_METHODS and _sized(owner):
            for value in list(args) + list(kwargs.values()):
                _argument(value, f"« {name} »")
        if name in ("format", "format_map") and isinstance(owner, str):
            _format_widths(owner, "« format »")
        budget.depth += 1
        try:
            if budget.depth > BUDGET["depth"]:
                raise TemplateBudgetExceeded(f"plus de {BUDGET['depth']} appels imbriqués")
            return super().call(__context, __obj, *args, **kwargs)
        finally:
            budget.depth -= 1


def _render(template: Any, context: dict[str, Any]) -> str:
    """The template's text, produced piece by piece within a fresh budget."""
    budget = _Budget()
    token = _CURRENT.set(budget)
    try:
        pieces = []
        for piece in template.generate(**context):
            budget.printed(len(piece))
            pieces.append(piece)
        return "".join(pieces)
    except RecursionError:
        raise TemplateBudgetExceeded("récursion trop profonde") from None
    finally:
        _CURRENT.reset(token)


# Sources by name (the SHA-1 of the text), so that templates go through a loader and
# jinja2's bytecode cache (pack_cache.py): compiling the pack's 160 templates costs
# ~0.1 s, every run, without it.
_SOURCES: dict[str, str] = {}


def _source(name: str):
    source = _SOURCES.get(name)
    return None if source is None else (source, None, lambda: True)


def _make_env(**options: Any) -> SandboxedEnvironment:
    env = _BudgetedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False,
                               trim_blocks=True, lstrip_blocks=True, loader=FunctionLoader(_source),
                               bytecode_cache=template_bytecode_cache(), cache_size=4096, **options)
    env.filters.update({"fr_number": fr_number, "mo": _mo, "go": _go, "mhz": _mhz, "role_fr": _role_fr,
                        "yesno": _yesno, "de": _de, "join_fr": _join_fr, "or_unknown": _or_unknown, "sp": _sp})
    env.filters = {name: _budgeted_filter(name, function) for name, function in env.filters.items()}
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
    return _render(_compile(source), context).strip()


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
    return guard_commands(_render(_compile(source, True), context)).strip()


def check_template(source: str) -> str | None:
    """Syntax check for lint: the error text, or None."""
    try:
        _env().parse(source)
    except TemplateError as exc:
        return str(exc)
    return None
