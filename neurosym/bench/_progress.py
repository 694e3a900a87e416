"""A plain-text progress line on stderr: redrawn in place on a terminal, a few lines in a log."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Counts finished entries and shows how many, how fast and how well so far.

    >>> import io
    >>> out = io.StringIO()
    >>> bar = Progress("simple [free]", total=2, stream=out, width=4)
    >>> bar.advance(correct=True); bar.advance(correct=False); bar.close()
    >>> out.getvalue().splitlines()[-1].split(" eta")[0]
    'simple [free] 2/2 [####] acc 50.0%'
    """

    def __init__(self, label: str, total: int, *, stream: TextIO | None = None,
                 enabled: bool = True, width: int = 24) -> None:
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.width = width
        self.done = 0
        self.correct = 0
        self._start = time.perf_counter()
        self._live = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_decile = -1

    def advance(self, *, correct: bool) -> None:
        self.done += 1
        self.correct += int(correct)
        if not self.enabled:
            return
        if self._live:
            self.stream.write("\r" + self._line())
            self.stream.flush()
            return
        decile = self.done * 10 // max(self.total, 1)
        if decile != self._last_decile:
            self._last_decile = decile
            self.stream.write(self._line() + "\n")

    def close(self) -> None:
        if self.enabled and self._live:
            self.stream.write("\n")
            self.stream.flush()

    def _line(self) -> str:
        filled = self.done * self.width // max(self.total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        accuracy = 100.0 * self.correct / self.done if self.done else 0.0
        elapsed = time.perf_counter() - self._start
        per_entry = elapsed / self.done if self.done else 0.0
        remaining = per_entry * (self.total - self.done)
        return (f"{self.label} {self.done}/{self.total} [{bar}] acc {accuracy:.1f}%"
                f" eta {remaining:.0f}s ({per_entry:.2f}s/entry)")
