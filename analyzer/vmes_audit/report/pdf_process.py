"""The PDF made in a second process, started before the analysis (``analyze``).

Importing weasyprint costs about half a second (its C declarations are
parsed by cffi at import), and the analysis about as much. A forked child
process imports weasyprint while the parent reads the collections and
evaluates the rules; then it receives the report's HTML, lays it out and
sends the PDF's bytes back. On a machine with two cores, ``analyze`` then
takes the time of the longer of the two, not of both.

It only changes *where* the PDF is made: the same HTML, the same
``SOURCE_DATE_EPOCH`` and temporary folder (inherited at the fork), the same
bytes. The parent still writes every file (``base/output_folder.py``). The
child never writes anything and exits without a word on any problem: it
replies ``("unavailable", detail)`` when weasyprint cannot be loaded (the
parent then raises :class:`~vmes_audit.report.render.PdfUnavailable`) and
``("error", text)`` on an unexpected exception (re-raised in the parent as
:class:`PdfProcessError`). Ctrl-C, ``kill`` or an error in the parent
terminates it (:meth:`PdfProcess.close`).

Without ``fork`` (Windows, macOS' default) or with ``VMES_AUDIT_PDF_PROCESS=off``,
``report.render.start_pdf_process`` returns None and the PDF is made in the process itself.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["PdfProcess", "PdfProcessError", "fork_available"]


class PdfProcessError(RuntimeError):
    """The child process failed in an unexpected way (a bug: the CLI reports an internal error)."""


def _child(conn: Connection, prepare: Callable[[], Any], write: Callable[[str, Any], None],
           unavailable: type[Exception]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it terminates this process
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        try:
            prepare()
            problem = ""
        except unavailable as exc:
            problem = getattr(exc, "detail", str(exc))
        html = conn.recv()
        if html is None:
            return
        if problem:
            conn.send(("unavailable", problem))
            return
        import io

        buffer = io.BytesIO()
        write(html, buffer)
        conn.send(("ok", buffer.getvalue()))
    except (EOFError, BrokenPipeError):
        pass  # the parent left: nothing to say to anyone
    except KeyboardInterrupt:  # raised by the code itself (SIGINT is ignored here): the run is interrupted
        try:
            conn.send(("interrupted", ""))
        except (OSError, ValueError):
            pass
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which reports it
        try:
            conn.send(("error", f"{type(exc).__name__} : {exc}"))
        except (OSError, ValueError):
            pass
    finally:
        conn.close()


class PdfProcess:
    """A forked child that imports weasyprint now and renders one HTML document later.

    ``prepare`` loads the PDF engine (raising ``unavailable`` when it cannot), ``write(html, file)``
    writes one document's PDF: ``report/render.py`` gives its own (``start_pdf_process``).
    """

    def __init__(self, prepare: Callable[[], Any], write: Callable[[str, Any], None],
                 unavailable: type[Exception]) -> None:
        context = multiprocessing.get_context("fork")
        self._unavailable = unavailable
        self._conn, child_end = context.Pipe()
        self._process = context.Process(target=_child, args=(child_end, prepare, write, unavailable), daemon=True,
                                        name="vmes-audit-pdf")
        self._process.start()
        child_end.close()
        self._used = False  # the HTML was sent
        self._done = False  # the reply came back

    def submit(self, html: str) -> None:
        """Send the document to lay out; the process works on it while this one writes the rest."""
        if self._used:
            raise PdfProcessError("le processus du PDF ne rend qu'un document")
        self._used = True
        try:
            self._conn.send(html)
        except OSError:
            pass  # the process ended already (it could not start, or was interrupted): result() reads why

    def result(self) -> bytes:
        """The PDF of the submitted document; raises ``unavailable`` or :class:`PdfProcessError`."""
        try:
            kind, payload = self._conn.recv()
            self._done = True
        except (EOFError, OSError) as exc:
            raise PdfProcessError(f"le processus du PDF s'est arrêté ({type(exc).__name__})") from None
        if kind == "ok":
            return payload
        if kind == "unavailable":
            raise self._unavailable(payload)
        if kind == "interrupted":
            from vmes_audit.base.interrupts import Interrupted

            raise Interrupted()
        raise PdfProcessError(payload)

    def close(self) -> None:
        """Stop the child and wait for it (its temporary files are then removable): at once when
        it is still laying a document out (an interrupt, an error), after its import otherwise."""
        if self._used and not self._done:
            self._process.terminate()
        else:
            try:
                if not self._used:
                    self._conn.send(None)
            except (OSError, ValueError):
                pass
        self._conn.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(timeout=5)

    def __enter__(self) -> PdfProcess:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def fork_available() -> bool:
    """Whether a :class:`PdfProcess` can start here: ``fork`` is the way (Linux), and not switched off."""
    if os.environ.get("VMES_AUDIT_PDF_PROCESS", "").lower() in ("off", "0", "non", "no"):
        return False
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
