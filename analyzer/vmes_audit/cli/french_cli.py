"""The command line in one language: typer's help and usage errors, in French.

typer (and the click it embeds) writes its own words in English: "Usage:",
"Show this message and exit.", "[default: out]", "Error: Missing argument
'inputs'.", "Try '… --help' for help." Presales read French, so:

- :class:`FrenchGroup` is the ``cls`` of every ``typer.Typer`` of the CLI. It
  gives each of its commands (added by anyone, with or without ``cls=``) a
  context whose help formatter writes French headings and boilerplate;
- its ``main`` runs the command with ``standalone_mode=False`` and writes usage
  errors itself, in French, from the exception's attributes (the parameter,
  the option name, the pydantic error that typer wraps), never from click's
  English sentence; ``Ctrl-C`` gives "Interrompu." and exit code 130; an
  unexpected exception gives a French message and exit code 5, not a
  traceback (``VMES_AUDIT_DEBUG=1`` shows it).

The exit codes are :class:`ExitCode`; ``--help`` and the README list them.
"""

from __future__ import annotations

import os
import re
import sys
from enum import IntEnum
from typing import Any

import typer
from typer.core import TyperGroup

try:  # typer >= 0.2x embeds its own copy of click
    from typer._click import exceptions as click_errors
    from typer._click.formatting import HelpFormatter
except ImportError:  # pragma: no cover - older typer, on the real click
    from click import exceptions as click_errors  # type: ignore[no-redef]
    from click.formatting import HelpFormatter  # type: ignore[no-redef]

from vmes_audit.base.interrupts import Terminated

__all__ = ["ExitCode", "EXIT_CODES_HELP", "FrenchGroup", "FrenchContext", "FrenchHelpFormatter",
           "usage_error_message", "HELP_OPTION_NAMES", "Terminated"]

HELP_OPTION_NAMES = ["-h", "--help"]


class ExitCode(IntEnum):
    OK = 0  # report written (whatever the verdict), command done
    PROBLEMS = 1  # `rules lint` found problems; a rule pack is invalid
    INPUT = 2  # unreadable input, unknown pack, bad option or argument
    OUTPUT = 3  # the report cannot be written there (read-only folder, symbolic link refused)
    NO_PDF = 4  # report written without its PDF (PDF libraries missing)
    INTERNAL = 5  # unexpected error: a bug to report
    LEAK = 6  # --pseudonymise: a customer name would survive in an output; nothing written
    INTERRUPTED = 130  # Ctrl-C
    TERMINATED = 143  # SIGTERM (kill)


# \b keeps click from re-wrapping the lines that follow.
EXIT_CODES_HELP = """\b
Codes de sortie :
  0    rapport écrit (quel que soit le verdict) ou commande réussie
  1    problèmes trouvés par « rules lint », pack de règles invalide
  2    entrée illisible, pack introuvable, option ou argument incorrect
  3    rapport impossible à écrire (dossier protégé, lien symbolique refusé)
  4    rapport écrit sans le PDF (bibliothèques PDF absentes)
  5    erreur interne (à signaler)
  6    rapport non écrit : la pseudonymisation laisserait des noms du client
  130  interrompu (Ctrl-C) ; 143 : arrêté (signal SIGTERM)"""

_HEADINGS = {"Usage": "Utilisation", "Options": "Options", "Arguments": "Arguments",
             "Commands": "Commandes"}
# Whole help texts click and typer write for their own options.
_TEXTS = {"Show this message and exit.": "Affiche cette aide et quitte.",
          "Show the version and exit.": "Affiche la version et quitte."}
# Bracketed notes typer appends to an option's help: [default: out], [required]…
_NOTES = [
    (r"\[default: (.*?)\]", r"[par défaut : \1]"),
    (r"\[required\]", "[obligatoire]"),
    (r"\[env var: (.*?)\]", r"[variable d'environnement : \1]"),
    (r"\[x>=(\S+)\]", r"[au moins \1]"),
    (r"\[x<=(\S+)\]", r"[au plus \1]"),
    (r"\[(\S+)<=x<=(\S+)\]", r"[de \1 à \2]"),
    (r"\(dynamic\)", "(calculé)"),
    (r"\(deprecated\) ?", "(obsolète) "),
]
# typer's metavars for options declared without one: --users <int range>.
_METAVARS = [
    (r"<list\[Path\]>|<list\[path\]>", "CHEMINS..."),
    (r"<list\[str\]>", "TEXTES..."),
    (r"<path>|<Path>", "CHEMIN"),
    (r"<str>|<text>", "TEXTE"),
    (r"<int range>|<int>|<integer>", "ENTIER"),
    (r"<float range>|<float>", "NOMBRE"),
    (r"<bool>|<boolean>", "OUI/NON"),
    (r"<date>|<datetime>", "DATE"),
    (r"<[^<>\s]+>", "VALEUR"),
    (r"\bCOMMAND \[ARGS\]\.\.\.", "COMMANDE [ARGUMENTS]..."),
    (r"\{([^{}\s]+)\}", r"\1"),  # typer writes a required argument {NAME} in the usage line
]
# An argument's row: "COLLECTES <list[Path]>" (its metavar, then typer's type name).
_ARGUMENT_TYPE = r"^([^-\s]\S*) <[^<>]+>$"


def _french(text: str, table) -> str:
    # Patterns stay strings, compiled by re's own cache on first use: the import stays cheap
    # for a run that never prints help.
    for pattern, replacement in table:
        text = re.sub(pattern, replacement, text)
    return text


class FrenchHelpFormatter(HelpFormatter):
    """click's help layout with French headings, notes and metavars."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, _french(args, _METAVARS), "Utilisation : " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)} :\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        translated = []
        for term, text in rows:
            text = _TEXTS.get(text, text)
            term = re.sub(_ARGUMENT_TYPE, r"\1", term)
            translated.append((_french(term, _METAVARS), _french(text, _NOTES)))
        super().write_dl(translated, col_max, col_spacing)


class FrenchContext(typer.Context):
    formatter_class = FrenchHelpFormatter

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_option_names", HELP_OPTION_NAMES)
        super().__init__(*args, **kwargs)


def _frenchify(command: Any) -> Any:
    command.context_class = FrenchContext
    for sub in getattr(command, "commands", {}).values():
        _frenchify(sub)
    return command


def _hint(param: Any) -> str:
    """``--users`` for an option, ``COLLECTES`` for an argument."""
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "option":
        return " / ".join(param.opts) or str(param.name)
    metavar = getattr(param, "metavar", None) or str(param.name or "").upper()
    return metavar.rstrip(".")


_PYDANTIC = {
    "int_parsing": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu",
    "float_parsing": "un nombre est attendu",
    "bool_parsing": "oui ou non est attendu (true, false, 1, 0)",
    "date_parsing": "une date AAAA-MM-JJ est attendue",
    "date_from_datetime_parsing": "une date AAAA-MM-JJ est attendue",
    "string_type": "un texte est attendu",
    "missing": "valeur manquante",
}
_TYPER_ENGLISH = [
    (r"^(?:File|Directory|Path) '(.*)' does not exist\.$", "« {0} » n'existe pas"),
    (r"^(?:File|Directory|Path) '(.*)' is a file\.$", "« {0} » est un fichier (un dossier est attendu)"),
    (r"^(?:File|Directory|Path) '(.*)' is a directory\.$", "« {0} » est un dossier (un fichier est attendu)"),
    (r"^(?:File|Directory|Path) '(.*)' is not readable\.$", "« {0} » n'est pas lisible"),
    (r"^(?:File|Directory|Path) '(.*)' is not writable\.$", "« {0} » n'est pas accessible en écriture"),
    (r"^Value must be an iterable\.$", "une liste de valeurs est attendue"),
    (r"^Value (.*) is not a valid (.*)\.$", "{0} n'est pas une valeur acceptée"),
]


def _pydantic_reason(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input")
    shown = f"« {value} » : " if isinstance(value, (str, int, float)) else ""
    if kind in _PYDANTIC:
        return shown + _PYDANTIC[kind]
    bounds = {"greater_than_equal": ("au moins", "ge"), "greater_than": ("plus de", "gt"),
              "less_than_equal": ("au plus", "le"), "less_than": ("moins de", "lt")}
    if kind in bounds:
        word, key = bounds[kind]
        return f"{shown}{word} {ctx.get(key)} est attendu"
    if kind in ("enum", "literal_error"):
        expected = ctx.get("expected", "")
        return f"{shown}valeurs possibles : {expected}".replace(" or ", " ou ")
    return f"{shown}valeur non acceptée"


def _bad_parameter_reason(exc: click_errors.BadParameter) -> str:
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        try:
            found = cause.errors()  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - any pydantic object: fall back to a generic reason
            found = []
        if found:
            return _pydantic_reason(found[0])
    message = exc.message
    for pattern, template in _TYPER_ENGLISH:
        match = re.match(pattern, message)
        if match:
            return template.format(*match.groups())
    return message  # raised by vmes-audit itself: already French


_USAGE_ENGLISH = [
    (r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$", "argument(s) en trop : {0}"),
    (r"^Missing command\.$", "commande manquante"),
    # typer adds its suggestion: "No such command 'analyse'. Did you mean 'analyze'?"
    (r"^No such command '(.*?)'\. Did you mean '(.*?)'\?$", "commande inconnue « {0} » (voulez-vous dire « {1} » ?)"),
    (r"^No such command '(.*)'\.$", "commande inconnue « {0} »"),
    (r"^Option '(.*)' requires an argument\.?$", "l'option {0} demande une valeur"),
    (r"^Option '(.*)' requires (\d+) arguments\.?$", "l'option {0} demande {1} valeurs"),
    (r"^Option '(.*)' does not take a value\.$", "l'option {0} ne prend pas de valeur"),
    (r"^Argument '(.*)' takes (\d+) values\.$", "l'argument {0} demande {1} valeurs"),
]


def usage_error_message(exc: click_errors.UsageError) -> str:
    """The French sentence for a usage error (without the "Erreur :" prefix)."""
    if isinstance(exc, click_errors.MissingParameter):
        kind = "option obligatoire manquante" if getattr(exc.param, "param_type_name", "") == "option" \
            else "argument manquant"
        return f"{kind} : {_hint(exc.param)}"
    if isinstance(exc, click_errors.BadParameter):
        hint = _hint(exc.param)
        reason = _bad_parameter_reason(exc)
        return f"valeur incorrecte pour {hint} : {reason}" if hint else f"valeur incorrecte : {reason}"
    if isinstance(exc, click_errors.NoSuchOption):
        text = f"option inconnue : {exc.option_name}"
        if exc.possibilities:
            options = sorted(exc.possibilities)
            listed = ", ".join(options[:-1]) + " ou " + options[-1] if len(options) > 1 else options[0]
            text += f" (voulez-vous dire {listed} ?)"
        return text
    for pattern, template in _USAGE_ENGLISH:
        match = re.match(pattern, exc.message)
        if match:
            return template.format(*match.groups())
    return _no_english(exc.message)


# Any other sentence of click's or typer's own: never shown in English.
_ENGLISH_START = re.compile(r"^(?:No such|Got unexpected|Missing|Invalid|Option|Argument|Error|Usage|Try|"
                            r"Did you|Expected|Unknown|The )")


def _no_english(message: str) -> str:
    """A usage error raised by vmes-audit itself is already French; one of click's we do not know
    is replaced by a French sentence."""
    if _ENGLISH_START.match(message or ""):
        return "commande ou option incorrecte (voir l'aide : --help)"
    return message


def _echo_err(text: str) -> None:
    typer.echo(text, err=True)


def _show_usage_error(exc: click_errors.UsageError) -> int:
    ctx = exc.ctx
    if isinstance(exc, getattr(click_errors, "NoArgsIsHelpError", ())) and ctx is not None:
        typer.echo(ctx.get_help())
        return ExitCode.INPUT
    if ctx is not None:
        _echo_err(ctx.get_usage())
        _echo_err(f"Aide : {ctx.command_path} --help\n")
    _echo_err(f"Erreur : {usage_error_message(exc).rstrip('.')}.")
    return ExitCode.INPUT


class FrenchGroup(TyperGroup):
    """A typer group whose commands speak French (help, usage errors, interrupts)."""

    context_class = FrenchContext

    def get_command(self, ctx: Any, cmd_name: str):
        command = super().get_command(ctx, cmd_name)
        return _frenchify(command) if command is not None else None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            _echo_err("\nInterrompu.")
            raise typer.Exit(ExitCode.TERMINATED if isinstance(exc, Terminated) else ExitCode.INTERRUPTED) from None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode: bool = True, **extra):
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = code if isinstance(code, int) else ExitCode.OK
        except click_errors.UsageError as exc:
            code = _show_usage_error(exc)
        except click_errors.ClickException as exc:
            _echo_err(f"Erreur : {exc.format_message()}")
            code = exc.exit_code
        except typer.Abort:
            _echo_err("Interrompu.")
            code = ExitCode.INTERRUPTED
        except KeyboardInterrupt:
            _echo_err("\nInterrompu (Ctrl-C).")
            code = ExitCode.INTERRUPTED
        except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for presales
            if os.environ.get("VMES_AUDIT_DEBUG"):
                raise
            _echo_err(f"Erreur interne ({type(exc).__name__} : {exc}). Merci de la signaler avec la commande "
                      "lancée et les fichiers analysés (VMES_AUDIT_DEBUG=1 affiche le détail).")
            code = ExitCode.INTERNAL
        if standalone_mode:
            sys.exit(int(code))
        return int(code)
