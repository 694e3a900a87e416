"""The plan language: AST, parsing with Lark, rendering to text, OpenAI and BFCL."""

from .ast import (Call, DictValue, ListValue, Literal, Plan, Ref, Step, Terminal, Value,
                  to_python, walk_values)
from .flatten import flatten
from .parse import parse_plan
from .render import render_bfcl, render_openai, render_text

__all__ = ["Call", "DictValue", "ListValue", "Literal", "Plan", "Ref", "Step", "Terminal",
           "Value", "flatten", "parse_plan", "render_bfcl", "render_openai", "render_text",
           "to_python", "walk_values"]
