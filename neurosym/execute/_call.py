"""Calling a tool with a deadline: the call runs in a daemon thread that is waited on for
at most the timeout, so a hanging tool costs its thread, never the run."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_ABANDONED", "Attempt", "abandoned_calls", "call_with_timeout"]

#: Calls given up on whose threads may still run, at most, in this process: past it no
#: call starts (a thread cannot be killed, so each costs its memory until it ends).
MAX_ABANDONED = 16
_ABANDONED_LOCK = threading.Lock()
_abandoned = 0


def abandoned_calls() -> int:
    """How many calls that timed out are still running."""
    with _ABANDONED_LOCK:
        return _abandoned


def _count_abandoned(change: int) -> None:
    global _abandoned
    with _ABANDONED_LOCK:
        _abandoned += change


@dataclass(frozen=True)
class Attempt:
    """What one call did: its value or exception, or that it ran out of time."""

    value: Any = None
    error: BaseException | None = None
    timed_out: bool = False
    latency_ms: float = 0.0


def call_with_timeout(func: Callable[..., Any], kwargs: Mapping[str, Any], timeout_s: float,
                      name: str = "tool",
                      on_late: Callable[[Attempt], None] | None = None) -> Attempt:
    """Call ``func(**kwargs)``; give up waiting after ``timeout_s`` seconds.

    A call given up on may still end; ``on_late`` then receives what it did (from the
    call's own thread), so a late outcome is never lost.
    """
    box: dict[str, Any] = {}
    done = threading.Event()
    lock = threading.Lock()
    state = {"finished": False, "abandoned": False}
    start = time.perf_counter()

    def target() -> None:
        try:
            box["value"] = func(**kwargs)
        except BaseException as exc:  # reported to the caller, never lost in the thread
            box["error"] = exc
        finally:
            with lock:
                state["finished"] = True
                late = state["abandoned"]
            done.set()
        if late:
            _count_abandoned(-1)
        if late and on_late is not None:
            on_late(Attempt(value=box.get("value"), error=box.get("error"),
                            latency_ms=(time.perf_counter() - start) * 1000.0))

    thread = threading.Thread(target=target, name=f"neurosym-{name}", daemon=True)
    thread.start()
    done.wait(timeout_s)
    latency = (time.perf_counter() - start) * 1000.0
    with lock:
        # Decided under the lock: either the caller sees the outcome, or on_late does.
        if not state["finished"]:
            state["abandoned"] = True
            _count_abandoned(+1)
            return Attempt(timed_out=True, latency_ms=latency)
    return Attempt(value=box.get("value"), error=box.get("error"), latency_ms=latency)
