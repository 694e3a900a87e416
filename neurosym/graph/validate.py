"""The rules a well-formed plan must also keep before anything may run.

:func:`validate_plan` raises :class:`~neurosym.errors.PlanValidationError` (with the
index of the written step and a hint) for the first broken rule: an unknown tool, an
unknown, repeated or missing required argument, a reference to no step or to a later
one, a cycle, a name bound twice, or a value that does not fit its parameter (a literal
outside its type or constraints, or a step's declared result of the wrong type).
:func:`check_reference` asks the reference questions for one reference while a plan is
still being written, and answers with a :class:`ReferenceCheck` instead of raising.

>>> from neurosym.plan.ast import Call, Literal, Plan, Ref, Step
>>> from neurosym.tools.tool import Param, Tool
>>> tools = [Tool("get_balance", returns=Param("result", "number")),
...          Tool("pay", params=(Param("amount", "number"), Param("to", "string")),
...               effect="write")]
>>> plan = Plan((Step(Call("get_balance"), bind="bal"),
...              Step(Call("pay", (("amount", Ref("bal")), ("to", Ref("bal")))))))
>>> validate_plan(plan, tools)
Traceback (most recent call last):
...
neurosym.errors.PlanValidationError: step 1 (pay): argument 'to' expects string, but bal is number
hint: pass a value of the parameter's type, or a field of the result that has it
>>> check_reference(Ref("bal", ("x",)), plan.steps[:1], tools).message
"bal is number, which has no field 'x'"
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import PlanValidationError
from ..plan.ast import Call, DictValue, ListValue, Literal, Plan, Ref, Step, Value, walk_values
from ..plan.flatten import flatten
from ..tools.tool import Param, Tool
from .tool_index import ToolsLike, index_tools
from .build import _producer, binding_sites, plan_graph
from .fit import describe_type, field_type, type_fits, value_problems

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["validate_plan", "check_reference", "ReferenceCheck"]


@dataclass(frozen=True)
class ReferenceCheck:
    """The verdict on one reference: ``ok``, the type it resolves to (``None``: unknown),
    and when not ok, what is wrong and what to do. Truthy when ok."""

    ok: bool
    type: Param | None = None
    message: str = ""
    hint: str | None = None

    def __bool__(self) -> bool:
        return self.ok


def _suggest(name: str, choices: Sequence[str], what: str) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    if not choices:
        return f"there are no {what}"
    return f"use one of: {', '.join(sorted(choices))}"


def _walk_reference(ref: Ref, producer_tool: Tool | None) -> tuple[Param | None, str | None]:
    """The declared type at the end of ``ref``'s path, or a problem with the path."""
    current = producer_tool.returns if producer_tool else None
    walked = Ref(ref.name)
    for part in ref.path:
        current, problem = field_type(current, part)
        if problem:
            return None, f"{walked.text} {problem}"
        walked = Ref(ref.name, walked.path + (part,))
    return current, None


def check_reference(ref: Ref, steps: Sequence[Step] | Plan, tools: ToolsLike, *,
                    tool: str | None = None, param: Param | str | None = None) -> ReferenceCheck:
    """Check one completed reference against the steps written before it.

    ``steps`` are the complete earlier steps (nested calls allowed). With ``param`` (a
    Param, or a parameter name of ``tool``) the reference's type must also fit it.
    Never raises for a bad reference: a decoder calls this at every completed reference.
    """
    written = steps.steps if isinstance(steps, Plan) else tuple(steps)
    flat = flatten(Plan(written))
    sites = binding_sites(flat)
    index = index_tools(tools)
    if ref.name not in sites:
        bound = sorted(n for n in sites if not n.startswith("_"))
        return ReferenceCheck(
            False, message=f"{ref.text} names no earlier step",
            hint=_suggest(ref.name, bound, "earlier results to refer to")
            if bound else "call a tool and bind its result before referring to it")
    producer = flat.steps[sites[ref.name][-1]]
    source, problem = _walk_reference(ref, index.get(producer.call.tool))
    if problem:
        return ReferenceCheck(False, message=problem,
                              hint="refer to an index or field the result has")
    if isinstance(param, str):
        owner = index.get(tool or "")
        target = owner.param(param) if owner else None
    else:
        target = param
    if target is not None and not type_fits(source, target):
        return ReferenceCheck(
            False, type=source,
            message=f"{ref.text} is {describe_type(source)}, but {target.name} expects "
                    f"{describe_type(target)}",
            hint="refer to a field of the result that has the parameter's type")
    return ReferenceCheck(True, type=source)


def validate_plan(plan: Plan, tools: ToolsLike) -> None:
    """Raise :class:`PlanValidationError` for the first rule ``plan`` breaks.

    With ``tools=None`` only the structure is checked (references, cycles, names).
    """
    _Validator(plan, tools).run()


class _Validator:
    def __init__(self, plan: Plan, tools: ToolsLike) -> None:
        self.check_tools = tools is not None
        self.index = index_tools(tools)
        self.graph: nx.DiGraph = plan_graph(plan, self.index)
        self.flat: Plan = self.graph.graph["flat"]
        self.sites = binding_sites(self.flat)

    def fail(self, i: int, message: str, hint: str) -> PlanValidationError:
        node = self.graph.nodes[i]
        nested = "nested " if node["lifted"] else ""
        return PlanValidationError(f"step {node['origin']} ({nested}{node['tool']}): {message}",
                                   step=node["origin"], hint=hint)

    def label(self, i: int) -> str:
        node = self.graph.nodes[i]
        return node["bind"] if node["bind"] and not node["lifted"] else f"{node['tool']}(...)"

    def run(self) -> None:
        for i, step in enumerate(self.flat.steps):
            tool = self.index.get(step.call.tool)
            if self.check_tools and tool is None:
                raise self.fail(i, f"there is no tool named {step.call.tool!r}",
                                _suggest(step.call.tool, list(self.index), "tools"))
            if step.bind and self.sites[step.bind][0] != i:
                first = self.graph.nodes[self.sites[step.bind][0]]["origin"]
                raise self.fail(i, f"the name {step.bind!r} is already bound by step {first}",
                                "give each step's result a name of its own")
            if tool is not None:
                self.check_arguments(i, step.call, tool)
            for arg, value in step.call.args:
                for item in walk_values(value):
                    if isinstance(item, Ref):
                        self.check_binding(i, arg, item)
            if tool is not None:
                for arg, value in step.call.args:
                    param = tool.param(arg)
                    assert param is not None  # unknown names were rejected above
                    self.check_value(i, arg, value, param)

    def check_arguments(self, i: int, call: Call, tool: Tool) -> None:
        seen: set[str] = set()
        for name in call.arg_names:
            if name in seen:
                raise self.fail(i, f"argument {name!r} is given twice",
                                "give each argument once")
            seen.add(name)
            if tool.param(name) is None:
                raise self.fail(i, f"{tool.name} has no parameter {name!r}",
                                _suggest(name, tool.param_names, "parameters"))
        missing = [p.name for p in tool.required_params
                   if p.name not in seen and p.name != tool.idempotency_param]
        if missing:
            raise self.fail(i, "missing required argument" + ("s " if len(missing) > 1 else " ")
                            + ", ".join(repr(m) for m in missing),
                            "give every required argument a value, or ask the user for it")

    def check_binding(self, i: int, arg: str, ref: Ref) -> None:
        import networkx as nx

        sites = self.sites.get(ref.name)
        if not sites:
            bound = [self.flat.steps[j].bind for j in range(i) if self.flat.steps[j].bind
                     and not self.graph.nodes[j]["lifted"]]
            raise self.fail(i, f"argument {arg!r} refers to {ref.name!r}, which no step binds",
                            _suggest(ref.name, [b for b in bound if b],
                                     "earlier results to refer to")
                            if any(bound) else "call a tool and bind its result first")
        producer = _producer(sites, i)
        if producer < i:
            return
        if producer == i or nx.has_path(self.graph, i, producer):
            path = [producer] if producer == i else nx.shortest_path(self.graph, i, producer)
            cycle = " -> ".join(self.label(n) for n in [producer, *path])
            raise self.fail(i, f"argument {arg!r} refers to {ref.name!r}, which depends on "
                               f"this step: a cycle ({cycle})",
                            "a step can only use results of steps written before it")
        later = self.graph.nodes[producer]["origin"]
        raise self.fail(i, f"argument {arg!r} refers to {ref.name!r}, which is bound only "
                           f"later, by step {later}",
                        f"move the step binding {ref.name!r} before this one")

    def check_value(self, i: int, where: str, value: Value, param: Param) -> None:
        if isinstance(value, Literal):
            problems = value_problems(param, value.value, where)
            if problems:
                raise self.fail(i, f"argument {problems[0]}",
                                "change the value to one the parameter accepts")
        elif isinstance(value, Ref):
            producer = _producer(self.sites[value.name], i)
            source, problem = _walk_reference(value, self.index.get(self.flat.steps[producer]
                                                                     .call.tool))
            if problem:
                raise self.fail(i, f"argument {where!r}: {problem}",
                                "refer to an index or field the result has")
            if not type_fits(source, param):
                shown = value.text
                if self.graph.nodes[producer]["lifted"]:
                    shown = f"the result of {self.graph.nodes[producer]['tool']}(...)"
                raise self.fail(i, f"argument {where!r} expects {describe_type(param)}, but "
                                   f"{shown} is {describe_type(source)}",
                                "pass a value of the parameter's type, or a field of the "
                                "result that has it")
        elif isinstance(value, ListValue):
            self.check_list(i, where, value, param)
        elif isinstance(value, DictValue):
            self.check_dict(i, where, value, param)

    def check_list(self, i: int, where: str, value: ListValue, param: Param) -> None:
        if param.type == "any":
            return
        if param.type != "array":
            raise self.fail(i, f"argument {where!r} expects {describe_type(param)}, not a list",
                            "pass a single value, not a list")
        count = len(value.items)
        if param.min_items is not None and count < param.min_items:
            raise self.fail(i, f"argument {where!r} needs at least {param.min_items} items "
                               f"(got {count})", "add items to the list")
        if param.max_items is not None and count > param.max_items:
            raise self.fail(i, f"argument {where!r} takes at most {param.max_items} items "
                               f"(got {count})", "remove items from the list")
        if param.items is not None:
            for k, item in enumerate(value.items):
                self.check_value(i, f"{where}[{k}]", item, param.items)

    def check_dict(self, i: int, where: str, value: DictValue, param: Param) -> None:
        if param.type == "any":
            return
        if param.type != "object":
            raise self.fail(i, f"argument {where!r} expects {describe_type(param)}, not a dict",
                            "pass a value of the parameter's type")
        keys = [k for k, _ in value.items]
        for key, item in value.items:
            prop = param.property(key)
            if prop is not None:
                self.check_value(i, f"{where}.{key}", item, prop)
            elif param.properties and not param.additional_properties:
                raise self.fail(i, f"argument {where!r} has no field {key!r}",
                                _suggest(key, [p.name for p in param.properties], "fields"))
        missing = [p.name for p in param.properties if p.required and p.name not in keys]
        if missing:
            raise self.fail(i, f"argument {where!r} lacks the required field(s) "
                               + ", ".join(repr(m) for m in missing),
                            "give the dict every required field")
