"""The one place the executor talks to the constraint solver (imported only when needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import BudgetExceeded, NeurosymError, Unsatisfiable
from ..plan.ast import Plan
from ..tools.tool import Tool

__all__ = ["check_constraints"]


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
