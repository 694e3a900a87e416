"""Forward checking: the values one parameter can still take (a finite set, or a range
with its open or closed ends) given everything written so far, and proposals of
values that fit, round ones first, for a decoder that must choose again.

A part of :class:`~neurosym.solver.checker.PlanChecker`: it asks the session's solver
under pushed scopes and leaves no assertion behind.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from typing import Any

import z3

from ..constraints import ir
from ..constraints.regex import finite_language, parse_pattern
from ..constraints.schema import FieldInfo
from ..constraints.values import NotInSort, from_sort_value, to_sort_value
from . import _encode
from .state import CallState, ParamPath, schema_path_of
from .verdict import Feasible

__all__ = ["FeasibleValues"]


class FeasibleValues:
    """Feasible sets and proposals for one parameter (a part of PlanChecker)."""

    @contextlib.contextmanager
    def _focus(self, step: int, param: ParamPath) -> Iterator[tuple[
            CallState, tuple[str | int, ...], FieldInfo, list[z3.BoolRef]]]:
        """One value of the plan made free again (its own assignment set aside), for a query."""
        call = self._call(step)
        full, info = self._field(call, param)
        mark = self._trail.mark()
        self._solver.push()
        try:
            schema_path = schema_path_of(full)
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
                found.append(self._take_model_value(var, sort))
        finally:
            self._solver.pop()

    def _take_model_value(self, var: z3.ExprRef, sort: str) -> Any:
        """The value of ``var`` in the solver's last model, excluded from the solver's
        current scope so that the next check finds another one."""
        raw = self._solver.model().eval(var, model_completion=True)
        value = _encode.python_value(raw, sort)
        self._solver.add(var != _encode.z3_value(value, sort, self._ctx))
        return value

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

    def _feasible(self, step: int, call: CallState, full: tuple[str | int, ...], info: FieldInfo,
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
        schema_path = schema_path_of(full)
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

    def _propose(self, step: int, param: ParamPath, call: CallState, full: tuple[str | int, ...],
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
                out.append(self._take_model_value(var, sort))
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
