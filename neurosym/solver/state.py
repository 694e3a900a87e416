"""What the plan checker's parts share: a call's and a value's state, an aggregate's
variables, and how values and observations are read and shown."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import z3

from ..constraints import ir
from ..plan.ast import Call as PlanCall
from ..plan.ast import DictValue, ListValue
from ..plan.ast import Literal as PlanLiteral
from ..plan.ast import Ref, to_python

__all__ = ["ParamPath", "AggKey", "CallState", "Assignment", "Aggregate", "show_value", "close_match", "schema_path_of", "observed_at"]


ParamPath = str | tuple[str | int, ...]
AggKey = tuple[Any, ...]


@dataclass(frozen=True)
class CallState:
    """A call begun in the plan: its step, tool and binding, the literal that activates
    its assertions, and whether it is still open (its arguments being written)."""

    step: int
    tool: str
    bind: str | None
    lit: z3.BoolRef
    open: bool = True


@dataclass(frozen=True)
class Assignment:
    """A value written for one path of one call: the literal that activates it."""

    lit: z3.BoolRef


@dataclass(frozen=True)
class Aggregate:
    """An aggregate's variables over the written calls (``value``, and ``nonempty`` for
    ``min``/``max``) and over the open extension of calls not yet written."""

    key: AggKey
    tools: tuple[str, ...]
    value: z3.ExprRef
    nonempty: z3.BoolRef | None = None
    ext_value: z3.ExprRef | None = None
    ext_nonempty: z3.BoolRef | None = None


def show_value(value: Any) -> str:
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


def close_match(word: str, options: Iterable[str]) -> str | None:
    """The option most like ``word``, for a "did you mean" (None: none is close)."""
    import difflib
    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return found[0] if found else None


def schema_path_of(path: tuple[str | int, ...]) -> tuple[str, ...]:
    """A concrete value path as the schema names it: list indices read as ``ITEMS``."""
    return tuple(ir.ITEMS if isinstance(p, int) else p for p in path)


def observed_at(observations: Mapping[str, Any], name: str,
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
