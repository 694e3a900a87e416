"""Hypothesis strategies for tool sets and for the plans a tool set's grammar must admit."""

from __future__ import annotations

import datetime as dt
import keyword
import re
from typing import Any

from hypothesis import strategies as st

from neurosym.grammar.specialise import StepNames, step_name
from neurosym.plan.ast import Call, DictValue, ListValue, Literal, Plan, Ref, Step, Terminal, Value
from neurosym.tools.tool import Param, Tool
from tests.plan.plan_strategies import identifiers, literal_values, texts, tool_names

__all__ = ["PATTERNS", "params", "tools", "tool_sets", "plans_over", "plain_to_value"]

# Anchored patterns simple enough to become grammar regexes.
PATTERNS = (r"^[A-Z]{3}$", r"^\d{3}-\d{4}$", r"^(am|pm)$", r"^[a-z]+(_[a-z0-9]+)*$")

_enum_values = st.one_of(
    st.lists(texts(10), min_size=1, max_size=4, unique=True),
    st.lists(st.integers(-50, 50), min_size=1, max_size=4, unique=True),
    st.lists(st.sampled_from([True, False, None, 1.5, "x"]), min_size=1, max_size=3, unique=True))


def _flags(base: st.SearchStrategy[Param]) -> st.SearchStrategy[Param]:
    return st.builds(lambda p, required, nullable: p.with_(required=required, nullable=nullable),
                     base, st.booleans(), st.booleans())


def _scalar_params(name: str) -> st.SearchStrategy[Param]:
    bounds = st.one_of(st.none(), st.integers(-1000, 1000))
    return st.one_of(
        st.builds(lambda lo, hi: Param(name, "string", min_length=lo, max_length=hi),
                  st.one_of(st.none(), st.integers(0, 3)), st.one_of(st.none(), st.integers(3, 25))),
        st.sampled_from(PATTERNS).map(lambda p: Param(name, "string", pattern=p)),
        st.just(Param(name, "string", format="date")),
        st.just(Param(name, "date")),
        st.builds(lambda lo, span: Param(name, "integer", minimum=lo,
                                         maximum=None if lo is None or span is None else lo + span),
                  bounds, st.one_of(st.none(), st.integers(0, 10 ** 6))),
        st.builds(lambda lo: Param(name, "number", minimum=lo), st.sampled_from([None, 0, -5])),
        st.just(Param(name, "boolean")),
        st.builds(lambda vs: Param(name, "enum", enum=tuple(vs)), _enum_values),
        st.builds(lambda vs: Param(name, "string", enum=tuple(vs)), _enum_values),
        st.just(Param(name, "any")),
    )


@st.composite
def params(draw: st.DrawFn, name: str) -> Param:
    """A parameter of any supported shape (arrays and objects one level deep)."""
    kind = draw(st.sampled_from(["scalar"] * 6 + ["array", "object"]))
    if kind == "scalar":
        return draw(_flags(_scalar_params(name)))
    if kind == "array":
        item = draw(_scalar_params("item"))
        low = draw(st.integers(0, 2))
        high = draw(st.one_of(st.none(), st.integers(low, low + 3), st.just(40)))
        high = high if high is None or high >= max(low, 1) else None
        return draw(_flags(st.just(Param(name, "array", items=item, min_items=low or None,
                                         max_items=high))))
    names = draw(st.lists(texts(6), min_size=0, max_size=3, unique=True))
    props = tuple(draw(_flags(_scalar_params(n))) for n in names)
    return draw(_flags(st.just(Param(name, "object", properties=props))))


@st.composite
def tools(draw: st.DrawFn, name: str) -> Tool:
    names = draw(st.lists(identifiers, max_size=5, unique=True))
    return Tool(name, params=tuple(draw(params(n)) for n in names))


@st.composite
def tool_sets(draw: st.DrawFn, max_tools: int = 4) -> tuple[Tool, ...]:
    names = draw(st.lists(tool_names, min_size=1, max_size=max_tools, unique=True))
    return tuple(draw(tools(n)) for n in names)


def plain_to_value(value: Any) -> Value:
    if isinstance(value, (list, tuple)):
        return ListValue(tuple(plain_to_value(v) for v in value))
    if isinstance(value, dict):
        return DictValue(tuple((k, plain_to_value(v)) for k, v in value.items()))
    return Literal(value)


_dates = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(lambda d: d.isoformat())


class _PlanDrawer:
    """Draws values and calls that the grammar of ``tools`` must admit."""

    def __init__(self, draw: st.DrawFn, tools: tuple[Tool, ...], *, max_string_length: int,
                 allow_refs: bool, allow_nested: bool, names: StepNames) -> None:
        self.draw = draw
        self.tools = tools
        self.max_string_length = max_string_length
        self.allow_refs = allow_refs
        self.allow_nested = allow_nested
        self.names = names
        self.bound: list[str] = []

    def call(self, depth: int = 0) -> Call:
        tool = self.draw(st.sampled_from(self.tools))
        args: list[tuple[str, Value]] = []
        for param in tool.params:
            if param.required or self.draw(st.booleans()):
                args.append((param.name, self.value(param, depth, optional=not param.required)))
        return Call(tool.name, tuple(args))

    def value(self, param: Param, depth: int, *, optional: bool = False) -> Value:
        draw = self.draw
        choice = draw(st.integers(0, 9))
        if choice == 0 and (param.nullable or optional):
            return Literal(None)
        if choice == 1 and self.allow_refs:
            # numbered grammars admit references to rK only; any identifier otherwise
            unbound = (st.integers(0, 40).map(step_name) if self.names == "numbered"
                       else identifiers)
            name = draw(st.sampled_from(self.bound) if self.bound else unbound)
            path = draw(st.lists(st.one_of(identifiers, st.integers(-2, 30)), max_size=3))
            return Ref(name, tuple(path))
        if choice == 2 and self.allow_nested and depth < 2:
            return self.call(depth + 1)
        return self.literal(param, depth)

    def literal(self, param: Param, depth: int) -> Value:
        draw = self.draw
        if param.enum is not None:
            return plain_to_value(draw(st.sampled_from(param.enum)))
        kind = param.type
        if kind == "string" and param.pattern is not None:
            # JSON Schema patterns read \d and \w as ASCII, as the grammar does
            return Literal(draw(st.from_regex(re.compile(param.pattern, re.ASCII),
                                              fullmatch=True)))
        if kind == "date" or (kind == "string" and param.format == "date"):
            return Literal(draw(_dates))
        if kind == "string":
            high = min(param.max_length if param.max_length is not None else 10 ** 9,
                       self.max_string_length)
            low = min(param.min_length or 0, high)
            return Literal(draw(texts(high).filter(lambda s: len(s) >= low)
                                if low else texts(high)))
        if kind == "integer":
            return Literal(draw(st.integers(param.minimum if param.minimum is not None else -(2 ** 63),
                                            param.maximum if param.maximum is not None
                                            else 2 ** 63 - 1)))
        if kind == "number":
            number = draw(st.one_of(st.integers(-10 ** 6, 10 ** 6),
                                    st.floats(allow_nan=False, allow_infinity=False)))
            return Literal(abs(number) if param.minimum is not None and param.minimum >= 0
                           else number)
        if kind == "boolean":
            return Literal(draw(st.booleans()))
        if kind == "array":
            item = param.items or Param("item")
            low = param.min_items or 0
            high = param.max_items if param.max_items is not None else low + 3
            count = draw(st.integers(low, min(high, low + 3)))
            return ListValue(tuple(self.value(item, depth) for _ in range(count)))
        if kind == "object":
            if not param.properties:
                return draw(literal_values(4).filter(lambda v: isinstance(v, DictValue))
                            | st.just(DictValue()))
            entries = [(p.name, self.value(p, depth, optional=not p.required))
                       for p in param.properties if p.required or draw(st.booleans())]
            return DictValue(tuple(entries))
        return draw(literal_values(6))


@st.composite
def plans_over(draw: st.DrawFn, tools: tuple[Tool, ...], *, max_string_length: int = 40,
               allow_refs: bool = True, allow_nested: bool = True,
               allow_terminals: bool = True, max_steps: int = 4,
               max_text_length: int = 60, names: StepNames = "numbered") -> Plan:
    """A non-empty plan in the canonical form over ``tools`` (what their grammar admits).

    ``names`` is the grammar's naming: ``"numbered"`` binds step ``k`` to ``rk``;
    ``"free"`` binds some steps to any identifier and leaves the others bare.
    """
    drawer = _PlanDrawer(draw, tools, max_string_length=max_string_length,
                         allow_refs=allow_refs, allow_nested=allow_nested, names=names)
    steps: list[Step] = []
    count = draw(st.integers(0 if allow_terminals else 1, max_steps))
    if names == "numbered":
        binds: list[str | None] = [step_name(i) for i in range(count)]
    else:
        # A result is never bound to a Python keyword (the grammar refuses `or = a()`).
        free = draw(st.lists(identifiers.filter(lambda n: not keyword.iskeyword(n)),
                             min_size=count, max_size=count, unique=True))
        binds = [name if draw(st.booleans()) else None for name in free]
    for bind in binds:
        call = drawer.call()
        steps.append(Step(call, bind=bind))
        if bind:
            drawer.bound.append(bind)
    terminal: Terminal | None = None
    if allow_terminals:
        kinds = ["ask", "answer", None] if steps else ["ask", "answer", "none"]
        kind = draw(st.sampled_from(kinds))
        if kind == "none":
            terminal = Terminal("none")
        elif kind is not None:
            terminal = Terminal(kind, draw(texts(max_text_length)))
    return Plan(tuple(steps), terminal)
