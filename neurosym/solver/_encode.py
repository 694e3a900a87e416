"""Typed constraint terms as Z3 expressions, given where each leaf's variable lives.

A constraint instance holds vacuously when a parameter it mentions is absent from the
call, or when a ``min``/``max`` it takes ranges over no value: the encoder returns the
body and those guards separately so the caller asserts ``guards -> body``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Protocol

import z3

from ..constraints import ir
from ..constraints.regex import Pattern

__all__ = ["Env", "z3_sort", "z3_const", "z3_value", "encode", "python_value"]


def z3_sort(sort: str, ctx: z3.Context | None = None) -> z3.SortRef:
    if sort in ("int", "date", "datetime"):
        return z3.IntSort(ctx)
    if sort == "real":
        return z3.RealSort(ctx)
    if sort == "string":
        return z3.StringSort(ctx)
    if sort == "bool":
        return z3.BoolSort(ctx)
    raise ValueError(f"no solver sort for {sort!r}")


def z3_const(name: str, sort: str, ctx: z3.Context | None = None) -> z3.ExprRef:
    return z3.Const(name, z3_sort(sort, ctx))


def z3_value(value: int | Fraction | str | bool, sort: str,
             ctx: z3.Context | None = None) -> z3.ExprRef:
    """A constant in ``sort`` from a value already converted by ``to_sort_value``."""
    if sort == "bool":
        return z3.BoolVal(bool(value), ctx)
    if sort == "string":
        return z3.StringVal(str(value), ctx)
    if sort == "real":
        frac = Fraction(value)  # type: ignore[arg-type]
        return z3.RealVal(f"{frac.numerator}/{frac.denominator}", ctx)
    return z3.IntVal(int(value), ctx)  # type: ignore[arg-type]


def python_value(expr: z3.ExprRef, sort: str) -> int | Fraction | str | bool:
    """A model's value back in the form ``to_sort_value`` produces."""
    if sort == "bool":
        return z3.is_true(expr)
    if sort == "string":
        return expr.as_string()  # type: ignore[attr-defined]
    if sort == "real":
        if z3.is_algebraic_value(expr):
            expr = expr.approx(12)  # type: ignore[attr-defined]
        frac = expr.as_fraction()  # type: ignore[attr-defined]
        return Fraction(frac.numerator, frac.denominator)
    return expr.as_long()  # type: ignore[attr-defined]


class Env(Protocol):
    """Where the leaves of a term live for one instance of a constraint (and in which context)."""

    ctx: z3.Context

    def pattern(self, pattern: Pattern) -> z3.ReRef: ...
    def field(self, field: ir.Field) -> tuple[z3.ExprRef, z3.BoolRef | None]: ...
    def result(self, result: ir.Result) -> z3.ExprRef: ...
    def count(self, tool: str) -> z3.ArithRef: ...
    def aggregate(self, agg: ir.Aggregate) -> tuple[z3.ExprRef, z3.BoolRef | None]: ...
    def distinct(self, term: ir.Distinct) -> z3.BoolRef: ...
    def before(self, term: ir.Before) -> z3.BoolRef: ...


def encode(term: ir.Term, env: Env) -> tuple[z3.ExprRef, tuple[z3.BoolRef, ...]]:
    """The Z3 expression of ``term`` and the guards under which it applies."""
    guards: dict[int, z3.BoolRef] = {}
    expr = _Encoder(env, guards).run(term)
    return expr, tuple(guards.values())


class _Encoder:
    def __init__(self, env: Env, guards: dict[int, z3.BoolRef]) -> None:
        self.env = env
        self.guards = guards

    def guard(self, condition: z3.BoolRef | None) -> None:
        if condition is not None:
            self.guards.setdefault(condition.get_id(), condition)

    def run(self, term: ir.Term) -> z3.ExprRef:  # noqa: C901 - one branch per term kind
        if isinstance(term, ir.Const):
            return z3_value(term.value, term.sort, self.env.ctx)
        if isinstance(term, ir.Field):
            value, present = self.env.field(term)
            self.guard(present)
            return value
        if isinstance(term, ir.Result):
            return self.env.result(term)
        if isinstance(term, ir.Count):
            return self.env.count(term.tool)
        if isinstance(term, ir.Aggregate):
            value, nonempty = self.env.aggregate(term)
            self.guard(nonempty)
            return value
        if isinstance(term, ir.Distinct):
            return self.env.distinct(term)
        if isinstance(term, ir.Before):
            return self.env.before(term)
        if isinstance(term, ir.Length):
            return z3.Length(self.run(term.arg))
        if isinstance(term, ir.Arith):
            left, right = self.run(term.left), self.run(term.right)
            if term.op == "+":
                return left + right  # type: ignore[operator]
            if term.op == "-":
                return left - right  # type: ignore[operator]
            return left * right  # type: ignore[operator]
        if isinstance(term, ir.Neg):
            return -self.run(term.arg)  # type: ignore[operator]
        if isinstance(term, ir.Abs):
            arg = self.run(term.arg)
            return z3.If(arg >= 0, arg, -arg)  # type: ignore[operator]
        if isinstance(term, ir.Extremum):
            args = [self.run(a) for a in term.args]
            out = args[0]
            for arg in args[1:]:
                better = arg < out if term.op == "min" else arg > out  # type: ignore[operator]
                out = z3.If(better, arg, out)
            return out
        if isinstance(term, ir.Cast):
            arg = self.run(term.arg)
            if term.sort == "real":
                return z3.ToReal(arg)  # type: ignore[arg-type]
            return arg * 86400  # type: ignore[operator]  # date -> datetime seconds
        if isinstance(term, ir.Compare):
            left, right = self.run(term.left), self.run(term.right)
            op = term.op
            if op == "==":
                return left == right
            if op == "!=":
                return left != right
            if op == "<":
                return left < right  # type: ignore[operator]
            if op == "<=":
                return left <= right  # type: ignore[operator]
            if op == ">":
                return left > right  # type: ignore[operator]
            return left >= right  # type: ignore[operator]
        if isinstance(term, ir.BoolOp):
            args = [self.run(a) for a in term.args]
            return z3.And(*args) if term.op == "and" else z3.Or(*args)
        if isinstance(term, ir.Not):
            return z3.Not(self.run(term.arg))
        if isinstance(term, ir.Implies):
            return z3.Implies(self.run(term.left), self.run(term.right))
        if isinstance(term, ir.Member):
            arg = self.run(term.arg)
            if not term.values:
                return z3.BoolVal(False, self.env.ctx)
            return z3.Or(*[arg == z3_value(v.value, v.sort, self.env.ctx) for v in term.values])
        if isinstance(term, ir.Matches):
            return z3.InRe(self.run(term.arg), self.env.pattern(term.pattern))
        raise TypeError(f"cannot encode {term!r}")  # pragma: no cover
