"""Checking a whole, finished plan at once (the executor's gateway check, and tests)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..constraints.compile import ConstraintSet
from ..plan.ast import Plan
from ..plan.flatten import flatten
from ..tools.tool import Tool
from .checker import PlanChecker
from .verdict import Verdict

__all__ = ["check_plan", "feed_plan"]


def feed_plan(checker: PlanChecker, plan: Plan) -> None:
    """Begin, assign and end every call of ``plan`` in execution order.

    Nested calls are lifted first (:func:`neurosym.plan.flatten.flatten`): ``f(x=g())``
    is two steps, ``g`` first, and ``f`` refers to its result. Step ``i`` is the ``i``-th
    step of the flattened plan (``plan.steps[i]`` when nothing is nested).
    """
    for step, plan_step in enumerate(flatten(plan).steps):
        checker.begin_call(step, plan_step.call.tool, plan_step.bind)
        for name, value in plan_step.call.args:
            checker.assign(step, name, value)
        checker.end_call(step)


def check_plan(plan: Plan, tools: Iterable[Tool], constraints: ConstraintSet | Sequence[str] = (),
               *, observations: Mapping[str, Any] | None = None,
               timeout_ms: int = 200) -> Verdict:
    """Does the complete ``plan`` meet the constraints and the tools' declared limits?

    References take their observed values when ``observations`` has them, else they are
    free (the check of those values is deferred to execution time).

    >>> from neurosym.tools.tool import Param, Tool
    >>> from neurosym.plan.ast import Call, Literal, Plan, Step
    >>> hotel = Tool("book_hotel", params=(Param("nights", "integer", minimum=1, maximum=14),))
    >>> plan = Plan((Step(Call("book_hotel", (("nights", Literal(20)),))),))
    >>> verdict = check_plan(plan, [hotel])
    >>> verdict.ok
    False
    >>> print(verdict.explanation)
    book_hotel.nights = 20 (step 0) conflicts with nights in 1..14 (parameter range of book_hotel)
    """
    checker = PlanChecker(tools, constraints, observations=observations, timeout_ms=timeout_ms)
    feed_plan(checker, plan)
    return checker.check(final=True)
