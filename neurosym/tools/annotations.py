"""Constraints written in a Python signature: ``Annotated[int, Range(1, 14)]``.

Each one is ``annotated_types`` grouped metadata, so pydantic reads it like its own
``Field(ge=..., le=...)``: the same constraint validates a call and reaches the JSON
Schema neurosym reads a tool from.

>>> from typing import Annotated
>>> from pydantic import TypeAdapter
>>> TypeAdapter(Annotated[int, Range(1, 14)]).json_schema()
{'maximum': 14, 'minimum': 1, 'type': 'integer'}
>>> TypeAdapter(Annotated[str, Pattern(r"^[A-Z]{3}$"), Length(max=3)]).json_schema()
{'maxLength': 3, 'pattern': '^[A-Z]{3}$', 'type': 'string'}
>>> TypeAdapter(Annotated[str, Sensitive]).json_schema()
{'type': 'string', 'writeOnly': True}
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import annotated_types

from ..errors import ToolDefinitionError

__all__ = ["Range", "Pattern", "Length", "Sensitive"]

Number = int | float


@dataclass(frozen=True, init=False)
class Range(annotated_types.GroupedMetadata):
    """A numeric range; ``Range(1, 14)`` is 1 to 14 inclusive, ``gt``/``lt`` exclude.

    >>> list(Range(1, 14))
    [Ge(ge=1), Le(le=14)]
    >>> list(Range(gt=0, lt=1.5))
    [Gt(gt=0), Lt(lt=1.5)]
    """

    ge: Number | None
    le: Number | None
    gt: Number | None
    lt: Number | None

    def __init__(self, ge: Number | None = None, le: Number | None = None, *,
                 gt: Number | None = None, lt: Number | None = None) -> None:
        for key, value in (("ge", ge), ("le", le), ("gt", gt), ("lt", lt)):
            if value is not None and (isinstance(value, bool)
                                      or not isinstance(value, int | float)):
                raise ToolDefinitionError(f"Range({key}={value!r}) is not a number",
                                          hint="give Range numbers, e.g. Range(1, 14)")
        if ge is not None and gt is not None or le is not None and lt is not None:
            raise ToolDefinitionError("Range has both an inclusive and an exclusive bound "
                                      "on the same side",
                                      hint="keep one of ge/gt and one of le/lt")
        low = ge if ge is not None else gt
        high = le if le is not None else lt
        if low is not None and high is not None and (
                low > high or low == high and (gt is not None or lt is not None)):
            raise ToolDefinitionError(f"Range is empty: nothing lies between {low} and {high}",
                                      hint="put the lower bound first: Range(low, high)")
        if all(value is None for value in (ge, le, gt, lt)):
            raise ToolDefinitionError("Range() has no bound",
                                      hint="give at least one bound, e.g. Range(1, 14)")
        object.__setattr__(self, "ge", ge)
        object.__setattr__(self, "le", le)
        object.__setattr__(self, "gt", gt)
        object.__setattr__(self, "lt", lt)

    def __iter__(self) -> Iterator[object]:
        if self.ge is not None:
            yield annotated_types.Ge(self.ge)
        if self.gt is not None:
            yield annotated_types.Gt(self.gt)
        if self.le is not None:
            yield annotated_types.Le(self.le)
        if self.lt is not None:
            yield annotated_types.Lt(self.lt)


@dataclass(frozen=True)
class Pattern(annotated_types.GroupedMetadata):
    """A regular expression a string must match (searched, as JSON Schema does).

    >>> Pattern("[")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    neurosym.errors.ToolDefinitionError: Pattern('[') is not a valid regular expression: ...
    hint: fix the regular expression (Python re syntax)
    """

    regex: str

    def __post_init__(self) -> None:
        if not isinstance(self.regex, str):
            raise ToolDefinitionError(f"Pattern({self.regex!r}) is not a string",
                                      hint="give Pattern a regular expression string")
        try:
            re.compile(self.regex)
        except re.error as err:
            raise ToolDefinitionError(
                f"Pattern({self.regex!r}) is not a valid regular expression: {err}",
                hint="fix the regular expression (Python re syntax)") from None

    def __iter__(self) -> Iterator[object]:
        # pydantic's own string constraints carry the pattern into validation and schema.
        import pydantic
        yield from pydantic.StringConstraints(pattern=self.regex)


@dataclass(frozen=True)
class Length(annotated_types.GroupedMetadata):
    """Bounds on the length of a string or a list, inclusive.

    >>> list(Length(1, 3))
    [MinLen(min_length=1), MaxLen(max_length=3)]
    """

    min: int | None = None
    max: int | None = None

    def __post_init__(self) -> None:
        for key in ("min", "max"):
            value = getattr(self, key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 0):
                raise ToolDefinitionError(f"Length({key}={value!r}) is not a count",
                                          hint="give Length non-negative integers")
        if self.min is None and self.max is None:
            raise ToolDefinitionError("Length() has no bound",
                                      hint="give min, max or both, e.g. Length(1, 20)")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ToolDefinitionError(f"Length is empty: min {self.min} > max {self.max}",
                                      hint="put the smaller bound first: Length(min, max)")

    def __iter__(self) -> Iterator[object]:
        if self.min is not None:
            yield annotated_types.MinLen(self.min)
        if self.max is not None:
            yield annotated_types.MaxLen(self.max)


class _SensitiveMark:
    """The type of :data:`Sensitive` (one value, used as it is)."""

    def __repr__(self) -> str:
        return "Sensitive"

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        # writeOnly is JSON Schema's word for a value that is sent and never shown back:
        # every tool source reads it as sensitive.
        schema = dict(handler(core_schema))
        schema["writeOnly"] = True
        return schema


#: Marks a parameter as a secret: ``password: Annotated[str, Sensitive]``. Its value is
#: redacted from the audit log, errors, reports, drawings and explanations.
Sensitive = _SensitiveMark()
