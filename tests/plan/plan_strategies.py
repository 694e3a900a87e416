"""Hypothesis strategies for plans: any plan the plan language can write, and its parts.

Reused by the grammar tests, which draw plans over a given tool set from the same parts.
"""

from __future__ import annotations

from hypothesis import strategies as st

from neurosym.plan.ast import Call, DictValue, ListValue, Literal, Plan, Ref, Step, Terminal
from neurosym.plan.parse import CONSTANTS, INT_MAX, INT_MIN, RESERVED_TOOL_NAMES

__all__ = ["identifiers", "tool_names", "texts", "ints", "floats", "scalars", "refs",
           "literal_values", "values", "calls", "plans"]

_RESERVED = set(CONSTANTS) | RESERVED_TOOL_NAMES

_FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
identifiers = st.builds(str.__add__, st.sampled_from(_FIRST),
                        st.text(_FIRST + "0123456789", max_size=8)).filter(
    lambda name: name not in _RESERVED)
tool_names = st.lists(identifiers, min_size=1, max_size=3).map(".".join).filter(
    lambda name: name not in RESERVED_TOOL_NAMES)


def texts(max_size: int = 30) -> st.SearchStrategy[str]:
    """Any text without surrogates: quotes, backslashes, control and non-ASCII characters."""
    return st.text(st.characters(exclude_categories=("Cs",)), max_size=max_size)


ints = st.integers(min_value=INT_MIN, max_value=INT_MAX)
floats = st.floats(allow_nan=False, allow_infinity=False)
scalars = st.one_of(texts(), ints, floats, st.booleans(), st.none())
refs = st.builds(Ref, identifiers,
                 st.lists(st.one_of(identifiers, st.integers(-3, 1000)), max_size=4).map(tuple))


def _unique_keys(pairs: list[tuple[str, object]]) -> tuple[tuple[str, object], ...]:
    return tuple(dict(pairs).items())


def literal_values(max_leaves: int = 10) -> st.SearchStrategy:
    """Literals, and lists and dicts of literals."""
    return st.recursive(
        scalars.map(Literal),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(lambda items: ListValue(tuple(items))),
            st.lists(st.tuples(texts(8), inner), max_size=4).map(
                lambda pairs: DictValue(_unique_keys(pairs)))),
        max_leaves=max_leaves)


def _args(value_strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(st.tuples(identifiers, value_strategy), max_size=3,
                    unique_by=lambda pair: pair[0]).map(tuple)


def values(max_leaves: int = 8) -> st.SearchStrategy:
    """Any plan value: literals, references, lists, dicts and nested calls."""
    return st.recursive(
        st.one_of(scalars.map(Literal), refs),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(lambda items: ListValue(tuple(items))),
            st.lists(st.tuples(texts(8), inner), max_size=4).map(
                lambda pairs: DictValue(_unique_keys(pairs))),
            st.builds(Call, tool_names, _args(inner))),
        max_leaves=max_leaves)


def calls(value_strategy: st.SearchStrategy | None = None) -> st.SearchStrategy[Call]:
    return st.builds(Call, tool_names, _args(value_strategy or values()))


terminals = st.one_of(
    st.none(),
    st.builds(Terminal, st.sampled_from(["ask", "answer"]), texts(40)),
    st.just(Terminal("none")))


@st.composite
def plans(draw: st.DrawFn, call_strategy: st.SearchStrategy[Call] | None = None,
          max_steps: int = 4) -> Plan:
    """A plan the plan language can write: distinct bind names, unique argument names."""
    step_calls = draw(st.lists(call_strategy or calls(), max_size=max_steps))
    names = draw(st.lists(identifiers, min_size=len(step_calls), max_size=len(step_calls),
                          unique=True))
    steps = tuple(Step(call, bind=name if draw(st.booleans()) else None)
                  for call, name in zip(step_calls, names))
    return Plan(steps, draw(terminals))
