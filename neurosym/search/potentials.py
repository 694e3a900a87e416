"""Hard potentials over partial plans: what the grammar's mask cannot see, the solver and
the references judge the moment a value, a reference or a call is complete.

A potential is weight one (the partial plan may still be completed) or zero (it cannot,
and its branch leaves the search at once). The grammar is the first potential and lives
in the token masks (:mod:`neurosym.search.beam`); these are the others, each testable
without a model.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..plan.ast import Call, Plan, Ref, Step, Value, walk_values
from ..plan.flatten import flatten
from ..tools.tool import Tool

__all__ = ["PartialPlan", "Potential", "Refusal", "ReferencePotential", "SolverPotential"]


@dataclass(frozen=True)
class PartialPlan:
    """The complete steps written so far and the call being written (its tool, its name,
    the arguments whose values are complete)."""

    steps: tuple[Step, ...] = ()
    tool: str | None = None
    bind: str | None = None
    args: tuple[tuple[str, Value], ...] = ()

    def with_call(self, tool: str, bind: str | None) -> PartialPlan:
        return PartialPlan(self.steps, tool, bind, ())

    def with_arg(self, name: str, value: Value) -> PartialPlan:
        return PartialPlan(self.steps, self.tool, self.bind, (*self.args, (name, value)))

    def with_step(self, step: Step) -> PartialPlan:
        return PartialPlan((*self.steps, step))

    @property
    def bound(self) -> frozenset[str]:
        return frozenset(s.bind for s in self.steps if s.bind)


@dataclass(frozen=True)
class Refusal:
    """Why a partial plan cannot be completed: the potential's name and its reason
    (for the solver, the unsat core in the user's terms)."""

    potential: str
    reason: str
    core: tuple[str, ...] = ()


class Potential(Protocol):
    """A hard potential: None while ``partial`` may still be completed, else a Refusal."""

    name: str

    def refuse(self, partial: PartialPlan) -> Refusal | None: ...


class ReferencePotential:
    """A reference must name a step written before it."""

    name = "references"

    def refuse(self, partial: PartialPlan) -> Refusal | None:
        bound = partial.bound
        for name, value in partial.args:
            for node in walk_values(value):
                if isinstance(node, Ref) and node.name not in bound:
                    return Refusal(self.name, f"{partial.tool}.{name} refers to {node.name!r}, "
                                              "which no earlier step binds")
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
