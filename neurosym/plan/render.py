"""Writing a :class:`~neurosym.plan.ast.Plan` out: canonical plan text, OpenAI ``tool_calls``, BFCL.

The canonical text is the one form the specialised grammars admit: one step per line,
``name = tool(a=1, b="x")``, arguments as ``k=v`` joined by ``", "``, strings in double
quotes with JSON escapes, floats always with a ``.`` or an exponent, ``[1, 2]``,
``{"k": 1}``, and ``ask("...")``, ``answer("...")`` or ``none()`` last. It parses back to
an equal plan.

OpenAI and BFCL hold calls only, with plain values, so nested calls are first lifted
into steps of their own (:func:`~neurosym.plan.flatten.flatten`), and a reference is
written as a string: ``"$call_<i>"`` followed by its path when it names the result of
the call at position ``i`` of the rendered list (the OpenAI ``id`` of that call), and
``"$" + name + path`` when it names something outside the plan. The terminal forms
are not calls and do not appear; read them from :attr:`Plan.question` and
:attr:`Plan.answer`.

>>> from neurosym.plan.parse import parse_plan
>>> plan = parse_plan("f = find(city='Rome', n=2.0)\\nbook(hotel=f[0].id)")
>>> print(render_text(plan))
f = find(city="Rome", n=2.0)
book(hotel=f[0].id)
>>> render_bfcl(plan)
[{'find': {'city': 'Rome', 'n': 2.0}}, {'book': {'hotel': '$call_0[0].id'}}]
>>> render_openai(plan)[1]["function"]
{'name': 'book', 'arguments': '{"hotel": "$call_0[0].id"}'}
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..errors import PlanValidationError
from .ast import Call, DictValue, ListValue, Literal, Plan, Ref, Terminal, Value
from .flatten import flatten
from .parse import CONSTANTS, INT_MAX, INT_MIN, RESERVED_TOOL_NAMES

__all__ = ["render_text", "render_openai", "render_bfcl", "render_call", "render_value",
           "render_plain", "quote_string"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOOL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_NEEDS_ESCAPE = re.compile('[\\x00-\\x1f"\\\\\ud800-\udfff]')
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                  "\b": "\\b", "\f": "\\f"}


def quote_string(text: str) -> str:
    """``text`` in double quotes with JSON-style escapes; other characters stay as they are.

    >>> print(quote_string('say "hi"\\n\\u00e9'))
    "say \\"hi\\"\\né"
    """
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, text) + '"'


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return _SHORT_ESCAPES.get(char) or f"\\u{ord(char):04x}"


def render_text(plan: Plan) -> str:
    """The plan in canonical plan text (the empty plan is the empty string).

    >>> from neurosym.plan.ast import Call, Literal, Plan, Step, Terminal
    >>> print(render_text(Plan((Step(Call("f", (("a", Literal(True)),)), bind="r"),),
    ...                        Terminal("answer", "done"))))
    r = f(a=True)
    answer("done")
    """
    lines: list[str] = []
    bound: set[str] = set()
    for index, step in enumerate(plan.steps):
        call = render_call(step.call)
        if step.bind is None:
            lines.append(call)
            continue
        if not _NAME.fullmatch(step.bind) or step.bind in CONSTANTS:
            raise PlanValidationError(f"{step.bind!r} cannot name a step", step=index,
                                      hint="bind results to identifiers other than "
                                           "True, False and None")
        if step.bind in bound:
            raise PlanValidationError(f"the name {step.bind!r} is bound twice", step=index,
                                      hint="give each step's result its own name")
        bound.add(step.bind)
        lines.append(f"{step.bind} = {call}")
    if plan.terminal is not None:
        lines.append(_render_terminal(plan.terminal))
    return "\n".join(lines)


def _render_terminal(terminal: Terminal) -> str:
    if terminal.kind == "none":
        if terminal.text is not None:
            raise PlanValidationError("none() carries no text",
                                      hint="use answer(...) to say something")
        return "none()"
    if terminal.kind not in ("ask", "answer") or not isinstance(terminal.text, str):
        raise PlanValidationError(f"terminal {terminal.kind}(...) needs a text",
                                  hint='write ask("question") or answer("text")')
    return f"{terminal.kind}({quote_string(terminal.text)})"


def render_call(call: Call) -> str:
    """One call in canonical form: ``tool(a=1, b="x")``."""
    if not _TOOL_NAME.fullmatch(call.tool) or call.tool in RESERVED_TOOL_NAMES:
        raise PlanValidationError(f"{call.tool!r} cannot be written as a tool name",
                                  hint="tool names are dotted identifiers other than "
                                       "ask, answer and none")
    seen: set[str] = set()
    parts: list[str] = []
    for key, value in call.args:
        if not _NAME.fullmatch(key):
            raise PlanValidationError(f"argument name {key!r} of {call.tool} is not an "
                                      "identifier", hint="rename the parameter")
        if key in seen:
            raise PlanValidationError(f"argument {key!r} given twice to {call.tool}",
                                      hint="pass each argument once")
        seen.add(key)
        parts.append(f"{key}={render_value(value)}")
    return f"{call.tool}({', '.join(parts)})"


def render_value(value: Value) -> str:
    """One value in canonical form.

    >>> render_value(ListValue((Literal(1), Literal(-0.5), DictValue((("k", Literal(None)),)))))
    '[1, -0.5, {"k": None}]'
    """
    if isinstance(value, Literal):
        return render_plain(value.value)
    if isinstance(value, Ref):
        if not _NAME.fullmatch(value.name) or value.name in CONSTANTS:
            raise PlanValidationError(f"{value.name!r} cannot be referred to by name",
                                      hint="refer to steps bound to identifiers")
        for part in value.path:
            if isinstance(part, str) and not _NAME.fullmatch(part):
                raise PlanValidationError(f"field {part!r} of a reference is not an "
                                          "identifier", hint="name fields with identifiers")
        return value.text
    if isinstance(value, Call):
        return render_call(value)
    if isinstance(value, ListValue):
        return "[" + ", ".join(render_value(v) for v in value.items) + "]"
    if isinstance(value, DictValue):
        keys = [k for k, _ in value.items]
        if len(set(keys)) != len(keys):
            raise PlanValidationError("a dict repeats a key", hint="give each key once")
        return "{" + ", ".join(f"{quote_string(k)}: {render_value(v)}"
                               for k, v in value.items) + "}"
    raise PlanValidationError(f"{type(value).__name__} is not a plan value",
                              hint="build values from Literal, Ref, Call, ListValue, DictValue")


def render_plain(value: Any) -> str:
    """A plain Python value (str, int, float, bool, None, list, tuple, dict) as plan text.

    >>> render_plain({"a": [1, 2.0, True, None, "x"]})
    '{"a": [1, 2.0, True, None, "x"]}'
    """
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise PlanValidationError(f"integer {value} does not fit in 64 bits",
                                      hint="write it as a float")
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PlanValidationError(f"{value!r} cannot be written in a plan",
                                      hint="use a finite number")
        return repr(float(value))
    if isinstance(value, str):
        return quote_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render_plain(v) for v in value) + "]"
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise PlanValidationError(f"dict key {key!r} is not a string",
                                          hint="use string keys")
        return "{" + ", ".join(f"{quote_string(k)}: {render_plain(v)}"
                               for k, v in value.items()) + "}"
    raise PlanValidationError(f"a {type(value).__name__} cannot be written in a plan",
                              hint="use str, int, float, bool, None, lists and dicts")


def _plain_calls(plan: Plan) -> list[tuple[str, dict[str, Any]]]:
    """The flattened plan's calls with plain values, references as ``"$..."`` strings."""
    flat = flatten(plan)
    position = {step.bind: i for i, step in enumerate(flat.steps) if step.bind}

    def plain(value: Value) -> Any:
        if isinstance(value, Literal):
            if isinstance(value.value, float) and not math.isfinite(value.value):
                raise PlanValidationError(f"{value.value!r} cannot be rendered",
                                          hint="use a finite number")
            return value.value
        if isinstance(value, Ref):
            index = position.get(value.name)
            name = value.name if index is None else f"call_{index}"
            return "$" + Ref(name, value.path).text
        if isinstance(value, ListValue):
            return [plain(v) for v in value.items]
        if isinstance(value, DictValue):
            return {k: plain(v) for k, v in value.items}
        raise PlanValidationError(f"{type(value).__name__} left in a flattened plan",
                                  hint="build values from Literal, Ref, ListValue, DictValue")

    return [(step.call.tool, {k: plain(v) for k, v in step.call.args}) for step in flat.steps]


def render_openai(plan: Plan) -> list[dict[str, Any]]:
    """The plan's calls as OpenAI ``tool_calls`` (ids ``call_0``, ``call_1``, ...)."""
    return [{"id": f"call_{i}", "type": "function",
             "function": {"name": tool,
                          "arguments": json.dumps(args, ensure_ascii=False, allow_nan=False)}}
            for i, (tool, args) in enumerate(_plain_calls(plan))]


def render_bfcl(plan: Plan) -> list[dict[str, dict[str, Any]]]:
    """The plan's calls as BFCL writes them: ``[{"tool": {"arg": value}}, ...]``."""
    return [{tool: args} for tool, args in _plain_calls(plan)]

