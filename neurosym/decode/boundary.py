"""Structural boundaries of a plan being written: where a step, call, argument or value starts or ends.

The tracker reports them as the text grows; the decoder attaches a checkpoint to each
and hands them to the search hooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal as TypingLiteral, Union

from ..plan.ast import Call, DictValue, ListValue, Literal, Ref, Step, Terminal, Value

if TYPE_CHECKING:
    from .checkpoint import Checkpoint

__all__ = ["BoundaryKind", "BOUNDARY_KINDS", "Path", "Boundary", "python_value"]

BoundaryKind = TypingLiteral["step_start", "bind", "call_start", "arg_start", "value_start",
                             "ref_end", "value_end", "call_end", "step_end", "plan_end",
                             "dead_end"]
BOUNDARY_KINDS: tuple[str, ...] = ("step_start", "bind", "call_start", "arg_start",
                                   "value_start", "ref_end", "value_end", "call_end",
                                   "step_end", "plan_end", "dead_end")

#: Where a boundary sits in the plan: the step's index, then for each level of nesting
#: the tool's name and the parameter's name, a list index or a dict key.
#: ``(0, "book_flight", "passengers")`` is an argument of the first step;
#: ``(1, "f", "xs", 2)`` the third item of a list argument; ``(0, "f", "x", "g", "y")``
#: an argument of a call nested in ``f(x=g(y=...))``.
Path = tuple[Union[str, int], ...]


@dataclass(frozen=True)
class Boundary:
    """One structural boundary at character ``offset`` of the plan text.

    ``value`` (the AST node) and ``text`` are set at ``value_end`` and ``ref_end``; ``call``
    at ``call_end``; ``step`` (a Step, or a Terminal for ask/answer/none) at ``step_end``.
    ``checkpoint`` and ``t`` (seconds since decoding started) are filled in by the decoder.
    """

    kind: BoundaryKind
    offset: int
    path: Path = ()
    tool: str | None = None
    param: str | None = None
    bind: str | None = None
    text: str | None = None
    value: Value | None = None
    call: Call | None = None
    step: Step | Terminal | None = None
    terminal: str | None = None
    checkpoint: Checkpoint | None = None
    t: float = 0.0

    @property
    def step_index(self) -> int | None:
        return self.path[0] if self.path and isinstance(self.path[0], int) else None

    @property
    def python(self) -> Any:
        """The finished value as Python: literals as themselves, references as Ref, calls as Call."""
        return None if self.value is None else python_value(self.value)

    def describe(self) -> str:
        """A short human-readable line, for traces."""
        where = ".".join(str(p) for p in self.path)
        detail = f" {self.text!r}" if self.text is not None else ""
        return f"{self.kind}@{self.offset} {where}{detail}".rstrip()


def python_value(value: Value) -> Any:
    """A value as plain Python where it can be (refs and calls stay AST nodes).

    >>> python_value(ListValue((Literal(1), Ref("r", ("id",)))))
    [1, Ref(name='r', path=('id',))]
    """
    if isinstance(value, Literal):
        return value.value
    if isinstance(value, ListValue):
        return [python_value(v) for v in value.items]
    if isinstance(value, DictValue):
        return {k: python_value(v) for k, v in value.items}
    return value
