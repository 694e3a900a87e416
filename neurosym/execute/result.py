"""What a run produced: one :class:`StepResult` per step, gathered in an ExecutionResult.

A step that did not succeed still has an observation, shaped as
``{"error": "<type>: <message>", "retryable": bool}``, so a model reading the results
can tell what failed and whether trying again could help.

>>> ok = StepResult(0, "get_balance", "bal", "ok", value=120.0)
>>> bad = StepResult(1, "transfer", None, "error", error="ValueError: no such account")
>>> ok.observation, bad.observation
(120.0, {'error': 'ValueError: no such account', 'retryable': False})
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from ..plan.ast import Plan
from ..redact import Secrets
from .audit import AuditRecord

__all__ = ["StepResult", "StepStatus", "ExecutionResult", "LateWrite", "LateOutcomes"]

StepStatus = Literal["ok", "error", "denied", "timeout", "blocked", "skipped", "dry-run"]


@dataclass(frozen=True)
class StepResult:
    """The fate of one step of the flattened plan.

    ``status``: ``ok``; ``error`` (the tool raised or returned the wrong type, or a
    reference could not be followed); ``denied`` (the policy or the gateway refused);
    ``timeout``; ``blocked`` (a step it reads from did not succeed); ``skipped`` (a write
    not started because something earlier failed); ``dry-run``. ``started`` and
    ``ended`` are seconds since the run began.
    """

    index: int
    tool: str
    bind: str | None
    status: StepStatus
    value: Any = None
    error: str | None = None
    retryable: bool = False
    args: Mapping[str, Any] | None = field(default=None, compare=False)
    batch: int = 0
    attempts: int = 0
    latency_ms: float = 0.0
    started: float | None = None
    ended: float | None = None
    origin: int | None = None
    idempotency_key: str | None = None
    call_text: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def label(self) -> str:
        """The name a plan uses for this step's result, or ``step N``."""
        return self.bind or f"step {self.index}"

    @property
    def observation(self) -> Any:
        """The value when ok; otherwise the structured error (or what a dry run would do)."""
        if self.status == "ok":
            return self.value
        if self.status == "dry-run":
            return {"dry_run": True, "would_call": self.call_text or self.tool,
                    "batch": self.batch}
        return {"error": self.error or self.status, "retryable": self.retryable}


@dataclass(frozen=True)
class LateWrite:
    """A write that ended after its timeout: the step was reported ``timeout``, yet the
    call went on and did this (``outcome`` ``ok`` or ``error``, with the error's redacted
    text). ``latency_ms`` is the call's whole time."""

    step: int
    tool: str
    outcome: Literal["ok", "error"]
    error: str | None = None
    latency_ms: float = 0.0
    attempt: int = 1


class LateOutcomes:
    """The late outcomes of one run's timed-out writes, filled from the calls' own threads
    after the run has returned. Safe to share between threads."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._expected: set[int] = set()
        self._done: list[LateWrite] = []

    def expect(self, step: int) -> None:
        """The write of ``step`` timed out and may still end."""
        with self._changed:
            self._expected.add(step)

    def add(self, late: LateWrite) -> None:
        with self._changed:
            self._done.append(late)
            self._changed.notify_all()

    @property
    def done(self) -> tuple[LateWrite, ...]:
        with self._changed:
            return tuple(sorted(self._done, key=lambda w: w.step))

    @property
    def pending(self) -> tuple[int, ...]:
        with self._changed:
            ended = {w.step for w in self._done}
            return tuple(sorted(self._expected - ended))

    def wait(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for every timed-out write to end; True when all did."""
        deadline = time.monotonic() + max(0.0, timeout_s)
        with self._changed:
            while self._expected - {w.step for w in self._done}:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True


@dataclass(frozen=True)
class ExecutionResult:
    """All steps of one run, in plan order, with the batches they ran in and the audit."""

    plan: Plan
    steps: tuple[StepResult, ...]
    batches: tuple[tuple[int, ...], ...]
    audit: tuple[AuditRecord, ...] = ()
    total_ms: float = 0.0
    dry_run: bool = False
    late: LateOutcomes = field(default_factory=LateOutcomes, compare=False, repr=False)
    #: The run's sensitive values, for redacting what is made of the result later
    #: (drawings, explanations); never shown.
    secrets: Secrets = field(default_factory=Secrets, compare=False, repr=False)

    def __repr__(self) -> str:
        # The plan holds the values it was written with: its secrets are redacted here too.
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
        return self.secrets.redact(f"ExecutionResult({shown})")

    @property
    def late_writes(self) -> tuple[LateWrite, ...]:
        """Writes that timed out but went on to end, with how they ended (as known now:
        a write still running joins when it ends; :meth:`settle` waits for them)."""
        return self.late.done

    @property
    def unsettled_writes(self) -> tuple[int, ...]:
        """Steps whose write timed out and has not ended yet: it may still take effect."""
        return self.late.pending

    def settle(self, timeout_s: float) -> tuple[LateWrite, ...]:
        """Wait up to ``timeout_s`` for the timed-out writes to end; their late outcomes."""
        self.late.wait(timeout_s)
        return self.late_writes

    @property
    def ok(self) -> bool:
        """Every step succeeded (in a dry run: every step would be attempted)."""
        wanted = "dry-run" if self.dry_run else "ok"
        return all(step.status == wanted for step in self.steps)

    @property
    def errors(self) -> tuple[StepResult, ...]:
        """The steps that did not succeed (dry-run steps count as fine)."""
        return tuple(s for s in self.steps if s.status not in ("ok", "dry-run"))

    @property
    def timings(self) -> dict[int, float]:
        """Milliseconds spent in each step's calls, by step index."""
        return {s.index: s.latency_ms for s in self.steps}

    @property
    def values(self) -> dict[str, Any]:
        """The results of the successful steps, by bound name."""
        return {s.bind: s.value for s in self.steps if s.ok and s.bind}

    @property
    def results_by_tool(self) -> dict[str, Any]:
        """The latest successful result of each tool: what constraints such as
        ``transfer.amount <= get_balance.result`` read as observations."""
        return {s.tool: s.value for s in self.steps if s.ok}

    @property
    def observations(self) -> dict[str, Any]:
        """Every step's observation (value or structured error), by label."""
        return {s.label: s.observation for s in self.steps}

    def step(self, key: int | str) -> StepResult:
        """A step's result by index or bound name."""
        for s in self.steps:
            if s.index == key or (isinstance(key, str) and s.bind == key):
                return s
        raise KeyError(key)

    def report(self) -> str:
        """A few lines for people: each batch, and each step's outcome."""
        lines = []
        for number, batch in enumerate(self.batches):
            lines.append(f"batch {number}:")
            for index in batch:
                s = self.steps[index]
                target = f"{s.bind} = " if s.bind else ""
                outcome = s.status if s.ok or s.status == "dry-run" else f"{s.status}: {s.error}"
                lines.append(f"  [{s.index}] {target}{s.call_text or s.tool}  -> {outcome}")
        for late in self.late_writes:
            ended = "ok" if late.outcome == "ok" else f"error: {late.error}"
            lines.append(f"  late: [{late.step}] {late.tool} ended after its timeout -> {ended}")
        for step in self.unsettled_writes:
            lines.append(f"  still running: [{step}] {self.steps[step].tool} timed out and may "
                         "still take effect")
        lines.append(("dry run: nothing was called" if self.dry_run else
                      f"{'ok' if self.ok else 'failed'} in {self.total_ms:.1f} ms"))
        return "\n".join(lines)
