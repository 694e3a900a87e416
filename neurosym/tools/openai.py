"""Tools from OpenAI's ``tools=[{"type": "function", "function": {...}}]`` and back.

>>> tools = tools_from_openai('''[{"type": "function", "function": {
...     "name": "get_weather", "description": "Current weather.",
...     "parameters": {"type": "object",
...                    "properties": {"city": {"type": "string"},
...                                   "unit": {"type": "string", "enum": ["C", "F"]}},
...                    "required": ["city"]}}}]''')
>>> [(p.name, p.type, p.required, p.enum) for p in tools[0].params]
[('city', 'string', True, None), ('unit', 'string', False, ('C', 'F'))]
>>> tool_to_openai(tools[0])["function"]["parameters"]["required"]
['city']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ToolDefinitionError
from ._docs import check_nesting, load_json_text, openai_function_doc, tool_from_doc
from .jsonschema import param_to_json_schema, tool_to_json_schema
from .tool import Tool

__all__ = ["tools_from_openai", "tool_to_openai"]


def tools_from_openai(spec: str | bytes | Mapping[str, Any] | list[Any]) -> list[Tool]:
    """Tools from OpenAI's tools list, given as JSON text or parsed.

    Accepts the list itself, one tool, a request body with a ``"tools"`` key, bare
    function objects ``{"name", "description", "parameters"}``, and the Responses API's
    flat ``{"type": "function", "name": ...}``.
    """
    if isinstance(spec, str | bytes):
        spec = load_json_text(spec, what="the OpenAI tools text")
    else:
        check_nesting(spec, what="the OpenAI tools")
    if isinstance(spec, Mapping):
        if isinstance(spec.get("tools"), list):
            spec = spec["tools"]
        else:
            spec = [spec]
    if not isinstance(spec, list):
        raise ToolDefinitionError(f"expected a list of OpenAI tools, got {type(spec).__name__}",
                                  hint='pass [{"type": "function", "function": {...}}, ...]')
    return [tool_from_doc(*openai_function_doc(entry, f"tools[{index}]"), dialect="json-schema")
            for index, entry in enumerate(spec)]


def tool_to_openai(tool: Tool, *, results: bool = False) -> dict[str, Any]:
    """The OpenAI tools entry for ``tool``; with ``results``, also what it returns, as
    ``outputSchema`` (MCP's key, which OpenAI's format lacks and neurosym reads back),
    so that a tools file keeps the data flow between its tools."""
    function: dict[str, Any] = {"name": tool.name, "description": tool.description,
                                "parameters": tool_to_json_schema(tool)}
    if results and tool.returns is not None:
        function["outputSchema"] = param_to_json_schema(tool.returns)
    return {"type": "function", "function": function}
