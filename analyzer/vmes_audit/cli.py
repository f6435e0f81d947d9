"""``vmes-audit``: the command line (French help and messages)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from vmes_audit import __version__
from vmes_audit.errors import AuditError, PackError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Audit des prérequis VMES 5.5 à partir des collectes du client.")
rules_app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                        help="Consulter et vérifier les packs de règles.")
app.add_typer(rules_app, name="rules")

FORMATS = {"pdf", "html", "json", "csv"}


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"Erreur : {message}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vmes-audit {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                         help="Affiche la version et quitte.")] = None) -> None:
    """Audit des prérequis VMES 5.5 à partir des collectes du client."""


@app.command(help="Analyse une ou plusieurs collectes et écrit le rapport (PDF, HTML, JSON, CSV).")
def analyze(
    inputs: Annotated[list[Path], typer.Argument(help="Collectes : archives zip, dossiers de collecte, "
                                                      "ou dossier contenant tout ce que le client a envoyé.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Dossier de sortie.")] = Path("out"),
    formats: Annotated[str, typer.Option("--format", help="Formats séparés par des virgules : pdf,html,json,csv.")
                       ] = "pdf,html,json,csv",
    pack: Annotated[Optional[Path], typer.Option("--pack", help="Dossier du pack de règles "
                                                               "(par défaut : rules/vmes-5.5).")] = None,
    account: Annotated[Optional[str], typer.Option("--account", help="Nom du compte de service VMES "
                                                                     "(par défaut : celui de la collecte).")] = None,
    users: Annotated[Optional[int], typer.Option("--users", min=1, help="Nombre d'utilisateurs prévus.")] = None,
    client: Annotated[str, typer.Option("--client", help="Nom du client pour la page de garde.")] = "",
    waivers: Annotated[Optional[Path], typer.Option("--waivers", help="Fichier YAML de dérogations.")] = None,
    report_date: Annotated[Optional[str], typer.Option("--date", help="Date du rapport (AAAA-MM-JJ ; par défaut "
                                                                      "aujourd'hui), pour reproduire un rapport.")
                           ] = None,
    previous: Annotated[Optional[Path], typer.Option("--previous", help="resultats.json d'un audit précédent du "
                                                     "même client : ajoute la section « Évolution ».")] = None,
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Remplace les noms du client par des jetons "
                                               "(DOMAINE-1, SERVEUR-2…) dans toutes les sorties.")] = False,
    mapping: Annotated[Optional[Path], typer.Option("--mapping", help="Table de correspondance des pseudonymes "
                                                    "(par défaut : à côté du dossier de sortie) ; réutilisée si "
                                                    "elle existe.")] = None,
) -> None:
    import os
    from datetime import date, datetime, timezone

    from vmes_audit.assessment import run_assessment
    from vmes_audit.engine.waivers import load_waivers

    wanted = {f.strip().lower() for f in formats.split(",") if f.strip()}
    if not wanted or wanted - FORMATS:
        _fail(f"format inconnu : {', '.join(sorted(wanted - FORMATS)) or '(aucun)'} "
              "(formats possibles : pdf, html, json, csv).")
    try:
        today = date.fromisoformat(report_date) if report_date else date.today()
    except ValueError:
        _fail(f"date invalide « {report_date} » (format attendu : AAAA-MM-JJ).")
    # weasyprint stamps the PDF (and its font subsets) with this date: same input and date, same PDF.
    os.environ.setdefault("SOURCE_DATE_EPOCH",
                          str(int(datetime(today.year, today.month, today.day, tzinfo=timezone.utc).timestamp())))
    try:
        waiver_list = load_waivers(waivers) if waivers else None
        earlier = None
        if previous is not None:
            from vmes_audit.compare import load_previous

            earlier = load_previous(previous)
        result = run_assessment(inputs, pack_dir=pack, client=client, waivers=waiver_list, today=today,
                                overrides={"service_account": account, "users": users}, previous=earlier)
        report = result.report
        if pseudonymise:
            from vmes_audit.pseudonymise import pseudonymised_outputs

            report, mapping_file = pseudonymised_outputs(report, output, mapping, facts=result.facts,
                                                         pack=result.pack)
    except AuditError as exc:
        _fail(str(exc))
    from vmes_audit.report.render import write_outputs
    from vmes_audit.models import VERDICT_LABELS

    try:
        output.mkdir(parents=True, exist_ok=True)
        written = write_outputs(report, output, wanted)
    except OSError as exc:
        _fail(f"impossible d'écrire dans « {output} » ({exc.strerror or exc}).")
    typer.echo(f"Verdict : {VERDICT_LABELS[report.verdict]}")
    counts: dict[str, int] = {}
    for finding in report.findings:
        counts[finding.state.value] = counts.get(finding.state.value, 0) + 1
    typer.echo("Résultats : " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for warning in report.warnings:
        typer.echo(f"Avertissement : {warning}")
    _echo_evolution(report)
    for kind in sorted(written):
        typer.echo(f"Écrit : {written[kind]}")
    if pseudonymise:
        typer.echo(f"Table de correspondance des pseudonymes (à conserver, ne pas transmettre) : {mapping_file}")


@app.command("compare", help="Compare deux audits du même client (leurs resultats.json) et écrit le rapport du plus "
                             "récent avec la section « Évolution depuis l'audit du … ».")
def compare_command(
    old: Annotated[Path, typer.Argument(help="resultats.json de l'audit précédent.")],
    new: Annotated[Path, typer.Argument(help="resultats.json de l'audit récent.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Dossier de sortie.")] = Path("out"),
    formats: Annotated[str, typer.Option("--format", help="Formats séparés par des virgules : pdf,html,json,csv.")
                       ] = "pdf,html,json,csv",
    pack: Annotated[Optional[Path], typer.Option("--pack", help="Dossier du pack de règles (anciens identifiants "
                                                               "des règles renommées, plan d'action).")] = None,
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Remplace les noms du client par des jetons "
                                               "dans toutes les sorties.")] = False,
    mapping: Annotated[Optional[Path], typer.Option("--mapping", help="Table de correspondance des pseudonymes.")
                       ] = None,
) -> None:
    from vmes_audit.compare import compare_files
    from vmes_audit.report.render import write_outputs

    wanted = {f.strip().lower() for f in formats.split(",") if f.strip()}
    if not wanted or wanted - FORMATS:
        _fail(f"format inconnu : {', '.join(sorted(wanted - FORMATS)) or '(aucun)'} "
              "(formats possibles : pdf, html, json, csv).")
    try:
        report = compare_files(old, new, pack_dir=pack)
        mapping_file = None
        if pseudonymise:
            from vmes_audit.engine.pack import load_pack
            from vmes_audit.pseudonymise import JSON_ONLY_WARNING, default_mapping_path, pseudonymised_outputs

            if not (mapping or default_mapping_path(output)).exists():
                typer.echo(f"Avertissement : {JSON_ONLY_WARNING}")
            report, mapping_file = pseudonymised_outputs(report, output, mapping, pack=load_pack(pack))
    except AuditError as exc:
        _fail(str(exc))
    _source_date_epoch(report.generated_on)
    try:
        written = write_outputs(report, output, wanted)
    except OSError as exc:
        _fail(f"impossible d'écrire dans « {output} » ({exc.strerror or exc}).")
    _echo_evolution(report)
    for kind in sorted(written):
        typer.echo(f"Écrit : {written[kind]}")
    if mapping_file is not None:
        typer.echo(f"Table de correspondance des pseudonymes (à conserver, ne pas transmettre) : {mapping_file}")


def _echo_evolution(report) -> None:
    from vmes_audit.compare import evolution_summary

    if report.comparison is None:
        return
    typer.echo(evolution_summary(report.comparison))
    if report.comparison.pack_note:
        typer.echo(f"Avertissement : {report.comparison.pack_note}")
    for warning in report.comparison.warnings:
        typer.echo(f"Avertissement : {warning}")


def _source_date_epoch(day_fr: str) -> None:
    """weasyprint stamps the PDF with this date: same inputs and date, same PDF bytes."""
    import os
    from datetime import datetime, timezone

    try:
        day, month, year = (int(x) for x in day_fr.split("/"))
        stamp = datetime(year, month, day, tzinfo=timezone.utc)
    except ValueError:
        return
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(int(stamp.timestamp())))


@app.command("batch", help="Analyse un dossier de clients (un sous-dossier par client) : un rapport par client "
                           "dans SORTIE/<client>/ et le portefeuille SORTIE/portefeuille.html et .csv. "
                           "Code de sortie : 0 si chaque dossier a été analysé, 1 si au moins un dossier n'a pas "
                           "pu l'être (il figure dans le portefeuille avec la raison), 2 si le dossier est "
                           "inutilisable.")
def batch_command(
    folder: Annotated[Path, typer.Argument(help="Dossier contenant un sous-dossier par client.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Dossier de sortie.")] = Path("out"),
    formats: Annotated[str, typer.Option("--format", help="Formats séparés par des virgules : pdf,html,json,csv.")
                       ] = "pdf,html,json,csv",
    pack: Annotated[Optional[Path], typer.Option("--pack", help="Dossier du pack de règles.")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Nombre de processus d'analyse "
                                                   "(par défaut : un par cœur).")] = None,
    report_date: Annotated[Optional[str], typer.Option("--date", help="Date des rapports (AAAA-MM-JJ).")] = None,
) -> None:
    from datetime import date

    from vmes_audit.batch import EXIT_SOME_FAILED, EXIT_UNUSABLE, run_batch
    from vmes_audit.batch_progress import batch_progress

    wanted = {f.strip().lower() for f in formats.split(",") if f.strip()}
    if not wanted or wanted - FORMATS:
        _fail(f"format inconnu : {', '.join(sorted(wanted - FORMATS)) or '(aucun)'} "
              "(formats possibles : pdf, html, json, csv).")
    if "json" not in wanted:
        wanted.add("json")  # the next batch compares with it
    try:
        today = date.fromisoformat(report_date) if report_date else date.today()
    except ValueError:
        _fail(f"date invalide « {report_date} » (format attendu : AAAA-MM-JJ).")
    _source_date_epoch(today.strftime("%d/%m/%Y"))
    try:
        with batch_progress() as progress:
            results = run_batch(folder, output, wanted, pack_dir=pack, workers=workers, today=today,
                                progress=progress)
    except AuditError as exc:
        _fail(str(exc), EXIT_UNUSABLE)
    except OSError as exc:
        _fail(f"impossible d'écrire dans « {output} » ({exc.strerror or exc}).", EXIT_UNUSABLE)
    failed = [r for r in results if not r.ok]
    typer.echo(f"Portefeuille : {output / 'portefeuille.html'} ({len(results)} client(s), "
               f"{len(failed)} dossier(s) impossible(s) à analyser)")
    for result in failed:
        typer.echo(f"Erreur : {result.customer} : {result.error}", err=True)
    if failed:
        raise typer.Exit(EXIT_SOME_FAILED)


@app.command(help="Affiche les tables de faits extraites des collectes (aide au diagnostic).")
def facts(
    inputs: Annotated[list[Path], typer.Argument(help="Collectes (zip, dossiers, fichiers isolés).")],
    table: Annotated[Optional[str], typer.Option("--table", help="Une seule table (ex. host, disks).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json ou csv.")] = "json",
) -> None:
    from vmes_audit.collection import load_inputs
    from vmes_audit.facts import TABLES, build_facts

    if fmt not in ("json", "csv"):
        _fail("format inconnu : utilisez json ou csv.")
    if table is not None and table not in TABLES:
        _fail(f"table inconnue « {table} » (tables : {', '.join(sorted(TABLES))}).")
    try:
        built = build_facts(load_inputs(inputs))
    except AuditError as exc:
        _fail(str(exc))
    names = [table] if table else sorted(TABLES)
    if fmt == "csv":
        if len(names) > 1:
            _fail("le format csv demande une seule table (--table).")
        frame = built.table(names[0]).drop(columns=["provenance"], errors="ignore")
        frame.to_csv(sys.stdout, index=False)
        return
    out = {}
    for name in names:
        frame = built.table(name)
        out[name] = json.loads(frame.to_json(orient="records", force_ascii=False, default_handler=str))
    if table:
        out = out[table]
    typer.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))


def _load(pack: Optional[Path]):
    from vmes_audit.engine.pack import load_pack

    try:
        return load_pack(pack)
    except PackError as exc:
        _fail(str(exc), 1)


@rules_app.command("list", help="Liste les règles du pack.")
def rules_list(
    pack: Annotated[Optional[Path], typer.Option("--pack", help="Dossier du pack.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text ou json.")] = "text",
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
def rules_show(rule_id: Annotated[str, typer.Argument(help="Identifiant de la règle.")],
               pack: Annotated[Optional[Path], typer.Option("--pack", help="Dossier du pack.")] = None) -> None:
    import yaml

    loaded = _load(pack)
    rule = loaded.rule(rule_id)
    if rule is None:
        _fail(f"règle inconnue « {rule_id} » (voir « vmes-audit rules list »).")
    data = rule.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    typer.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))


@rules_app.command("lint", help="Vérifie tous les packs et signale tous les problèmes d'un coup.")
def rules_lint(pack: Annotated[Optional[list[Path]], typer.Option("--pack", help="Dossier(s) de pack "
                                                                  "(par défaut : tous ceux de rules/).")] = None
               ) -> None:
    from vmes_audit.engine.cases import run_cases
    from vmes_audit.engine.pack import load_pack, rules_root

    folders = pack or sorted(p.parent for p in rules_root().glob("*/pack.yaml"))
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
        raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    app()
