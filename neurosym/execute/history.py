"""What a run has already done, so constraints hold over the whole run and not per plan.

In an agent run every plan is checked together with the calls earlier turns executed:
``sum(book_hotel.nights) <= 3`` counts the nights booked two turns ago. A
:class:`PastCall` is one executed call with its real arguments; :func:`history_steps`
turns them into literal plan steps that go before the next plan's steps in the check.

>>> past = PastCall(turn=0, step=0, tool="book_hotel", args={"hotel_id": "H1", "nights": 3})
>>> past.text
'book_hotel(hotel_id="H1", nights=3)'
>>> history_steps([past])[0].call.args[1]
('nights', Literal(value=3))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..plan.ast import Call, Step

__all__ = ["PastCall", "history_steps", "past_calls"]


@dataclass(frozen=True)
class PastCall:
    """A call an earlier turn of the run executed, with the arguments it really got."""

    turn: int
    step: int
    tool: str
    args: Mapping[str, Any] = field(default_factory=dict, hash=False)
    bind: str | None = None

    @property
    def text(self) -> str:
        from ._render import render_resolved_call
        return render_resolved_call(self.tool, dict(self.args))

    def describe(self) -> str:
        """The call and where it ran, for explanations."""
        return f"{self.text} (run in turn {self.turn}, step {self.step})"

    def __repr__(self) -> str:
        # The seal of a verified plan is made from its repr: keep it complete and stable.
        return (f"PastCall(turn={self.turn}, step={self.step}, tool={self.tool!r}, "
                f"args={sorted(dict(self.args).items(), key=repr)!r}, bind={self.bind!r})")


def history_steps(history: Iterable[PastCall]) -> tuple[Step, ...]:
    """The past calls as plan steps with literal arguments (unbound: a later plan's names
    may repeat earlier ones)."""
    from .gateway import to_plan_value
    return tuple(Step(Call(past.tool, tuple((k, to_plan_value(v)) for k, v in past.args.items())))
                 for past in history)


def past_calls(turn: int, steps: Sequence[Any]) -> list[PastCall]:
    """The successful steps of one execution (``StepResult``) as past calls."""
    return [PastCall(turn, s.index, s.tool, dict(s.args or {}), s.bind)
            for s in steps if s.ok]
