"""The plan's aggregates in Z3: ``count``, ``sum``, ``min``/``max``, ``distinct`` and
``before`` over the calls written so far and an *open extension* of calls not yet
written, redefined whenever a call begins or ends, and the results observed so far.

A part of :class:`~neurosym.solver.checker.PlanChecker`: it reads and writes the
checker's aggregate tables (``_aggs``, ``_aggs_by_tool``, ``_agg_defs``, ``_ext``,
``_results``) and registers each definition with the session's activation literals.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from typing import Any

import z3

from ..constraints import ir
from ..constraints.values import NotInSort, sort_label, to_sort_value
from . import _encode
from .encoding import FixedEnv
from .state import AggKey, Aggregate, CallState, observed_at
from .verdict import CoreItem

__all__ = ["AggregateEncoding"]


class AggregateEncoding:
    """The aggregates of a plan and its open extension (a part of PlanChecker)."""

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
            key: AggKey = ("count", term.tool)
            if key not in self._aggs:
                self._ext_count(term.tool)
                count = z3.Int(f"count({term.tool})", self._ctx)
                self._register(Aggregate(key, (term.tool,), count))
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
                self._register(Aggregate(key, (term.tool,), value, ext_value=later))
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
                        body, _ = _encode.encode(rule.term, FixedEnv(self, {
                            (term.tool, term.path): later}))
                        self._solver.add(z3.Implies(later_nonempty, body))
                self._register(Aggregate(key, (term.tool,), value, nonempty, later,
                                          later_nonempty))
        elif isinstance(term, ir.Distinct):
            key = ("distinct", term.tool, term.path)
            if key not in self._aggs:
                ext = self._ext_count(term.tool)
                name = f"distinct({term.tool}.{ir.path_text(term.path)})"
                later = z3.Bool("later-" + name, self._ctx)
                self._solver.add(z3.Implies(ext == 0, later))
                self._register(Aggregate(key, (term.tool,), z3.Bool(name, self._ctx),
                                          ext_nonempty=later))
        elif isinstance(term, ir.Before):
            key = ("before", term.first, term.then)
            if key not in self._aggs:
                self._ext_count(term.first)
                ext = self._ext_count(term.then)
                later = z3.Bool(f"later-before({term.first}, {term.then})", self._ctx)
                self._solver.add(z3.Implies(ext == 0, later))
                self._register(Aggregate(key, (term.first, term.then), z3.Bool(
                    f"before({term.first}, {term.then})", self._ctx), ext_nonempty=later))

    def _register(self, agg: Aggregate) -> None:
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
        found, value = observed_at(self._observations, term.tool, term.path)
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

    def _calls_of(self, tool: str) -> list[CallState]:
        return [call for call in self._calls.values() if call.tool == tool]

    def _redefine(self, key: AggKey) -> None:
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
