"""The flattened plan (nested calls lifted, see :func:`neurosym.plan.flatten.flatten`),
with the written step each of its steps came from, for messages in the user's terms.

Flattening lifts each nested call into a step right before the step it sat in, one step
per call, so the written step ``j`` with ``n`` nested calls owns ``n + 1`` consecutive
flat steps, its own last.

>>> from neurosym.plan.parse import parse_plan
>>> flat = flatten_with_origins(parse_plan('a = f(x=g(y=h()))\\nb = k(z=a)'))
>>> [(s.bind, s.call.tool) for s in flat.plan.steps]
[('_h', 'h'), ('_g', 'g'), ('a', 'f'), ('b', 'k')]
>>> flat.origins, flat.lifted
((0, 0, 0, 1), (True, True, False, False))
"""

from __future__ import annotations

from dataclasses import dataclass

from ..plan.ast import Call, Plan, walk_values
from ..plan.flatten import flatten

__all__ = ["FlatPlan", "flatten_with_origins"]


@dataclass(frozen=True)
class FlatPlan:
    """A plan with no nested calls; for each step, the written step it came from and
    whether it was lifted out of a nested call."""

    plan: Plan
    origins: tuple[int, ...]
    lifted: tuple[bool, ...]


def flatten_with_origins(plan: Plan) -> FlatPlan:
    """:func:`~neurosym.plan.flatten.flatten`, keeping track of where each step came from."""
    flat = flatten(plan)
    origins: list[int] = []
    lifted: list[bool] = []
    for index, step in enumerate(plan.steps):
        nested = sum(1 for v in walk_values(step.call) if isinstance(v, Call)) - 1
        origins.extend([index] * (nested + 1))
        lifted.extend([True] * nested + [False])
    if len(origins) != len(flat.steps):  # flatten must lift exactly one step per call
        raise AssertionError("flattening changed the number of calls")
    return FlatPlan(flat, tuple(origins), tuple(lifted))
