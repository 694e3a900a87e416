"""The plan AST: frozen dataclasses, so plans hash, compare and never change under you.

A plan is a sequence of steps, each a call optionally bound to a name, and optionally a
terminal form: ``ask("...")`` (a required value is missing), ``answer("...")`` (the
response from observations) or ``none()`` (no tool fits).

>>> plan = Plan(steps=(Step(Call("search", (("q", Literal("x")),)), bind="r"),))
>>> plan.steps[0].call.arg("q")
Literal(value='x')
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal as TypingLiteral, Union

__all__ = ["Literal", "Ref", "Call", "ListValue", "DictValue", "Value", "Step", "Terminal",
           "TerminalKind", "Plan", "TERMINAL_KINDS", "walk_values", "to_python"]

TerminalKind = TypingLiteral["ask", "answer", "none"]
TERMINAL_KINDS: tuple[str, ...] = ("ask", "answer", "none")


@dataclass(frozen=True)
class Literal:
    """A scalar constant: str, int, float, bool or None."""

    value: str | int | float | bool | None


@dataclass(frozen=True)
class Ref:
    """A reference to an earlier step's result: ``name``, ``name.field``, ``name[0].field``."""

    name: str
    path: tuple[str | int, ...] = ()

    @property
    def text(self) -> str:
        out = self.name
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else f".{part}"
        return out


@dataclass(frozen=True)
class ListValue:
    items: tuple[Value, ...] = ()


@dataclass(frozen=True)
class DictValue:
    items: tuple[tuple[str, Value], ...] = ()


@dataclass(frozen=True)
class Call:
    """A call of a tool with keyword arguments, in the order written."""

    tool: str
    args: tuple[tuple[str, Value], ...] = ()

    def arg(self, name: str) -> Value | None:
        for key, value in self.args:
            if key == name:
                return value
        return None

    @property
    def arg_names(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.args)


Value = Union[Literal, Ref, Call, ListValue, DictValue]


@dataclass(frozen=True)
class Step:
    """One line of a plan: ``bind = call(...)`` or a bare ``call(...)``."""

    call: Call
    bind: str | None = None


@dataclass(frozen=True)
class Terminal:
    """``ask("question")``, ``answer("text")`` or ``none()``."""

    kind: TerminalKind
    text: str | None = None


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...] = ()
    terminal: Terminal | None = None

    @property
    def calls(self) -> tuple[Call, ...]:
        return tuple(step.call for step in self.steps)

    @property
    def is_empty(self) -> bool:
        """True for ``none()``: no tool fits the request."""
        return not self.steps and (self.terminal is None or self.terminal.kind == "none")

    @property
    def question(self) -> str | None:
        return self.terminal.text if self.terminal and self.terminal.kind == "ask" else None

    @property
    def answer(self) -> str | None:
        return self.terminal.text if self.terminal and self.terminal.kind == "answer" else None

    @property
    def text(self) -> str:
        """The plan in the plan language (parses back to an equal Plan)."""
        from .render import render_text
        return render_text(self)

    def to_openai(self) -> list[dict[str, Any]]:
        from .render import render_openai
        return render_openai(self)

    def to_bfcl(self) -> list[dict[str, dict[str, Any]]]:
        from .render import render_bfcl
        return render_bfcl(self)


def walk_values(value: Value) -> Iterator[Value]:
    """Every value inside ``value``, itself first (depth first, in written order)."""
    stack = [value]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, Call):
            stack.extend(v for _, v in reversed(current.args))
        elif isinstance(current, ListValue):
            stack.extend(reversed(current.items))
        elif isinstance(current, DictValue):
            stack.extend(v for _, v in reversed(current.items))


def to_python(value: Value) -> Any:
    """The plain Python value of a literal, list or dict (refs and calls are an error).

    >>> to_python(ListValue((Literal(1), DictValue((("a", Literal(None)),)))))
    [1, {'a': None}]
    """
    if isinstance(value, Literal):
        return value.value
    if isinstance(value, ListValue):
        return [to_python(v) for v in value.items]
    if isinstance(value, DictValue):
        return {k: to_python(v) for k, v in value.items}
    raise TypeError(f"{type(value).__name__} has no plain value before execution")
