"""The values of a plan in Z3: one variable per (step, tool, path), a presence literal
for optional paths, each written value as a guarded equality, the tools' own rules
(types, ranges, patterns, lengths) for every value, and constraint instances bound to
calls (:class:`CallEnv` gives :mod:`neurosym.solver._encode` its leaves).

A part of :class:`~neurosym.solver.checker.PlanChecker`: it reads and writes the
checker's variable tables (``_vars``, ``_presence_vars``, ``_free``, ``_refs``,
``_patterns``) and adds assertions under the session's activation literals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import z3

from ..constraints import ir
from ..constraints.regex import Pattern
from ..constraints.schema import FieldInfo, ParamRule
from ..constraints.values import NotInSort, sort_label, to_sort_value
from ..errors import PlanValidationError
from ..plan.ast import Call as PlanCall
from ..plan.ast import DictValue, ListValue
from ..plan.ast import Literal as PlanLiteral
from ..plan.ast import Ref
from . import _encode
from ._z3regex import pattern_to_z3
from .state import CallState, ParamPath, close_match, observed_at, schema_path_of
from .verdict import CoreItem

if TYPE_CHECKING:
    from .checker import PlanChecker

__all__ = ["ValueEncoding", "CallEnv", "FixedEnv"]


class ValueEncoding:
    """Variables, written values and rules of a plan (a part of PlanChecker)."""

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
            info = self._schema.field(tool, schema_path_of(prefix))
            if info is not None and info.optional:
                out.append(prefix)
        return out

    def _presence(self, step: int, tool: str, path: tuple[str | int, ...]) -> z3.BoolRef | None:
        segments = self._optional_segments(tool, path)
        if not segments:
            return None
        vars_ = [self._presence_var(step, tool, seg) for seg in segments]
        return vars_[0] if len(vars_) == 1 else z3.And(*vars_)

    def _add_instance(self, term: ir.Term, binding: Mapping[str, int],
                      index: tuple[int, ...], item: CoreItem,
                      extra: tuple[z3.BoolRef, ...] = ()) -> None:
        body, guards = _encode.encode(term, CallEnv(self, binding, index))
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

    def _field(self, call: CallState, path: ParamPath) -> tuple[tuple[str | int, ...], FieldInfo]:
        full = (path,) if isinstance(path, str) else tuple(path)
        if not full or not isinstance(full[0], str):
            raise PlanValidationError(f"bad parameter path {path!r}", step=call.step,
                                      hint="name the parameter, or give (param, index, field, ...)")
        info = self._schema.field(call.tool, schema_path_of(full))
        if info is None:
            tool = self._schema.tools[call.tool]
            guess = close_match(str(full[0]), tool.param_names)
            raise PlanValidationError(
                f"tool {call.tool!r} has no parameter {ir.path_text(full)!r}", step=call.step,
                hint=f"did you mean {guess!r}?" if guess else
                "its parameters: " + (", ".join(tool.param_names) or "none"))
        return full, info

    def _type_conflict(self, call: CallState, full: tuple[str | int, ...], lit: z3.BoolRef,
                       what: str) -> z3.BoolRef:
        rule = self._fresh("type")
        self._activate(rule, CoreItem("parameter", f"{ir.path_text(full)} is {what}",
                                      step=call.step, tool=call.tool,
                                      param=ir.path_text(full), origin=f"type of {call.tool}",
                                      steps=(call.step,)))
        return z3.Not(rule)

    def _encode_value(self, call: CallState, full: tuple[str | int, ...], info: FieldInfo,
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
                child_info = self._schema.field(call.tool, schema_path_of(child))
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
            item_path = schema_path_of(full) + (ir.ITEMS,)
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
            body, _ = _encode.encode(rule.term, FixedEnv(self, {(call.tool, rule.path): constant}))
            decided = z3.simplify(body)
            if z3.is_true(decided):
                continue
            broken = self._fresh("rule")
            self._activate(broken, self._rule_item(rule, call.step))
            if z3.is_false(decided):
                facts.append(z3.Not(broken))
            else:  # pragma: no cover - constants always simplify; kept for safety
                self._solver.add(z3.Implies(z3.And(broken, lit), decided))

    def _add_item_rules(self, call: CallState, item: tuple[str | int, ...]) -> None:
        """The declared limits of one list item (and of the fields inside it)."""
        item_path = schema_path_of(item)
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
            found, value = observed_at(self._observations, ref.name, ref.path)
            if found:
                self._observe(var, ref.text, value, sort)
        return var


class CallEnv:
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


class FixedEnv(CallEnv):
    """Fields mapped to given variables (a later call's value in the open extension)."""

    def __init__(self, checker: PlanChecker,
                 fixed: Mapping[tuple[str, tuple[str, ...]], z3.ExprRef]) -> None:
        super().__init__(checker, {}, ())
        self.fixed = fixed

    def field(self, field: ir.Field) -> tuple[z3.ExprRef, z3.BoolRef | None]:
        return self.fixed[(field.tool, field.path)], None
