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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..plan.ast import Plan
from .audit import AuditRecord

__all__ = ["StepResult", "StepStatus", "ExecutionResult"]

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
class ExecutionResult:
    """All steps of one run, in plan order, with the batches they ran in and the audit."""

    plan: Plan
    steps: tuple[StepResult, ...]
    batches: tuple[tuple[int, ...], ...]
    audit: tuple[AuditRecord, ...] = ()
    total_ms: float = 0.0
    dry_run: bool = False

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
        lines.append(("dry run: nothing was called" if self.dry_run else
                      f"{'ok' if self.ok else 'failed'} in {self.total_ms:.1f} ms"))
        return "\n".join(lines)
