"""Reading a search trace: where the events are, what kind each is, what a rejection says.

A trace is a sequence of event dataclasses: the decoder's (tokens, checkpoints,
decisions, rollbacks, values, calls, value grammars) and the search's own (rejections
with unsat cores, backjumps, values the solver proposed). The drawings and the replay
read events by their fields, so a new kind of event is shown by its name rather than
breaking them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..decode.boundary import Boundary
from ..decode.events import (CallEvent, CheckpointEvent, ConstraintEvent, DecisionEvent,
                             RollbackEvent, TokenEvent, ValueEvent)
from ..decode.hooks import Reject
from ..errors import NeurosymError

__all__ = ["DECODER_KINDS", "trace_events", "event_kind", "in_decode_order", "core_lines",
           "path_text", "decision_rejects", "decision_reason"]

_KINDS: dict[type, str] = {
    TokenEvent: "token", CheckpointEvent: "checkpoint", DecisionEvent: "check",
    RollbackEvent: "rollback", ValueEvent: "value", CallEvent: "call",
    ConstraintEvent: "constraint", Boundary: "boundary",
}
#: The kinds of the decoder's own events; any other kind is the search's.
DECODER_KINDS: frozenset[str] = frozenset(_KINDS.values())


def trace_events(source: Any) -> tuple[Any, ...]:
    """The events of a plan result (``.trace``), a decode result (``.events``), or a sequence.

    >>> trace_events([1, 2])
    (1, 2)
    >>> trace_events(3.5)
    Traceback (most recent call last):
    ...
    neurosym.errors.NeurosymError: cannot read a search trace from a float
    hint: pass a plan result, a decode result, or its trace (a sequence of events)
    """
    for name in ("trace", "events"):
        found = getattr(source, name, None)
        if found is not None and not callable(found):
            return tuple(found)
    if isinstance(source, (str, bytes)) or not isinstance(source, Iterable):
        raise NeurosymError(f"cannot read a search trace from a {type(source).__name__}",
                            hint="pass a plan result, a decode result, or its trace "
                                 "(a sequence of events)")
    return tuple(source)


def event_kind(event: Any) -> str:
    """A short name for the kind of ``event``: token, checkpoint, check, rollback, value, ...

    The search's events say their kind themselves (``reject``, ``narrow``, ``fallback``,
    ``backjump``...); other events are named after their class (``BanEvent``: ``ban``).

    >>> from neurosym.decode.events import TokenEvent
    >>> from neurosym.solver.search import SearchEvent
    >>> event_kind(TokenEvent(1, "x", False, 0.0)), event_kind(SearchEvent("narrow", 0.0))
    ('token', 'narrow')
    """
    for cls in type(event).__mro__:
        if cls in _KINDS:
            return _KINDS[cls]
    own = getattr(event, "kind", None)
    if isinstance(own, str) and own and own not in DECODER_KINDS:
        return own
    name = type(event).__name__
    if name.endswith("Event") and len(name) > len("Event"):
        name = name[:-len("Event")]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def path_text(path: Sequence[Any]) -> str:
    """A plan path as a person reads it.

    >>> path_text((1, "book_hotel", "nights"))
    'step 1 · book_hotel.nights'
    >>> path_text((0, "f", "xs", 2))
    'step 0 · f.xs[2]'
    """
    if not path:
        return "plan"
    head, rest = path[0], path[1:]
    out = f"step {head}" if isinstance(head, int) else str(head)
    dotted = ""
    for part in rest:
        dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else str(part))
    return f"{out} · {dotted}" if dotted else out


def decision_rejects(decision: Any) -> bool:
    """True when a decision at a boundary rejected what was written (a Reject, or any
    decision naming a checkpoint to roll back to)."""
    return isinstance(decision, Reject) or getattr(decision, "rollback_to", None) is not None


def decision_reason(decision: Any) -> str:
    return str(getattr(decision, "reason", "") or "")


def core_lines(item: Any) -> list[str]:
    """The unsat core an event, decision or verdict carries, one line per member.

    Looks at ``core`` (items with ``describe()`` or plain text), then at ``verdict.core``.
    """
    core = getattr(item, "core", None)
    if core is None:
        verdict = getattr(item, "verdict", None)
        core = getattr(verdict, "core", None) if verdict is not None else None
    if core is None or isinstance(core, (str, bytes)):
        return [str(core)] if isinstance(core, str) and core else []
    lines = []
    for member in core:
        describe = getattr(member, "describe", None)
        lines.append(str(describe()) if callable(describe) else str(member))
    return lines


_EXPLAINS_A_REJECTION = ("reject", "ban", "backjump", "unsat")


def in_decode_order(events: Sequence[Any]) -> tuple[Any, ...]:
    """The events with each search event moved to where it happened in the decode.

    The search and the decoder keep their own clocks, so a trace ordered by time may
    show a narrowing after the value it narrowed. A search event naming a checkpoint is
    put right after that checkpoint (a narrowing, a proposal), or right before the first
    rejection at or after it (the rejection it explains); any other stays after the
    decoder event it followed.
    """
    decode: list[Any] = []
    after: dict[int, list[Any]] = {}          # decoder index -> search events just after it
    reported: dict[int, int] = {}             # checkpoint id -> decoder index
    waiting: list[tuple[Any, int]] = []
    for event in events:
        if event_kind(event) in DECODER_KINDS:
            if isinstance(event, CheckpointEvent):
                reported[event.checkpoint.id] = len(decode)
            decode.append(event)
        else:
            waiting.append((event, len(decode) - 1))
    for event, previous in waiting:
        checkpoint = getattr(event, "checkpoint", None)
        where = previous
        if isinstance(checkpoint, int) and checkpoint in reported:
            where = reported[checkpoint]
            if event_kind(event) in _EXPLAINS_A_REJECTION:
                rejection = next((i for i in range(where, len(decode))
                                  if isinstance(decode[i], DecisionEvent)
                                  and decision_rejects(decode[i].decision)), None)
                where = rejection - 1 if rejection is not None else previous
        after.setdefault(where, []).append(event)
    ordered: list[Any] = list(after.get(-1, ()))
    for index, event in enumerate(decode):
        ordered.append(event)
        ordered.extend(after.get(index, ()))
    return tuple(ordered)
