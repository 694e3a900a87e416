"""Nested calls lifted into steps of their own: ``f(x=g(y=1))`` becomes two steps.

Inner calls run first, left to right as written, each bound to a fresh name (one that
no step binds and no reference mentions) that a reference then stands in for.

>>> from neurosym.plan.parse import parse_plan
>>> print(flatten(parse_plan('b = book(hotel=math.pick(xs=[find(city="Rome")]), n=1)')).text)
_find = find(city="Rome")
_pick = math.pick(xs=[_find])
b = book(hotel=_pick, n=1)
"""

from __future__ import annotations

from .ast import Call, DictValue, ListValue, Plan, Ref, Step, Value, walk_values

__all__ = ["flatten"]


def flatten(plan: Plan) -> Plan:
    """The same plan without nested calls: each one is a bound step before its user."""
    taken = {step.bind for step in plan.steps if step.bind}
    for step in plan.steps:
        taken.update(v.name for v in walk_values(step.call) if isinstance(v, Ref))
    lifter = _Lifter(taken)
    for step in plan.steps:
        args = tuple((k, lifter.lift(v)) for k, v in step.call.args)
        lifter.steps.append(Step(Call(step.call.tool, args), bind=step.bind))
    return Plan(tuple(lifter.steps), plan.terminal)


class _Lifter:
    """Nested calls lifted into steps of their own, under names not yet taken (an object
    rather than recursive closures, which would leave a reference cycle behind)."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.steps: list[Step] = []

    def fresh(self, tool: str) -> str:
        base = "_" + tool.rsplit(".", 1)[-1]
        name, n = base, 2
        while name in self.taken:
            name, n = f"{base}_{n}", n + 1
        self.taken.add(name)
        return name

    def lift(self, value: Value) -> Value:
        if isinstance(value, Call):
            call = Call(value.tool, tuple((k, self.lift(v)) for k, v in value.args))
            name = self.fresh(value.tool)
            self.steps.append(Step(call, bind=name))
            return Ref(name)
        if isinstance(value, ListValue):
            return ListValue(tuple(self.lift(v) for v in value.items))
        if isinstance(value, DictValue):
            return DictValue(tuple((k, self.lift(v)) for k, v in value.items))
        return value
