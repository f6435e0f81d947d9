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


# Exit codes (README, "Using it"; docs/collection-format.md §1): 0 a report was written (whatever the verdict, even with
# unreadable inputs or artifacts, which the report lists); 1 rule-pack problems (rules lint); 2 nothing
# could be analysed (no readable input, invalid option or rule pack, output folder not writable);
# 3 unexpected internal error before any report could be written.
EXIT_OK, EXIT_PACK, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def _say(text: str, err: bool = False) -> None:
    """Print a line whose content may come from a customer's zip: control characters escaped."""
    from vmes_audit.encoding import printable

    typer.echo("\n".join(printable(line) for line in str(text).split("\n")), err=err)


def _fail(message: str, code: int = EXIT_INPUT) -> None:
    _say(f"Erreur : {message}", err=True)
    raise typer.Exit(code)


def _internal(exc: BaseException, what: str = "Aucun rapport n'a pu être écrit") -> None:
    """An unexpected error: a French message and exit code 3, never a traceback."""
    detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    _fail(f"erreur interne inattendue de l'analyseur ({type(exc).__name__}{' : ' + detail if detail else ''}). "
          f"{what} ; merci de transmettre ce message et les collectes à l'équipe vmes-audit.", EXIT_INTERNAL)


_FIRST_DAY, _LAST_DAY = (2000, 1, 1), (2099, 12, 31)


def _report_date(text: str | None):
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

    def __init__(self, day) -> None:
        from datetime import datetime, timezone

        self.value = str(int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()))

    def __enter__(self) -> None:
        import os

        self.saved = os.environ.get("SOURCE_DATE_EPOCH")
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
) -> None:
    from vmes_audit.assessment import run_assessment
    from vmes_audit.engine.waivers import load_waivers

    wanted = {f.strip().lower() for f in formats.split(",") if f.strip()}
    if not wanted or wanted - FORMATS:
        _fail(f"format inconnu : {', '.join(sorted(wanted - FORMATS)) or '(aucun)'} "
              "(formats possibles : pdf, html, json, csv).")
    today, date_warning = _report_date(report_date)
    try:
        waiver_list = load_waivers(waivers) if waivers else None
        result = run_assessment(inputs, pack_dir=pack, client=client, waivers=waiver_list, today=today,
                                overrides={"service_account": account, "users": users})
    except AuditError as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - never a traceback
        _internal(exc)
    from vmes_audit.report.render import write_outputs
    from vmes_audit.models import VERDICT_LABELS

    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"impossible d'écrire dans « {output} » ({exc.strerror or exc}).")
    written: dict = {}
    failures: list[str] = []
    with _SourceDateEpoch(today):
        for fmt in ("json", "csv", "html", "pdf"):  # one format that fails does not stop the others
            if fmt not in wanted:
                continue
            try:
                written.update(write_outputs(result.report, output, {fmt}))
            except OSError as exc:
                failures.append(f"rapport {fmt.upper()} non écrit dans « {output} » ({exc.strerror or exc})")
            except Exception as exc:  # noqa: BLE001
                failures.append(f"rapport {fmt.upper()} non écrit : erreur interne ({type(exc).__name__} : "
                                f"{str(exc)[:200]})")
    report = result.report
    if not written:
        _fail(" ; ".join(failures), EXIT_INTERNAL if any("interne" in f for f in failures) else EXIT_INPUT)
    _say(f"Verdict : {VERDICT_LABELS[report.verdict]}")
    counts: dict[str, int] = {}
    for finding in report.findings:
        counts[finding.state.value] = counts.get(finding.state.value, 0) + 1
    _say("Résultats : " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for warning in ([date_warning] if date_warning else []) + list(report.warnings):
        _say(f"Avertissement : {warning}")
    for kind in sorted(written):
        _say(f"Écrit : {written[kind]}")
    for failure in failures:
        _say(f"Erreur : {failure}", err=True)


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
        names = [table] if table else sorted(TABLES)
        if fmt == "csv":
            if len(names) > 1:
                _fail("le format csv demande une seule table (--table).")
            frame = built.table(names[0]).drop(columns=["provenance"], errors="ignore")
            (frame.map(_jsonable) if not frame.empty else frame).to_csv(sys.stdout, index=False)
            return
        out = {name: [{k: _jsonable(v) for k, v in row.items()} for row in built.table(name).to_dict("records")]
               for name in names}
        text = json.dumps(out[table] if table else out, ensure_ascii=False, indent=2, default=str)
    except AuditError as exc:
        _fail(str(exc))
    except typer.Exit:
        raise
    except BrokenPipeError:  # "vmes-audit facts … | head": the reader left, nothing is wrong
        raise typer.Exit(EXIT_OK)
    except Exception as exc:  # noqa: BLE001 - never a traceback
        _internal(exc, "Les tables de faits n'ont pas pu être affichées")
    typer.echo(text)


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
