"""``vmes-audit batch DIR -o OUT``: one report per customer, and the portfolio.

Each sub-folder of ``DIR`` is one customer and holds what that customer sent
(its zips, collection folders or loose files)::

    DIR/exemple-btp/VMES-VMES05-….zip        →  OUT/exemple-btp/rapport-vmes.pdf, .html, resultats.json, .csv
    DIR/exemple-sante/…                       →  OUT/exemple-sante/…
                                                 OUT/portefeuille.html, OUT/portefeuille.csv

A customer folder may hold ``vmes-audit.yaml`` (``workflows/settings.py``): the
client's name for the cover, the planned users, the service account, the
customer's answers (``questionnaire.yaml`` filled in) and presales' waivers,
files of that folder::

    client: "Exemple BTP"
    utilisateurs: 350
    reponses: questionnaire.yaml
    derogations: derogations.yaml

It comes on top of the presales settings given to the batch (``--settings``,
``--author``…). A customer folder that is a symbolic link is skipped and said
(``docs/collection-format.md``: a link is never followed out of the folder given).

The customers are analysed in worker processes (one per core by default).
When ``OUT/<customer>/resultats.json`` exists from an earlier batch, it is the
*previous audit*: the new report gets its « Évolution » section, the portfolio
its « depuis le dernier audit » column, and the earlier file is kept in
``OUT/<customer>/historique/``. A customer folder that cannot be analysed is
a line of the portfolio with the reason; it never stops the batch.

Exit code of the command: 0 when every customer folder was analysed (whatever
the verdicts), 1 when at least one could not be (see the portfolio), 2 when
``DIR`` itself cannot be read or holds no customer folder.
"""

from __future__ import annotations

import os
import shutil
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from typing import TYPE_CHECKING

from vmes_audit.base.errors import AuditError, InputError, os_error_text

if TYPE_CHECKING:
    from vmes_audit.workflows.settings import AnalysisSettings

__all__ = ["CustomerResult", "customer_folders", "analyse_customer", "run_batch", "attention_key",
           "EXIT_SOME_FAILED", "EXIT_UNUSABLE"]

EXIT_SOME_FAILED, EXIT_UNUSABLE = 1, 2  # the batch command's own codes (its help says so)
_VERDICT_RANK = {"non_pret": 0, "pret_sous_reserve": 1, "pret": 2}


@dataclass
class CustomerResult:
    customer: str  # the customer folder's name
    ok: bool
    error: str = ""
    verdict: str = ""
    verdict_label: str = ""
    collected_on: str = ""  # dd/mm/yyyy of the earliest collection
    blocking: int = 0  # bloquant/majeur findings that fail or are unknown (the summary's blocking points)
    unknown: int = 0  # findings « Non évaluable »
    since_last: str = ""  # French summary of the comparison, when an earlier result existed
    previous_date: str = ""
    evolution: dict[str, int] = field(default_factory=dict)
    report_dir: str = ""  # relative to OUT
    report_file: str = ""  # the report to open, relative to OUT (HTML, else PDF, else JSON)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    client: str = ""  # the name on the cover: vmes-audit.yaml's client, else the folder's name


def customer_folders(root: Path, out: Path | None = None, skipped: list[str] | None = None) -> list[Path]:
    """The customer folders of ``root`` (hidden folders and the output folder excluded). A symbolic
    link is never followed: it is left out, and said in ``skipped`` (French sentences)."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"« {root} » n'est pas un dossier : indiquez le dossier qui contient un sous-dossier "
                         "par client.")
    skip = Path(out).resolve() if out is not None else None
    try:
        entries = sorted(root.iterdir(), key=lambda p: p.name.casefold())
    except OSError as exc:
        raise InputError(f"le dossier « {root} » est illisible ({os_error_text(exc)}).") from None
    folders = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            if entry.is_dir() and skipped is not None:
                skipped.append(f"« {entry.name} » est un lien symbolique vers un dossier : il n'est pas suivi "
                               "(un lien n'est jamais suivi hors du dossier indiqué) ; ce client n'est pas analysé.")
            continue
        if entry.is_dir() and entry.resolve() != skip:
            folders.append(entry)
    if not folders:
        raise InputError(f"le dossier « {root} » ne contient aucun sous-dossier de client "
                         "(un sous-dossier par client, avec ses archives de collecte).")
    return folders


def _since_last(counts: dict[str, int], previous_date: str) -> str:
    parts = [f"{counts.get('corrige', 0)} corrigé(s)", f"{counts.get('nouveau', 0)} nouveau(x)",
             f"{counts.get('regresse', 0)} régressé(s)"]
    if counts.get("nouvelle_regle"):
        parts.append(f"{counts['nouvelle_regle']} de règle(s) nouvelle(s)")
    return f"depuis le {previous_date} : " + ", ".join(parts)


def analyse_customer(folder: Path, out_root: Path, formats: set[str], pack_dir: Path | None,
                     today: date, settings: "AnalysisSettings | None" = None) -> CustomerResult:
    """Analyse one customer folder and write its report; never raises (runs in a worker).
    ``settings``: the presales settings of the batch, under the folder's own ``vmes-audit.yaml``."""
    from vmes_audit.assessment.run import run_assessment
    from vmes_audit.assessment.compare import load_previous, status_counts
    from vmes_audit.engine.answers import load_answers
    from vmes_audit.engine.waivers import load_waivers
    from vmes_audit.workflows.settings import (CUSTOMER_SETTINGS_FILE, AnalysisSettings, load_settings,
                                               merge_settings)
    from vmes_audit.base.findings import VERDICT_LABELS, State
    from vmes_audit.base.french import format_date
    from vmes_audit.report.render import write_outputs
    from vmes_audit.report.view import is_blocking

    start = time.perf_counter()
    name = folder.name
    target = out_root / name
    result = CustomerResult(customer=name, ok=False, report_dir=name, client=name)
    try:
        own = folder / CUSTOMER_SETTINGS_FILE
        chosen = merge_settings(settings or AnalysisSettings(),
                                load_settings(own, confined=True) if own.exists() or own.is_symlink()
                                else AnalysisSettings())
        result.client = chosen.client or name
        previous = None
        earlier = target / "resultats.json"
        if earlier.is_file():
            try:
                previous = load_previous(earlier)
            except InputError as exc:
                result.warnings.append(f"résultat précédent ignoré : {exc}")
        assessed = run_assessment(
            [folder], pack_dir=pack_dir, client=result.client, today=today, previous=previous,
            overrides={"service_account": chosen.account, "users": chosen.users},
            answers=load_answers(chosen.answers) if chosen.answers else None,
            waivers=load_waivers(chosen.waivers) if chosen.waivers else None,
            answers_source=chosen.answers.name if chosen.answers else "",
            waivers_source=chosen.waivers.name if chosen.waivers else "")
        report = assessed.report
        if previous is not None:
            history = target / "historique"
            history.mkdir(parents=True, exist_ok=True)
            stamp = previous.report_date().isoformat()
            shutil.copy2(earlier, history / f"resultats-{stamp}.json")
        # the customer's own folder of the batch: a new collection replaces the earlier report (kept in historique/)
        written = write_outputs(report, target, formats, chosen.report_settings(), force=True)
        first = next((written[k] for k in ("html", "pdf", "json", "csv") if k in written), None)
        result.report_file = f"{name}/{first.name}" if first is not None else ""
        starts = sorted(h.started for h in report.hosts if h.started)
        result.ok = True
        result.verdict = report.verdict.value
        result.verdict_label = VERDICT_LABELS[report.verdict]
        result.collected_on = format_date(starts[0][:10]) if starts else ""
        result.blocking = sum(1 for f in report.findings if is_blocking(f))
        result.unknown = sum(1 for f in report.findings if f.state == State.UNKNOWN)
        if report.comparison is not None:
            counts = dict(status_counts(report.comparison))
            result.evolution = counts
            result.previous_date = report.comparison.previous_date
            result.since_last = _since_last(counts, report.comparison.previous_date)
    except AuditError as exc:
        result.error = str(exc)
    except OSError as exc:
        result.error = f"écriture impossible dans « {target} » ({os_error_text(exc)})."
    except Exception as exc:  # a bug must not stop the batch: the portfolio names it
        last = traceback.extract_tb(exc.__traceback__)[-1]
        result.error = (f"erreur interne de l'analyseur ({exc.__class__.__name__} dans "
                        f"{Path(last.filename).name}:{last.lineno}) : signalez-la avec ce dossier.")
    result.seconds = round(time.perf_counter() - start, 2)
    return result


def attention_key(result: CustomerResult) -> tuple:
    """What needs attention first: folders that could not be analysed, then Non prêt, most
    blocking points first, then most unknowns, then regressions; the name last."""
    return (result.ok, _VERDICT_RANK.get(result.verdict, -1), -result.blocking, -result.unknown,
            -result.evolution.get("regresse", 0), result.customer.casefold())


def run_batch(root: Path, out: Path, formats: set[str], *, pack_dir: Path | None = None,
              workers: int | None = None, today: date | None = None,
              progress: Callable[[CustomerResult, int, int], None] | None = None,
              settings: "AnalysisSettings | None" = None, skipped: list[str] | None = None) -> list[CustomerResult]:
    """Analyse every customer folder of ``root`` into ``out`` and write the portfolio.
    Returns the results in the portfolio's order; ``skipped`` receives a sentence per folder left
    out (a symbolic link). Raises :class:`InputError` when ``root`` is unusable (nothing is written then)."""
    from vmes_audit.engine.pack import load_pack
    from vmes_audit.report.portfolio import write_portfolio

    out = Path(out)
    folders = customer_folders(root, out, skipped)
    load_pack(pack_dir)  # a broken pack fails once, here, not once per customer
    out.mkdir(parents=True, exist_ok=True)
    today = today or date.today()
    workers = max(1, min(workers or os.cpu_count() or 1, len(folders)))
    results: list[CustomerResult] = []
    if workers == 1:
        for folder in folders:
            results.append(analyse_customer(folder, out, formats, pack_dir, today, settings))
            if progress:
                progress(results[-1], len(results), len(folders))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(analyse_customer, folder, out, formats, pack_dir, today, settings): folder
                       for folder in folders}
            for future in as_completed(futures):
                try:
                    results.append(future.result())
                except Exception as exc:  # the worker process died (memory, signal): say so, go on
                    results.append(CustomerResult(
                        customer=futures[future].name, ok=False, report_dir=futures[future].name,
                        error=f"le processus d'analyse s'est arrêté ({exc.__class__.__name__}) : relancez ce client "
                              "seul avec « vmes-audit analyze »."))
                if progress:
                    progress(results[-1], len(results), len(folders))
    results.sort(key=attention_key)
    write_portfolio(results, out, today)
    return results
