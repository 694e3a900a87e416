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

import functools
import json
from collections.abc import Mapping
from typing import Any

import jsonschema

from ..graph.plain import to_jsonable
from ..graph.fit import value_problems
from ..plan.ast import Call, DictValue, ListValue, Literal, Plan, Step, Value
from ..tools.tool import Tool
from .verify import VerifiedPlan

__all__ = ["argument_problems", "recheck_constraints", "schema_problems", "to_plan_value"]


def argument_problems(tool: Tool, args: Mapping[str, Any]) -> list[str]:
    """Everything wrong with the resolved ``args`` for ``tool`` (empty: they fit).

    The tool's parameters are checked first, in their own words; when they pass and the
    tool came with a JSON Schema, the arguments are validated against that schema too
    (Draft 2020-12, formats included), which holds what the parameters cannot say
    (``oneOf``, ``if``/``then``, ``dependentRequired``, ...).
    """
    problems = [f"{tool.name} has no parameter {name!r}" for name in args
                if tool.param(name) is None]
    for param in tool.params:
        if param.name in args:
            problems.extend(value_problems(param, args[param.name]))
        elif param.required:
            problems.append(f"{param.name}: required, but not given")
    if not problems and tool.schema is not None:
        problems.extend(schema_problems(tool.schema, args))
    return problems


def schema_problems(schema: Mapping[str, Any], args: Mapping[str, Any]) -> list[str]:
    """What the JSON Schema ``schema`` (Draft 2020-12 unless it says otherwise) finds
    wrong with ``args``, each as ``where: what``.

    >>> schema = {"type": "object", "properties": {"to": {"type": "string"},
    ...           "cc": {"type": "string"}}, "dependentRequired": {"cc": ["to"]}}
    >>> schema_problems(schema, {"cc": "a@b.org"})
    ["(arguments): 'to' is a dependency of 'cc'"]
    """
    try:
        validator = _validator(json.dumps(schema, sort_keys=True, default=str))
    except (jsonschema.SchemaError, TypeError, ValueError) as exc:
        reason = getattr(exc, "message", str(exc))
        return [f"the tool's JSON Schema cannot be used to check the call: {reason}"]
    found = []
    for error in sorted(validator.iter_errors(to_jsonable(dict(args))),
                        key=lambda e: ([str(p) for p in e.absolute_path], e.message)):
        where = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p))
                        for i, p in enumerate(error.absolute_path)) or "(arguments)"
        found.append(f"{where}: {error.message}")
    return found


@functools.lru_cache(maxsize=256)
def _validator(schema_text: str) -> Any:
    """A validator for the schema (its ``$schema``'s draft, Draft 2020-12 by default),
    checked once and kept: schemas repeat for every call of a tool."""
    schema = json.loads(schema_text)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


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
    by bound name), after the calls earlier turns of the run executed. Raises
    :class:`~neurosym.errors.Unsatisfiable` on a breach, naming the earlier calls that
    count."""
    if not verified.constraints:
        return
    from ._constraints import check_with_history

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
    check_with_history(plan, verified.tools, verified.constraints, merged, verified.history)
