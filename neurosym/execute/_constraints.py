"""The one place the executor talks to the constraint solver (imported only when needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import BudgetExceeded, NeurosymError, Unsatisfiable
from ..plan.ast import Plan
from ..tools.tool import Tool

__all__ = ["check_constraints", "check_with_history"]


def _describe(item: Any) -> str:
    describe = getattr(item, "describe", None)
    return describe() if callable(describe) else str(item)


def check_constraints(plan: Plan, tools: Sequence[Tool], constraints: Sequence[Any],
                      observations: Mapping[str, Any] | None) -> Any:
    """Run the solver's plan check and return its verdict when the plan keeps every
    constraint. Raise :class:`Unsatisfiable` (the core in the user's terms) when it does
    not, and :class:`BudgetExceeded` when the solver could not decide in time."""
    try:
        from ..solver import check_plan
    except ImportError as exc:
        raise NeurosymError("checking constraints needs neurosym.solver, which could not be "
                            f"imported ({exc})",
                            hint="install neurosym with its solver (z3-solver)") from exc
    verdict = check_plan(plan, list(tools), list(constraints),
                         observations=dict(observations or {}))
    if verdict is False or getattr(verdict, "ok", True) is False:
        explanation = str(getattr(verdict, "explanation", "") or "the plan breaks the "
                                                                  "constraints")
        if getattr(verdict, "unknown", False):
            raise BudgetExceeded(f"the constraints could not be checked: {explanation}",
                                 budget="solver time",
                                 hint="simplify the constraints, or allow the solver more time")
        core = [_describe(item) for item in getattr(verdict, "core", ()) or ()]
        raise Unsatisfiable(f"the plan breaks the constraints: {explanation}", core=core,
                            hint="change the plan's values, or relax the constraints")
    return verdict


def check_with_history(plan: Plan, tools: Sequence[Tool], constraints: Sequence[Any],
                       observations: Mapping[str, Any] | None,
                       history: Sequence[Any] = ()) -> Any:
    """:func:`check_constraints` over what the run already did (``history``: past calls,
    checked first) together with ``plan``. When the conflict involves earlier calls, the
    explanation names them: they count, though they cannot be changed any more."""
    if not history:
        return check_constraints(plan, tools, constraints, observations)
    from ..plan.flatten import flatten
    from .history import history_steps
    # A plan that breaks the constraints by itself is refused in its own terms.
    check_constraints(plan, tools, constraints, observations)
    before = history_steps(history)
    combined = Plan(before + flatten(plan).steps, plan.terminal)
    try:
        return check_constraints(combined, tools, constraints, observations)
    except Unsatisfiable as exc:
        raise _over_run(exc, combined, tools, constraints, observations, history) from None


def _over_run(exc: Unsatisfiable, combined: Plan, tools: Sequence[Tool],
              constraints: Sequence[Any], observations: Mapping[str, Any] | None,
              history: Sequence[Any]) -> Unsatisfiable:
    """The refusal restated with the earlier calls that count, and this plan's own steps
    numbered as in the plan."""
    from ..solver import check_plan
    verdict = check_plan(combined, list(tools), list(constraints),
                         observations=dict(observations or {}))
    core = tuple(getattr(verdict, "core", ()) or ())
    count = len(history)
    rules = [item.describe() for item in core if not item.is_plan_value]
    earlier = sorted({item.step for item in core if item.is_plan_value
                      and item.step is not None and item.step < count})
    if not earlier:
        # A constraint over all calls (a sum, a count) may leave the earlier ones out of
        # a minimal core: every earlier call of a tool the broken rules name counts.
        named = " ".join(rules)
        earlier = [i for i, past in enumerate(history) if past.tool in named]
    mine = [f"{item.text} (step {item.step - count} of this plan)" if item.step is not None
            else item.describe() for item in core
            if item.is_plan_value and (item.step is None or item.step >= count)]
    counted = "; ".join(history[i].describe() for i in earlier)
    rule_text = " and ".join(rules) or "the constraints"
    head = ", ".join(mine) or "the plan"
    message = (f"{head}, with what the run already did, breaks {rule_text}"
               + (f"; the earlier calls that count: {counted}" if counted else ""))
    return Unsatisfiable(message, core=[*rules, *(history[i].text for i in earlier)],
                         hint="the calls already made cannot be undone: plan within what "
                              "the constraints leave, or answer")
