"""The last check before a call: the real arguments against the tool's parameters and,
when the plan carries constraints, the constraints against the values observed so far.

References are resolved only at run time, so a plan that verified may still ask for an
amount above the balance it has just read; the gateway is where that is caught.

>>> from neurosym.tools.tool import Param, Tool
>>> transfer = Tool("transfer", params=(Param("amount", "number", exclusive_minimum=0),),
...                 effect="write")
>>> argument_problems(transfer, {"amount": -5})
['amount: must be more than 0 (got -5)']
>>> argument_problems(transfer, {"amount": 5, "memo": "x"})
["transfer has no parameter 'memo'"]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..graph._plain import to_jsonable
from ..graph.fit import value_problems
from ..plan.ast import Call, DictValue, ListValue, Literal, Plan, Step, Value
from ..tools.tool import Tool
from .verify import VerifiedPlan

__all__ = ["argument_problems", "recheck_constraints", "to_plan_value"]


def argument_problems(tool: Tool, args: Mapping[str, Any]) -> list[str]:
    """Everything wrong with the resolved ``args`` for ``tool`` (empty: they fit)."""
    problems = [f"{tool.name} has no parameter {name!r}" for name in args
                if tool.param(name) is None]
    for param in tool.params:
        if param.name in args:
            problems.extend(value_problems(param, args[param.name]))
        elif param.required:
            problems.append(f"{param.name}: required, but not given")
    return problems


def to_plan_value(value: Any) -> Value:
    """A Python value as a plan literal (lists and dicts as list and dict values).

    >>> to_plan_value({"a": [1, None]})
    DictValue(items=(('a', ListValue(items=(Literal(value=1), Literal(value=None)))),))
    """
    value = to_jsonable(value)
    if isinstance(value, list):
        return ListValue(tuple(to_plan_value(v) for v in value))
    if isinstance(value, dict):
        return DictValue(tuple((k, to_plan_value(v)) for k, v in value.items()))
    return Literal(value)


def recheck_constraints(verified: VerifiedPlan, resolved: Mapping[int, Mapping[str, Any]],
                        observations: Mapping[str, Any]) -> None:
    """Check the verified plan's constraints again, with the arguments known so far
    (``resolved``: flattened step index -> real arguments) written in as literals and the
    results observed so far (``observations``: by tool name, the latest result of each, and
    by bound name). Raises
    :class:`~neurosym.errors.Unsatisfiable` on a breach."""
    if not verified.constraints:
        return
    from ._constraints import check_constraints

    steps = []
    for index, step in enumerate(verified.flat.steps):
        args = resolved.get(index)
        if args is None:
            steps.append(step)
        else:
            written = tuple((k, to_plan_value(v)) for k, v in args.items())
            steps.append(Step(Call(step.call.tool, written), bind=step.bind))
    plan = Plan(tuple(steps), verified.flat.terminal)
    merged = {**verified.observations, **observations}
    check_constraints(plan, verified.tools, verified.constraints, merged)
