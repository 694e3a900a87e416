"""The incremental plan checker: Z3 follows a plan as it is written, and says when it is doomed.

A decoder drives it call by call and value by value:

>>> from neurosym.tools.tool import Param, Tool
>>> hotel = Tool("book_hotel", params=(Param("price", "number", minimum=0),))
>>> checker = PlanChecker([hotel], ["sum(book_hotel.price) <= 500"])
>>> cp = checker.checkpoint()
>>> checker.begin_call(0, "book_hotel", bind="h")
>>> checker.assign(0, "price", 620.0)
>>> verdict = checker.check()       # a price floor of 0: later calls can only add
>>> verdict.ok
False
>>> print(verdict.explanation)
book_hotel.price = 620.0 (step 0) conflicts with the constraint sum(book_hotel.price) <= 500
>>> checker.rollback(cp)            # exactly the state at the checkpoint
>>> checker.calls, checker.check().ok
((), True)

Semantics of a partial plan: values not yet written are free within their parameter's
declared limits, and calls not yet written are an *open extension*: ``count(t)`` may
still grow, a ``sum`` may still grow or shrink within what the parameter's declared
range allows, so nothing is refuted that a later call could repair. ``check(final=True)``
closes the plan. Every verdict names its conflict (an unsat core of assignments, calls
and rules) and every solver call has a timeout.

Observations: ``tool.result`` in a constraint reads ``observations[tool]`` (the latest
result of that tool); a plan reference ``name.field`` reads ``observations[name]`` (the
result bound to ``name``). A missing observation is a free value: the check is deferred
to execution time.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import z3

from ..constraints import ir
from ..constraints.compile import Constraint, ConstraintSet, compile_constraints
from ..constraints.regex import Pattern
from ..errors import DecodeError, NeurosymError, PlanValidationError
from ..tools.tool import Tool
from ._trail import Trail
from .aggregates import AggregateEncoding
from .encoding import ValueEncoding
from .feasible import FeasibleValues
from .state import AggKey, Aggregate, Assignment, CallState, ParamPath, close_match, show_value
from .verdict import CoreItem, Verdict, explain

__all__ = ["PlanChecker", "ParamPath"]


class PlanChecker(ValueEncoding, AggregateEncoding, FeasibleValues):
    """Checks a partial plan incrementally against constraints and the tools' own limits.

    Args:
        tools: the tool set (the constraints' names must resolve in it).
        constraints: a :class:`ConstraintSet` (or constraint texts, compiled here).
        observations: observed results, by tool name (``tool.result``) and by bound name
            (plan references).
        timeout_ms: the limit of every solver call; a timeout gives ``Verdict(unknown=True)``.
        later_sums_nonnegative: assume calls not yet written add nothing negative to a sum
            whose parameter declares no minimum (a search heuristic: it prunes a budget
            overrun as soon as it is written; ``final`` checks do not depend on it).
    """

    def __init__(self, tools: Iterable[Tool], constraints: ConstraintSet | Sequence[str] = (),
                 *, observations: Mapping[str, Any] | None = None, timeout_ms: int = 200,
                 later_sums_nonnegative: bool = False) -> None:
        if not isinstance(timeout_ms, (int, float)) or isinstance(timeout_ms, bool) \
                or timeout_ms < 1:
            raise NeurosymError(f"timeout_ms must be at least 1 millisecond, got {timeout_ms!r}",
                                hint="give every solver call a positive time limit, e.g. 200")
        tools = list(tools)
        self._set = _as_constraint_set(tools, constraints)
        self._schema = self._set.schema
        self._observations: Mapping[str, Any] = dict(observations or {})
        self._timeout_ms = int(timeout_ms)
        self._later_sums_nonnegative = later_sums_nonnegative
        # a context of its own: checkers in different threads never share Z3 state
        self._ctx = z3.Context()
        solver = z3.Solver(ctx=self._ctx)
        solver.set("timeout", self._timeout_ms)
        solver.set("core.minimize", True)
        self._solver = solver
        self._trail = Trail()
        self._counter = itertools.count()
        self._vars: dict[tuple[int, str, tuple[str | int, ...]], z3.ExprRef] = {}
        self._presence_vars: dict[tuple[int, str, tuple[str | int, ...]], z3.BoolRef] = {}
        # state rewound by rollback()
        self._calls: dict[int, CallState] = {}
        self._assigned: dict[tuple[int, tuple[str | int, ...]], Assignment] = {}
        self._active: dict[int, tuple[z3.BoolRef, CoreItem | None]] = {}
        self._agg_defs: dict[AggKey, z3.BoolRef] = {}
        self._refs: dict[tuple[str, str], z3.ExprRef] = {}
        # string values still free whose string rules are in force (see _add_rule)
        self._free: dict[tuple[int, tuple[str | int, ...]], z3.BoolRef] = {}
        self._checkpoints: list[tuple[int, int]] = []
        self._level = 0
        self._closed = z3.Bool("the-plan-is-complete", self._ctx)
        self._end_item = CoreItem("end", "the plan ends here (no later call can help)")
        self._by_tool: dict[str, list[Constraint]] = {name: [] for name in self._schema.tools}
        self._results: dict[ir.Result, z3.ExprRef] = {}
        self._aggs: dict[AggKey, Aggregate] = {}
        self._aggs_by_tool: dict[str, list[AggKey]] = {name: [] for name in self._schema.tools}
        self._ext: dict[str, z3.ArithRef] = {}
        self._string_hints: dict[tuple[str, tuple[str, ...]], set[str]] = {}
        # values some constraint looks at; the others' string rules wait for a value
        self._mentioned: set[tuple[str, tuple[str, ...]]] = set()
        self._patterns: dict[Pattern, z3.ReRef] = {}
        self._build_base()

    # ------------------------------------------------------------------ construction
    def _fresh(self, prefix: str) -> z3.BoolRef:
        return z3.Bool(f"{prefix}#{next(self._counter)}", self._ctx)

    def _build_base(self) -> None:
        for constraint in self._set:
            for sub in ir.walk(constraint.term):
                if isinstance(sub, (ir.Field, ir.Aggregate, ir.Distinct)):
                    self._mentioned.add((sub.tool, sub.path))
                if isinstance(sub, ir.Result):
                    self._result_var(sub)
                elif isinstance(sub, (ir.Count, ir.Aggregate, ir.Distinct, ir.Before)):
                    self._declare_aggregate(sub)
                elif isinstance(sub, ir.Member) and isinstance(sub.arg, ir.Field) \
                        and sub.arg.sort == "string":
                    key = (sub.arg.tool, sub.arg.path)
                    self._string_hints.setdefault(key, set()).update(
                        str(c.value) for c in sub.values)
            for tool in constraint.quantified:
                self._by_tool[tool].append(constraint)
        for key in self._aggs:
            self._redefine(key)
        for constraint in self._set:
            if not constraint.quantified:
                self._add_instance(constraint.term, {}, (), CoreItem(
                    "constraint", constraint.source))


    # ------------------------------------------------------------------ variables


    # ------------------------------------------------------------------ bookkeeping
    def _activate(self, lit: z3.BoolRef, item: CoreItem | None) -> None:
        self._trail.set(self._active, lit.get_id(), (lit, item))

    def _deactivate(self, lit: z3.BoolRef) -> None:
        self._trail.delete(self._active, lit.get_id())


    # ------------------------------------------------------------------ the plan, written
    @property
    def constraints(self) -> ConstraintSet:
        return self._set

    @property
    def calls(self) -> tuple[tuple[int, str, str | None], ...]:
        """The calls begun so far: (step, tool, bind), in the order they were begun."""
        return tuple((c.step, c.tool, c.bind) for c in self._calls.values())

    def begin_call(self, step: int, tool: str, bind: str | None = None) -> None:
        """A call of ``tool`` starts at ``step`` (steps are numbered in execution order)."""
        if step in self._calls:
            raise PlanValidationError(f"step {step} was already begun", step=step,
                                      hint="give each call its own step number, or roll back first")
        if tool not in self._schema.tools:
            guess = close_match(tool, self._schema.tools)
            raise PlanValidationError(f"unknown tool {tool!r}", step=step,
                                      hint=f"did you mean {guess!r}?" if guess else
                                      "known tools: " + ", ".join(sorted(self._schema.tools)))
        lit = z3.Bool(f"call:{tool}@{step}", self._ctx)
        self._trail.set(self._calls, step, CallState(step, tool, bind, lit))
        self._activate(lit, CoreItem("call", f"a call of {tool}", step=step, tool=tool))
        for rule in self._schema.rules_for(tool):
            if ir.ITEMS not in rule.path and not self._deferred(rule):
                self._add_rule(rule, step, ())
        for constraint in self._by_tool[tool]:
            others = [t for t in constraint.quantified if t != tool]
            pools = [[c.step for c in self._calls_of(t)] for t in others]
            for combo in itertools.product(*pools):
                binding = {tool: step, **dict(zip(others, combo))}
                self._add_instance(constraint.term, binding, (), CoreItem(
                    "constraint", constraint.source, steps=tuple(sorted(binding.values()))))
        for key in self._aggs_by_tool[tool]:
            self._redefine(key)

    def _call(self, step: int) -> CallState:
        call = self._calls.get(step)
        if call is None:
            raise PlanValidationError(f"no call was begun at step {step}", step=step,
                                      hint="call begin_call(step, tool) first")
        return call


    def assign(self, step: int, path: ParamPath, value: Any) -> None:
        """The call at ``step`` gives ``value`` to ``path`` (a parameter name, or a tuple
        into nested values: ``("traveler", "age")``, ``("seats", 0)``). ``value`` is a Python
        value, a plan Literal, ListValue or DictValue, or a Ref to an earlier result."""
        call = self._call(step)
        if not call.open:
            raise PlanValidationError(f"the call at step {step} is already complete", step=step,
                                      hint="roll back to a checkpoint inside the call to change it")
        full, info = self._field(call, path)
        lit = self._fresh("given")
        facts: list[z3.BoolRef] = []
        for end, part in enumerate(full):
            if isinstance(part, int):  # an item given on its own: its list is at least that long
                length = self._var(step, call.tool, full[:end] + (ir.LENGTH,), "int")
                facts.append(length >= part + 1)
        if isinstance(full[-1], int):
            self._add_item_rules(call, full)
        self._encode_value(call, full, info, value, lit, facts)
        for prefix in self._optional_segments(call.tool, full[:-1]):
            facts.append(self._presence_var(step, call.tool, prefix))
        if facts:
            self._solver.add(z3.Implies(lit, z3.And(*facts) if len(facts) > 1 else facts[0]))
        old = self._assigned.get((step, full))
        if old is not None:
            self._deactivate(old.lit)
        self._trail.set(self._assigned, (step, full), Assignment(lit))
        self._activate(lit, CoreItem("assignment", f"{call.tool}.{ir.path_text(full)} = "
                                     f"{show_value(value)}", step=step, tool=call.tool,
                                     param=ir.path_text(full), value=value))


    def end_call(self, step: int) -> None:
        """The call at ``step`` is complete: optional values not given take their default,
        or are absent (and constraints on them hold vacuously)."""
        call = self._call(step)
        if not call.open:
            return
        given = [path for (s, path) in self._assigned if s == step]
        for info in sorted(self._schema.fields_for(call.tool), key=lambda i: len(i.path)):
            if not info.optional or ir.ITEMS in info.path or ir.LENGTH in info.path:
                continue
            path = info.path
            if any(g[:len(path)] == path or path[:len(g)] == g for g in given):
                continue  # given itself, inside a larger value, or through one of its fields
            parent = path[:-1]
            if parent and not any(g[:len(parent)] == parent for g in given):
                continue  # the enclosing object was not given at all
            if info.default is not None:
                self.assign(step, path, info.default)
                key = (step, path)
                assignment = self._assigned[key]
                lit_item = self._active[assignment.lit.get_id()][1]
                assert lit_item is not None
                self._activate(assignment.lit, replace(lit_item, origin="default",
                                                       text=lit_item.text + " (default)"))
                given.append(path)
            else:
                self._solver.add(z3.Not(self._presence_var(step, call.tool, path)))
        self._trail.set(self._calls, step, replace(self._calls[step], open=False))

    # ------------------------------------------------------------------ scopes
    def checkpoint(self) -> int:
        """Remember the current state; ``rollback(id)`` returns to it exactly."""
        self._solver.push()
        self._level += 1
        self._checkpoints.append((self._trail.mark(), self._level))
        return len(self._checkpoints) - 1

    def rollback(self, to: int) -> None:
        """Undo everything since checkpoint ``to`` (which stays valid; later ones do not)."""
        if not 0 <= to < len(self._checkpoints):
            raise DecodeError(f"no checkpoint {to} (there are {len(self._checkpoints)})",
                              hint="roll back only to a checkpoint taken since the last rollback "
                                   "to an earlier one")
        mark, level = self._checkpoints[to]
        self._solver.pop(self._level - level + 1)
        self._trail.undo(mark)
        self._solver.push()
        self._level = level
        del self._checkpoints[to + 1:]

    # ------------------------------------------------------------------ checking
    def _assumptions(self, *, final: bool, skip: Iterable[int] = ()) -> list[z3.BoolRef]:
        skipped = set(skip)
        out = [lit for key, (lit, _) in self._active.items() if key not in skipped]
        out.extend(self._agg_defs.values())
        out.extend(self._free.values())
        if final:
            out.append(self._closed)
        return out

    def _core(self, lits: Iterable[z3.ExprRef]) -> tuple[CoreItem, ...]:
        items: list[CoreItem] = []
        for lit in lits:
            if lit.eq(self._closed):
                items.append(self._end_item)
                continue
            entry = self._active.get(lit.get_id())
            if entry is not None and entry[1] is not None:
                items.append(entry[1])
        valued = {i.step for i in items if i.kind == "assignment"}
        # a call whose values are in the core is named by them already
        items = [i for i in items if not (i.kind == "call" and i.step in valued)]
        plan_side = sorted((i for i in items if i.is_plan_value),
                           key=lambda i: (i.kind == "observation",
                                          i.step if i.step is not None else -1, i.text))
        rules = [i for i in items if not i.is_plan_value and i.kind != "end"]
        rules.sort(key=lambda i: (i.kind != "constraint", i.text))
        ends = [i for i in items if i.kind == "end"]
        return tuple(plan_side + rules + ends)

    def check(self, *, final: bool = False) -> Verdict:
        """Can the plan written so far still be completed (``final``: is it complete and valid)?"""
        start = time.perf_counter()
        result = self._solver.check(*self._assumptions(final=final))
        if result == z3.sat:
            return Verdict(True, elapsed_ms=(time.perf_counter() - start) * 1000.0)
        if result == z3.unsat:
            core = self._core(self._solver.unsat_core())
            return Verdict(False, core, elapsed_ms=(time.perf_counter() - start) * 1000.0)
        elapsed = (time.perf_counter() - start) * 1000.0
        reason = self._solver.reason_unknown()
        if reason in ("", "canceled", "timeout"):
            reason = f"timeout after {self._timeout_ms} ms"
        return Verdict(False, unknown=True, elapsed_ms=elapsed, reason=reason)

    def explain(self, core: Sequence[CoreItem] | Verdict) -> str:
        """A core (or a verdict's core) in the user's own terms."""
        if isinstance(core, Verdict):
            return core.explanation
        return explain(core)

    # ------------------------------------------------------------------ forward checking


def _as_constraint_set(tools: list[Tool],
                       constraints: ConstraintSet | Sequence[str]) -> ConstraintSet:
    if isinstance(constraints, ConstraintSet):
        known = constraints.schema.tools
        if len(known) == len(tools) and all(known.get(t.name) == t for t in tools):
            return constraints
        return compile_constraints(constraints.sources, tools)
    return compile_constraints(list(constraints), tools)
