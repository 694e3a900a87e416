"""Tools from BFCL function docs (the Berkeley Function Calling Leaderboard) and back.

BFCL writes JSON Schema with its own type names: ``"dict"`` for objects, ``"float"``
for numbers, ``"tuple"`` for arrays, ``"any"``, and Java/JavaScript names ("String",
"long", "HashMap", "ArrayList", ...). Dotted names such as ``math.factorial`` stay the
tool name. BFCL's ``required`` list is honoured as written, as its checker does.

>>> [t] = tools_from_bfcl([{"name": "math.factorial", "description": "n!",
...     "parameters": {"type": "dict", "properties": {
...         "number": {"type": "integer", "description": "The number."}},
...         "required": ["number"]}}])
>>> t.name, t.params[0].type
('math.factorial', 'integer')
>>> tool_to_bfcl(t)["parameters"]["type"]
'dict'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ToolDefinitionError
from ._docs import check_nesting, load_json_text, tool_from_doc
from .jsonschema import param_to_json_schema
from .tool import Tool

__all__ = ["tools_from_bfcl", "tool_to_bfcl"]


def tools_from_bfcl(docs: str | bytes | Mapping[str, Any] | list[Any]) -> list[Tool]:
    """Tools from a list of BFCL function docs (JSON text or parsed).

    Also accepts one doc, or a whole BFCL test entry (its ``"function"`` list).
    """
    if isinstance(docs, str | bytes):
        docs = load_json_text(docs, what="the BFCL function docs")
    else:
        check_nesting(docs, what="the BFCL function docs")
    path = "functions"
    if isinstance(docs, Mapping):
        if isinstance(docs.get("function"), list):
            docs, path = docs["function"], "function"
        else:
            docs = [docs]
    if not isinstance(docs, list):
        raise ToolDefinitionError(f"expected a list of BFCL function docs, got "
                                  f"{type(docs).__name__}",
                                  hint='pass [{"name": ..., "description": ..., '
                                       '"parameters": {"type": "dict", ...}}, ...]')
    return [tool_from_doc(doc, f"{path}[{index}]", dialect="bfcl")
            for index, doc in enumerate(docs)]


def tool_to_bfcl(tool: Tool) -> dict[str, Any]:
    """The BFCL function doc for ``tool`` ("dict" objects, "float" numbers)."""
    return {"name": tool.name, "description": tool.description,
            "parameters": {"type": "dict",
                           "properties": {p.name: _bfcl_schema(param_to_json_schema(p))
                                          for p in tool.params},
                           "required": [p.name for p in tool.params if p.required]}}


def _bfcl_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    if "anyOf" in schema:
        # BFCL has no unions; a nullable value is written as its non-null type.
        inner = next(s for s in schema["anyOf"] if s.get("type") != "null")
        schema = {**inner, **{k: v for k, v in schema.items() if k != "anyOf"}}
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "type":
            out[key] = {"object": "dict", "number": "float"}.get(value, value)
        elif key == "properties":
            out[key] = {name: _bfcl_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, Mapping):
            out[key] = _bfcl_schema(value)
        else:
            out[key] = value
    # A value list whose values are all that is known, or no type at all.
    out.setdefault("type", "any")
    return out
