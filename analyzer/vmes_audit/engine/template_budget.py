"""The budget of one rule-template rendering (``templates.py``).

A pack in preparation (``analyze --pack <folder>``) is written by presales, and
a template can ask for unbounded work::

    {% for i in range(100000) %}{% for j in range(100000) %}…{% endfor %}{% endfor %}
    {{ 'x' * 10**10 }}   {{ 10 ** 100000000 }}   {{ 'x' | center(10**9) }}   {{ '%0999999999d' % 1 }}

So every rendering runs on a budget (:data:`BUDGET`), counted where the sandbox
sees the template work: each loop iteration (every ``{% for %}`` iterates
through :func:`_each`), call, attribute or item read and filter, the size of
every ``range()``, of every value printed (``{% set %}`` blocks included) and of
the text produced, the result of a ``*``, ``**``, ``%`` or ``+`` before it is
computed (a list grown in a loop counts its copies), the numbers given to
``center``, ``indent``, ``truncate``, ``ljust``… and the widths of a format, the
nesting of macro and ``loop()`` calls, and a wall-clock limit. Past it,
:class:`TemplateBudgetExceeded` (a jinja2 ``TemplateError``) says in French what
was exceeded: the rule's finding is « Non évaluable » with that reason
(``evaluate.evaluate_rule_safely``), and ``rules lint`` reports the rule's case.

>>> env = BudgetedEnvironment()
>>> render_within_budget(env.from_string("{{ 'ab' * 2 }}"), {})
'abab'
>>> try:
...     render_within_budget(env.from_string("{{ 'x' * 10**9 }}"), {})
... except TemplateBudgetExceeded as exc:
...     print(str(exc).replace(NNBSP, " ").split("(")[1].split(")")[0])
répétition de 1 000 000 000 éléments, 1 000 000 au plus
"""

from __future__ import annotations

import re
import time
from contextvars import ContextVar
from functools import wraps
from typing import Any

from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError

__all__ = ["BUDGET", "TemplateBudgetExceeded", "BudgetedEnvironment", "budgeted_filter", "render_within_budget"]

NNBSP = "\u202f"


def fr_number(value: float) -> str:
    """1000000 -> '1 000 000' (narrow no-break spaces), as the report writes numbers."""
    return f"{value:,.0f}".replace(",", NNBSP) if value == int(value) else f"{value:,}".replace(",", NNBSP)


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


def budgeted_filter(name: str, function: Any) -> Any:
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


class BudgetedEnvironment(SandboxedEnvironment):
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


def render_within_budget(template: Any, context: dict[str, Any]) -> str:
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
