"""JSON Schema both ways: a tool from a plain schema, and a tool or a param back to one.

>>> t = tool_from_json_schema("book_hotel", {
...     "type": "object",
...     "properties": {"city": {"type": "string"},
...                    "nights": {"type": "integer", "minimum": 1, "maximum": 14}},
...     "required": ["city", "nights"]}, "Book a hotel room.")
>>> t.param("nights").maximum
14
>>> tool_to_json_schema(t)["properties"]["nights"]
{'type': 'integer', 'minimum': 1, 'maximum': 14}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._names import check_tool, check_tool_name
from ._schema import Dialect, read_param, read_parameters
from .tool import Effect, Param, Tool

__all__ = ["param_from_json_schema", "param_to_json_schema", "tool_from_json_schema",
           "tool_to_json_schema"]


def param_from_json_schema(schema: Mapping[str, Any] | bool, name: str = "value", *,
                           tool: str | None = None, dialect: Dialect = "json-schema") -> Param:
    """One value's JSON Schema as a :class:`Param` (``$ref`` resolves within ``schema``).

    >>> param_from_json_schema({"anyOf": [{"type": "string", "format": "date"},
    ...                                   {"type": "null"}]}).type
    'date'
    """
    return read_param(schema, name=name, tool=tool, dialect=dialect)


def tool_from_json_schema(name: str, schema: Mapping[str, Any], description: str = "", *,
                          returns: Param | None = None, effect: Effect = "read",
                          requires_approval: bool = False, idempotency_param: str | None = None,
                          func: Callable[..., Any] | None = None) -> Tool:
    """A tool whose parameters are the properties of an object schema."""
    check_tool_name(name)
    params = read_parameters(schema, tool=name)
    return check_tool(Tool(name=name, description=description.strip(), params=params,
                           returns=returns, effect=effect, requires_approval=requires_approval,
                           idempotency_param=idempotency_param, func=func,
                           schema=schema))


def param_to_json_schema(param: Param) -> dict[str, Any]:
    """The JSON Schema of one value; reading it back gives the same :class:`Param`.

    >>> param_to_json_schema(Param("when", "date", nullable=True))
    {'anyOf': [{'type': 'string', 'format': 'date'}, {'type': 'null'}]}
    """
    body = _body(param)
    if param.nullable and param.type != "enum":
        body = {"anyOf": [body, {"type": "null"}]}
    if param.description:
        body["description"] = param.description
    if param.default is not None:
        body["default"] = param.default
    if param.sensitive:
        body["writeOnly"] = True
    return body


def tool_to_json_schema(tool: Tool) -> dict[str, Any]:
    """The ``parameters`` object schema of a tool, as OpenAI and JSON Schema write it."""
    return _object_schema(tool.params, additional=True)


def _body(param: Param) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if param.type == "date":
        body.update(type="string", format="date")
    elif param.type not in ("enum", "any"):
        body["type"] = param.type
    if param.type == "object":
        body.update(_object_schema(param.properties, additional=param.additional_properties,
                                   values=param.items))
    elif param.items is not None:
        body["items"] = param_to_json_schema(param.items)
    for field, key in (("minimum", "minimum"), ("maximum", "maximum"),
                       ("exclusive_minimum", "exclusiveMinimum"),
                       ("exclusive_maximum", "exclusiveMaximum"),
                       ("pattern", "pattern"), ("min_length", "minLength"),
                       ("max_length", "maxLength"), ("min_items", "minItems"),
                       ("max_items", "maxItems"), ("format", "format")):
        value = getattr(param, field)
        if value is not None:
            body[key] = value
    if param.enum is not None:
        body["enum"] = list(param.enum)
        if param.type == "enum" and param.nullable and None not in param.enum:
            body["enum"].append(None)
    return body


def _object_schema(params: tuple[Param, ...], *, additional: bool,
                   values: Param | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {p.name: param_to_json_schema(p) for p in params},
        "required": [p.name for p in params if p.required],
    }
    if not additional:
        schema["additionalProperties"] = False
    elif values is not None:
        schema["additionalProperties"] = param_to_json_schema(values)
    return schema
