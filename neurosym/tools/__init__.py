"""Tools the planner may call: Tool and Param, from Python callables, OpenAI tools JSON,
BFCL function docs and plain JSON Schema, gathered in a ToolSet; and back to JSON."""

from .annotations import Length, Pattern, Range, Sensitive
from .bfcl import tool_to_bfcl, tools_from_bfcl
from .dataflow import DataFlow, ProducedBy
from .jsonschema import (param_from_json_schema, param_to_json_schema, tool_from_json_schema,
                         tool_to_json_schema)
from .openai import tool_to_openai, tools_from_openai
from .python import tool, tool_from_function
from .tool import Param, Tool
from .toolset import ToolSet, ToolSource

__all__ = ["DataFlow", "Length", "Param", "Pattern", "ProducedBy", "Range", "Sensitive", "Tool", "ToolSet", "ToolSource", "param_from_json_schema",
           "param_to_json_schema", "tool", "tool_from_function", "tool_from_json_schema",
           "tool_to_bfcl", "tool_to_json_schema", "tool_to_openai", "tools_from_bfcl",
           "tools_from_openai"]
