"""A function doc ``{"name", "description", "parameters"}`` as a Tool: OpenAI and BFCL share it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import ToolDefinitionError
from ._names import check_tool, check_tool_name
from ._schema import Dialect, read_param, read_parameters
from .tool import Param, Tool

__all__ = ["MAX_JSON_DEPTH", "check_nesting", "load_json_text", "openai_function_doc",
           "read_returns", "tool_from_doc"]

#: Deepest nesting of lists and objects a tools document may have. A tool whose schema
#: nests as deep as the schema reader allows (32 levels) needs about 70.
MAX_JSON_DEPTH = 128


def load_json_text(text: str | bytes | bytearray, *, what: str) -> Any:
    """Parsed JSON, or a ToolDefinitionError saying where the text broke.

    Bytes are read as JSON's own encodings allow (UTF-8, or UTF-16/32 with their byte
    order); bytes that are none of them are refused, as is JSON nested too deep.

    >>> load_json_text(b"[1, 2]", what="the list")
    [1, 2]
    >>> load_json_text(b"\\x80\\x81", what="the docs")
    Traceback (most recent call last):
    ...
    neurosym.errors.ToolDefinitionError: the docs is not UTF-8 text: byte 0x80 at offset 0 cannot be read
    hint: save the file as UTF-8 (JSON is UTF-8 text)
    """
    if isinstance(text, bytes | bytearray):
        text = _decode(bytes(text), what)
    if not isinstance(text, str):
        raise ToolDefinitionError(f"{what} must be JSON text, not {type(text).__name__}",
                                  hint="pass a str, bytes, or the parsed JSON")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ToolDefinitionError(
            f"{what} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}",
            hint="check the JSON (quotes, commas, brackets) at that position") from None
    except RecursionError:
        raise ToolDefinitionError(
            f"{what} nests lists or objects more than {MAX_JSON_DEPTH} levels deep",
            hint="flatten the document; tool schemas need only a few levels") from None
    check_nesting(data, what=what)
    return data


def _decode(raw: bytes, what: str) -> str:
    encoding = json.detect_encoding(raw)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        bad = raw[err.start:err.start + 1]
        raise ToolDefinitionError(
            f"{what} is not {encoding.upper().replace('-SIG', '')} text: byte 0x{bad.hex()} "
            f"at offset {err.start} cannot be read",
            hint="save the file as UTF-8 (JSON is UTF-8 text)") from None


def check_nesting(data: object, *, what: str, limit: int = MAX_JSON_DEPTH) -> None:
    """Refuse lists and dicts nested deeper than ``limit`` (walked without recursion)."""
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Mapping):
            children: Any = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        if depth >= limit:
            raise ToolDefinitionError(
                f"{what} nests lists or objects more than {limit} levels deep",
                hint="flatten the document; tool schemas need only a few levels")
        stack.extend((child, depth + 1) for child in children)


#: Where a JSON function doc may declare its result's schema (MCP's spelling first).
_OUTPUT_KEYS = ("outputSchema", "output_schema")


def read_returns(schema: object, *, tool: str, path: str, strict: bool = True) -> Param | None:
    """What a tool returns, from its result's JSON Schema (MCP's ``outputSchema``): the
    fields later calls may reference. A result that is not an object comes wrapped as
    ``{"result": ...}`` (MCP's structured content), so such a wrapper declares what it
    wraps. None when the schema declares nothing a later call could use (an object with
    no fields), or, unless ``strict``, when it cannot be read: what a tool returns only
    informs the prompt and the references, the calls do not need it."""
    try:
        returns = read_param(schema, name="result", tool=tool, dialect="json-schema",
                             path=path)
    except ToolDefinitionError:
        if strict:
            raise
        return None
    if returns.type == "object" and [p.name for p in returns.properties] == ["result"]:
        returns = returns.properties[0]
    if returns.type == "object" and not returns.properties:
        return None
    return returns


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
    returns = None
    key = next((k for k in _OUTPUT_KEYS if k in doc), None)
    if key is not None and dialect == "json-schema":
        returns = read_returns(doc[key], tool=name, path=f"{path}.{key}")
    return check_tool(Tool(name=name, description=description.strip(), params=params,
                           schema=schema, returns=returns), path=path)


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
