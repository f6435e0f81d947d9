"""Ctrl-C and ``kill`` during a run: every cleanup runs, the exit code says which, nothing is lost.

Inside :func:`interruptible`, SIGINT raises :class:`Interrupted` and SIGTERM
:class:`Terminated`, both subclasses of ``KeyboardInterrupt`` so that every
``finally`` and every ``except KeyboardInterrupt`` of the run applies. Two
details of CPython make the plain ``KeyboardInterrupt`` of the default
handler unreliable here (both were seen, under load, while weasyprint renders
the PDF: ``tests/report/test_interrupt_pdf.py``):

- when the signal lands inside a finalizer (``__del__`` of a temporary file,
  say), the exception is printed as "Exception ignored" and swallowed: the
  run went on and wrote its reports as if nothing had happened. The handler
  therefore also records the signal, and :func:`check`, called just before
  the new reports replace the previous ones (``OutputFolder.commit``), raises
  it again: an interrupted run never replaces a report;
- a plain ``KeyboardInterrupt`` that crossed a C extension's call back into
  Python can leave the interpreter flagged as "interrupted", and it then
  kills itself with SIGINT at exit, whatever exit code the CLI chose (-2
  instead of 130). The subclasses are not ``KeyboardInterrupt`` itself, which
  is all that flag looks at.

>>> with interruptible():
...     pending() is None
True
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["Interrupted", "Terminated", "interruptible", "check", "pending"]


class Interrupted(KeyboardInterrupt):
    """SIGINT (Ctrl-C) during a run."""


class Terminated(Interrupted):
    """SIGTERM (``kill``) during a run, raised like Ctrl-C so that every cleanup runs."""


_pending: list[int] = []  # the signals received inside interruptible(), first one first


def pending() -> int | None:
    """The first signal received in the current :func:`interruptible` block, or None."""
    return _pending[0] if _pending else None


def _exception(signum: int) -> Interrupted:
    return Terminated() if signum == getattr(signal, "SIGTERM", None) else Interrupted()


def check() -> None:
    """Raise the interruption a finalizer swallowed, if there was one."""
    if _pending:
        raise _exception(_pending[0])


def _handler(signum: int, frame) -> None:  # noqa: ARG001 - the signal handler signature
    _pending.append(signum)
    raise _exception(signum)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM unwind as :class:`Interrupted` / :class:`Terminated`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _pending.clear()
    wanted = [s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None]
    previous = {s: signal.signal(s, _handler) for s in wanted}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _pending.clear()
