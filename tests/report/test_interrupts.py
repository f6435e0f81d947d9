"""vmes_audit.base.interrupts: a Ctrl-C swallowed by a finalizer still cancels the run (seen under load)."""

from __future__ import annotations

import gc
import signal
from pathlib import Path

import pytest

from vmes_audit.base import interrupts
from vmes_audit.base.output_folder import OutputFolder

# the interpreter reports the exception it drops in the finalizer: that is the situation under test
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


class _SignalInFinalizer:
    """Sends the signal from its ``__del__``: Python prints the exception there and drops it."""

    def __init__(self, signum: int) -> None:
        self.signum = signum

    def __del__(self) -> None:
        signal.raise_signal(self.signum)


def _swallow(signum: int) -> None:
    obj = _SignalInFinalizer(signum)
    del obj  # the handler's exception is "ignored" by the interpreter, not raised here
    gc.collect()


@pytest.mark.parametrize("signum,kind", [(signal.SIGINT, interrupts.Interrupted),
                                         (signal.SIGTERM, interrupts.Terminated)])
def test_a_swallowed_signal_is_raised_again_at_the_checkpoint(signum: int, kind: type) -> None:
    with interrupts.interruptible():
        _swallow(signum)
        assert interrupts.pending() == signum
        with pytest.raises(kind):
            interrupts.check()
    assert interrupts.pending() is None  # the next run starts clean
    interrupts.check()  # outside any run: nothing pending, nothing raised


def test_the_exceptions_are_not_plain_keyboard_interrupts() -> None:
    # CPython kills itself with SIGINT at exit after an unhandled *plain* KeyboardInterrupt;
    # the run's own classes keep the CLI's exit codes (130, 143) while every cleanup still applies
    assert issubclass(interrupts.Interrupted, KeyboardInterrupt)
    assert interrupts.Interrupted is not KeyboardInterrupt
    assert issubclass(interrupts.Terminated, interrupts.Interrupted)


def test_the_handlers_are_restored_after_the_run() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with interrupts.interruptible():
        assert signal.getsignal(signal.SIGINT) is not before[0]
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_a_report_is_not_replaced_after_a_swallowed_ctrl_c(tmp_path: Path) -> None:
    (tmp_path / "resultats.json").write_text("précédent", encoding="utf-8")
    with interrupts.interruptible():
        with OutputFolder(tmp_path, ["resultats.json"]) as folder:
            with folder.staged("resultats.json") as handle:
                handle.write(b"{}")
            _swallow(signal.SIGINT)
            with pytest.raises(interrupts.Interrupted):
                folder.commit()
    assert (tmp_path / "resultats.json").read_text(encoding="utf-8") == "précédent"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["resultats.json"]
