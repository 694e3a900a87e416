"""Writing decode traces by hand, event for event as the decoder emits them.

A drawing test needs a trace whose every rejection and backjump is known in advance;
the real decoder's event classes are used, in the order the decoder emits them
(checkpoint, then the hooks' decision; a rollback cuts the text back to its checkpoint).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from neurosym.decode.boundary import Boundary, BoundaryKind, Path
from neurosym.decode.checkpoint import Checkpoint
from neurosym.decode.events import (CheckpointEvent, DecisionEvent, RollbackEvent, TokenEvent,
                                    ValueEvent)
from neurosym.decode.hooks import CONTINUE, Reject
from neurosym.plan.ast import Literal, Ref
from neurosym.solver.search import SearchEvent, SearchEventKind


@dataclass
class TraceScript:
    events: list[Any] = field(default_factory=list)
    text: str = ""
    _next_id: int = 0
    _t: float = 0.0

    def _tick(self) -> float:
        self._t += 0.01
        return round(self._t, 3)

    def type(self, text: str) -> None:
        """The model writes ``text``, one token per character pair."""
        for i in range(0, len(text), 2):
            piece = text[i:i + 2]
            self.events.append(TokenEvent(1000 + i, piece, False, self._tick()))
            self.text += piece

    def boundary(self, kind: BoundaryKind, path: Path, decision: Any = CONTINUE,
                 **fields: Any) -> Checkpoint:
        checkpoint = Checkpoint(self._next_id, kind, len(self.text), len(self.text.encode()),
                                self._next_id, b"", path)
        self._next_id += 1
        t = self._tick()
        self.events.append(CheckpointEvent(checkpoint, t))
        boundary = Boundary(kind, len(self.text), path, checkpoint=checkpoint, t=t, **fields)
        if kind == "value_end" and boundary.value is not None:
            self.events.append(ValueEvent(path, boundary.text or "", boundary.value, t))
        self.events.append(DecisionEvent(boundary, decision, t))
        return checkpoint

    def call(self, step: int, tool: str, bind: str | None = None) -> Checkpoint:
        self.type(f"{bind} = " if bind else "")
        start = self.boundary("step_start", (step,))
        self.type(f"{tool}(")
        self.boundary("call_start", (step, tool), tool=tool, bind=bind)
        return start

    def value(self, step: int, tool: str, param: str, text: str, *, reject: str | None = None,
              to: Checkpoint | None = None, core: Sequence[str] = ()) -> Checkpoint:
        """An argument ``param=text``; ``reject`` rolls back to its start (or to ``to``)."""
        path = (step, tool, param)
        if not self.text.endswith(f"{param}="):  # not when resuming after a rollback
            self.type(f"{param}=")
        start = self.boundary("value_start", path, tool=tool, param=param)
        self.type(text)
        value: Any = Ref(text.split(".")[0]) if text[:1].isalpha() else Literal(
            text.strip('"') if text.startswith('"') else float(text) if "." in text else int(text))
        if reject is None:
            self.boundary("value_end", path, tool=tool, param=param, text=text, value=value)
            return start
        target = to or start
        if core:  # the search notes its rejection as it decides
            self.events.append(SearchEvent("reject", self._tick(), step, tool, param, text,
                                           tuple(core), reject, start.id))
        self.boundary("value_end", path, Reject(target, text if to is None else None, reject),
                      tool=tool, param=param, text=text, value=value)
        if to is not None:
            self.events.append(SearchEvent("backjump", self._tick(), step, tool, param, None,
                                           tuple(core), f"back to {to.path}", to.id))
        self.rollback(target, reject, text if to is None else None)
        return start

    def narrow(self, step: int, tool: str, param: str, feasible: str, *,
               kind: SearchEventKind = "narrow") -> None:
        """The search narrows (or, as ``fallback``, proposes) the value about to start."""
        self.events.append(SearchEvent(kind, self._tick(), step, tool, param, None, (),
                                       feasible, self._next_id))

    def rollback(self, target: Checkpoint, reason: str, block: str | None = None) -> None:
        dropped = self.text[target.offset:]
        self.text = self.text[:target.offset]
        self.events.append(RollbackEvent(target, dropped, block, reason, self._tick()))

    def end_call(self, step: int, tool: str) -> None:
        self.type(")\n")
        self.boundary("step_end", (step,))

    def end_plan(self) -> None:
        self.boundary("plan_end", ())


@dataclass(frozen=True)
class Note:
    """An event of a kind neither the decoder nor the search defines."""

    reason: str
    t: float


def hotel_trace() -> TraceScript:
    """search_hotels, then book_hotel with nights=20 rejected (1..14), and 3 written in
    the feasible set the solver narrowed the value to."""
    script = TraceScript()
    script.call(0, "search_hotels", "hotels")
    script.value(0, "search_hotels", "city", '"Paris"')
    script.end_call(0, "search_hotels")
    script.call(1, "book_hotel", "room")
    script.value(1, "book_hotel", "hotel_id", "hotels")
    script.value(1, "book_hotel", "nights", "20", reject="nights in 1..14",
                 core=("book_hotel.nights = 20 (step 1)", "nights in 1..14 (parameter range)"))
    script.narrow(1, "book_hotel", "nights", "feasible: {1, 2, 3, ...}")
    script.value(1, "book_hotel", "nights", "3")
    script.end_call(1, "book_hotel")
    script.end_plan()
    return script


def backjump_trace() -> TraceScript:
    """Two transfers under a sum budget: the second amount has no admissible value left,
    so the search jumps back and changes the first."""
    script = TraceScript()
    script.call(0, "transfer", "t1")
    first = script.value(0, "transfer", "amount", "900")
    script.end_call(0, "transfer")
    script.call(1, "transfer", "t2")
    script.value(1, "transfer", "amount", "200", reject="sum(transfer.amount) <= 1000",
                 to=first, core=("transfer.amount = 900 (step 0)",
                                 "the constraint sum(transfer.amount) <= 1000"))
    script.narrow(0, "transfer", "amount", "solver proposes 500, 800", kind="fallback")
    script.value(0, "transfer", "amount", "500")
    script.end_call(0, "transfer")
    script.call(1, "transfer", "t2")
    script.value(1, "transfer", "amount", "200")
    script.end_call(1, "transfer")
    script.end_plan()
    return script
