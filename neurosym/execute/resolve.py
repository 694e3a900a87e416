"""Turning a step's AST arguments into Python values, reading references from results.

A reference path walks dicts (by key), lists and tuples (by index), and dataclasses,
pydantic models and plain objects (by public attribute). Private names and methods are
never reached: a plan is data and must not poke into the objects it reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ExecutionError
from ..graph.plain import short_repr
from ..plan.ast import Call, DictValue, ListValue, Literal, Ref, Value

__all__ = ["ResolutionError", "resolve_value", "resolve_reference"]


class ResolutionError(ExecutionError):
    """A reference that cannot be followed in the real result (a missing field or index)."""


def _fields_of(obj: Any) -> list[str]:
    if isinstance(obj, Mapping):
        return [str(k) for k in obj]
    names = getattr(type(obj), "model_fields", None) or getattr(obj, "__dataclass_fields__", None)
    if names:
        return list(names)
    return [k for k in getattr(obj, "__dict__", {}) if not k.startswith("_")]


def _step(obj: Any, part: str | int, walked: str) -> Any:
    if isinstance(part, int):
        if isinstance(obj, Mapping):
            if part in obj:
                return obj[part]
            raise ResolutionError(f"{walked} has no key {part}")
        if isinstance(obj, Sequence) and not isinstance(obj, (str, bytes)):
            if -len(obj) <= part < len(obj):
                return obj[part]
            raise ResolutionError(f"{walked} has {len(obj)} item{'s' * (len(obj) != 1)}, "
                                  f"so [{part}] is out of range")
        raise ResolutionError(f"{walked} is {type(obj).__name__} {short_repr(obj, 40)}, "
                              "which cannot be indexed")
    if isinstance(obj, Mapping):
        if part in obj:
            return obj[part]
    elif not part.startswith("_") and hasattr(obj, part):
        value = getattr(obj, part)
        if not callable(value) or part in _fields_of(obj):
            return value
    known = _fields_of(obj)
    shown = f" (its fields: {', '.join(known[:12])})" if known else ""
    raise ResolutionError(f"{walked} has no field {part!r}{shown}")


def resolve_reference(ref: Ref, results: Mapping[str, Any]) -> Any:
    """The value ``ref`` points to among the results so far."""
    if ref.name not in results:
        raise ResolutionError(f"{ref.name!r} has no result")
    current = results[ref.name]
    walked = Ref(ref.name)
    for part in ref.path:
        current = _step(current, part, walked.text)
        walked = Ref(ref.name, walked.path + (part,))
    return current


def resolve_value(value: Value, results: Mapping[str, Any]) -> Any:
    """The Python value of an argument, references replaced by what they point to."""
    if isinstance(value, Literal):
        return value.value
    if isinstance(value, Ref):
        return resolve_reference(value, results)
    if isinstance(value, ListValue):
        return [resolve_value(v, results) for v in value.items]
    if isinstance(value, DictValue):
        return {k: resolve_value(v, results) for k, v in value.items}
    if isinstance(value, Call):
        raise ResolutionError("a nested call cannot be resolved in place; flatten the plan")
    raise ResolutionError(f"unknown plan value {value!r}")
