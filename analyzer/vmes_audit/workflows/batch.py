"""``vmes-audit batch DIR -o OUT``: one report per customer, and the portfolio.

Each sub-folder of ``DIR`` is one customer and holds what that customer sent
(its zips, collection folders or loose files)::

    DIR/exemple-btp/VMES-VMES05-….zip        →  OUT/exemple-btp/rapport-vmes.pdf, .html, resultats.json, .csv
    DIR/exemple-sante/…                       →  OUT/exemple-sante/…
                                                 OUT/portefeuille.html, OUT/portefeuille.csv

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

from vmes_audit.base.errors import AuditError, InputError

__all__ = ["CustomerResult", "customer_folders", "analyse_customer", "run_batch", "attention_key",
           "EXIT_SOME_FAILED", "EXIT_UNUSABLE"]

EXIT_SOME_FAILED, EXIT_UNUSABLE = 1, 2  # the batch command's own codes (its help says so)
_VERDICT_RANK = {"non_pret": 0, "pret_sous_reserve": 1, "pret": 2}


@dataclass
class CustomerResult:
    customer: str
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


def customer_folders(root: Path, out: Path | None = None) -> list[Path]:
    """The customer folders of ``root`` (hidden folders and the output folder excluded)."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"« {root} » n'est pas un dossier : indiquez le dossier qui contient un sous-dossier "
                         "par client.")
    skip = Path(out).resolve() if out is not None else None
    try:
        entries = sorted(root.iterdir(), key=lambda p: p.name.casefold())
    except OSError as exc:
        raise InputError(f"le dossier « {root} » est illisible ({exc.strerror or exc}).") from None
    folders = [p for p in entries if p.is_dir() and not p.name.startswith(".") and p.resolve() != skip]
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
                     today: date) -> CustomerResult:
    """Analyse one customer folder and write its report; never raises (runs in a worker)."""
    from vmes_audit.assessment.run import run_assessment
    from vmes_audit.assessment.compare import load_previous, status_counts
    from vmes_audit.base.findings import VERDICT_LABELS, State
    from vmes_audit.base.french import format_date
    from vmes_audit.report.render import write_outputs
    from vmes_audit.report.view import is_blocking

    start = time.perf_counter()
    name = folder.name
    target = out_root / name
    result = CustomerResult(customer=name, ok=False, report_dir=name)
    try:
        previous = None
        earlier = target / "resultats.json"
        if earlier.is_file():
            try:
                previous = load_previous(earlier)
            except InputError as exc:
                result.warnings.append(f"résultat précédent ignoré : {exc}")
        assessed = run_assessment([folder], pack_dir=pack_dir, client=name, today=today, previous=previous)
        report = assessed.report
        if previous is not None:
            history = target / "historique"
            history.mkdir(parents=True, exist_ok=True)
            stamp = previous.report_date().isoformat()
            shutil.copy2(earlier, history / f"resultats-{stamp}.json")
        written = write_outputs(report, target, formats)
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
        result.error = f"écriture impossible dans « {target} » ({exc.strerror or exc})."
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
              progress: Callable[[CustomerResult, int, int], None] | None = None) -> list[CustomerResult]:
    """Analyse every customer folder of ``root`` into ``out`` and write the portfolio.
    Returns the results in the portfolio's order. Raises :class:`InputError` when ``root``
    is unusable (nothing is written then)."""
    from vmes_audit.engine.pack import load_pack
    from vmes_audit.report.portfolio import write_portfolio

    out = Path(out)
    folders = customer_folders(root, out)
    load_pack(pack_dir)  # a broken pack fails once, here, not once per customer
    out.mkdir(parents=True, exist_ok=True)
    today = today or date.today()
    workers = max(1, min(workers or os.cpu_count() or 1, len(folders)))
    results: list[CustomerResult] = []
    if workers == 1:
        for folder in folders:
            results.append(analyse_customer(folder, out, formats, pack_dir, today))
            if progress:
                progress(results[-1], len(results), len(folders))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(analyse_customer, folder, out, formats, pack_dir, today): folder
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
