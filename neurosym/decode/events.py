"""Events of a decode, for streaming (``on_event``) and for the trace.

Every event is a frozen dataclass with ``t``, the seconds since decoding started.
Boundaries (:class:`~neurosym.decode.boundary.Boundary`) are events too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..plan.ast import Call, Value
from .boundary import Boundary, Path
from .checkpoint import Checkpoint

__all__ = ["TokenEvent", "CheckpointEvent", "RollbackEvent", "ValueEvent", "CallEvent",
           "DecisionEvent", "ConstraintEvent", "Event"]


@dataclass(frozen=True)
class TokenEvent:
    """A token appended to the plan; ``forced`` when the grammar left no choice."""

    token: int
    text: str
    forced: bool
    t: float


@dataclass(frozen=True)
class CheckpointEvent:
    checkpoint: Checkpoint
    t: float


@dataclass(frozen=True)
class RollbackEvent:
    """The decode went back to ``target``; ``dropped`` is the text taken back."""

    target: Checkpoint
    dropped: str
    block: str | None
    reason: str
    t: float


@dataclass(frozen=True)
class ValueEvent:
    """An argument value (or list item, dict entry) is complete."""

    path: Path
    text: str
    value: Value
    t: float


@dataclass(frozen=True)
class CallEvent:
    """A call (top-level or nested) is complete."""

    path: Path
    call: Call
    t: float


@dataclass(frozen=True)
class DecisionEvent:
    """What the hooks decided at a boundary (``Continue`` or ``Reject``)."""

    boundary: Boundary
    decision: object
    t: float


@dataclass(frozen=True)
class ConstraintEvent:
    """A value grammar now narrows the value starting at ``path`` (or failed to apply)."""

    path: Path
    grammar: str
    applied: bool
    t: float


Event = Union[Boundary, TokenEvent, CheckpointEvent, RollbackEvent, ValueEvent, CallEvent,
              DecisionEvent, ConstraintEvent]
