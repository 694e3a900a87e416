"""Hard potentials over partial plans: what the grammar's mask cannot see, the solver and
the references judge the moment a value, a reference or a call is complete.

A potential is weight one (the partial plan may still be completed) or zero (it cannot,
and its branch leaves the search at once). The grammar is the first potential and lives
in the token masks (:mod:`neurosym.search.beam`); these are the others, each testable
without a model.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..plan.ast import Call, Literal, Plan, Ref, Step, Value, walk_values
from ..plan.flatten import flatten
from ..tools.dataflow import DataFlow
from ..tools.tool import Tool
from .base import PartialPlan, Potential, Refusal

__all__ = ["ReferencePotential", "SolverPotential", "first_refusal"]

_NUMBER = re.compile(r"\d+")
#: The name a bare value starts with, and the words a bare value may be besides a name.
_NAME_HEAD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORDS = ("True", "False", "None", "true", "false", "null")


class ReferencePotential:
    """A reference must name a step written before it.

    With the tools it also judges what the reference points at: the field must exist in
    the producing step's declared result and fit the parameter, and a list index other
    than ``[0]`` needs the request to hold that number. With the data flow, a parameter
    that only another tool can supply (:mod:`neurosym.tools.dataflow`) takes a
    reference to that tool's field, or a literal the request holds verbatim.
    """

    name = "references"

    def __init__(self, tools: Sequence[Tool] = (), *, request: str = "",
                 flow: DataFlow | None = None, nested: bool = False) -> None:
        self.tools = {t.name: t for t in tools}
        #: Whether a value may be a call (``Planner(nested=True)``): then a bare name
        #: may also begin a tool's name.
        self.nested = nested
        self.request = request
        self.flow = flow
        self._numbers = frozenset(_NUMBER.findall(request))

    def refuse(self, partial: PartialPlan) -> Refusal | None:
        for name, value in partial.args:
            for node in walk_values(value):
                if isinstance(node, Ref):
                    refusal = self.refuse_reference(node, partial,
                                                    param=name if node is value else None)
                    if refusal is not None:
                        return refusal
            refusal = self._refuse_produced(name, value, partial)
            if refusal is not None:
                return refusal
        return None

    def refuse_name(self, name: str, partial: PartialPlan) -> Refusal | None:
        """A value that starts with ``name`` and goes on with ``.`` or ``[``, judged
        before its path is written: a reference must name an earlier step. A name that
        starts a longer dotted tool name may still become a nested call where values may
        be calls, and passes."""
        if name in partial.bound:
            return None
        if self.nested and (not self.tools or any(tool.startswith(name + ".")
                                                  for tool in self.tools)):
            return None
        return Refusal(self.name, f"{name!r} names no earlier step")

    def dooms(self, atom: str, partial: PartialPlan) -> bool:
        """Whether a bare value that begins ``atom`` (a reference, a keyword, a nested
        call's name, a number) can only end as a reference :meth:`refuse_name` refuses:
        its name is complete and names no earlier step, or it cannot grow into a name
        that does (nor into ``True``, ``False``, ``None`` or, where values may be calls, a
        tool's name)."""
        head = _NAME_HEAD.match(atom)
        if head is None or self.nested and not self.tools:
            return False
        name, rest = head.group(0), atom[head.end():]
        if rest:
            if rest[0] in ".[":
                return self.refuse_name(name, partial) is not None
            if rest[0] == "(":
                return False        # a nested call: the grammar says where one may stand
            return name not in _WORDS and self.refuse_name(name, partial) is not None
        return not any(known.startswith(name)
                       for known in (*partial.bound, *_WORDS, *(self.tools if self.nested else ())))

    def refuse_reference(self, ref: Ref, partial: PartialPlan,
                         param: str | None = None) -> Refusal | None:
        """One reference, the moment it is written inside ``partial``'s current call
        (``param`` is the parameter it is the whole value of, when it is)."""
        if ref.name not in partial.bound:
            return Refusal(self.name, f"{ref.name!r} names no earlier step")
        for part in ref.path:
            if isinstance(part, int) and part != 0 and not {str(part), str(part + 1)} & self._numbers:
                return Refusal(self.name, f"{ref.text}: the request names no item "
                                          f"but the first of {ref.name}'s result")
        if not self.tools:
            return None
        from ..graph.validate import check_reference
        checked = check_reference(ref, partial.steps, self.tools, tool=partial.tool,
                                  param=param)
        if not checked.ok:
            return Refusal(self.name, checked.message)
        return None

    def _refuse_produced(self, name: str, value: Value, partial: PartialPlan) -> Refusal | None:
        if self.flow is None or partial.tool is None:
            return None
        producers = self.flow.producers(partial.tool, name)
        if not producers:
            return None
        if isinstance(value, Ref):
            producer = _step_tool(partial.steps, value.name)
            feeds = [f for f in self.flow.feeds(partial.tool, name) if f.produced]
            if any(f.producer == producer and f.path == value.path for f in feeds):
                return None
            wanted = " or ".join(f"{f.producer}(){f.suffix}" for f in feeds)
            return Refusal(self.name, f"{partial.tool}.{name} is produced by {wanted}, "
                                      f"not by {value.text}")
        if isinstance(value, Literal) and value.value is not None:
            text = value.value if isinstance(value.value, str) else str(value.value)
            if not text or not _holds_whole(self.request, text):
                why = f"the request does not hold {text!r}"
            elif _given_elsewhere(value, name, partial):
                why = f"{text!r} is already another argument's value"
            elif (taken := self._input_of_producer(value, producers)) is not None:
                why = f"{text!r} is a value for {taken}, an input of the producer"
            else:
                return None
            return Refusal(self.name, f"{partial.tool}.{name} is produced by "
                                      f"{' or '.join(producers)}, and {why}: call the "
                                      "producer and refer to its result")
        return None


    def _input_of_producer(self, value: Literal, producers: Sequence[str]) -> str | None:
        """A producer's parameter whose own constraints (a pattern, a format, an enum, a
        date) the literal meets: then it is the kind of value the producer takes, not
        the kind it returns."""
        from ..graph.fit import value_problems
        for name in producers:
            producer = self.tools.get(name)
            for param in producer.params if producer is not None else ():
                typed = (param.pattern is not None or param.format is not None
                         or param.enum is not None or param.type == "date")
                if typed and not value_problems(param, value.value):
                    return f"{name}.{param.name}"
        return None


def _holds_whole(text: str, value: str) -> bool:
    """Whether ``value`` occurs in ``text`` not as part of a longer run of letters and
    digits (``77`` is not in ``o77``)."""
    start = text.find(value)
    while start >= 0:
        end = start + len(value)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if not (before.isalnum() and value[:1].isalnum()) and not (
                after.isalnum() and value[-1:].isalnum()):
            return True
        start = text.find(value, start + 1)
    return False


def _given_elsewhere(value: Literal, name: str, partial: PartialPlan) -> bool:
    """Whether the plan already passes ``value`` to another parameter: a part of the
    request that an argument has used is an input, not the id a producer returns."""
    for step in partial.steps:
        if any(node == value for _, v in step.call.args for node in walk_values(v)):
            return True
    return any(node == value for other, v in partial.args if other != name
               for node in walk_values(v))


def _step_tool(steps: Sequence[Step], bind: str) -> str | None:
    for step in reversed(steps):
        if step.bind == bind:
            return step.call.tool
    return None


@dataclass
class SolverPotential:
    """The Z3 solver: a partial plan whose values already break a constraint (or a
    tool's declared limit) gets weight zero.

    Later calls are left open (the solver may still add what a constraint needs), so
    only what no completion can repair is refused. Verdicts are memoised per partial
    plan: the beams of a search share most of their prefixes.
    """

    tools: Sequence[Tool]
    constraints: Any = ()
    observations: Mapping[str, Any] | None = None
    timeout_ms: int = 200
    name: str = "solver"
    checks: int = 0
    seconds: float = 0.0
    check_times: list[float] = field(default_factory=list)
    _checker: Any = field(default=None, repr=False)
    _memo: dict[PartialPlan, Refusal | None] = field(default_factory=dict, repr=False)

    def refuse(self, partial: PartialPlan) -> Refusal | None:
        if partial in self._memo:
            return self._memo[partial]
        from ..solver.check import feed_plan
        from ..solver.checker import PlanChecker
        started = time.perf_counter()
        if self._checker is None:
            self._checker = PlanChecker(self.tools, self.constraints or (),
                                        observations=self.observations, timeout_ms=self.timeout_ms)
            self._root = self._checker.checkpoint()
        checker = self._checker
        try:
            feed_plan(checker, Plan(partial.steps))
            if partial.tool is not None:
                step = len(flatten(Plan(partial.steps)).steps)
                checker.begin_call(step, partial.tool, partial.bind)
                for name, value in partial.args:
                    if not _holds_call(value):      # a nested call is checked as its own step
                        checker.assign(step, name, value)
            verdict = checker.check(final=False)
            refusal = (Refusal(self.name, verdict.explanation,
                               tuple(c.describe() for c in verdict.core))
                       if verdict.refuted else None)
        finally:
            checker.rollback(self._root)
        spent = time.perf_counter() - started
        self.checks += 1
        self.seconds += spent
        self.check_times.append(spent * 1000.0)
        self._memo[partial] = refusal
        return refusal


    def refuse_every_plan(self) -> tuple[str, ...] | None:
        """Why no plan at all can meet the constraints (the empty plan closed, and every
        first call), or None when some plan may."""
        from ..solver.check import check_plan
        empty = check_plan(Plan(), self.tools, self.constraints or (),
                           observations=self.observations, timeout_ms=self.timeout_ms)
        if not empty.refuted:
            return None
        reasons = [empty.explanation]
        for tool in self.tools:
            refusal = self.refuse(PartialPlan(tool=tool.name, bind="r1"))
            if refusal is None:
                return None
            reasons.append(f"a first call of {tool.name}: {refusal.reason}")
        return tuple(dict.fromkeys(reasons))


def _holds_call(value: Value) -> bool:
    return any(isinstance(node, Call) for node in walk_values(value))


def first_refusal(potentials: Iterable[Potential], partial: PartialPlan) -> Refusal | None:
    """The first potential that refuses ``partial`` (cheap ones should come first)."""
    for potential in potentials:
        refusal = potential.refuse(partial)
        if refusal is not None:
            return refusal
    return None
