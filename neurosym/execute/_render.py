"""One-line renderings of calls for reports and error messages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..graph.plain import to_jsonable
from ..plan.ast import Call, DictValue, ListValue, Literal, Ref, Value

__all__ = ["render_value", "render_call", "render_resolved_call"]


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def render_value(value: Value) -> str:
    """A plan value in plan syntax: literals as written, references by their path."""
    if isinstance(value, Literal):
        return _scalar(value.value)
    if isinstance(value, Ref):
        return value.text
    if isinstance(value, ListValue):
        return "[" + ", ".join(render_value(v) for v in value.items) + "]"
    if isinstance(value, DictValue):
        return "{" + ", ".join(f"{json.dumps(k)}: {render_value(v)}" for k, v in value.items) + "}"
    if isinstance(value, Call):
        return render_call(value.tool, dict(value.args))
    return repr(value)


def render_call(tool: str, args: Mapping[str, Value]) -> str:
    return f"{tool}(" + ", ".join(f"{k}={render_value(v)}" for k, v in args.items()) + ")"


def _plain(value: Any, limit: int) -> str:
    text = json.dumps(to_jsonable(value), ensure_ascii=False) if not isinstance(
        value, (bool, type(None))) else repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def render_resolved_call(tool: str, args: Mapping[str, Any], limit: int = 60) -> str:
    """A call with real argument values, each cut to ``limit`` characters."""
    return f"{tool}(" + ", ".join(f"{k}={_plain(v, limit)}" for k, v in args.items()) + ")"
