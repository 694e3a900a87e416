"""The planning prompt: tools as compact Python-like signatures, not JSON schemas.

The schema lives in the grammar and the solver, so the prompt only has to tell the model
what each tool is for and how to call it. A tool is one line:

>>> from neurosym.tools.tool import Param, Tool
>>> tool = Tool("book_hotel", "Book a hotel room. Rooms are per night.", (
...     Param("city", "string"),
...     Param("nights", "integer", minimum=1, maximum=14),
...     Param("board", "string", enum=("room", "half"), required=False, default="room")))
>>> print(render_signature(tool))
def book_hotel(city: str, nights: int[1..14], board: Literal["room", "half"] = "room")  # Book a hotel room.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal as TypingLiteral

from ..tools.dataflow import DataFlow
from ..tools.tool import Param, Tool
from .chat import ChatMessage, normalise_messages

__all__ = ["PromptOptions", "Example", "EXAMPLES", "CHAIN_EXAMPLE", "render_signature",
           "render_type", "render_tools", "build_messages", "PLAN_INSTRUCTIONS"]

Detail = TypingLiteral["brief", "full"]

PLAN_INSTRUCTIONS = """\
You write Python tool calls for the user's request: one call per line, keyword \
arguments, values taken from the request. Nothing else.
A call can use an earlier call's result by its name (result or result.field).
If the request lacks a value a tool needs, write ask("your question"). \
If no tool fits the request, write none()."""

ANSWER_INSTRUCTIONS = """\
When the results answer the request, write answer("the answer")."""


@dataclass(frozen=True)
class Example:
    """A worked request shown to the model before the real one (as earlier chat turns)."""

    tools: tuple[str, ...]
    request: str
    reply: str


#: Made-up tools whose values cannot leak into real ones: the model learns the form
#: from them, and to stop after the calls (one call, or several of the same tool).
EXAMPLES: tuple[Example, ...] = (
    Example(('def get_time(city: str, format: Literal["12h", "24h"] = "24h")'
             "  # Current time in a city.",),
            "What time is it in Tokyo and in Lima?",
            'r1 = get_time(city="Tokyo")\nr2 = get_time(city="Lima")'),
    Example(("def search_books(author: str, year: int = None, limit: int[1..50] = 10)"
             "  # Find books by an author.",),
            "Find three books by Ursula K. Le Guin from 1969.",
            'r1 = search_books(author="Ursula K. Le Guin", year=1969, limit=3)'),
)

#: A worked example of chaining: a later call uses an earlier result's field.
CHAIN_EXAMPLE = Example(
    ("def find_restaurants(city: str, cuisine: str) -> list[{id: str, name: str}]"
     "  # Find restaurants, best first.",
     "def book_table(restaurant_id: str, people: int, time: str)  # Book a table. "
     "restaurant_id: from find_restaurants()[0].id."),
    "Find a sushi place in Lyon and book a table for 2 at 19:30.",
    'r1 = find_restaurants(city="Lyon", cuisine="sushi")\n'
    'r2 = book_table(restaurant_id=r1[0].id, people=2, time="19:30")')


@dataclass(frozen=True)
class PromptOptions:
    """How tools are shown: ``detail="full"`` adds each parameter's description."""

    detail: Detail = "full"
    max_doc_chars: int = 160
    max_param_doc_chars: int = 100
    instructions: str = PLAN_INSTRUCTIONS
    examples: tuple[Example, ...] = EXAMPLES
    #: Show the chaining example too: ``None`` when a tool shown takes a value that only
    #: another tool shown produces (see :mod:`neurosym.tools.dataflow`).
    chaining: bool | None = None
    #: Show the constraints to the model as "Rules:" under the tools. The solver holds
    #: the plan to them either way.
    rules: bool = True


def render_type(param: Param) -> str:
    """A parameter's type with its constraints, in a compact Python-like notation.

    >>> render_type(Param("n", "integer", minimum=0, exclusive_maximum=10))
    'int[>=0, <10]'
    >>> render_type(Param("tags", "array", items=Param("", "string"), max_items=3))
    'list[str][..3 items]'
    >>> render_type(Param("code", "string", pattern="^[A-Z]{3}$", nullable=True))
    'str[/^[A-Z]{3}$/] | None'
    """
    text = _base_type(param)
    if param.nullable and text != "Any":
        text += " | None"
    return text


def _base_type(param: Param) -> str:
    if param.enum is not None:
        return "Literal[" + ", ".join(_literal(v) for v in param.enum) + "]"
    kind = param.type
    if kind in ("integer", "number"):
        return ("int" if kind == "integer" else "float") + _bounds(param)
    if kind == "string":
        fmt = {"date": "date", "date-time": "datetime", "email": "email"}.get(param.format or "")
        if fmt:
            return fmt
        extra = []
        if param.pattern:
            extra.append(f"/{param.pattern}/")
        if param.min_length is not None or param.max_length is not None:
            extra.append(_span(param.min_length, param.max_length) + " chars")
        return "str" + ("[" + ", ".join(extra) + "]" if extra else "")
    if kind == "date":
        return "date"
    if kind == "boolean":
        return "bool"
    if kind == "array":
        inner = render_type(param.items) if param.items is not None else "Any"
        text = f"list[{inner}]"
        if param.min_items is not None or param.max_items is not None:
            text += "[" + _span(param.min_items, param.max_items) + " items]"
        return text
    if kind == "object":
        if param.properties and len(param.properties) <= 6:
            fields = ", ".join(f"{p.name}: {render_type(p)}" for p in param.properties)
            return "{" + fields + "}"
        return "dict"
    return "Any"


def _bounds(param: Param) -> str:
    if param.minimum is not None and param.maximum is not None:
        return f"[{_number(param.minimum)}..{_number(param.maximum)}]"
    parts = []
    if param.minimum is not None:
        parts.append(">=" + _number(param.minimum))
    elif param.exclusive_minimum is not None:
        parts.append(">" + _number(param.exclusive_minimum))
    if param.maximum is not None:
        parts.append("<=" + _number(param.maximum))
    elif param.exclusive_maximum is not None:
        parts.append("<" + _number(param.exclusive_maximum))
    return "[" + ", ".join(parts) + "]" if parts else ""


def _span(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low}..{high}"
    return f"{low}.." if low is not None else f"..{high}"


def _number(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)(?<!\b[A-Za-z])[.!?](?=\s|$)")


def _first_sentence(text: str, limit: int) -> str:
    """The first sentence of ``text`` (abbreviations like "e.g." do not end it), cut to ``limit``.

    >>> _first_sentence("IATA code, e.g. SFO. Three letters.", 80)
    'IATA code, e.g. SFO.'
    """
    text = " ".join(text.split())
    for match in _SENTENCE_END.finditer(text):
        if match.end() >= 12:
            text = text[:match.end()]
            break
    if len(text) > limit:
        text = text[:limit - 3].rstrip() + "..."
    return text


def render_signature(tool: Tool, options: PromptOptions | None = None,
                     flow: DataFlow | None = None) -> str:
    """One line: ``def name(param: type = default, ...) -> returns  # doc``.

    With ``flow``, a parameter that another tool produces says which result field
    feeds it, unless its own description already names that tool.
    """
    options = options or PromptOptions(detail="brief")
    params = []
    for param in sorted(tool.params, key=lambda p: not p.required):
        text = f"{param.name}: {render_type(param)}"
        if not param.required:
            text += " = " + (_literal(param.default) if param.default is not None else "None")
        params.append(text)
    line = f"def {tool.name}({', '.join(params)})"
    if tool.returns is not None and tool.returns.type != "any":
        line += " -> " + render_type(tool.returns)
    notes = []
    if tool.description:
        notes.append(_first_sentence(tool.description, options.max_doc_chars))
    for param in tool.params:
        doc = (_first_sentence(param.description, options.max_param_doc_chars)
               if options.detail == "full" and param.description else "")
        source = flow.hint(tool.name, param.name) if flow is not None else None
        if source is not None and not any(p in param.description
                                          for p in flow.producers(tool.name, param.name)):
            doc = f"{doc} From {source}".strip() if doc else f"from {source}"
        if doc:
            notes.append(f"{param.name}: {doc}")
    if notes:
        line += "  # " + " ".join(n if n.endswith((".", "!", "?")) else n + "." for n in notes)
    return line


def render_tools(tools: Iterable[Tool], options: PromptOptions | None = None) -> str:
    """Every tool's signature, one per line."""
    shown = list(tools)
    flow = DataFlow(shown)
    return "\n".join(render_signature(t, options, flow) for t in shown)


def _examples(tools: Sequence[Tool], options: PromptOptions) -> tuple[Example, ...]:
    chaining = options.chaining
    if chaining is None:
        chaining = bool(DataFlow(tools).links)
    if chaining and CHAIN_EXAMPLE not in options.examples:
        return (*options.examples, CHAIN_EXAMPLE)
    return options.examples


def build_messages(tools: Sequence[Tool], request: str | Sequence[ChatMessage], *,
                   observations: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
                   previous_plan: str | None = None, constraints: Sequence[str] = (),
                   options: PromptOptions | None = None) -> list[dict[str, str]]:
    """The chat messages for one planning turn.

    The system message explains the plan language; worked examples follow as earlier
    turns; the last user turn lists the tools (and any constraints) before the request.
    When earlier steps ran, their plan is the assistant's turn and their results the
    next user turn.

    >>> msgs = build_messages([Tool("ping", "Check a host.", (Param("host", "string"),))],
    ...                       "Is example.org up?", options=PromptOptions(examples=()))
    >>> [m["role"] for m in msgs]
    ['system', 'user']
    >>> print(msgs[1]["content"])
    Tools:
    def ping(host: str)  # Check a host.
    <BLANKLINE>
    Request: Is example.org up?
    """
    options = options or PromptOptions()
    system = options.instructions
    if observations:
        system += "\n" + ANSWER_INSTRUCTIONS
    messages = normalise_messages(request)
    extra_system = [m["content"] for m in messages if m["role"] == "system" and m["content"]]
    if extra_system:
        system = "\n\n".join(extra_system) + "\n\n" + system
    out = [{"role": "system", "content": system}]
    for example in _examples(tools, options):
        out.append({"role": "user", "content": _turn("\n".join(example.tools), (), example.request)})
        out.append({"role": "assistant", "content": example.reply})
    turns = [m for m in messages if m["role"] != "system"]
    last_user = max((i for i, m in enumerate(turns) if m["role"] == "user"), default=None)
    tools_text = render_tools(tools, options)
    shown_rules = constraints if options.rules else ()
    if last_user is None:
        turns.append({"role": "user", "content": _turn(tools_text, shown_rules, "")})
    else:
        turns[last_user] = {"role": "user",
                            "content": _turn(tools_text, shown_rules, turns[last_user]["content"])}
    out.extend(turns)
    if previous_plan is not None or observations:
        if previous_plan is not None:
            out.append({"role": "assistant", "content": previous_plan})
        out.append({"role": "user", "content": _observations_text(observations or {})})
    return out


def _turn(tools_text: str, constraints: Sequence[str], request: str) -> str:
    text = "Tools:\n" + tools_text
    if constraints:
        text += "\nRules:\n" + "\n".join(f"- {c}" for c in constraints)
    return text + "\n\nRequest: " + request


def _observations_text(observations: Mapping[str, Any] | Sequence[tuple[str, Any]]) -> str:
    items = observations.items() if isinstance(observations, Mapping) else observations
    lines = ["Results of the calls so far:"]
    for name, value in items:
        try:
            shown = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            shown = repr(value)
        if len(shown) > 600:
            shown = shown[:597] + "..."
        lines.append(f"{name} = {shown}")
    lines.append("Continue with the next calls, or answer.")
    return "\n".join(lines)
