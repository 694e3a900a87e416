"""Plain JSON-shaped copies of tool values: for digests, type checks and observations."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import enum
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["to_jsonable", "canonical_json", "short_repr"]


def to_jsonable(value: Any) -> Any:
    """``value`` as dicts, lists, strings, numbers, booleans and None.

    Dataclasses, pydantic models and objects with public attributes become dicts;
    dates become ISO strings; anything else becomes its ``repr``.

    >>> to_jsonable({"when": _dt.date(2026, 12, 1), "ids": (1, 2)})
    {'when': '2026-12-01', 'ids': [1, 2]}
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_jsonable(v) for v in value), key=repr)
    if isinstance(value, (_dt.date, _dt.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    dump = getattr(value, "model_dump", None)
    if callable(dump):  # pydantic v2
        return to_jsonable(dump(mode="json"))
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    attrs = getattr(value, "__dict__", None)
    if isinstance(attrs, dict) and not callable(value):
        return {k: to_jsonable(v) for k, v in attrs.items() if not k.startswith("_")}
    return repr(value)


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no spaces, so equal values digest equally.

    >>> canonical_json({"b": 1, "a": [True, None]})
    '{"a":[true,null],"b":1}'
    """
    return json.dumps(to_jsonable(value), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=True)


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr`` cut to ``limit`` characters, for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."
