"""Progress of ``vmes-audit batch``: a rich progress bar on a terminal, one plain
line per customer otherwise (a log file, CI), so the output stays readable.

>>> import io
>>> stream = io.StringIO()
>>> with batch_progress(stream=stream, terminal=False) as tick:
...     tick(type("R", (), {"customer": "exemple-btp", "ok": True, "verdict_label": "Non prêt",
...                         "error": "", "seconds": 2.5})(), 1, 3)
>>> stream.getvalue()
'[1/3] exemple-btp : Non prêt (2,5 s)\\n'
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator, TextIO

__all__ = ["batch_progress", "plain_line"]


def plain_line(result, done: int, total: int) -> str:
    status = result.verdict_label if result.ok else f"analyse impossible : {result.error}"
    return f"[{done}/{total}] {result.customer} : {status} ({str(result.seconds).replace('.', ',')} s)"


@contextmanager
def batch_progress(stream: TextIO | None = None, terminal: bool | None = None) -> Iterator[Callable]:
    stream = stream or sys.stdout
    if terminal is None:
        terminal = stream.isatty()
    if not terminal:
        def tick(result, done: int, total: int) -> None:
            print(plain_line(result, done, total), file=stream, flush=True)

        yield tick
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=stream)
    with Progress(TextColumn("Analyse des clients"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=console, transient=False) as bar:
        task = bar.add_task("", total=None)

        def tick(result, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=result.customer)
            if not result.ok:
                bar.console.print(f"[red]Analyse impossible[/red] : {result.customer} : {result.error}",
                                  markup=True, highlight=False)

        yield tick
