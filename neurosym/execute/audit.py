"""The audit log: one JSON line per call attempt, refusal or dry-run step.

Each line holds the time, the step, the tool, a keyed digest of the arguments (never the
arguments themselves, which may be private), the outcome, the latency and the attempt.
The executor writes a ``started`` line before every call attempt and the outcome after
it, so no call runs unrecorded. The ``error`` field names the kind of failure only
(``ValueError``, ``PolicyError``): messages may quote argument values.

>>> import io
>>> out = io.StringIO()
>>> log = AuditLog(out)
>>> _ = log.write(step=0, tool="get_balance", args={}, outcome="ok", latency_ms=1.5, attempt=1)
>>> import json; sorted(json.loads(out.getvalue()))
['args_digest', 'attempt', 'error', 'latency_ms', 'outcome', 'step', 'timestamp', 'tool']
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import IO, Any, Literal

from ..errors import ExecutionError
from .digest import argument_digest

__all__ = ["AuditLog", "AuditRecord", "Outcome"]

Outcome = Literal["started", "ok", "error", "denied", "timeout", "late-ok", "late-error",
                  "dry-run"]


@dataclass(frozen=True)
class AuditRecord:
    """One line of the audit log."""

    timestamp: str
    step: int
    tool: str
    args_digest: str
    outcome: Outcome
    latency_ms: float
    attempt: int
    error: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


class AuditLog:
    """Writes records as JSON lines to a path (appending), a text file object, or nowhere;
    every record is also kept in memory (``records``). Safe to share between threads.

    ``key`` keys the argument digests (HMAC-SHA256); by default each log draws its own,
    so equal calls match within one log and a digest reveals nothing without the key.
    """

    def __init__(self, target: str | os.PathLike[str] | IO[str] | None = None, *,
                 key: bytes | None = None) -> None:
        self._target = target
        self._records: list[AuditRecord] = []
        self._lock = threading.Lock()
        self.key = os.urandom(32) if key is None else bytes(key)
        if isinstance(target, (str, os.PathLike)):
            where = os.fspath(target)
            parent = os.path.dirname(where)
            if parent and not os.path.isdir(parent):
                raise ExecutionError(f"cannot write the audit log to {where!r}: "
                                     "its folder does not exist",
                                     hint="create the folder, or give another path")
            # A log that cannot be written is found now, before any call is made.
            try:
                with open(where, "a", encoding="utf-8"):
                    pass
            except OSError as err:
                raise ExecutionError(f"cannot write the audit log to {where!r}: "
                                     f"{err.strerror or err}",
                                     hint="give the path of a file that can be appended to"
                                     ) from None
        elif target is not None and not callable(getattr(target, "write", None)):
            raise ExecutionError(f"cannot write the audit log to {target!r}",
                                 hint="give a path or a text file object")

    @classmethod
    def coerce(cls, value: AuditLog | str | os.PathLike[str] | IO[str] | None) -> AuditLog:
        """An AuditLog as given, or one writing to the given path or file."""
        return value if isinstance(value, AuditLog) else cls(value)

    @property
    def records(self) -> list[AuditRecord]:
        with self._lock:
            return list(self._records)

    def write(self, *, step: int, tool: str, args: Mapping[str, Any], outcome: Outcome,
              latency_ms: float, attempt: int, error: str | None = None) -> AuditRecord:
        """Record one event and write its line."""
        record = AuditRecord(
            timestamp=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds"),
            step=step, tool=tool, args_digest=argument_digest(args, self.key), outcome=outcome,
            latency_ms=round(latency_ms, 3), attempt=attempt, error=error)
        line = record.to_json() + "\n"
        with self._lock:
            self._records.append(record)
            if isinstance(self._target, (str, os.PathLike)):
                with open(self._target, "a", encoding="utf-8") as handle:
                    handle.write(line)
            elif self._target is not None:
                self._target.write(line)
                flush = getattr(self._target, "flush", None)
                if callable(flush):
                    flush()
        return record
