"""Conversions between BFCL's shapes and neurosym's: function docs, plans, checker input.

BFCL's checker compares Python values strictly by type (a ``float`` parameter wants a
float, a list of floats wants floats inside), so a plan's values are rendered by the
types of the function docs, the way a typed plan means them.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..plan.ast import Plan, Value
    from ..tools.toolset import ToolSet

__all__ = ["language_of", "model_functions", "plan_calls", "checker_calls", "openai_tools",
           "is_call_list", "has_call", "plain_name"]

Doc = dict[str, Any]
CheckerCalls = list[dict[str, dict[str, Any]]]

_LANGUAGE_NAMES = {"python": "Python 3", "java": "Java 8 SDK", "javascript": "JavaScript"}
# BFCL's own rendering of its doc types for JSON-schema tool APIs.
_OPENAI_TYPES = {"dict": "object", "float": "number", "tuple": "array", "any": "string",
                 "list": "array", "bool": "boolean"}


def language_of(category: str) -> str:
    """The language a category's functions are written in.

    >>> language_of("simple_java"), language_of("simple_javascript"), language_of("multiple")
    ('java', 'javascript', 'python')
    """
    if category.endswith("javascript"):
        return "javascript"
    if category.endswith("java"):
        return "java"
    return "python"


def model_functions(functions: Sequence[Doc], language: str) -> list[Doc]:
    """The docs as a model is shown them: each names its language, and Java and
    JavaScript parameters become strings written in that language's syntax (how BFCL
    asks those categories of every model). The input is left untouched.

    >>> doc = {"name": "f", "description": "Do it.", "parameters": {"type": "dict",
    ...        "properties": {"n": {"type": "long", "description": "Count."}}}}
    >>> shown = model_functions([doc], "java")[0]
    >>> shown["parameters"]["properties"]["n"]["type"], doc["parameters"]["properties"]["n"]["type"]
    ('string', 'long')
    """
    shown = copy.deepcopy(list(functions))
    lang_name = _LANGUAGE_NAMES[language]
    for doc in shown:
        note = f"The function is written in {lang_name} syntax."
        doc["description"] = f"{doc.get('description', '')} {note}"
        if language == "python":
            continue
        properties = doc.get("parameters", {}).get("properties", {})
        for prop in properties.values():
            kind = prop.get("type", "any")
            note = prop.get("description", "")
            if kind == "any":
                note += f" Any {lang_name} value, written as a string of {lang_name} code."
            else:
                note += f" A {lang_name} {kind}, written as a string of {lang_name} code."
            if kind in ("Array", "ArrayList", "array") and "items" in prop:
                inner = prop.pop("items").get("type", "any")
                note += f" Its elements are of type {inner}, written as themselves, not as strings."
            if language == "javascript" and kind == "dict" and "properties" in prop:
                layout = json.dumps(prop.pop("properties"))
                note += f" Its entries follow this layout, written as themselves: {layout}"
            prop["description"] = note.strip()
            prop["type"] = "string"
    return shown


def _value_python(value: Value) -> Any:
    from ..plan.ast import Call, DictValue, ListValue, Literal, Ref
    if isinstance(value, Literal):
        return value.value
    if isinstance(value, ListValue):
        return [_value_python(item) for item in value.items]
    if isinstance(value, DictValue):
        return {key: _value_python(item) for key, item in value.items}
    if isinstance(value, Ref):
        # BFCL reads a bare name in a call as a variable and compares it as a string.
        return value.text
    if isinstance(value, Call):
        args = ", ".join(f"{key}={_value_python(item)!r}" for key, item in value.args)
        return f"{value.tool}({args})"
    raise TypeError(f"not a plan value: {value!r}")


def plan_calls(plan: Plan, tools: ToolSet | None = None) -> CheckerCalls:
    """The plan's calls as plain ``[{tool: {arg: value}}]`` (values not yet typed).

    With ``tools``, optional arguments the plan leaves unset (``None`` where the
    parameter cannot hold it) are left out, as the executor leaves them out.

    >>> from neurosym.plan.ast import Call, ListValue, Literal, Plan, Step
    >>> plan = Plan(steps=(Step(Call("f", (("x", ListValue((Literal(1),))),
    ...                                    ("unit", Literal(None))))),))
    >>> plan_calls(plan)
    [{'f': {'x': [1], 'unit': None}}]
    >>> from neurosym.tools import Param, Tool, ToolSet
    >>> f = Tool("f", params=(Param("x", "array"), Param("unit", "string", required=False)))
    >>> plan_calls(plan, ToolSet([f]))
    [{'f': {'x': [1]}}]
    """
    out: CheckerCalls = []
    for call in plan.calls:
        args = {key: _value_python(value) for key, value in call.args}
        tool = tools.get(call.tool) if tools is not None else None
        out.append({call.tool: tool.given_args(args) if tool is not None else args})
    return out


def _coerce(value: Any, schema: Mapping[str, Any] | None) -> Any:
    """``value`` with the Python type the doc's type names (ints become floats where a
    float is wanted, tuples become lists), recursively through arrays and dicts."""
    if not schema:
        return value
    kind = schema.get("type")
    if kind in ("float", "number") and type(value) is int:
        return float(value)
    if kind in ("array", "tuple", "list") and isinstance(value, (list, tuple)):
        items = schema.get("items")
        return [_coerce(item, items) for item in value]
    if kind in ("dict", "object") and isinstance(value, dict):
        properties = schema.get("properties") or {}
        return {key: _coerce(item, properties.get(key)) for key, item in value.items()}
    return value


_JAVA_ELEMENT = {"integer": "int", "any": "Object", "Boolean": "Boolean"}


def _java_scalar(value: Any, kind: str | None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int) and kind == "long":
        return f"{value}L"
    if isinstance(value, (int, float)) and kind == "float":
        return f"{float(value)!r}f"
    if isinstance(value, (int, float)):
        return repr(float(value)) if kind == "double" else repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    return json.dumps(value, default=str)


def _java_source(value: Any, schema: Mapping[str, Any]) -> Any:
    """A Python value as the Java source text BFCL's Java categories ask a model for."""
    kind = schema.get("type")
    inner = (schema.get("items") or {}).get("type")
    if isinstance(value, str):
        return value  # already written in Java by the model
    if isinstance(value, (list, tuple)) and kind == "Array":
        element = _JAVA_ELEMENT.get(inner or "any", inner or "Object")
        items = ", ".join(_java_scalar(item, inner) for item in value)
        return f"new {element}[]{{{items}}}"
    if isinstance(value, (list, tuple)):
        items = ", ".join(_java_scalar(item, inner) for item in value)
        return f"new ArrayList<>(Arrays.asList({items}))" if items else "new ArrayList<>()"
    if isinstance(value, dict):
        puts = " ".join(f"put({json.dumps(str(key))}, {_java_scalar(item, None)});"
                        for key, item in value.items())
        return f"new HashMap<String, Object>() {{{{ {puts} }}}}"
    return _java_scalar(value, kind)


def _js_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_js_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_js_literal(item)}" for key, item in value.items()) + "}"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def _js_source(value: Any, schema: Mapping[str, Any]) -> Any:
    """A Python value as the JavaScript source text BFCL's JavaScript category asks for."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and schema.get("type") == "Bigint":
        return f"{value}n"
    return _js_literal(value)


def plain_name(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]", "_", name)


def checker_calls(calls: Sequence[Mapping[str, Mapping[str, Any]]], functions: Sequence[Doc],
                  language: str = "python") -> CheckerCalls:
    """Calls in the exact shape and types BFCL's checker expects.

    ``functions`` are BFCL's own docs (not the shown ones). Tool names that had to lose
    their dots (``math_factorial``) get their BFCL names back; Python values take the
    types the docs name; Java and JavaScript values become source text in that language.

    >>> docs = [{"name": "math.hypot", "parameters": {"type": "dict", "properties": {
    ...     "x": {"type": "float"}, "v": {"type": "array", "items": {"type": "float"}}}}}]
    >>> checker_calls([{"math_hypot": {"x": 3, "v": (1, 2.5)}}], docs)
    [{'math.hypot': {'x': 3.0, 'v': [1.0, 2.5]}}]
    """
    by_name: dict[str, Doc] = {}
    for doc in functions:
        by_name.setdefault(plain_name(doc["name"]), doc)
    for doc in functions:
        by_name[doc["name"]] = doc
    out: CheckerCalls = []
    for call in calls:
        for name, args in call.items():
            doc = by_name.get(name)
            if doc is None:
                out.append({name: dict(args)})
                continue
            properties = doc.get("parameters", {}).get("properties", {})
            if language == "java":
                typed = {key: _java_source(value, properties.get(key) or {})
                         for key, value in args.items()}
            elif language == "javascript":
                typed = {key: _js_source(value, properties.get(key) or {})
                         for key, value in args.items()}
            else:
                typed = {key: _coerce(value, properties.get(key)) for key, value in args.items()}
            out.append({doc["name"]: typed})
    return out


def _openai_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    kind = schema.get("type")
    if kind is not None:
        out["type"] = _OPENAI_TYPES.get(kind, kind)
    for key in ("description", "enum", "required"):
        if key in schema:
            out[key] = schema[key]
    if "items" in schema and isinstance(schema["items"], Mapping):
        out["items"] = _openai_schema(schema["items"])
    if "properties" in schema and isinstance(schema["properties"], Mapping):
        out["properties"] = {name: _openai_schema(prop)
                             for name, prop in schema["properties"].items()}
    return out


def openai_tools(functions: Sequence[Doc]) -> list[dict[str, Any]]:
    """The docs as OpenAI ``tools`` with JSON Schema types (BFCL's type mapping).

    >>> [tool] = openai_tools([{"name": "f", "description": "d", "parameters": {
    ...     "type": "dict", "properties": {"x": {"type": "float"}}, "required": ["x"]}}])
    >>> tool["function"]["parameters"]
    {'type': 'object', 'required': ['x'], 'properties': {'x': {'type': 'number'}}}
    """
    return [{"type": "function",
             "function": {"name": doc["name"], "description": doc.get("description", ""),
                          "parameters": _openai_schema(doc.get("parameters", {}))}}
            for doc in functions]


def is_call_list(output: Any) -> bool:
    """True for ``[{name: {arg: value}}, ...]``, the only shape the checker accepts."""
    return isinstance(output, list) and all(
        isinstance(item, dict) and len(item) == 1
        and isinstance(next(iter(item.values())), dict) for item in output)


def has_call(output: Any) -> bool:
    """True when ``output`` holds at least one call: ``[]`` and ``[{}]`` hold none.

    >>> has_call(None), has_call([]), has_call([{}]), has_call([{"f": {}}])
    (False, False, False, True)
    """
    if not isinstance(output, list) or not output:
        return False
    if len(output) == 1 and isinstance(output[0], dict) and not output[0]:
        return False
    return is_call_list(output)
