"""``vmes-audit``: the command line, entirely in French (``french_cli.py`` translates typer's own words).

The commands only read options and print; their work is in modules
(``assessment``, ``report``, ``kit``, ``engine.pack``). Exit codes:
:class:`~vmes_audit.cli.french_cli.ExitCode`, listed by ``--help`` and the README.
"""

from __future__ import annotations

import contextlib
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from vmes_audit import __version__
from vmes_audit.base.errors import AuditError, PackError, os_error_text
from vmes_audit.cli.french_cli import (
    EXIT_CODES_HELP,
    HELP_OPTION_NAMES,
    ExitCode,
    FrenchGroup,
)
from vmes_audit.base.interrupts import Terminated, interruptible

_SETTINGS = {"help_option_names": HELP_OPTION_NAMES}
app = typer.Typer(cls=FrenchGroup, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False, context_settings=_SETTINGS,
                  subcommand_metavar="COMMANDE [ARGUMENTS]...",
                  help="Audit des prérequis VMES 5.5 à partir des collectes du client.", epilog=EXIT_CODES_HELP)
rules_app = typer.Typer(cls=FrenchGroup, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                        pretty_exceptions_enable=False, context_settings=_SETTINGS,
                        subcommand_metavar="COMMANDE [ARGUMENTS]...",
                        help="Consulter et vérifier les packs de règles.")
app.add_typer(rules_app, name="rules")

FORMATS = {"pdf", "html", "json", "csv", "questionnaire"}
DEFAULT_FORMATS = "pdf,html,json,csv,questionnaire"
FORMATS_HELP = ("Formats séparés par des virgules : pdf, html, json, csv, questionnaire (questionnaire.yaml, "
                "les questions à poser au client).")
# \b keeps click from re-wrapping the lines that follow.
FILES_HELP = """\b
Fichiers YAML (UTF-8 ; détails dans docs/waivers-and-answers.md du dépôt) :
  --answers    le questionnaire.yaml écrit par analyze ou kit, complété :
                 repondu_par: "M. Durand, DSI"
                 date: 2026-12-02
                 questions:
                   - regle: c5-raid-power      (ou controle: C5)
                     hote: VMES01
                     reponse: "RAID 1, deux alimentations"
                     conforme: oui             (oui : prérequis rempli ; non : non rempli)
                   - regle: c7-sizing          (question qui demande un nombre)
                     reponse: 350
  --waivers    une liste de dérogations :
                 - regle: c1-processor-class   (ou le contrôle : C1)
                   hote: VMES01                (facultatif)
                   justification: "Machine virtuelle validée par l'éditeur"
                   expire: 2027-03-31
                   auteur: J. Martin
  --settings   client, utilisateurs, compte, reponses, derogations,
               auteur (nom, societe, courriel, telephone), confidentialite ;
               ~/.config/vmes-audit/avant-vente.yaml est lu s'il existe.
Un contrôle est désigné par l'identifiant de sa règle ou du catalogue
(« vmes-audit rules list ») ; un identifiant inconnu arrête l'analyse (code 2)."""
PACK_HELP = ("Pack de règles : l'identifiant d'un pack installé (voir « vmes-audit rules packs ») "
             "ou le dossier d'un pack en préparation. Par défaut : le pack installé le plus récent.")


def _say(text: str, err: bool = False) -> None:
    """Print a line whose content may come from a customer's zip: control characters escaped."""
    from vmes_audit.base.encoding import printable

    typer.echo("\n".join(printable(line) for line in str(text).split("\n")), err=err)


def _fail(message: str, code: int = ExitCode.INPUT) -> NoReturn:
    _say(f"Erreur : {message}", err=True)
    raise typer.Exit(int(code))


@contextlib.contextmanager
def _run_failures(output: Path, interrupted: str):
    """How an analysis or a comparison that writes an output folder ends when it cannot: each cause's
    French message and exit code (``interrupted`` is said on Ctrl-C or SIGTERM)."""
    from vmes_audit.base.output_folder import OutputError
    from vmes_audit.workflows.pseudonymise_scan import LeakError

    try:
        yield
    except KeyboardInterrupt as exc:
        _fail(interrupted, ExitCode.TERMINATED if isinstance(exc, Terminated) else ExitCode.INTERRUPTED)
    except OutputError as exc:
        _fail(str(exc), ExitCode.OUTPUT)
    except LeakError as exc:
        _fail(str(exc), ExitCode.LEAK)
    except AuditError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"impossible d'écrire dans « {output} » ({os_error_text(exc)}).", ExitCode.OUTPUT)


def _formats(text: str) -> set[str]:
    """The ``--format`` list, or a French error (exit 2) naming what is unknown."""
    wanted = {f.strip().lower() for f in text.split(",") if f.strip()}
    if not wanted or wanted - FORMATS:
        _fail(f"format inconnu : {', '.join(sorted(wanted - FORMATS)) or '(aucun)'} "
              "(formats possibles : pdf, html, json, csv).")
    return wanted


_FIRST_DAY, _LAST_DAY = (2000, 1, 1), (2099, 12, 31)


def _report_date_and_warning(text: str | None):
    """The report date: ``--date`` (strictly AAAA-MM-JJ, 2000 to 2099), else a valid
    ``SOURCE_DATE_EPOCH``, else today; and a warning when the environment's value was ignored."""
    import os
    import re
    from datetime import date, datetime, timezone

    low, high = date(*_FIRST_DAY), date(*_LAST_DAY)
    if text is not None:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip(), re.ASCII):
            _fail(f"date invalide « {text[:40]} » (format attendu : AAAA-MM-JJ, par exemple 2026-11-20).")
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            _fail(f"date invalide « {text[:40]} » : ce jour n'existe pas (format attendu : AAAA-MM-JJ).")
        if not low <= day <= high:
            _fail(f"date « {text} » hors de la plage admise ({low.isoformat()} à {high.isoformat()}).")
        return day, ""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env is not None:
        try:
            day = datetime.fromtimestamp(int(env.strip()), tz=timezone.utc).date()
        except (ValueError, OverflowError, OSError):
            day = None
        if day is not None and low <= day <= high:
            return day, ""
        return date.today(), (f"SOURCE_DATE_EPOCH « {env[:40]} » ignoré : entier attendu, date entre "
                              f"{low.isoformat()} et {high.isoformat()} ; date du jour utilisée.")
    return date.today(), ""


class _SourceDateEpoch:
    """weasyprint stamps the PDF (and its font subsets) with ``SOURCE_DATE_EPOCH``: set it to the
    report date while the outputs are written, then put back what was there."""

    def __init__(self, day: date | None) -> None:
        """``day`` None: leave the environment as it is (a report date that is not one)."""
        from datetime import datetime, timezone

        self.value = str(int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())) if day else None

    def __enter__(self) -> None:
        import os

        self.saved = os.environ.get("SOURCE_DATE_EPOCH")
        if self.value is not None:
            os.environ["SOURCE_DATE_EPOCH"] = self.value

    def __exit__(self, *exc) -> None:
        import os

        if self.saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = self.saved


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vmes-audit {__version__}")
        raise typer.Exit()


def _report_date(text: Optional[str]) -> date:
    """The date alone (commands that print no warning about ``SOURCE_DATE_EPOCH``)."""
    return _report_date_and_warning(text)[0]


@app.callback()
def main(version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                         help="Affiche la version et quitte.")] = None) -> None:
    """Audit des prérequis VMES 5.5 à partir des collectes du client."""


@app.command(help="Analyse une ou plusieurs collectes et écrit le rapport (PDF, HTML, JSON, CSV) et le "
                  "questionnaire des points à faire confirmer par le client.",
             epilog=FILES_HELP + "\n\n" + EXIT_CODES_HELP)
def analyze(
    inputs: Annotated[list[Path], typer.Argument(metavar="COLLECTES", show_default=False,
                                                 help="Collectes : archives zip, dossiers de collecte, "
                                                      "ou dossier contenant tout ce que le client a envoyé.")],
    output: Annotated[Path, typer.Option("-o", "--output", metavar="DOSSIER", help="Dossier de sortie.")
                      ] = Path("out"),
    formats: Annotated[str, typer.Option("--format", metavar="FORMATS", help=FORMATS_HELP)] = DEFAULT_FORMATS,
    pack: Annotated[Optional[str], typer.Option("--pack", metavar="PACK", help=PACK_HELP)] = None,
    account: Annotated[Optional[str], typer.Option("--account", metavar="NOM", help="Nom du compte de service "
                                                   "VMES (par défaut : celui de la collecte).")] = None,
    users: Annotated[Optional[int], typer.Option("--users", metavar="N", min=1,
                                                 help="Nombre d'utilisateurs prévus (l'emporte sur la réponse du "
                                                      "questionnaire).")] = None,
    client: Annotated[str, typer.Option("--client", metavar="NOM", help="Nom du client pour la page de garde.")
                      ] = "",
    answers: Annotated[Optional[Path], typer.Option("--answers", metavar="FICHIER",
                                                    help="Questionnaire complété par le client (questionnaire.yaml) : "
                                                         "ses réponses tranchent les points « À vérifier ».")] = None,
    waivers: Annotated[Optional[Path], typer.Option("--waivers", metavar="FICHIER",
                                                    help="Dérogations de l'avant-vente (YAML, voir ci-dessous).")
                       ] = None,
    settings: Annotated[Optional[Path], typer.Option("--settings", metavar="FICHIER",
                                                     help="Fichier de réglages (voir ci-dessous).")] = None,
    author: Annotated[Optional[str], typer.Option("--author", metavar="NOM",
                                                  help="Qui a rédigé le rapport (page de garde).")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", metavar="TEXTE",
                                                   help="Comment joindre l'auteur : courriel, téléphone.")] = None,
    confidential: Annotated[Optional[bool], typer.Option("--confidential/--no-confidential",
                                                         help="Mention « Confidentiel » en page de garde et en tête "
                                                              "de page (par défaut : oui).", show_default=False)
                            ] = None,
    force: Annotated[bool, typer.Option("--force", help="Remplace le rapport d'un autre client (ou d'autres "
                                        "collectes) présent dans le dossier de sortie.")] = False,
    report_date: Annotated[Optional[str], typer.Option("--date", metavar="AAAA-MM-JJ",
                                                       help="Date du rapport (par défaut aujourd'hui), pour "
                                                            "reproduire un rapport.")] = None,
    previous: Annotated[Optional[Path], typer.Option("--previous", metavar="FICHIER", help="resultats.json d'un audit précédent du "
                                                     "même client : ajoute la section « Évolution ».")] = None,
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Remplace les noms du client par des jetons "
                                               "(DOMAINE-1, SERVEUR-2…) dans toutes les sorties.")] = False,
    mapping: Annotated[Optional[Path], typer.Option("--mapping", metavar="FICHIER", help="Table de correspondance des pseudonymes "
                                                    "(par défaut : à côté du dossier de sortie) ; réutilisée si "
                                                    "elle existe.")] = None,
) -> None:
    from vmes_audit.assessment.run import run_assessment
    from vmes_audit.engine.pack import resolve_pack
    from vmes_audit.engine.answers import load_answers
    from vmes_audit.engine.waivers import load_waivers
    from vmes_audit.base.output_folder import scratch_directory
    from vmes_audit.report.render import PdfUnavailable, write_outputs

    wanted = _formats(formats)
    today, date_warning = _report_date_and_warning(report_date)
    code = ExitCode.OK
    extra_warnings = [date_warning] if date_warning else []
    interrupted = (f"analyse interrompue : les fichiers temporaires sont supprimés et les rapports déjà présents "
                   f"dans « {output} » n'ont pas été remplacés.")
    with _run_failures(output, interrupted):
        chosen = _settings(settings, client=client or None, users=users, account=account, answers=answers,
                           waivers=waivers, author=author, contact=contact, confidential=confidential)
        # weasyprint stamps the PDF with SOURCE_DATE_EPOCH: the report date, whatever the environment says
        with interruptible(), scratch_directory(), _SourceDateEpoch(today), _pdf_process(wanted) as pdf_process:
            pack_dir = resolve_pack(pack)
            waiver_list = load_waivers(chosen.waivers) if chosen.waivers else None
            answer_file = load_answers(chosen.answers) if chosen.answers else None
            earlier = None
            if previous is not None:
                from vmes_audit.assessment.compare import load_previous

                earlier = load_previous(previous)
            result = run_assessment(inputs, pack_dir=pack_dir, client=chosen.client or "", waivers=waiver_list,
                                    today=today, overrides={"service_account": chosen.account, "users": chosen.users},
                                    previous=earlier, answers=answer_file,
                                    answers_source=chosen.answers.name if chosen.answers else "",
                                    waivers_source=chosen.waivers.name if chosen.waivers else "")
            report = result.report
            mapping_file = check = None
            if pseudonymise:
                from vmes_audit.workflows.pseudonymise import pseudonymised_outputs

                run = pseudonymised_outputs(report, output, mapping, facts=result.facts, pack=result.pack)
                report, mapping_file, check = run.report, run.mapping_path, run.check
            report_settings = chosen.report_settings()
            if not report_settings.has_author:
                extra_warnings.append(NO_AUTHOR_WARNING)
            try:
                written = write_outputs(report, output, wanted, report_settings, pdf_process=pdf_process,
                                        force=force, notes=extra_warnings, check=check)
            except PdfUnavailable as exc:
                written, pdf_problem = exc.written, str(exc)
            else:
                pdf_problem = ""
    _print_summary(report, written, extra_warnings)
    if mapping_file is not None:
        typer.echo(f"Table de correspondance des pseudonymes (à conserver, ne pas transmettre) : {mapping_file}")
    if pdf_problem:
        typer.echo(f"Erreur : {pdf_problem}", err=True)
        code = ExitCode.NO_PDF
    raise typer.Exit(int(code))


NO_AUTHOR_WARNING = ("la page de garde ne dit pas qui a rédigé le rapport : indiquez --author et --contact, ou "
                     "créez ~/.config/vmes-audit/avant-vente.yaml (auteur: nom, societe, courriel, telephone ; "
                     "voir « vmes-audit analyze --help »).")


def _settings(file: Path | None, **options):
    """The presales file, then ``--settings``, then the options (``workflows/settings.py``)."""
    from vmes_audit.workflows.settings import AnalysisSettings, load_settings, merge_settings, presales_settings_file

    own = presales_settings_file()
    layers = [load_settings(own) if own is not None else AnalysisSettings()]
    if file is not None:
        layers.append(load_settings(file))
    confidential = options.pop("confidential")
    # --no-confidential removes the mark; --confidential keeps the settings' wording, or puts it back
    layers.append(AnalysisSettings(**options, confidentiality="" if confidential is False else None))
    merged = merge_settings(*layers)
    if confidential and merged.confidentiality == "":
        merged = merge_settings(merged, AnalysisSettings(confidentiality="Confidentiel"))
    return merged


@contextlib.contextmanager
def _pdf_process(formats: set[str]):
    """The PDF's process, started now so that weasyprint loads during the analysis (``report/pdf_process.py``)."""
    if "pdf" not in formats:
        yield None
        return
    from vmes_audit.report.render import start_pdf_process

    process = start_pdf_process()
    try:
        yield process
    finally:
        if process is not None:
            process.close()


def _print_summary(report, written: dict[str, Path], extra_warnings: list[str] = ()) -> None:
    from vmes_audit.base.findings import STATE_LABELS, VERDICT_LABELS
    from vmes_audit.report.view import STATE_ORDER

    _say(f"Pack de règles : {report.pack_id} version {report.pack_version} (VMES {report.vmes_release})")
    _say(f"Verdict : {VERDICT_LABELS[report.verdict]}")
    counts = {state: sum(1 for f in report.findings if f.state == state) for state in STATE_ORDER}
    _say("Résultats : " + ", ".join(f"{STATE_LABELS[s]} {n}" for s, n in counts.items() if n))
    for warning in list(extra_warnings) + list(report.warnings):
        _say(f"Avertissement : {warning}")
    _echo_evolution(report)
    for kind in sorted(written):
        _say(f"Écrit : {written[kind]}")


@app.command("compare", help="Compare deux audits du même client (leurs resultats.json) et écrit le rapport du plus "
                             "récent avec la section « Évolution depuis l'audit du … ».")
def compare_command(
    old: Annotated[Path, typer.Argument(metavar="ANCIEN", help="resultats.json de l'audit précédent.")],
    new: Annotated[Path, typer.Argument(metavar="RECENT", help="resultats.json de l'audit récent.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Dossier de sortie.")] = Path("out"),
    formats: Annotated[str, typer.Option("--format", help=FORMATS_HELP)] = DEFAULT_FORMATS,
    pack: Annotated[Optional[str], typer.Option("--pack", metavar="PACK", help=PACK_HELP + " Sert aux anciens "
                                                "identifiants des règles renommées et au plan d'action.")] = None,
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Remplace les noms du client par des jetons "
                                               "dans toutes les sorties.")] = False,
    mapping: Annotated[Optional[Path], typer.Option("--mapping", help="Table de correspondance des pseudonymes.")
                       ] = None,
    force: Annotated[bool, typer.Option("--force", help="Remplace le rapport d'un autre client (ou d'autres "
                                        "collectes) présent dans le dossier de sortie.")] = False,
) -> None:
    from vmes_audit.assessment.compare import compare_files, parse_fr_date
    from vmes_audit.report.render import write_outputs

    wanted = _formats(formats)
    from vmes_audit.engine.pack import resolve_pack
    from vmes_audit.base.output_folder import scratch_directory
    from vmes_audit.report.render import PdfUnavailable

    pdf_problem = ""
    notes: list[str] = []
    with _run_failures(output, "comparaison interrompue : les fichiers temporaires sont supprimés."):
        with interruptible(), scratch_directory():
            pack_dir = resolve_pack(pack) if pack else None
            report = compare_files(old, new, pack_dir=pack_dir)
            mapping_file = check = None
            if pseudonymise:
                from vmes_audit.engine.pack import load_pack
                from vmes_audit.workflows.pseudonymise import JSON_ONLY_WARNING, default_mapping_path, pseudonymised_outputs

                if not (mapping or default_mapping_path(output)).exists():
                    typer.echo(f"Avertissement : {JSON_ONLY_WARNING}")
                run = pseudonymised_outputs(report, output, mapping, pack=load_pack(pack_dir))
                report, mapping_file, check = run.report, run.mapping_path, run.check
            try:
                day = parse_fr_date(report.generated_on)
            except ValueError:  # a date edited by hand in the JSON: the environment's stamp stays
                day = None
            try:
                with _SourceDateEpoch(day):
                    written = write_outputs(report, output, wanted, force=force, notes=notes, check=check)
            except PdfUnavailable as exc:
                written, pdf_problem = exc.written, str(exc)
    _echo_evolution(report)
    for note in notes:
        _say(f"Avertissement : {note}")
    for kind in sorted(written):
        typer.echo(f"Écrit : {written[kind]}")
    if mapping_file is not None:
        typer.echo(f"Table de correspondance des pseudonymes (à conserver, ne pas transmettre) : {mapping_file}")
    if pdf_problem:
        typer.echo(f"Erreur : {pdf_problem}", err=True)
        raise typer.Exit(int(ExitCode.NO_PDF))


def _echo_evolution(report) -> None:
    from vmes_audit.assessment.compare import evolution_summary

    if report.comparison is None:
        return
    _say(evolution_summary(report.comparison))  # the warnings quote the earlier resultats.json
    if report.comparison.pack_note:
        _say(f"Avertissement : {report.comparison.pack_note}")
    for warning in report.comparison.warnings:
        _say(f"Avertissement : {warning}")


@app.command("batch", help="Analyse un dossier de clients (un sous-dossier par client) : un rapport par client "
                           "dans SORTIE/<client>/ et le portefeuille SORTIE/portefeuille.html et .csv. "
                           "Code de sortie : 0 si chaque dossier a été analysé, 1 si au moins un dossier n'a pas "
                           "pu l'être (il figure dans le portefeuille avec la raison), 2 si le dossier est "
                           "inutilisable.",
             epilog="""\b
Réglages d'un client : un fichier vmes-audit.yaml dans son dossier :
  client: "Exemple BTP"            nom du client en page de garde
  utilisateurs: 350                nombre d'utilisateurs prévus
  compte: VistoAdmin               compte de service
  reponses: questionnaire.yaml     questionnaire complété par le client
  derogations: derogations.yaml    dérogations de l'avant-vente
Un sous-dossier qui est un lien symbolique n'est pas suivi : il est signalé et ignoré.""")
def batch_command(
    folder: Annotated[Path, typer.Argument(metavar="DOSSIER", help="Dossier contenant un sous-dossier par client.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Dossier de sortie.")] = Path("out"),
    formats: Annotated[str, typer.Option("--format", help=FORMATS_HELP)] = DEFAULT_FORMATS,
    pack: Annotated[Optional[str], typer.Option("--pack", metavar="PACK", help=PACK_HELP)] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Nombre de processus d'analyse "
                                                   "(par défaut : un par cœur).")] = None,
    report_date: Annotated[Optional[str], typer.Option("--date", help="Date des rapports (AAAA-MM-JJ).")] = None,
    settings: Annotated[Optional[Path], typer.Option("--settings", metavar="FICHIER",
                                                     help="Réglages de l'avant-vente pour tous les clients (auteur, "
                                                          "confidentialite…).")] = None,
    author: Annotated[Optional[str], typer.Option("--author", metavar="NOM",
                                                  help="Qui a rédigé les rapports (page de garde).")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", metavar="TEXTE",
                                                   help="Comment joindre l'auteur : courriel, téléphone.")] = None,
    confidential: Annotated[Optional[bool], typer.Option("--confidential/--no-confidential",
                                                         help="Mention « Confidentiel » (par défaut : oui).",
                                                         show_default=False)] = None,
) -> None:
    from vmes_audit.workflows.batch import EXIT_SOME_FAILED, EXIT_UNUSABLE, run_batch
    from vmes_audit.cli.batch_progress import batch_progress

    wanted = _formats(formats)
    if "json" not in wanted:
        wanted.add("json")  # the next batch compares with it
    today = _report_date(report_date)
    from vmes_audit.engine.pack import resolve_pack

    skipped: list[str] = []
    try:
        chosen = _settings(settings, client=None, users=None, account=None, answers=None, waivers=None,
                           author=author, contact=contact, confidential=confidential)
        pack_dir = resolve_pack(pack) if pack else None
        with _SourceDateEpoch(today), batch_progress() as progress:
            results = run_batch(folder, output, wanted, pack_dir=pack_dir, workers=workers, today=today,
                                progress=progress, settings=chosen, skipped=skipped)
    except AuditError as exc:
        _fail(str(exc), EXIT_UNUSABLE)
    except OSError as exc:
        _fail(f"impossible d'écrire dans « {output} » ({os_error_text(exc)}).", EXIT_UNUSABLE)
    for text in skipped:
        _say(f"Avertissement : {text}")
    failed = [r for r in results if not r.ok]
    typer.echo(f"Portefeuille : {output / 'portefeuille.html'} ({len(results)} client(s), "
               f"{len(failed)} dossier(s) impossible(s) à analyser)")
    for result in failed:
        _say(f"Erreur : {result.customer} : {result.error}", err=True)
    if failed:
        raise typer.Exit(EXIT_SOME_FAILED)


@app.command(help="Prépare le kit de collecte à envoyer au client : un zip avec le collecteur, ses paramètres "
                  "(collect-params.txt), la notice et les empreintes SHA-256 ; affiche le message à joindre.",
             epilog=EXIT_CODES_HELP)
def kit(
    output: Annotated[Path, typer.Option("-o", "--output", metavar="DOSSIER", help="Dossier où écrire le kit.")
                      ] = Path("."),
    account: Annotated[Optional[str], typer.Option("--account", metavar="NOM", help="Compte de service VMES "
                                                   "(par défaut : celui du pack, VistoAdmin).")] = None,
    noc: Annotated[Optional[str], typer.Option("--noc", metavar="HÔTE:PORT", help="NOC à tester (par défaut : "
                                               "celui du pack).")] = None,
    nocaddr: Annotated[Optional[str], typer.Option("--nocaddr", metavar="IP", help="Adresse IP du NOC (par "
                                                   "défaut : celle du pack ; le nom de --noc si --noc est donné).")
                       ] = None,
    client: Annotated[Optional[str], typer.Option("--client", metavar="NOM", help="Nom du client.")] = None,
    pack: Annotated[Optional[str], typer.Option("--pack", metavar="PACK", help=PACK_HELP)] = None,
    kit_date: Annotated[Optional[str], typer.Option("--date", metavar="AAAA-MM-JJ",
                                                    help="Date du kit (par défaut aujourd'hui).")] = None,
) -> None:
    from vmes_audit.engine.pack import load_pack, resolve_pack
    from vmes_audit.workflows.kit import build_kit, email_text, kit_parameters, write_kit
    from vmes_audit.base.output_folder import OutputError

    made_on = _report_date(kit_date)
    try:
        loaded = load_pack(resolve_pack(pack))
        parameters = kit_parameters(loaded, account=account, noc=noc, nocaddr=nocaddr, client=client,
                                    made_on=made_on)
        built = build_kit(parameters)
        path = write_kit(built, output)
    except OutputError as exc:
        _fail(str(exc), ExitCode.OUTPUT)
    except AuditError as exc:
        _fail(str(exc))
    typer.echo(f"Kit écrit : {path} ({len(built.data) // 1024 + 1} Ko)")
    typer.echo(f"SHA-256 : {built.sha256}")
    typer.echo(f"Pack de règles : {parameters.pack} (VMES {parameters.vmes_release}) ; compte de service : "
               f"{parameters.account} ; NOC : {parameters.noc_host}:{parameters.noc_port} ({parameters.noc_address})")
    typer.echo("\n----- Message à envoyer au client -----\n")
    typer.echo(email_text(built), nl=False)


@app.command(help="Affiche les tables de faits extraites des collectes (aide au diagnostic).", epilog=EXIT_CODES_HELP)
def facts(
    inputs: Annotated[list[Path], typer.Argument(metavar="COLLECTES", show_default=False,
                                                 help="Collectes (zip, dossiers, fichiers isolés).")],
    table: Annotated[Optional[str], typer.Option("--table", metavar="TABLE",
                                                 help="Une seule table (ex. host, disks).")] = None,
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="json ou csv.")] = "json",
) -> None:
    from vmes_audit.collection import load_inputs
    from vmes_audit.facts.build import build_facts
    from vmes_audit.facts.model import TABLES

    if fmt not in ("json", "csv"):
        _fail("format inconnu : utilisez json ou csv.")
    if table is not None and table not in TABLES:
        _fail(f"table inconnue « {table} » (tables : {', '.join(sorted(TABLES))}).")
    try:
        built = build_facts(load_inputs(inputs))
        names = [table] if table else sorted(TABLES)
        if fmt == "csv":
            if len(names) > 1:
                _fail("le format csv demande une seule table (--table).")
            frame = built.table(names[0]).drop(columns=["provenance"], errors="ignore")
            (frame.map(_jsonable) if not frame.empty else frame).to_csv(sys.stdout, index=False)
            return
        out = {name: [{k: _jsonable(v) for k, v in row.items()} for row in built.table(name).to_dict("records")]
               for name in names}
        typer.echo(json.dumps(out[table] if table else out, ensure_ascii=False, indent=2, default=str))
    except AuditError as exc:
        _fail(str(exc))
    except BrokenPipeError:  # "vmes-audit facts … | head": the reader left, nothing is wrong
        raise typer.Exit(int(ExitCode.OK)) from None
    # anything else reaches FrenchGroup.main: "Erreur interne", exit 5, never a traceback


def _jsonable(value):
    """A fact cell as JSON: bytes (REG_BINARY) as lowercase hex, sets sorted, NaN as null."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    return value


def _load(pack: Optional[str]):
    from vmes_audit.engine.pack import load_pack, resolve_pack

    try:
        return load_pack(resolve_pack(pack))
    except PackError as exc:
        _fail(str(exc), ExitCode.PROBLEMS)
    except AuditError as exc:
        _fail(str(exc))


@rules_app.command("packs", help="Liste les packs de règles installés : identifiant, version de VMES, "
                                 "version et date du pack.")
def rules_packs(fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="text ou json.")] = "text"
                ) -> None:
    from vmes_audit.engine.pack import installed_packs

    try:
        packs = installed_packs()
    except AuditError as exc:
        _fail(str(exc))
    if fmt == "json":
        typer.echo(json.dumps([{"id": p.id, "vmes_release": p.vmes_release, "version": p.version,
                                "date": p.date.isoformat() if p.date else None, "title": p.title,
                                "format_versions": list(p.format_versions), "path": str(p.path),
                                "problem": p.problem}
                               for p in packs], ensure_ascii=False, indent=2))
        return
    if not packs:
        _fail("aucun pack de règles installé (réinstallez vmes-audit).", ExitCode.PROBLEMS)
    for p in packs:
        if p.problem:
            typer.echo(f"{p.id:<12} invalide : {p.problem}")
        else:
            typer.echo(f"{p.id:<12} VMES {p.vmes_release:<6} version {p.version:<8} du {p.date:%d/%m/%Y}   "
                       f"{p.title}")


@rules_app.command("list", help="Liste les règles du pack.")
def rules_list(
    pack: Annotated[Optional[str], typer.Option("--pack", metavar="PACK", help=PACK_HELP)] = None,
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="text ou json.")] = "text",
) -> None:
    loaded = _load(pack)
    rules = loaded.ordered_rules()
    if fmt == "json":
        typer.echo(json.dumps([{"id": r.id, "catalogue": r.catalogue, "section": r.section, "title": r.title,
                                "severity": r.severity.value, "scope": r.scope} for r in rules],
                              ensure_ascii=False, indent=2))
        return
    for rule in rules:
        typer.echo(f"{rule.catalogue:<4} {rule.id:<40} {rule.severity.value:<9} {rule.title}")


@rules_app.command("show", help="Affiche une règle : texte, conditions, remédiation.")
def rules_show(rule_id: Annotated[str, typer.Argument(metavar="RÈGLE", help="Identifiant de la règle.")],
               pack: Annotated[Optional[str], typer.Option("--pack", metavar="PACK", help=PACK_HELP)] = None
               ) -> None:
    import yaml

    loaded = _load(pack)
    rule = loaded.rule(rule_id)
    if rule is None:
        _fail(f"règle inconnue « {rule_id} » (voir « vmes-audit rules list »).")
    data = rule.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    typer.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))


@rules_app.command("lint", help="Vérifie les packs et signale tous les problèmes d'un coup (code de sortie 1 "
                                "s'il y en a).")
def rules_lint(pack: Annotated[Optional[list[str]], typer.Option("--pack", metavar="PACK",
                                                                 help="Pack(s) à vérifier, identifiant ou dossier "
                                                                      "(par défaut : tous les packs installés).")
                               ] = None) -> None:
    from vmes_audit.engine.cases import run_cases
    from vmes_audit.engine.pack import installed_packs, load_pack, resolve_pack

    try:
        folders = [resolve_pack(p) for p in pack] if pack else [p.path for p in installed_packs()]
    except AuditError as exc:
        _fail(str(exc))
    total = 0
    for folder in folders:
        try:
            loaded = load_pack(folder, strict=False)
        except PackError as exc:
            problems = exc.problems
        else:
            problems = list(loaded.problems)
            if loaded.pack is not None:
                problems += [f"{p.rule_id} : cas « {p.case} » : {p.problem}" for p in run_cases(loaded)]
        total += len(problems)
        status = "OK" if not problems else f"{len(problems)} problème(s)"
        typer.echo(f"{folder} : {status}")
        for problem in problems:
            typer.echo(f"  - {problem}")
    if total:
        raise typer.Exit(int(ExitCode.PROBLEMS))


if __name__ == "__main__":  # pragma: no cover
    app()
