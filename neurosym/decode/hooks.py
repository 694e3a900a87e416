"""The search's say in decoding: hooks called at every structural boundary.

At each boundary the decoder asks :meth:`DecodeHooks.on_boundary` for a
:data:`Decision`: :class:`Continue`, or :class:`Reject`, which rolls back to a checkpoint
(any live one: the value just written, or an earlier culprit) and may block a text so
greedy decoding does not write it again. At each value start
:meth:`DecodeHooks.value_constraint` may return a Lark grammar for that value alone (or
several); each one's mask is ANDed with the plan grammar's until the value ends. A value
grammar's ``start`` matches the value's text as the plan writes it (``"Paris"`` with
its quotes, ``3``, ``[1, 2]``); the decoder lets it be followed by whatever may follow a
value. It is also asked at each ``step_start``: a grammar returned there holds for the
step's whole line.

Rolling back to a checkpoint restores the state just *before* its boundary was
reported: that boundary, and every later one, is reported again as decoding resumes
(with new checkpoints). :meth:`DecodeHooks.on_rollback` is told of every rollback, the
decoder's own included, so a solver can pop its scopes in step.

When no token is admissible (the grammar, the value grammars and the blocked texts leave
nothing) a ``dead_end`` boundary is reported: a search may jump back to the culprit;
otherwise the decoder backs off its last chosen token by itself and bans it there (a
rollback to a checkpoint of kind ``"token"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, Union, runtime_checkable

from ..plan.ast import Step, Terminal
from .boundary import Boundary, Path
from .checkpoint import Checkpoint

__all__ = ["Continue", "Reject", "Decision", "CONTINUE", "ValueGrammars", "DecodeState",
           "DecodeHooks", "Hooks", "ChainedHooks", "chain_hooks", "end_before_step",
           "live_checkpoint", "checkpoint_at"]


@dataclass(frozen=True)
class Continue:
    """Go on decoding."""

    reason: str = ""


@dataclass(frozen=True)
class Reject:
    """Roll back to ``rollback_to`` and, with ``block``, forbid that text there.

    ``block`` is the text that may not be written again from the checkpoint: a value's
    whole text at a ``value_start`` checkpoint, a whole line at a ``step_start``
    checkpoint, and at any other checkpoint a prefix of what follows (``block="\n"`` at
    a ``step_end`` checkpoint ends the plan there). At ``plan_end``, rejecting with the
    plan-end checkpoint itself forbids stopping there: the end-of-sequence token is
    masked and the model must write another step.
    """

    rollback_to: Checkpoint
    block: str | None = None
    reason: str = ""


Decision = Union[Continue, Reject]
CONTINUE = Continue()
#: What ``value_constraint`` returns: one Lark grammar for the value, several (all must
#: hold), or None for no narrowing.
ValueGrammars = Union[str, Sequence[str], None]


class DecodeState(Protocol):
    """What hooks may read of the decode in progress (read-only)."""

    @property
    def text(self) -> str: ...

    @property
    def checkpoint(self) -> Checkpoint | None:
        """The checkpoint of the boundary being reported."""

    @property
    def checkpoints(self) -> tuple[Checkpoint, ...]:
        """Live checkpoints, oldest first."""

    @property
    def steps(self) -> tuple[Step | Terminal, ...]:
        """The steps completed so far."""

    @property
    def n_tokens(self) -> int: ...

    @property
    def rollbacks(self) -> int: ...

    @property
    def elapsed(self) -> float: ...

    def blocked(self, checkpoint: Checkpoint) -> frozenset[str]:
        """Texts blocked at ``checkpoint``'s position."""


@runtime_checkable
class DecodeHooks(Protocol):
    """The interface a search (the Z3 solver) implements to steer decoding."""

    def on_boundary(self, event: Boundary, state: DecodeState) -> Decision: ...

    def value_constraint(self, event: Boundary, state: DecodeState) -> ValueGrammars: ...

    def on_rollback(self, target: Checkpoint, state: DecodeState) -> None: ...


class Hooks:
    """Hooks that accept everything: subclass and override what you need."""

    def on_boundary(self, event: Boundary, state: DecodeState) -> Decision:
        return CONTINUE

    def value_constraint(self, event: Boundary, state: DecodeState) -> ValueGrammars:
        return None

    def on_rollback(self, target: Checkpoint, state: DecodeState) -> None:
        return None


class ChainedHooks(Hooks):
    """Several hooks as one: the first rejection wins, value grammars are all ANDed."""

    def __init__(self, *hooks: DecodeHooks) -> None:
        self.hooks = tuple(hooks)

    def on_boundary(self, event: Boundary, state: DecodeState) -> Decision:
        for hook in self.hooks:
            decision = hook.on_boundary(event, state)
            if isinstance(decision, Reject):
                return decision
        return CONTINUE

    def value_constraint(self, event: Boundary, state: DecodeState) -> ValueGrammars:
        grammars: list[str] = []
        for hook in self.hooks:
            found = hook.value_constraint(event, state)
            if isinstance(found, str):
                grammars.append(found)
            elif found:
                grammars.extend(found)
        return grammars or None

    def on_rollback(self, target: Checkpoint, state: DecodeState) -> None:
        for hook in self.hooks:
            hook.on_rollback(target, state)


def chain_hooks(*hooks: DecodeHooks | None) -> DecodeHooks:
    """The given hooks (Nones skipped) as one.

    >>> isinstance(chain_hooks(None, Hooks()), Hooks)
    True
    """
    present = [h for h in hooks if h is not None]
    if len(present) == 1:
        return present[0]
    return ChainedHooks(*present)


def end_before_step(state: DecodeState, index: int | None, why: str) -> Reject | None:
    """A rejection that takes back step ``index`` and ends the plan after the step before
    it, or None when there is no earlier step to end after (a helper for hooks)."""
    previous = checkpoint_at(state, "step_end", (index - 1,)) if index else None
    if previous is None:
        return None
    return Reject(previous, block="\n", reason=f"{why}: the plan ends after step {index}")


def checkpoint_at(state: DecodeState, kind: str, path: Path) -> Checkpoint | None:
    """The newest live checkpoint of ``kind`` at ``path`` (a helper for hooks): say the
    start of step 2, ``(2,)``, or of a value, ``(0, "f", "x")``."""
    found = [c for c in state.checkpoints if c.kind == kind and c.path == path]
    return found[-1] if found else None


def live_checkpoint(state: DecodeState, kind: str, offset: int) -> Checkpoint | None:
    """The newest live checkpoint of ``kind`` at ``offset`` (a helper for hooks)."""
    found: Sequence[Checkpoint] = [c for c in state.checkpoints
                                   if c.kind == kind and c.offset == offset]
    return found[-1] if found else None
