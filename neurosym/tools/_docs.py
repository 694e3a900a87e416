"""A function doc ``{"name", "description", "parameters"}`` as a Tool: OpenAI and BFCL share it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import ToolDefinitionError
from ._names import check_tool, check_tool_name
from ._schema import Dialect, read_parameters
from .tool import Tool

__all__ = ["load_json_text", "openai_function_doc", "tool_from_doc"]


def load_json_text(text: str | bytes, *, what: str) -> Any:
    """Parsed JSON, or a ToolDefinitionError saying where the text broke."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ToolDefinitionError(
            f"{what} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}",
            hint="check the JSON (quotes, commas, brackets) at that position") from None


def tool_from_doc(doc: object, path: str, *, dialect: Dialect) -> Tool:
    """One function doc as a :class:`Tool`; ``path`` locates it in the input for errors."""
    if not isinstance(doc, Mapping):
        raise ToolDefinitionError(f"a function doc must be a JSON object, got {doc!r:.60}",
                                  path=path,
                                  hint='write {"name": ..., "description": ..., '
                                       '"parameters": {...}}')
    if "name" not in doc:
        raise ToolDefinitionError("the function has no name", path=path,
                                  hint='add "name": "my_tool" to the function doc')
    name = check_tool_name(doc["name"], path=f"{path}.name")
    description = doc.get("description") or ""
    if not isinstance(description, str):
        raise ToolDefinitionError(f"description must be a string, got {description!r:.60}",
                                  tool=name, path=f"{path}.description",
                                  hint="write the description as one string")
    parameters = doc.get("parameters")
    params = () if parameters is None else read_parameters(
        parameters, tool=name, dialect=dialect, path=f"{path}.parameters")
    schema = parameters if dialect == "json-schema" and isinstance(parameters, Mapping) else None
    return check_tool(Tool(name=name, description=description.strip(), params=params,
                           schema=schema), path=path)


def openai_function_doc(entry: object, path: str) -> tuple[object, str]:
    """The function object inside one OpenAI tools entry, and its path."""
    if not isinstance(entry, Mapping):
        raise ToolDefinitionError(f"an OpenAI tool must be a JSON object, got {entry!r:.60}",
                                  path=path,
                                  hint='write {"type": "function", "function": {...}}')
    kind = entry.get("type", "function")
    if kind != "function":
        raise ToolDefinitionError(f"only function tools can be planned, not {kind!r}", path=path,
                                  hint='keep the entries with "type": "function"')
    if "function" in entry:
        return entry["function"], f"{path}.function"
    return entry, path
