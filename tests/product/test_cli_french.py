"""A CLI in one language: every help page and usage error in French, exit codes listed (issue 10)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from vmes_audit.cli.main import app
from vmes_audit.cli.french_cli import ExitCode, FrenchGroup


class _Runner(CliRunner):
    def invoke(self, cli, args=None, **extra):
        extra.setdefault("prog_name", "vmes-audit")
        return super().invoke(cli, args, **extra)


runner = _Runner()
# What typer and click write in English when left alone.
ENGLISH = re.compile(r"Usage:|Show this message|\[default:|\[required\]|Options:|Commands:|Arguments:|Error:|"
                     r"Try '|Missing (argument|option|parameter|command)|No such (option|command)|Invalid value|"
                     r"requires an argument|unexpected extra|Aborted|<str>|<path>|<int|<list|<float|\binteger\b|"
                     r"\bInput should\b|\{[A-Za-z]+\}")


def _all_commands() -> list[list[str]]:
    root = typer.main.get_command(app)
    found = [[]]

    def walk(group, path):
        for name, command in getattr(group, "commands", {}).items():
            found.append([*path, name])
            walk(command, [*path, name])

    walk(root, [])
    return found


@pytest.mark.parametrize("path", _all_commands(), ids=lambda p: " ".join(p) or "vmes-audit")
def test_every_help_page_is_french(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Utilisation : vmes-audit")
    assert "-h, --help" in result.output and "Affiche cette aide et quitte." in result.output
    assert not ENGLISH.search(result.output), ENGLISH.search(result.output)


@pytest.mark.parametrize("path", [[], ["analyze"], ["kit"], ["facts"]], ids=lambda p: " ".join(p) or "vmes-audit")
def test_help_lists_the_exit_codes(path: list[str]) -> None:
    text = runner.invoke(app, [*path, "--help"]).output
    assert "Codes de sortie :" in text
    for code in ExitCode:
        assert re.search(rf"^\s+{int(code)}\b", text, re.M) or f" {int(code)} :" in text, code


@pytest.mark.parametrize("args,message", [
    (["analyze"], "Erreur : argument manquant : COLLECTES."),
    (["analyze", "x", "--users", "abc"], "Erreur : valeur incorrecte pour --users : « abc » : un nombre entier est "
                                         "attendu."),
    (["analyze", "x", "--users", "0"], "Erreur : valeur incorrecte pour --users : « 0 » : au moins 1 est attendu."),
    (["analyze", "x", "--acount", "a"], "Erreur : option inconnue : --acount (voulez-vous dire --account"),
    (["analyze", "x", "--format"], "Erreur : l'option --format demande une valeur."),
    (["rules", "show"], "Erreur : argument manquant : RÈGLE."),
    (["rules", "nope"], "Erreur : commande inconnue « nope »."),
    (["nope"], "Erreur : commande inconnue « nope »."),
    (["--versio"], "Erreur : option inconnue : --versio (voulez-vous dire --version ?)."),
    (["facts", "a", "b", "--table"], "Erreur : l'option --table demande une valeur."),
    (["rules", "packs", "extra"], "Erreur : argument(s) en trop : extra."),
])
def test_usage_errors_are_french_with_exit_code_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == ExitCode.INPUT, result.output
    assert message in result.output
    assert not ENGLISH.search(result.output), result.output


def test_usage_error_shows_the_usage_line_and_where_to_find_help() -> None:
    result = runner.invoke(app, ["analyze"])
    assert "Utilisation : vmes-audit analyze [OPTIONS] COLLECTES...\nAide : vmes-audit analyze --help" in result.output


def test_no_arguments_prints_the_help() -> None:
    result = runner.invoke(app, [])
    assert result.output.startswith("Utilisation : vmes-audit [OPTIONS] COMMANDE [ARGUMENTS]...")
    assert result.exit_code == ExitCode.INPUT


def test_a_command_added_without_cls_is_french_too() -> None:
    """Others add commands to the app in parallel: the group, not each command, makes them French."""
    extra = typer.Typer(cls=FrenchGroup, rich_markup_mode=None, add_completion=False)

    @extra.command()
    def hello(count: int = 1, name: str = "x") -> None:
        typer.echo("ok")

    @extra.command()
    def other() -> None:
        typer.echo("ok")

    text = runner.invoke(extra, ["hello", "--help"]).output
    assert text.startswith("Utilisation :") and "[par défaut : 1]" in text and "ENTIER" in text
    assert not ENGLISH.search(text), text
    result = runner.invoke(extra, ["hello", "--count", "x"])
    assert result.exit_code == 2 and "Erreur : valeur incorrecte pour --count : « x » : un nombre entier" in result.output


def test_an_unexpected_error_is_a_french_message_not_a_traceback(monkeypatch, samples_dir: Path, tmp_path) -> None:
    import vmes_audit.assessment.run

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(vmes_audit.assessment.run, "run_assessment", broken)
    monkeypatch.delenv("VMES_AUDIT_DEBUG", raising=False)
    result = runner.invoke(app, ["analyze", str(samples_dir / "vmes01-2003-conforme.zip"), "-o", str(tmp_path)])
    assert result.exit_code == ExitCode.INTERNAL
    assert "Erreur interne (ZeroDivisionError : division by zero). Merci de la signaler" in result.output
    assert "Traceback" not in result.output


def test_ctrl_c_in_any_command_is_exit_130_with_a_message(monkeypatch) -> None:
    import vmes_audit.engine.pack

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(vmes_audit.engine.pack, "installed_packs", interrupted)
    result = runner.invoke(app, ["rules", "packs"])
    assert result.exit_code == 130 and "Interrompu." in result.output


# ---- issue 20: click's suggestions and the system's errors in French too -------------------------

def test_a_mistyped_command_is_told_in_french_with_the_suggestion() -> None:
    result = runner.invoke(app, ["analyse", "x"])
    assert result.exit_code == ExitCode.INPUT
    assert "Erreur : commande inconnue « analyse » (voulez-vous dire « analyze » ?)." in result.output
    assert not ENGLISH.search(result.output) and "Did you mean" not in result.output


def test_an_unknown_click_sentence_is_never_shown_in_english() -> None:
    from vmes_audit.cli.french_cli import usage_error_message
    from typer._click.exceptions import UsageError

    assert usage_error_message(UsageError("Invalid something unexpected.")) == \
        "commande ou option incorrecte (voir l'aide : --help)"


@pytest.mark.parametrize("number,english", [(1, "Operation not permitted"), (2, "No such file or directory"),
                                            (13, "Permission denied"), (28, "No space left on device")])
def test_system_errors_are_told_in_french(number: int, english: str) -> None:
    from vmes_audit.base.errors import os_error_text

    text = os_error_text(OSError(number, english))
    assert english not in text and "Errno" not in text and text


def test_an_output_folder_that_cannot_be_created_is_told_in_french(samples_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(samples_dir / "vmes01-2003-conforme.zip"), "-o",
                                 str(blocker / "sous-dossier"), "--format", "json"])
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert "impossible de créer le dossier de sortie" in result.output
    assert "(ce n'est pas un dossier)" in result.output and "Not a directory" not in result.output
