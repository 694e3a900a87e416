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

import contextlib
import itertools
import math
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import z3

from ..constraints import ir
from ..constraints.compile import Constraint, ConstraintSet, compile_constraints
from ..constraints.regex import Pattern, finite_language, parse_pattern
from ..constraints.schema import FieldInfo, ParamRule
from ..constraints.values import NotInSort, from_sort_value, sort_label, to_sort_value
from ..errors import DecodeError, NeurosymError, PlanValidationError
from ..plan.ast import Call as PlanCall
from ..plan.ast import DictValue, ListValue
from ..plan.ast import Literal as PlanLiteral
from ..plan.ast import Ref, to_python
from ..tools.tool import Tool
from . import _encode
from ._trail import Trail
from ._z3regex import pattern_to_z3
from .verdict import CoreItem, Feasible, Verdict, explain

__all__ = ["PlanChecker", "ParamPath"]

ParamPath = str | tuple[str | int, ...]
_AggKey = tuple[Any, ...]


@dataclass(frozen=True)
class _CallState:
    step: int
    tool: str
    bind: str | None
    lit: z3.BoolRef
    open: bool = True


@dataclass(frozen=True)
class _Assignment:
    lit: z3.BoolRef


@dataclass(frozen=True)
class _Aggregate:
    key: _AggKey
    tools: tuple[str, ...]
    value: z3.ExprRef
    nonempty: z3.BoolRef | None = None
    ext_value: z3.ExprRef | None = None
    ext_nonempty: z3.BoolRef | None = None


def _show(value: Any) -> str:
    """A value as the plan writes it, for explanations."""
    if isinstance(value, Ref):
        return value.text
    if isinstance(value, PlanCall):
        return f"{value.tool}(...)"
    if isinstance(value, (PlanLiteral, ListValue, DictValue)):
        try:
            return repr(to_python(value))
        except TypeError:  # a reference or a call inside
            return "[...]" if isinstance(value, ListValue) else "{...}"
    return repr(value)


def _close_matches(word: str, options: Iterable[str]) -> str | None:
    import difflib
    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return found[0] if found else None


def _schema_path(path: tuple[str | int, ...]) -> tuple[str, ...]:
    return tuple(ir.ITEMS if isinstance(p, int) else p for p in path)


class PlanChecker:
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
        self._calls: dict[int, _CallState] = {}
        self._assigned: dict[tuple[int, tuple[str | int, ...]], _Assignment] = {}
        self._active: dict[int, tuple[z3.BoolRef, CoreItem | None]] = {}
        self._agg_defs: dict[_AggKey, z3.BoolRef] = {}
        self._refs: dict[tuple[str, str], z3.ExprRef] = {}
        # string values still free whose string rules are in force (see _add_rule)
        self._free: dict[tuple[int, tuple[str | int, ...]], z3.BoolRef] = {}
        self._checkpoints: list[tuple[int, int]] = []
        self._level = 0
        self._closed = z3.Bool("the-plan-is-complete", self._ctx)
        self._end_item = CoreItem("end", "the plan ends here (no later call can help)")
        self._by_tool: dict[str, list[Constraint]] = {name: [] for name in self._schema.tools}
        self._results: dict[ir.Result, z3.ExprRef] = {}
        self._aggs: dict[_AggKey, _Aggregate] = {}
        self._aggs_by_tool: dict[str, list[_AggKey]] = {name: [] for name in self._schema.tools}
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

    def _ext_count(self, tool: str) -> z3.ArithRef:
        ext = self._ext.get(tool)
        if ext is None:
            ext = z3.Int(f"later-calls:{tool}", self._ctx)
            self._ext[tool] = ext
            self._solver.add(ext >= 0, z3.Implies(self._closed, ext == 0))
        return ext

    def _declared_range(self, tool: str, path: tuple[str, ...], sort: str) -> tuple[Any, Any]:
        """The bounds a parameter's own schema gives (for the open extension of sums)."""
        info = self._schema.field(tool, path)
        if info is None:
            return None, None
        param = info.param
        lo = param.minimum if param.minimum is not None else param.exclusive_minimum
        hi = param.maximum if param.maximum is not None else param.exclusive_maximum
        if param.enum:
            numbers = [v for v in param.enum
                       if isinstance(v, (int, float)) and not isinstance(v, bool)]
            if numbers:
                lo = min(numbers) if lo is None else max(lo, min(numbers))
                hi = max(numbers) if hi is None else min(hi, max(numbers))

        def exact(bound: Any, rounding: Any) -> Any:
            try:
                number = to_sort_value(bound, "real") if bound is not None else None
            except NotInSort:
                return None  # a malformed bound only loosens the extension: still sound
            return rounding(number) if number is not None and sort == "int" else number

        return exact(lo, math.ceil), exact(hi, math.floor)

    def _path_optional(self, tool: str, path: tuple[str, ...]) -> bool:
        for end in range(1, len(path) + 1):
            info = self._schema.field(tool, path[:end])
            if info is not None and info.optional:
                return True
        return False

    def _declare_aggregate(self, term: ir.Term) -> None:
        if isinstance(term, ir.Count):
            key: _AggKey = ("count", term.tool)
            if key not in self._aggs:
                self._ext_count(term.tool)
                count = z3.Int(f"count({term.tool})", self._ctx)
                self._register(_Aggregate(key, (term.tool,), count))
        elif isinstance(term, ir.Aggregate):
            key = (term.op, term.tool, term.path)
            if key in self._aggs:
                return
            name = f"{term.op}({term.tool}.{ir.path_text(term.path)})"
            ext = self._ext_count(term.tool)
            value = _encode.z3_const(name, term.sort, self._ctx)
            if term.op == "sum":
                later = _encode.z3_const("later:" + name, term.sort, self._ctx)
                lo, hi = self._declared_range(term.tool, term.path, term.sort)
                if lo is None and self._later_sums_nonnegative:
                    lo = 0
                if self._path_optional(term.tool, term.path):
                    lo = min(lo, 0) if lo is not None else None
                    hi = max(hi, 0) if hi is not None else None
                scale = z3.ToReal(ext) if term.sort == "real" else ext
                self._solver.add(z3.Implies(ext == 0, later == 0))
                if lo is not None:
                    self._solver.add(later >= scale * _encode.z3_value(lo, term.sort, self._ctx))
                if hi is not None:
                    self._solver.add(later <= scale * _encode.z3_value(hi, term.sort, self._ctx))
                self._register(_Aggregate(key, (term.tool,), value, ext_value=later))
            else:
                nonempty = z3.Bool("nonempty:" + name, self._ctx)
                later = _encode.z3_const("later:" + name, term.sort, self._ctx)
                later_nonempty = z3.Bool("later-nonempty:" + name, self._ctx)
                self._solver.add(z3.Implies(later_nonempty, ext >= 1))
                if not self._path_optional(term.tool, term.path):
                    self._solver.add(z3.Implies(ext >= 1, later_nonempty))
                # a later call's value obeys the parameter's declared range and values
                for rule in self._schema.rules_for(term.tool):
                    if rule.path == term.path and rule.kind in ("range", "enum"):
                        body, _ = _encode.encode(rule.term, _FixedEnv(self, {
                            (term.tool, term.path): later}))
                        self._solver.add(z3.Implies(later_nonempty, body))
                self._register(_Aggregate(key, (term.tool,), value, nonempty, later,
                                          later_nonempty))
        elif isinstance(term, ir.Distinct):
            key = ("distinct", term.tool, term.path)
            if key not in self._aggs:
                ext = self._ext_count(term.tool)
                name = f"distinct({term.tool}.{ir.path_text(term.path)})"
                later = z3.Bool("later-" + name, self._ctx)
                self._solver.add(z3.Implies(ext == 0, later))
                self._register(_Aggregate(key, (term.tool,), z3.Bool(name, self._ctx),
                                          ext_nonempty=later))
        elif isinstance(term, ir.Before):
            key = ("before", term.first, term.then)
            if key not in self._aggs:
                self._ext_count(term.first)
                ext = self._ext_count(term.then)
                later = z3.Bool(f"later-before({term.first}, {term.then})", self._ctx)
                self._solver.add(z3.Implies(ext == 0, later))
                self._register(_Aggregate(key, (term.first, term.then), z3.Bool(
                    f"before({term.first}, {term.then})", self._ctx), ext_nonempty=later))

    def _register(self, agg: _Aggregate) -> None:
        self._aggs[agg.key] = agg
        for tool in agg.tools:
            self._aggs_by_tool[tool].append(agg.key)

    def _result_var(self, term: ir.Result) -> z3.ExprRef:
        var = self._results.get(term)
        if var is not None:
            return var
        text = ".".join([term.tool, "result"]) + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in term.path)
        var = _encode.z3_const(f"{text}:{term.sort}", term.sort, self._ctx)
        self._results[term] = var
        found, value = _walk(self._observations, term.tool, term.path)
        if found:
            self._observe(var, text, value, term.sort)
        return var

    def _observe(self, var: z3.ExprRef, text: str, value: Any, sort: str) -> None:
        lit = self._fresh("observed")
        item = CoreItem("observation", f"{text} = {value!r} (observed)", value=value)
        try:
            fact = var == _encode.z3_value(to_sort_value(value, sort), sort, self._ctx)
        except NotInSort:
            fact = z3.BoolVal(False, self._ctx)
            item = replace(item, text=f"{text} = {value!r} (observed, not {sort_label(sort)})")
        self._solver.add(z3.Implies(lit, fact))
        self._activate(lit, item)

    # ------------------------------------------------------------------ variables
    def _pattern(self, pattern: Pattern) -> z3.ReRef:
        found = self._patterns.get(pattern)
        if found is None:
            found = pattern_to_z3(pattern, self._ctx)
            self._patterns[pattern] = found
        return found

    def _var(self, step: int, tool: str, path: tuple[str | int, ...], sort: str) -> z3.ExprRef:
        key = (step, tool, path)
        var = self._vars.get(key)
        if var is None:
            var = _encode.z3_const(f"{tool}@{step}.{ir.path_text(path)}", sort, self._ctx)
            self._vars[key] = var
        return var

    def _presence_var(self, step: int, tool: str, path: tuple[str | int, ...]) -> z3.BoolRef:
        key = (step, tool, path)
        var = self._presence_vars.get(key)
        if var is None:
            var = z3.Bool(f"given:{tool}@{step}.{ir.path_text(path)}", self._ctx)
            self._presence_vars[key] = var
        return var

    def _optional_segments(self, tool: str,
                           path: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
        out = []
        for end in range(1, len(path) + 1):
            prefix = path[:end]
            if isinstance(prefix[-1], int) or prefix[-1] == ir.LENGTH:
                continue
            info = self._schema.field(tool, _schema_path(prefix))
            if info is not None and info.optional:
                out.append(prefix)
        return out

    def _presence(self, step: int, tool: str, path: tuple[str | int, ...]) -> z3.BoolRef | None:
        segments = self._optional_segments(tool, path)
        if not segments:
            return None
        vars_ = [self._presence_var(step, tool, seg) for seg in segments]
        return vars_[0] if len(vars_) == 1 else z3.And(*vars_)

    # ------------------------------------------------------------------ bookkeeping
    def _activate(self, lit: z3.BoolRef, item: CoreItem | None) -> None:
        self._trail.set(self._active, lit.get_id(), (lit, item))

    def _deactivate(self, lit: z3.BoolRef) -> None:
        self._trail.delete(self._active, lit.get_id())

    def _add_instance(self, term: ir.Term, binding: Mapping[str, int],
                      index: tuple[int, ...], item: CoreItem,
                      extra: tuple[z3.BoolRef, ...] = ()) -> None:
        body, guards = _encode.encode(term, _CallEnv(self, binding, index))
        # guarded by the calls it is about, so a core names them when no value is to blame
        guards = tuple(self._calls[step].lit for step in sorted(set(binding.values()))) \
            + extra + guards
        if guards:
            body = z3.Implies(guards[0] if len(guards) == 1 else z3.And(*guards), body)
        lit = self._fresh("rule")
        self._solver.add(z3.Implies(lit, body))
        self._activate(lit, item)

    @staticmethod
    def _string_rule(rule: ParamRule) -> bool:
        return rule.kind in ("pattern", "format", "length") and ir.ITEMS not in rule.path

    def _deferred(self, rule: ParamRule) -> bool:
        """String rules (regex, length) of a value no constraint mentions wait for its value.

        Such a rule constrains only its own free string, so it cannot refute a partial plan
        until the value is written; leaving it out of the checks keeps the string solver
        away from every free string of every call. (The string rules of a value that a
        constraint mentions apply while it is free, and are decided on its constant once
        it is written: see ``_free``.)
        """
        return self._string_rule(rule) and (rule.tool, rule.path) not in self._mentioned

    def _rule_item(self, rule: ParamRule, step: int, index: tuple[int, ...] = ()) -> CoreItem:
        text, param = rule.text, ir.path_text(rule.path)
        if index:
            concrete = iter(index)
            path = tuple(next(concrete) if p == ir.ITEMS else p for p in rule.path)
            param = ir.path_text(path)
            text = text.replace(ir.path_text(rule.path), param)
        return CoreItem("parameter", text, step=step, tool=rule.tool, param=param,
                        origin=rule.label, steps=(step,))

    def _add_rule(self, rule: ParamRule, step: int, index: tuple[int, ...]) -> None:
        extra: tuple[z3.BoolRef, ...] = ()
        if not index and self._string_rule(rule):
            # in force while the value is free; a written constant decides it directly
            key = (step, rule.path)
            free = self._free.get(key)
            if free is None:
                free = z3.Bool(f"free:{rule.tool}@{step}.{ir.path_text(rule.path)}", self._ctx)
                self._trail.set(self._free, key, free)
            extra = (free,)
        self._add_instance(rule.term, {rule.tool: step}, index, self._rule_item(rule, step, index),
                           extra)

    def _calls_of(self, tool: str) -> list[_CallState]:
        return [call for call in self._calls.values() if call.tool == tool]

    def _redefine(self, key: _AggKey) -> None:
        """(Re)define an aggregate over the calls written so far plus the open extension."""
        agg = self._aggs[key]
        kind = key[0]
        if kind == "count":
            tool = key[1]
            terms = [z3.If(c.lit, 1, 0) for c in self._calls_of(tool)] + [self._ext[tool]]
            body = agg.value == z3.Sum(*terms) if len(terms) > 1 else agg.value == terms[0]
        elif kind in ("sum", "min", "max"):
            tool, path = key[1], key[2]
            info = self._schema.field(tool, path)
            assert info is not None and info.sort is not None
            sort = info.sort if kind != "sum" else ("int" if info.sort == "int" else "real")
            members = []
            for call in self._calls_of(tool):
                present = self._presence(call.step, tool, path)
                active = call.lit if present is None else z3.And(call.lit, present)
                members.append((active, self._var(call.step, tool, path, info.sort)))
            if kind == "sum":
                zero = _encode.z3_value(0, sort, self._ctx)
                terms = [z3.If(active, value, zero) for active, value in members]
                assert agg.ext_value is not None
                terms.append(agg.ext_value)
                body = agg.value == (z3.Sum(*terms) if len(terms) > 1 else terms[0])
            else:
                assert agg.nonempty is not None and agg.ext_value is not None \
                    and agg.ext_nonempty is not None
                members.append((agg.ext_nonempty, agg.ext_value))
                better = (lambda a, b: a <= b) if kind == "min" else (lambda a, b: a >= b)
                parts = [agg.nonempty == z3.Or(*[a for a, _ in members])]
                parts += [z3.Implies(a, better(agg.value, v)) for a, v in members]
                parts.append(z3.Implies(agg.nonempty, z3.Or(*[z3.And(a, agg.value == v)
                                                            for a, v in members])))
                body = z3.And(*parts)
        elif kind == "distinct":
            tool, path = key[1], key[2]
            info = self._schema.field(tool, path)
            assert info is not None and info.sort is not None and agg.ext_nonempty is not None
            members = []
            for call in self._calls_of(tool):
                present = self._presence(call.step, tool, path)
                active = call.lit if present is None else z3.And(call.lit, present)
                members.append((active, self._var(call.step, tool, path, info.sort)))
            pairs = [z3.Implies(z3.And(a1, a2), v1 != v2)
                     for (a1, v1), (a2, v2) in itertools.combinations(members, 2)]
            body = agg.value == z3.And(*pairs, agg.ext_nonempty)
        else:  # before
            first, then = key[1], key[2]
            assert agg.ext_nonempty is not None
            firsts = self._calls_of(first)
            parts = []
            for call in self._calls_of(then):
                earlier = [f.lit for f in firsts if f.step < call.step]
                some_earlier = z3.Or(*earlier) if earlier else z3.BoolVal(False, self._ctx)
                parts.append(z3.Implies(call.lit, some_earlier))
            parts.append(z3.Or(agg.ext_nonempty, *[f.lit for f in firsts]))
            body = agg.value == z3.And(*parts)
        lit = self._fresh("definition")
        self._solver.add(z3.Implies(lit, body))
        self._trail.set(self._agg_defs, key, lit)

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
            guess = _close_matches(tool, self._schema.tools)
            raise PlanValidationError(f"unknown tool {tool!r}", step=step,
                                      hint=f"did you mean {guess!r}?" if guess else
                                      "known tools: " + ", ".join(sorted(self._schema.tools)))
        lit = z3.Bool(f"call:{tool}@{step}", self._ctx)
        self._trail.set(self._calls, step, _CallState(step, tool, bind, lit))
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

    def _call(self, step: int) -> _CallState:
        call = self._calls.get(step)
        if call is None:
            raise PlanValidationError(f"no call was begun at step {step}", step=step,
                                      hint="call begin_call(step, tool) first")
        return call

    def _field(self, call: _CallState, path: ParamPath) -> tuple[tuple[str | int, ...], FieldInfo]:
        full = (path,) if isinstance(path, str) else tuple(path)
        if not full or not isinstance(full[0], str):
            raise PlanValidationError(f"bad parameter path {path!r}", step=call.step,
                                      hint="name the parameter, or give (param, index, field, ...)")
        info = self._schema.field(call.tool, _schema_path(full))
        if info is None:
            tool = self._schema.tools[call.tool]
            guess = _close_matches(str(full[0]), tool.param_names)
            raise PlanValidationError(
                f"tool {call.tool!r} has no parameter {ir.path_text(full)!r}", step=call.step,
                hint=f"did you mean {guess!r}?" if guess else
                "its parameters: " + (", ".join(tool.param_names) or "none"))
        return full, info

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
        self._trail.set(self._assigned, (step, full), _Assignment(lit))
        self._activate(lit, CoreItem("assignment", f"{call.tool}.{ir.path_text(full)} = "
                                     f"{_show(value)}", step=step, tool=call.tool,
                                     param=ir.path_text(full), value=value))

    def _type_conflict(self, call: _CallState, full: tuple[str | int, ...], lit: z3.BoolRef,
                       what: str) -> z3.BoolRef:
        rule = self._fresh("type")
        self._activate(rule, CoreItem("parameter", f"{ir.path_text(full)} is {what}",
                                      step=call.step, tool=call.tool,
                                      param=ir.path_text(full), origin=f"type of {call.tool}",
                                      steps=(call.step,)))
        return z3.Not(rule)

    def _encode_value(self, call: _CallState, full: tuple[str | int, ...], info: FieldInfo,
                      value: Any, lit: z3.BoolRef, facts: list[z3.BoolRef]) -> None:
        if isinstance(value, PlanLiteral):
            value = value.value
        elif isinstance(value, ListValue):
            value = list(value.items)
        elif isinstance(value, DictValue):
            value = dict(value.items)
        own = (self._presence_var(call.step, call.tool, full)
               if info.optional and not isinstance(full[-1], int) else None)
        if value is None:
            if own is not None:
                facts.append(z3.Not(own))
            elif info.param.nullable:
                pass  # a required but nullable value: given as None, nothing to compare
            else:
                facts.append(self._type_conflict(call, full, lit, "required (not None)"))
            return
        if own is not None:
            facts.append(own)
        if isinstance(value, PlanCall):
            return  # a nested call: its result is unknown until it runs
        if info.kind == "object":
            if isinstance(value, Ref):
                return
            if not isinstance(value, Mapping):
                facts.append(self._type_conflict(call, full, lit, "an object"))
                return
            for prop in info.param.properties:
                child = full + (prop.name,)
                child_info = self._schema.field(call.tool, _schema_path(child))
                if child_info is None:
                    continue
                if prop.name in value:
                    self._encode_value(call, child, child_info, value[prop.name], lit, facts)
                elif child_info.optional:
                    facts.append(z3.Not(self._presence_var(call.step, call.tool, child)))
            if not info.param.additional_properties:
                extra = [k for k in value if info.param.property(str(k)) is None]
                if extra:
                    facts.append(self._type_conflict(
                        call, full, lit, "an object without field " + ", ".join(map(repr, extra))))
            return
        if info.kind == "array":
            if isinstance(value, Ref):
                return
            if not isinstance(value, (list, tuple)):
                facts.append(self._type_conflict(call, full, lit, "a list"))
                return
            length = self._var(call.step, call.tool, full + (ir.LENGTH,), "int")
            facts.append(length == len(value))
            item_path = _schema_path(full) + (ir.ITEMS,)
            item_info = self._schema.field(call.tool, item_path)
            if item_info is None:
                return
            for i, item in enumerate(value):
                child = full + (i,)
                self._add_item_rules(call, child)
                self._encode_value(call, child, item_info, item, lit, facts)
            return
        sort = info.sort
        if sort is None:
            return  # an untyped value no constraint looks at
        string_rules = [] if any(isinstance(p, int) for p in full) else [
            rule for rule in self._schema.rules_for(call.tool)
            if rule.path == full and self._string_rule(rule)]
        var = self._var(call.step, call.tool, full, sort)
        if isinstance(value, Ref):
            for rule in string_rules:
                if self._deferred(rule):
                    self._add_rule(rule, call.step, ())
            facts.append(var == self._ref_var(value, sort))
            return
        try:
            constant = _encode.z3_value(to_sort_value(value, sort), sort, self._ctx)
        except NotInSort:
            facts.append(self._type_conflict(call, full, lit, sort_label(sort)))
            return
        facts.append(var == constant)
        if string_rules:
            self._trail.delete(self._free, (call.step, full))
        for rule in string_rules:
            # decided on the constant alone: no string solving in later checks
            body, _ = _encode.encode(rule.term, _FixedEnv(self, {(call.tool, rule.path): constant}))
            decided = z3.simplify(body)
            if z3.is_true(decided):
                continue
            broken = self._fresh("rule")
            self._activate(broken, self._rule_item(rule, call.step))
            if z3.is_false(decided):
                facts.append(z3.Not(broken))
            else:  # pragma: no cover - constants always simplify; kept for safety
                self._solver.add(z3.Implies(z3.And(broken, lit), decided))

    def _add_item_rules(self, call: _CallState, item: tuple[str | int, ...]) -> None:
        """The declared limits of one list item (and of the fields inside it)."""
        item_path = _schema_path(item)
        index = tuple(p for p in item if isinstance(p, int))
        for rule in self._schema.rules_for(call.tool):
            if rule.path[:len(item_path)] == item_path and rule.path.count(ir.ITEMS) == len(index):
                self._add_rule(rule, call.step, index)

    def _ref_var(self, ref: Ref, sort: str) -> z3.ExprRef:
        key = (ref.text, sort)
        var = self._refs.get(key)
        if var is None:
            var = _encode.z3_const(f"ref:{ref.text}:{sort}", sort, self._ctx)
            self._trail.set(self._refs, key, var)
            found, value = _walk(self._observations, ref.name, ref.path)
            if found:
                self._observe(var, ref.text, value, sort)
        return var

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
    @contextlib.contextmanager
    def _focus(self, step: int, param: ParamPath) -> Iterator[tuple[
            _CallState, tuple[str | int, ...], FieldInfo, list[z3.BoolRef]]]:
        """One value of the plan made free again (its own assignment set aside), for a query."""
        call = self._call(step)
        full, info = self._field(call, param)
        mark = self._trail.mark()
        self._solver.push()
        try:
            schema_path = _schema_path(full)
            if schema_path == full:
                for rule in self._schema.rules_for(call.tool):
                    if rule.path == full and self._string_rule(rule):
                        self._add_rule(rule, step, ())
            skip = [a.lit.get_id() for (s, path), a in self._assigned.items()
                    if s == step and full[:len(path)] == path]
            assumptions = self._assumptions(final=False, skip=skip)
            present = self._presence(step, call.tool, full)
            if present is not None:
                assumptions.append(present)
            yield call, full, info, assumptions
        finally:
            self._solver.pop()
            self._trail.undo(mark)

    def _one_of(self, var: z3.ExprRef, values: Sequence[Any], sort: str) -> z3.BoolRef:
        if not values:
            return z3.BoolVal(False, self._ctx)
        return z3.Or(*[var == _encode.z3_value(v, sort, self._ctx) for v in values])

    def _enumerate(self, var: z3.ExprRef, sort: str, assumptions: list[z3.BoolRef],
                   limit: int, candidates: Sequence[Any] | None = None) -> list[Any] | None:
        """Up to ``limit`` distinct feasible values (None: more exist, or the solver timed out)."""
        found: list[Any] = []
        self._solver.push()
        try:
            if candidates is not None:
                self._solver.add(self._one_of(var, candidates, sort))
            while True:
                result = self._solver.check(*assumptions)
                if result == z3.unsat:
                    return found
                if result != z3.sat or len(found) >= limit:
                    return None
                raw = self._solver.model().eval(var, model_completion=True)
                value = _encode.python_value(raw, sort)
                found.append(value)
                self._solver.add(var != _encode.z3_value(value, sort, self._ctx))
        finally:
            self._solver.pop()

    def _bounds(self, var: z3.ExprRef, sort: str, assumptions: list[z3.BoolRef]
                ) -> tuple[Any, bool, Any, bool] | None:
        opt = z3.Optimize(ctx=self._ctx)
        opt.set("timeout", self._timeout_ms)
        opt.set(priority="box")
        opt.add(*self._solver.assertions())
        opt.add(*assumptions)
        low = opt.minimize(var)
        high = opt.maximize(var)
        if opt.check() != z3.sat:
            return None

        def read(values: z3.AstVector) -> tuple[Any, bool]:
            infinity, value, epsilon = (values[0], values[1], values[2])
            if _number(infinity) != 0:
                return None, True
            number = _number(value)
            return (int(number) if sort != "real" else number), _number(epsilon) == 0

        lo, lo_inclusive = read(low.lower_values())
        hi, hi_inclusive = read(high.upper_values())
        return lo, lo_inclusive, hi, hi_inclusive

    def feasible(self, step: int, param: ParamPath, *, limit: int = 64) -> Feasible:
        """The values ``param`` of the call at ``step`` can still take, given everything else.

        Its own current value (if any) is ignored. Finite and small (enums, booleans, an
        integer or date range of at most ``limit`` values): the values. Else bounds for
        numbers and dates, else ``unknown``. ``empty`` when nothing works, with the core.
        """
        with self._focus(step, param) as (call, full, info, assumptions):
            return self._feasible(step, call, full, info, assumptions, limit)

    def _feasible(self, step: int, call: _CallState, full: tuple[str | int, ...], info: FieldInfo,
                  assumptions: list[z3.BoolRef], limit: int) -> Feasible:
        sort = info.sort
        if sort is None:
            return Feasible("unknown")
        var = self._var(step, call.tool, full, sort)
        first = self._solver.check(*assumptions)
        if first == z3.unsat:
            return Feasible("empty", core=self._core(self._solver.unsat_core()))
        if first != z3.sat:
            return Feasible("unknown")
        schema_path = _schema_path(full)
        candidates, exact = self._finite_candidates(call.tool, schema_path, info, sort, limit)
        if candidates is not None and not exact:
            outside = z3.Not(self._one_of(var, candidates, sort))
            if self._solver.check(*assumptions, outside) != z3.unsat:
                candidates = None
        if candidates is not None:
            values = self._enumerate(var, sort, assumptions, limit, candidates)
            if values is not None:
                return self._finite(values, sort, candidates)
        if sort in ("int", "real", "date", "datetime"):
            bounds = self._bounds(var, sort, assumptions)
            if bounds is None:
                return Feasible("unknown")
            lo, lo_inclusive, hi, hi_inclusive = bounds
            if sort != "real" and lo is not None and hi is not None and hi - lo < limit:
                values = self._enumerate(var, sort, assumptions, limit)
                if values is not None:
                    return self._finite(values, sort, None)
            if sort == "real" and lo is not None and lo == hi:
                return Feasible("finite", (from_sort_value(lo, sort),))
            return Feasible("range", lo=None if lo is None else from_sort_value(lo, sort),
                            hi=None if hi is None else from_sort_value(hi, sort),
                            lo_inclusive=lo_inclusive, hi_inclusive=hi_inclusive)
        return Feasible("unknown")

    def _finite_candidates(self, tool: str, path: tuple[str, ...], info: FieldInfo, sort: str,
                           limit: int) -> tuple[list[Any] | None, bool]:
        """Values that may cover the domain, and whether they surely do (else it is tested)."""
        if sort == "bool":
            return [True, False], True
        for rule in self._schema.rules_for(tool):
            if rule.path == path and rule.kind == "enum" and isinstance(rule.term, ir.Member):
                return [c.value for c in rule.term.values], True
        if sort == "string":
            if info.param.pattern:
                words = finite_language(parse_pattern(info.param.pattern), limit=limit)
                if words is not None:
                    return list(words), True
            hints = self._string_hints.get((tool, path))
            if hints:
                return sorted(hints), False
        return None, False

    def _finite(self, values: list[Any], sort: str, order: Sequence[Any] | None) -> Feasible:
        if order is not None:
            found = set(values)
            values = [v for v in order if v in found]
        elif sort != "bool":
            values = sorted(values)
        if not values:
            return Feasible("empty")
        return Feasible("finite", tuple(from_sort_value(v, sort) for v in values))

    def propose(self, step: int, param: ParamPath, *, n: int = 5,
                exclude: Iterable[Any] = ()) -> list[Any]:
        """Up to ``n`` distinct feasible values for ``param`` (not in ``exclude``), model-free.

        The declared default comes first when feasible, then the ends of a feasible range,
        then whatever the solver finds.
        """
        with self._focus(step, param) as (call, full, info, assumptions):
            return self._propose(step, param, call, full, info, assumptions, n, exclude)

    def _propose(self, step: int, param: ParamPath, call: _CallState, full: tuple[str | int, ...],
                 info: FieldInfo, assumptions: list[z3.BoolRef], n: int,
                 exclude: Iterable[Any]) -> list[Any]:
        sort = info.sort
        if sort is None or n <= 0:
            return []
        var = self._var(step, call.tool, full, sort)
        banned: list[Any] = []
        for value in exclude:
            try:
                banned.append(to_sort_value(value, sort))
            except NotInSort:
                continue
        seeds: list[Any] = []
        if info.default is not None:
            seeds.append(info.default)
        feasible = self._feasible(step, call, full, info, assumptions, max(n, 16))
        if feasible.kind == "empty":
            return []
        if feasible.kind == "finite":
            seeds.extend(feasible.values)
        elif feasible.kind == "range":
            seeds.extend(_range_seeds(feasible, sort))
        out: list[Any] = []
        self._solver.push()
        try:
            for value in banned:
                self._solver.add(var != _encode.z3_value(value, sort, self._ctx))
            for seed in seeds:
                if len(out) >= n:
                    break
                try:
                    converted = to_sort_value(seed, sort)
                except NotInSort:
                    continue
                if converted in banned or converted in out:
                    continue
                fits = var == _encode.z3_value(converted, sort, self._ctx)
                if self._solver.check(*assumptions, fits) == z3.sat:
                    out.append(converted)
            for value in out:
                self._solver.add(var != _encode.z3_value(value, sort, self._ctx))
            while len(out) < n:
                if self._solver.check(*assumptions) != z3.sat:
                    break
                raw = self._solver.model().eval(var, model_completion=True)
                value = _encode.python_value(raw, sort)
                out.append(value)
                self._solver.add(var != _encode.z3_value(value, sort, self._ctx))
        finally:
            self._solver.pop()
        return [from_sort_value(v, sort) for v in out]


def _range_seeds(feasible: Feasible, sort: str) -> list[Any]:
    """Round, spread-out values of a range: its ends, its middle, zero and one."""
    lo, hi = feasible.lo, feasible.hi
    if sort in ("date", "datetime"):
        return [b for b, inc in ((lo, feasible.lo_inclusive), (hi, feasible.hi_inclusive))
                if b is not None and inc]
    seeds: list[Any] = []
    if lo is not None and feasible.lo_inclusive:
        seeds.append(lo)
    if hi is not None and feasible.hi_inclusive:
        seeds.append(hi)
    if lo is not None and hi is not None:
        middle = (Fraction(lo) + Fraction(hi)) / 2
        seeds.extend([math.floor(middle), middle, math.ceil(Fraction(lo)) + 1,
                      math.floor(Fraction(hi)) - 1])
    elif lo is not None:
        seeds.extend([math.ceil(Fraction(lo)) + 1, math.ceil(Fraction(lo)) * 2 + 10])
    elif hi is not None:
        seeds.extend([math.floor(Fraction(hi)) - 1, math.floor(Fraction(hi)) * 2 - 10])
    seeds.extend([0, 1, 10, 100])
    return [int(s) if isinstance(s, Fraction) and s.denominator == 1 else s for s in seeds]


def _number(expr: z3.ExprRef) -> Fraction:
    expr = z3.simplify(expr)
    if z3.is_int_value(expr):
        return Fraction(expr.as_long())  # type: ignore[attr-defined]
    if z3.is_rational_value(expr):
        frac = expr.as_fraction()  # type: ignore[attr-defined]
        return Fraction(frac.numerator, frac.denominator)
    if z3.is_algebraic_value(expr):
        frac = expr.approx(12).as_fraction()  # type: ignore[attr-defined]
        return Fraction(frac.numerator, frac.denominator)
    raise ValueError(f"not a number: {expr}")  # pragma: no cover


def _walk(observations: Mapping[str, Any], name: str,
          path: Sequence[str | int]) -> tuple[bool, Any]:
    """Follow ``path`` into ``observations[name]`` (mappings, sequences, attributes)."""
    if name not in observations:
        return False, None
    value = observations[name]
    for part in path:
        if isinstance(part, int):
            if isinstance(value, (list, tuple)) and -len(value) <= part < len(value):
                value = value[part]
                continue
            return False, None
        if isinstance(value, Mapping):
            if part not in value:
                return False, None
            value = value[part]
        elif hasattr(value, part):
            value = getattr(value, part)
        else:
            return False, None
    return True, value


def _as_constraint_set(tools: list[Tool],
                       constraints: ConstraintSet | Sequence[str]) -> ConstraintSet:
    if isinstance(constraints, ConstraintSet):
        known = constraints.schema.tools
        if len(known) == len(tools) and all(known.get(t.name) == t for t in tools):
            return constraints
        return compile_constraints(constraints.sources, tools)
    return compile_constraints(list(constraints), tools)


class _CallEnv:
    """Leaves of one constraint instance: fields of the bound calls, the plan's aggregates."""

    def __init__(self, checker: PlanChecker, binding: Mapping[str, int],
                 index: tuple[int, ...]) -> None:
        self.checker = checker
        self.binding = binding
        self.index = index
        self.ctx = checker._ctx

    def pattern(self, pattern: Pattern) -> z3.ReRef:
        return self.checker._pattern(pattern)

    def _concrete(self, path: tuple[str, ...]) -> tuple[str | int, ...]:
        if ir.ITEMS not in path:
            return path
        indices = iter(self.index)
        return tuple(next(indices) if p == ir.ITEMS else p for p in path)

    def field(self, field: ir.Field) -> tuple[z3.ExprRef, z3.BoolRef | None]:
        step = self.binding[field.tool]
        path = self._concrete(field.path)
        var = self.checker._var(step, field.tool, path, field.sort)
        base = path[:-1] if path and path[-1] == ir.LENGTH else path
        return var, self.checker._presence(step, field.tool, base)

    def result(self, result: ir.Result) -> z3.ExprRef:
        return self.checker._result_var(result)

    def count(self, tool: str) -> z3.ArithRef:
        return self.checker._aggs[("count", tool)].value  # type: ignore[return-value]

    def aggregate(self, agg: ir.Aggregate) -> tuple[z3.ExprRef, z3.BoolRef | None]:
        found = self.checker._aggs[(agg.op, agg.tool, agg.path)]
        return found.value, found.nonempty

    def distinct(self, term: ir.Distinct) -> z3.BoolRef:
        found = self.checker._aggs[("distinct", term.tool, term.path)]
        return found.value  # type: ignore[return-value]

    def before(self, term: ir.Before) -> z3.BoolRef:
        found = self.checker._aggs[("before", term.first, term.then)]
        return found.value  # type: ignore[return-value]


class _FixedEnv(_CallEnv):
    """Fields mapped to given variables (a later call's value in the open extension)."""

    def __init__(self, checker: PlanChecker,
                 fixed: Mapping[tuple[str, tuple[str, ...]], z3.ExprRef]) -> None:
        super().__init__(checker, {}, ())
        self.fixed = fixed

    def field(self, field: ir.Field) -> tuple[z3.ExprRef, z3.BoolRef | None]:
        return self.fixed[(field.tool, field.path)], None
