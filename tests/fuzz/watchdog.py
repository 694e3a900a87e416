"""A watchdog for inputs that might hang: the call runs in a thread, and a call still
running after a generous limit fails the test as a hang. Nothing here measures speed:
the limit is a liveness bound, tens of times what a finished call takes."""

from __future__ import annotations

import faulthandler
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

import pytest

from neurosym.errors import NeurosymError

__all__ = ["HANG_LIMIT_S", "HANG_REPORT", "Outcome", "bounded", "ends_cleanly"]

T = TypeVar("T")

#: Seconds after which a call counts as a hang.
HANG_LIMIT_S = 30.0
#: Where the tracebacks of a run ended by a hang in C code are written.
HANG_REPORT = Path(tempfile.gettempdir()) / "neurosym-hang-report.txt"
_REPORT: list[IO[str]] = []


def _report() -> IO[str]:
    if not _REPORT:
        _REPORT.append(HANG_REPORT.open("w", encoding="utf-8"))
    return _REPORT[0]


class Outcome:
    """What a bounded call ended with: a value, or the exception it raised."""

    def __init__(self) -> None:
        self.value: Any = None
        self.error: BaseException | None = None
        self.done = threading.Event()


def bounded(func: Callable[[], T], limit: float = HANG_LIMIT_S) -> Outcome:
    """Run ``func`` in a daemon thread; fail the test if it has not ended in ``limit``."""
    outcome = Outcome()

    def target() -> None:
        try:
            outcome.value = func()
        except BaseException as err:  # noqa: BLE001 - handed to the caller to judge
            outcome.error = err
        finally:
            outcome.done.set()

    threading.Thread(target=target, daemon=True, name="watchdog-case").start()
    # A call stuck in C code that holds the GIL (a backtracking regex) would keep this
    # thread from ever failing the test: faulthandler's own thread needs no GIL, and ends
    # the run (exit status 1) if the call outlives twice the limit, with every thread's
    # traceback in HANG_REPORT (pytest captures the standard error at that moment).
    faulthandler.dump_traceback_later(2 * limit, exit=True, file=_report())
    try:
        if not outcome.done.wait(limit):
            pytest.fail(f"hang: the call did not end within {limit:g} s")
    finally:
        faulthandler.cancel_dump_traceback_later()
    return outcome


def ends_cleanly(func: Callable[[], T], limit: float = HANG_LIMIT_S) -> Outcome:
    """The call ends, with a result or a NeurosymError, never another exception."""
    outcome = bounded(func, limit)
    error = outcome.error
    if error is not None and not isinstance(error, NeurosymError):
        raise AssertionError(f"{type(error).__name__} escaped instead of a NeurosymError: "
                             f"{error}") from error
    return outcome
