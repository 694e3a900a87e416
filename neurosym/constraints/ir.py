"""Typed constraint terms: what a compiled constraint is, independent of any solver.

Leaves name plan values: :class:`Field` is a parameter of *every* call of a tool (the
constraint holds for each call), :class:`Result` an observed result, and
:class:`Count`, :class:`Aggregate`, :class:`Distinct`, :class:`Before` range over the
whole plan. Paths address nested values: ``("traveler", "age")`` a property,
``("tags", LENGTH)`` an array's length, ``("tags", ITEMS)`` each item of an array.

>>> nights = Field("book_hotel", ("nights",), "int")
>>> term = Compare("<=", nights, Const(14, "int"))
>>> [f.path for f in fields_of(term)]
[('nights',)]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Union

from .regex import Pattern
from .values import Sort

__all__ = ["LENGTH", "ITEMS", "Const", "Field", "Result", "Count", "Aggregate", "Distinct",
           "Before", "Length", "Arith", "Neg", "Abs", "Extremum", "Cast", "Compare",
           "BoolOp", "Not", "Implies", "Member", "Matches", "Term", "children", "walk",
           "fields_of", "quantified_tools", "path_text"]

LENGTH = "#len"
ITEMS = "[]"


@dataclass(frozen=True)
class Const:
    value: int | Fraction | str | bool
    sort: Sort


@dataclass(frozen=True)
class Field:
    """A parameter (or nested value) of each call of ``tool``."""

    tool: str
    path: tuple[str, ...]
    sort: Sort


@dataclass(frozen=True)
class Result:
    """The observed result of ``tool`` (its latest call), or a value inside it."""

    tool: str
    path: tuple[str | int, ...]
    sort: Sort


@dataclass(frozen=True)
class Count:
    tool: str
    sort: Sort = "int"


@dataclass(frozen=True)
class Aggregate:
    """``sum``, ``min`` or ``max`` of a parameter over every call of ``tool``."""

    op: str
    tool: str
    path: tuple[str, ...]
    sort: Sort


@dataclass(frozen=True)
class Distinct:
    tool: str
    path: tuple[str, ...]
    sort: Sort = "bool"


@dataclass(frozen=True)
class Before:
    """Every call of ``then`` comes after some call of ``first``."""

    first: str
    then: str
    sort: Sort = "bool"


@dataclass(frozen=True)
class Length:
    """The length of a string."""

    arg: Term
    sort: Sort = "int"


@dataclass(frozen=True)
class Arith:
    op: str  # "+", "-", "*"
    left: Term
    right: Term
    sort: Sort


@dataclass(frozen=True)
class Neg:
    arg: Term
    sort: Sort


@dataclass(frozen=True)
class Abs:
    arg: Term
    sort: Sort


@dataclass(frozen=True)
class Extremum:
    """``min(a, b, ...)`` or ``max(a, b, ...)`` of scalar terms."""

    op: str
    args: tuple[Term, ...]
    sort: Sort


@dataclass(frozen=True)
class Cast:
    """int -> real, or date -> datetime."""

    arg: Term
    sort: Sort


@dataclass(frozen=True)
class Compare:
    op: str  # "==", "!=", "<", "<=", ">", ">="
    left: Term
    right: Term
    sort: Sort = "bool"


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and", "or"
    args: tuple[Term, ...]
    sort: Sort = "bool"


@dataclass(frozen=True)
class Not:
    arg: Term
    sort: Sort = "bool"


@dataclass(frozen=True)
class Implies:
    left: Term
    right: Term
    sort: Sort = "bool"


@dataclass(frozen=True)
class Member:
    arg: Term
    values: tuple[Const, ...]
    sort: Sort = "bool"


@dataclass(frozen=True)
class Matches:
    arg: Term
    pattern: Pattern
    sort: Sort = "bool"


Term = Union[Const, Field, Result, Count, Aggregate, Distinct, Before, Length, Arith, Neg, Abs,
             Extremum, Cast, Compare, BoolOp, Not, Implies, Member, Matches]


def children(term: Term) -> tuple[Term, ...]:
    if isinstance(term, (Length, Neg, Abs, Cast, Not, Member, Matches)):
        return (term.arg,)
    if isinstance(term, (Arith, Compare, Implies)):
        return (term.left, term.right)
    if isinstance(term, (BoolOp, Extremum)):
        return term.args
    return ()


def walk(term: Term) -> Iterator[Term]:
    """Every term inside ``term``, itself first."""
    stack = [term]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def fields_of(term: Term) -> tuple[Field, ...]:
    """The distinct quantified fields a term mentions, in first-mention order."""
    seen: dict[Field, None] = {}
    for sub in walk(term):
        if isinstance(sub, Field):
            seen.setdefault(sub, None)
    return tuple(seen)


def quantified_tools(term: Term) -> tuple[str, ...]:
    """The tools whose calls a constraint ranges over (one instance per call, or combination)."""
    seen: dict[str, None] = {}
    for field in fields_of(term):
        seen.setdefault(field.tool, None)
    return tuple(seen)


def path_text(path: tuple[Any, ...]) -> str:
    """``("traveler", "age")`` -> ``traveler.age``; ``("tags", LENGTH)`` -> ``len(tags)``."""
    if path and path[-1] == LENGTH:
        return f"len({path_text(path[:-1])})"
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == ITEMS:
            out += "[*]"
        else:
            out += f".{part}" if out else str(part)
    return out
